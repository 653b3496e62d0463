// Unit tests of the simulator's v2 job API (mrs-api.md §2 I–M): submit, list, detail, kill,
// batch delete, the state mapping, the id spaces, 0167, and v2 seeding.
#include "sim_state.hpp"
#include "sim_test_util.hpp"

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace sim_test;

namespace {

std::string v2_path(std::string_view cluster, std::string_view suffix = "", std::string_view project = demo::project) {
    return "/v2/" + std::string(project) + "/clusters/" + std::string(cluster) + "/job-executions" +
           std::string(suffix);
}

std::vector<std::string> v2_ids(const json::value& body) {
    std::vector<std::string> ids;
    for (const auto& j : body.at("job_list").as_array()) {
        ids.emplace_back(j.at("job_id").as_string());
    }
    return ids;
}

json::value job_detail(sim_state& s, std::string_view cluster, std::string_view id, std::int64_t now) {
    const auto r = call(s, "GET", v2_path(cluster, "/" + std::string(id)), now);
    BOOST_REQUIRE_MESSAGE(r.status == 202u, r.raw.body);
    return r.body.at("job_detail");
}

std::string submit(sim_state& s, std::string_view cluster, std::string_view body, std::int64_t now) {
    const auto r = call(s, "POST", v2_path(cluster), now, demo::token, body);
    BOOST_REQUIRE_MESSAGE(r.status == 200u, r.raw.body);
    BOOST_TEST(r.body.at("job_submit_result").at("state").as_string() == "COMPLETE");
    return std::string(r.body.at("job_submit_result").at("job_id").as_string());
}

void check_camel_12000003(const result& r) {
    BOOST_TEST(r.status == 400u);
    BOOST_TEST(r.body.at("errorCode").as_string() == "12000003");
    BOOST_TEST(!r.body.as_object().contains("error_code"));
}

std::string v(std::string_view id) {
    return std::string(id);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mrs_sim_v2)

BOOST_AUTO_TEST_CASE(states_map_onto_yarn_state_and_result) {
    // mrs-api.md §3.2; the table in tests/mrs_sim/README.md.
    const std::map<job_status, std::pair<std::string, std::string>> table{
        {job_status::starting, {"ACCEPTED", "UNDEFINED"}},  {job_status::running, {"RUNNING", "UNDEFINED"}},
        {job_status::succeeded, {"FINISHED", "SUCCEEDED"}}, {job_status::failed, {"FINISHED", "FAILED"}},
        {job_status::killed, {"KILLED", "KILLED"}},         {job_status::abnormal, {"FAILED", "FAILED"}},
        {job_status::error, {"FAILED", "FAILED"}}};
    for (const auto& [status, codes] : table) {
        BOOST_TEST(v2_codes_of(status).job_state == codes.first, status_name(status));
        BOOST_TEST(v2_codes_of(status).job_result == codes.second, status_name(status));
    }
}

BOOST_AUTO_TEST_CASE(demo_v2_jobs_show_their_states) {
    sim_state s = seeded();
    struct expect {
        std::string_view cluster, id, state, result;
    };
    for (const auto& e : {expect{demo::cluster_1, demo::v2_running, "RUNNING", "UNDEFINED"},
                          expect{demo::cluster_2, demo::v2_accepted, "ACCEPTED", "UNDEFINED"},
                          expect{demo::cluster_1, demo::v2_succeeded, "FINISHED", "SUCCEEDED"},
                          expect{demo::cluster_2, demo::v2_failed, "FINISHED", "FAILED"},
                          expect{demo::cluster_3, demo::v2_killed, "KILLED", "KILLED"},
                          expect{demo::cluster_4, demo::v2_error, "FAILED", "FAILED"},
                          expect{demo::cluster_5, demo::v2_running_c5, "RUNNING", "UNDEFINED"},
                          expect{demo::cluster_5, demo::v2_succeeded_c5, "FINISHED", "SUCCEEDED"}}) {
        const auto d = job_detail(s, e.cluster, e.id, t0);
        BOOST_TEST(d.at("job_id").as_string() == e.id);
        BOOST_TEST(d.at("job_state").as_string() == e.state, e.id);
        BOOST_TEST(d.at("job_result").as_string() == e.result, e.id);
    }
    // The fifth of the demo project's five clusters holds v2 jobs.
    const auto list = call(s, "GET", "/v1.1/" + demo_project + "/cluster_infos", t0).body;
    BOOST_TEST(list.at("clusters").at(4).at("clusterId").as_string() == demo::cluster_5);
    const auto fifth = call(s, "GET", v2_path(demo::cluster_5), t0);
    BOOST_TEST(fifth.body.at("total_record").as_int64() == 2);
    BOOST_TEST(v2_ids(fifth.body) == (std::vector<std::string>{v(demo::v2_running_c5), v(demo::v2_succeeded_c5)}),
               boost::test_tools::per_element());
    // The other project's v2 job, with its own token.
    const auto other =
        call(s, "GET", v2_path(demo::other_cluster, "/" + v(demo::v2_other_running), demo::other_project), t0,
             demo::other_token);
    BOOST_TEST(other.status == 202u);
    // /_sim/state lists them with their states.
    std::map<std::string, std::string> state;
    const auto st = s.render_state(t0);
    for (const auto& j : st.at("v2_jobs").as_array()) {
        state[std::string(j.at("id").as_string())] = j.at("job_state").as_string();
    }
    BOOST_TEST(state.size() == 9u);
    BOOST_TEST(state[v(demo::v2_killed)] == "KILLED");
    BOOST_TEST(state[v(demo::v2_other_running)] == "RUNNING");
    BOOST_TEST(s.render_state(t0 + 3600000) == s.render_state(t0));  // seeded jobs hold their state
}

BOOST_AUTO_TEST_CASE(job_query_bean_has_the_documented_fields_and_wire_types) {
    sim_state s = seeded();
    const auto d = job_detail(s, demo::cluster_1, demo::v2_succeeded, t0).as_object();
    const std::vector<std::string> keys{"job_id",         "user",          "job_name",     "job_result",
                                        "job_state",      "job_progress",  "job_type",     "started_time",
                                        "submitted_time", "finished_time", "elapsed_time", "arguments",
                                        "properties",     "launcher_id",   "app_id",       "queue"};
    std::vector<std::string> got;
    for (const auto& kv : d) {
        got.emplace_back(kv.key());
    }
    BOOST_TEST(got == keys, boost::test_tools::per_element());
    BOOST_TEST(d.at("submitted_time").as_int64() == t0 - 7200000);
    BOOST_TEST(d.at("started_time").as_int64() == t0 - 7190000);
    BOOST_TEST(d.at("finished_time").as_int64() == t0 - 6600000);
    BOOST_TEST(d.at("elapsed_time").as_int64() == 590000);
    BOOST_TEST(d.at("job_progress").as_int64() == 100);
    BOOST_TEST(d.at("arguments").as_string() ==
               "[s3a://mrs-sim/program/hadoop-mapreduce-examples.jar, wordcount, s3a://mrs-sim/input/, "
               "s3a://mrs-sim/output/]");  // a string: Java's List.toString
    BOOST_TEST(d.at("properties").as_string() == "{}");
    BOOST_TEST(d.at("user").as_string() == "etl-bot");
    BOOST_TEST(d.at("queue").as_string() == "etl");
    const std::string epoch = std::to_string(t0 - 30LL * 86400000);  // cluster 1's YARN started with it
    BOOST_TEST(d.at("launcher_id").as_string().starts_with("application_" + epoch + "_"));
    BOOST_TEST(d.at("app_id").as_string().starts_with("application_" + epoch + "_"));
    BOOST_TEST(d.at("launcher_id") != d.at("app_id"));

    const auto spark = job_detail(s, demo::cluster_2, demo::v2_failed, t0);
    BOOST_TEST(spark.at("properties").as_string() == "{spark.executor.memory=2g, spark.executor.cores=2}");
    BOOST_TEST(spark.at("arguments").as_string().starts_with("[--class, org.apache.spark.examples.SparkPi, "));

    // Unset times are 0, not null; a job that has not started has no application yet.
    const auto accepted = job_detail(s, demo::cluster_2, demo::v2_accepted, t0);
    for (const char* k : {"started_time", "finished_time", "elapsed_time", "job_progress"}) {
        BOOST_TEST(accepted.at(k).is_int64(), k);
        BOOST_TEST(accepted.at(k).as_int64() == 0, k);
    }
    BOOST_TEST(accepted.at("app_id").as_string() == "");
    BOOST_TEST(accepted.at("launcher_id").as_string().starts_with("application_"));
    const auto running = job_detail(s, demo::cluster_1, demo::v2_running, t0 + 1000);
    BOOST_TEST(running.at("finished_time").as_int64() == 0);
    BOOST_TEST(running.at("elapsed_time").as_int64() == 3000000 - 10000 + 1000);  // runs until now
    BOOST_TEST(running.at("job_progress").as_int64() == 50);
}

BOOST_AUTO_TEST_CASE(submit_accepts_runs_and_finishes) {
    sim_state s = seeded(sim_options{.start_delay_ms = 500, .run_ms = 1000});
    const std::string id = submit(s, demo::cluster_2,
                                  R"({"job_type":"SparkPython","job_name":"py_job-1",)"
                                  R"("arguments":["--master","yarn-cluster","s3a://b/pi.py","10"],)"
                                  R"("properties":{"fs.obs.endpoint":"obs.example","k2":"v2"},"extra":1})",
                                  t0);
    BOOST_TEST(id.size() == 36u);
    BOOST_TEST(id[14] == '4');
    BOOST_TEST(s.find_v2_job(id));
    BOOST_TEST(!s.find_job(id));  // not a v1.1 job execution

    const auto accepted = job_detail(s, demo::cluster_2, id, t0 + 499);
    BOOST_TEST(accepted.at("job_state").as_string() == "ACCEPTED");
    BOOST_TEST(accepted.at("job_result").as_string() == "UNDEFINED");
    BOOST_TEST(accepted.at("started_time").as_int64() == 0);
    BOOST_TEST(accepted.at("submitted_time").as_int64() == t0);
    BOOST_TEST(accepted.at("job_type").as_string() == "SparkSubmit");  // §2I: SparkPython is stored so
    BOOST_TEST(accepted.at("arguments").as_string() == "[--master, yarn-cluster, s3a://b/pi.py, 10]");
    BOOST_TEST(accepted.at("properties").as_string() == "{fs.obs.endpoint=obs.example, k2=v2}");
    BOOST_TEST(accepted.at("user").as_string() == "sim-user");
    BOOST_TEST(accepted.at("queue").as_string() == "default");

    const auto running = job_detail(s, demo::cluster_2, id, t0 + 500);
    BOOST_TEST(running.at("job_state").as_string() == "RUNNING");
    BOOST_TEST(running.at("started_time").as_int64() == t0 + 500);
    BOOST_TEST(running.at("app_id").as_string().starts_with("application_"));
    BOOST_TEST(job_detail(s, demo::cluster_2, id, t0 + 1499).at("job_state").as_string() == "RUNNING");
    const auto done = job_detail(s, demo::cluster_2, id, t0 + 1500);
    BOOST_TEST(done.at("job_state").as_string() == "FINISHED");
    BOOST_TEST(done.at("job_result").as_string() == "SUCCEEDED");
    BOOST_TEST(done.at("finished_time").as_int64() == t0 + 1500);
    BOOST_TEST(done.at("elapsed_time").as_int64() == 1000);

    // Without arguments or properties: the empty Java forms.
    const std::string bare = submit(s, demo::cluster_1, R"({"job_type":"MapReduce","job_name":"x"})", t0);
    const auto b = job_detail(s, demo::cluster_1, bare, t0);
    BOOST_TEST(b.at("arguments").as_string() == "[]");
    BOOST_TEST(b.at("properties").as_string() == "{}");
    // With the default --run-ms 0 it runs until killed.
    sim_state forever = seeded();
    const std::string f = submit(forever, demo::cluster_1, R"({"job_type":"MapReduce","job_name":"x"})", t0);
    BOOST_TEST(job_detail(forever, demo::cluster_1, f, t0 + 86399000).at("job_state").as_string() == "RUNNING");
}

BOOST_AUTO_TEST_CASE(submit_validates_like_mrs) {
    sim_state s = seeded();
    const std::string long_arg(4097, 'a');
    const std::string half_arg(2049, 'a');
    const std::string long_prop(2048, 'v');
    for (const std::string& body : std::vector<std::string>{
             "{",
             "[]",
             R"({"job_name":"x"})",
             R"({"job_type":"Pig","job_name":"x"})",
             R"({"job_type":"mapreduce","job_name":"x"})",
             R"({"job_type":1,"job_name":"x"})",
             R"({"job_type":"MapReduce"})",
             R"({"job_type":"MapReduce","job_name":""})",
             R"({"job_type":"MapReduce","job_name":")" + std::string(65, 'n') + R"("})",
             R"({"job_type":"MapReduce","job_name":"two words"})",
             R"({"job_type":"MapReduce","job_name":"a.b"})",
             R"({"job_type":"MapReduce","job_name":"x","arguments":"a b"})",
             R"({"job_type":"MapReduce","job_name":"x","arguments":[1]})",
             R"({"job_type":"MapReduce","job_name":"x","arguments":["a;b"]})",
             R"({"job_type":"MapReduce","job_name":"x","arguments":["$HOME"]})",
             R"({"job_type":"MapReduce","job_name":"x","arguments":["a|b"]})",
             R"({"job_type":"MapReduce","job_name":"x","arguments":["it's"]})",
             R"({"job_type":"MapReduce","job_name":"x","arguments":[")" + long_arg + R"("]})",
             R"({"job_type":"MapReduce","job_name":"x","arguments":[")" + half_arg + R"(",")" + half_arg + R"("]})",
             R"({"job_type":"MapReduce","job_name":"x","properties":["a"]})",
             R"({"job_type":"MapReduce","job_name":"x","properties":{"k":1}})",
             R"({"job_type":"MapReduce","job_name":"x","properties":{"k":"a!b"}})",
             R"({"job_type":"MapReduce","job_name":"x","properties":{"k":"a`b"}})",
             R"({"job_type":"MapReduce","job_name":"x","properties":{"k\\e":"v"}})",
             R"({"job_type":"MapReduce","job_name":"x","properties":{"k":")" + long_prop + R"("}})",
         }) {
        const auto r = call(s, "POST", v2_path(demo::cluster_1), t0, demo::token, body);
        BOOST_TEST(r.status == 400u, body);
        BOOST_TEST(r.body.at("error_code").as_string() == "12000002", body);
        BOOST_TEST(std::string(r.body.at("error_msg").as_string()).starts_with("Invalid parameter: "), body);
    }
    BOOST_TEST(s.render_state(t0).at("v2_jobs").as_array().size() == 9u);  // nothing made
    // At the limits, and characters the other list forbids.
    const std::string edge_arg(4096, 'a');
    submit(s, demo::cluster_1,
           R"({"job_type":"Flink","job_name":")" + std::string(64, 'n') + R"(","arguments":[")" + edge_arg +
               R"("],"properties":{"k":"a;b$c"}})",
           t0);
    submit(s, demo::cluster_1, R"({"job_type":"DistCp","job_name":"_-","arguments":["a!b`c"],"properties":null})", t0);

    // The cluster decides the rest: its engines (§5.3 0168, 0169, 0057) and its state (12000062).
    check_error(call(s, "POST", v2_path(demo::cluster_4), t0, demo::token, R"({"job_type":"HiveSql","job_name":"h"})"),
                400, "0168");
    check_error(
        call(s, "POST", v2_path(demo::cluster_4), t0, demo::token, R"({"job_type":"HiveScript","job_name":"h"})"), 400,
        "0168");
    submit(s, demo::cluster_4, R"({"job_type":"Flink","job_name":"f"})", t0);
    BOOST_REQUIRE(
        s.add_cluster(R"({"id":"c4000000-0000-4000-8000-000000000001","components":["Hadoop","Hive"]})", t0).status ==
        201u);
    const std::string bare = "c4000000-0000-4000-8000-000000000001";
    check_error(call(s, "POST", v2_path(bare), t0, demo::token, R"({"job_type":"Flink","job_name":"f"})"), 400, "0169");
    check_error(call(s, "POST", v2_path(bare), t0, demo::token, R"({"job_type":"SparkSql","job_name":"f"})"), 400,
                "0057");
    submit(s, bare, R"({"job_type":"HiveSql","job_name":"h"})", t0);
    BOOST_REQUIRE(s.add_cluster(R"({"id":"c4000000-0000-4000-8000-000000000002","state":"scaling-out"})", t0).status ==
                  201u);
    submit(s, "c4000000-0000-4000-8000-000000000002", R"({"job_type":"MapReduce","job_name":"m"})", t0);
    BOOST_REQUIRE(s.add_cluster(R"({"id":"c4000000-0000-4000-8000-000000000003","state":"starting"})", t0).status ==
                  201u);
    const auto busy = call(s, "POST", v2_path("c4000000-0000-4000-8000-000000000003"), t0, demo::token,
                           R"({"job_type":"MapReduce","job_name":"m"})");
    check_error(busy, 400, "12000062");
    // A bad body on a busy cluster is a bad body first.
    check_error(call(s, "POST", v2_path("c4000000-0000-4000-8000-000000000003"), t0, demo::token, "{}"), 400,
                "12000002");
}

BOOST_AUTO_TEST_CASE(v2_and_v1_1_ids_are_separate_spaces) {
    sim_state s = seeded();
    // A v2 id is unknown to every v1.1 path...
    check_error(call(s, "GET", job_path(demo::v2_running), t0), 400, "0176");
    check_error(call(s, "GET", job_path(demo::v2_running, "/cancel"), t0), 400, "0176");
    check_error(call(s, "DELETE", job_path(demo::v2_succeeded), t0), 400, "0176");
    check_error(call(s, "GET", exes_path("/" + v(demo::v2_running)), t0), 400, "0201");
    BOOST_TEST(call(s, "GET", exes_path("?cluster_id=" + v(demo::cluster_1) + "&id=" + v(demo::v2_running)), t0)
                   .body.at("totalRecord")
                   .as_int64() == 0);
    const auto all = page_ids(call(s, "GET", jobs_path(), t0).body);
    BOOST_TEST(all.size() == 7u);
    BOOST_TEST(std::none_of(all.begin(), all.end(), [](const std::string& id) { return id.starts_with("d1"); }));
    // ...and a v1.1 id to every v2 path, on its own cluster too.
    check_error(call(s, "GET", v2_path(demo::cluster_1, "/" + v(demo::running_1)), t0), 400, "0176");
    check_error(call(s, "POST", v2_path(demo::cluster_1, "/" + v(demo::running_1) + "/kill"), t0), 400, "0176");
    check_error(call(s, "POST", v2_path(demo::cluster_1, "/batch-delete"), t0, demo::token,
                     R"({"job_id_list":[")" + v(demo::succeeded) + R"("]})"),
                400, "0176");
    BOOST_TEST(call(s, "GET", v2_path(demo::cluster_1, "?job_id=" + v(demo::running_1)), t0)
                   .body.at("total_record")
                   .as_int64() == 0);
    BOOST_TEST((s.find_job(demo::running_1)->status == job_status::running));  // the kill did not reach it

    // The same id may exist in both spaces, as two different jobs.
    BOOST_REQUIRE(s.add_job(R"({"api":"v2","id":")" + v(demo::succeeded) + R"(","cluster_id":")" + v(demo::cluster_1) +
                                R"(","state":"running","job_name":"twin"})",
                            t0)
                      .status == 201u);
    BOOST_TEST(job_detail(s, demo::cluster_1, demo::succeeded, t0).at("job_name").as_string() == "twin");
    BOOST_TEST(call(s, "GET", job_path(demo::succeeded), t0).body.at("job_execution").at("end_time").is_string());
    BOOST_TEST(call(s, "POST", v2_path(demo::cluster_1, "/" + v(demo::succeeded) + "/kill"), t0).status == 202u);
    BOOST_TEST(!s.find_job(demo::succeeded)->kill_at_ms);
    BOOST_TEST(s.find_v2_job(demo::succeeded)->kill_at_ms.has_value());
}

