// Building Sahara v1.1 job-execution objects from MRS v1.1 answers.
#pragma once

#include "translators/mrs_v1_1/status.hpp"

#include <boost/json/object.hpp>

#include <optional>

namespace sgw::mrs_v1_1 {

/// The Sahara status of a job-exes record (mrs-api.md §2H): from job_state and
/// job_final_status through the single table in mrs_v1_1/status.hpp. nullopt when either
/// field is missing or holds an undocumented value.
std::optional<sahara::job_status> exe_status(const boost::json::object& exe);

/// A Sahara v1.1 job-execution object (sahara-api.md §6) from MRS's Sahara-style object
/// (`job-executions` answers, whose `info` is null: mrs-api.md §8(3)), with `info.status`
/// set to `status`. Times missing from `sahara_style` are taken from the job-exes record
/// `exe` when one is given (epoch ms there). Fields MRS has nothing for are null. The object
/// and everything in it live in `sp` (a request's arena, where a copy costs no allocation).
boost::json::object render(const boost::json::object& sahara_style, sahara::job_status status,
                           const boost::json::object* exe, boost::json::storage_ptr sp = {});

}  // namespace sgw::mrs_v1_1
