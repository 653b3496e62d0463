// MRS's cluster list and detail, read as Sahara clusters.
#include "translators/mrs_v1_1/cluster_infos.hpp"

#include "translators/common/json_fields.hpp"
#include "translators/common/replies.hpp"
#include "translators/common/timefmt.hpp"

#include <boost/json.hpp>

#include <array>

namespace sgw::mrs_v1_1 {
namespace json = boost::json;
using namespace translators;

namespace {

// Far more clusters than a project has: a cluster list that keeps going is MRS misbehaving.
constexpr std::size_t max_cluster_pages = 1000;

// The plugin every MRS cluster is shown under (§5.2): Sahara's clients print and filter it.
constexpr std::string_view plugin_name = "mrs";

// Text under `key` when it is a non-empty string.
std::optional<std::string> text(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v && v->is_string() && !v->get_string().empty()) return std::string(v->get_string());
    return std::nullopt;
}

// A node group's key in camelCase, as the documented examples and both Terraform providers
// read it, else in the PascalCase of the Huawei Go SDK's model (§3.5).
const json::value* group_key(const json::object& g, std::string_view camel) {
    if (const auto* v = non_null(g, camel)) return v;
    std::string pascal(camel);
    pascal[0] = static_cast<char>(pascal[0] - 'a' + 'A');
    return non_null(g, pascal);
}

long long number(const json::object& o, std::string_view key) {
    return integer_field(o, key).value_or(0);
}

sahara::node_group read_group(const json::object& g) {
    sahara::node_group out;
    auto str = [&](std::string_view key) -> std::optional<std::string> {
        const auto* v = group_key(g, key);
        if (v && v->is_string()) return std::string(v->get_string());
        return std::nullopt;
    };
    auto num = [&](std::string_view key) -> long long {
        const auto* v = group_key(g, key);
        return v ? integer_value(*v).value_or(0) : 0;
    };
    out.name = str("groupName").value_or("");
    out.count = num("nodeNum");
    out.flavor_id = str("nodeSize").value_or("");
    if (const auto* roles = group_key(g, "assignedRoles"); roles && roles->is_array())
        for (const auto& r : roles->get_array())
            if (r.is_string()) out.node_processes.emplace_back(r.get_string());
    out.volumes_per_node = num("dataVolumeCount");
    out.volumes_size = num("dataVolumeSize");
    out.volume_type = str("dataVolumeType");
    return out;
}

// nodeGroups (MRS 1.8 and later), else the older master and core counts plus taskNodeGroups.
std::vector<sahara::node_group> read_groups(const json::object& c) {
    std::vector<sahara::node_group> out;
    if (const auto* groups = non_null(c, "nodeGroups"); groups && groups->is_array()) {
        for (const auto& g : groups->get_array())
            if (g.is_object()) out.push_back(read_group(g.get_object()));
        return out;
    }
    for (auto [kind, group] : {std::pair{"master", "master_node_default_group"}, std::pair{"core", "core_node_analysis_group"}}) {
        const std::string k(kind);
        if (!non_null(c, k + "NodeNum")) continue;
        sahara::node_group g;
        g.name = group;
        g.count = number(c, k + "NodeNum");
        g.flavor_id = text(c, k + "NodeSize").value_or("");
        out.push_back(std::move(g));
    }
    if (const auto* tasks = non_null(c, "taskNodeGroups"); tasks && tasks->is_array())
        for (const auto& g : tasks->get_array())
            if (g.is_object()) out.push_back(read_group(g.get_object()));
    return out;
}

// §5.3: MRS's clusterState (and scale) in Sahara's status vocabulary (§2.4). An unknown state is
// shown as MRS says it: a list must never fail over it.
std::string sahara_status(std::string_view state, std::string_view scale) {
    if (state == "running") {
        if (scale == "scaling-out" || scale == "scaling-up" || scale == "scaling_up_first") return "Scaling";
        if (scale == "scaling-in") return "Decommissioning";
        return "Active";
    }
    if (state == "starting") return "Spawning";
    if (state == "scaling-out") return "Scaling";
    if (state == "scaling-in") return "Decommissioning";
    if (state == "terminating") return "Deleting";
    if (state == "failed" || state == "abnormal" || state == "frozen") return "Error";
    return std::string(state);
}

json::object mrs_info(const json::object& c) {
    json::object mrs;
    for (auto key : {"clusterState", "clusterVersion", "masterNodeIp", "privateIpFirst", "externalIp"})
        if (auto v = text(c, key)) mrs[key] = *v;
    if (const auto* safe = non_null(c, "safeMode"); safe && safe->is_number()) mrs["safeMode"] = *safe;
    if (const auto* list = non_null(c, "componentList"); list && list->is_array()) {
        std::string components;
        for (const auto& item : list->get_array()) {
            if (!item.is_object()) continue;
            const auto name = text(item.get_object(), "componentName");
            if (!name) continue;
            if (!components.empty()) components += ", ";
            components += *name;
            if (auto version = text(item.get_object(), "componentVersion")) components += " " + *version;
        }
        if (!components.empty()) mrs["components"] = components;
    }
    return json::object{{"MRS", std::move(mrs)}};
}

std::optional<std::string> sahara_time(const json::object& c, std::string_view key) {
    const auto* v = c.if_contains(key);
    if (!v) return std::nullopt;
    const auto t = timefmt::to_sahara(*v);
    if (!t.is_string()) return std::nullopt;
    return std::string(t.get_string());
}

}  // namespace

