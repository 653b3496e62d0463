// Sahara's list semantics: query validation, filters, sorting and marker paging.
#include "translators/sahara/list_query.hpp"

#include "translators/common/json_fields.hpp"
#include "translators/sahara/errors.hpp"
#include "translators/sahara/job_execution.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <limits>
#include <unordered_set>

namespace sgw::sahara {
namespace json = boost::json;
using translators::non_null;

namespace {

// sort_by names and the v1.1 object fields they order by (sahara-api.md §4).
struct sort_name {
    std::string_view name;
    std::string_view field;
};
constexpr std::array<sort_name, 4> sort_names{
    {{"id", "id"}, {"job_template", "job_id"}, {"cluster", "cluster_id"}, {"status", "status"}}};

// v1.1 filters that Sahara hands to filter_by(column=value) (sahara-api.md §4), compared here
// with the rendered object's field of that name.
constexpr std::array<std::string_view, 15> field_filters{
    "id", "tenant_id", "job_id", "input_id", "output_id", "cluster_id", "engine_job_id", "oozie_job_id",
    "is_public", "is_protected", "start_time", "end_time", "created_at", "updated_at", "return_code"};

// Digits only and above zero; a value past size_t saturates (it pages nothing either way).
std::optional<std::size_t> positive_integer(std::string_view s) {
    if (s.empty()) return std::nullopt;
    constexpr std::size_t top = std::numeric_limits<std::size_t>::max();
    std::size_t n = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        const auto d = static_cast<std::size_t>(c - '0');
        n = n > (top - d) / 10 ? top : n * 10 + d;
    }
    if (n == 0) return std::nullopt;
    return n;
}

bool is_field_filter(std::string_view name) {
    return std::find(field_filters.begin(), field_filters.end(), name) != field_filters.end();
}

std::string_view status_of(const json::object& rendered) {
    return rendered.at("info").as_object().at("status").as_string();
}

bool iequals(std::string_view a, std::string_view b) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

bool matches(const json::object& rendered, const std::string& name, const std::string& value) {
    // status compares case-insensitively with info.status (sahara-api.md §4).
    if (name == "status") return iequals(status_of(rendered), value);
    auto* v = non_null(rendered, name);
    if (!v) return false;
    if (v->is_string()) return v->get_string() == value;
    if (v->is_bool())
        return v->get_bool() ? (value == "true" || value == "True") : (value == "false" || value == "False");
    if (v->is_number()) return json::serialize(*v) == value;
    return false;
}

// The value a sort compares; null and non-string values order before every string.
const json::string* sort_value(const json::object& rendered, std::string_view field) {
    const json::value* v =
        field == "status" ? &rendered.at("info").as_object().at("status") : non_null(rendered, field);
    return (v && v->is_string()) ? &v->get_string() : nullptr;
}

int compare(const json::string* a, const json::string* b) {
    if (!a || !b) return (a ? 1 : 0) - (b ? 1 : 0);
    const std::string_view x = *a, y = *b;
    return x < y ? -1 : (y < x ? 1 : 0);
}

}  // namespace

