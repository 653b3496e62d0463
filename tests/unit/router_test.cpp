// Routing of Sahara paths (sahara-api.md §1).
#include "gateway/router.hpp"

#include <boost/test/unit_test.hpp>

using namespace sgw;
namespace http = boost::beast::http;

namespace {
const std::string P = "37caa80116e1403ab603e5eeb48a2f74";
const std::string J = "2de74673-1a78-48af-a95b-e1fec4a4ae9c";

unsigned status_of(const route_result& r) {
    if (auto* e = std::get_if<route_error>(&r)) return e->status;
    return 200;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(router)

BOOST_AUTO_TEST_CASE(cancel_route) {
    auto r = route(http::verb::get, "/v1.1/" + P + "/job-executions/" + J + "/cancel");
    auto* m = std::get_if<route_match>(&r);
    BOOST_TEST_REQUIRE(m != nullptr);
    BOOST_TEST((m->op == sahara::operation::cancel));
    BOOST_TEST(m->project_id == P);
    BOOST_TEST(m->id == J);
}

BOOST_AUTO_TEST_CASE(json_suffix_and_query) {
    BOOST_TEST(status_of(route(http::verb::get, "/v1.1/" + P + "/job-executions/" + J + "/cancel.json")) == 200u);
    BOOST_TEST(status_of(route(http::verb::get, "/v1.1/" + P + "/job-executions/" + J + "/cancel?x=1")) == 200u);
    auto listed = route(http::verb::get, "/v2/jobs?status=killed&limit=2&status=x%20y");
    auto* m = std::get_if<route_match>(&listed);
    BOOST_TEST_REQUIRE(m != nullptr);
    BOOST_TEST_REQUIRE(m->query.size() == 3u);
    BOOST_TEST(m->query[0].first == "status");
    BOOST_TEST(m->query[0].second == "killed");
    BOOST_TEST(m->query[2].second == "x y");
}

BOOST_AUTO_TEST_CASE(wrong_method_is_405) {
    for (auto v : {http::verb::post, http::verb::put, http::verb::delete_, http::verb::patch})
        BOOST_TEST(status_of(route(v, "/v1.1/" + P + "/job-executions/" + J + "/cancel")) == 405u);
}

BOOST_AUTO_TEST_CASE(unknown_paths_are_404) {
    for (const std::string& t : std::vector<std::string>{"/v1.1", "/v1.0/" + P + "/job-executions/" + J + "/cancel",
                          "/v1.1/" + P + "/job-executions/" + J + "/cancel/",  // Flask: no trailing slash
                          "/v1.1/" + P + "/job-executions//cancel", "/v1.1/" + P + "/clusters/" + J + "/cancel",
                          "/v1.1/" + P + "/job-executions/" + J + "/kill"})
        BOOST_TEST(status_of(route(http::verb::get, t)) == 404u, t);
}

BOOST_AUTO_TEST_CASE(parameters_cannot_reshape_the_upstream_path) {
    for (const std::string& t : std::vector<std::string>{"/v1.1/" + P + "/job-executions/..%2F..%2Fclusters/cancel",
                          "/v1.1/" + P + "/job-executions/a%2Fb/cancel", "/v1.1/%2E%2E/job-executions/" + J + "/cancel",
                          "/v1.1/" + P + "/job-executions/" + std::string(65, 'a') + "/cancel",
                          "/v1.1/" + P + "/job-executions/a%00b/cancel", "/v1.1/" + P + "/job-executions/a b/cancel"})
        BOOST_TEST(status_of(route(http::verb::get, t)) != 200u, t);
}

BOOST_AUTO_TEST_CASE(every_sahara_route) {
    struct row {
        http::verb verb;
        std::string target;
        sahara::operation op;
        sahara::api_version version;
        bool with_project;
    };
    using op = sahara::operation;
    const auto v1 = sahara::api_version::v1_1, v2 = sahara::api_version::v2;
    const std::string je = "/job-executions";
    const row rows[] = {
        {http::verb::get, "/v1.1/" + P + je, op::list, v1, true},
        {http::verb::get, "/v1.1" + je, op::list, v1, false},
        {http::verb::get, "/v1.1/" + P + je + ".json", op::list, v1, true},
        {http::verb::get, "/v1.1/" + P + je + "/" + J, op::show, v1, true},
        {http::verb::get, "/v1.1" + je + "/" + J + ".json", op::show, v1, false},
        {http::verb::get, "/v1.1/" + P + je + "/" + J + "/refresh-status", op::refresh_status, v1, true},
        {http::verb::get, "/v1.1" + je + "/" + J + "/cancel", op::cancel, v1, false},
        {http::verb::patch, "/v1.1/" + P + je + "/" + J, op::update, v1, true},
        {http::verb::delete_, "/v1.1/" + P + je + "/" + J, op::remove, v1, true},
        {http::verb::post, "/v1.1/" + P + "/jobs/" + J + "/execute", op::execute, v1, true},
        {http::verb::post, "/v1.1/jobs/" + J + "/execute", op::execute, v1, false},
        {http::verb::get, "/v2/jobs", op::list, v2, false},
        {http::verb::get, "/v2/jobs?status=killed", op::list, v2, false},
        {http::verb::post, "/v2/jobs", op::execute, v2, false},
        {http::verb::get, "/v2/jobs/" + J, op::show, v2, false},
        {http::verb::patch, "/v2/jobs/" + J, op::update, v2, false},
        {http::verb::delete_, "/v2/" + P + "/jobs/" + J, op::remove, v2, true},
    };
    for (auto& r : rows) {
        auto res = route(r.verb, r.target);
        auto* m = std::get_if<route_match>(&res);
        BOOST_TEST_REQUIRE(m != nullptr, r.target);
        BOOST_TEST((m->op == r.op), r.target);
        BOOST_TEST((m->version == r.version), r.target);
        BOOST_TEST(m->project_id == (r.with_project ? P : std::string()), r.target);
    }
    BOOST_TEST(status_of(route(http::verb::put, "/v2/jobs/" + J)) == 405u);
    BOOST_TEST(status_of(route(http::verb::get, "/v1.0/" + P + je)) == 404u);  // v1.0 has no job executions
}

BOOST_AUTO_TEST_CASE(root_is_the_versions_document) {
    for (auto v : {http::verb::get, http::verb::post, http::verb::head})
        BOOST_TEST(std::holds_alternative<route_versions>(route(v, "/")));
}

BOOST_AUTO_TEST_CASE(unparsable_target_is_400) {
    BOOST_TEST(status_of(route(http::verb::get, "http://example.com/x")) == 400u);
    BOOST_TEST(status_of(route(http::verb::get, "/v1.1/%zz")) == 400u);
}

BOOST_AUTO_TEST_SUITE_END()