BOOST_AUTO_TEST_CASE(a_v2_id_is_valid_under_its_own_cluster_only) {
    sim_state s = seeded();
    for (auto [method, suffix] : {std::pair{"GET", ""}, std::pair{"POST", "/kill"}}) {
        check_error(call(s, method, v2_path(demo::cluster_2, "/" + v(demo::v2_running) + suffix), t0), 400, "0176");
        check_error(call(s, method, v2_path(demo::cluster_5, "/" + v(demo::v2_running) + suffix), t0), 400, "0176");
    }
    check_error(call(s, "POST", v2_path(demo::cluster_2, "/batch-delete"), t0, demo::token,
                     R"({"job_id_list":[")" + v(demo::v2_succeeded) + R"("]})"),
                400, "0176");
    BOOST_TEST(!s.find_v2_job(demo::v2_running)->kill_at_ms);
    BOOST_TEST(s.find_v2_job(demo::v2_succeeded));
    // Another project's cluster is unknown here, even with the other project's job id.
    check_camel_12000003(call(s, "GET", v2_path(demo::other_cluster, "/" + v(demo::v2_other_running)), t0));
    // And another project's path is refused to this project's token.
    check_error(call(s, "GET", v2_path(demo::other_cluster, "", demo::other_project), t0), 401, "12000001");
}

