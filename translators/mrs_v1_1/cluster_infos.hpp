// MRS's own cluster list and detail (`GET /v1.1/{project}/cluster_infos[/{id}]`,
// sahara-clusters-and-templates.md §3), read as Sahara clusters. MRS v2 has no cluster reads
// (§3.1), so the mrs-v2 backend uses these too.
#pragma once

#include "translators/common/step.hpp"
#include "translators/sahara/cluster.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

namespace sgw::mrs_v1_1 {

/// Clusters asked for per cluster_infos page. MRS's default page is 10 clusters (§3.2), so
/// the size is always sent.
inline constexpr std::size_t cluster_page_size = 100;

/// The Sahara cluster of an MRS cluster object (§5.2, §5.3); nullopt for a terminated
/// cluster (Sahara deletes the row, MRS keeps showing it: §3.4) or one without an id.
/// `project_id` stands in for a null `tenantId`.
std::optional<sahara::cluster> read_cluster(const boost::json::object& mrs, std::string_view project_id);

/// The project's clusters, read page by page from `cluster_infos`, terminated ones left out.
class cluster_list {
public:
    /// The call for the next page.
    translators::upstream_call next_call(const sahara::request& req) const;
    /// Reads the answer to next_call(); the error answer when it cannot be used.
    std::optional<sahara::response> read(const sahara::request& req, const translators::upstream_reply& r);
    /// Whether every page has been read.
    bool complete() const noexcept { return complete_; }
    const std::vector<sahara::cluster>& clusters() const noexcept { return clusters_; }

private:
    std::vector<sahara::cluster> clusters_;
    std::unordered_set<std::string> seen_;
    std::size_t listed_ = 0;  ///< clusters seen, terminated ones included
    std::size_t pages_ = 0;
    bool complete_ = false;
};

/// The detail call of cluster `id`.
translators::upstream_call cluster_detail_call(const sahara::request& req, std::string_view id);

/// Whether a detail answer says the cluster does not exist: `12000003` under `error_code` or
/// `errorCode`, with 400 or 404, or a plain 404 (§3.4).
bool unknown_cluster(const translators::upstream_reply& r);

}  // namespace sgw::mrs_v1_1
