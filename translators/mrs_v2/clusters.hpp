// Finding the cluster of a v2 job, whose id does not name it.
#pragma once

#include "translators/common/step.hpp"
#include "translators/mrs_v1_1/cluster_infos.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

namespace sgw::mrs_v2 {

/// The project's clusters: MRS v2 has none to read, so the v1.1 cluster_infos pages are read.
using mrs_v1_1::cluster_list;

/// Finds the cluster of the request's job when the gateway does not know it (or what it knew
/// was stale): lists the project's clusters, then reads the job's detail (K) on each of them
/// at once (the executor caps how many run together). What it finds is remembered (the
/// `cluster` effect); a job on no cluster is remembered as unknown.
///
/// Cost: one cluster_infos call per 100 clusters, then one K per cluster; mrs-api.md §1 says
/// a v2 id is only valid under its own cluster, so nothing cheaper finds it.
class locator {
public:
    /// Leaves `cluster` out of the search (it was just asked and said the job is not there).
    void exclude(std::string cluster) { excluded_ = std::move(cluster); }

    /// Continues the search with `replies` (those of its own last calls only: it releases the
    /// context's replies as it goes). Returns the next calls, or the final answer (404 when no
    /// cluster has the job, the error when MRS failed), or nullopt once the job is found.
    std::optional<translators::step_result> step(const sahara::request& req,
                                                 std::span<const translators::upstream_reply> replies,
                                                 translators::step_context& ctx);

    const std::string& cluster() const noexcept { return cluster_; }
    /// The job's JobQueryBean, as the search read it (copied out of the released replies).
    const boost::json::object& detail() const noexcept { return detail_; }

private:
    enum class phase { start, listing, probing, found };
    phase phase_ = phase::start;
    cluster_list clusters_;
    std::vector<std::string> candidates_;
    std::string excluded_;
    std::string cluster_;
    boost::json::object detail_;
};

}  // namespace sgw::mrs_v2
