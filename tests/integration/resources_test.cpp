// Clusters, job templates and data sources through real processes, on both backends: what the
// clients read (sahara-clusters-and-templates.md §1.4) against what mrs-sim holds, the MRS calls
// each costs, the templates of the configuration when the job-object API is gone (§4.4), the
// refused writes, and the fidelity fixes of the job-execution API (v2 microversion errors, the
// execute answer's job_execution_info).
#include "checks.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <set>
#include <string>
#include <vector>

using namespace sgw::it;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

const std::string v11 = "/v1.1/" + demo_project;
const std::vector<std::pair<std::string, std::string>> auth = {{"X-Auth-Token", demo_token}};
const std::string wordcount = "b1000000-0000-4000-8000-000000000001";
const std::string distcp = "b1000000-0000-4000-8000-000000000003";
const std::string demo_input = "f1000000-0000-4000-8000-000000000001";

std::vector<std::string> identity_flags(stack& s, std::vector<std::string> more = {}) {
    std::vector<std::string> f = {"--identity-url", "http://127.0.0.1:" + std::to_string(s.sim_port()) + "/v3"};
    f.insert(f.end(), more.begin(), more.end());
    return f;
}

std::string sim_url(stack& s) { return "http://127.0.0.1:" + std::to_string(s.sim_port()); }

long long calls_to(stack& s, const char* endpoint) {
    const auto stats = s.stats();  // kept: the pointer below points into it
    const auto* v = stats.at("by_endpoint").as_object().if_contains(endpoint);
    return v ? v->as_int64() : 0;
}

// The demo project's clusters as mrs-sim holds them, terminated ones included.
std::vector<json::object> sim_clusters(stack& s) {
    std::vector<json::object> out;
    auto state = http_get(s.sim_port(), "/_sim/state").json();
    for (auto& c : state.at("clusters").as_array())
        if (c.at("project").as_string() == demo_project) out.push_back(c.as_object());
    return out;
}

std::string add_cluster(stack& s, const std::string& name, const std::string& state) {
    auto r = http_post(s.sim_port(), "/_sim/clusters", R"({"name":")" + name + R"(","state":")" + state + R"("})");
    BOOST_TEST_REQUIRE(r.status == 201u, r.body);
    return std::string(r.json().at("id").as_string());
}

std::set<std::string> ids_in(const json::value& list) {
    std::set<std::string> out;
    for (auto& o : list.as_array()) out.emplace(o.at("id").as_string());
    return out;
}

// The keys without which the CLI's cluster commands fail (§1.4), in a list item or a show.
void check_cli_keys(const json::object& c, bool v2) {
    BOOST_TEST(c.at("name").is_string());
    BOOST_TEST(c.contains(v2 ? "plugin_version" : "hadoop_version"));
    BOOST_TEST(!c.contains(v2 ? "hadoop_version" : "plugin_version"));
    BOOST_TEST(c.contains(v2 ? "project_id" : "tenant_id"));
    BOOST_TEST(c.at("default_image_id").is_null());
    BOOST_TEST(c.at("anti_affinity").is_array());
    BOOST_TEST_REQUIRE(c.at("node_groups").is_array());
    BOOST_TEST(!c.at("node_groups").as_array().empty());
    for (auto& g : c.at("node_groups").as_array()) {
        BOOST_TEST(g.at("name").is_string());
        BOOST_TEST(g.at("count").is_int64());
    }
    BOOST_TEST(!c.contains("verification"));  // null would crash `cluster show --verification`
}

