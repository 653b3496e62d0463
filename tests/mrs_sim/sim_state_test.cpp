// Unit tests of the MRS simulator's pure state: life cycle, seed set, paging, JSON shapes.
#include "sim_state.hpp"
#include "sim_server.hpp"
#include "sim_test_util.hpp"
#include "sim_util.hpp"

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace json = boost::json;
using namespace mrs_sim;

using namespace sim_test;

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
    BOOST_TEST(st.at("clusters").as_array().size() == 8u);  // 5 + 3 (sim_clusters_test.cpp)
    BOOST_TEST(st.at("job_objects").as_array().size() == 6u);  // 5 + 1 (sim_resources_test.cpp)
    BOOST_TEST(st.at("data_sources").as_array().size() == 4u);

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

BOOST_AUTO_TEST_CASE(bulk_spreads_jobs_over_clusters_with_weighted_states) {
    sim_state s = seeded();
    const auto made = bulk(
        s, R"({"count":10,"clusters":3,"states":{"succeeded":3,"running":1},"id_prefix":"a4000000-0000-4000-8000-"})");
    BOOST_TEST(made.at("created").as_int64() == 10);
    BOOST_TEST(made.at("project").as_string() == demo_project);
    const std::string made_cluster = "c36b2a9f-0c1d-3e4f-5a8b-7c6d00000003";  // c3 + the project + 3
    const std::vector<std::string> used{std::string(demo::cluster_1), std::string(demo::cluster_2), made_cluster};
    BOOST_TEST(strings(made.at("clusters")) == used, boost::test_tools::per_element());
    BOOST_TEST(made.at("first_id").as_string() == "a4000000-0000-4000-8000-000000000001");
    BOOST_TEST(made.at("last_id").as_string() == "a4000000-0000-4000-8000-000000000010");

    // Job i is job i / 3 of its cluster; each cluster's jobs take the states in a cycle in
    // §3.1's order (whatever the order of the keys) and the job objects in turn.
    const std::vector<job_status> pattern{job_status::running, job_status::succeeded, job_status::succeeded,
                                          job_status::succeeded};
    const std::vector<std::string> templates{std::string(demo::job_object_wordcount),
                                             std::string(demo::job_object_spark_pi)};
    std::int64_t previous = 0;
    for (int i = 0; i < 10; ++i) {
        const std::string id =
            "a4000000-0000-4000-8000-0000000000" + std::string(i + 1 < 10 ? "0" : "") + std::to_string(i + 1);
        const job_execution* j = s.find_job(id);
        BOOST_REQUIRE_MESSAGE(j, id);
        BOOST_TEST(j->cluster_id == used[i % 3]);
        BOOST_TEST((j->status == pattern[i / 3 % 4]), id);
        BOOST_TEST(j->job_id == templates[i / 3 % 2]);
        BOOST_TEST(j->job_type == (i / 3 % 2 == 0 ? 1 : 2));
        BOOST_TEST(j->job_name == (i / 3 % 2 == 0 ? "wordcount-" : "spark-pi-") + std::to_string(i + 1));
        BOOST_TEST(j->created_ms < t0);
        BOOST_TEST(j->created_ms > previous);
        BOOST_TEST(j->start_ms == j->created_ms);
        BOOST_TEST(j->end_ms.has_value() == is_finished(j->status));
        if (j->end_ms) {
            BOOST_TEST(*j->end_ms > j->start_ms);
            BOOST_TEST(*j->end_ms < t0);
            BOOST_TEST(j->updated_ms == *j->end_ms);
        }
        previous = j->created_ms;
    }
    // The demo data holds the clusters bulk calls would make for the demo project's 3rd to 5th
    // (the same ids and names); one more is made on the next call that needs it.
    const auto st = s.render_state(t0);
    const auto& clusters = st.at("clusters").as_array();
    BOOST_REQUIRE_EQUAL(clusters.size(), 8u);
    BOOST_TEST(clusters[3].at("id").as_string() == made_cluster);
    BOOST_TEST(clusters[3].at("project").as_string() == demo_project);
    BOOST_TEST(clusters[3].at("name").as_string() == "cluster-3");
    const auto on_made = call(s, "GET", exes_path("?cluster_id=" + made_cluster), t0).body;
    BOOST_TEST(on_made.at("totalRecord").as_int64() == 3);  // jobs 3, 6 and 9
    // The Sahara view keeps its shape: the template id, since §8(4)'s "" is for single seeded jobs.
    const auto shown = call(s, "GET", job_path("a4000000-0000-4000-8000-000000000004"), t0).body;
    BOOST_TEST(shown.at("job_execution").at("job_id").as_string() == demo::job_object_spark_pi);
    BOOST_TEST(shown.at("job_execution").at("end_time").is_string());

    // A second call reuses the clusters made; the other project has no job object.
    const auto again = bulk(s, R"({"count":4,"clusters":3})");
    BOOST_TEST(strings(again.at("clusters")) == used, boost::test_tools::per_element());
    BOOST_TEST(s.render_state(t0).at("clusters").as_array().size() == 8u);
    const auto six = bulk(s, R"({"count":6,"clusters":6})");
    BOOST_TEST(strings(six.at("clusters")).back() == "c36b2a9f-0c1d-3e4f-5a8b-7c6d00000006");
    const auto grown = s.render_state(t0).at("clusters").as_array();
    BOOST_REQUIRE_EQUAL(grown.size(), 9u);
    BOOST_TEST(grown[8].at("name").as_string() == "cluster-6");
    BOOST_TEST(grown[8].at("project").as_string() == demo_project);
    const auto other = bulk(s, R"({"count":2,"project":"0f1e2d3c4b5a69788796a5b4c3d2e1f0"})");
    BOOST_TEST(strings(other.at("clusters")) == std::vector<std::string>{std::string(demo::other_cluster)},
               boost::test_tools::per_element());
    const job_execution* lone = s.find_job(other.at("last_id").as_string());
    BOOST_REQUIRE(lone);
    BOOST_TEST(lone->job_id == "");
    BOOST_TEST(lone->job_name == "sim-job-2");
    BOOST_TEST((lone->status == job_status::running));  // the default
}

