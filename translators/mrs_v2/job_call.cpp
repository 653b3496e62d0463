// Where a v2 job is, for the operations on one job.
#include "translators/mrs_v2/job_call.hpp"

#include "translators/sahara/errors.hpp"

namespace sgw::mrs_v2 {
using namespace translators;

namespace {

sahara::response not_found(const sahara::request& req, std::string why) {
    return sahara::error_response(req, 404, sahara::error_name::not_found, sahara::not_found_message(req.id),
                                  std::move(why));
}

}  // namespace

step_result begin_on_job(const sahara::request& req, step_context& ctx, job_call& c, call_on first) {
    if (req.unknown_lately) return step_result::done(not_found(req, "found on no cluster lately (negative cache)"));
    if (!req.job_cluster.empty()) {
        c.cluster = req.job_cluster;
        c.at = job_call::stage::first;
        return step_result::call(first(req, c.cluster));
    }
    c.at = job_call::stage::searching;
    return *c.search.step(req, {}, ctx);
}

step_result search_elsewhere(const sahara::request& req, step_context& ctx, job_call& c) {
    // The job left a cluster this request found it on: it is gone.
    if (c.found_here) return step_result::done(not_found(req, "gone from cluster " + c.cluster));
    ctx.release_replies();
    c.search.exclude(c.cluster);
    c.at = job_call::stage::searching;
    return *c.search.step(req, {}, ctx);
}

std::optional<step_result> continue_search(const sahara::request& req, std::span<const upstream_reply> replies,
                                           step_context& ctx, job_call& c) {
    if (auto next = c.search.step(req, replies, ctx)) return next;
    c.cluster = c.search.cluster();
    c.found_here = true;
    return std::nullopt;
}

}  // namespace sgw::mrs_v2
