// The mrs-v2 backend end to end: answers, and what each one cost in MRS calls, counted per
// endpoint by the simulator (docs/api-coverage.md, "Finding a v2 job's cluster", "Lists on
// mrs-v2", "execute on mrs-v2").
#include "checks.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using namespace sgw::it;
using namespace std::chrono_literals;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

const std::string jobs_path = "/v1.1/" + demo_project + "/job-executions";
const std::vector<std::pair<std::string, std::string>> auth = {{"X-Auth-Token", demo_token}};

// The demo v2 jobs (tests/mrs_sim/README.md): 1 running on the first cluster, 3 succeeded on
// it, 7 running on the fifth, 8 succeeded on the fifth.
std::string demo_v2(int n) { return "d1000000-0000-4000-8000-00000000000" + std::to_string(n); }

std::vector<std::string> v2_flags(std::vector<std::string> more = {}) {
    std::vector<std::string> f = {"--backend", "mrs-v2"};
    f.insert(f.end(), more.begin(), more.end());
    return f;
}

std::string sim_url(stack& s) { return "http://127.0.0.1:" + std::to_string(s.sim_port()); }

// Calls per simulator endpoint since the last reset; `total` counts every MRS and identity request.
struct counts {
    json::value stats;
    long long of(const char* endpoint) const {
        const auto* v = stats.at("by_endpoint").as_object().if_contains(endpoint);
        return v ? v->as_int64() : 0;
    }
    long long total() const { return stats.at("requests").as_int64(); }
};

counts measure(stack& s) { return counts{s.stats()}; }

std::string describe(const counts& c) {
    std::string out;
    for (const char* e : {"cluster_list", "v2_show", "v2_kill", "v2_list", "v2_delete", "v2_submit", "identity"})
        if (c.of(e) != 0) out += std::string(out.empty() ? "" : ", ") + e + " " + std::to_string(c.of(e));
    return out.empty() ? "no calls" : out;
}

// The demo project's clusters that are not terminated, in the order the cluster list shows them.
std::vector<std::string> live_clusters(stack& s) {
    std::vector<std::string> ids;
    auto state = http_get(s.sim_port(), "/_sim/state").json();
    for (auto& c : state.at("clusters").as_array())
        if (c.at("project").as_string() == demo_project && c.at("state").as_string() != "terminated")
            ids.emplace_back(c.at("id").as_string());
    return ids;
}

// A v2 job of the demo project, as the simulator holds it now.
std::optional<json::object> sim_v2_job(stack& s, const std::string& id) {
    auto state = http_get(s.sim_port(), "/_sim/state").json();
    for (auto& j : state.at("v2_jobs").as_array())
        if (j.at("id").as_string() == id) return j.as_object();
    return std::nullopt;
}

std::string add_v2_job(stack& s, const std::string& cluster, const std::string& state, const std::string& id = {}) {
    json::object body{{"api", "v2"}, {"cluster_id", cluster}, {"state", state}};
    if (!id.empty()) body["id"] = id;
    auto r = http_post(s.sim_port(), "/_sim/jobs", json::serialize(body));
    BOOST_TEST_REQUIRE(r.status == 201u, r.body);
    return std::string(r.json().at("id").as_string());
}

std::string status_of(const reply& r) {
    auto v = r.json();
    return std::string(v.at("job_execution").at("info").at("status").as_string());
}

// GET .../job-executions/{id}: 200 with this id; returns the object.
json::object shown(const reply& r, const std::string& id) {
    BOOST_TEST_REQUIRE(r.status == 200u, r.body);
    check_envelope(r);
    auto je = r.json().at("job_execution").as_object();
    BOOST_TEST(je.at("id").as_string() == id);
    BOOST_TEST(je.at("tenant_id").as_string() == demo_project);
    return je;
}

// Sahara's status for a simulator state (tests/mrs_sim/README.md and docs/api-coverage.md, "mrs-v2").
std::string sahara_status(std::string_view sim_state) {
    if (sim_state == "starting") return "PENDING";
    if (sim_state == "running") return "RUNNING";
    if (sim_state == "succeeded") return "SUCCEEDED";
    if (sim_state == "killed") return "KILLED";
    return "FAILED";  // failed, abnormal, error
}

