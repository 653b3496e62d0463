// Sahara's read-only resources around a job: clusters, job templates and data sources
// (sahara-clusters-and-templates.md §2). A backend produces each resource's v1.1 objects; this
// file checks the query, and answers lists and shows in the request's version, with Sahara's
// filters, sorting and exclusive markers (§2.5), which differ from the job-execution list's.
#pragma once

#include "translators/sahara/list_query.hpp"
#include "translators/sahara/model.hpp"

#include <boost/json/object.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sgw::sahara {

enum class resource { cluster, job_template, data_source };

/// The resource an operation reads (cluster_list and cluster_show: cluster, ...).
resource resource_of(operation op) noexcept;

/// A list query as Sahara reads it for these collections.
/// Its filters name v1.1 object keys (v2's `plugin_version` spelt `hadoop_version`); `error` is
/// the 400 to answer when the query is refused.
struct resource_query : query_parts {
    std::string order_by = "id";  ///< the v1.1 object key sort_by names
};

/// Checks a list query as Sahara does (§2.5): `limit` a positive integer and `sort_by` one of
/// the resource's sort fields (else 400 with the numeric error_name 400); in v2 only the
/// resource's parameters (else 400 INVALID_PARAMS_ON_REQUEST, no Error ID); in v1.1 any column
/// of the resource's model (Sahara fails with 500 on others; this gateway answers 400).
resource_query read_resource_query(const request& req, resource r);

/// Checks the query of a show: v2 allows only `show_progress` on clusters and nothing on the
/// others (400 INVALID_PARAMS_ON_REQUEST); v1.1 ignores what it does not read.
std::optional<response> check_show_query(const request& req, resource r);

/// The list answer over every object the project sees (v1.1 shape, any order): the filters
/// (regex search on the resource's text columns, as Sahara on MySQL; exact elsewhere), the
/// order (the sort field, ties by id), then the page after the marker, in the version's
/// envelope with `markers` when Sahara adds them. An unknown marker is 404.
///
/// Example: clusters a..e, `?limit=2&marker=b` → `{"clusters": [c, d], "markers": {"prev": null, "next": "d"}}`.
response resource_list(const request& req, resource r, const resource_query& q, std::vector<boost::json::object> objects);

/// The show answer `{"<single key>": object}` in the request's version.
response resource_show(const request& req, resource r, boost::json::object v1_1_object);

/// 404 NOT_FOUND "Object with {'id': '<id>'} not found" (§2.6).
response resource_not_found(const request& req, std::string_view id);

/// The object in the request's version (v2: `tenant_id` → `project_id`, and `hadoop_version`
/// → `plugin_version` for clusters, each binary's `tenant_id` for templates).
boost::json::object in_version(const request& req, resource r, boost::json::object v1_1_object);

}  // namespace sgw::sahara
