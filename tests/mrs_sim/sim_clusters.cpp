// MRS simulator: the cluster list and detail (GET /v1.1/{project_id}/cluster_infos[/{id}],
// mrs-api.md §10) and the control call that adds clusters.
#include "sim_state.hpp"
#include "sim_util.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <array>
#include <cstdio>

namespace mrs_sim {

using namespace detail;

namespace {

struct component_info {
    std::string_view name, version, description;
};

// sim choice: the component versions of an MRS 3.1 cluster, whatever the cluster's version.
constexpr std::array<component_info, 5> known_components{{
    {"Hadoop", "3.1.1", "A distributed data processing framework for big data sets"},
    {"Spark2x", "2.4.5", "A fast general-purpose engine for large-scale data processing"},
    {"Hive", "3.1.0", "A data warehouse software that facilitates query and management of big data sets"},
    {"Tez", "0.9.2", "An application framework which allows for a complex directed-acyclic-graph of tasks"},
    {"Flink", "1.12.0", "A distributed stream and batch data processing engine"},
}};

const component_info* find_component(std::string_view name) {
    for (const auto& c : known_components) {
        if (c.name == name) {
            return &c;
        }
    }
    return nullptr;
}

// "MRS 3.1.2-LTS.3" -> {3, 1, 2}; nullopt when the text does not start that way.
std::optional<std::array<int, 3>> version_numbers(std::string_view v) {
    if (!v.starts_with("MRS ")) {
        return std::nullopt;
    }
    v.remove_prefix(4);
    std::array<int, 3> out{};
    for (std::size_t i = 0; i < out.size(); ++i) {
        std::size_t digits = 0;
        while (digits < v.size() && digits < 6 && v[digits] >= '0' && v[digits] <= '9') {
            out[i] = out[i] * 10 + (v[digits] - '0');
            ++digits;
        }
        if (digits == 0) {
            return i == 0 ? std::nullopt : std::optional<std::array<int, 3>>(out);  // "MRS 2.1" is 2.1.0
        }
        v.remove_prefix(digits);
        if (v.empty() || v.front() != '.') {
            break;
        }
        v.remove_prefix(1);
    }
    return out;
}

// mrs-api.md §10.5: NodeGroup objects, camelCase keys, numbers as JSON numbers.
json::object node_group(std::string_view name, int count) {
    return {{"groupName", name},
            {"nodeNum", count},
            {"nodeSize", "c3.2xlarge.4.linux.bigdata"},
            {"nodeSpecId", "cdc6035a249a40249312f5ef72a23cd7"},
            {"nodeProductId", "dc970349d128460e960a0c2b826c427c"},
            {"vmProductId", ""},
            {"vmSpecCode", "c3.2xlarge.4"},
            {"rootVolumeSize", 480},
            {"rootVolumeProductId", "16c1dcf0897249758b1ec276d06e0572"},
            {"rootVolumeType", "SATA"},
            {"rootVolumeResourceSpecCode", ""},
            {"rootVolumeResourceType", ""},
            {"dataVolumeType", "SATA"},
            {"dataVolumeCount", 1},
            {"dataVolumeSize", 600},
            {"dataVolumeProductId", ""},
            {"dataVolumeResourceSpecCode", ""},
            {"dataVolumeResourceType", ""}};
}

// sim choice: stageDesc names a step only while the cluster is on its way somewhere
// (mrs-api.md §10.6 lists the texts); null otherwise.
json::value stage_of(const cluster& c) {
    if (c.state == "starting")
        return json::string("Deploying the cluster");
    if (c.state == "failed")
        return json::string("Cluster installation failed");
    if (c.state == "scaling-out")
        return json::string("Adding nodes to the cluster");
    if (c.state == "scaling-in")
        return json::string("Deleting nodes from the cluster");
    return nullptr;
}

// sim choice: a cluster's private address, 192.168.x.y from the last hex digits of its id, so
// every cluster has its own and the same one on every run.
std::string private_ip(const cluster& c) {
    unsigned n = 0;
    for (char ch : c.id) {
        n = n * 31 + static_cast<unsigned char>(ch);
    }
    return "192.168." + std::to_string(n % 250 + 1) + "." + std::to_string(n / 250 % 250 + 2);
}

}  // namespace

bool supports_v2(const cluster& c) {
    // mrs-api.md §1: the v2 job API needs MRS 1.9.2 or later. sim choice: a version the sim
    // cannot read counts as new enough.
    const auto v = version_numbers(c.version);
    return !v || *v >= std::array<int, 3>{1, 9, 2};
}

json::object cluster_view(const cluster& c) {
    // mrs-api.md §10.5: times and node counts are decimal strings (epoch seconds), safeMode and
    // clusterType numbers. §10.3: a terminated cluster's object is sparse, many fields null
    // (the documented list example is one); sim choice: the same object in list and detail.
    const bool gone = c.state == "terminated";
    auto text = [](std::int64_t n) { return json::value(std::to_string(n)); };
    auto unless_gone = [&](json::value v) { return gone ? json::value(nullptr) : v; };
    json::array components;
    std::size_t n = 0;
    for (const auto& name : c.components) {
        const component_info* info = find_component(name);
        char id[16];
        std::snprintf(id, sizeof id, "_%03zu", ++n);
        components.push_back(json::object{{"componentId", c.version + id},
                                          {"componentName", name},
                                          {"componentVersion", info ? info->version : ""},
                                          {"componentDesc", info ? info->description : ""}});
    }
    json::object o;
    o["clusterId"] = c.id;
    o["clusterName"] = c.name;
    o["masterNodeNum"] = text(c.master_nodes);
    o["coreNodeNum"] = text(c.core_nodes);
    o["totalNodeNum"] = text(c.master_nodes + c.core_nodes);
    o["clusterState"] = c.state;
    o["createAt"] = text(c.created_ms / 1000);
    o["updateAt"] = text(c.updated_ms / 1000);
    o["chargingStartTime"] = text(c.created_ms / 1000);
    o["billingType"] = "Metered";
    o["dataCenter"] = "eu-de";  // the sim's one region (§7: project names follow it)
    o["vpc"] = unless_gone("vpc-mrs-sim");
    // sahara-clusters-and-templates.md §3.5: the network fields are strings; masterNodeIp can be
    // "unknown". sim choice: one VPC, subnet and security group for the whole sim; "unknown"
    // while the cluster starts (no VM yet); null on a terminated cluster, like the other fields
    // a deleted cluster no longer has (§3.3); no elastic IP ("").
    o["vpcId"] = "0b1e5b4a-9d3c-4e2f-8a7b-6c5d4e3f2a1b";
    o["subnetId"] = "5a7f3c2e-1b4d-4e6f-9a8b-0c1d2e3f4a5b";
    o["subnetName"] = "subnet-mrs-sim";
    o["securityGroupsId"] = "3c2b1a09-8f7e-4d6c-b5a4-93827160f5e4";
    const std::string ip = c.state == "starting" ? std::string("unknown") : private_ip(c);
    o["masterNodeIp"] = unless_gone(json::string(ip));
    o["privateIpFirst"] = unless_gone(json::string(c.state == "starting" ? std::string() : ip));
    o["externalIp"] = unless_gone("");
    o["nodePublicCertName"] = "mrs-sim-keypair";  // §3.5: the key pair's name
    o["fee"] = unless_gone("0");
    o["hadoopVersion"] = unless_gone("3.1.1");
    o["masterNodeSize"] = unless_gone("c3.2xlarge.4.linux.bigdata");
    o["coreNodeSize"] = unless_gone("c3.2xlarge.4.linux.bigdata");
    o["componentList"] = std::move(components);
    o["remark"] = "";
    o["azName"] = "eu-de-01";
    o["tenantId"] = unless_gone(json::string(c.project));
    o["stageDesc"] = stage_of(c);
    o["safeMode"] = c.safe_mode;
    o["clusterVersion"] = c.version;
    o["errorInfo"] = nullptr;
    o["tags"] = "";  // a string on the wire (§10.5)
    o["logCollection"] = 1;
    o["nodeGroups"] = json::array{node_group("master_node_default_group", c.master_nodes),
                                  node_group("core_node_analysis_group", c.core_nodes)};
    o["taskNodeGroups"] = json::array{};
    // §3.5: scale names a size change in progress (scaling-out, scaling-in, ...), empty when there
    // is none. sim choice: a scaling-out or scaling-in cluster says so here too.
    o["scale"] = c.state == "scaling-out" || c.state == "scaling-in" ? c.state : std::string();
    o["clusterType"] = c.cluster_type;
    return o;
}

reply sim_state::cluster_list(const route& r) const {
    // mrs-api.md §10.2: pageSize 1..2147483646 (default 10), currentPage from 1 (default 1),
    // clusterState one of the states or the filter values existing and history.
    std::optional<std::int64_t> page_size, current_page;
    if (!int_param(r.query, "pageSize", 1, 2147483646, page_size)) {
        return invalid_parameter("pageSize must be an integer from 1 to 2147483646");
    }
    if (!int_param(r.query, "currentPage", 1, 2147483647, current_page)) {
        return invalid_parameter("currentPage must be a positive integer");
    }
    const std::string* state = param(r.query, "clusterState");
    if (state && *state != "existing" && *state != "history" &&
        std::find(cluster_states.begin(), cluster_states.end(), *state) == cluster_states.end()) {
        return invalid_parameter("clusterState");
    }
    // sim choice: clusterName matches any cluster whose name contains it ("fuzzy search",
    // §10.2); tags and enterpriseProjectId are not filtered on.
    const std::string* name = param(r.query, "clusterName");
    auto wanted = [&](const cluster& c) {
        if (c.project != r.project || (name && c.name.find(*name) == std::string::npos)) {
            return false;
        }
        // sim choice: without clusterState the list shows terminated clusters too (§10.3: the
        // documented list example is a terminated cluster); existing leaves them out, history
        // shows only them.
        if (!state)
            return true;
        if (*state == "existing")
            return c.state != "terminated";
        if (*state == "history")
            return c.state == "terminated";
        return c.state == *state;
    };
    // sim choice: clusters come in the order they were made (no sort is documented, §10.2);
    // currentPage has no documented maximum, the sim takes up to 2147483647; a page past the end
    // is empty, with clusterTotal still the count over all pages (§10.3).
    const auto size = static_cast<std::size_t>(page_size.value_or(10));
    const auto first = static_cast<std::size_t>(current_page.value_or(1) - 1) * size;
    json::array items;
    std::size_t total = 0;
    for (const auto& c : clusters_) {
        if (wanted(c)) {
            if (total >= first && total - first < size) {
                items.push_back(cluster_view(c));
            }
            ++total;
        }
    }
    // §10.3: clusterTotal is a JSON number on the wire, though the tables type it String.
    return json_reply(200, json::object{{"clusterTotal", total}, {"clusters", std::move(items)}});
}

reply sim_state::cluster_show(const route& r) const {
    // mrs-api.md §10.4: {"cluster": {...}}, terminated clusters included; an unknown id is the
    // camelCase 12000003 of §5.1(2).
    if (const cluster* c = find_cluster(r.project, r.id)) {
        return json_reply(200, json::object{{"cluster", cluster_view(*c)}});
    }
    return cluster_not_found();
}

reply sim_state::add_cluster(std::string_view body, std::int64_t now_ms) {
    boost::system::error_code ec;
    const json::value doc = json::parse(body.empty() ? std::string_view("{}") : body, ec);
    if (ec || !doc.is_object()) {
        return bad_control("the body must be a JSON object");
    }
    const json::object& in = doc.get_object();
    constexpr std::array<std::string_view, 10> keys{"project",      "id",         "name",      "state",
                                                    "version",      "components", "safe_mode", "cluster_type",
                                                    "master_nodes", "core_nodes"};
    for (const auto& kv : in) {
        if (std::find(keys.begin(), keys.end(), kv.key()) == keys.end()) {
            return bad_control("unknown key: " + std::string(kv.key()));
        }
    }
    for (std::string_view key : {"project", "id", "name", "state", "version"}) {
        if (const json::value* v = in.if_contains(key); v && (!v->is_string() || v->get_string().empty())) {
            return bad_control(std::string(key) + " must be a non-empty string");
        }
    }
    auto text = [&](std::string_view key, std::string fallback) {
        const json::value* v = in.if_contains(key);
        return v ? std::string(v->get_string()) : fallback;
    };
    const std::string project_id = text("project", projects_.empty() ? "" : projects_.front().id);
    if (!find_project(project_id)) {
        return bad_control("unknown project");
    }
    cluster c{text("id", ""), project_id, "", text("state", "running")};
    if (c.id.empty()) {
        c.id = new_uuid();
    }
    if (!is_uuid(c.id) ||
        std::any_of(clusters_.begin(), clusters_.end(), [&](const cluster& o) { return o.id == c.id; })) {
        return bad_control("id must be a new lower-case UUID");
    }
    if (std::find(cluster_states.begin(), cluster_states.end(), c.state) == cluster_states.end()) {
        return bad_control(
            "state must be one of starting, running, terminated, failed, abnormal, terminating, "
            "frozen, scaling-out, scaling-in");
    }
    const auto in_project =
        std::count_if(clusters_.begin(), clusters_.end(), [&](const cluster& o) { return o.project == project_id; });
    c.name = text("name", "sim-cluster-" + std::to_string(in_project + 1));
    c.version = text("version", c.version);
    if (const json::value* v = in.if_contains("components")) {
        if (!v->is_array()) {
            return bad_control("components must be an array of component names");
        }
        c.components.clear();
        for (const auto& name : v->get_array()) {
            if (!name.is_string() || !find_component(name.get_string())) {
                return bad_control("components: each is one of Hadoop, Spark2x, Hive, Tez, Flink");
            }
            c.components.emplace_back(name.get_string());
        }
    }
    struct number_key {
        std::string_view key;
        int* out;
        std::int64_t lo, hi;
    };
    for (const auto& [key, out, lo, hi] :
         {number_key{"safe_mode", &c.safe_mode, 0, 1}, number_key{"cluster_type", &c.cluster_type, 0, 3},
          number_key{"master_nodes", &c.master_nodes, 1, 9}, number_key{"core_nodes", &c.core_nodes, 1, 500}}) {
        if (const json::value* v = in.if_contains(key)) {
            const auto n = whole(*v, lo, hi);
            if (!n) {
                return bad_control(std::string(key) + " must be an integer from " + std::to_string(lo) + " to " +
                                   std::to_string(hi));
            }
            *out = static_cast<int>(*n);
        }
    }
    c.created_ms = c.updated_ms = now_ms / 1000 * 1000;
    clusters_.push_back(c);
    return json_reply(201, json::object{{"id", c.id}});
}

}  // namespace mrs_sim