long long ceil_div(long long a, long long b) { return (a + b - 1) / b; }

}  // namespace

BOOST_AUTO_TEST_SUITE(v2)

BOOST_AUTO_TEST_CASE(show_and_cancel_cold_then_warm) {
    stack s({}, v2_flags());
    client c(s.gw_port());
    const auto clusters = live_clusters(s);
    const long long n = static_cast<long long>(clusters.size());
    BOOST_TEST_REQUIRE(n == 5);  // P = 1 page of the cluster list, C = 5

    // Show, cold: the cluster list, then the detail on every cluster; its answer is the state.
    s.reset_stats();
    auto je = shown(c.request(http::verb::get, jobs_path + "/" + demo_v2(1), auth), demo_v2(1));
    BOOST_TEST(je.at("info").at("status").as_string() == "RUNNING");
    BOOST_TEST(je.at("cluster_id").as_string() == clusters[0]);
    auto cold = measure(s);
    BOOST_TEST_MESSAGE("show cold: " << describe(cold));
    BOOST_TEST(cold.of("cluster_list") == 1);
    BOOST_TEST(cold.of("v2_show") == n);
    BOOST_TEST(cold.total() == 1 + n);

    // Show, warm: one detail on the remembered cluster.
    s.reset_stats();
    shown(c.request(http::verb::get, jobs_path + "/" + demo_v2(1), auth), demo_v2(1));
    auto warm = measure(s);
    BOOST_TEST_MESSAGE("show warm: " << describe(warm));
    BOOST_TEST(warm.of("v2_show") == 1);
    BOOST_TEST(warm.total() == 1);

    // Cancel, cold, of a running job on the fifth cluster: the search, the kill, one read.
    s.reset_stats();
    BOOST_TEST(check_cancelled(s.cancel(demo_v2(7)), demo_v2(7)) == "TOBEKILLED");
    auto cancel_cold = measure(s);
    BOOST_TEST_MESSAGE("cancel cold: " << describe(cancel_cold));
    BOOST_TEST(cancel_cold.of("cluster_list") == 1);
    BOOST_TEST(cancel_cold.of("v2_show") == n + 1);
    BOOST_TEST(cancel_cold.of("v2_kill") == 1);
    BOOST_TEST(cancel_cold.total() == n + 3);
    BOOST_TEST(sim_v2_job(s, demo_v2(7))->at("kill_pending").as_bool());

    // Cancel, warm: the kill, then one read.
    s.reset_stats();
    BOOST_TEST(check_cancelled(s.cancel(demo_v2(1)), demo_v2(1)) == "TOBEKILLED");
    auto cancel_warm = measure(s);
    BOOST_TEST_MESSAGE("cancel warm: " << describe(cancel_warm));
    BOOST_TEST(cancel_warm.of("v2_kill") == 1);
    BOOST_TEST(cancel_warm.of("v2_show") == 1);
    BOOST_TEST(cancel_warm.total() == 2);

    // Cancel, cold, of a job that has already ended: the search's read is the answer, no kill.
    s.reset_stats();
    BOOST_TEST(check_cancelled(s.cancel(demo_v2(3)), demo_v2(3)) == "SUCCEEDED");
    auto ended = measure(s);
    BOOST_TEST_MESSAGE("cancel cold, ended job: " << describe(ended));
    BOOST_TEST(ended.of("cluster_list") == 1);
    BOOST_TEST(ended.of("v2_show") == n);
    BOOST_TEST(ended.of("v2_kill") == 0);

    // The kills land (300 ms in the simulator); show says KILLED, one call each.
    std::this_thread::sleep_for(400ms);
    for (int id : {1, 7}) {
        s.reset_stats();
        BOOST_TEST(status_of(c.request(http::verb::get, jobs_path + "/" + demo_v2(id), auth)) == "KILLED");
        BOOST_TEST(measure(s).total() == 1);
    }
}