std::optional<sahara::cluster> read_cluster(const json::object& c, std::string_view project_id) {
    const auto id = text(c, "clusterId");
    if (!id) return std::nullopt;
    const auto state = text(c, "clusterState").value_or("");
    if (state == "terminated") return std::nullopt;
    const auto scale = text(c, "scale").value_or("");
    sahara::cluster out;
    out.id = *id;
    out.name = text(c, "clusterName").value_or("");
    out.description = text(c, "remark");
    out.project_id = text(c, "tenantId").value_or(std::string(project_id));
    out.plugin_name = plugin_name;
    out.plugin_version = text(c, "clusterVersion").value_or(text(c, "hadoopVersion").value_or(""));
    out.status = sahara_status(state, scale);
    out.status_description = text(c, "stageDesc").value_or(text(c, "errorInfo").value_or(""));
    if (scale == "scaling-error" && out.status_description.empty()) out.status_description = "MRS: the last scaling failed";
    if (state == "frozen" && out.status_description.empty()) out.status_description = "MRS: the cluster is frozen";
    out.created_at = sahara_time(c, "createAt");
    out.updated_at = sahara_time(c, "updateAt");
    out.node_groups = read_groups(c);
    out.user_keypair_id = text(c, "nodePublicCertName");
    out.management_network = text(c, "subnetId");
    out.info = mrs_info(c);
    return out;
}

upstream_call cluster_list::next_call(const sahara::request& req) const {
    return upstream_call{method::get,
                         "/v1.1/" + req.project_id + "/cluster_infos?pageSize=" + std::to_string(cluster_page_size) +
                             "&currentPage=" + std::to_string(pages_ + 1),
                         {},
                         true};
}

std::optional<sahara::response> cluster_list::read(const sahara::request& req, const upstream_reply& r) {
    if (!succeeded(r, {200})) return failure(req, r, sahara::error_name::invalid_data);
    auto* body = body_object(r);
    auto* items = body ? body->if_contains("clusters") : nullptr;
    if (!items || !items->is_array()) return unusable_answer(req, "cluster_infos answer has no clusters array");
    ++pages_;
    // clusterTotal is typed String in the OTC tables and a number on the wire (§3.3): either.
    const auto total = integer_field(*body, "clusterTotal");
    for (const auto& item : items->get_array()) {
        if (!item.is_object()) continue;
        ++listed_;
        // No order is documented for the pages (§3.2): a cluster that moved between two calls
        // may come twice, and a name look-up must not see it twice.
        if (auto c = read_cluster(item.get_object(), req.project_id); c && seen_.insert(c->id).second)
            clusters_.push_back(std::move(*c));
    }
    const auto n = items->get_array().size();
    // Done at an empty page, at clusterTotal, or without one at a short page; a short page
    // below clusterTotal goes on (MRS may cap the page size, §5.1).
    complete_ = n == 0 || (total ? static_cast<long long>(listed_) >= *total : n < cluster_page_size);
    if (!complete_ && pages_ == max_cluster_pages) return unusable_answer(req, "cluster_infos keeps answering full pages");
    return std::nullopt;
}

upstream_call cluster_detail_call(const sahara::request& req, std::string_view id) {
    return upstream_call{method::get, "/v1.1/" + req.project_id + "/cluster_infos/" + std::string(id), {}, true};
}

bool unknown_cluster(const upstream_reply& r) {
    if (r.outcome != transport::ok) return false;
    if (r.status == 404) return true;
    return (r.status == 400) && mrs::parse_error(r.body).code == "12000003";
}

}  // namespace sgw::mrs_v1_1
