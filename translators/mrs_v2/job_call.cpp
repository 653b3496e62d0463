// Where a v2 job is, for the operations on one job.
#include "translators/mrs_v2/job_call.hpp"

#include "translators/sahara/errors.hpp"

#include <algorithm>

namespace sgw::mrs_v2 {
using namespace translators;

namespace {

sahara::response not_found(const sahara::request& req, std::string why) {
    return sahara::error_response(req, 404, sahara::error_name::not_found, sahara::not_found_message(req.id),
                                  std::move(why));
}

}  // namespace

namespace {

/// Between two reads of a job being killed, at least.
constexpr std::chrono::milliseconds shortest_poll{500};
/// Reads after the first, at most: the executor takes at most 4,096 rounds for one request,
/// and upstream.cancel_wait_ms may be up to a day.
constexpr int max_polls = 1000;

}  // namespace

std::chrono::milliseconds poll_interval(const sahara::request& req) {
    return std::max(shortest_poll, (req.cancel_wait + std::chrono::milliseconds(max_polls - 1)) / max_polls);
}

int polls_for(const sahara::request& req) {
    const auto step = poll_interval(req);
    return static_cast<int>((req.cancel_wait + step - std::chrono::milliseconds(1)) / step);
}

step_result begin_on_job(const sahara::request& req, step_context& ctx, job_call& c, call_on first) {
    if (req.unknown_lately) return step_result::done(not_found(req, "found on no cluster lately (negative cache)"));
    // A job this gateway deleted may linger in MRS while its kill lands (remove.cpp); to the
    // client it is gone, as `job delete --wait` expects. A DELETE itself goes through again.
    if (req.deleted_lately && req.op != sahara::operation::remove)
        return step_result::done(not_found(req, "deleted through this gateway lately"));
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
