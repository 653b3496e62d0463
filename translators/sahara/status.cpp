// Sahara job statuses.
#include "translators/sahara/status.hpp"

#include <algorithm>

namespace sgw::sahara {

std::string_view to_string(job_status s) noexcept {
    switch (s) {
        case job_status::pending: return "PENDING";
        case job_status::ready_to_run: return "READYTORUN";
        case job_status::prep: return "PREP";
        case job_status::running: return "RUNNING";
        case job_status::to_be_killed: return "TOBEKILLED";
        case job_status::to_be_suspended: return "TOBESUSPENDED";
        case job_status::prep_suspended: return "PREPSUSPENDED";
        case job_status::suspended: return "SUSPENDED";
        case job_status::succeeded: return "SUCCEEDED";
        case job_status::failed: return "FAILED";
        case job_status::killed: return "KILLED";
        case job_status::done_with_error: return "DONEWITHERROR";
        case job_status::suspend_failed: return "SUSPENDFAILED";
    }
    return "PENDING";
}

bool is_terminal(job_status s) noexcept {
    switch (s) {
        case job_status::succeeded:
        case job_status::failed:
        case job_status::killed:
        case job_status::done_with_error:
        case job_status::suspend_failed: return true;
        default: return false;
    }
}

std::optional<job_status> parse_status(std::string_view text) noexcept {
    for (int i = 0; i <= static_cast<int>(job_status::suspend_failed); ++i) {
        const auto s = static_cast<job_status>(i);
        if (to_string(s) == text) return s;
    }
    return std::nullopt;
}

job_status as_seen(const request& req, std::string_view id, job_status s) {
    if (is_terminal(s)) return s;
    const bool killing = std::find(req.being_killed.begin(), req.being_killed.end(), id) != req.being_killed.end();
    return killing ? job_status::to_be_killed : s;
}

}  // namespace sgw::sahara
