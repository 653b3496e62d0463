// Finding the cluster of a v2 job.
#include "translators/mrs_v2/clusters.hpp"

#include "translators/common/replies.hpp"
#include "translators/mrs_v2/jobs.hpp"
#include "translators/sahara/errors.hpp"
#include "translators/sahara/memory.hpp"

#include <boost/json.hpp>

namespace sgw::mrs_v2 {
namespace json = boost::json;
using namespace translators;

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
            for (const auto& c : clusters_.clusters())
                if (c.id != excluded_) candidates_.push_back(c.id);
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
