// The project's clusters, and finding the cluster of a v2 job.
#include "translators/mrs_v2/clusters.hpp"

#include "translators/common/replies.hpp"
#include "translators/mrs_v2/jobs.hpp"
#include "translators/sahara/errors.hpp"
#include "translators/sahara/memory.hpp"

#include <boost/json.hpp>

namespace sgw::mrs_v2 {
namespace json = boost::json;
using namespace translators;

namespace {

// Far more clusters than a project has: a cluster list that keeps going is MRS misbehaving.
constexpr std::size_t max_cluster_pages = 1000;

}  // namespace

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
        const auto& c = item.get_object();
        ++listed_;
        auto* id = c.if_contains("clusterId");
        if (!id || !id->is_string() || id->get_string().empty()) continue;
        // A terminated cluster is deleted (§3.4): it runs nothing and answers no job call.
        if (auto* state = c.if_contains("clusterState"); state && state->is_string() && state->get_string() == "terminated")
            continue;
        ids_.emplace_back(id->get_string());
    }
    const auto n = items->get_array().size();
    complete_ = n < cluster_page_size || (total && static_cast<long long>(listed_) >= *total);
    if (!complete_ && pages_ == max_cluster_pages)
        return unusable_answer(req, "cluster_infos keeps answering full pages");
    return std::nullopt;
}

std::optional<step_result> locator::step(const sahara::request& req, std::span<const upstream_reply> replies,
                                         step_context& ctx) {
    switch (phase_) {
        case phase::start:
            phase_ = phase::listing;
            return step_result::call(clusters_.next_call(req));
        case phase::listing: {
            if (auto error = clusters_.read(req, replies.front())) return step_result::done(std::move(*error));
            ctx.release_replies();
            if (!clusters_.complete()) return step_result::call(clusters_.next_call(req));
            for (const auto& id : clusters_.ids())
                if (id != excluded_) candidates_.push_back(id);
            if (candidates_.empty()) break;
            phase_ = phase::probing;
            step_result probes;
            for (const auto& id : candidates_) probes.calls.push_back(detail_call(req, id));
            return probes;
        }
        case phase::probing: {
            const upstream_reply* failed = nullptr;
            for (std::size_t i = 0; i < replies.size() && i < candidates_.size(); ++i) {
                if (auto* bean = job_detail(replies[i])) {
                    detail_ = json::object(*bean, json::storage_ptr());
                    cluster_ = candidates_[i];
                    phase_ = phase::found;
                    ctx.release_replies();
                    sahara::note_cluster(ctx, req.id, cluster_);
                    return std::nullopt;
                }
                if (!failed && !not_there(replies[i])) failed = &replies[i];
            }
            // A cluster that failed may hold the job: say what failed, and remember nothing.
            if (failed) return step_result::done(failure(req, *failed, sahara::error_name::invalid_data));
            break;
        }
        case phase::found: return std::nullopt;
    }
    sahara::note_unknown(ctx, req.id);
    return step_result::done(sahara::error_response(req, 404, sahara::error_name::not_found,
                                                    sahara::not_found_message(req.id),
                                                    "on none of the project's clusters"));
}

}  // namespace sgw::mrs_v2
