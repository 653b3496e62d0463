// The mrs-v1.1 backend: MRS's Sahara-compatible v1.1 job-execution API plus job-exes.
#pragma once

#include "translators/registry.hpp"

namespace sgw::mrs_v1_1 {

/// Its registry entry: one step function per Sahara operation.
translators::backend definition();

}  // namespace sgw::mrs_v1_1
