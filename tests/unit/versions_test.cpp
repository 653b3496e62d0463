// The versions document, the links' origin, and v2 microversion negotiation (sahara-api.md §8, §9).
#include "gateway/versions.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using namespace sgw;

BOOST_AUTO_TEST_SUITE(versions)

BOOST_AUTO_TEST_CASE(document_lists_three_versions) {
    auto doc = json::parse(versions_body({"https", "sahara.example:8386"}));
    auto& list = doc.at("versions").as_array();
    BOOST_TEST_REQUIRE(list.size() == 3u);
    BOOST_TEST(list[0].at("id") == "v1.0");
    BOOST_TEST(list[1].at("status") == "SUPPORTED");
    BOOST_TEST(list[2].at("status") == "CURRENT");
    BOOST_TEST(list[2].at("min_version") == "2.0");
    BOOST_TEST(list[2].at("links").at(0).at("href") == "https://sahara.example:8386/v2/");
}

BOOST_AUTO_TEST_CASE(origin_from_host_and_trusted_forwarding) {
    boost::beast::http::fields h;
    h.set(boost::beast::http::field::host, "10.0.0.5:8386");
    h.set("X-Forwarded-Proto", "https");
    h.set("X-Forwarded-Host", "api.example.com, internal");
    auto plain = request_origin(h, false);
    BOOST_TEST(plain.scheme == "http");
    BOOST_TEST(plain.host == "10.0.0.5:8386");
    auto fwd = request_origin(h, true);
    BOOST_TEST(fwd.scheme == "https");
    BOOST_TEST(fwd.host == "api.example.com");
    h.set("Forwarded", "for=1.2.3.4;proto=https;host=\"edge.example\", for=5.6.7.8;host=other");
    auto rfc = request_origin(h, true);  // Forwarded wins over X-Forwarded-*
    BOOST_TEST(rfc.host == "edge.example");
    BOOST_TEST(rfc.scheme == "https");
}

BOOST_AUTO_TEST_CASE(hostile_hosts_are_ignored) {
    boost::beast::http::fields h;
    h.set(boost::beast::http::field::host, "good.example");
    h.set("X-Forwarded-Host", "evil.example/\"><script>");
    h.set("X-Forwarded-Proto", "javascript");
    auto o = request_origin(h, true);
    BOOST_TEST(o.host == "good.example");
    BOOST_TEST(o.scheme == "http");
}

BOOST_AUTO_TEST_CASE(microversions) {
    BOOST_TEST(!negotiate_v2("", "req-x").error);
    BOOST_TEST(negotiate_v2("", "req-x").echo == "2.0");
    BOOST_TEST(!negotiate_v2("data-processing latest", "req-x").error);
    BOOST_TEST(!negotiate_v2("compute 2.60, data-processing 2.0", "req-x").error);
    BOOST_TEST(!negotiate_v2("compute 2.60", "req-x").error);  // not ours: default

    auto too_new = negotiate_v2("data-processing 2.1", "req-x");
    BOOST_TEST_REQUIRE(too_new.error.has_value());
    BOOST_TEST(too_new.error->status == 406u);
    BOOST_TEST(too_new.echo == "2.1");
    auto body = json::parse(too_new.error->body);
    BOOST_TEST(body.at("error_name") == "NOT_ACCEPTABLE");
    BOOST_TEST(body.at("max_version") == "2.0");
    BOOST_TEST(body.at("error_message").as_string().starts_with(
        "Version 2.1 is not supported by the API. Minimum is 2.0 and maximum is 2.0."));

    auto bad = negotiate_v2("data-processing two", "req-x");
    BOOST_TEST_REQUIRE(bad.error.has_value());
    BOOST_TEST(bad.error->status == 400u);
    BOOST_TEST(json::parse(bad.error->body).at("error_name") == "BAD_REQUEST");
}

BOOST_AUTO_TEST_SUITE_END()
