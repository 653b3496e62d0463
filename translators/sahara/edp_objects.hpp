// Sahara's job templates and data sources (sahara-clusters-and-templates.md §2.3) from objects
// that already have Sahara's shape (MRS's Sahara-compatible job objects and data sources, §4.1)
// or from the configuration (job_template.hpp).
#pragma once

#include "translators/sahara/job_template.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string_view>

namespace sgw::sahara {

/// The v1.1 job-template object made of a Sahara-shaped one: Sahara's keys only, in Sahara's
/// types (`mains`, `libs` and `interface` always arrays, binaries without `extra`, the flags
/// booleans, `tenant_id` the project's when absent). nullopt when it has no string `id`.
/// Example: {"id": "b1…", "libs": null, "extra": …} → {"id": "b1…", "libs": [], …}.
std::optional<boost::json::object> template_object(const boost::json::object& given, std::string_view project_id);

/// The v1.1 object of a template the configuration defines.
boost::json::object template_object(const job_template& t, std::string_view project_id);

/// The v1.1 data-source object made of a Sahara-shaped one, as template_object does (no
/// `credentials`, whatever the source sends). nullopt when it has no string `id`.
std::optional<boost::json::object> data_source_object(const boost::json::object& given, std::string_view project_id);

}  // namespace sgw::sahara