BOOST_AUTO_TEST_CASE(unknown_and_old_clusters_answer_every_v2_call) {
    sim_state s = seeded();
    const std::string unknown = "c1000000-0000-4000-8000-0000000000ff";
    const std::string delete_body = R"({"job_id_list":[")" + v(demo::v2_succeeded) + R"("]})";
    struct a_call {
        std::string method, suffix, body;
    };
    const std::vector<a_call> calls{{"POST", "", R"({"job_type":"MapReduce","job_name":"x"})"},
                                    {"GET", "", ""},
                                    {"GET", "/" + v(demo::v2_running), ""},
                                    {"POST", "/" + v(demo::v2_running) + "/kill", ""},
                                    {"POST", "/batch-delete", delete_body}};
    for (const auto& c : calls) {
        check_camel_12000003(call(s, c.method, v2_path(unknown, c.suffix), t0, demo::token, c.body));
        // A terminated cluster is gone for job calls.
        check_camel_12000003(call(s, c.method, v2_path(demo::other_terminated_cluster, c.suffix, demo::other_project),
                                  t0, demo::other_token, c.body));
        // §1: MRS 1.8.10 is older than the 1.9.2 the v2 job API needs: 0167, whatever the call.
        const auto old = call(s, c.method, v2_path(demo::other_legacy_cluster, c.suffix, demo::other_project), t0,
                              demo::other_token, c.body);
        check_error(old, 400, "0167");
    }
    BOOST_TEST(s.render_state(t0).at("v2_jobs").as_array().size() == 9u);
    // The version decides, through the control API too.
    for (const auto& [version, ok] :
         {std::pair{"MRS 1.9.2", true}, std::pair{"MRS 1.9.1", false}, std::pair{"MRS 2.0", true},
          std::pair{"MRS 1.8", false}, std::pair{"MRS 3.1.2-LTS.3", true}, std::pair{"custom", true}}) {
        const reply made = s.add_cluster(R"({"version":")" + std::string(version) + R"("})", t0);
        BOOST_REQUIRE(made.status == 201u);
        const std::string id(json::parse(made.body).at("id").as_string());
        const auto r = call(s, "GET", v2_path(id), t0);
        BOOST_TEST(r.status == (ok ? 202u : 400u), version);
    }
    // The v1.1 paths do not care about the version.
    BOOST_TEST(call(s, "GET", "/v1.1/" + other_project + "/job-exes?cluster_id=" + v(demo::other_legacy_cluster), t0,
                    demo::other_token)
                   .status == 200u);
}

