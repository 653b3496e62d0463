// The MRS v1.1 job state table.
#include "translators/mrs_v1_1/status.hpp"

namespace sgw::mrs_v1_1 {
using sahara::job_status;

std::optional<sahara::job_status> from_mrs_v1(long long job_state, long long job_final_status) noexcept {
    // job_final_status 3 = "cancelled" wins over whatever job_state says (mrs-api.md §3.1).
    if (job_final_status == 3) return job_status::killed;
    switch (job_state) {
        case -1: return job_status::killed;   // Terminated
        case 1: return job_status::pending;   // Starting
        case 2: return job_status::running;   // Running
        case 3:                               // Completed: the final status tells success
            switch (job_final_status) {
                case 2: return job_status::succeeded;
                case 1: return job_status::failed;
                // Completed yet "not finished" is not a documented pair; report a
                // terminal non-success rather than a success nobody confirmed.
                default: return job_status::done_with_error;
            }
        case 4: return job_status::failed;  // Abnormal
        case 5: return job_status::failed;  // Error
        default: return std::nullopt;
    }
}

}  // namespace sgw::mrs_v1_1
