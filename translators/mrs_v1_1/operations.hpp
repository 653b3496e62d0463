// The Sahara job-execution operations on the mrs-v1.1 backend, besides cancel and list.
// Letters name the MRS endpoints of mrs-api.md §1.
#pragma once

#include "translators/common/step.hpp"

namespace sgw::mrs_v1_1 {

using translators::step_context;
using translators::step_result;
using translators::upstream_reply;

/// show and refresh-status (v1.1 and v2): B (object) and H (state) at once → 200.
/// The gateway caches nothing, so refresh-status is a show.
step_result show_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx);

/// DELETE: D → 204. Unknown → 404 NOT_FOUND (204 when this gateway deleted it lately,
/// sahara/memory.hpp); MRS refusal → 400 DELETION_FAILED.
step_result remove_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx);

/// PATCH (v1.1 and v2): `info.status=cancel` cancels (as cancel_step, answered 202);
/// `suspend` is refused (MRS has no suspend); `is_public`/`is_protected` can only be
/// "set" to the values MRS already reports, since MRS cannot store them (mrs-api.md §8(5)).
step_result update_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx);

/// execute (v1.1 `POST jobs/{id}/execute`, v2 `POST /v2/jobs`): body validated by the Sahara
/// layer (sahara/schemas.hpp), then E → 202 with the new job execution, PENDING.
step_result execute_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx);

}  // namespace sgw::mrs_v1_1
