// The MRS v1.1 job state table: job-exes (job_state, job_final_status) to Sahara statuses.
#pragma once

#include "translators/sahara/status.hpp"

#include <optional>

namespace sgw::mrs_v1_1 {

/// Maps an MRS v1.1 job-exes (job_state, job_final_status) pair (mrs-api.md §3.1) to a
/// Sahara status; nullopt for a state number outside the documented set.
std::optional<sahara::job_status> from_mrs_v1(long long job_state, long long job_final_status) noexcept;

}  // namespace sgw::mrs_v1_1