BOOST_AUTO_TEST_CASE(a_job_on_the_fifth_of_five_clusters) {
    stack s({}, v2_flags());
    const auto clusters = live_clusters(s);
    BOOST_TEST_REQUIRE(clusters.size() == 5u);
    const auto id = add_v2_job(s, clusters[4], "failed");
    s.reset_stats();
    auto je = shown(http_get(s.gw_port(), jobs_path + "/" + id, demo_token), id);
    BOOST_TEST(je.at("cluster_id").as_string() == clusters[4]);
    BOOST_TEST(je.at("info").at("status").as_string() == "FAILED");
    auto cold = measure(s);
    BOOST_TEST(cold.of("cluster_list") == 1);
    BOOST_TEST(cold.of("v2_show") == 5);
    // The v2 URL finds it the same way, now warm.
    s.reset_stats();
    auto v2 = http_get(s.gw_port(), "/v2/" + demo_project + "/jobs/" + id, demo_token);
    BOOST_TEST_REQUIRE(v2.status == 200u, v2.body);
    BOOST_TEST(v2.json().at("job").at("cluster_id").as_string() == clusters[4]);
    BOOST_TEST(measure(s).of("v2_show") == 1);
    BOOST_TEST(measure(s).total() == 1);
}

BOOST_AUTO_TEST_CASE(an_unknown_id_is_searched_once_then_cached_until_its_ttl) {
    stack s({}, v2_flags({"--jobs-unknown-ttl-ms", "300"}));
    const std::string unknown = "d1000000-0000-4000-8000-0000000000ff";
    const std::string path = jobs_path + "/" + unknown;
    client c(s.gw_port());

    s.reset_stats();
    check_error(c.request(http::verb::get, path, auth), 404, "NOT_FOUND");
    auto search = measure(s);
    BOOST_TEST_MESSAGE("unknown id, first: " << describe(search));
    BOOST_TEST(search.of("cluster_list") == 1);
    BOOST_TEST(search.of("v2_show") == 5);
    BOOST_TEST(search.total() == 6);

    // Within the TTL: 404 at once, for show, cancel and delete alike.
    s.reset_stats();
    const auto started = std::chrono::steady_clock::now();
    check_error(c.request(http::verb::get, path, auth), 404, "NOT_FOUND");
    check_error(s.cancel(unknown), 404, "NOT_FOUND");
    check_error(c.request(http::verb::delete_, path, auth), 404, "NOT_FOUND");
    const bool in_time = std::chrono::steady_clock::now() - started < 250ms;
    auto cached = measure(s);
    BOOST_TEST_MESSAGE("unknown id, within the TTL: " << describe(cached));
    if (in_time) BOOST_TEST(cached.total() == 0);

    // After the TTL, a new search; a job made meanwhile under that id is found.
    std::this_thread::sleep_for(350ms);
    s.reset_stats();
    check_error(c.request(http::verb::get, path, auth), 404, "NOT_FOUND");
    auto again = measure(s);
    BOOST_TEST_MESSAGE("unknown id, after the TTL: " << describe(again));
    BOOST_TEST(again.of("cluster_list") == 1);
    BOOST_TEST(again.of("v2_show") == 5);

    std::this_thread::sleep_for(350ms);
    add_v2_job(s, live_clusters(s)[2], "running", unknown);
    BOOST_TEST(status_of(c.request(http::verb::get, path, auth)) == "RUNNING");
}

BOOST_AUTO_TEST_CASE(a_remembered_cluster_expires_after_its_ttl) {
    stack s({}, v2_flags({"--jobs-cluster-ttl-ms", "300"}));
    client c(s.gw_port());
    shown(c.request(http::verb::get, jobs_path + "/" + demo_v2(8), auth), demo_v2(8));
    s.reset_stats();
    shown(c.request(http::verb::get, jobs_path + "/" + demo_v2(8), auth), demo_v2(8));
    BOOST_TEST(measure(s).total() == 1);
    std::this_thread::sleep_for(400ms);
    s.reset_stats();
    shown(c.request(http::verb::get, jobs_path + "/" + demo_v2(8), auth), demo_v2(8));
    auto after = measure(s);
    BOOST_TEST(after.of("cluster_list") == 1);
    BOOST_TEST(after.of("v2_show") == 5);
}