BOOST_AUTO_TEST_CASE(bulk_state_mix_follows_the_weights) {
    sim_state s = seeded();
    bulk(s, R"({"count":1200,"clusters":2,"states":{"starting":1,"running":2,"failed":3,"killed":0,"error":6},)"
            R"("id_prefix":"a5"})");
    std::map<std::string, int> by_status;
    for (int i = 1; i <= 1200; ++i) {
        const std::string n = std::to_string(i);
        const job_execution* j = s.find_job("a5000000-0000-0000-0000-" + std::string(12 - n.size(), '0') + n);
        BOOST_REQUIRE(j);
        ++by_status[std::string(status_name(j->status))];
    }
    BOOST_TEST(by_status["starting"] == 100);
    BOOST_TEST(by_status["running"] == 200);
    BOOST_TEST(by_status["failed"] == 300);
    BOOST_TEST(by_status["error"] == 600);
    BOOST_TEST(by_status.size() == 4u);
    // Each cluster gets the mix, as the job-exes state filter sees it (§3.1: failed is 3; 5,
    // error, is no filter value). Each cluster also has one seeded job in state 3.
    for (std::string_view c : {demo::cluster_1, demo::cluster_2}) {
        const auto completed = call(s, "GET", exes_path("?cluster_id=" + std::string(c) + "&state=3&page_size=1"), t0);
        BOOST_TEST(completed.body.at("totalRecord").as_int64() == 150 + 1);
        const auto running = call(s, "GET", exes_path("?cluster_id=" + std::string(c) + "&state=2&page_size=1"), t0);
        BOOST_TEST(running.body.at("totalRecord").as_int64() ==
                   100 + (c == demo::cluster_1 ? 1 : 2));  // and seeded ones
    }
}

