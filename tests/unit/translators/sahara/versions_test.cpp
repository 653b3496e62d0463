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
    BOOST_TEST(!negotiate_v2("").error);
    BOOST_TEST(negotiate_v2("").echo == "2.0");
    BOOST_TEST(!negotiate_v2("data-processing latest").error);
    BOOST_TEST(!negotiate_v2("compute 2.60, data-processing 2.0").error);
    BOOST_TEST(!negotiate_v2("compute 2.60").error);  // not ours: default

    auto too_new = negotiate_v2("data-processing 2.1");
    BOOST_TEST_REQUIRE(too_new.error.has_value());
    BOOST_TEST(too_new.error->status == 406u);
    BOOST_TEST(too_new.echo == "2.1");
    auto body = json::parse(too_new.error->body);
    BOOST_TEST(body.at("error_name") == "NOT_ACCEPTABLE");
    BOOST_TEST(body.at("max_version") == "2.0");
    // Exactly Sahara's text: render_error_message adds no Error ID.
    BOOST_TEST(body.at("error_message") == "Version 2.1 is not supported by the API. Minimum is 2.0 and maximum is 2.0.");

    auto bad = negotiate_v2("data-processing two");
    BOOST_TEST_REQUIRE(bad.error.has_value());
    BOOST_TEST(bad.error->status == 400u);
    const auto bad_body = json::parse(bad.error->body);
    BOOST_TEST(bad_body.at("error_name") == "BAD_REQUEST");
    BOOST_TEST(bad_body.at("error_message") ==
               "API Version String two is of invalid format. Must be of format MajorNum.MinorNum.");
    BOOST_TEST(bad_body.at("min_version") == "2.0");
}

// Sahara's pattern ^([1-9]\d*).([1-9]\d*|0)$ has an unescaped dot: any one character parts the
// numbers, a leading zero is refused, and a well-formed version other than 2.0 is 406.
BOOST_AUTO_TEST_CASE(version_strings_are_judged_by_saharas_pattern) {
    for (const char* v : {"2x0", "10.0", "2.10", "3.0", "210"}) {
        const auto r = negotiate_v2(std::string("data-processing ") + v);
        BOOST_TEST_REQUIRE(r.error.has_value(), v);
        BOOST_TEST(r.error->status == 406u, v);
    }
    for (const char* v : {"02.0", "2.01", "2.", ".0", "2", "2.0.1", "2.-1"}) {
        const auto r = negotiate_v2(std::string("data-processing ") + v);
        BOOST_TEST_REQUIRE(r.error.has_value(), v);
        BOOST_TEST(r.error->status == 400u, v);
    }
}

BOOST_AUTO_TEST_CASE(header_that_is_not_utf8_is_answered_not_thrown) {
    auto bad = negotiate_v2("data-processing \xff\xfe");
    BOOST_TEST_REQUIRE(bad.error.has_value());
    BOOST_TEST(bad.error->status == 400u);
    // The body quotes the header, in valid UTF-8 (found by fuzz_router, as for Content-Type).
    boost::system::error_code ec;
    auto body = json::parse(bad.error->body, ec);
    BOOST_TEST_REQUIRE(!ec, bad.error->body);
    BOOST_TEST(body.at("error_message").as_string().starts_with(
        "API Version String \xEF\xBF\xBD\xEF\xBF\xBD is of invalid format."));
}

BOOST_AUTO_TEST_SUITE_END()
