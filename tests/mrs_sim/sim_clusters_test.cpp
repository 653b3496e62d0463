// Unit tests of the simulator's cluster list and detail (cluster_infos), the clusters of the
// demo data, the control call that adds clusters, and how job calls treat cluster states.
#include "sim_state.hpp"
#include "sim_test_util.hpp"

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <set>
#include <string>
#include <vector>

using namespace sim_test;

namespace {

std::string clusters_path(std::string_view query = "", std::string_view project = demo::project) {
    return "/v1.1/" + std::string(project) + "/cluster_infos" + std::string(query);
}

std::vector<std::string> cluster_ids(const json::value& body) {
    std::vector<std::string> ids;
    for (const auto& c : body.at("clusters").as_array()) {
        ids.emplace_back(c.at("clusterId").as_string());
    }
    return ids;
}

bool decimal(const json::value& v) {
    if (!v.is_string() || v.as_string().empty()) {
        return false;
    }
    for (char c : v.as_string()) {
        if (c < '0' || c > '9') {
            return false;
        }
    }
    return true;
}

const std::vector<std::string> demo_clusters{std::string(demo::cluster_1), std::string(demo::cluster_2),
                                             std::string(demo::cluster_3), std::string(demo::cluster_4),
                                             std::string(demo::cluster_5)};

}  // namespace

BOOST_AUTO_TEST_SUITE(mrs_sim_clusters)

BOOST_AUTO_TEST_CASE(list_shows_the_projects_clusters_with_mrs_wire_types) {
    sim_state s = seeded();
    const auto r = call(s, "GET", clusters_path(), t0);
    BOOST_REQUIRE(r.status == 200u);
    BOOST_TEST(r.body.at("clusterTotal").is_int64());  // a number on the wire, not a string
    BOOST_TEST(r.body.at("clusterTotal").as_int64() == 5);
    BOOST_TEST(cluster_ids(r.body) == demo_clusters, boost::test_tools::per_element());  // the order made

    const auto& c = r.body.at("clusters").at(0).as_object();
    BOOST_TEST(c.at("clusterName").as_string() == "demo-cluster-1");
    BOOST_TEST(c.at("clusterState").as_string() == "running");
    BOOST_TEST(c.at("clusterVersion").as_string() == "MRS 3.1.2-LTS.3");
    for (const char* k : {"createAt", "updateAt", "masterNodeNum", "coreNodeNum", "totalNodeNum"}) {
        BOOST_TEST(decimal(c.at(k)), k);  // decimal strings
    }
    BOOST_TEST(c.at("createAt").as_string() == std::to_string(t0 / 1000 - 30 * 86400));  // epoch seconds
    BOOST_TEST(c.at("masterNodeNum").as_string() == "2");
    BOOST_TEST(c.at("totalNodeNum").as_string() == "5");
    BOOST_TEST(c.at("safeMode").is_int64());
    BOOST_TEST(c.at("clusterType").is_int64());
    BOOST_TEST(c.at("tenantId").as_string() == demo_project);
    BOOST_TEST(c.at("dataCenter").as_string() == "eu-de");
    BOOST_TEST(c.at("tags").is_string());
    const auto& groups = c.at("nodeGroups").as_array();
    BOOST_REQUIRE_EQUAL(groups.size(), 2u);
    BOOST_TEST(groups[0].at("groupName").as_string() == "master_node_default_group");
    BOOST_TEST(groups[0].at("nodeNum").as_int64() == 2);  // camelCase keys, a number here
    BOOST_TEST(!groups[0].as_object().contains("GroupName"));
    BOOST_TEST(groups[1].at("nodeNum").as_int64() == 3);
    std::vector<std::string> components;
    for (const auto& comp : c.at("componentList").as_array()) {
        components.emplace_back(comp.at("componentName").as_string());
        BOOST_TEST(comp.at("componentId").as_string().starts_with("MRS 3.1.2-LTS.3_"));
    }
    BOOST_TEST(components == (std::vector<std::string>{"Hadoop", "Spark2x", "Hive", "Tez", "Flink"}),
               boost::test_tools::per_element());

    // Demo clusters differ where tests need them to.
    const auto& all = r.body.at("clusters").as_array();
    BOOST_TEST(all[2].at("clusterVersion").as_string() == "MRS 2.1.0");
    BOOST_TEST(all[3].at("clusterType").as_int64() == 2);
    BOOST_TEST(all[3].at("componentList").as_array().size() == 3u);  // no Hive
    BOOST_TEST(all[4].at("safeMode").as_int64() == 1);
}

