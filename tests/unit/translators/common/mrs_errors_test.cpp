// Reading and classifying MRS error bodies (mrs-api.md §5).
#include "translators/common/mrs_errors.hpp"

#include <boost/test/unit_test.hpp>

using namespace sgw::mrs;

BOOST_AUTO_TEST_SUITE(mrs_errors)

BOOST_AUTO_TEST_CASE(snake_and_camel_case) {
    auto a = parse_error(R"({"error_code":"0176","error_msg":"The job does not exist."})");
    BOOST_TEST(a.code == "0176");
    BOOST_TEST(a.message == "The job does not exist.");
    auto b = parse_error(R"({"errorCode":"12000003","errorMsg":"The cluster does not exist."})");
    BOOST_TEST(b.code == "12000003");
    BOOST_TEST(b.message == "The cluster does not exist.");
    auto c = parse_error(R"({"error":{"code":"APIGW.0301","message":"denied"}})");
    BOOST_TEST(c.code == "APIGW.0301");
    BOOST_TEST(c.message == "denied");
}

BOOST_AUTO_TEST_CASE(invalid_json_is_scanned) {
    auto e = parse_error("{\"error_msg\": \"Failed to kill the job.\" \"error_code\" : \"0160\"");
    BOOST_TEST(e.code == "0160");
    BOOST_TEST(e.message == "Failed to kill the job.");
    BOOST_TEST(parse_error("<html>502</html>").code.empty());
    BOOST_TEST(parse_error("").code.empty());
}

BOOST_AUTO_TEST_CASE(text_is_made_valid_utf8_and_bounded) {
    auto e = parse_error("{\"error_msg\": \"Job\xff cannot \xc3\xa9t\xe9\" \"error_code\": \"0160\"");
    BOOST_TEST(e.message == "Job\xEF\xBF\xBD cannot \xC3\xA9t\xEF\xBF\xBD");
    BOOST_TEST(e.code == "0160");
    auto overlong = parse_error("{\"error_msg\": \"\xc0\xaf\xed\xa0\x80\" x");
    BOOST_TEST(overlong.message == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    auto long_msg = parse_error(R"({"error_code":"1","error_msg":")" + std::string(5000, 'a') + "\"}");
    BOOST_TEST(long_msg.message.size() == 512u);
}

BOOST_AUTO_TEST_CASE(classification_by_code_before_status) {
    BOOST_TEST((classify(400, {"0176", ""}) == error_class::not_found));
    BOOST_TEST((classify(500, {"0201", ""}) == error_class::not_found));
    BOOST_TEST((classify(400, {"12000003", ""}) == error_class::not_found));
    BOOST_TEST((classify(401, {"APIGW.0301", ""}) == error_class::unauthorized));
    BOOST_TEST((classify(500, {"130000002", ""}) == error_class::unauthorized));
    BOOST_TEST((classify(401, {"12000136", ""}) == error_class::forbidden));
    BOOST_TEST((classify(500, {"12000004", ""}) == error_class::server_error));
    BOOST_TEST((classify(500, {"0160", ""}) == error_class::refused));
    BOOST_TEST((classify(400, {"0175", ""}) == error_class::refused));
    BOOST_TEST((classify(401, {"", ""}) == error_class::unauthorized));
    BOOST_TEST((classify(403, {"", ""}) == error_class::forbidden));
    BOOST_TEST((classify(503, {"", ""}) == error_class::server_error));
    BOOST_TEST((classify(400, {"", ""}) == error_class::unreadable));
    // Throttling shares the APIGW. prefix of the authentication failures (mrs-api.md §5.4).
    BOOST_TEST((classify(429, {"APIGW.0308", ""}) == error_class::throttled));
    BOOST_TEST((classify(429, {"APIG.0308", ""}) == error_class::throttled));
    BOOST_TEST((classify(429, {"", ""}) == error_class::throttled));
    BOOST_TEST((classify(401, {"APIGW.0309", ""}) == error_class::unauthorized));
}

BOOST_AUTO_TEST_SUITE_END()
