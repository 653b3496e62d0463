// PATCH on the mrs-v1.1 backend.
#include "translators/common/replies.hpp"
#include "translators/mrs_v1_1/cancel.hpp"
#include "translators/mrs_v1_1/job_execution.hpp"
#include "translators/mrs_v1_1/operations.hpp"
#include "translators/mrs_v1_1/paths.hpp"
#include "translators/sahara/errors.hpp"
#include "translators/sahara/job_execution.hpp"
#include "translators/sahara/schemas.hpp"

namespace sgw::mrs_v1_1 {
using namespace translators;

step_result update_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx) {
    // The body is read on the first step only; the context keeps what it asks for.
    auto& p = ctx.state<sahara::patch_request>();
    if (replies.empty()) p = sahara::read_patch(req);
    if (p.error) return step_result::done(*p.error);
    if (p.status == "cancel") return cancel_step(req, replies, ctx);
    if (p.status == "suspend")
        return step_result::done(sahara::error_response(
            req, 400, sahara::error_name::invalid_reference,
            "MRS has no suspend operation: job execution '" + req.id + "' cannot be suspended"));

    if (replies.empty()) return read_job_calls(req);
    auto shown = read_job(req, replies[0], replies[1]);
    if (shown.error) return step_result::done(std::move(*shown.error));
    auto object = render(*shown.object, shown.status, shown.exe, ctx.storage());
    if (auto no = sahara::unstorable_flags(req, p, object)) return step_result::done(std::move(*no));
    return step_result::done(sahara::single(req, ctx, 202, std::move(object)));
}

}  // namespace sgw::mrs_v1_1