BOOST_AUTO_TEST_CASE(list_answers_202_sorted_paged_and_filtered) {
    sim_state s = seeded();
    auto list = [&](std::string_view query, std::string_view cluster = demo::cluster_1) {
        const auto r = call(s, "GET", v2_path(cluster, query), t0);
        BOOST_REQUIRE_MESSAGE(r.status == 202u, r.raw.body);
        return r.body;
    };
    const auto two = list("");
    BOOST_TEST(two.as_object().begin()->key() == "total_record");  // snake_case (§2J)
    BOOST_TEST(two.at("total_record").as_int64() == 2);
    BOOST_TEST(v2_ids(two) == (std::vector<std::string>{v(demo::v2_running), v(demo::v2_succeeded)}),
               boost::test_tools::per_element());  // newest first by default
    BOOST_TEST(v2_ids(list("?sort_by=asc")) == (std::vector<std::string>{v(demo::v2_succeeded), v(demo::v2_running)}),
               boost::test_tools::per_element());

    // 25 more on cluster 1, submitted 25 s to 1 s before now, alternately running and succeeded.
    const auto made = bulk(
        s, R"({"api":"v2","count":25,"states":{"running":1,"succeeded":1},"id_prefix":"e1000000-0000-4000-8000-"})");
    BOOST_TEST(made.at("clusters").at(0).as_string() == demo::cluster_1);
    auto id = [](int n) {
        const std::string digits = std::to_string(n);
        return "e1000000-0000-4000-8000-" + std::string(12 - digits.size(), '0') + digits;
    };
    const auto p1 = list("");  // limit 10, offset 1
    BOOST_TEST(p1.at("total_record").as_int64() == 27);
    BOOST_REQUIRE_EQUAL(v2_ids(p1).size(), 10u);
    BOOST_TEST(v2_ids(p1).front() == id(25));
    BOOST_TEST(v2_ids(p1).back() == id(16));
    // sim choice: offset is a 1-based page number.
    const auto p3 = list("?limit=10&offset=3");
    BOOST_TEST(v2_ids(p3) == (std::vector<std::string>{id(5), id(4), id(3), id(2), id(1), v(demo::v2_running),
                                                       v(demo::v2_succeeded)}),
               boost::test_tools::per_element());
    BOOST_TEST(list("?limit=10&offset=4").at("job_list").as_array().empty());
    BOOST_TEST(list("?limit=10&offset=4").at("total_record").as_int64() == 27);
    BOOST_TEST(v2_ids(list("?limit=4&offset=2&sort_by=asc")) == (std::vector<std::string>{id(3), id(4), id(5), id(6)}),
               boost::test_tools::per_element());
    BOOST_TEST(list("?limit=1000").at("job_list").as_array().size() == 27u);

    // Filters, each exact, all counted in total_record.
    BOOST_TEST(list("?job_state=RUNNING").at("total_record").as_int64() == 14);     // 13 + the demo one
    BOOST_TEST(list("?job_result=SUCCEEDED").at("total_record").as_int64() == 13);  // 12 + the demo one
    BOOST_TEST(list("?job_state=FINISHED&job_result=SUCCEEDED&limit=2").at("job_list").as_array().size() == 2u);
    BOOST_TEST(list("?job_state=KILLED").at("total_record").as_int64() == 0);
    BOOST_TEST(list("?job_state=New").at("total_record").as_int64() == 0);  // OTC's spelling is taken
    BOOST_TEST(v2_ids(list("?user=etl-bot")) == std::vector<std::string>{v(demo::v2_succeeded)},
               boost::test_tools::per_element());
    BOOST_TEST(v2_ids(list("?queue=etl")) == std::vector<std::string>{v(demo::v2_succeeded)},
               boost::test_tools::per_element());
    BOOST_TEST(v2_ids(list("?job_name=v2-wordcount-hourly")) == std::vector<std::string>{v(demo::v2_running)},
               boost::test_tools::per_element());
    BOOST_TEST(list("?job_name=v2-wordcount").at("total_record").as_int64() == 0);  // not a part of a name
    BOOST_TEST(v2_ids(list("?job_id=" + id(7))) == std::vector<std::string>{id(7)}, boost::test_tools::per_element());
    BOOST_TEST(list("?job_type=SparkSubmit").at("total_record").as_int64() == 12);  // every second one
    BOOST_TEST(list("?job_type=SparkPython").at("total_record").as_int64() == 0);   // stored as SparkSubmit
    BOOST_TEST(list("?job_type=MapReduce&job_state=RUNNING").at("total_record").as_int64() == 14);
    // The submission window, both ends inclusive: jobs 16 to 21 were submitted 10 s to 5 s ago.
    const auto window = list("?submitted_time_begin=" + std::to_string(t0 - 10000) +
                             "&submitted_time_end=" + std::to_string(t0 - 5000) + "&sort_by=asc");
    BOOST_TEST(v2_ids(window) == (std::vector<std::string>{id(16), id(17), id(18), id(19), id(20), id(21)}),
               boost::test_tools::per_element());
    BOOST_TEST(list("?submitted_time_begin=" + std::to_string(t0 - 10000) +
                    "&submitted_time_end=" + std::to_string(t0 - 5000) + "&job_state=RUNNING")
                   .at("total_record")
                   .as_int64() == 3);
    BOOST_TEST(list("?submitted_time_begin=" + std::to_string(t0)).at("total_record").as_int64() == 0);
    BOOST_TEST(list("?submitted_time_begin=5&submitted_time_end=4").at("total_record").as_int64() == 0);
    BOOST_TEST(list("", demo::cluster_3).at("total_record").as_int64() == 1);  // other clusters keep theirs

    for (const char* q :
         {"?limit=0", "?limit=x", "?offset=0", "?offset=-1", "?sort_by=newest", "?sort_by=-submitted_time",
          "?job_state=running", "?job_state=DONE", "?job_result=OK", "?job_type=Pig", "?user=1abc", "?user=a%20b",
          "?queue=a.b", "?job_id=a_b", "?job_name=", "?submitted_time_begin=x", "?submitted_time_end=-1"}) {
        check_error(call(s, "GET", v2_path(demo::cluster_1, q), t0), 400, "12000002");
    }
}