std::string write_config(const std::string& dir, const std::string& text) {
    const std::string path = dir + "/templates.toml";
    std::ofstream f(path, std::ios::trunc);
    f << text;
    return path;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(resources)

BOOST_AUTO_TEST_CASE(clusters_are_mrs_clusters_in_saharas_shape) {
    stack s;
    const auto gone = add_cluster(s, "old-analytics", "terminated");
    const auto starting = add_cluster(s, "new-analytics", "starting");
    client c(s.gw_port());
    s.reset_stats();
    auto listed = c.request(http::verb::get, v11 + "/clusters", auth);
    BOOST_TEST_REQUIRE(listed.status == 200u, listed.body);
    check_envelope(listed);
    BOOST_TEST(calls_to(s, "cluster_list") == 1);
    const auto list = listed.json().at("clusters");
    BOOST_TEST(!listed.json().as_object().contains("markers"));  // no limit, no marker: none (§2.5)
    std::set<std::string> expected;
    for (auto& sc : sim_clusters(s))
        if (sc.at("state") != "terminated") expected.emplace(sc.at("id").as_string());
    BOOST_TEST(ids_in(list) == expected);
    BOOST_TEST(!ids_in(list).count(gone));
    for (auto& item : list.as_array()) {
        check_cli_keys(item.as_object(), false);
        BOOST_TEST(item.at("plugin_name") == "mrs");
    }
    for (auto& sc : sim_clusters(s)) {
        if (sc.at("state") == "terminated") continue;
        const auto id = std::string(sc.at("id").as_string());
        auto shown = c.request(http::verb::get, v11 + "/clusters/" + id + "?show_progress=False", auth);
        BOOST_TEST_REQUIRE(shown.status == 200u, shown.body);
        const auto cl = shown.json().at("cluster").as_object();
        check_cli_keys(cl, false);
        BOOST_TEST(cl.at("name") == sc.at("name"));
        BOOST_TEST(cl.at("hadoop_version") == sc.at("version"));
        BOOST_TEST(cl.at("tenant_id").as_string() == demo_project);
        const auto& mrs_state = sc.at("state").as_string();
        const std::string want = mrs_state == "running" ? "Active" : mrs_state == "starting" ? "Spawning" : "?";
        if (want != "?") BOOST_TEST(cl.at("status").as_string() == want, id);
        // The node counts of MRS's own detail, read from mrs-sim directly: strings there (§3.5).
        const auto mrs = http_get(s.sim_port(), "/v1.1/" + demo_project + "/cluster_infos/" + id, demo_token).json();
        const auto& raw = mrs.at("cluster");
        long long nodes = 0;
        for (auto& g : cl.at("node_groups").as_array()) nodes += g.at("count").as_int64();
        BOOST_TEST(nodes == std::stoll(std::string(raw.at("totalNodeNum").as_string())), id);
        BOOST_TEST(cl.at("name") == raw.at("clusterName"));
    }
    BOOST_TEST(c.request(http::verb::get, v11 + "/clusters/" + starting, auth).json().at("cluster").at("status") ==
               "Spawning");
    // Terminated and unknown: 404, as Sahara answers for a deleted cluster (§5.3, §2.6).
    for (const auto& id : {gone, std::string("c9999999-0000-4000-8000-000000000009")}) {
        const auto msg = check_error(c.request(http::verb::get, v11 + "/clusters/" + id, auth), 404, "NOT_FOUND");
        BOOST_TEST(msg.starts_with("Object with {'id': '" + id + "'} not found\nError ID: "), msg);
    }
    // Server-side filters as the CLI sends them: regex on plugin_name, exact on hadoop_version.
    auto filtered = c.request(http::verb::get, v11 + "/clusters?hadoop_version=MRS%203.1.2-LTS.3&plugin_name=mr", auth);
    BOOST_TEST_REQUIRE(filtered.status == 200u, filtered.body);
    const auto filtered_body = filtered.json();
    for (auto& item : filtered_body.at("clusters").as_array()) BOOST_TEST(item.at("hadoop_version") == "MRS 3.1.2-LTS.3");
    BOOST_TEST(!filtered.json().at("clusters").as_array().empty());
    auto none = c.request(http::verb::get, v11 + "/clusters?plugin_name=vanilla", auth);
    BOOST_TEST(none.json().at("clusters").as_array().empty());
    // Paging: an exclusive marker, Sahara's markers.
    auto first = c.request(http::verb::get, v11 + "/clusters?limit=2&sort_by=name", auth).json();
    BOOST_TEST_REQUIRE(first.at("clusters").as_array().size() == 2u);
    const auto next = first.at("markers").at("next");
    BOOST_TEST(next == first.at("clusters").as_array()[1].at("id"));
    auto second = c.request(http::verb::get, v11 + "/clusters?limit=2&sort_by=name&marker=" +
                                                 std::string(next.as_string()), auth).json();
    for (auto& item : second.at("clusters").as_array())
        BOOST_TEST(item.at("name").as_string() >= first.at("clusters").as_array()[1].at("name").as_string());
    BOOST_TEST(!ids_in(second.at("clusters")).count(std::string(next.as_string())));
    auto bad_sort = c.request(http::verb::get, v11 + "/clusters?sort_by=flavor", auth);
    BOOST_TEST(bad_sort.status == 400u);
    BOOST_TEST(bad_sort.json().at("error_name") == 400);  // Sahara's numeric name (§2.5)
}

BOOST_AUTO_TEST_CASE(v2_clusters_templates_and_data_sources) {
    stack s;
    s.start_gateway(identity_flags(s), sim_url(s));
    client c(s.gw_port());
    auto listed = c.request(http::verb::get, "/v2/clusters?plugin_name=mrs", auth);
    BOOST_TEST_REQUIRE(listed.status == 200u, listed.body);
    BOOST_TEST(std::string(listed.headers["OpenStack-API-Version"]) == "data-processing 2.0");
    const auto listed_body = listed.json();
    for (auto& item : listed_body.at("clusters").as_array()) check_cli_keys(item.as_object(), true);
    auto refused = c.request(http::verb::get, "/v2/clusters?status=Active", auth);
    BOOST_TEST(refused.status == 400u);
    BOOST_TEST(refused.json().at("error_message") ==
               "The only valid params for clusters_list are ['plugin_name', 'plugin_version', 'name'] and "
               "['marker', 'limit', 'sort_by']");
    auto cl = c.request(http::verb::get, "/v2/clusters/c1000000-0000-4000-8000-000000000001?show_progress=True", auth);
    BOOST_TEST_REQUIRE(cl.status == 200u, cl.body);
    check_cli_keys(cl.json().at("cluster").as_object(), true);

    auto templates = c.request(http::verb::get, "/v2/job-templates?type=MapReduce", auth);
    BOOST_TEST_REQUIRE(templates.status == 200u, templates.body);
    const auto templates_body = templates.json();
    const auto& list = templates_body.at("job_templates").as_array();
    BOOST_TEST_REQUIRE(!list.empty());
    for (auto& t : list) {
        BOOST_TEST(t.at("type") == "MapReduce");
        BOOST_TEST(t.at("project_id").as_string() == demo_project);
        BOOST_TEST(!t.as_object().contains("tenant_id"));
        for (auto key : {"mains", "libs"})
            for (auto& b : t.at(key).as_array()) {
                BOOST_TEST(b.as_object().contains("project_id"));
                BOOST_TEST(!b.as_object().contains("extra"));
            }
    }
    auto one = c.request(http::verb::get, "/v2/job-templates/" + distcp, auth);
    BOOST_TEST_REQUIRE(one.status == 200u, one.body);
    BOOST_TEST(one.json().at("job_template").at("type") == "DistCp");  // MRS-only types as they are
    check_error(c.request(http::verb::get, "/v2/job-templates/" + distcp + "?x=1", auth), 400, "INVALID_PARAMS_ON_REQUEST");

    auto sources = c.request(http::verb::get, "/v2/data-sources", auth);
    BOOST_TEST_REQUIRE(sources.status == 200u, sources.body);
    BOOST_TEST(ids_in(sources.json().at("data_sources")).count(demo_input) == 1u);
    auto source = c.request(http::verb::get, "/v2/data-sources/" + demo_input, auth).json().at("data_source");
    BOOST_TEST(source.at("project_id").as_string() == demo_project);
    BOOST_TEST(source.at("name") == "demo-input");
}

BOOST_AUTO_TEST_CASE(job_templates_and_data_sources_v1_1) {
    stack s;
    client c(s.gw_port());
    s.reset_stats();
    auto listed = c.request(http::verb::get, v11 + "/jobs", auth);
    BOOST_TEST_REQUIRE(listed.status == 200u, listed.body);
    BOOST_TEST(calls_to(s, "job_object_list") == 1);
    const auto ids = ids_in(listed.json().at("jobs"));
    BOOST_TEST(ids.count(wordcount) == 1u);
    BOOST_TEST(ids.count("b2000000-0000-4000-8000-000000000001") == 0u);  // another project's
    const auto listed_body = listed.json();
    for (auto& t : listed_body.at("jobs").as_array())
        for (auto key : {"mains", "libs"}) BOOST_TEST(t.at(key).is_array());
    auto shown = c.request(http::verb::get, v11 + "/jobs/" + wordcount, auth);
    BOOST_TEST_REQUIRE(shown.status == 200u, shown.body);
    BOOST_TEST(shown.json().at("job").at("name") == "wordcount");
    check_error(c.request(http::verb::get, v11 + "/jobs/b9999999-0000-4000-8000-000000000009", auth), 404, "NOT_FOUND");
    auto hive = c.request(http::verb::get, v11 + "/jobs?type=Hive", auth).json().at("jobs").as_array();
    BOOST_TEST_REQUIRE(hive.size() == 1u);
    BOOST_TEST(hive[0].at("type") == "Hive");
    auto by_name = c.request(http::verb::get, v11 + "/jobs?name=%5Eword", auth).json().at("jobs").as_array();
    BOOST_TEST_REQUIRE(by_name.size() == 1u);  // a regex, as Sahara's name filter
    BOOST_TEST(by_name[0].at("id").as_string() == wordcount);

    auto sources = c.request(http::verb::get, v11 + "/data-sources?sort_by=-name", auth);
    BOOST_TEST_REQUIRE(sources.status == 200u, sources.body);
    const auto sources_body = sources.json();
    const auto& list = sources_body.at("data_sources").as_array();
    BOOST_TEST_REQUIRE(list.size() >= 2u);
    for (std::size_t i = 1; i < list.size(); ++i) BOOST_TEST(list[i - 1].at("name").as_string() >= list[i].at("name").as_string());
    check_error(c.request(http::verb::get, v11 + "/data-sources/f9999999-0000-4000-8000-000000000009", auth), 404, "NOT_FOUND");
}

BOOST_AUTO_TEST_CASE(configured_templates_stand_in_when_the_job_object_api_is_gone) {
    stack s({"--job-object-api", "reads-gone"});
    const auto conf = write_config(s.workdir, R"(
[[job_templates]]
id = "b1000000-0000-4000-8000-000000000001"
name = "wordcount-configured"
type = "MapReduce"
description = "the demo wordcount, from the configuration"
libs = [{id = "e1000000-0000-4000-8000-000000000001", name = "wordcount.jar"}]

[[job_templates]]
id = "0c3e9d7a-5b1f-4c2a-9e8d-7f6a5b4c3d2e"
name = "report"
type = "Spark"
)");
    s.start_gateway({"--config", conf}, sim_url(s));
    client c(s.gw_port());
    auto listed = c.request(http::verb::get, v11 + "/jobs?sort_by=name", auth);
    BOOST_TEST_REQUIRE(listed.status == 200u, listed.body);
    const auto listed_body = listed.json();
    const auto& list = listed_body.at("jobs").as_array();
    BOOST_TEST_REQUIRE(list.size() == 2u);
    BOOST_TEST(list[0].at("name") == "report");
    BOOST_TEST(list[1].at("name") == "wordcount-configured");
    BOOST_TEST(list[1].at("libs").as_array().at(0).at("name") == "wordcount.jar");
    BOOST_TEST(list[1].at("mains").as_array().empty());
    BOOST_TEST(list[1].at("tenant_id").as_string() == demo_project);
    auto shown = c.request(http::verb::get, v11 + "/jobs/0c3e9d7a-5b1f-4c2a-9e8d-7f6a5b4c3d2e", auth);
    BOOST_TEST_REQUIRE(shown.status == 200u, shown.body);
    BOOST_TEST(shown.json().at("job").at("type") == "Spark");
    check_error(c.request(http::verb::get, v11 + "/jobs/" + distcp, auth), 404, "NOT_FOUND");
    // MRS still executes what it has: the configured id is its job object (reads-gone).
    auto run = c.request(http::verb::post, v11 + "/jobs/" + wordcount + "/execute",
                         {{"X-Auth-Token", demo_token}, {"Content-Type", "application/json"}},
                         R"({"cluster_id": "c1000000-0000-4000-8000-000000000001", "input_id": ")" + demo_input +
                             R"(", "output_id": "f1000000-0000-4000-8000-000000000002", "job_configs": {}})");
    BOOST_TEST_REQUIRE(run.status == 202u, run.body);
    // Sahara overwrites job_execution_info with {} (sahara-api.md §6.3).
    BOOST_TEST(run.json().at("job_execution").at("job_configs").at("job_execution_info") == json::object());
}