BOOST_AUTO_TEST_CASE(a_stale_remembered_cluster_leads_to_a_new_search) {
    stack s({}, v2_flags());
    client c(s.gw_port());
    const auto clusters = live_clusters(s);
    BOOST_TEST_REQUIRE(clusters.size() == 5u);
    const std::string moved = "d1000000-0000-4000-8000-0000000000a1";
    const std::string gone = "d1000000-0000-4000-8000-0000000000a2";
    add_v2_job(s, clusters[0], "succeeded", moved);
    add_v2_job(s, clusters[1], "succeeded", gone);
    for (const auto& id : {moved, gone}) shown(c.request(http::verb::get, jobs_path + "/" + id, auth), id);

    // MRS forgets both behind the gateway's back (its own batch delete); one id comes back on
    // the fourth cluster.
    auto batch_delete = [&](const std::string& cluster, const std::string& id) {
        client mrs(s.sim_port());
        auto r = mrs.request(http::verb::post, "/v2/" + demo_project + "/clusters/" + cluster + "/job-executions/batch-delete",
                             {{"X-Auth-Token", demo_token}, {"Content-Type", "application/json"}},
                             json::serialize(json::object{{"job_id_list", json::array{json::value(id)}}}));
        BOOST_TEST_REQUIRE(r.status == 202u, r.body);
    };
    batch_delete(clusters[0], moved);
    batch_delete(clusters[1], gone);
    add_v2_job(s, clusters[3], "running", moved);

    // The remembered cluster says "no such job": the other four are searched.
    s.reset_stats();
    auto je = shown(c.request(http::verb::get, jobs_path + "/" + moved, auth), moved);
    BOOST_TEST(je.at("cluster_id").as_string() == clusters[3]);
    BOOST_TEST(je.at("info").at("status").as_string() == "RUNNING");
    auto stale = measure(s);
    BOOST_TEST_MESSAGE("stale cluster, job elsewhere: " << describe(stale));
    BOOST_TEST(stale.of("cluster_list") == 1);
    BOOST_TEST(stale.of("v2_show") == 5);  // 1 on the stale cluster, 4 in the search
    s.reset_stats();
    shown(c.request(http::verb::get, jobs_path + "/" + moved, auth), moved);
    BOOST_TEST(measure(s).total() == 1);  // the new pair is remembered

    // The job gone everywhere: 404 after the same search, then the negative cache.
    s.reset_stats();
    check_error(c.request(http::verb::get, jobs_path + "/" + gone, auth), 404, "NOT_FOUND");
    auto lost = measure(s);
    BOOST_TEST(lost.of("cluster_list") == 1);
    BOOST_TEST(lost.of("v2_show") == 5);
    s.reset_stats();
    check_error(c.request(http::verb::get, jobs_path + "/" + gone, auth), 404, "NOT_FOUND");
    BOOST_TEST(measure(s).total() == 0);

    // A cancel through a stale pair also finds the job and kills it where it is.
    const std::string hopped = "d1000000-0000-4000-8000-0000000000a3";
    add_v2_job(s, clusters[2], "succeeded", hopped);
    shown(c.request(http::verb::get, jobs_path + "/" + hopped, auth), hopped);
    batch_delete(clusters[2], hopped);
    add_v2_job(s, clusters[4], "running", hopped);
    s.reset_stats();
    BOOST_TEST(check_cancelled(s.cancel(hopped), hopped) == "TOBEKILLED");
    auto m = measure(s);
    BOOST_TEST(m.of("v2_kill") == 2);  // refused on the stale cluster, accepted on the fifth
    BOOST_TEST(sim_v2_job(s, hopped)->at("kill_pending").as_bool());
    BOOST_TEST(sim_v2_job(s, hopped)->at("cluster_id").as_string() == clusters[4]);
}

