// The scheme and host of absolute links: Host, and Forwarded / X-Forwarded-* when trusted.
#include "gateway/origin.hpp"

#include <boost/test/unit_test.hpp>

using namespace sgw;

BOOST_AUTO_TEST_SUITE(origin)

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

BOOST_AUTO_TEST_SUITE_END()
