// show and refresh-status on the mrs-v1.1 backend.
#include "translators/common/replies.hpp"
#include "translators/mrs_v1_1/job_execution.hpp"
#include "translators/mrs_v1_1/operations.hpp"
#include "translators/mrs_v1_1/paths.hpp"
#include "translators/sahara/job_execution.hpp"

namespace sgw::mrs_v1_1 {
using namespace translators;

step_result show_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx) {
    if (replies.empty()) return read_job_calls(req);
    auto shown = read_job(req, replies[0], replies[1]);
    if (shown.error) return step_result::done(std::move(*shown.error));
    return step_result::done(sahara::single(req, ctx, 200, render(*shown.object, shown.status, shown.exe, ctx.storage())));
}

}  // namespace sgw::mrs_v1_1
