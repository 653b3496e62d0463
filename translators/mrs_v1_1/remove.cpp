// DELETE on the mrs-v1.1 backend.
#include "translators/common/replies.hpp"
#include "translators/mrs_v1_1/operations.hpp"
#include "translators/mrs_v1_1/paths.hpp"
#include "translators/sahara/memory.hpp"

namespace sgw::mrs_v1_1 {
using namespace translators;

step_result remove_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx) {
    if (replies.empty()) {
        // Not retry-safe: a delete that reached MRS before the connection died would answer
        // "not found" the second time.
        return step_result::call(upstream_call{method::del, job_path(req, "job-executions"), {}, false});
    }
    // D answers 204 (mrs-api.md §2D); accept 200 too.
    if (succeeded(replies[0], {204, 200})) {
        sahara::note_deleted(ctx, req.id);
        return step_result::done(sahara::response{204, {}, {}});
    }
    return step_result::done(
        sahara::after_delete_not_found(req, failure(req, replies[0], sahara::error_name::deletion_failed)));
}

}  // namespace sgw::mrs_v1_1
