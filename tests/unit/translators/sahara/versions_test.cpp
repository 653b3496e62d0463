// The versions document and v2 microversion negotiation (sahara-api.md §8, §9).
#include "translators/sahara/versions.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using namespace sgw::sahara;

BOOST_AUTO_TEST_SUITE(versions)

BOOST_AUTO_TEST_CASE(document_lists_three_versions) {
    auto doc = json::parse(versions_body("https", "sahara.example:8386"));
    auto& list = doc.at("versions").as_array();
    BOOST_TEST_REQUIRE(list.size() == 3u);
    BOOST_TEST(list[0].at("id") == "v1.0");
    BOOST_TEST(list[1].at("status") == "SUPPORTED");
    BOOST_TEST(list[2].at("status") == "CURRENT");
    BOOST_TEST(list[2].at("min_version") == "2.0");
    BOOST_TEST(list[2].at("links").at(0).at("href") == "https://sahara.example:8386/v2/");
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

BOOST_AUTO_TEST_CASE(header_that_is_not_utf8_is_answered_not_thrown) {
    auto bad = negotiate_v2("data-processing \xff\xfe", "req-x");
    BOOST_TEST_REQUIRE(bad.error.has_value());
    BOOST_TEST(bad.error->status == 400u);
    // The body quotes the header, in valid UTF-8 (found by fuzz_router, as for Content-Type).
    boost::system::error_code ec;
    auto body = json::parse(bad.error->body, ec);
    BOOST_TEST_REQUIRE(!ec, bad.error->body);
    BOOST_TEST(body.at("error_message").as_string().starts_with(
        "Invalid OpenStack-API-Version header: \xEF\xBF\xBD\xEF\xBF\xBD"));
}

BOOST_AUTO_TEST_SUITE_END()