// Sahara's validators read each parameter once (the first value, as Flask's args.get does), in
// the order limit, sort_by, then the parameter names (sahara-api.md §4).
list_query read_list_query(const request& req) {
    list_query q;
    std::optional<std::string_view> limit, sort_by;
    std::unordered_set<std::string_view> seen;
    for (const auto& [name, value] : req.query) {
        if (!seen.insert(name).second) continue;
        if (name == "limit")
            limit = value;
        else if (name == "sort_by")
            sort_by = value;
        else if (name == "marker")
            q.marker = value;
        else
            q.filters.emplace_back(name, value);
    }

    // The limit and sort_by validators raise with the code 400 as the name (sahara-api.md §4, §7.1).
    if (limit) {
        q.limit = positive_integer(*limit);
        if (!q.limit) {
            q.error = error_response(req, 400, numeric_error_name{400}, "'limit' must be positive integer",
                                             "bad limit '" + std::string(*limit) + "'");
            return q;
        }
    }
    if (sort_by && !sort_by->empty()) {
        std::string_view field = *sort_by;
        if (field.starts_with('-')) {
            q.descending = true;
            field.remove_prefix(1);
        }
        auto it = std::find_if(sort_names.begin(), sort_names.end(),
                               [&](const sort_name& s) { return s.name == field; });
        if (it == sort_names.end()) {
            std::string message = "Unknown field for sorting ";
            message += field;
            q.error = error_response(req, 400, numeric_error_name{400}, message, "bad sort_by");
            return q;
        }
        q.sort_field = it->field;
    }

    if (req.version == api_version::v2) {
        // validate_request_params(['status']); this message has no Error ID (sahara-api.md §4, §7.1).
        constexpr std::string_view message =
            "The only valid params for jobs_list are ['status'] and ['marker', 'limit', 'sort_by']";
        for (const auto& [name, value] : req.query) {
            if (name == "status" || name == "limit" || name == "marker" || name == "sort_by") continue;
            q.error = response{400, error_body(400, error_name::invalid_params, message, {}),
                                       "unknown v2 list parameter '" + name + "'"};
            return q;
        }
        return q;
    }
    for (const auto& [name, value] : q.filters) {
        if (name == "status" || is_field_filter(name)) continue;
        std::string message;
        if (name == "cluster.name" || name == "job.name")
            // Sahara joins the cluster and template tables for these; MRS lists name neither.
            message = "Filter '" + name + "' is not supported: the gateway's job lists carry no cluster or job template names";
        else
            // Sahara fails with 500 inside SQLAlchemy here (sahara-api.md §4); a 400 tells the client why.
            message = "Unknown filter '" + name + "'";
        q.error = error_response(req, 400, error_name::invalid_params, message, message);
        return q;
    }
    return q;
}

response list_answer(const request& req, const list_query& q, std::vector<json::object> all) {
    std::vector<json::object> rows;
    for (auto& o : all) {
        const bool keep = std::all_of(q.filters.begin(), q.filters.end(),
                                      [&](const auto& f) { return matches(o, f.first, f.second); });
        if (keep) rows.push_back(std::move(o));
    }
    // Default order is id ascending; other orders are stable over it (sahara-api.md §4).
    auto by_id = [](const json::object& a, const json::object& b) {
        return compare(sort_value(a, "id"), sort_value(b, "id")) < 0;
    };
    std::sort(rows.begin(), rows.end(), by_id);
    const std::string_view field = q.sort_field;
    const bool desc = q.descending;
    std::stable_sort(rows.begin(), rows.end(), [&](const json::object& a, const json::object& b) {
        const int c = compare(sort_value(a, field), sort_value(b, field));
        return desc ? c > 0 : c < 0;
    });

    // Sahara's markers (sahara-api.md §4): the page starts at the marker itself; a first page's
    // next is its own last id; with a marker at p, prev = p - limit and next = p + limit.
    const std::size_t n = rows.size();
    std::size_t first = 0, last = n;
    json::value prev = nullptr, next = nullptr;
    if (q.marker) {
        auto it = std::find_if(rows.begin(), rows.end(), [&](const json::object& o) {
            const json::string* id = sort_value(o, "id");
            return id && *id == *q.marker;
        });
        if (it == rows.end())
            return error_response(req, 404, error_name::not_found,
                                          not_found_message(*q.marker), "marker not in the list");
        first = static_cast<std::size_t>(it - rows.begin());  // res[n:], with or without a limit
    }
    if (q.limit) {
        const std::size_t limit = *q.limit;
        last = first + std::min(limit, n - first);
        if (q.marker) {
            if (first >= limit) prev = rows[first - limit].at("id");
            if (limit < n - first) next = rows[first + limit].at("id");
        } else if (limit < n) {
            next = rows[limit - 1].at("id");
        }
    }

    json::array items;
    items.reserve(last - first);
    for (std::size_t i = first; i < last; ++i) items.push_back(to_version(std::move(rows[i]), req.version));
    json::object body;
    body[collection_key(req.version)] = std::move(items);
    if (!prev.is_null() || !next.is_null() || q.marker)
        body["markers"] = json::object{{"prev", std::move(prev)}, {"next", std::move(next)}};
    return response{200, json::serialize(body), {}};
}

}  // namespace sgw::sahara
