// Sahara-style body validation messages (sahara-api.md §7.1).
#include "translators/sahara/validation.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using namespace sgw::sahara;

BOOST_AUTO_TEST_SUITE(validation)

BOOST_AUTO_TEST_CASE(uuid_like) {
    BOOST_TEST(is_uuid_like("2de74673-1a78-48af-a95b-e1fec4a4ae9c"));
    BOOST_TEST(is_uuid_like("2DE746731A7848AFA95BE1FEC4A4AE9C"));
    BOOST_TEST(!is_uuid_like("2de74673-1a78-48af-a95b-e1fec4a4ae9"));
    BOOST_TEST(!is_uuid_like("2de74673-1a78-48af-a95b-e1fec4a4ae9cc"));
    BOOST_TEST(!is_uuid_like("2de746731-a78-48af-a95b-e1fec4a4ae9c"));
    BOOST_TEST(!is_uuid_like("demo"));
    BOOST_TEST(!is_uuid_like(""));
}

BOOST_AUTO_TEST_CASE(messages) {
    auto o = json::parse(R"({"cluster_id":"demo","is_public":"x","extra":1,"job_configs":[]})").as_object();
    BOOST_TEST(*only_keys(o, {"cluster_id", "is_public", "job_configs"}) ==
               "Additional properties are not allowed ('extra' was unexpected)");
    BOOST_TEST(*require_keys(o, {"cluster_id", "input_id"}) == "'input_id' is a required property");
    BOOST_TEST(*uuid_or_null(o, "cluster_id", false) == "cluster_id: 'demo' is not a 'uuid'");
    BOOST_TEST(*bool_or_null(o, "is_public") == "is_public: 'x' is not of type 'boolean', 'null'");
    BOOST_TEST(*object_or_absent(o, "job_configs") == "job_configs: [] is not of type 'object'");
    BOOST_TEST(!object_or_absent(o, "interface"));
    BOOST_TEST(!uuid_or_null(o, "output_id", false));
}

BOOST_AUTO_TEST_CASE(body_parsing) {
    request req;
    req.request_id = "req-00000000-0000-4000-8000-000000000000";
    req.body = "[1]";
    req.content_type = "application/json; charset=UTF-8";
    auto arr = parse_json_body(req);
    BOOST_TEST_REQUIRE(arr.error.has_value());
    BOOST_TEST(json::parse(arr.error->body).at("error_name") == "VALIDATION_ERROR");
    req.body = "{}";
    BOOST_TEST(!parse_json_body(req).error.has_value());
    req.content_type = "";  // absent: read as JSON
    BOOST_TEST(!parse_json_body(req).error.has_value());
    req.content_type = "application/x-www-form-urlencoded";
    BOOST_TEST(json::parse(parse_json_body(req).error->body).at("error_name") == "INVALID_DATA");
}

// Found by fuzz_router: a Content-Type with a byte that is not UTF-8 (HTTP lets obs-text
// through) was quoted as is, and the 400 body was not valid JSON.
BOOST_AUTO_TEST_CASE(a_content_type_that_is_not_utf8_is_quoted_in_valid_utf8) {
    request req;
    req.request_id = "req-00000000-0000-4000-8000-000000000000";
    req.body = "info=cancel";
    req.content_type = "application/x-www-form-urlenc\xdd" "ed";
    auto parsed = parse_json_body(req);
    BOOST_TEST_REQUIRE(parsed.error.has_value());
    boost::system::error_code ec;
    auto body = json::parse(parsed.error->body, ec);
    BOOST_TEST_REQUIRE(!ec, parsed.error->body);
    BOOST_TEST(body.at("error_message").as_string().starts_with(
        "Content type 'application/x-www-form-urlenc\xEF\xBF\xBD" "ed' isn't supported"));
}

BOOST_AUTO_TEST_SUITE_END()