BOOST_AUTO_TEST_CASE(kill_lands_after_the_delay) {
    sim_state s = seeded(sim_options{.kill_delay_ms = 2000});
    const std::string kill = v2_path(demo::cluster_1, "/" + v(demo::v2_running) + "/kill");
    const auto first = call(s, "POST", kill, t0 + 1000);
    BOOST_TEST(first.status == 202u);
    BOOST_TEST(first.raw.body.empty());                           // §2L: no body
    BOOST_TEST(call(s, "POST", kill, t0 + 2500).status == 202u);  // a repeated kill keeps the deadline
    BOOST_TEST(*s.find_v2_job(demo::v2_running)->kill_at_ms == t0 + 3000);

    const auto before = job_detail(s, demo::cluster_1, demo::v2_running, t0 + 2999);
    BOOST_TEST(before.at("job_state").as_string() == "RUNNING");
    BOOST_TEST(before.at("finished_time").as_int64() == 0);
    // Seen by a list that never read the job alone.
    const auto listed = call(s, "GET", v2_path(demo::cluster_1, "?job_state=KILLED"), t0 + 3000).body;
    BOOST_TEST(v2_ids(listed) == std::vector<std::string>{v(demo::v2_running)}, boost::test_tools::per_element());
    const auto after = job_detail(s, demo::cluster_1, demo::v2_running, t0 + 9000);
    BOOST_TEST(after.at("job_state").as_string() == "KILLED");
    BOOST_TEST(after.at("job_result").as_string() == "KILLED");
    BOOST_TEST(after.at("finished_time").as_int64() == t0 + 3000);  // the deadline
    BOOST_TEST(after.at("job_progress").as_int64() == 100);

    // A job killed while ACCEPTED never started.
    const std::string accepted = v2_path(demo::cluster_2, "/" + v(demo::v2_accepted) + "/kill");
    BOOST_TEST(call(s, "POST", accepted, t0).status == 202u);
    const auto never = job_detail(s, demo::cluster_2, demo::v2_accepted, t0 + 2000);
    BOOST_TEST(never.at("job_state").as_string() == "KILLED");
    BOOST_TEST(never.at("started_time").as_int64() == 0);
    BOOST_TEST(never.at("app_id").as_string() == "");
    // A submitted job killed before its start is due never starts either.
    sim_state slow = seeded(sim_options{.kill_delay_ms = 100, .start_delay_ms = 5000});
    const std::string id = submit(slow, demo::cluster_1, R"({"job_type":"MapReduce","job_name":"x"})", t0);
    BOOST_TEST(call(slow, "POST", v2_path(demo::cluster_1, "/" + id + "/kill"), t0).status == 202u);
    const auto gone = job_detail(slow, demo::cluster_1, id, t0 + 10000);
    BOOST_TEST(gone.at("job_state").as_string() == "KILLED");
    BOOST_TEST(gone.at("started_time").as_int64() == 0);
    BOOST_TEST(gone.at("finished_time").as_int64() == t0 + 100);

    check_error(call(s, "POST", v2_path(demo::cluster_1, "/d1000000-0000-4000-8000-0000000000ff/kill"), t0), 400,
                "0176");
    check_error(call(s, "GET", v2_path(demo::cluster_1, "/" + v(demo::v2_running) + "/kill"), t0), 405, "12000002");
}

