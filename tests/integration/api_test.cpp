// The wider Sahara surface through real processes: v2 with token validation, project-less
// v1.1 URLs, microversion headers, the versions document, DELETE idempotency.
#include "checks.hpp"

#include <boost/test/unit_test.hpp>

#include <thread>
#include <vector>

using namespace sgw::it;
namespace http = boost::beast::http;

namespace {

std::vector<std::string> identity_flags(stack& s) {
    return {"--identity-url", "http://127.0.0.1:" + std::to_string(s.sim_port()) + "/v3"};
}

std::vector<std::string> operator+(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

long long identity_calls(stack& s) { return s.stats().at("by_endpoint").at("identity").as_int64(); }

}  // namespace

BOOST_AUTO_TEST_SUITE(api)

BOOST_AUTO_TEST_CASE(v2_project_comes_from_the_token_and_is_cached) {
    stack s;
    s.start_gateway(identity_flags(s), "http://127.0.0.1:" + std::to_string(s.sim_port()));
    client c(s.gw_port());
    for (int i = 0; i < 3; ++i) {
        auto r = c.request(http::verb::get, "/v2/jobs/a1000000-0000-4000-8000-000000000004", {{"X-Auth-Token", demo_token}});
        BOOST_TEST_REQUIRE(r.status == 200u, r.body);
        check_envelope(r);
        BOOST_TEST(std::string(r.headers["OpenStack-API-Version"]) == "data-processing 2.0");
        BOOST_TEST(std::string(r.headers["Vary"]) == "OpenStack-API-Version");
        auto job = r.json().at("job").as_object();
        BOOST_TEST(job.at("project_id").as_string() == demo_project);
        BOOST_TEST(job.contains("job_template_id"));
        BOOST_TEST(!job.contains("oozie_job_id"));
        BOOST_TEST(job.at("info").at("status") == "SUCCEEDED");
    }
    BOOST_TEST(identity_calls(s) == 1);  // validated once, then served from the cache

    // Another project's token sees only its own project: the demo job is not found.
    auto other = c.request(http::verb::get, "/v2/jobs/a1000000-0000-4000-8000-000000000004", {{"X-Auth-Token", other_token}});
    check_error(other, 404, "NOT_FOUND");
    BOOST_TEST(std::string(other.headers["OpenStack-API-Version"]) == "data-processing 2.0");
    check_error(c.request(http::verb::get, "/v2/jobs", {{"X-Auth-Token", "forged"}}), 401, "UNAUTHORIZED");
}

BOOST_AUTO_TEST_CASE(concurrent_requests_with_one_token_share_one_validation) {
    stack s;
    s.start_gateway(identity_flags(s) + std::vector<std::string>{"--threads", "1"},
                    "http://127.0.0.1:" + std::to_string(s.sim_port()));
    s.set_faults(R"({"latency_ms": 300})");  // every answer, the identity endpoint's too, is slow
    s.reset_stats();
    constexpr int n = 12;
    std::vector<unsigned> statuses(n);
    std::vector<std::thread> clients;
    for (int i = 0; i < n; ++i)
        clients.emplace_back([&, i] {
            statuses[i] = http_get(s.gw_port(), "/v2/jobs/a1000000-0000-4000-8000-000000000004", demo_token).status;
        });
    for (auto& t : clients) t.join();
    for (int i = 0; i < n; ++i) BOOST_TEST(statuses[i] == 200u);
    BOOST_TEST(identity_calls(s) == 1);  // the other eleven waited for the first one's answer
}

BOOST_AUTO_TEST_CASE(project_less_v1_1_urls) {
    stack s;
    s.start_gateway(identity_flags(s), "http://127.0.0.1:" + std::to_string(s.sim_port()));
    auto r = http_get(s.gw_port(), "/v1.1/job-executions", demo_token);
    BOOST_TEST_REQUIRE(r.status == 200u, r.body);
    BOOST_TEST(r.json().at("job_executions").as_array().size() == 7u);
    auto id = s.create_job("running");
    BOOST_TEST(check_cancelled(http_get(s.gw_port(), "/v1.1/job-executions/" + id + "/cancel", demo_token), id) ==
               "TOBEKILLED");
}

BOOST_AUTO_TEST_CASE(fixed_project_needs_no_identity_endpoint) {
    stack s({}, {"--identity-project", demo_project});
    auto r = http_get(s.gw_port(), "/v2/jobs?status=running", demo_token);
    BOOST_TEST_REQUIRE(r.status == 200u, r.body);
    const auto body = r.json();
    BOOST_TEST(body.at("jobs").as_array().size() == 3u);  // 2 seeded running, plus the protected one
    for (auto& j : body.at("jobs").as_array()) BOOST_TEST(j.at("info").at("status") == "RUNNING");
    BOOST_TEST(identity_calls(s) == 0);
}

BOOST_AUTO_TEST_CASE(without_identity_a_project_less_url_is_refused) {
    stack s;
    auto msg = check_error(http_get(s.gw_port(), "/v2/jobs", demo_token), 400, "BAD_REQUEST");
    BOOST_TEST(msg.find("project in the URL") != std::string::npos, msg);
}

BOOST_AUTO_TEST_CASE(identity_down_is_503) {
    stack s({}, {"--identity-url", "http://127.0.0.1:1/v3"});
    check_error(http_get(s.gw_port(), "/v2/jobs", demo_token), 503, "SERVICE_UNAVAILABLE");
}

BOOST_AUTO_TEST_CASE(microversion_negotiation) {
    stack s({}, {"--identity-project", demo_project});
    client c(s.gw_port());
    auto too_new = c.request(http::verb::get, "/v2/jobs",
                             {{"X-Auth-Token", demo_token}, {"OpenStack-API-Version", "data-processing 2.1"}});
    BOOST_TEST(too_new.status == 406u);
    BOOST_TEST(std::string(too_new.headers["OpenStack-API-Version"]) == "data-processing 2.1");
    BOOST_TEST(too_new.json().at("max_version") == "2.0");
    auto bad = c.request(http::verb::get, "/v2/jobs", {{"X-Auth-Token", demo_token}, {"OpenStack-API-Version", "data-processing x"}});
    BOOST_TEST(bad.status == 400u);
    auto latest = c.request(http::verb::get, "/v2/jobs", {{"X-Auth-Token", demo_token}, {"OpenStack-API-Version", "data-processing latest"}});
    BOOST_TEST(latest.status == 200u);
    // v1.1 answers carry no microversion header.
    auto v1 = c.request(http::verb::get, "/v1.1/" + demo_project + "/job-executions", {{"X-Auth-Token", demo_token}});
    BOOST_TEST(v1.status == 200u);
    BOOST_TEST(v1.headers.count("OpenStack-API-Version") == 0u);
}

BOOST_AUTO_TEST_CASE(versions_document) {
    stack s({}, {"--server-trust-forwarded", "true"});
    client c(s.gw_port());
    auto r = c.request(http::verb::get, "/");
    BOOST_TEST(r.status == 300u);
    check_envelope(r);
    auto href = r.json().at("versions").at(2).at("links").at(0).at("href");
    BOOST_TEST(href.as_string() == "http://127.0.0.1:" + std::to_string(s.gw_port()) + "/v2/");
    auto fwd = c.request(http::verb::get, "/", {{"X-Forwarded-Proto", "https"}, {"X-Forwarded-Host", "sahara.example"}});
    BOOST_TEST(fwd.json().at("versions").at(1).at("links").at(0).at("href") == "https://sahara.example/v1.1/");
}

BOOST_AUTO_TEST_CASE(delete_is_idempotent_and_then_not_found) {
    stack s;
    auto id = s.create_job("succeeded");
    client c(s.gw_port());
    const std::string path = "/v1.1/" + demo_project + "/job-executions/" + id;
    const std::vector<std::pair<std::string, std::string>> auth = {{"X-Auth-Token", demo_token}};
    auto first = c.request(http::verb::delete_, path, auth);
    BOOST_TEST(first.status == 204u, first.body);
    BOOST_TEST(first.body.empty());
    BOOST_TEST(c.request(http::verb::delete_, path, auth).status == 204u);  // repeated: still done
    check_error(c.request(http::verb::get, path, auth), 404, "NOT_FOUND");  // what `delete --wait` polls for
    check_error(c.request(http::verb::delete_, "/v1.1/" + demo_project + "/job-executions/00000000-0000-4000-8000-000000000000", auth),
                404, "NOT_FOUND");
    check_error(c.request(http::verb::delete_, "/v1.1/" + demo_project + "/job-executions/a1000000-0000-4000-8000-000000000007", auth),
                400, "DELETION_FAILED");
}

BOOST_AUTO_TEST_CASE(execute_then_show_then_cancel) {
    stack s;
    client c(s.gw_port());
    const std::vector<std::pair<std::string, std::string>> h = {{"X-Auth-Token", demo_token},
                                                                {"Content-Type", "application/json"}};
    auto created = c.request(http::verb::post,
                             "/v1.1/" + demo_project + "/jobs/b1000000-0000-4000-8000-000000000001/execute", h,
                             R"({"cluster_id": "c1000000-0000-4000-8000-000000000001", "job_configs": {"args": ["in", "out"]}})");
    BOOST_TEST_REQUIRE(created.status == 202u, created.body);
    auto je = created.json().at("job_execution").as_object();
    BOOST_TEST(je.at("info").at("status") == "PENDING");
    BOOST_TEST(je.at("job_id") == "b1000000-0000-4000-8000-000000000001");
    const std::string id(je.at("id").as_string());
    auto shown = c.request(http::verb::get, "/v1.1/" + demo_project + "/job-executions/" + id, h);
    BOOST_TEST(shown.status == 200u);
    auto patched = c.request(http::verb::patch, "/v1.1/" + demo_project + "/job-executions/" + id, h,
                             R"({"info": {"status": "cancel"}})");
    BOOST_TEST(patched.status == 202u, patched.body);  // PATCH answers 202 (sahara-api.md §2)
    check_envelope(patched);
    BOOST_TEST(patched.json().at("job_execution").at("info").at("status") == "TOBEKILLED");
}

BOOST_AUTO_TEST_SUITE_END()