BOOST_AUTO_TEST_CASE(cancel_waits_for_the_kill_when_told_to) {
    stack s({"--kill-delay-ms", "800"}, v2_flags({"--upstream-cancel-wait-ms", "3000"}));
    auto started = std::chrono::steady_clock::now();
    s.reset_stats();
    BOOST_TEST(check_cancelled(s.cancel(demo_v2(1)), demo_v2(1)) == "KILLED");
    const auto waited = std::chrono::steady_clock::now() - started;
    BOOST_TEST_MESSAGE("cancel with a 3000 ms wait, 800 ms kill: "
                       << std::chrono::duration_cast<std::chrono::milliseconds>(waited).count() << " ms, "
                       << describe(measure(s)));
    BOOST_TEST((waited >= 700ms && waited < 3000ms));
    BOOST_TEST(measure(s).of("v2_kill") == 1);
    BOOST_TEST(measure(s).of("v2_show") >= 5 + 2);  // the search, then reads until KILLED

    // Without a wait the answer comes at once: TOBEKILLED.
    s.start_gateway(v2_flags({"--upstream-cancel-wait-ms", "0"}), sim_url(s));
    started = std::chrono::steady_clock::now();
    BOOST_TEST(check_cancelled(s.cancel(demo_v2(7)), demo_v2(7)) == "TOBEKILLED");
    BOOST_TEST((std::chrono::steady_clock::now() - started < 700ms));

    // DELETE of a running job with the wait: killed, read until KILLED, then deleted in MRS too.
    s.start_gateway(v2_flags({"--upstream-cancel-wait-ms", "3000"}), sim_url(s));
    const auto id = add_v2_job(s, live_clusters(s)[1], "running");
    started = std::chrono::steady_clock::now();
    s.reset_stats();
    client c(s.gw_port());
    auto r = c.request(http::verb::delete_, jobs_path + "/" + id, {{"X-Auth-Token", demo_token}});
    BOOST_TEST(r.status == 204u, r.body);
    BOOST_TEST((std::chrono::steady_clock::now() - started >= 700ms));
    BOOST_TEST_MESSAGE("delete of a running job with a 3000 ms wait: " << describe(measure(s)));
    BOOST_TEST(measure(s).of("v2_delete") == 2);  // refused while it ran, then done
    BOOST_TEST(!sim_v2_job(s, id).has_value());
    check_error(c.request(http::verb::get, jobs_path + "/" + id, {{"X-Auth-Token", demo_token}}), 404, "NOT_FOUND");
}

BOOST_AUTO_TEST_CASE(delete_running_and_finished_jobs) {
    stack s({}, v2_flags());
    client c(s.gw_port());
    const auto running = jobs_path + "/" + demo_v2(1);
    const auto finished = jobs_path + "/" + demo_v2(3);

    // A running job: killed, then gone to the client at once.
    s.reset_stats();
    auto first = c.request(http::verb::delete_, running, auth);
    BOOST_TEST(first.status == 204u, first.body);
    BOOST_TEST(first.body.empty());
    BOOST_TEST_MESSAGE("delete of a running job, cold: " << describe(measure(s)));
    BOOST_TEST(measure(s).of("cluster_list") == 1);
    BOOST_TEST(measure(s).of("v2_delete") == 1);  // refused: the job runs (0183)
    BOOST_TEST(measure(s).of("v2_kill") == 1);
    BOOST_TEST(measure(s).of("v2_show") == 5 + 1);  // the search, then one read after the kill
    check_error(c.request(http::verb::get, running, auth), 404, "NOT_FOUND");
    auto in_mrs = sim_v2_job(s, demo_v2(1));
    BOOST_TEST_REQUIRE(in_mrs.has_value());  // MRS keeps it until the kill has landed
    BOOST_TEST((in_mrs->at("kill_pending").as_bool() || in_mrs->at("status").as_string() == "killed"));
    // Once killed, a repeated DELETE removes it from MRS too.
    std::this_thread::sleep_for(400ms);
    BOOST_TEST(c.request(http::verb::delete_, running, auth).status == 204u);
    BOOST_TEST(!sim_v2_job(s, demo_v2(1)).has_value());
    check_error(c.request(http::verb::get, running, auth), 404, "NOT_FOUND");

    // A finished job: deleted in MRS; GET 404; DELETE again 204.
    s.reset_stats();
    auto gone = c.request(http::verb::delete_, finished, auth);
    BOOST_TEST(gone.status == 204u, gone.body);
    auto m = measure(s);
    BOOST_TEST_MESSAGE("delete of a finished job, cold: " << describe(m));
    BOOST_TEST(m.of("v2_delete") == 1);
    BOOST_TEST(m.of("v2_kill") == 0);
    BOOST_TEST(!sim_v2_job(s, demo_v2(3)).has_value());
    check_error(c.request(http::verb::get, finished, auth), 404, "NOT_FOUND");
    BOOST_TEST(c.request(http::verb::delete_, finished, auth).status == 204u);
    BOOST_TEST(c.request(http::verb::delete_, "/v2/" + demo_project + "/jobs/" + demo_v2(3), auth).status == 204u);
}

