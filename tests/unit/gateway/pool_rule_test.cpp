// The connection reuse rule (gateway-anchors.md §3 lesson 2) and the base URL parser.
#include "gateway/upstream/pool.hpp"
#include "gateway/upstream/url.hpp"

#include <boost/test/unit_test.hpp>

using namespace sgw;
using namespace sgw::upstream;

BOOST_AUTO_TEST_SUITE(pool_rule)

BOOST_AUTO_TEST_CASE(only_clean_complete_exchanges_are_reused) {
    upstream_config limits;
    limits.max_requests_per_connection = 10;
    limits.max_connection_age = millis{1000};
    exchange_state good;
    good.request_written = good.response_complete = good.keep_alive = true;
    good.requests_served = 1;
    BOOST_TEST(may_reuse(good, limits));

    auto with = [&](auto change) {
        auto s = good;
        change(s);
        return may_reuse(s, limits);
    };
    BOOST_TEST(!with([](exchange_state& s) { s.request_written = false; }));
    BOOST_TEST(!with([](exchange_state& s) { s.response_complete = false; }));
    BOOST_TEST(!with([](exchange_state& s) { s.keep_alive = false; }));
    BOOST_TEST(!with([](exchange_state& s) { s.leftover_bytes = true; }));
    BOOST_TEST(!with([](exchange_state& s) { s.failed = true; }));
    BOOST_TEST(!with([](exchange_state& s) { s.requests_served = 10; }));
    BOOST_TEST(!with([](exchange_state& s) { s.age = std::chrono::milliseconds(1000); }));
    BOOST_TEST(with([](exchange_state& s) { s.requests_served = 9; }));
}

BOOST_AUTO_TEST_CASE(base_urls) {
    auto a = parse_base_url("https://mrs.eu-de.otc.t-systems.com");
    BOOST_TEST_REQUIRE(bool(a));
    BOOST_TEST(a->tls);
    BOOST_TEST(a->port == "443");
    BOOST_TEST(a->host_header == "mrs.eu-de.otc.t-systems.com");
    BOOST_TEST(a->path_prefix == "");
    auto b = parse_base_url("http://127.0.0.1:9000/prefix/");
    BOOST_TEST_REQUIRE(bool(b));
    BOOST_TEST(!b->tls);
    BOOST_TEST(b->port == "9000");
    BOOST_TEST(b->host_header == "127.0.0.1:9000");
    BOOST_TEST(b->path_prefix == "/prefix");
    auto c = parse_base_url("https://[::1]:8443");
    BOOST_TEST_REQUIRE(bool(c));
    BOOST_TEST(c->host == "::1");
    BOOST_TEST(is_ip_literal(c->host));
    BOOST_TEST(!is_ip_literal("localhost"));
    BOOST_TEST(!parse_base_url("mrs.example.com"));
    BOOST_TEST(!parse_base_url("https://mrs.example.com/?a=b"));
}

BOOST_AUTO_TEST_SUITE_END()
