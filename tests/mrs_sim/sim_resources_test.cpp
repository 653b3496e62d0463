// Unit tests of the simulator's Sahara-compatible job objects and data sources (list, detail,
// paging, unknown ids), the switch that takes the job-object API away, the unknown-id answer
// switch, and the control calls that add job objects and data sources.
#include "sim_state.hpp"
#include "sim_test_util.hpp"

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <set>
#include <string>
#include <vector>

using namespace sim_test;

namespace {

std::string objects_path(std::string_view rest = "", std::string_view project = demo::project) {
    return "/v1.1/" + std::string(project) + "/jobs" + std::string(rest);
}

std::string sources_path(std::string_view rest = "", std::string_view project = demo::project) {
    return "/v1.1/" + std::string(project) + "/data-sources" + std::string(rest);
}

std::vector<std::string> ids_in(const json::value& body, std::string_view envelope) {
    std::vector<std::string> ids;
    for (const auto& o : body.at(envelope).as_array()) {
        ids.emplace_back(o.at("id").as_string());
    }
    return ids;
}

std::vector<std::string> keys_of(const json::object& o) {
    std::vector<std::string> keys;
    for (const auto& kv : o) {
        keys.emplace_back(kv.key());
    }
    return keys;
}

bool iso_time(const json::value& v) {
    // "YYYY-MM-DDTHH:MM:SS", no zone.
    if (!v.is_string() || v.as_string().size() != 19) {
        return false;
    }
    const std::string_view s = v.as_string();
    return s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' && s[16] == ':';
}

const std::vector<std::string> demo_objects{std::string(demo::job_object_wordcount), std::string(demo::job_object_spark_pi),
                                            std::string(demo::job_object_distcp),
                                            std::string(demo::job_object_spark_script), std::string(demo::job_object_hive)};

const std::vector<std::string> demo_sources{std::string(demo::data_source_input), std::string(demo::data_source_output),
                                            std::string(demo::data_source_obs)};

std::string execute_body(std::string_view cluster) {
    return R"({"cluster_id":")" + std::string(cluster) +
           R"(","input_id":")" + std::string(demo::data_source_input) + R"(","output_id":")" +
           std::string(demo::data_source_output) + R"(","job_configs":{"args":["in","out"]}})";
}

void check_markers(const json::value& body, const json::value& prev, const json::value& next) {
    const auto& m = body.at("markers").as_object();
    BOOST_TEST(m.size() == 2u);
    BOOST_TEST(m.at("prev") == prev);
    BOOST_TEST(m.at("next") == next);
}

json::value id_value(const std::vector<std::string>& ids, std::size_t i) {
    return json::value(ids.at(i));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mrs_sim_resources)