BOOST_AUTO_TEST_CASE(bulk_ids_are_deterministic) {
    // Two sims with different random seeds make the same ids from the same calls.
    std::vector<std::vector<std::string>> runs;
    for (std::uint64_t seed : {1u, 2u}) {
        sim_state s(sim_options{}, t0, seed);
        BOOST_REQUIRE_EQUAL(s.seed_demo(), "");
        s.finish_setup();
        std::vector<std::string> got;
        for (int round = 0; round < 2; ++round) {
            const auto made = bulk(s, R"({"count":500,"clusters":2})");
            got.emplace_back(made.at("first_id").as_string());
            got.emplace_back(made.at("last_id").as_string());
        }
        const auto all = call(s, "GET", jobs_path(), t0).body;
        std::size_t bulk_jobs = 0;
        for (const auto& id : page_ids(all)) {
            BOOST_TEST(is_lower_uuid(id), id);
            bulk_jobs += id.starts_with("a1000000-") ? 0 : 1;
        }
        BOOST_TEST(bulk_jobs == 1000u);  // two rounds of 500 distinct ids
        runs.push_back(std::move(got));
    }
    BOOST_TEST(runs[0] == runs[1], boost::test_tools::per_element());
    BOOST_TEST(runs[0][0].ends_with("-0000-4000-8000-000000000001"));
    BOOST_TEST(runs[0][3].ends_with("-0000-4000-8000-000000001000"));  // the counter goes on
    BOOST_TEST(runs[0][0] != runs[0][2]);

    // A default id already taken (here by a single job) is skipped.
    sim_state taken = seeded();
    BOOST_REQUIRE(taken.add_job(R"({"id":")" + runs[0][0] + R"("})", t0).status == 201u);
    const auto around = bulk(taken, R"({"count":2})");
    BOOST_TEST(around.at("first_id").as_string().ends_with("-0000-4000-8000-000000000002"));
    BOOST_TEST(around.at("last_id").as_string().ends_with("-0000-4000-8000-000000000003"));
    BOOST_TEST(taken.find_job(runs[0][0])->job_name == "sim-job");  // the single job, unchanged

    // With id_prefix, a call that would reuse an id makes nothing.
    sim_state s = seeded();
    bulk(s, R"({"count":3,"id_prefix":"a6000000"})");
    BOOST_TEST(s.find_job("a6000000-0000-0000-0000-000000000003"));
    const auto before = s.render_state(t0);
    const reply clash = s.add_job(R"({"count":5,"id_prefix":"a6000000"})", t0);
    BOOST_TEST(clash.status == 400u);
    BOOST_TEST(s.render_state(t0) == before);
}

BOOST_AUTO_TEST_CASE(bulk_bad_bodies_are_refused) {
    sim_state s = seeded();
    const auto before = s.render_state(t0);
    for (const char* body : {
             R"({"count":0})",
             R"({"count":-1})",
             R"({"count":1000001})",
             R"({"count":"5"})",
             R"({"count":1.5})",
             R"({"count":null})",
             R"({"count":5,"states":{"done":1}})",
             R"({"count":5,"states":{"running":-1}})",
             R"({"count":5,"states":{"running":0,"failed":0}})",
             R"({"count":5,"states":{}})",
             R"({"count":5,"states":{"running":"1"}})",
             R"({"count":5,"states":["running"]})",
             R"({"count":5,"clusters":0})",
             R"({"count":5,"clusters":101})",
             R"({"count":5,"state":"running"})",
             R"({"count":5,"cluster_id":"c1000000-0000-4000-8000-000000000001"})",
             R"({"count":5,"project":"ffffffffffffffffffffffffffffffff"})",
             R"({"count":5,"project":7})",
             R"({"count":5,"id_prefix":"A1"})",
             R"({"count":5,"id_prefix":"a1000000x"})",
             R"({"count":5,"id_prefix":""})",
             R"({"count":10,"id_prefix":"a1000000-0000-4000-8000-00000000000"})",  // one digit left
         }) {
        const reply r = s.add_job(body, t0);
        BOOST_TEST(r.status == 400u, body);
        BOOST_TEST(json::parse(r.body).at("error").is_string(), body);
    }
    BOOST_TEST(s.render_state(t0) == before);  // no job and no cluster made
    // The largest count passes its check, and the next key is looked at.
    const reply top = s.add_job(R"({"count":1000000,"clusters":0})", t0);
    BOOST_TEST(std::string(json::parse(top.body).at("error").as_string()).starts_with("clusters"));
}