BOOST_AUTO_TEST_CASE(list_pages_with_page_size_and_current_page) {
    sim_state s = seeded();
    auto page = [&](std::string_view query) { return call(s, "GET", clusters_path(query), t0).body; };
    const auto p2 = page("?pageSize=2&currentPage=2");
    BOOST_TEST(p2.at("clusterTotal").as_int64() == 5);
    BOOST_TEST(cluster_ids(p2) == (std::vector<std::string>{demo_clusters[2], demo_clusters[3]}),
               boost::test_tools::per_element());
    BOOST_TEST(cluster_ids(page("?pageSize=2&currentPage=3")) == std::vector<std::string>{demo_clusters[4]},
               boost::test_tools::per_element());
    const auto past = page("?pageSize=2&currentPage=4");
    BOOST_TEST(past.at("clusters").as_array().empty());
    BOOST_TEST(past.at("clusterTotal").as_int64() == 5);
    BOOST_TEST(cluster_ids(page("?currentPage=1")).size() == 5u);
    BOOST_TEST(cluster_ids(page("?pageSize=2147483646")).size() == 5u);

    // Default page size 10: a project with 12 clusters shows 10, then 2.
    for (int i = 0; i < 7; ++i) {
        BOOST_REQUIRE(s.add_cluster("{}", t0).status == 201u);
    }
    const auto first = page("");
    BOOST_TEST(first.at("clusterTotal").as_int64() == 12);
    BOOST_TEST(first.at("clusters").as_array().size() == 10u);
    BOOST_TEST(page("?currentPage=2").at("clusters").as_array().size() == 2u);

    for (const char* q : {"?pageSize=0", "?pageSize=2147483647", "?pageSize=x", "?currentPage=0", "?currentPage=-1",
                          "?clusterState=deleted"}) {
        check_error(call(s, "GET", clusters_path(q), t0), 400, "12000002");
    }
}

BOOST_AUTO_TEST_CASE(terminated_clusters_are_listed_sparse_and_filtered_by_state) {
    sim_state s = seeded();
    auto list = [&](std::string_view query) {
        return call(s, "GET", clusters_path(query, demo::other_project), t0, demo::other_token).body;
    };
    // sim choice: no clusterState shows terminated clusters too.
    const std::vector<std::string> all{std::string(demo::other_cluster), std::string(demo::other_legacy_cluster),
                                       std::string(demo::other_terminated_cluster)};
    BOOST_TEST(cluster_ids(list("")) == all, boost::test_tools::per_element());
    BOOST_TEST(cluster_ids(list("?clusterState=existing")) == (std::vector<std::string>{all[0], all[1]}),
               boost::test_tools::per_element());
    BOOST_TEST(cluster_ids(list("?clusterState=history")) == std::vector<std::string>{all[2]},
               boost::test_tools::per_element());
    BOOST_TEST(cluster_ids(list("?clusterState=terminated")) == std::vector<std::string>{all[2]},
               boost::test_tools::per_element());
    BOOST_TEST(list("?clusterState=running").at("clusterTotal").as_int64() == 2);
    BOOST_TEST(list("?clusterState=frozen").at("clusterTotal").as_int64() == 0);
    BOOST_TEST(cluster_ids(list("?clusterName=legacy")) == std::vector<std::string>{all[1]},
               boost::test_tools::per_element());  // a part of the name matches

    const auto history = list("?clusterState=history");
    const auto& gone = history.at("clusters").at(0).as_object();
    BOOST_TEST(gone.at("clusterState").as_string() == "terminated");
    for (const char* k : {"tenantId", "vpc", "fee", "hadoopVersion", "masterNodeSize", "coreNodeSize"}) {
        BOOST_TEST(gone.at(k).is_null(), k);  // the sparse terminated cluster of the documented example
    }
    BOOST_TEST(gone.at("updateAt").as_string() == std::to_string(t0 / 1000 - 86400));
    BOOST_TEST(list("?clusterState=existing").at("clusters").at(0).at("tenantId").as_string() == other_project);
}

