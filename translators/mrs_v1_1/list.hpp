// Sahara job-execution list (v1.1 and v2) on the mrs-v1.1 backend.
#pragma once

#include "translators/common/step.hpp"

namespace sgw::mrs_v1_1 {

/// GET /v1.1/{project}/job-executions and GET /v2/jobs.
///
/// The query is checked first, by the Sahara layer (sahara/list_query.hpp). MRS's Sahara-style
/// list (mrs-api.md §2A) pages in id order but carries no state (§8(3)) and no filters, so:
/// - a page in id order without filters, `limit` ≤ 1000, is MRS's own page (`limit + 1` rows;
///   with a marker: the marker's row (§2B) and a page each way from it), then one job-exes read
///   (§2H) per row of the page;
/// - any other query walks the history in id order, 1000 rows a page, keeping a compact row per
///   job; reads every state through the clusters' job-exes pages (§2G, 100 rows, a cluster
///   stops once all its jobs have one) only when the query needs them all; then chooses the
///   page with Sahara's algorithm (sahara::choose_page) and reads the page's objects one by one
///   or by walking the list again over the page's span.
/// Each step takes at most 64 calls and releases the replies it took. A walk stops at 500,000
/// jobs with a 400 that says to page in id order. docs/api-coverage.md gives the call counts.
///
/// Example: jobs a..e, `?limit=2&marker=b` → B b, A `?limit=3&marker=b&sort_by=id` (c, d, e)
/// and A `?limit=3&marker=b&sort_by=-id` (a), H b and H c →
/// `200 {"job_executions": [b, c], "markers": {"prev": null, "next": "d"}}`.
translators::step_result list_step(const sahara::request& req, std::span<const translators::upstream_reply> replies,
                                   translators::step_context& ctx);

}  // namespace sgw::mrs_v1_1
