// Routing of Sahara paths (sahara-api.md §1).
#include "translators/sahara/router.hpp"

#include <boost/test/unit_test.hpp>

using namespace sgw;
using namespace sgw::sahara;

namespace {
const std::string P = "37caa80116e1403ab603e5eeb48a2f74";
const std::string J = "2de74673-1a78-48af-a95b-e1fec4a4ae9c";

unsigned status_of(const route_result& r) {
    if (auto* e = std::get_if<route_error>(&r))
        return e->why == fault::method_not_allowed ? 405u : e->why == fault::bad_target ? 400u : 404u;
    return 200;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(router)

BOOST_AUTO_TEST_CASE(cancel_route) {
    auto r = route("GET", "/v1.1/" + P + "/job-executions/" + J + "/cancel");
    auto* m = std::get_if<route_match>(&r);
    BOOST_TEST_REQUIRE(m != nullptr);
    BOOST_TEST((m->op == sahara::operation::cancel));
    BOOST_TEST(m->project_id == P);
    BOOST_TEST(m->id == J);
}

BOOST_AUTO_TEST_CASE(json_suffix_and_query) {
    BOOST_TEST(status_of(route("GET", "/v1.1/" + P + "/job-executions/" + J + "/cancel.json")) == 200u);
    BOOST_TEST(status_of(route("GET", "/v1.1/" + P + "/job-executions/" + J + "/cancel?x=1")) == 200u);
    auto listed = route("GET", "/v2/jobs?status=killed&limit=2&status=x%20y");
    auto* m = std::get_if<route_match>(&listed);
    BOOST_TEST_REQUIRE(m != nullptr);
    BOOST_TEST_REQUIRE(m->query.size() == 3u);
    BOOST_TEST(m->query[0].first == "status");
    BOOST_TEST(m->query[0].second == "killed");
    BOOST_TEST(m->query[2].second == "x y");
}

// Plain paths are split by hand; any other target goes through boost::urls. Both ways must
// route alike: each path here is also sent percent-encoded (a query forces the other way too).
BOOST_AUTO_TEST_CASE(plain_and_encoded_paths_route_alike) {
    struct form {
        std::string plain, encoded;
    };
    const form forms[] = {
        {"/v1.1/" + P + "/job-executions/" + J + "/cancel", "/v1.1/" + P + "/job-executions/" + J + "/%63ancel"},
        {"/v2/jobs/" + J, "/v2/jobs/" + J + "?"},
        {"/v1.1/job-executions/" + J + ".json", "/v1.1/job-executions/" + J + "%2Ejson"},
        {"/", "/?x=1"},
        {"//", "//?"},
        {"/v1.1/" + P + "/job-executions/", "/v1.1/" + P + "/job-executions/?"},
        {"/v1.1/" + P + "/job-executions/" + J + "/", "/v1.1/" + P + "/job-executions/" + J + "/?"},
    };
    for (const auto& f : forms) {
        const auto a = route("GET", f.plain), b = route("GET", f.encoded);
        BOOST_TEST(status_of(a) == status_of(b), f.plain);
        BOOST_TEST(a.index() == b.index(), f.plain);
        if (auto *ma = std::get_if<route_match>(&a), *mb = std::get_if<route_match>(&b); ma && mb) {
            BOOST_TEST((ma->op == mb->op), f.plain);
            BOOST_TEST(ma->project_id == mb->project_id);
            BOOST_TEST(ma->id == mb->id);
        }
    }
    // Characters outside the plain set still meet boost::urls' checks.
    BOOST_TEST(status_of(route("GET", "/v1.1/" + P + "/job-executions/a b")) == 400u);
}

BOOST_AUTO_TEST_CASE(wrong_method_is_405) {
    for (auto v : {"POST", "PUT", "DELETE", "PATCH"})
        BOOST_TEST(status_of(route(v, "/v1.1/" + P + "/job-executions/" + J + "/cancel")) == 405u);
}

BOOST_AUTO_TEST_CASE(unknown_paths_are_404) {
    for (const std::string& t : std::vector<std::string>{"/v1.1", "/v1.0/" + P + "/job-executions/" + J + "/cancel",
                          "/v1.1/" + P + "/job-executions/" + J + "/cancel/",  // Flask: no trailing slash
                          "/v1.1/" + P + "/job-executions//cancel", "/v1.1/" + P + "/clusters/" + J + "/cancel",
                          "/v1.1/" + P + "/job-executions/" + J + "/kill"})
        BOOST_TEST(status_of(route("GET", t)) == 404u, t);
}

BOOST_AUTO_TEST_CASE(parameters_cannot_reshape_the_upstream_path) {
    for (const std::string& t : std::vector<std::string>{"/v1.1/" + P + "/job-executions/..%2F..%2Fclusters/cancel",
                          "/v1.1/" + P + "/job-executions/a%2Fb/cancel", "/v1.1/%2E%2E/job-executions/" + J + "/cancel",
                          "/v1.1/" + P + "/job-executions/" + std::string(65, 'a') + "/cancel",
                          "/v1.1/" + P + "/job-executions/a%00b/cancel", "/v1.1/" + P + "/job-executions/a b/cancel"})
        BOOST_TEST(status_of(route("GET", t)) != 200u, t);
}

BOOST_AUTO_TEST_CASE(every_sahara_route) {
    struct row {
        std::string_view verb;
        std::string target;
        sahara::operation op;
        sahara::api_version version;
        bool with_project;
    };
    using op = sahara::operation;
    const auto v1 = sahara::api_version::v1_1, v2 = sahara::api_version::v2;
    const std::string je = "/job-executions";
    const row rows[] = {
        {"GET", "/v1.1/" + P + je, op::list, v1, true},
        {"GET", "/v1.1" + je, op::list, v1, false},
        {"GET", "/v1.1/" + P + je + ".json", op::list, v1, true},
        {"GET", "/v1.1/" + P + je + "/" + J, op::show, v1, true},
        {"GET", "/v1.1" + je + "/" + J + ".json", op::show, v1, false},
        {"GET", "/v1.1/" + P + je + "/" + J + "/refresh-status", op::refresh_status, v1, true},
        {"GET", "/v1.1" + je + "/" + J + "/cancel", op::cancel, v1, false},
        {"PATCH", "/v1.1/" + P + je + "/" + J, op::update, v1, true},
        {"DELETE", "/v1.1/" + P + je + "/" + J, op::remove, v1, true},
        {"POST", "/v1.1/" + P + "/jobs/" + J + "/execute", op::execute, v1, true},
        {"POST", "/v1.1/jobs/" + J + "/execute", op::execute, v1, false},
        {"GET", "/v2/jobs", op::list, v2, false},
        {"GET", "/v2/jobs?status=killed", op::list, v2, false},
        {"POST", "/v2/jobs", op::execute, v2, false},
        {"GET", "/v2/jobs/" + J, op::show, v2, false},
        {"PATCH", "/v2/jobs/" + J, op::update, v2, false},
        {"DELETE", "/v2/" + P + "/jobs/" + J, op::remove, v2, true},
        {"GET", "/v1.1/" + P + "/clusters", op::cluster_list, v1, true},
        {"GET", "/v1.1/" + P + "/clusters/" + J + "?show_progress=False", op::cluster_show, v1, true},
        {"GET", "/v1.1/" + P + "/jobs", op::template_list, v1, true},
        {"GET", "/v1.1/jobs/" + J, op::template_show, v1, false},
        {"GET", "/v1.1/" + P + "/data-sources.json", op::data_source_list, v1, true},
        {"GET", "/v1.1/" + P + "/data-sources/" + J, op::data_source_show, v1, true},
        {"GET", "/v2/clusters?plugin_name=mrs", op::cluster_list, v2, false},
        {"GET", "/v2/clusters/" + J, op::cluster_show, v2, false},
        {"GET", "/v2/job-templates", op::template_list, v2, false},
        {"GET", "/v2/" + P + "/job-templates/" + J, op::template_show, v2, true},
        {"GET", "/v2/data-sources", op::data_source_list, v2, false},
        {"GET", "/v2/data-sources/" + J, op::data_source_show, v2, false},
    };
    for (auto& r : rows) {
        auto res = route(r.verb, r.target);
        auto* m = std::get_if<route_match>(&res);
        BOOST_TEST_REQUIRE(m != nullptr, r.target);
        BOOST_TEST((m->op == r.op), r.target);
        BOOST_TEST((m->version == r.version), r.target);
        BOOST_TEST(m->project_id == (r.with_project ? P : std::string()), r.target);
    }
    BOOST_TEST(status_of(route("PUT", "/v2/jobs/" + J)) == 405u);
    BOOST_TEST(status_of(route("GET", "/v1.0/" + P + je)) == 404u);  // v1.0 has no job executions
}

// Writes to the resources around a job are refused with what the client tried; the
// job-execution routes that share their paths are not (v1.1 POST /jobs/{id}/execute, v2 POST /jobs).
BOOST_AUTO_TEST_CASE(writes_to_read_only_resources_say_what_was_tried) {
    struct row {
        std::string_view verb;
        std::string target;
        std::string_view attempt;
    };
    const row rows[] = {
        {"POST", "/v1.1/" + P + "/clusters", "cluster create"},
        {"POST", "/v2/clusters/multiple", "cluster create"},
        {"PUT", "/v1.1/" + P + "/clusters/" + J, "cluster scale"},
        {"PATCH", "/v2/clusters/" + J, "cluster update"},
        {"DELETE", "/v1.1/clusters/" + J, "cluster delete"},
        {"POST", "/v1.1/" + P + "/jobs", "job template create"},
        {"PATCH", "/v1.1/" + P + "/jobs/" + J, "job template update"},
        {"DELETE", "/v2/job-templates/" + J, "job template delete"},
        {"PUT", "/v1.1/" + P + "/data-sources/" + J, "data source update"},
        {"PATCH", "/v2/data-sources/" + J, "data source update"},
        {"POST", "/v2/data-sources", "data source create"},
    };
    for (const auto& r : rows) {
        auto res = route(r.verb, r.target);
        auto* e = std::get_if<route_error>(&res);
        BOOST_TEST_REQUIRE(e != nullptr, r.target);
        BOOST_TEST((e->why == fault::read_only), r.target);
        BOOST_TEST(e->attempt == r.attempt, r.target);
    }
    BOOST_TEST(std::holds_alternative<route_match>(route("POST", "/v1.1/" + P + "/jobs/" + J + "/execute")));
    BOOST_TEST(std::holds_alternative<route_match>(route("POST", "/v2/jobs")));
    BOOST_TEST(status_of(route("PUT", "/v2/job-templates/" + J)) == 405u);  // no such write in Sahara either
}

BOOST_AUTO_TEST_CASE(root_is_the_versions_document) {
    for (auto v : {"GET", "POST", "HEAD"})
        BOOST_TEST(std::holds_alternative<route_versions>(route(v, "/")));
}

BOOST_AUTO_TEST_CASE(unparsable_target_is_400) {
    BOOST_TEST(status_of(route("GET", "http://example.com/x")) == 400u);
    BOOST_TEST(status_of(route("GET", "/v1.1/%zz")) == 400u);
}

BOOST_AUTO_TEST_SUITE_END()
