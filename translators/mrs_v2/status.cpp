// The MRS v2 job state table.
#include "translators/mrs_v2/status.hpp"

#include <algorithm>
#include <cctype>

namespace sgw::mrs_v2 {
using sahara::job_status;

namespace {

bool same(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
           });
}

}  // namespace

std::optional<job_status> from_mrs_v2(std::string_view state, std::string_view result) noexcept {
    // Before YARN runs the application: Sahara's PENDING (mrs-api.md §3.3).
    for (auto waiting : {"NEW", "NEW_SAVING", "SUBMITTED", "ACCEPTED"})
        if (same(state, waiting)) return job_status::pending;
    if (same(state, "RUNNING")) return job_status::running;
    if (same(state, "KILLED")) return job_status::killed;
    if (same(state, "FAILED")) return job_status::failed;
    if (same(state, "FINISHED")) {
        // FINISHED says the application ended; job_result says how (§3.2: FINISHED + FAILED
        // appears in the examples, so only SUCCEEDED is a success).
        if (same(result, "SUCCEEDED")) return job_status::succeeded;
        if (same(result, "FAILED")) return job_status::failed;
        if (same(result, "KILLED")) return job_status::killed;
        // Ended with no final result (UNDEFINED or absent) is not a documented pair: a terminal
        // non-success rather than a success nobody confirmed, as for v1.1.
        return job_status::done_with_error;
    }
    return std::nullopt;
}

}  // namespace sgw::mrs_v2