BOOST_AUTO_TEST_CASE(list_over_5000_jobs_on_5_clusters) {
    stack s({}, v2_flags());
    auto seeded = http_post(s.sim_port(), "/_sim/jobs",
                            json::serialize(json::object{
                                {"api", "v2"},
                                {"count", 5000},
                                {"clusters", 5},
                                {"states", json::object{{"running", 2}, {"succeeded", 3}, {"killed", 1}}}}));
    BOOST_TEST_REQUIRE(seeded.status == 201u, seeded.body);

    // What the simulator holds: the project's v2 jobs, their states, per cluster.
    std::map<std::string, std::string> status_by_id;
    std::map<std::string, long long> per_cluster;
    for (const auto& c : live_clusters(s)) per_cluster[c] = 0;
    auto state = http_get(s.sim_port(), "/_sim/state").json();
    for (auto& j : state.at("v2_jobs").as_array()) {
        if (j.at("project").as_string() != demo_project) continue;
        status_by_id[std::string(j.at("id").as_string())] = sahara_status(j.at("status").as_string());
        ++per_cluster[std::string(j.at("cluster_id").as_string())];
    }
    BOOST_TEST_REQUIRE(status_by_id.size() == 5008u);  // 8 demo jobs
    BOOST_TEST_REQUIRE(per_cluster.size() == 5u);
    // docs/api-coverage.md: P + Σ over clusters ⌈jobs / 100⌉, at least one page each.
    long long expected_pages = ceil_div(static_cast<long long>(per_cluster.size()), 100);
    for (auto& [cluster, n] : per_cluster) expected_pages += std::max(1LL, ceil_div(n, 100));

    std::vector<std::string> ids, killed;
    for (auto& [id, st] : status_by_id) {
        ids.push_back(id);
        if (st == "KILLED") killed.push_back(id);
    }

    client c(s.gw_port());
    auto timed = [&](const std::string& query, const char* label) {
        s.reset_stats();
        const auto started = std::chrono::steady_clock::now();
        auto r = c.request(http::verb::get, jobs_path + query, auth);
        const auto ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
        auto m = measure(s);
        BOOST_TEST_MESSAGE(label << " over 5,008 v2 jobs on 5 clusters: " << ms << " ms, " << describe(m)
                                 << " (formula: " << expected_pages << ")");
        BOOST_TEST(m.of("v2_list") + m.of("cluster_list") == expected_pages);
        BOOST_TEST(m.of("cluster_list") == 1);
        BOOST_TEST(m.of("v2_show") == 0);
        BOOST_TEST_REQUIRE(r.status == 200u, r.body);
        return r.json();
    };

    auto page = timed("?limit=20", "?limit=20");
    const auto& rows = page.at("job_executions").as_array();
    BOOST_TEST_REQUIRE(rows.size() == 20u);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        BOOST_TEST(rows[i].at("id").as_string() == ids[i]);
        BOOST_TEST(rows[i].at("info").at("status").as_string() == status_by_id[ids[i]], ids[i]);
    }
    BOOST_TEST(page.at("markers").at("next").as_string() == ids[19]);

    auto by_status = timed("?status=killed", "?status=killed");
    std::vector<std::string> got;
    for (auto& row : by_status.at("job_executions").as_array()) {
        got.emplace_back(row.at("id").as_string());
        BOOST_TEST(row.at("info").at("status").as_string() == "KILLED");
    }
    BOOST_TEST(got.size() == killed.size());
    BOOST_TEST((got == killed));

    auto running_page = timed("?status=running&limit=20", "?status=running&limit=20");
    std::vector<std::string> running;
    for (auto& [id, st] : status_by_id)
        if (st == "RUNNING" && running.size() < 20) running.push_back(id);
    got.clear();
    for (auto& row : running_page.at("job_executions").as_array()) got.emplace_back(row.at("id").as_string());
    BOOST_TEST((got == running));
}

