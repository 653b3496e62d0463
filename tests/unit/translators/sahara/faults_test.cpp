// The one mapping from the gateway's faults to Sahara errors.
#include "translators/sahara/faults.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

using namespace sgw;

BOOST_AUTO_TEST_SUITE(sahara_faults)

BOOST_AUTO_TEST_CASE(each_fault_has_its_status_and_name) {
    struct row {
        fault f;
        unsigned status;
        std::string_view name;
    };
    const row rows[] = {
        {fault::request_malformed, 400, "BAD_REQUEST"},
        {fault::request_body_too_large, 413, "REQUEST_ENTITY_TOO_LARGE"},
        {fault::request_header_too_large, 431, "BAD_REQUEST"},
        {fault::no_route, 404, "NOT_FOUND"},
        {fault::method_not_allowed, 405, "METHOD_NOT_ALLOWED"},
        {fault::read_only, 405, "METHOD_NOT_ALLOWED"},
        {fault::bad_target, 400, "BAD_REQUEST"},
        {fault::token_missing, 401, "UNAUTHORIZED"},
        {fault::token_refused, 401, "UNAUTHORIZED"},
        {fault::token_expired, 401, "UNAUTHORIZED"},
        {fault::token_other_project, 401, "UNAUTHORIZED"},
        {fault::identity_unavailable, 503, "SERVICE_UNAVAILABLE"},
        {fault::identity_bad_answer, 503, "SERVICE_UNAVAILABLE"},
        {fault::no_project_source, 400, "BAD_REQUEST"},
        {fault::step_limit, 500, "INTERNAL_SERVER_ERROR"},
        {fault::no_answer, 500, "INTERNAL_SERVER_ERROR"},
    };
    for (const auto& r : rows) {
        std::error_code ec = r.f;
        BOOST_TEST(std::string(ec.category().name()) == "gateway");
        auto res = sahara::fault_response(ec, "req-0b5e7c1c-5a2e-4e7f-9d3a-0123456789ab");
        BOOST_TEST(res.status == r.status, ec.message());
        auto body = boost::json::parse(res.body).as_object();
        BOOST_TEST(body.at("error_code").as_int64() == r.status);
        BOOST_TEST(body.at("error_name").as_string() == r.name, ec.message());
        BOOST_TEST(std::string_view(body.at("error_message").as_string()).ends_with("Error ID: 0b5e7c1c-5a2e-4e7f-9d3a-0123456789ab"));
        BOOST_TEST(res.log_detail == ec.message());  // what went wrong reaches the log only
    }
}

BOOST_AUTO_TEST_CASE(a_code_of_another_category_is_a_500) {
    auto res = sahara::fault_response(std::make_error_code(std::errc::io_error), "req-x", "detail");
    BOOST_TEST(res.status == 500u);
    BOOST_TEST(res.log_detail == "detail");
}

BOOST_AUTO_TEST_CASE(a_refused_write_names_what_was_tried) {
    auto res = sahara::read_only_response("cluster delete", "req-0b5e7c1c-5a2e-4e7f-9d3a-0123456789ab");
    BOOST_TEST(res.status == 405u);
    auto body = boost::json::parse(res.body).as_object();
    BOOST_TEST(body.at("error_name") == "METHOD_NOT_ALLOWED");
    BOOST_TEST(body.at("error_message") ==
               "Cluster delete is not supported. This gateway serves clusters, job templates and data sources "
               "read-only; create, change, scale and delete them in MRS.\nError ID: 0b5e7c1c-5a2e-4e7f-9d3a-0123456789ab");
    BOOST_TEST(res.log_detail == "read-only: cluster delete");
}

BOOST_AUTO_TEST_SUITE_END()