BOOST_AUTO_TEST_CASE(list_pages_fifty_thousand_jobs) {
    sim_state s = seeded();
    bulk(s, R"({"count":50000,"clusters":5,"states":{"running":1,"succeeded":3,"failed":1}})");
    const std::size_t total = 50000 + 7;

    // By id, limit 1000: every id once, in order, and each page's prev is the marker.
    std::vector<std::string> seen;
    std::string marker;
    for (int calls = 0; calls < 100; ++calls) {
        const auto body =
            call(s, "GET", jobs_path() + "?limit=1000&sort_by=id" + (marker.empty() ? "" : "&marker=" + marker), t0)
                .body;
        const auto ids = page_ids(body);
        BOOST_TEST((marker.empty() ? body.at("markers").at("prev").is_null()
                                   : body.at("markers").at("prev").as_string() == marker));
        seen.insert(seen.end(), ids.begin(), ids.end());
        const auto& next = body.at("markers").at("next");
        if (next.is_null()) {
            break;
        }
        BOOST_TEST(next.as_string() == ids.back());
        marker = ids.back();
    }
    BOOST_TEST(seen.size() == total);
    BOOST_TEST((std::adjacent_find(seen.begin(), seen.end(), std::greater_equal<>()) == seen.end()));

    // Descending from a marker in the middle.
    const std::string middle = seen[25000];
    const auto down = call(s, "GET", jobs_path() + "?limit=3&sort_by=-id&marker=" + middle, t0).body;
    BOOST_TEST(page_ids(down) == (std::vector<std::string>{seen[24999], seen[24998], seen[24997]}),
               boost::test_tools::per_element());
    BOOST_TEST(down.at("markers").at("prev").as_string() == middle);
    BOOST_TEST(down.at("markers").at("next").as_string() == seen[24997]);

    // Another field: every id once, the field in order, ties by id.
    std::set<std::string> by_created;
    std::int64_t previous = std::numeric_limits<std::int64_t>::max();
    int out_of_order = 0;
    marker.clear();
    for (int calls = 0; calls < 20; ++calls) {
        const auto body =
            call(s, "GET",
                 jobs_path() + "?limit=10000&sort_by=-created_at" + (marker.empty() ? "" : "&marker=" + marker), t0)
                .body;
        for (const auto& j : body.at("job_executions").as_array()) {
            by_created.emplace(j.at("id").as_string());
            const std::int64_t created = s.find_job(j.at("id").as_string())->created_ms;
            out_of_order += created > previous ? 1 : 0;
            previous = created;
        }
        if (body.at("markers").at("next").is_null()) {
            break;
        }
        marker = body.at("markers").at("next").as_string();
    }
    BOOST_TEST(by_created.size() == total);
    BOOST_TEST(out_of_order == 0);

    // job_id sorts too (sim choice): the 7 seeded jobs ("") first, then the first template's jobs.
    const auto by_template = call(s, "GET", jobs_path() + "?sort_by=job_id&limit=8", t0).body;
    const auto& rows = by_template.at("job_executions").as_array();
    BOOST_TEST(rows[6].at("job_id").as_string() == "");
    BOOST_TEST(rows[7].at("job_id").as_string() == demo::job_object_wordcount);
    const auto last = call(s, "GET", jobs_path() + "?sort_by=-job_id&limit=1", t0).body;
    BOOST_TEST(last.at("job_executions").at(0).at("job_id").as_string() == demo::job_object_spark_pi);
}

