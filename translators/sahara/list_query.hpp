// Sahara's list semantics, for every backend: query validation, filters, sorting and
// Sahara's marker paging (sahara-api.md §4). A backend produces the rendered v1.1 objects;
// this file decides which of them the client sees, in which order and envelope.
#pragma once

#include "translators/sahara/model.hpp"

#include <boost/json/object.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sgw::sahara {

/// A list query as Sahara reads it.
struct list_query {
    std::optional<std::size_t> limit;
    std::optional<std::string> marker;
    std::string_view sort_field = "id";  ///< the v1.1 object field (or "status") to order by
    bool descending = false;
    std::vector<std::pair<std::string, std::string>> filters;  ///< `status` included
    std::optional<response> error;  ///< the 400 to answer when the query is refused
};

/// Checks the query as Sahara does (sahara-api.md §4): a bad `limit` or `sort_by` is 400 with
/// the numeric error_name 400; a v2 parameter other than status/limit/marker/sort_by is 400
/// INVALID_PARAMS_ON_REQUEST; an unknown v1.1 filter is 400 INVALID_PARAMS_ON_REQUEST.
list_query read_list_query(const request& req);

/// The list answer: `all` (v1.1 objects with info.status set) filtered, sorted (id ascending,
/// then stably by the sort field) and paged with Sahara's markers, in the version's envelope.
/// A marker that is not in the filtered list is 404 NOT_FOUND.
///
/// Example: jobs a..e, `?limit=2&marker=b` →
/// `200 {"job_executions": [b, c], "markers": {"prev": null, "next": "d"}}`.
response list_answer(const request& req, const list_query& q, std::vector<boost::json::object> all);

}  // namespace sgw::sahara
