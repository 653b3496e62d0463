// Sahara v1.1 cancel on the mrs-v1.1 backend.
#pragma once

#include "translators/common/step.hpp"

namespace sgw::mrs_v1_1 {

/// GET /v1.1/{project}/job-executions/{id}/cancel.
///
/// 1. `GET /v1.1/{p}/job-executions/{id}/cancel` on MRS (mrs-api.md §2C). Its answer has
///    `info: null`, so it cannot tell the status.
/// 2. `GET /v1.1/{p}/job-exes/{id}` (§2H) for job_state/job_final_status. After an
///    accepted cancel a job that still runs is TOBEKILLED; a finished one keeps its
///    terminal status.
/// 3. Only when MRS refused the cancel and the job has in fact already finished:
///    `GET /v1.1/{p}/job-executions/{id}` (§2B) for the object, answered 200 with its
///    terminal status, because cancel is idempotent. A refusal of a job that is still
///    running is 400 CANCELING_FAILED with MRS's message.
///
/// Example: a running job → calls 1 and 2 →
/// `200 {"job_execution": {"id": …, "info": {"status": "TOBEKILLED"}, …}}`.
translators::step_result cancel_step(const sahara::request& req, std::span<const translators::upstream_reply> replies,
                                     translators::step_context& ctx);

}  // namespace sgw::mrs_v1_1
