// Sahara's list semantics, for every backend: query validation, filters, sorting and
// Sahara's marker paging (sahara-api.md §4). A backend produces the rendered v1.1 objects;
// this file decides which of them the client sees, in which order and envelope.
#pragma once

#include "translators/sahara/model.hpp"
#include "translators/sahara/status.hpp"

#include <boost/json/object.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sgw::sahara {

/// The longest history a list reads in full (docs/api-coverage.md): a query that would need
/// more is refused with 400, telling what to narrow, rather than holding memory without bound.
inline constexpr std::size_t max_list_rows = 500'000;

/// A list query's parameters as every Sahara list validator reads them: the first value of each
/// name (Flask's args.get); `limit` a positive integer (else `error`, 400 with the numeric
/// error_name 400); `sort_by` split into its field and direction (each collection checks the
/// field: unknown_sort_field); `marker`; every other parameter a filter.
struct query_parts {
    std::optional<std::size_t> limit;
    std::optional<std::string> marker;
    bool sorted = false;          ///< a non-empty sort_by was sent ("-" alone names the empty field)
    std::string_view sort_field;  ///< points into the request's query
    bool descending = false;
    std::vector<std::pair<std::string, std::string>> filters;
    std::optional<response> error;
};
query_parts read_query_parts(const request& req);

/// 400 "Unknown field for sorting <field>" with the numeric error_name 400 (sahara-api.md §4).
response unknown_sort_field(const request& req, std::string_view field);

/// Whether a rendered field equals the text a client filtered it by, as Sahara's
/// filter_by(column=value) compares a column: text exactly, booleans as true/false or 1/0
/// (any case), numbers in JSON's spelling.
bool filter_value_matches(const boost::json::value& v, std::string_view value);

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

/// Whether the query orders or filters by status, which MRS's Sahara-style list does not carry.
bool uses_status(const list_query& q);

/// The object fields whose values the query compares, in a fixed order: the sort field when it
/// is neither `id` nor `status`, then each filter's field but `status`. A backend hands over,
/// for each job, the values of these fields in its rendered v1.1 object.
std::vector<std::string_view> compared_fields(const list_query& q);

/// One job as the list semantics see it: enough to filter, order and page it.
struct list_entry {
    std::string_view id;
    job_status status = job_status::pending;  ///< only read when uses_status()
    std::span<const boost::json::value> values;  ///< one per compared_fields()
};

/// The values of `fields` (compared_fields() of the query) in a rendered v1.1 object (null
/// where it has none).
std::vector<boost::json::value> compared_values(std::span<const std::string_view> fields,
                                                const boost::json::object& rendered);

/// The page Sahara would answer, as positions in the entries given.
struct page_choice {
    std::vector<std::size_t> rows;  ///< in answer order
    boost::json::value prev = nullptr, next = nullptr;
    bool markers = false;  ///< the envelope carries `markers`
};

/// Sahara's list algorithm (sahara-api.md §4) over every visible job of the project, in any
/// order: filter, order by the sort field (ties by id; descending is the exact reverse), then
/// page. A marker must name one of `entries` (404 otherwise, checked by the caller first:
/// `marker_known`); a marker that the filters leave out gives the first page with null markers.
/// The work is linear in the entries plus the page's sort; only an unlimited list sorts all.
page_choice choose_page(const list_query& q, std::span<const list_entry> entries);

/// Whether `id` is one of the entries (a marker Sahara accepts).
bool marker_known(const list_query& q, std::span<const list_entry> entries);

/// 404 NOT_FOUND for a marker that names no visible job (sahara-api.md §4).
response unknown_marker(const request& req, std::string_view marker);

/// One row of a list answer: a rendered v1.1 object in the request's version, as JSON text.
/// A backend may turn each row into text as soon as it has it, so a long page never holds
/// its objects all at once.
std::string page_row(const request& req, boost::json::object v1_1_object);

/// The answer for a chosen page: `rows` are the page_row() texts of `choice.rows`, in order
/// (jobs that vanished meanwhile left out), in the version's envelope.
response page_answer(const request& req, const page_choice& choice, std::span<const std::string> rows);

/// The whole algorithm over rendered objects (info.status set): the reference the backends'
/// cheaper paths must agree with.
///
/// Example: jobs a..e, `?limit=2&marker=b` →
/// `200 {"job_executions": [b, c], "markers": {"prev": null, "next": "d"}}`.
response list_answer(const request& req, const list_query& q, std::vector<boost::json::object> all);

}  // namespace sgw::sahara
