// The MRS v2 job state table: (job_state, job_result) to Sahara statuses.
#pragma once

#include "translators/sahara/status.hpp"

#include <optional>
#include <string_view>

namespace sgw::mrs_v2 {

/// Maps an MRS v2 (job_state, job_result) pair (mrs-api.md §3.2, YARN's application state
/// and final status) to a Sahara status; nullopt for a job_state outside the documented set.
/// Case is ignored: the OTC docs spell `New` where the SDK spells `NEW`.
std::optional<sahara::job_status> from_mrs_v2(std::string_view job_state, std::string_view job_result) noexcept;

}  // namespace sgw::mrs_v2
