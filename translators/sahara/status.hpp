// Sahara's job status vocabulary. Each backend maps its MRS states onto it (mrs_v1_1/status.hpp).
#pragma once

#include "translators/sahara/model.hpp"

#include <optional>
#include <string_view>

namespace sgw::sahara {

/// sahara/utils/edp.py job statuses (sahara-api.md §5, mrs-api.md §3.3).
enum class job_status {
    pending,
    ready_to_run,
    prep,
    running,
    to_be_killed,
    to_be_suspended,
    prep_suspended,
    suspended,
    succeeded,
    failed,
    killed,
    done_with_error,
    suspend_failed,
};

std::string_view to_string(job_status s) noexcept;

/// DONEWITHERROR, FAILED, KILLED, SUCCEEDED, SUSPENDFAILED.
bool is_terminal(job_status s) noexcept;

/// The status named `text` ("RUNNING", ...), exactly as to_string spells it.
std::optional<job_status> parse_status(std::string_view text) noexcept;

/// `s`, or TOBEKILLED when `req` lists `id` as being killed and `s` is not terminal.
job_status as_seen(const request& req, std::string_view id, job_status s);

}  // namespace sgw::sahara