BOOST_AUTO_TEST_CASE(kill_of_a_finished_job_follows_the_flag) {
    sim_state ok = seeded();
    const std::string path = v2_path(demo::cluster_1, "/" + v(demo::v2_succeeded) + "/kill");
    const auto accepted = call(ok, "POST", path, t0);
    BOOST_TEST(accepted.status == 202u);
    BOOST_TEST(!ok.find_v2_job(demo::v2_succeeded)->kill_at_ms);
    BOOST_TEST(job_detail(ok, demo::cluster_1, demo::v2_succeeded, t0 + 60000).at("job_result").as_string() ==
               "SUCCEEDED");

    sim_state refuse = seeded(sim_options{.refuse_kill_finished = true});
    const auto refused = call(refuse, "POST", path, t0);
    check_error(refused, 400, "0175");
    BOOST_TEST(refused.body.at("error_msg").as_string() == "Failed to terminate the job.");
    BOOST_TEST(call(refuse, "POST", v2_path(demo::cluster_1, "/" + v(demo::v2_running) + "/kill"), t0).status == 202u);
}

BOOST_AUTO_TEST_CASE(batch_delete_is_all_or_nothing) {
    sim_state s = seeded();
    const std::string path = v2_path(demo::cluster_5, "/batch-delete");
    auto del = [&](std::string_view body, std::int64_t now = t0) {
        return call(s, "POST", path, now, demo::token, body);
    };
    const std::string done = v(demo::v2_succeeded_c5), running = v(demo::v2_running_c5);
    // A running job in the list: 0183, and nothing goes.
    check_error(del(R"({"job_id_list":[")" + done + R"(",")" + running + R"("]})"), 400, "0183");
    // An unknown id: 0176, and nothing goes.
    check_error(del(R"({"job_id_list":[")" + done + R"(","d1000000-0000-4000-8000-0000000000ff"]})"), 400, "0176");
    check_error(del(R"({"job_id_list":[""]})"), 400, "0178");
    for (const char* bad :
         {"{", "[]", "{}", R"({"job_id_list":[]})", R"({"job_id_list":"x"})", R"({"job_id_list":[1]})"}) {
        check_error(del(bad), 400, "12000002");
    }
    BOOST_TEST(s.find_v2_job(done));
    BOOST_TEST(s.find_v2_job(running));

    // Finished jobs go (a repeated id counts once); 202, no body.
    const auto gone = del(R"({"job_id_list":[")" + done + R"(",")" + done + R"("]})");
    BOOST_TEST(gone.status == 202u);
    BOOST_TEST(gone.raw.body.empty());
    BOOST_TEST(!s.find_v2_job(done));
    check_error(call(s, "GET", v2_path(demo::cluster_5, "/" + done), t0), 400, "0176");
    BOOST_TEST(call(s, "GET", v2_path(demo::cluster_5), t0).body.at("total_record").as_int64() == 1);
    check_error(del(R"({"job_id_list":[")" + done + R"("]})"), 400, "0176");  // already gone

    // Once killed, the running one can go too.
    BOOST_TEST(call(s, "POST", v2_path(demo::cluster_5, "/" + running + "/kill"), t0).status == 202u);
    check_error(del(R"({"job_id_list":[")" + running + R"("]})", t0 + 1999), 400, "0183");  // the kill is pending
    BOOST_TEST(del(R"({"job_id_list":[")" + running + R"("]})", t0 + 2000).status == 202u);
    BOOST_TEST(call(s, "GET", v2_path(demo::cluster_5), t0 + 2000).body.at("total_record").as_int64() == 0);

    // Several at once, from another cluster.
    const auto two = call(s, "POST", v2_path(demo::cluster_2, "/batch-delete"), t0, demo::token,
                          R"({"job_id_list":[")" + v(demo::v2_failed) + R"("]})");
    BOOST_TEST(two.status == 202u);
    BOOST_TEST(s.render_state(t0 + 2000).at("v2_jobs").as_array().size() == 6u);
}

