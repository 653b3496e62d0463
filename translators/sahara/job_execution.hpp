// The Sahara job-execution object across API versions (sahara-api.md §3, §6).
#pragma once

#include "translators/common/step.hpp"
#include "translators/sahara/model.hpp"

#include <boost/json/object.hpp>

#include <string_view>

namespace sgw::sahara {

/// v1.1 → v2 renames: tenant_id → project_id, job_id → job_template_id, no oozie_job_id.
boost::json::object to_version(boost::json::object v1_1_object, api_version v);

/// `job_configs` as Sahara shows it (sahara-api.md §3, the job-execution object): the values of
/// configs that hold credentials blanked to "" (Sahara's swift and s3a ones, and their OBS
/// counterparts `fs.obs.access.key`/`fs.obs.secret.key`; any name with "password" or ending in
/// ".secret.key"/".access.key"), and `proxy_configs` and `trusts` left out.
boost::json::object sanitized_job_configs(const boost::json::object& job_configs);

/// "job_execution" (v1.1) or "job" (v2).
std::string_view single_key(api_version v) noexcept;
/// "job_executions" (v1.1) or "jobs" (v2).
std::string_view collection_key(api_version v) noexcept;

/// A response `{"<single_key>": object}` with `status`, the object given in v1.1 form. What
/// the object shows (its status, its cluster) is noted in `ctx` for the gateway's memory.
response single(const request& req, translators::step_context& ctx, unsigned status,
                boost::json::object v1_1_object);

/// The 202 answer to an execute: `single` with `job_configs.job_execution_info` set to `{}`,
/// as Sahara overwrites it when it creates the execution (sahara-api.md §6.1, §6.3).
response created(const request& req, translators::step_context& ctx, boost::json::object v1_1_object);

}  // namespace sgw::sahara
