// jobs.store: the redis:// URLs accepted, those refused, and no password in any message.
#include "gateway/store/redis_url.hpp"

#include <boost/test/unit_test.hpp>

using namespace sgw::store;

namespace {
std::optional<redis_endpoint> parse(std::string_view text) {
    std::string error;
    auto r = parse_redis_url(text, error);
    BOOST_TEST((r.has_value() == error.empty()), text << ": " << error);
    return r;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(store_url)

BOOST_AUTO_TEST_CASE(host_and_port) {
    const auto e = parse("redis://127.0.0.1:6380");
    BOOST_REQUIRE(e);
    BOOST_TEST(e->host == "127.0.0.1");
    BOOST_TEST(e->port == "6380");
    BOOST_TEST(e->db == 0u);
    BOOST_TEST(e->user.empty());
    BOOST_TEST(e->password.empty());
    BOOST_TEST(e->redacted() == "redis://127.0.0.1:6380");
}

BOOST_AUTO_TEST_CASE(default_port_and_trailing_slash) {
    const auto e = parse("redis://cache.internal/");
    BOOST_REQUIRE(e);
    BOOST_TEST(e->host == "cache.internal");
    BOOST_TEST(e->port == "6379");
    BOOST_TEST(e->db == 0u);
}

BOOST_AUTO_TEST_CASE(password_and_database) {
    const auto e = parse("redis://:s3cret@cache.internal:6379/2");
    BOOST_REQUIRE(e);
    BOOST_TEST(e->password == "s3cret");
    BOOST_TEST(e->user.empty());
    BOOST_TEST(e->db == 2u);
    BOOST_TEST(e->redacted() == "redis://:***@cache.internal:6379/2");
}

BOOST_AUTO_TEST_CASE(user_password_percent_decoded_and_ipv6) {
    const auto e = parse("redis://gateway:p%40ss%3Aw0rd@[::1]:7000/15");
    BOOST_REQUIRE(e);
    BOOST_TEST(e->user == "gateway");
    BOOST_TEST(e->password == "p@ss:w0rd");
    BOOST_TEST(e->host == "::1");
    BOOST_TEST(e->port == "7000");
    BOOST_TEST(e->db == 15u);
    BOOST_TEST(e->redacted() == "redis://gateway:***@[::1]:7000/15");
}

BOOST_AUTO_TEST_CASE(refused) {
    for (std::string_view bad : {"", "cache:6379", "http://cache:6379", "rediss://cache:6379", "redis://", "redis:///0",
                                 "redis://cache:0", "redis://cache:65536", "redis://cache:port", "redis://cache:6379/x",
                                 "redis://cache:6379/1/2", "redis://cache:6379/70000", "redis://cache:6379?db=1",
                                 "redis://cache:6379#1", "redis://:@cache:6379", "redis://user@cache:6379",
                                 "redis://ca%20che:6379", "redis://[v1.x]:6379"}) {
        std::string error;
        BOOST_TEST(!parse_redis_url(bad, error), bad);
        BOOST_TEST(!error.empty(), bad);
    }
}

BOOST_AUTO_TEST_CASE(no_message_quotes_the_password) {
    for (std::string_view bad : {"redis://:hunter2@cache:99999", "rediss://:hunter2@cache", "redis://:hunter2@cache:1/abc",
                                 "redis://:hunter2@cache:1?x", "redis://:hunter2@ca che:1", "hunter2"}) {
        std::string error;
        BOOST_TEST(!parse_redis_url(bad, error), bad);
        BOOST_TEST(error.find("hunter2") == std::string::npos, error);
    }
}

BOOST_AUTO_TEST_SUITE_END()
