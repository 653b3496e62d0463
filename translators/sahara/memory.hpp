// What a Sahara call's outcome means for the gateway's memory of recent actions: the policy,
// kept here so that the gateway only stores and looks up what this file tells it to.
//
// MRS shows neither of two things Sahara clients rely on:
// - a job whose cancel was accepted keeps running for a while; Sahara shows it TOBEKILLED
//   until it ends (sahara-api.md §5), for at most job_canceling_timeout;
// - a deleted job is simply gone; a repeated DELETE must still answer 204, since the
//   operation is idempotent (gateway-anchors.md §3 lesson 3).
#pragma once

#include "translators/common/step.hpp"
#include "translators/sahara/status.hpp"

#include <chrono>
#include <string_view>

namespace sgw::sahara {

/// How long a job stays "being killed" without MRS reporting its end: Sahara's
/// job_canceling_timeout default (sahara-api.md §5).
inline constexpr std::chrono::seconds killing_memory{300};
/// How long a DELETE is remembered, so that a client's retry still answers 204.
inline constexpr std::chrono::seconds deleted_memory{600};

/// Job `id` was shown with `status`: TOBEKILLED keeps it in the set of jobs being killed, a
/// terminal status takes it out (the kill is over). Other statuses record nothing: a request
/// shows one only when the job was not being killed as it began, and a cancel answered since
/// must not be undone by it.
void note_shown(translators::step_context& ctx, std::string_view id, job_status status);

/// Job `id` was deleted.
void note_deleted(translators::step_context& ctx, std::string_view id);

/// Job `id` runs on cluster `cluster` (a backend whose job ids do not name their cluster
/// reads this back).
void note_cluster(translators::step_context& ctx, std::string_view id, std::string_view cluster);

/// No cluster of the project has job `id`: for a while, the gateway answers 404 without
/// looking again.
void note_unknown(translators::step_context& ctx, std::string_view id);

/// The answer to a DELETE that MRS refused with "not found": 204 when this gateway deleted
/// the job lately (the client is retrying), else `not_found` unchanged.
response after_delete_not_found(const request& req, response not_found);

}  // namespace sgw::sahara