BOOST_AUTO_TEST_CASE(v2_routes_and_counters_names) {
    auto r = match_route("POST", v2_path("c", "/batch-delete"));
    BOOST_TEST((r.result == route::kind::matched && r.ep == endpoint::v2_delete && r.cluster == "c"));
    r = match_route("GET", v2_path("c", "/batch-delete"));  // a job called batch-delete
    BOOST_TEST((r.ep == endpoint::v2_show && r.id == "batch-delete"));
    r = match_route("POST", v2_path("c", "/j1/kill"));
    BOOST_TEST((r.ep == endpoint::v2_kill && r.id == "j1" && r.project == demo_project));
    r = match_route("GET", v2_path("c", "?limit=5"));
    BOOST_TEST((r.result == route::kind::matched && r.ep == endpoint::v2_list));
    BOOST_TEST((match_route("POST", v2_path("c")).ep == endpoint::v2_submit));
    BOOST_TEST((match_route("PUT", v2_path("c")).result == route::kind::bad_method));
    BOOST_TEST((match_route("POST", v2_path("c", "/j1")).result == route::kind::bad_method));
    BOOST_TEST((match_route("GET", v2_path("c", "/j1/sql-result")).result == route::kind::unknown));
    BOOST_TEST((match_route("GET", "/v2/" + demo_project + "/clusters").result == route::kind::unknown));
    const std::vector<std::string> names{"v2_submit", "v2_list",      "v2_show",     "v2_kill",
                                         "v2_delete", "cluster_list", "cluster_show"};
    for (std::size_t i = 0; i < names.size(); ++i) {
        BOOST_TEST(endpoint_name(static_cast<endpoint>(static_cast<std::size_t>(endpoint::v2_submit) + i)) == names[i]);
    }
    sim_state s = seeded();
    check_error(call(s, "GET", v2_path(demo::cluster_1, "/x/sql-result"), t0), 404, "12000002");
}

