// The backend registry: each MRS API the gateway can speak, by the name the configuration
// uses, with its step function per Sahara operation and what it needs from the configuration.
// Config validation, --help and the Sahara service all read this one table.
#pragma once

#include "translators/common/step.hpp"
#include "translators/sahara/model.hpp"

#include <array>
#include <span>
#include <string_view>

namespace sgw::translators {

struct backend {
    std::string_view name;         ///< the `upstream.backend` value, e.g. "mrs-v1.1"
    std::string_view description;  ///< one line for --help
    /// The step function of each Sahara operation, indexed by sahara::operation.
    std::array<step_fn, sahara::operation_count> steps{};
    /// Configuration keys that must be set for this backend ("upstream.url", ...).
    std::span<const std::string_view> required_keys;
    /// Whether its translators read the job → cluster memory (request::job_cluster). Only
    /// then does the gateway store the `cluster` effects calls report.
    bool uses_job_clusters = false;

    step_fn step_for(sahara::operation op) const noexcept { return steps[static_cast<std::size_t>(op)]; }
};

/// Every backend, in the order --help lists them.
std::span<const backend> backends() noexcept;

/// The backend called `name`, or nullptr.
const backend* find_backend(std::string_view name) noexcept;

}  // namespace sgw::translators
