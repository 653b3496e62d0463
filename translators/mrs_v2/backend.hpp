// The mrs-v2 backend: MRS's v2 job API (clusters/{cluster_id}/job-executions), for clusters of
// MRS 1.9.2 and later (mrs-api.md §1).
#pragma once

#include "translators/registry.hpp"

namespace sgw::mrs_v2 {

/// Its registry entry: one step function per Sahara operation.
translators::backend definition();

}  // namespace sgw::mrs_v2
