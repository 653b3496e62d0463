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

BOOST_AUTO_TEST_CASE(keep_alive_header_bounds_reuse) {
    upstream_config limits;
    limits.idle_timeout = millis{30'000};
    exchange_state s;
    s.request_written = s.response_complete = s.keep_alive = true;
    read_keep_alive("timeout=5, max=100", s);
    BOOST_TEST_REQUIRE(bool(s.peer_idle_timeout));
    BOOST_TEST(s.peer_idle_timeout->count() == 5);
    BOOST_TEST(*s.peer_requests_left == 100u);
    // A second less than the peer's timeout, so that the gateway ends the connection first.
    BOOST_TEST(std::chrono::duration_cast<millis>(idle_limit(s, limits)).count() == 4000);
    BOOST_TEST(may_reuse(s, limits));

    exchange_state t = s;
    t.peer_idle_timeout.reset();
    read_keep_alive(" MAX=0 ,Timeout=60,junk, timeout=abc", t);
    BOOST_TEST(t.peer_idle_timeout->count() == 60);
    BOOST_TEST(std::chrono::duration_cast<millis>(idle_limit(t, limits)).count() == 30'000);  // ours is lower
    BOOST_TEST(!may_reuse(t, limits));  // max=0: no request left

    exchange_state u = s;
    read_keep_alive("timeout=1", u);  // too short to reuse safely at all
    BOOST_TEST(idle_limit(u, limits).count() == 0);
    BOOST_TEST(!may_reuse(u, limits));
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