BOOST_AUTO_TEST_CASE(writes_to_the_resources_are_refused_with_what_was_tried) {
    stack s;
    s.start_gateway(identity_flags(s), sim_url(s));
    client c(s.gw_port());
    struct attempt {
        http::verb verb;
        std::string path, what;
    };
    const std::string cl = "c1000000-0000-4000-8000-000000000001";
    const std::vector<attempt> attempts = {
        {http::verb::post, v11 + "/clusters", "Cluster create"},
        {http::verb::post, v11 + "/clusters/multiple", "Cluster create"},
        {http::verb::put, v11 + "/clusters/" + cl, "Cluster scale"},
        {http::verb::delete_, v11 + "/clusters/" + cl, "Cluster delete"},
        {http::verb::post, v11 + "/jobs", "Job template create"},
        {http::verb::delete_, v11 + "/jobs/" + wordcount, "Job template delete"},
        {http::verb::put, v11 + "/data-sources/" + demo_input, "Data source update"},
        {http::verb::delete_, "/v2/clusters/" + cl, "Cluster delete"},
        {http::verb::patch, "/v2/job-templates/" + wordcount, "Job template update"},
        {http::verb::post, "/v2/data-sources", "Data source create"},
    };
    s.reset_stats();
    for (const auto& a : attempts) {
        const auto msg = check_error(c.request(a.verb, a.path, auth, "{}"), 405, "METHOD_NOT_ALLOWED");
        BOOST_TEST(msg.starts_with(a.what + " is not supported. This gateway serves clusters, job templates and "
                                            "data sources read-only"),
                   msg);
    }
    BOOST_TEST(s.stats().at("requests").as_int64() == 0);  // nothing reached MRS
    // The job-execution routes that share these paths are untouched: v2 POST /jobs is execute.
    BOOST_TEST(c.request(http::verb::post, "/v2/jobs", auth, "{}").status == 400u);
}

BOOST_AUTO_TEST_CASE(v2_microversion_errors_read_as_saharas) {
    stack s;
    s.start_gateway(identity_flags(s), sim_url(s));
    client c(s.gw_port());
    auto h = auth;
    h.emplace_back("OpenStack-API-Version", "data-processing 2.1");
    auto too_new = c.request(http::verb::get, "/v2/clusters", h);
    BOOST_TEST(too_new.status == 406u);
    BOOST_TEST(too_new.json().at("error_message") == "Version 2.1 is not supported by the API. Minimum is 2.0 and maximum is 2.0.");
    BOOST_TEST(std::string(too_new.headers["OpenStack-API-Version"]) == "data-processing 2.1");
    h.back().second = "data-processing 2.x1";
    auto bad = c.request(http::verb::get, "/v2/jobs", h);
    BOOST_TEST(bad.status == 400u);
    BOOST_TEST(bad.json().at("error_name") == "BAD_REQUEST");
    BOOST_TEST(bad.json().at("error_message") ==
               "API Version String 2.x1 is of invalid format. Must be of format MajorNum.MinorNum.");
    BOOST_TEST(bad.json().at("max_version") == "2.0");
}

BOOST_AUTO_TEST_SUITE_END()
