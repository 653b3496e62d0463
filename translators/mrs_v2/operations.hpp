// The Sahara job-execution operations on the mrs-v2 backend. Letters name the MRS endpoints of
// mrs-api.md §1. A job's cluster comes from the gateway's memory (request::job_cluster) or,
// when unknown or stale, from the search in clusters.hpp; its cost is in docs/api-coverage.md.
#pragma once

#include "translators/common/step.hpp"

namespace sgw::mrs_v2 {
using translators::step_context;
using translators::step_result;
using translators::upstream_reply;

/// show and refresh-status: K on the job's cluster → 200. Unknown → 404 NOT_FOUND.
step_result show_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx);

/// v1.1 cancel: L on the job's cluster, then K. A job already ended is answered 200 as it is
/// (as Sahara does); one still running after the kill is TOBEKILLED, polled with K for up to
/// request::cancel_wait first. A refused kill of a running job is 400 CANCELING_FAILED.
step_result cancel_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx);

/// PATCH: `info.status=cancel` cancels (as cancel_step, answered 202); `suspend` is refused;
/// `is_public`/`is_protected` can only be "set" to false, which is all MRS reports.
step_result update_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx);

/// DELETE: M on the job's cluster → 204. MRS refuses to delete a running job (0183): the
/// gateway kills it instead and answers 204; the job stays in MRS, KILLED, until deleted again.
step_result remove_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx);

/// execute: Sahara's body mapped onto I (docs/api-coverage.md), then K → 202 with the new job.
step_result execute_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx);

/// list: the project's clusters, then J on each, all pages; filtered, ordered and paged by the
/// Sahara layer (sahara/list_query.hpp).
step_result list_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx);

}  // namespace sgw::mrs_v2