BOOST_AUTO_TEST_CASE(execute_then_show_warm) {
    stack s;
    s.start_gateway(v2_flags({"--identity-url", sim_url(s) + "/v3"}), sim_url(s));
    const auto clusters = live_clusters(s);
    client c(s.gw_port());
    const std::vector<std::pair<std::string, std::string>> h = {{"X-Auth-Token", demo_token},
                                                                {"Content-Type", "application/json"}};
    const std::string tmpl = "b1000000-0000-4000-8000-000000000001";

    // v1.1 execute.
    s.reset_stats();
    auto created = c.request(
        http::verb::post, "/v1.1/" + demo_project + "/jobs/" + tmpl + "/execute", h,
        json::serialize(json::object{
            {"cluster_id", clusters[1]},
            {"job_configs", json::object{{"configs", json::object{{"mrs.job_type", "MapReduce"}, {"mapreduce.job.reduces", 2}}},
                                         {"args", json::array{"obs://bucket/wordcount.jar", "in", "out"}}}}}));
    BOOST_TEST_REQUIRE(created.status == 202u, created.body);
    check_envelope(created);
    auto je = created.json().at("job_execution").as_object();
    const std::string id(je.at("id").as_string());
    BOOST_TEST(je.at("job_id").as_string() == tmpl);
    BOOST_TEST(je.at("cluster_id").as_string() == clusters[1]);
    BOOST_TEST(je.at("info").at("status").as_string() == "PENDING");  // ACCEPTED for 500 ms
    BOOST_TEST(measure(s).of("v2_submit") == 1);
    BOOST_TEST(measure(s).of("v2_show") == 1);
    auto held = sim_v2_job(s, id);
    BOOST_TEST_REQUIRE(held.has_value());
    BOOST_TEST(held->at("job_type").as_string() == "MapReduce");
    BOOST_TEST(held->at("job_name").as_string() == tmpl);  // the default name
    BOOST_TEST(held->at("cluster_id").as_string() == clusters[1]);

    s.reset_stats();
    shown(c.request(http::verb::get, jobs_path + "/" + id, auth), id);
    BOOST_TEST(measure(s).of("v2_show") == 1);
    BOOST_TEST(measure(s).total() == 1);

    // v2 POST /v2/jobs, the project from the token.
    auto v2 = c.request(http::verb::post, "/v2/jobs", h,
                        json::serialize(json::object{
                            {"cluster_id", clusters[4]},
                            {"job_template_id", "b1000000-0000-4000-8000-000000000002"},
                            {"job_configs", json::object{{"configs", json::object{{"mrs.job_type", "SparkSubmit"},
                                                                                  {"mrs.job_name", "it-spark-pi"}}},
                                                         {"args", json::array{"--class", "SparkPi", "pi.jar"}}}}}));
    BOOST_TEST_REQUIRE(v2.status == 202u, v2.body);
    auto job = v2.json().at("job").as_object();
    const std::string v2_id(job.at("id").as_string());
    BOOST_TEST(job.at("job_template_id").as_string() == "b1000000-0000-4000-8000-000000000002");
    auto held2 = sim_v2_job(s, v2_id);
    BOOST_TEST_REQUIRE(held2.has_value());
    BOOST_TEST(held2->at("job_name").as_string() == "it-spark-pi");
    BOOST_TEST(held2->at("job_type").as_string() == "SparkSubmit");
    s.reset_stats();
    auto again = c.request(http::verb::get, "/v2/jobs/" + v2_id, auth);
    BOOST_TEST_REQUIRE(again.status == 200u, again.body);
    BOOST_TEST(again.json().at("job").at("cluster_id").as_string() == clusters[4]);
    BOOST_TEST(measure(s).of("v2_show") == 1);
    BOOST_TEST(measure(s).of("cluster_list") == 0);

    // Without mrs.job_type: refused before any MRS call.
    s.reset_stats();
    auto no_type = c.request(http::verb::post, "/v1.1/" + demo_project + "/jobs/" + tmpl + "/execute", h,
                             json::serialize(json::object{{"cluster_id", clusters[1]}, {"job_configs", json::object{}}}));
    auto msg = check_error(no_type, 400, "INVALID_DATA");
    BOOST_TEST(msg.find("mrs.job_type") != std::string::npos, msg);
    BOOST_TEST(measure(s).of("v2_submit") == 0);
}