BOOST_AUTO_TEST_CASE(job_object_list_shows_the_demo_objects_with_saharas_keys) {
    sim_state s = seeded();
    const auto r = call(s, "GET", objects_path(), t0);
    BOOST_REQUIRE(r.status == 200u);
    BOOST_TEST(keys_of(r.body.as_object()) == (std::vector<std::string>{"markers", "jobs"}),
               boost::test_tools::per_element());
    check_markers(r.body, nullptr, nullptr);  // always there, null without limit
    BOOST_TEST(ids_in(r.body, "jobs") == demo_objects, boost::test_tools::per_element());  // by id

    // Exactly Sahara v1.1's keys, in the documented example's order.
    const auto& wordcount = r.body.at("jobs").at(0).as_object();
    BOOST_TEST(keys_of(wordcount) == (std::vector<std::string>{"name", "type", "description", "mains", "libs",
                                                               "created_at", "updated_at", "id", "tenant_id",
                                                               "is_public", "is_protected", "interface"}),
               boost::test_tools::per_element());
    BOOST_TEST(wordcount.at("name").as_string() == "wordcount");
    BOOST_TEST(wordcount.at("type").as_string() == "MapReduce");  // a string, not the number 1
    BOOST_TEST(wordcount.at("tenant_id").as_string() == demo_project);
    BOOST_TEST(wordcount.at("is_public").as_bool() == false);
    BOOST_TEST(wordcount.at("is_protected").as_bool() == false);
    BOOST_TEST(wordcount.at("interface").as_array().empty());
    BOOST_TEST(wordcount.at("mains").as_array().empty());
    BOOST_TEST(iso_time(wordcount.at("created_at")));
    BOOST_TEST(wordcount.at("created_at").as_string() == iso_seconds(t0 / 1000 * 1000 - 40 * 86400000LL));
    const auto& lib = wordcount.at("libs").at(0).as_object();
    BOOST_TEST(keys_of(lib) == (std::vector<std::string>{"name", "url", "description", "id", "tenant_id", "is_public",
                                                          "is_protected", "extra"}),
               boost::test_tools::per_element());
    BOOST_TEST(lib.at("extra").is_null());  // MRS keeps extra, Sahara drops it
    BOOST_TEST(lib.at("name").as_string() == "hadoop-mapreduce-examples.jar");
    BOOST_TEST(lib.at("id").as_string() == "e1000000-0000-4000-8000-000000000001");
    BOOST_TEST(lib.at("tenant_id").as_string() == demo_project);
    BOOST_TEST(!lib.contains("created_at"));

    // The MRS-only types, and mains where the type needs them.
    const auto& all = r.body.at("jobs").as_array();
    BOOST_TEST(all[1].at("type").as_string() == "Spark");
    BOOST_TEST(all[1].at("libs").as_array().size() == 1u);
    BOOST_TEST(all[1].at("updated_at") != all[1].at("created_at"));
    BOOST_TEST(all[2].at("type").as_string() == "DistCp");
    BOOST_TEST(all[2].at("mains").as_array().empty());
    BOOST_TEST(all[2].at("libs").as_array().empty());
    BOOST_TEST(all[3].at("type").as_string() == "SparkScript");
    BOOST_TEST(all[3].at("mains").at(0).at("url").as_string() == "s3a://mrs-sim/program/report.sql");
    BOOST_TEST(all[4].at("type").as_string() == "Hive");
    BOOST_TEST(all[4].at("mains").as_array().size() == 1u);

    // The other project sees its own one only.
    const auto other = call(s, "GET", objects_path("", demo::other_project), t0, demo::other_token);
    BOOST_TEST(ids_in(other.body, "jobs") == std::vector<std::string>{std::string(demo::other_job_object)},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(job_object_detail_is_the_list_item_and_execute_runs_it) {
    sim_state s = seeded();
    const auto list = call(s, "GET", objects_path(), t0).body;
    for (std::size_t i = 0; i < demo_objects.size(); ++i) {
        const auto r = call(s, "GET", objects_path("/" + demo_objects[i]), t0);
        BOOST_REQUIRE(r.status == 200u);
        BOOST_TEST(r.body.as_object().size() == 1u);
        BOOST_TEST(r.body.at("job") == list.at("jobs").at(i));
    }
    // The ids execute takes are the ids the list shows.
    const auto run =
        call(s, "POST", objects_path("/" + std::string(demo::job_object_distcp) + "/execute"), t0, demo::token,
             execute_body(demo::cluster_1));
    BOOST_REQUIRE(run.status == 202u);
    BOOST_TEST(run.body.at("job_execution").at("job_id").as_string() == demo::job_object_distcp);
    const std::string exe(run.body.at("job_execution").at("id").as_string());
    const auto shown = call(s, "GET", exes_path("/" + exe), t0);
    BOOST_TEST(shown.body.at("job_execution").at("job_type").as_int64() == 5);  // DistCp (§4.3)
    BOOST_TEST(shown.body.at("job_execution").at("job_name").as_string() == "distcp-import");
    BOOST_TEST(shown.body.at("job_execution").at("file_action").as_string() == "import");
}

BOOST_AUTO_TEST_CASE(unknown_job_objects_answer_0176_or_saharas_404) {
    sim_state s = seeded();
    const std::string missing = "b1000000-0000-4000-8000-0000000000ff";
    check_error(call(s, "GET", objects_path("/" + missing), t0), 400, "0176");
    // Another project's job object is invisible.
    check_error(call(s, "GET", objects_path("/" + std::string(demo::other_job_object)), t0), 400, "0176");
    check_error(call(s, "GET", objects_path("?marker=" + missing), t0), 400, "0176");
    check_error(call(s, "POST", objects_path("/" + missing + "/execute"), t0, demo::token, execute_body(demo::cluster_1)),
                400, "0176");

    BOOST_REQUIRE(s.set_switches(R"({"resource_not_found":"sahara"})").status == 200u);
    for (const std::string& target :
         {objects_path("/" + missing), objects_path("?limit=2&marker=" + missing), sources_path("/" + missing)}) {
        const auto r = call(s, "GET", target, t0);
        BOOST_TEST(r.status == 404u, target);
        BOOST_TEST(keys_of(r.body.as_object()) ==
                       (std::vector<std::string>{"error_code", "error_message", "error_name"}),
                   boost::test_tools::per_element());
        BOOST_TEST(r.body.at("error_code").as_int64() == 404);  // an integer, the HTTP status
        BOOST_TEST(r.body.at("error_name").as_string() == "NOT_FOUND");
        const std::string message(r.body.at("error_message").as_string());
        BOOST_TEST(message.starts_with("Object with {'id': '" + missing + "'} not found\nError ID: "), message);
        BOOST_TEST(is_lower_uuid(message.substr(message.find("Error ID: ") + 10)), message);
    }
    const auto run =
        call(s, "POST", objects_path("/" + missing + "/execute"), t0, demo::token, execute_body(demo::cluster_1));
    BOOST_TEST(run.status == 404u);
    BOOST_TEST(run.body.at("error_name").as_string() == "NOT_FOUND");
    // Only these ids: an unknown job execution keeps MRS's 0176.
    check_error(call(s, "GET", job_path("a1000000-0000-4000-8000-0000000000ff"), t0), 400, "0176");
}

BOOST_AUTO_TEST_CASE(job_object_list_pages_after_the_marker_and_sorts) {
    sim_state s = seeded();
    auto get = [&](std::string_view query) {
        const auto r = call(s, "GET", objects_path(query), t0);
        BOOST_REQUIRE_MESSAGE(r.status == 200u, r.raw.body);
        return r.body;
    };
    const auto& ids = demo_objects;
    const auto first = get("?limit=2");
    BOOST_TEST(ids_in(first, "jobs") == (std::vector<std::string>{ids[0], ids[1]}), boost::test_tools::per_element());
    check_markers(first, nullptr, id_value(ids, 1));  // next: the page's last id

    // The marker is left out: the page starts after it.
    const auto second = get("?limit=2&marker=" + ids[1]);
    BOOST_TEST(ids_in(second, "jobs") == (std::vector<std::string>{ids[2], ids[3]}), boost::test_tools::per_element());
    check_markers(second, nullptr, id_value(ids, 3));  // prev: the marker 2 rows back is before the start

    const auto third = get("?limit=2&marker=" + ids[3]);
    BOOST_TEST(ids_in(third, "jobs") == std::vector<std::string>{ids[4]}, boost::test_tools::per_element());
    check_markers(third, id_value(ids, 1), nullptr);  // prev: the marker of the page before

    // A full last page: next is null (the data-source example), prev is not the marker.
    const auto last = get("?limit=2&marker=" + ids[2]);
    BOOST_TEST(ids_in(last, "jobs") == (std::vector<std::string>{ids[3], ids[4]}), boost::test_tools::per_element());
    check_markers(last, id_value(ids, 0), nullptr);
    BOOST_TEST(get("?limit=3&marker=" + ids[4]).at("jobs").as_array().empty());
    check_markers(get("?marker=" + ids[0]), nullptr, nullptr);  // no limit: the rest, no markers
    BOOST_TEST(get("?marker=" + ids[0]).at("jobs").as_array().size() == 4u);

    const std::vector<std::string> by_name{ids[2], ids[4], ids[1], ids[3], ids[0]};
    BOOST_TEST(ids_in(get("?sort_by=name"), "jobs") == by_name, boost::test_tools::per_element());
    const std::vector<std::string> by_name_desc(by_name.rbegin(), by_name.rend());
    BOOST_TEST(ids_in(get("?sort_by=-name"), "jobs") == by_name_desc, boost::test_tools::per_element());
    BOOST_TEST(ids_in(get("?sort_by=-name&limit=2&marker=" + by_name_desc[1]), "jobs") ==
                   (std::vector<std::string>{by_name_desc[2], by_name_desc[3]}),
               boost::test_tools::per_element());
    // DistCp, Hive, MapReduce, Spark, SparkScript.
    BOOST_TEST(ids_in(get("?sort_by=type"), "jobs") == (std::vector<std::string>{ids[2], ids[4], ids[0], ids[1], ids[3]}),
               boost::test_tools::per_element());
    BOOST_TEST(ids_in(get("?sort_by=-created_at"), "jobs") ==
                   (std::vector<std::string>{ids[4], ids[3], ids[2], ids[1], ids[0]}),
               boost::test_tools::per_element());
    BOOST_TEST(ids_in(get("?sort_by=updated_at"), "jobs").front() == ids[0]);
    // No filter is documented: type and name are ignored.
    BOOST_TEST(ids_in(get("?type=Spark&name=wordcount"), "jobs") == ids, boost::test_tools::per_element());
    BOOST_TEST(get("?limit=1073741822").at("jobs").as_array().size() == 5u);

    for (const char* q : {"?limit=0", "?limit=1073741823", "?limit=x", "?sort_by=colour", "?sort_by=-", "?sort_by=status"}) {
        check_error(call(s, "GET", objects_path(q), t0), 400, "12000002");
    }
}

BOOST_AUTO_TEST_CASE(the_job_object_api_can_be_gone) {
    sim_state s = seeded();
    const std::string detail = objects_path("/" + std::string(demo::job_object_wordcount));
    const std::string execute = detail + "/execute";
    BOOST_TEST(s.render_switches() ==
               (json::object{{"job_object_api", "available"}, {"resource_not_found", "mrs"}}));

    const reply set = s.set_switches(R"({"job_object_api":"gone"})");
    BOOST_REQUIRE_MESSAGE(set.status == 200u, set.body);
    BOOST_TEST(json::parse(set.body) == (json::object{{"job_object_api", "gone"}, {"resource_not_found", "mrs"}}));
    // Every /jobs path answers as a path that is not an endpoint, before the token is looked at.
    for (const auto& [method, target] :
         std::vector<std::pair<std::string, std::string>>{{"GET", objects_path()},
                                                          {"GET", objects_path("?limit=1")},
                                                          {"GET", detail},
                                                          {"GET", objects_path("/b1000000-0000-4000-8000-0000000000ff")},
                                                          {"POST", execute},
                                                          {"POST", objects_path()},
                                                          {"DELETE", detail}}) {
        const auto r = call(s, method, target, t0, demo::token, execute_body(demo::cluster_1));
        check_error(r, 404, "12000002");
        BOOST_TEST(r.body.at("error_msg").as_string() == "The API does not exist.");
        check_error(call(s, method, target, t0, std::nullopt), 404, "12000002");
    }
    // Data sources, clusters and job executions stay.
    BOOST_TEST(call(s, "GET", sources_path(), t0).status == 200u);
    BOOST_TEST(call(s, "GET", "/v1.1/" + demo_project + "/cluster_infos", t0).status == 200u);
    BOOST_TEST(call(s, "GET", jobs_path(), t0).status == 200u);
    const auto before = s.render_state(t0);

    // reads-gone: the list and the detail are gone, execute still runs.
    BOOST_REQUIRE(s.set_switches(R"({"job_object_api":"reads-gone"})").status == 200u);
    check_error(call(s, "GET", objects_path(), t0), 404, "12000002");
    check_error(call(s, "GET", detail, t0), 404, "12000002");
    BOOST_TEST(call(s, "POST", execute, t0, demo::token, execute_body(demo::cluster_1)).status == 202u);

    BOOST_REQUIRE(s.set_switches(R"({"job_object_api":"available"})").status == 200u);
    BOOST_TEST(call(s, "GET", objects_path(), t0).status == 200u);
    BOOST_TEST(call(s, "GET", detail, t0).status == 200u);
    BOOST_TEST(before.at("jobs").as_array().size() + 1 == s.render_state(t0).at("jobs").as_array().size());

    for (const char* bad : {R"({"job_object_api":"off"})", R"({"job_object_api":true})", R"({"resource_not_found":"404"})",
                            R"({"colour":"red"})", "[]", "{"}) {
        BOOST_TEST(s.set_switches(bad).status == 400u, bad);
    }
    BOOST_TEST(s.render_switches().at("job_object_api").as_string() == "available");  // a refused call changes nothing

    // The same from the options (the command line).
    sim_options gone;
    gone.job_objects = job_object_api::gone;
    sim_state g = seeded(gone);
    check_error(call(g, "GET", objects_path(), t0), 404, "12000002");
    check_error(call(g, "POST", execute, t0, demo::token, execute_body(demo::cluster_1)), 404, "12000002");
    BOOST_TEST((parse_job_object_api("reads-gone") == job_object_api::reads_gone));
    BOOST_TEST(!parse_job_object_api("reads_gone"));
    BOOST_TEST((parse_not_found_style("sahara") == not_found_style::sahara));
}

BOOST_AUTO_TEST_CASE(data_sources_list_and_detail) {
    sim_state s = seeded();
    const auto r = call(s, "GET", sources_path(), t0);
    BOOST_REQUIRE(r.status == 200u);
    BOOST_TEST(keys_of(r.body.as_object()) == (std::vector<std::string>{"markers", "data_sources"}),
               boost::test_tools::per_element());
    check_markers(r.body, nullptr, nullptr);
    BOOST_TEST(ids_in(r.body, "data_sources") == demo_sources, boost::test_tools::per_element());
    const auto& input = r.body.at("data_sources").at(0).as_object();
    BOOST_TEST(keys_of(input) == (std::vector<std::string>{"name", "type", "url", "description", "created_at",
                                                           "updated_at", "id", "tenant_id", "is_public",
                                                           "is_protected"}),
               boost::test_tools::per_element());
    BOOST_TEST(input.at("name").as_string() == "demo-input");
    BOOST_TEST(input.at("type").as_string() == "hdfs");
    BOOST_TEST(input.at("url").as_string().starts_with("/"));
    BOOST_TEST(iso_time(input.at("created_at")));
    BOOST_TEST(input.at("updated_at").is_null());  // never updated
    BOOST_TEST(input.at("tenant_id").as_string() == demo_project);
    BOOST_TEST(input.at("is_public").as_bool() == false);
    const auto& output = r.body.at("data_sources").at(1).as_object();
    BOOST_TEST(output.at("name").as_string() == "demo-output");
    BOOST_TEST(iso_time(output.at("updated_at")));
    const auto& obs = r.body.at("data_sources").at(2).as_object();
    BOOST_TEST(obs.at("type").as_string() == "obs");
    BOOST_TEST(obs.at("url").as_string().starts_with("s3a://"));

    const auto shown = call(s, "GET", sources_path("/" + std::string(demo::data_source_output)), t0);
    BOOST_REQUIRE(shown.status == 200u);
    BOOST_TEST(shown.body.as_object().size() == 1u);
    BOOST_TEST(shown.body.at("data_source") == r.body.at("data_sources").at(1));

    check_error(call(s, "GET", sources_path("/f1000000-0000-4000-8000-0000000000ff"), t0), 400, "12000002");
    check_error(call(s, "GET", sources_path("/" + std::string(demo::other_data_source)), t0), 400, "12000002");
    check_error(call(s, "GET", sources_path("?marker=f1000000-0000-4000-8000-0000000000ff"), t0), 400, "12000002");
    const auto other = call(s, "GET", sources_path("", demo::other_project), t0, demo::other_token);
    BOOST_TEST(ids_in(other.body, "data_sources") == std::vector<std::string>{std::string(demo::other_data_source)},
               boost::test_tools::per_element());

    // Paging and sorting as for job objects; updated_at null sorts first.
    const auto page = call(s, "GET", sources_path("?limit=1&marker=" + demo_sources[0]), t0).body;
    BOOST_TEST(ids_in(page, "data_sources") == std::vector<std::string>{demo_sources[1]}, boost::test_tools::per_element());
    check_markers(page, nullptr, id_value(demo_sources, 1));
    BOOST_TEST(ids_in(call(s, "GET", sources_path("?sort_by=-name"), t0).body, "data_sources") ==
                   (std::vector<std::string>{demo_sources[1], demo_sources[2], demo_sources[0]}),
               boost::test_tools::per_element());
    BOOST_TEST(ids_in(call(s, "GET", sources_path("?sort_by=updated_at"), t0).body, "data_sources") ==
                   (std::vector<std::string>{demo_sources[0], demo_sources[2], demo_sources[1]}),
               boost::test_tools::per_element());
    check_error(call(s, "GET", sources_path("?sort_by=url"), t0), 400, "12000002");

    // Auth and routing as for every MRS path.
    check_error(call(s, "GET", sources_path(), t0, demo::other_token), 401, "12000001");
    check_error(call(s, "GET", sources_path(), t0, std::nullopt), 401, "APIGW.0301");
    check_error(call(s, "POST", sources_path(), t0), 405, "12000002");
    check_error(call(s, "GET", sources_path("/x/y"), t0), 404, "12000002");
}

BOOST_AUTO_TEST_CASE(routes_and_endpoint_names) {
    const route list = match_route("GET", objects_path("?limit=1"));
    BOOST_TEST((list.result == route::kind::matched && list.ep == endpoint::job_object_list));
    const route show = match_route("GET", objects_path("/abc"));
    BOOST_TEST((show.result == route::kind::matched && show.ep == endpoint::job_object_show && show.id == "abc"));
    const route del = match_route("DELETE", objects_path("/abc"));
    BOOST_TEST((del.result == route::kind::bad_method && del.ep == endpoint::job_object_show));
    const route exec = match_route("POST", objects_path("/abc/execute"));
    BOOST_TEST((exec.result == route::kind::matched && exec.ep == endpoint::execute && exec.id == "abc"));
    // submit-job is not simulated: not an endpoint, whatever the method.
    BOOST_TEST((match_route("POST", objects_path("/submit-job")).result == route::kind::unknown));
    BOOST_TEST((match_route("GET", objects_path("/submit-job")).result == route::kind::unknown));
    BOOST_TEST((match_route("GET", objects_path("/abc/def")).result == route::kind::unknown));
    const route sources = match_route("GET", sources_path());
    BOOST_TEST((sources.result == route::kind::matched && sources.ep == endpoint::data_source_list));
    const route source = match_route("GET", sources_path("/f1"));
    BOOST_TEST((source.ep == endpoint::data_source_show && source.id == "f1"));
    BOOST_TEST(endpoint_name(endpoint::job_object_list) == "job_object_list");
    BOOST_TEST(endpoint_name(endpoint::job_object_show) == "job_object_show");
    BOOST_TEST(endpoint_name(endpoint::data_source_list) == "data_source_list");
    BOOST_TEST(endpoint_name(endpoint::data_source_show) == "data_source_show");
    BOOST_TEST(job_object_type(5) == "DistCp");
    BOOST_TEST(job_object_type(6) == "SparkScript");
    BOOST_TEST(job_object_type(4) == "hql");
    BOOST_TEST(job_object_type(8) == "");
    BOOST_TEST((parse_job_object_type("SparkSql") == 7));
}

BOOST_AUTO_TEST_CASE(control_adds_data_sources) {
    sim_state s = seeded();
    const reply made = s.add_data_source(R"({"id":"f3000000-0000-4000-8000-000000000001","name":"bulk_in",)"
                                         R"("type":"obs","url":"s3a://bucket/in/","description":"d"})",
                                         t0 + 7000);
    BOOST_REQUIRE_MESSAGE(made.status == 201u, made.body);
    const auto shown = call(s, "GET", sources_path("/f3000000-0000-4000-8000-000000000001"), t0).body.at("data_source");
    BOOST_TEST(shown.at("name").as_string() == "bulk_in");
    BOOST_TEST(shown.at("type").as_string() == "obs");
    BOOST_TEST(shown.at("created_at").as_string() == iso_seconds(t0 + 7000));
    BOOST_TEST(shown.at("updated_at").is_null());

    // Defaults: the first project, hdfs, the next name, a "/" path.
    const reply plain = s.add_data_source("", t0);
    BOOST_REQUIRE(plain.status == 201u);
    const std::string id(json::parse(plain.body).at("id").as_string());
    const auto p = call(s, "GET", sources_path("/" + id), t0).body.at("data_source");
    BOOST_TEST(p.at("name").as_string() == "sim-data-source-5");
    BOOST_TEST(p.at("type").as_string() == "hdfs");
    BOOST_TEST(p.at("url").as_string() == "/user/sim/data-5");
    BOOST_TEST(call(s, "GET", sources_path(), t0).body.at("data_sources").as_array().size() == 5u);
    BOOST_REQUIRE(s.add_data_source(R"({"project":"0f1e2d3c4b5a69788796a5b4c3d2e1f0"})", t0).status == 201u);
    BOOST_TEST(call(s, "GET", sources_path("", demo::other_project), t0, demo::other_token)
                   .body.at("data_sources")
                   .as_array()
                   .size() == 2u);

    const auto before = s.render_state(t0);
    for (const char* bad : {R"({"type":"swift"})", R"({"type":"obs","url":"/user/x"})", R"({"url":"s3a://b/"})",
                            R"({"name":"has space"})", R"({"name":""})", R"({"id":"f3000000-0000-4000-8000-000000000001"})",
                            R"({"id":"F3"})", R"({"project":"ffffffffffffffffffffffffffffffff"})", R"({"colour":"red"})",
                            R"({"description":5})", "[]"}) {
        BOOST_TEST(s.add_data_source(bad, t0).status == 400u, bad);
    }
    const std::string long_name = R"({"name":")" + std::string(81, 'a') + R"("})";
    BOOST_TEST(s.add_data_source(long_name, t0).status == 400u);
    BOOST_TEST(s.render_state(t0) == before);
    BOOST_TEST(before.at("data_sources").as_array().size() == 7u);
}

BOOST_AUTO_TEST_CASE(control_adds_job_objects_that_execute_runs) {
    sim_state s = seeded();
    const reply made = s.add_job_object(R"({"id":"b3000000-0000-4000-8000-000000000001","name":"copy-out",)"
                                        R"("type":"DistCp","description":"export"})",
                                        t0 + 3000);
    BOOST_REQUIRE_MESSAGE(made.status == 201u, made.body);
    const auto shown =
        call(s, "GET", objects_path("/b3000000-0000-4000-8000-000000000001"), t0).body.at("job");
    BOOST_TEST(shown.at("type").as_string() == "DistCp");
    BOOST_TEST(shown.at("libs").as_array().empty());
    BOOST_TEST(shown.at("created_at").as_string() == iso_seconds(t0 + 3000));
    const auto run = call(s, "POST", objects_path("/b3000000-0000-4000-8000-000000000001/execute"), t0, demo::token,
                          execute_body(demo::cluster_2));
    BOOST_TEST(run.status == 202u);

    // Defaults by type: a MapReduce object gets the example jar in libs, a SparkScript one a script in mains.
    const reply plain = s.add_job_object("", t0);
    BOOST_REQUIRE(plain.status == 201u);
    const auto mr =
        call(s, "GET", objects_path("/" + std::string(json::parse(plain.body).at("id").as_string())), t0).body.at("job");
    BOOST_TEST(mr.at("type").as_string() == "MapReduce");
    BOOST_TEST(mr.at("name").as_string() == "sim-job-object-7");
    BOOST_TEST(mr.at("libs").at(0).at("name").as_string() == "hadoop-mapreduce-examples.jar");
    const reply script = s.add_job_object(R"({"type":"SparkScript","mains":["s3a://b/q/run.sql"]})", t0);
    BOOST_REQUIRE(script.status == 201u);
    const auto ss =
        call(s, "GET", objects_path("/" + std::string(json::parse(script.body).at("id").as_string())), t0).body.at("job");
    BOOST_TEST(ss.at("mains").at(0).at("name").as_string() == "run.sql");
    BOOST_TEST(ss.at("mains").at(0).at("url").as_string() == "s3a://b/q/run.sql");
    BOOST_TEST(is_lower_uuid(ss.at("mains").at(0).at("id").as_string()));

    const auto before = s.render_state(t0);
    for (const char* bad : {R"({"type":"Pig"})", R"({"type":"MapReduce","libs":[]})", R"({"type":"Hive","mains":[]})",
                            R"({"libs":"x.jar"})", R"({"libs":[5]})", R"({"name":"a.b"})",
                            R"({"id":"b1000000-0000-4000-8000-000000000001"})", R"({"colour":"red"})", "[]"}) {
        BOOST_TEST(s.add_job_object(bad, t0).status == 400u, bad);
    }
    BOOST_TEST(s.render_state(t0) == before);
    // Made by control, left out of bulk seeding.
    const auto bulked = bulk(s, R"({"count":4})");
    std::set<std::string> templates;
    const auto listed = call(s, "GET", jobs_path(), t0);
    for (const auto& j : listed.body.at("job_executions").as_array()) {
        templates.insert(std::string(j.at("job_id").as_string()));
    }
    BOOST_TEST(bulked.at("created").as_int64() == 4);
    BOOST_TEST(templates == (std::set<std::string>{"", std::string(demo::job_object_wordcount),
                                                   std::string(demo::job_object_spark_pi),
                                                   "b3000000-0000-4000-8000-000000000001"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(bulk_jobs_still_take_wordcount_and_spark_pi_in_turn) {
    sim_state s = seeded();
    bulk(s, R"({"count":6,"id_prefix":"a5000000-0000-4000-8000-"})");
    std::vector<std::string> names;
    for (int n = 1; n <= 6; ++n) {
        const job_execution* j = s.find_job("a5000000-0000-4000-8000-00000000000" + std::to_string(n));
        BOOST_REQUIRE(j);
        names.push_back(j->job_name);
    }
    BOOST_TEST(names == (std::vector<std::string>{"wordcount-1", "spark-pi-2", "wordcount-3", "spark-pi-4",
                                                  "wordcount-5", "spark-pi-6"}),
               boost::test_tools::per_element());
    // The state shows job objects with their type, and the data sources.
    const auto st = s.render_state(t0);
    BOOST_TEST(st.at("job_objects").as_array().size() == 6u);
    BOOST_TEST(st.at("job_objects").at(2).at("type").as_string() == "DistCp");
    BOOST_TEST(st.at("data_sources").at(0).at("name").as_string() == "demo-input");
}

BOOST_AUTO_TEST_CASE(a_project_known_from_its_token_lists_its_one_job_object) {
    const std::string p = "00112233445566778899aabbccddeeff";
    sim_state s(sim_options{}, t0, 1);
    BOOST_REQUIRE_EQUAL(s.add_token("t", p), "");
    s.finish_setup();
    const auto r = call(s, "GET", objects_path("", p), t0, "t");
    BOOST_REQUIRE(r.status == 200u);
    const auto& jobs = r.body.at("jobs").as_array();
    BOOST_REQUIRE_EQUAL(jobs.size(), 1u);
    BOOST_TEST(jobs[0].at("name").as_string() == "mapreduce-job");
    BOOST_TEST(jobs[0].at("type").as_string() == "MapReduce");
    BOOST_TEST(jobs[0].at("tenant_id").as_string() == p);
    const auto& lib = jobs[0].at("libs").at(0);  // a MapReduce job object has libs (§4.1)
    BOOST_TEST(is_lower_uuid(lib.at("id").as_string()));
    BOOST_TEST(lib.at("id").as_string() != jobs[0].at("id").as_string());
    BOOST_TEST(call(s, "GET", sources_path("", p), t0, "t").body.at("data_sources").as_array().empty());
}

BOOST_AUTO_TEST_SUITE_END()
