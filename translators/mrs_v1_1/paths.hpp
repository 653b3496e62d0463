// MRS v1.1 paths and the reads shared by the mrs-v1.1 translators.
#pragma once

#include "translators/common/step.hpp"
#include "translators/sahara/status.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace sgw::mrs_v1_1 {

/// "/v1.1/{project}/{collection}/{id}", with `id` defaulting to the request's.
std::string job_path(const sahara::request& req, std::string_view collection, std::string_view id = {});

/// A GET that may be resent after a reused connection died before any answer.
translators::upstream_call read(std::string target);

/// The step that reads a job: B and H at once, answered by `read_job`.
translators::step_result read_job_calls(const sahara::request& req);

/// A job read through B (Sahara-style object) and H (job-exes record), or the error
/// answer either read means. `refused_name` names an MRS refusal (sahara-api.md §7.1).
struct job_read {
    const boost::json::object* object = nullptr;
    const boost::json::object* exe = nullptr;
    sahara::job_status status = sahara::job_status::pending;
    std::optional<sahara::response> error;
};
job_read read_job(const sahara::request& req, const translators::upstream_reply& object_reply,
                  const translators::upstream_reply& exe_reply);

}  // namespace sgw::mrs_v1_1