BOOST_AUTO_TEST_CASE(control_seeds_single_v2_jobs) {
    sim_state s = seeded();
    const reply made = s.add_job(R"({"api":"v2","cluster_id":")" + v(demo::cluster_3) +
                                     R"(","state":"abnormal","id":"e2000000-0000-4000-8000-000000000001",)"
                                     R"("job_name":"n","job_type":"SparkPython","user":"u1","queue":"q1",)"
                                     R"("arguments":["a","b"],"properties":{"k":"v"}})",
                                 t0);
    BOOST_REQUIRE_MESSAGE(made.status == 201u, made.body);
    const auto d = job_detail(s, demo::cluster_3, "e2000000-0000-4000-8000-000000000001", t0);
    BOOST_TEST(d.at("job_state").as_string() == "FAILED");
    BOOST_TEST(d.at("job_result").as_string() == "FAILED");
    BOOST_TEST(d.at("job_type").as_string() == "SparkSubmit");
    BOOST_TEST(d.at("user").as_string() == "u1");
    BOOST_TEST(d.at("queue").as_string() == "q1");
    BOOST_TEST(d.at("arguments").as_string() == "[a, b]");
    BOOST_TEST(d.at("properties").as_string() == "{k=v}");
    BOOST_TEST(d.at("finished_time").as_int64() == t0);

    // Defaults: the first project's first cluster, running, a MapReduce job.
    const reply plain = s.add_job(R"({"api":"v2"})", t0);
    BOOST_REQUIRE(plain.status == 201u);
    const std::string id(json::parse(plain.body).at("id").as_string());
    BOOST_TEST(s.find_v2_job(id)->cluster_id == demo::cluster_1);
    BOOST_TEST((s.find_v2_job(id)->status == job_status::running));
    BOOST_TEST(!s.find_job(id));
    // The other project, from its cluster.
    const reply other = s.add_job(R"({"api":"v2","cluster_id":")" + v(demo::other_cluster) + R"("})", t0);
    BOOST_TEST(s.find_v2_job(json::parse(other.body).at("id").as_string())->project == other_project);

    const auto before = s.render_state(t0);
    for (const char* bad :
         {R"({"api":"v3"})", R"({"api":2})", R"({"api":"v2","protected":true})", R"({"api":"v2","state":"done"})",
          R"({"api":"v2","job_type":"Pig"})", R"({"api":"v2","id":"e2000000-0000-4000-8000-000000000001"})",
          R"({"api":"v2","arguments":"x"})", R"({"api":"v2","properties":{"k":1}})",
          R"({"api":"v2","cluster_id":"c2000000-0000-4000-8000-000000000001","project":")"
          "6b2a9f0c1d3e4f5a8b7c6d5e4f3a2b1c\"}",
          R"({"api":"v1.1","job_type":"MapReduce"})"}) {
        const reply r = s.add_job(bad, t0);
        BOOST_TEST(r.status == 400u, bad);
    }
    BOOST_TEST(s.render_state(t0) == before);
    // "api":"v1.1" is the default and makes a v1.1 job.
    const reply v11 = s.add_job(R"({"api":"v1.1","state":"failed"})", t0);
    BOOST_REQUIRE(v11.status == 201u);
    BOOST_TEST(s.find_job(json::parse(v11.body).at("id").as_string()));
}

BOOST_AUTO_TEST_CASE(bulk_v2_jobs_are_cheap_and_page_over_five_clusters) {
    sim_state s = seeded();
    const auto started = std::chrono::steady_clock::now();
    const auto made =
        bulk(s, R"({"api":"v2","count":50000,"clusters":5,"states":{"running":1,"succeeded":3,"killed":1}})");
    const auto took = std::chrono::steady_clock::now() - started;
    BOOST_TEST_MESSAGE("50,000 v2 jobs seeded in "
                       << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
    BOOST_TEST(made.at("created").as_int64() == 50000);
    const std::vector<std::string> five{v(demo::cluster_1), v(demo::cluster_2), v(demo::cluster_3), v(demo::cluster_4),
                                        v(demo::cluster_5)};
    BOOST_TEST(strings(made.at("clusters")) == five, boost::test_tools::per_element());  // the demo project's own
    const std::string first(made.at("first_id").as_string());
    BOOST_TEST(first.ends_with("-0000-4000-9000-000000000001"));  // v2 default ids: 9 as variant digit
    BOOST_TEST(made.at("last_id").as_string().ends_with("-0000-4000-9000-000000050000"));
    BOOST_TEST(page_ids(call(s, "GET", jobs_path(), t0).body).size() == 7u);  // no v1.1 job made

    // Each cluster's pages, 1000 rows each, cover its jobs once, newest first.
    std::set<std::string> everywhere;
    for (const auto& c : five) {
        std::set<std::string> here;
        std::int64_t total = -1, newest = std::numeric_limits<std::int64_t>::max();
        int out_of_order = 0, wrong = 0;
        for (int offset = 1;; ++offset) {
            const auto body = call(s, "GET", v2_path(c, "?limit=1000&offset=" + std::to_string(offset)), t0).body;
            total = body.at("total_record").as_int64();
            const auto& rows = body.at("job_list").as_array();
            for (const auto& j : rows) {
                out_of_order += j.at("submitted_time").as_int64() > newest ? 1 : 0;
                newest = j.at("submitted_time").as_int64();
                here.emplace(j.at("job_id").as_string());
                wrong += s.find_v2_job(j.at("job_id").as_string())->cluster_id == c ? 0 : 1;
            }
            if (rows.size() < 1000) {
                break;
            }
        }
        BOOST_TEST(static_cast<std::int64_t>(here.size()) == total);
        BOOST_TEST(out_of_order == 0);
        BOOST_TEST(wrong == 0);
        everywhere.insert(here.begin(), here.end());
    }
    BOOST_TEST(everywhere.size() == 50000u + 8u);  // and the demo project's 8
    // States follow the weights on each cluster: a fifth killed.
    const auto killed = call(s, "GET", v2_path(demo::cluster_3, "?job_state=KILLED&limit=1"), t0).body;
    BOOST_TEST(killed.at("total_record").as_int64() == 2000 + 1);  // and the demo one

    // Deterministic ids: a fresh sim makes the same; an id_prefix that clashes makes nothing.
    sim_state again = seeded();
    BOOST_TEST(bulk(again, R"({"api":"v2","count":1})").at("first_id").as_string() == first);
    bulk(again, R"({"api":"v2","count":3,"id_prefix":"e3"})");
    BOOST_TEST(again.find_v2_job("e3000000-0000-0000-0000-000000000003"));
    const auto before = again.render_state(t0);
    BOOST_TEST(again.add_job(R"({"api":"v2","count":5,"id_prefix":"e3"})", t0).status == 400u);
    BOOST_TEST(again.add_job(R"({"api":"v2","count":5,"protected":true})", t0).status == 400u);
    BOOST_TEST(again.render_state(t0) == before);
}

BOOST_AUTO_TEST_SUITE_END()
