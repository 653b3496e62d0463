// Reading Keystone v3 token validation answers (mrs-api.md §6.1, §4).
#include "gateway/identity.hpp"

#include <boost/test/unit_test.hpp>

using namespace sgw;

BOOST_AUTO_TEST_SUITE(identity_body)

BOOST_AUTO_TEST_CASE(project_and_expiry) {
    auto t = parse_token_body(R"({"token":{"methods":["token"],"expires_at":"2019-02-13T06:52:13.855000Z",
        "project":{"id":"6b2a9f0c1d3e4f5a8b7c6d5e4f3a2b1c","name":"eu-de"}}})");
    BOOST_TEST_REQUIRE(t.has_value());
    BOOST_TEST(t->project == "6b2a9f0c1d3e4f5a8b7c6d5e4f3a2b1c");
    BOOST_TEST_REQUIRE(t->expires_at.has_value());
    BOOST_TEST(*t->expires_at == 1550040733LL);
}

BOOST_AUTO_TEST_CASE(unscoped_or_broken_answers) {
    BOOST_TEST(!parse_token_body(R"({"token":{"user":{"id":"u"}}})"));  // domain- or unscoped
    BOOST_TEST(!parse_token_body(R"({"token":{"project":{"id":""}}})"));
    BOOST_TEST(!parse_token_body("not json"));
    BOOST_TEST(!parse_token_body(R"({"error":{"code":404}})"));
    auto no_expiry = parse_token_body(R"({"token":{"project":{"id":"p"}}})");
    BOOST_TEST_REQUIRE(no_expiry.has_value());
    BOOST_TEST(!no_expiry->expires_at.has_value());
}

BOOST_AUTO_TEST_SUITE_END()
