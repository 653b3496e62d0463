// A Sahara cluster as the v1.1 object.
#include "translators/sahara/cluster.hpp"

#include <boost/json.hpp>

namespace sgw::sahara {
namespace json = boost::json;

namespace {

json::value or_null(const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); }

json::object group_object(const node_group& g) {
    json::object o;
    o["name"] = g.name;
    o["count"] = g.count;
    o["flavor_id"] = g.flavor_id;
    json::array processes;
    for (const auto& p : g.node_processes) processes.emplace_back(p);
    o["node_processes"] = std::move(processes);
    o["volumes_per_node"] = g.volumes_per_node;
    o["volumes_size"] = g.volumes_size;
    o["volume_type"] = or_null(g.volume_type);
    o["instances"] = json::array();
    return o;
}

}  // namespace

json::object cluster_object(const cluster& c) {
    // Keys in the order of Sahara's model (§2.2); what MRS has no counterpart for gets the
    // value a Sahara cluster without it would show.
    json::object o;
    o["id"] = c.id;
    o["name"] = c.name;
    o["description"] = or_null(c.description);
    o["tenant_id"] = c.project_id;
    o["trust_id"] = nullptr;
    o["is_transient"] = false;
    o["plugin_name"] = c.plugin_name;
    o["hadoop_version"] = c.plugin_version;
    o["cluster_configs"] = json::object();
    o["default_image_id"] = nullptr;
    o["neutron_management_network"] = or_null(c.management_network);
    o["anti_affinity"] = json::array();
    o["anti_affinity_ratio"] = 1;
    o["management_public_key"] = "";
    o["user_keypair_id"] = or_null(c.user_keypair_id);
    o["status"] = c.status;
    o["status_description"] = c.status_description;
    o["info"] = c.info;
    o["use_autoconfig"] = true;
    o["cluster_template_id"] = nullptr;
    o["shares"] = nullptr;
    o["is_public"] = false;
    o["is_protected"] = false;
    o["domain_name"] = nullptr;
    o["created_at"] = or_null(c.created_at);
    o["updated_at"] = or_null(c.updated_at);
    json::array groups;
    for (const auto& g : c.node_groups) groups.emplace_back(group_object(g));
    o["node_groups"] = std::move(groups);
    o["provision_progress"] = json::array();
    return o;
}

}  // namespace sgw::sahara