BOOST_AUTO_TEST_CASE(exe_pages_cover_each_cluster_once) {
    sim_state s = seeded();
    const auto made = bulk(s, R"({"count":50000,"clusters":5,"states":{"running":2,"killed":1,"abnormal":1}})");
    std::set<std::string> everywhere;
    std::int64_t records = 0;
    for (const auto& c : strings(made.at("clusters"))) {
        std::set<std::string> here;
        std::int64_t total = -1;
        std::int64_t newest = std::numeric_limits<std::int64_t>::max();
        int wrong_cluster = 0, out_of_order = 0, duplicates = 0;
        for (int page = 1;; ++page) {
            const auto body =
                call(s, "GET", exes_path("?cluster_id=" + c + "&page_size=100&current_page=" + std::to_string(page)),
                     t0)
                    .body;
            const std::int64_t t = body.at("totalRecord").as_int64();
            BOOST_TEST((total < 0 || t == total));
            total = t;
            const auto& rows = body.at("job_executions").as_array();
            for (const auto& j : rows) {
                wrong_cluster += j.at("cluster_id").as_string() == c ? 0 : 1;
                out_of_order += j.at("create_at").as_int64() > newest ? 1 : 0;  // newest first
                newest = j.at("create_at").as_int64();
                duplicates += here.emplace(j.at("id").as_string()).second ? 0 : 1;
            }
            if (rows.size() < 100) {
                break;
            }
        }
        BOOST_TEST(static_cast<std::int64_t>(here.size()) == total);
        BOOST_TEST(wrong_cluster == 0);
        BOOST_TEST(out_of_order == 0);
        BOOST_TEST(duplicates == 0);
        records += total;
        everywhere.insert(here.begin(), here.end());
    }
    BOOST_TEST(records == 50000 + 7);
    BOOST_TEST(everywhere.size() == 50000u + 7u);

    // The 50th page of 100 is the 4901st to 5000th newest row; state filters split the total.
    const std::string c1(demo::cluster_1);
    const auto p50 = call(s, "GET", exes_path("?cluster_id=" + c1 + "&page_size=100&current_page=50"), t0).body;
    BOOST_TEST(p50.at("job_executions").as_array().size() == 100u);
    std::int64_t split = 0;
    for (const char* state : {"-1", "2", "3", "4"}) {
        split +=
            call(s, "GET", exes_path("?cluster_id=" + c1 + "&state=" + state), t0).body.at("totalRecord").as_int64();
    }
    const std::int64_t c1_total = call(s, "GET", exes_path("?cluster_id=" + c1), t0).body.at("totalRecord").as_int64();
    BOOST_TEST(split == c1_total - 1);  // all but the seeded starting job (state 1 is no filter)
    const std::string last_id(made.at("last_id").as_string());
    const auto one = call(s, "GET", exes_path("?cluster_id=" + c1 + "&id=" + last_id), t0).body;
    BOOST_TEST(one.at("totalRecord").as_int64() == (s.find_job(last_id)->cluster_id == c1 ? 1 : 0));
}