BOOST_AUTO_TEST_CASE(detail_wraps_the_cluster_and_unknown_ids_are_camel_case_12000003) {
    sim_state s = seeded();
    const auto r = call(s, "GET", clusters_path("/" + std::string(demo::cluster_5)), t0);
    BOOST_REQUIRE(r.status == 200u);
    BOOST_TEST(r.body.as_object().size() == 1u);
    BOOST_TEST(r.body.at("cluster").at("clusterId").as_string() == demo::cluster_5);
    BOOST_TEST(r.body.at("cluster").at("safeMode").as_int64() == 1);

    // A terminated cluster is still shown by its detail.
    const auto gone =
        call(s, "GET", clusters_path("/" + std::string(demo::other_terminated_cluster), demo::other_project), t0,
             demo::other_token);
    BOOST_TEST(gone.status == 200u);
    BOOST_TEST(gone.body.at("cluster").at("clusterState").as_string() == "terminated");

    for (const std::string& id :
         {std::string("c1000000-0000-4000-8000-0000000000ff"), std::string(demo::other_cluster)}) {
        const auto missing = call(s, "GET", clusters_path("/" + id), t0);
        BOOST_TEST(missing.status == 400u);
        BOOST_TEST(missing.body.at("errorCode").as_string() == "12000003");
        BOOST_TEST(missing.body.at("errorMsg").as_string() == "The cluster does not exist.");
        BOOST_TEST(!missing.body.as_object().contains("error_code"));
    }
    // Auth and routing as for the job paths.
    check_error(call(s, "GET", clusters_path(), t0, demo::other_token), 401, "12000001");
    check_error(call(s, "GET", clusters_path(), t0, std::nullopt), 401, "APIGW.0301");
    check_error(call(s, "DELETE", clusters_path("/" + std::string(demo::cluster_1)), t0), 405, "12000002");
    check_error(call(s, "GET", clusters_path("/" + std::string(demo::cluster_1) + "/hosts"), t0), 404, "12000002");
    const route list = match_route("GET", clusters_path("?pageSize=3"));
    BOOST_TEST((list.result == route::kind::matched && list.ep == endpoint::cluster_list));
    const route show = match_route("GET", clusters_path("/x"));
    BOOST_TEST((show.ep == endpoint::cluster_show && show.id == "x"));
    BOOST_TEST(endpoint_name(endpoint::cluster_show) == "cluster_show");
}

BOOST_AUTO_TEST_CASE(cluster_objects_carry_the_network_fields_and_list_items_equal_details) {
    sim_state s = seeded();
    BOOST_REQUIRE(s.add_cluster(R"({"id":"c4000000-0000-4000-8000-000000000011","state":"starting"})", t0).status ==
                  201u);
    BOOST_REQUIRE(s.add_cluster(R"({"id":"c4000000-0000-4000-8000-000000000012","state":"scaling-out"})", t0).status ==
                  201u);
    const auto list = call(s, "GET", clusters_path("?pageSize=100"), t0).body;
    std::set<std::string> ips;
    for (const auto& item : list.at("clusters").as_array()) {
        const auto& c = item.as_object();
        const std::string id(c.at("clusterId").as_string());
        // The list item is the detail's object.
        BOOST_TEST(call(s, "GET", clusters_path("/" + id), t0).body.at("cluster") == item, id);
        for (const char* k : {"vpcId", "subnetId", "subnetName", "securityGroupsId", "nodePublicCertName", "scale",
                              "masterNodeIp", "privateIpFirst", "externalIp", "remark", "tags"}) {
            BOOST_TEST(c.at(k).is_string(), id << " " << k);  // strings on the wire
        }
        for (const char* k : {"createAt", "updateAt", "chargingStartTime", "masterNodeNum", "coreNodeNum",
                              "totalNodeNum"}) {
            BOOST_TEST(decimal(c.at(k)), id << " " << k);
        }
        BOOST_TEST(c.at("createAt").as_string().size() == 10u);  // epoch seconds, not milliseconds
        if (c.at("clusterState").as_string() == "running") {
            BOOST_TEST(c.at("masterNodeIp").as_string().starts_with("192.168."));
            BOOST_TEST(c.at("privateIpFirst") == c.at("masterNodeIp"));
            BOOST_TEST(c.at("scale").as_string().empty());
            ips.insert(std::string(c.at("masterNodeIp").as_string()));
        }
    }
    BOOST_TEST(ips.size() == 5u);  // one address per running cluster
    const auto starting = call(s, "GET", clusters_path("/c4000000-0000-4000-8000-000000000011"), t0).body.at("cluster");
    BOOST_TEST(starting.at("masterNodeIp").as_string() == "unknown");
    BOOST_TEST(starting.at("stageDesc").as_string() == "Deploying the cluster");
    const auto growing = call(s, "GET", clusters_path("/c4000000-0000-4000-8000-000000000012"), t0).body.at("cluster");
    BOOST_TEST(growing.at("scale").as_string() == "scaling-out");

    // A terminated cluster: in the unfiltered list, its addresses null, its times still decimal strings.
    const auto other = call(s, "GET", clusters_path("", demo::other_project), t0, demo::other_token).body;
    BOOST_TEST(other.at("clusterTotal").as_int64() == 3);
    const auto& gone = other.at("clusters").at(2).as_object();
    BOOST_TEST(gone.at("clusterState").as_string() == "terminated");
    BOOST_TEST(gone.at("masterNodeIp").is_null());
    BOOST_TEST(gone.at("privateIpFirst").is_null());
    BOOST_TEST(decimal(gone.at("createAt")));
    BOOST_TEST(gone.at("subnetId").is_string());

    // The last page there can be, empty; one past it is refused.
    const auto far = call(s, "GET", clusters_path("?pageSize=2&currentPage=2147483647"), t0).body;
    BOOST_TEST(far.at("clusters").as_array().empty());
    BOOST_TEST(far.at("clusterTotal").as_int64() == 7);
    check_error(call(s, "GET", clusters_path("?currentPage=2147483648"), t0), 400, "12000002");
}

