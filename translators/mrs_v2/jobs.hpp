// MRS v2 job paths, calls and objects, shared by the mrs-v2 translators. Letters name the MRS
// endpoints of mrs-api.md §1 (I submit, J list, K detail, L kill, M batch-delete).
#pragma once

#include "translators/common/step.hpp"
#include "translators/sahara/status.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace sgw::mrs_v2 {

/// "/v2/{project}/clusters/{cluster}/job-executions", the cluster id percent-encoded (it may
/// come from MRS's cluster list).
std::string jobs_path(const sahara::request& req, std::string_view cluster);

/// K for job `id` (the request's by default; percent-encoded, as it may come from MRS) on
/// `cluster`; resent safely, and after `delay` when polling.
translators::upstream_call detail_call(const sahara::request& req, std::string_view cluster,
                                       std::chrono::milliseconds delay = {}, std::string_view id = {});

/// L for the request's job on `cluster`. Killing twice is harmless, so it may be resent.
translators::upstream_call kill_call(const sahara::request& req, std::string_view cluster);

/// M for the request's job on `cluster`. Never resent: a delete that reached MRS would fail
/// the second time.
translators::upstream_call delete_call(const sahara::request& req, std::string_view cluster);

/// The JobQueryBean of a successful K answer (`{"job_detail": {...}}`, 202 or 200: mrs-api.md
/// §1 says J and K answer 202), or nullptr.
const boost::json::object* job_detail(const translators::upstream_reply& r);

/// Whether MRS says the job is not on that cluster: 0176 or 0201 (no such job; a v2 id is only
/// valid under its own cluster), 12000003 (no such cluster) or 0167 (the cluster has no v2 job
/// API, so no v2 job runs there). mrs-api.md §5.3.
bool not_there(const translators::upstream_reply& r);

/// The Sahara status of a JobQueryBean (status.hpp), nullopt when its job_state is unknown.
std::optional<sahara::job_status> bean_status(const boost::json::object& bean);

/// A Sahara v1.1 job-execution object (sahara-api.md §6) from a JobQueryBean of `cluster`,
/// with `info.status` = `status`. Times in epoch ms, 0 meaning unset, become Sahara times or
/// null (mrs-api.md §4). MRS's own facts about the job go into `info` beside the status.
boost::json::object render(const sahara::request& req, const boost::json::object& bean, std::string_view cluster,
                           sahara::job_status status);

}  // namespace sgw::mrs_v2
