// A Sahara cluster (sahara-clusters-and-templates.md §2.2), as a backend fills it from what its
// MRS API tells, and the v1.1 object Sahara's clients read (§1.4).
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

namespace sgw::sahara {

struct node_group {
    std::string name{};
    long long count = 0;
    std::string flavor_id{};
    std::vector<std::string> node_processes{};
    long long volumes_per_node = 0;
    long long volumes_size = 0;  ///< GB
    std::optional<std::string> volume_type{};
};

struct cluster {
    std::string id{};
    std::string name{};
    std::optional<std::string> description{};
    std::string project_id{};
    std::string plugin_name{};
    std::string plugin_version{};  ///< `hadoop_version` in v1.1
    std::string status{};          ///< Sahara's vocabulary (§2.4) where it has a word, else the backend's
    std::string status_description{};
    std::optional<std::string> created_at{}, updated_at{};  ///< "YYYY-MM-DDTHH:MM:SS", UTC
    std::vector<node_group> node_groups{};
    std::optional<std::string> user_keypair_id{};
    std::optional<std::string> management_network{};  ///< `neutron_management_network`
    boost::json::object info{};                         ///< free-form, as Sahara's plugins fill it
};

/// The v1.1 object: every key of Sahara's, those the cluster has no value for at their
/// neutral value (`default_image_id` null, `anti_affinity` [], `provision_progress` [], the
/// flags false), so that list items and shows carry every key the CLI indexes (§1.4).
/// Example: a running cluster → {"id": ..., "hadoop_version": "MRS 3.1.2-LTS.3",
/// "status": "Active", "node_groups": [{"name": "master_node_default_group", "count": 2, ...}], ...}.
boost::json::object cluster_object(const cluster& c);

}  // namespace sgw::sahara