BOOST_AUTO_TEST_CASE(control_adds_clusters_with_a_state_and_version) {
    sim_state s = seeded();
    const reply made = s.add_cluster(R"({"id":"c4000000-0000-4000-8000-000000000001","name":"old-one",)"
                                     R"("state":"terminated","version":"MRS 1.8.10","components":["Hadoop"],)"
                                     R"("safe_mode":1,"cluster_type":3,"master_nodes":1,"core_nodes":7})",
                                     t0 + 5000);
    BOOST_REQUIRE_MESSAGE(made.status == 201u, made.body);
    BOOST_TEST(json::parse(made.body).at("id").as_string() == "c4000000-0000-4000-8000-000000000001");
    const auto shown = call(s, "GET", clusters_path("/c4000000-0000-4000-8000-000000000001"), t0 + 5000).body;
    const auto& c = shown.at("cluster");
    BOOST_TEST(c.at("clusterName").as_string() == "old-one");
    BOOST_TEST(c.at("clusterState").as_string() == "terminated");
    BOOST_TEST(c.at("clusterVersion").as_string() == "MRS 1.8.10");
    BOOST_TEST(c.at("totalNodeNum").as_string() == "8");
    BOOST_TEST(c.at("clusterType").as_int64() == 3);
    BOOST_TEST(c.at("createAt").as_string() == std::to_string(t0 / 1000 + 5));
    BOOST_TEST(c.at("componentList").as_array().size() == 1u);
    BOOST_TEST(call(s, "GET", clusters_path("?clusterState=history"), t0).body.at("clusterTotal").as_int64() == 1);

    // Defaults: the first project, running, a generated UUID, the next name.
    const reply plain = s.add_cluster("", t0);
    BOOST_REQUIRE(plain.status == 201u);
    const std::string id(json::parse(plain.body).at("id").as_string());
    const auto p = call(s, "GET", clusters_path("/" + id), t0).body.at("cluster");
    BOOST_TEST(p.at("clusterState").as_string() == "running");
    BOOST_TEST(p.at("clusterName").as_string() == "sim-cluster-7");
    BOOST_TEST(p.at("tenantId").as_string() == demo_project);

    const auto before = s.render_state(t0);
    for (const char* bad :
         {R"({"state":"deleted"})", R"({"id":"c4000000-0000-4000-8000-000000000001"})", R"({"id":"C4000000"})",
          R"({"colour":"red"})", R"({"project":"ffffffffffffffffffffffffffffffff"})", R"({"components":["Pig"]})",
          R"({"safe_mode":2})", R"({"cluster_type":"0"})", R"({"version":""})", "[]"}) {
        BOOST_TEST(s.add_cluster(bad, t0).status == 400u, bad);
    }
    BOOST_TEST(s.render_state(t0) == before);
}

BOOST_AUTO_TEST_CASE(job_calls_treat_terminated_clusters_as_gone_and_busy_ones_as_closed) {
    sim_state s = seeded();
    BOOST_REQUIRE(s.add_cluster(R"({"id":"c4000000-0000-4000-8000-000000000002","state":"terminated"})", t0).status ==
                  201u);
    BOOST_REQUIRE(s.add_cluster(R"({"id":"c4000000-0000-4000-8000-000000000003","state":"frozen"})", t0).status ==
                  201u);
    const std::string execute =
        "/v1.1/" + demo_project + "/jobs/" + std::string(demo::job_object_wordcount) + "/execute";
    auto body = [](std::string_view cluster) {
        return R"({"cluster_id":")" + std::string(cluster) + R"(","input_id":null,"output_id":null,"job_configs":{}})";
    };
    const auto on_gone = call(s, "POST", execute, t0, demo::token, body("c4000000-0000-4000-8000-000000000002"));
    BOOST_TEST(on_gone.body.at("errorCode").as_string() == "12000003");
    BOOST_TEST(call(s, "GET", exes_path("?cluster_id=c4000000-0000-4000-8000-000000000002"), t0)
                   .body.at("errorCode")
                   .as_string() == "12000003");
    check_error(call(s, "POST", execute, t0, demo::token, body("c4000000-0000-4000-8000-000000000003")), 400,
                "12000062");
    BOOST_TEST(call(s, "GET", exes_path("?cluster_id=c4000000-0000-4000-8000-000000000003"), t0).status == 200u);
    BOOST_TEST(call(s, "POST", execute, t0, demo::token, body(demo::cluster_5)).status == 202u);
}

BOOST_AUTO_TEST_SUITE_END()
