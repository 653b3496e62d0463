// Sahara job-execution list (v1.1 and v2) on the mrs-v1.1 backend.
#pragma once

#include "translators/common/step.hpp"

namespace sgw::mrs_v1_1 {

/// GET /v1.1/{project}/job-executions and GET /v2/jobs.
///
/// The query is checked first, by the Sahara layer (sahara/list_query.hpp). Then the whole MRS
/// list is read, since MRS's objects carry no state (mrs-api.md §8(3)):
/// 1. `GET /v1.1/{p}/job-executions?limit=1000&sort_by=id` (§2A), page after page along
///    `markers.next`, at most 50 pages.
/// 2. `GET /v1.1/{p}/job-exes?cluster_id=…&page_size=100&current_page=1` (§2G) for every
///    cluster, all at once; then, also at once, the further pages (at most 20 a cluster) of the
///    clusters whose `totalRecord` leaves jobs of the list unaccounted for.
/// 3. `GET /v1.1/{p}/job-exes/{id}` (§2H) for each job still without a record (no cluster,
///    cluster deleted meanwhile, or not on the pages read), at most 100. A job H no longer
///    knows (0176/0201) was deleted meanwhile and is left out.
/// The Sahara layer then filters, sorts and pages (sahara::list_answer). The walk is kept in the
/// context, so each step reads only the replies to the calls it asked for.
///
/// Example: jobs a..e, `?limit=2&marker=b` →
/// `200 {"job_executions": [b, c], "markers": {"prev": null, "next": "d"}}`.
translators::step_result list_step(const sahara::request& req, std::span<const translators::upstream_reply> replies,
                                   translators::step_context& ctx);

}  // namespace sgw::mrs_v1_1
