// The read-only Sahara resources around a job (sahara-clusters-and-templates.md §5.1) from MRS
// v1.1: clusters from MRS's cluster_infos, job templates from its Sahara-compatible job objects
// (or the configuration's templates when that API is not there, §4.4), data sources from its
// Sahara-compatible data sources. MRS v2 has none of these, so both backends register them.
#pragma once

#include "translators/common/step.hpp"
#include "translators/registry.hpp"

namespace sgw::mrs_v1_1 {

using translators::step_context;
using translators::step_result;
using translators::upstream_reply;

/// cluster_infos, every page (100 clusters a call) → the Sahara list of the project's clusters
/// but terminated ones.
step_result cluster_list_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx);
/// cluster_infos/{id} → 200; unknown (12000003, 404) or terminated → 404 NOT_FOUND.
step_result cluster_show_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx);
/// GET jobs, 1,000 a call, following markers.next → the Sahara list. When the job-object API
/// is not there (a 404 that is not Sahara's NOT_FOUND), the configured templates instead.
step_result template_list_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx);
/// GET jobs/{id} → 200; unknown → 404 NOT_FOUND; the API not there → the configured template
/// of that id, else 404.
step_result template_show_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx);
/// GET data-sources, 1,000 a call, following markers.next → the Sahara list (empty when MRS
/// has no data-source API).
step_result data_source_list_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx);
/// GET data-sources/{id} → 200; unknown, or no data-source API → 404 NOT_FOUND.
step_result data_source_show_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx);

/// Registers the six steps above on a backend.
void add_resource_steps(translators::backend& b);

}  // namespace sgw::mrs_v1_1