BOOST_AUTO_TEST_CASE(lists_see_moving_jobs_in_time_order) {
    // Only execute-started and cancelled jobs move; lists must still show their state of now.
    sim_state s = seeded(sim_options{.kill_delay_ms = 2000, .start_delay_ms = 500, .run_ms = 1000});
    bulk(s, R"({"count":2000,"clusters":2})");
    const std::string c1(demo::cluster_1);
    auto count = [&](const char* state, std::int64_t now) {
        return call(s, "GET", exes_path("?cluster_id=" + c1 + "&state=" + state), now)
            .body.at("totalRecord")
            .as_int64();
    };
    const std::int64_t running = count("2", t0);
    const std::int64_t completed = count("3", t0);
    const std::string path = "/v1.1/" + demo_project + "/jobs/" + std::string(demo::job_object_wordcount) + "/execute";
    const auto started = call(s, "POST", path, t0, demo::token,
                              R"({"cluster_id":"c1000000-0000-4000-8000-000000000001","input_id":null,)"
                              R"("output_id":null,"job_configs":{}})");
    BOOST_REQUIRE(started.status == 202u);
    const std::string id(started.body.at("job_execution").at("id").as_string());
    BOOST_TEST(call(s, "GET", exes_path("?cluster_id=" + c1 + "&page_size=1"), t0)
                   .body.at("job_executions")
                   .at(0)
                   .at("id")
                   .as_string() == id);  // the newest
    BOOST_TEST(count("2", t0 + 499) == running);
    BOOST_TEST(count("2", t0 + 500) == running + 1);
    BOOST_TEST(count("3", t0 + 1500) == completed + 1);
    BOOST_TEST(count("2", t0 + 1500) == running);

    // A cancelled bulk job is killed at its deadline, seen by a list that never read it alone.
    const auto page = call(s, "GET", exes_path("?cluster_id=" + c1 + "&state=2&page_size=1"), t0 + 2000).body;
    const std::string victim(page.at("job_executions").at(0).at("id").as_string());
    const auto by_end_before = call(s, "GET", jobs_path() + "?sort_by=-end_time&limit=1", t0 + 2000).body;
    BOOST_TEST(page_ids(by_end_before) != std::vector<std::string>{victim}, boost::test_tools::per_element());
    BOOST_TEST(call(s, "GET", job_path(victim, "/cancel"), t0 + 2000).status == 200u);
    const std::int64_t killed = count("-1", t0 + 2000);
    BOOST_TEST(count("-1", t0 + 3999) == killed);
    BOOST_TEST(count("-1", t0 + 4000) == killed + 1);
    // The kill landed: a list sorted as before sees the new end_time, not the order it kept.
    const auto by_end = call(s, "GET", jobs_path() + "?sort_by=-end_time&limit=1", t0 + 5000).body;
    BOOST_TEST(page_ids(by_end) == std::vector<std::string>{victim}, boost::test_tools::per_element());
    const auto other = call(s, "GET", jobs_path(other_project) + "?sort_by=-end_time", t0 + 5000, demo::other_token);
    BOOST_TEST(page_ids(other.body) == std::vector<std::string>{std::string(demo::other_running)},
               boost::test_tools::per_element());

    // A deleted job leaves both lists.
    const std::int64_t before = count("2", t0 + 5000);
    const auto next = call(s, "GET", exes_path("?cluster_id=" + c1 + "&state=2&page_size=1"), t0 + 5000).body;
    const std::string gone(next.at("job_executions").at(0).at("id").as_string());
    BOOST_TEST(call(s, "DELETE", job_path(gone), t0 + 5000).status == 204u);
    BOOST_TEST(count("2", t0 + 5000) == before - 1);
    for (const char* sort : {"id", "-end_time"}) {
        const auto ids = page_ids(call(s, "GET", jobs_path() + "?sort_by=" + sort, t0 + 5000).body);
        BOOST_TEST((std::find(ids.begin(), ids.end(), gone) == ids.end()), sort);
        BOOST_TEST(ids.size() == 7u + 2000u + 1u - 1u, sort);
    }
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
    const auto more = parse_faults(R"({"throttle_rate":0.5,"throttle_retry_after_s":3,"close_notify":true,)"
                                   R"("reset_mid_rate":0.2,"stall_after_headers":true,"close_after":2})",
                                   err);
    BOOST_REQUIRE(more);
    BOOST_TEST(more->throttle_rate == 0.5);
    BOOST_TEST(more->throttle_retry_after_s == 3);
    BOOST_TEST(more->close_notify);
    BOOST_TEST(more->reset_mid_rate == 0.2);
    BOOST_TEST(more->stall_after_headers);
    BOOST_TEST(more->error_status == 0u);  // throttling is not an error_status fault
    const auto plain = parse_faults("{}", err);
    BOOST_TEST(plain->throttle_rate == 0.0);
    BOOST_TEST(plain->throttle_retry_after_s == 0);
    BOOST_TEST(!plain->close_notify);
    BOOST_TEST(plain->reset_mid_rate == 0.0);
    BOOST_TEST(!plain->stall_after_headers);
    for (const char* bad : {R"({"nope":1})", R"({"error_rate":2})", R"({"malformed":"x"})", R"({"stall":1})",
                            R"({"latency_ms":-1})", R"({"error_status":200})", R"({"idle_close_ms":-1})", "[]", "{",
                            R"({"throttle_rate":1.5})", R"({"throttle_rate":"0.5"})",
                            R"({"throttle_retry_after_s":-1})", R"({"throttle_retry_after_s":3601})",
                            R"({"throttle_retry_after_s":1.5})", R"({"close_notify":1})", R"({"reset_mid_rate":-0.1})",
                            R"({"stall_after_headers":"yes"})"}) {
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

// mrs-api.md §5.4: the throttling answer of the API gateway, as the throttle_rate fault sends it.
BOOST_AUTO_TEST_CASE(throttled_answer_is_apigw_0308) {
    const reply r = detail::apigw_throttled("0123456789abcdef0123456789abcdef", 0);
    BOOST_TEST(r.status == 429u);
    const json::value body = json::parse(r.body);
    BOOST_TEST(body.at("error_code").as_string() == "APIGW.0308");
    BOOST_TEST(body.at("error_msg").as_string() ==
               "The throttling threshold has been reached: policy user over ratelimit,limit:100,time:1 second");
    BOOST_TEST(body.at("request_id").as_string() == "0123456789abcdef0123456789abcdef");
    BOOST_TEST(r.headers.empty());
    const reply later = detail::apigw_throttled("ab", 4);
    BOOST_REQUIRE(later.headers.size() == 1u);
    BOOST_TEST(later.headers[0].first == "Retry-After");
    BOOST_TEST(later.headers[0].second == "4");
}

BOOST_AUTO_TEST_SUITE_END()
