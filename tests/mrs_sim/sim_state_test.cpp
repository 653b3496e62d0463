// Unit tests of the MRS simulator's pure state: life cycle, seed set, paging, JSON shapes.
#include "sim_server.hpp"
#include "sim_state.hpp"

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

namespace json = boost::json;
using namespace mrs_sim;

namespace {

constexpr std::int64_t t0 = 1700000000000;  // the sim's start (2023-11-14T22:13:20Z)
const std::string demo_project(demo::project);
const std::string other_project(demo::other_project);

sim_state seeded(sim_options opts = {}) {
    sim_state s(opts, t0, 42);
    BOOST_REQUIRE_EQUAL(s.seed_demo(), "");
    s.finish_setup();
    return s;
}

struct result {
    unsigned status;
    json::value body;  // null when the body is empty
    reply raw;
};

result call(sim_state& s, std::string_view method, const std::string& target, std::int64_t now,
            std::optional<std::string_view> token = demo::token, std::string_view body = {},
            std::optional<std::string_view> subject = std::nullopt) {
    const route r = match_route(method, target);
    const api_request req{method, target, token, subject, body, "0123456789abcdef0123456789abcdef"};
    reply rep = s.handle(req, r, now);
    json::value v = rep.body.empty() ? json::value(nullptr) : json::parse(rep.body);
    return {rep.status, std::move(v), std::move(rep)};
}

std::string jobs_path(std::string_view project = demo::project) {
    return "/v1.1/" + std::string(project) + "/job-executions";
}

std::string job_path(std::string_view id, std::string_view suffix = "") {
    return jobs_path() + "/" + std::string(id) + std::string(suffix);
}

std::string exes_path(std::string_view query) {
    return "/v1.1/" + demo_project + "/job-exes" + std::string(query);
}

std::vector<std::string> page_ids(const json::value& body) {
    std::vector<std::string> ids;
    for (const auto& j : body.at("job_executions").as_array()) {
        ids.emplace_back(j.at("id").as_string());
    }
    return ids;
}

void check_error(const result& r, unsigned status, std::string_view code) {
    BOOST_TEST(r.status == status);
    BOOST_TEST(r.body.at("error_code").as_string() == code);
    BOOST_TEST(r.body.at("error_msg").is_string());
}

std::string id_of(int n) {
    return "a1000000-0000-4000-8000-00000000000" + std::to_string(n);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mrs_sim_state)

BOOST_AUTO_TEST_CASE(state_numbers_follow_mrs_api_3_1) {
    const std::vector<std::tuple<std::string, int, int>> expected{
        {"starting", 1, 0}, {"running", 2, 0},  {"succeeded", 3, 2}, {"failed", 3, 1},
        {"killed", -1, 3},  {"abnormal", 4, 1}, {"error", 5, 1}};
    for (const auto& [name, state, final_status] : expected) {
        const auto s = parse_status(name);
        BOOST_REQUIRE(s);
        BOOST_TEST(codes_of(*s).job_state == state);
        BOOST_TEST(codes_of(*s).job_final_status == final_status);
        BOOST_TEST(status_name(*s) == name);
        BOOST_TEST(is_finished(*s) == (final_status != 0));
    }
    BOOST_TEST(!parse_status("done"));
}

BOOST_AUTO_TEST_CASE(times_render_as_iso_and_micros) {
    BOOST_TEST(iso_seconds(t0) == "2023-11-14T22:13:20");
    BOOST_TEST(iso_seconds(t0 + 999) == "2023-11-14T22:13:20");
    BOOST_TEST(iso_micros(t0 + 855) == "2023-11-14T22:13:20.855000Z");
}

BOOST_AUTO_TEST_CASE(seed_set_is_the_documented_one) {
    sim_state s = seeded();
    const json::object st = s.render_state(t0);
    const auto& projects = st.at("projects").as_array();
    BOOST_REQUIRE_EQUAL(projects.size(), 2u);
    BOOST_TEST(projects[0].at("id").as_string() == demo_project);
    BOOST_TEST(projects[0].at("tokens").as_array()[0].as_string() == "demo-token");
    BOOST_TEST(projects[1].at("tokens").as_array()[0].as_string() == "other-token");
    BOOST_TEST(st.at("clusters").as_array().size() == 3u);
    BOOST_TEST(st.at("job_objects").as_array().size() == 2u);

    std::map<std::string, std::string> status;
    std::map<std::string, int> per_project;
    for (const auto& j : st.at("jobs").as_array()) {
        status[std::string(j.at("id").as_string())] = j.at("status").as_string();
        ++per_project[std::string(j.at("project").as_string())];
    }
    BOOST_TEST(per_project[demo_project] == 7);
    BOOST_TEST(per_project[other_project] == 1);
    BOOST_TEST(status[std::string(demo::running_1)] == "running");
    BOOST_TEST(status[std::string(demo::running_2)] == "running");
    BOOST_TEST(status[std::string(demo::starting)] == "starting");
    BOOST_TEST(status[std::string(demo::succeeded)] == "succeeded");
    BOOST_TEST(status[std::string(demo::failed)] == "failed");
    BOOST_TEST(status[std::string(demo::killed)] == "killed");
    BOOST_TEST(status[std::string(demo::protected_running)] == "running");
    BOOST_TEST(status[std::string(demo::other_running)] == "running");
    BOOST_TEST(s.find_job(demo::protected_running)->is_protected);

    // Seeded jobs hold their state: an hour later nothing has moved.
    BOOST_TEST(s.render_state(t0 + 3600000) == st);
}

BOOST_AUTO_TEST_CASE(token_given_by_flag_replaces_demo_token) {
    sim_state s(sim_options{}, t0, 1);
    BOOST_REQUIRE_EQUAL(s.add_token("mine", demo::project), "");
    BOOST_REQUIRE_EQUAL(s.seed_demo(), "");
    s.finish_setup();
    BOOST_TEST(call(s, "GET", jobs_path(), t0, "mine").status == 200u);
    BOOST_TEST(call(s, "GET", jobs_path(), t0, "demo-token").status == 401u);
    BOOST_TEST(s.add_token("mine", other_project) != "");  // a token names one project
    BOOST_TEST(s.add_token("x", "not-hex") != "");
}

BOOST_AUTO_TEST_CASE(project_from_token_only_gets_a_cluster_and_job_object) {
    const std::string p = "00112233445566778899aabbccddeeff";
    sim_state s(sim_options{}, t0, 1);
    BOOST_REQUIRE_EQUAL(s.add_token("t", p), "");
    s.finish_setup();
    const auto st = s.render_state(t0);
    BOOST_TEST(st.at("clusters").as_array()[0].at("id").as_string() == "00112233-4455-6677-8899-aabbccddeeff");
    const std::string tmpl(st.at("job_objects").as_array()[0].at("id").as_string());
    const auto r = call(s, "POST", "/v1.1/" + p + "/jobs/" + tmpl + "/execute", t0, "t",
                        R"({"cluster_id":"00112233-4455-6677-8899-aabbccddeeff","input_id":null,)"
                        R"("output_id":null,"job_configs":{}})");
    BOOST_TEST(r.status == 202u);
}

BOOST_AUTO_TEST_CASE(cancel_kills_lazily_after_the_delay) {
    sim_state s = seeded(sim_options{.kill_delay_ms = 2000});
    const std::string id(demo::running_1);
    const auto first = call(s, "GET", job_path(id, "/cancel"), t0 + 1000);
    BOOST_TEST(first.status == 200u);
    BOOST_TEST(first.body.at("job_execution").at("end_time").is_null());
    BOOST_TEST(s.render_state(t0 + 1000).at("jobs").as_array()[0].at("kill_pending").as_bool());

    // A second cancel while pending is 200 again and keeps the deadline.
    BOOST_TEST(call(s, "GET", job_path(id, "/cancel"), t0 + 2500).status == 200u);
    BOOST_TEST(*s.find_job(id)->kill_at_ms == t0 + 3000);

    const auto before = call(s, "GET", "/v1.1/" + demo_project + "/job-exes/" + id, t0 + 2999).body;
    BOOST_TEST(before.at("job_execution").at("job_state").as_int64() == 2);
    BOOST_TEST(before.at("job_execution").at("end_time").is_null());
    const auto after = call(s, "GET", "/v1.1/" + demo_project + "/job-exes/" + id, t0 + 3000).body;
    BOOST_TEST(after.at("job_execution").at("job_state").as_int64() == -1);
    BOOST_TEST(after.at("job_execution").at("job_final_status").as_int64() == 3);
    BOOST_TEST(after.at("job_execution").at("end_time").as_int64() == t0 + 3000);  // the deadline
    const auto shown = call(s, "GET", job_path(id), t0 + 9000).body.at("job_execution");
    BOOST_TEST(shown.at("end_time").as_string() == iso_seconds(t0 + 3000));
    BOOST_TEST(!s.find_job(id)->kill_at_ms);
}

BOOST_AUTO_TEST_CASE(cancel_of_protected_and_finished_jobs) {
    sim_state ok = seeded();
    check_error(call(ok, "GET", job_path(demo::protected_running, "/cancel"), t0), 400, "0160");
    const auto done = call(ok, "GET", job_path(demo::succeeded, "/cancel"), t0);
    BOOST_TEST(done.status == 200u);
    BOOST_TEST(!ok.find_job(demo::succeeded)->kill_at_ms);
    check_error(call(ok, "GET", job_path("a1000000-0000-4000-8000-0000000000ff", "/cancel"), t0), 400, "0176");

    sim_state refuse = seeded(sim_options{.refuse_cancel_finished = true});
    check_error(call(refuse, "GET", job_path(demo::killed, "/cancel"), t0), 400, "0160");
    BOOST_TEST(call(refuse, "GET", job_path(demo::running_2, "/cancel"), t0).status == 200u);
}

BOOST_AUTO_TEST_CASE(delete_answers_204_and_refuses_protected) {
    sim_state s = seeded();
    const auto gone = call(s, "DELETE", job_path(demo::failed), t0);
    BOOST_TEST(gone.status == 204u);
    BOOST_TEST(gone.raw.body.empty());
    check_error(call(s, "GET", job_path(demo::failed), t0), 400, "0176");
    check_error(call(s, "DELETE", job_path(demo::failed), t0), 400, "0176");
    check_error(call(s, "DELETE", job_path(demo::protected_running), t0), 400, "0161");
}

BOOST_AUTO_TEST_CASE(execute_starts_runs_and_succeeds) {
    sim_state s = seeded(sim_options{.start_delay_ms = 500, .run_ms = 1000});
    const std::string path = "/v1.1/" + demo_project + "/jobs/" + std::string(demo::job_object_spark_pi) + "/execute";
    const auto r = call(s, "POST", path, t0, demo::token,
                        R"({"cluster_id":"c1000000-0000-4000-8000-000000000002","input_id":"in","output_id":"out",)"
                        R"("job_configs":{"args":["10"]},"is_protected":false})");
    BOOST_REQUIRE(r.status == 202u);
    const auto& je = r.body.at("job_execution");
    BOOST_TEST(je.at("job_id").as_string() == demo::job_object_spark_pi);
    BOOST_TEST(je.at("info").is_null());
    BOOST_TEST(je.at("end_time").is_null());
    BOOST_TEST(je.at("input_id").as_string() == "in");
    const std::string id(je.at("id").as_string());
    BOOST_TEST(id.size() == 36u);
    BOOST_TEST(id[14] == '4');  // UUID v4

    auto exe = [&](std::int64_t now) {
        return call(s, "GET", "/v1.1/" + demo_project + "/job-exes/" + id, now).body.at("job_execution");
    };
    BOOST_TEST(exe(t0 + 499).at("job_state").as_int64() == 1);
    BOOST_TEST(exe(t0 + 500).at("job_state").as_int64() == 2);
    BOOST_TEST(exe(t0 + 1499).at("job_state").as_int64() == 2);
    const auto done = exe(t0 + 1500);
    BOOST_TEST(done.at("job_state").as_int64() == 3);
    BOOST_TEST(done.at("job_final_status").as_int64() == 2);
    BOOST_TEST(done.at("end_time").as_int64() == t0 + 1500);
    BOOST_TEST(done.at("arguments").as_string() == "10");
    BOOST_TEST(done.at("job_type").as_int64() == 2);
}

BOOST_AUTO_TEST_CASE(execute_validates_like_mrs) {
    sim_state s = seeded();
    const std::string path = "/v1.1/" + demo_project + "/jobs/" + std::string(demo::job_object_wordcount) + "/execute";
    const std::string good_tail = R"(,"input_id":"a","output_id":"b","job_configs":{}})";
    check_error(call(s, "POST", path, t0, demo::token, "{"), 400, "12000002");
    check_error(call(s, "POST", path, t0, demo::token, R"({"input_id":"a","output_id":"b","job_configs":{}})"), 400,
                "12000002");
    check_error(call(s, "POST", path, t0, demo::token, R"({"cluster_id":"c","input_id":"a","output_id":"b"})"), 400,
                "12000002");
    check_error(call(s, "POST", path, t0, demo::token,
                     R"({"cluster_id":"c","input_id":"a","output_id":"b","job_configs":{},"is_public":"yes"})"),
                400, "12000002");
    // §5.1(2): the camelCase variant for an unknown cluster.
    const auto no_cluster = call(s, "POST", path, t0, demo::token, R"({"cluster_id":"nope")" + good_tail);
    BOOST_TEST(no_cluster.status == 400u);
    BOOST_TEST(no_cluster.body.at("errorCode").as_string() == "12000003");
    BOOST_TEST(no_cluster.body.at("errorMsg").as_string() == "The cluster does not exist.");
    BOOST_TEST(!no_cluster.body.as_object().contains("error_code"));
    const std::string unknown_tmpl = "/v1.1/" + demo_project + "/jobs/b1000000-0000-4000-8000-0000000000ff/execute";
    check_error(call(s, "POST", unknown_tmpl, t0, demo::token,
                     R"({"cluster_id":"c1000000-0000-4000-8000-000000000001")" + good_tail),
                400, "0176");
    // Another project's cluster is unknown here.
    const auto foreign =
        call(s, "POST", path, t0, demo::token, R"({"cluster_id":"c2000000-0000-4000-8000-000000000001")" + good_tail);
    BOOST_TEST(foreign.body.at("errorCode").as_string() == "12000003");
}

BOOST_AUTO_TEST_CASE(sahara_view_has_the_seed_keys_in_order) {
    sim_state s = seeded();
    const auto r = call(s, "GET", job_path(demo::succeeded), t0);
    BOOST_REQUIRE(r.status == 200u);
    const auto& o = r.body.at("job_execution").as_object();
    const std::vector<std::string> keys{
        "created_at",  "updated_at",       "id",           "tenant_id",    "job_id",
        "start_time",  "end_time",         "cluster_id",   "oozie_job_id", "return_code",
        "input_id",    "output_id",        "is_protected", "is_public",    "engine_job_id",
        "job_configs", "data_source_urls", "info"};
    std::vector<std::string> got;
    for (const auto& kv : o) {
        got.emplace_back(kv.key());
    }
    BOOST_TEST(got == keys, boost::test_tools::per_element());
    BOOST_TEST(o.at("created_at").as_string().size() == 19u);  // YYYY-MM-DDTHH:MM:SS
    BOOST_TEST(o.at("end_time").as_string() == iso_seconds(t0 / 1000 * 1000 - 6600000));
    BOOST_TEST(o.at("tenant_id").as_string() == demo_project);
    BOOST_TEST(o.at("job_id").as_string() == "");
    BOOST_TEST(o.at("is_protected").is_bool());
    for (const char* k : {"oozie_job_id", "return_code", "engine_job_id", "data_source_urls", "info", "input_id",
                          "output_id", "job_configs"}) {
        BOOST_TEST(o.at(k).is_null(), k);
    }
    BOOST_TEST(call(s, "GET", job_path(demo::running_1), t0).body.at("job_execution").at("end_time").is_null());
}

BOOST_AUTO_TEST_CASE(exe_view_uses_epoch_ms_and_legacy_fields) {
    sim_state s = seeded();
    const auto r = call(s, "GET", "/v1.1/" + demo_project + "/job-exes/" + std::string(demo::failed), t0);
    BOOST_REQUIRE(r.status == 200u);
    const auto& o = r.body.at("job_execution").as_object();
    const std::vector<std::string> keys{
        "id",          "create_at",        "update_at",        "tenant_id",   "job_id",      "job_name",
        "start_time",  "end_time",         "cluster_id",       "group_id",    "jar_path",    "input",
        "output",      "job_log",          "job_type",         "file_action", "arguments",   "hql",
        "job_state",   "job_final_status", "hive_script_path", "create_by",   "update_by",   "finished_step",
        "step_num",    "task_num",         "step_seq",         "job_main_id", "job_step_id", "step_name",
        "postpone_at", "spend_time",       "progress"};
    std::vector<std::string> got;
    for (const auto& kv : o) {
        got.emplace_back(kv.key());
    }
    BOOST_TEST(got == keys, boost::test_tools::per_element());
    for (const char* k : {"create_at", "update_at", "start_time", "end_time", "postpone_at"}) {
        BOOST_TEST(o.at(k).is_int64(), k);
        BOOST_TEST(o.at(k).as_int64() > 1000000000000, k);  // 13-digit epoch ms
    }
    BOOST_TEST(o.at("job_id").as_string() == demo::failed);
    BOOST_TEST(o.at("job_state").as_int64() == 3);
    BOOST_TEST(o.at("job_final_status").as_int64() == 1);
    BOOST_TEST(o.at("arguments").is_string());
    BOOST_TEST(o.at("spend_time").is_null());
    check_error(call(s, "GET", "/v1.1/" + demo_project + "/job-exes/nope", t0), 400, "0201");
}

BOOST_AUTO_TEST_CASE(list_pages_after_the_marker) {
    sim_state s = seeded();
    const auto p1 = call(s, "GET", jobs_path() + "?limit=3", t0).body;
    BOOST_TEST(page_ids(p1) == (std::vector<std::string>{id_of(1), id_of(2), id_of(3)}));
    BOOST_TEST(p1.at("markers").at("prev").is_null());
    BOOST_TEST(p1.at("markers").at("next").as_string() == id_of(3));

    const auto p2 = call(s, "GET", jobs_path() + "?limit=3&marker=" + id_of(3), t0).body;
    BOOST_TEST(page_ids(p2) == (std::vector<std::string>{id_of(4), id_of(5), id_of(6)}));
    BOOST_TEST(p2.at("markers").at("prev").as_string() == id_of(3));
    BOOST_TEST(p2.at("markers").at("next").as_string() == id_of(6));

    const auto p3 = call(s, "GET", jobs_path() + "?limit=3&marker=" + id_of(6), t0).body;
    BOOST_TEST(page_ids(p3) == (std::vector<std::string>{id_of(7)}));
    BOOST_TEST(p3.at("markers").at("next").is_null());

    const auto all = call(s, "GET", jobs_path(), t0).body;
    BOOST_TEST(page_ids(all).size() == 7u);  // the other project's job is invisible
    BOOST_TEST(all.at("markers").at("prev").is_null());
    BOOST_TEST(all.at("markers").at("next").is_null());

    const auto exact = call(s, "GET", jobs_path() + "?limit=7", t0).body;
    BOOST_TEST(exact.at("markers").at("next").is_null());
}

BOOST_AUTO_TEST_CASE(list_sorts_and_validates) {
    sim_state s = seeded();
    const auto desc = call(s, "GET", jobs_path() + "?sort_by=-id&limit=2", t0).body;
    BOOST_TEST(page_ids(desc) == (std::vector<std::string>{id_of(7), id_of(6)}));
    const auto newest = call(s, "GET", jobs_path() + "?sort_by=-created_at", t0).body;
    BOOST_TEST(page_ids(newest).front() == demo::starting);
    BOOST_TEST(page_ids(newest).back() == demo::succeeded);
    const auto by_end = call(s, "GET", jobs_path() + "?sort_by=end_time", t0).body;
    BOOST_TEST(page_ids(by_end).back() == demo::killed);  // nulls first, then oldest end
    for (const char* q : {"?limit=0", "?limit=1073741823", "?limit=x", "?limit=1.5", "?sort_by=name", "?sort_by=-"}) {
        check_error(call(s, "GET", jobs_path() + q, t0), 400, "12000002");
    }
    BOOST_TEST(call(s, "GET", jobs_path() + "?limit=1073741822", t0).status == 200u);
    check_error(call(s, "GET", jobs_path() + "?marker=" + std::string(demo::other_running), t0), 400, "0176");
}

BOOST_AUTO_TEST_CASE(exe_list_filters_and_pages) {
    sim_state s = seeded();
    const auto all = call(s, "GET", exes_path("?cluster_id=c1000000-0000-4000-8000-000000000001"), t0).body;
    BOOST_TEST(all.as_object().begin()->key() == "totalRecord");  // camelCase (§2G)
    BOOST_TEST(all.at("totalRecord").as_int64() == 4);
    BOOST_TEST(page_ids(all).front() == demo::starting);  // newest first
    const auto page2 =
        call(s, "GET", exes_path("?cluster_id=c1000000-0000-4000-8000-000000000001&page_size=3&current_page=2"), t0)
            .body;
    BOOST_TEST(page2.at("totalRecord").as_int64() == 4);
    BOOST_TEST(page_ids(page2) == (std::vector<std::string>{std::string(demo::succeeded)}));
    const auto running = call(s, "GET", exes_path("?cluster_id=c1000000-0000-4000-8000-000000000002&state=2"), t0).body;
    BOOST_TEST(running.at("totalRecord").as_int64() == 2);
    const auto by_name =
        call(s, "GET", exes_path("?cluster_id=c1000000-0000-4000-8000-000000000001&job_name=wordcount-daily"), t0).body;
    BOOST_TEST(page_ids(by_name) == (std::vector<std::string>{std::string(demo::succeeded)}));
    const auto by_id =
        call(s, "GET", exes_path("?cluster_id=c1000000-0000-4000-8000-000000000001&id=" + std::string(demo::killed)),
             t0)
            .body;
    BOOST_TEST(by_id.at("totalRecord").as_int64() == 1);

    check_error(call(s, "GET", exes_path(""), t0), 400, "12000002");
    for (const char* q : {"&page_size=0", "&page_size=101", "&current_page=0", "&state=1", "&state=x"}) {
        check_error(call(s, "GET", exes_path(std::string("?cluster_id=c1000000-0000-4000-8000-000000000001") + q), t0),
                    400, "12000002");
    }
    BOOST_TEST(call(s, "GET", exes_path("?cluster_id=nope"), t0).body.at("errorCode").as_string() == "12000003");
}

BOOST_AUTO_TEST_CASE(auth_errors) {
    sim_state s = seeded(sim_options{.token_ttl_s = 60});
    const auto none = call(s, "GET", jobs_path(), t0, std::nullopt);
    check_error(none, 401, "APIGW.0301");
    BOOST_TEST(none.body.at("request_id").as_string() == "0123456789abcdef0123456789abcdef");
    check_error(call(s, "GET", jobs_path(), t0, "bogus"), 401, "APIGW.0301");
    check_error(call(s, "GET", jobs_path(), t0 + 60000), 401, "APIGW.0301");  // expired
    check_error(call(s, "GET", jobs_path(), t0, demo::other_token), 401, "12000001");
    check_error(call(s, "GET", job_path(demo::running_1), t0, demo::other_token), 401, "12000001");
    // Another project's job is not found, not forbidden.
    const std::string other_path = "/v1.1/" + other_project + "/job-executions/" + std::string(demo::running_1);
    check_error(call(s, "GET", other_path, t0, demo::other_token), 400, "0176");
}

BOOST_AUTO_TEST_CASE(unknown_paths_and_methods) {
    sim_state s = seeded();
    check_error(call(s, "GET", "/v1.1/" + demo_project + "/clusters", t0), 404, "12000002");
    check_error(call(s, "GET", "/elsewhere", t0), 404, "12000002");
    check_error(call(s, "PUT", job_path(demo::running_1), t0), 405, "12000002");
    check_error(call(s, "POST", job_path(demo::running_1, "/cancel"), t0), 405, "12000002");
    const route r = match_route("GET", job_path(demo::running_1, "/cancel"));
    BOOST_TEST((r.result == route::kind::matched && r.ep == endpoint::cancel));
    BOOST_TEST(r.id == demo::running_1);
    BOOST_TEST(endpoint_name(endpoint::exe_list) == "exe_list");
}

BOOST_AUTO_TEST_CASE(identity_checks_tokens) {
    sim_state s = seeded();
    const auto ok = call(s, "GET", "/v3/auth/tokens", t0, demo::token, {}, demo::other_token);
    BOOST_REQUIRE(ok.status == 200u);
    const auto& token = ok.body.at("token");
    BOOST_TEST(token.at("project").at("id").as_string() == other_project);
    BOOST_TEST(token.at("expires_at").as_string() == iso_micros(t0 + 86400000));
    BOOST_TEST(token.at("expires_at").as_string().size() == 27u);  // ...HH:MM:SS.ffffffZ
    BOOST_TEST(token.at("roles").at(0).at("name").as_string() == "member");
    BOOST_TEST(ok.raw.headers.at(0).first == "X-Subject-Token");
    BOOST_TEST(ok.raw.headers.at(0).second == "other-token");

    const auto missing = call(s, "GET", "/v3/auth/tokens", t0, demo::token, {}, "nope");
    BOOST_TEST(missing.status == 404u);
    BOOST_TEST(missing.body.at("error").at("code").as_int64() == 404);
    BOOST_TEST(missing.raw.body.find("nope") == std::string::npos);  // never echoed
    const auto unauth = call(s, "GET", "/v3/auth/tokens", t0, std::nullopt, {}, demo::token);
    BOOST_TEST(unauth.status == 401u);
    BOOST_TEST(unauth.body.at("error").at("title").as_string() == "Unauthorized");
}

BOOST_AUTO_TEST_CASE(control_add_job) {
    sim_state s = seeded();
    const auto made =
        s.add_job(R"({"state":"abnormal","protected":true,"id":"a3000000-0000-4000-8000-000000000001"})", t0);
    BOOST_REQUIRE(made.status == 201u);
    const job_execution* j = s.find_job("a3000000-0000-4000-8000-000000000001");
    BOOST_REQUIRE(j);
    BOOST_TEST(j->project == demo_project);
    BOOST_TEST(j->cluster_id == demo::cluster_1);
    BOOST_TEST(j->is_protected);
    BOOST_TEST(codes_of(j->status).job_state == 4);
    BOOST_TEST(j->end_ms.has_value());

    const auto other = s.add_job(R"({"cluster_id":"c2000000-0000-4000-8000-000000000001"})", t0);
    BOOST_REQUIRE(other.status == 201u);
    const std::string id(json::parse(other.body).at("id").as_string());
    BOOST_TEST(s.find_job(id)->project == other_project);
    BOOST_TEST((s.find_job(id)->status == job_status::running));

    BOOST_TEST(s.add_job(R"({"state":"done"})", t0).status == 400u);
    BOOST_TEST(s.add_job(R"({"color":"red"})", t0).status == 400u);
    BOOST_TEST(s.add_job(R"({"id":"a3000000-0000-4000-8000-000000000001"})", t0).status == 400u);
    BOOST_TEST(s.add_job(R"({"project":"ffffffffffffffffffffffffffffffff"})", t0).status == 400u);
}

BOOST_AUTO_TEST_CASE(faults_parse_and_rates_are_deterministic) {
    std::string err;
    const auto f = parse_faults(R"({"latency_ms":20,"error_rate":0.5,"malformed":"truncated","close_after":3})", err);
    BOOST_REQUIRE(f);
    BOOST_TEST(f->latency_ms == 20);
    BOOST_TEST(f->error_status == 500u);
    BOOST_TEST(f->close_after == 3);
    BOOST_TEST((f->malformed == fault_set::malformed_kind::truncated));
    BOOST_TEST(parse_faults(R"({"error_status":503})", err)->error_rate == 1.0);
    BOOST_TEST(parse_faults("{}", err).has_value());
    BOOST_TEST(parse_faults(R"({"idle_close_ms":250})", err)->idle_close_ms == 250);
    for (const char* bad : {R"({"nope":1})", R"({"error_rate":2})", R"({"malformed":"x"})", R"({"stall":1})",
                            R"({"latency_ms":-1})", R"({"error_status":200})", R"({"idle_close_ms":-1})", "[]", "{"}) {
        BOOST_TEST(!parse_faults(bad, err), bad);
    }

    rate_gate half;
    std::vector<bool> fired;
    for (int i = 0; i < 6; ++i) {
        fired.push_back(half.fire(0.5));
    }
    BOOST_TEST(fired == (std::vector<bool>{false, true, false, true, false, true}), boost::test_tools::per_element());
    rate_gate tenth;
    int n = 0;
    for (int i = 0; i < 100; ++i) {
        n += tenth.fire(0.1) ? 1 : 0;
    }
    BOOST_TEST(n == 10);
    rate_gate never;
    BOOST_TEST(!never.fire(0));
}

BOOST_AUTO_TEST_SUITE_END()