BOOST_AUTO_TEST_CASE(lists_skip_terminated_clusters_and_those_without_the_v2_api) {
    // The other project: a running cluster with one v2 job, a legacy cluster (MRS 1.8.10, every
    // v2 call answers 0167) and a terminated one.
    const std::string other_project = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    stack s({}, v2_flags());
    s.reset_stats();
    auto r = http_get(s.gw_port(), "/v1.1/" + other_project + "/job-executions", other_token);
    BOOST_TEST_REQUIRE(r.status == 200u, r.body);
    const auto body = r.json();
    const auto& rows = body.at("job_executions").as_array();
    BOOST_TEST_REQUIRE(rows.size() == 1u);
    BOOST_TEST(rows[0].at("id").as_string() == "d2000000-0000-4000-8000-000000000001");
    BOOST_TEST(rows[0].at("cluster_id").as_string() == "c2000000-0000-4000-8000-000000000001");
    BOOST_TEST(rows[0].at("tenant_id").as_string() == other_project);
    auto m = measure(s);
    BOOST_TEST_MESSAGE("list of the other project: " << describe(m));
    BOOST_TEST(m.of("cluster_list") == 1);
    BOOST_TEST(m.of("v2_list") == 2);  // not the terminated cluster
    // The demo token does not list the other project.
    check_error(http_get(s.gw_port(), "/v1.1/" + other_project + "/job-executions", demo_token), 401, "UNAUTHORIZED");
}

BOOST_AUTO_TEST_CASE(patch_cancel_and_refresh_status_on_a_warm_job) {
    stack s({}, v2_flags());
    client c(s.gw_port());
    const std::vector<std::pair<std::string, std::string>> h = {{"X-Auth-Token", demo_token},
                                                                {"Content-Type", "application/json"}};
    const auto path = jobs_path + "/" + demo_v2(7);
    shown(c.request(http::verb::get, path + "/refresh-status", auth), demo_v2(7));
    s.reset_stats();
    auto patched = c.request(http::verb::patch, path, h, R"({"info": {"status": "cancel"}})");
    BOOST_TEST_REQUIRE(patched.status == 202u, patched.body);
    check_envelope(patched);
    BOOST_TEST(status_of(patched) == "TOBEKILLED");
    BOOST_TEST(measure(s).of("v2_kill") == 1);
    BOOST_TEST(measure(s).of("v2_show") == 1);
    BOOST_TEST(measure(s).total() == 2);
    // Until the kill lands, show, refresh-status and the list say TOBEKILLED.
    BOOST_TEST(status_of(c.request(http::verb::get, path, auth)) == "TOBEKILLED");
    BOOST_TEST(status_of(c.request(http::verb::get, path + "/refresh-status", auth)) == "TOBEKILLED");
    auto listed = c.request(http::verb::get, jobs_path + "?status=tobekilled", auth);
    BOOST_TEST_REQUIRE(listed.status == 200u, listed.body);
    const auto rows = listed.json();
    BOOST_TEST_REQUIRE(rows.at("job_executions").as_array().size() == 1u);
    BOOST_TEST(rows.at("job_executions").at(0).at("id").as_string() == demo_v2(7));
    std::this_thread::sleep_for(400ms);
    BOOST_TEST(status_of(c.request(http::verb::get, path, auth)) == "KILLED");
}

BOOST_AUTO_TEST_SUITE_END()
