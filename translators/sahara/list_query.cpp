// Sahara's list semantics: query validation, filters, sorting and marker paging.
#include "translators/sahara/list_query.hpp"

#include "translators/common/json_fields.hpp"
#include "translators/common/text.hpp"
#include "translators/sahara/errors.hpp"
#include "translators/sahara/job_execution.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
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

bool sorts_by_value(std::string_view field) { return field != "id" && field != "status"; }

// Sahara's order over entries: the sort field ascending, null and non-string values first,
// ties by id; a descending sort is the exact reverse (Sahara reverses the ascending list).
class entry_order {
public:
    explicit entry_order(const list_query& q) : field_(q.sort_field), descending_(q.descending) {}

    bool operator()(const list_entry& a, const list_entry& b) const {
        return descending_ ? ascending(b, a) : ascending(a, b);
    }

private:
    std::optional<std::string_view> key(const list_entry& e) const {
        if (field_ == "id") return e.id;
        if (field_ == "status") return to_string(e.status);
        const json::value& v = e.values[0];
        if (v.is_string()) return std::string_view(v.get_string());
        return std::nullopt;
    }
    bool ascending(const list_entry& a, const list_entry& b) const {
        const auto x = key(a), y = key(b);
        if (x != y) return !x || (y && *x < *y);
        return a.id < b.id;
    }

    std::string_view field_;
    bool descending_;
};

bool matches(const list_query& q, const list_entry& e) {
    std::size_t k = sorts_by_value(q.sort_field) ? 1 : 0;
    for (const auto& [name, value] : q.filters) {
        // status compares case-insensitively with info.status (sahara-api.md §4).
        if (name == "status") {
            if (!iequals_ascii(to_string(e.status), value)) return false;
        } else if (!filter_value_matches(e.values[k++], value)) {
            return false;
        }
    }
    return true;
}

}  // namespace

bool filter_value_matches(const json::value& v, std::string_view value) {
    if (v.is_string()) return v.get_string() == value;
    if (v.is_bool())
        return v.get_bool() ? (iequals_ascii(value, "true") || value == "1") : (iequals_ascii(value, "false") || value == "0");
    if (v.is_number()) return json::serialize(v) == value;
    return false;
}

// Sahara's validators read each parameter once (the first value, as Flask's args.get does), in
// the order limit, sort_by, then the parameter names (sahara-api.md §4).
query_parts read_query_parts(const request& req) {
    query_parts q;
    std::optional<std::string_view> limit;
    std::unordered_set<std::string_view> seen;
    for (const auto& [name, value] : req.query) {
        if (!seen.insert(name).second) continue;
        if (name == "limit") {
            limit = value;
        } else if (name == "sort_by") {
            q.sorted = !value.empty();
            q.sort_field = value;
            if (q.sort_field.starts_with('-')) {
                q.descending = true;
                q.sort_field.remove_prefix(1);
            }
        } else if (name == "marker") {
            q.marker = value;
        } else {
            q.filters.emplace_back(name, value);
        }
    }
    // The limit and sort_by validators raise with the code 400 as the name (sahara-api.md §4, §7.1).
    if (limit) {
        q.limit = positive_integer(*limit);
        if (!q.limit)
            q.error = error_response(req, 400, numeric_error_name{400}, "'limit' must be positive integer",
                                     "bad limit '" + std::string(*limit) + "'");
    }
    return q;
}

response unknown_sort_field(const request& req, std::string_view field) {
    std::string message = "Unknown field for sorting ";
    message += field;
    return error_response(req, 400, numeric_error_name{400}, message, "bad sort_by");
}

list_query read_list_query(const request& req) {
    list_query q;
    auto parts = read_query_parts(req);
    q.limit = parts.limit;
    q.marker = std::move(parts.marker);
    q.descending = parts.descending;
    q.filters = std::move(parts.filters);
    if (parts.error) {
        q.error = std::move(parts.error);
        return q;
    }
    if (parts.sorted) {
        auto it = std::find_if(sort_names.begin(), sort_names.end(),
                               [&](const sort_name& s) { return s.name == parts.sort_field; });
        if (it == sort_names.end()) {
            q.error = unknown_sort_field(req, parts.sort_field);
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

bool uses_status(const list_query& q) {
    return q.sort_field == "status" ||
           std::any_of(q.filters.begin(), q.filters.end(), [](const auto& f) { return f.first == "status"; });
}

std::vector<std::string_view> compared_fields(const list_query& q) {
    std::vector<std::string_view> fields;
    if (sorts_by_value(q.sort_field)) fields.push_back(q.sort_field);
    for (const auto& [name, value] : q.filters)
        if (name != "status") fields.push_back(name);
    return fields;
}

std::vector<json::value> compared_values(std::span<const std::string_view> fields, const json::object& rendered) {
    std::vector<json::value> values;
    values.reserve(fields.size());
    for (auto field : fields) {
        const json::value* v = non_null(rendered, field);
        values.push_back(v ? *v : json::value(nullptr));
    }
    return values;
}

bool marker_known(const list_query& q, std::span<const list_entry> entries) {
    return !q.marker ||
           std::any_of(entries.begin(), entries.end(), [&](const list_entry& e) { return e.id == *q.marker; });
}

response unknown_marker(const request& req, std::string_view marker) {
    return error_response(req, 404, error_name::not_found, not_found_message(marker), "marker not in the list");
}

// Sahara's markers (sahara-api.md §4): the page starts at the marker itself; a first page's
// next is its own last id; with the marker at p, prev = p - limit and next = p + limit; a
// marker the filters leave out pages from the start with both markers null.
page_choice choose_page(const list_query& q, std::span<const list_entry> entries) {
    const entry_order order(q);
    auto less = [&](std::size_t a, std::size_t b) { return order(entries[a], entries[b]); };
    auto id_of = [&](std::size_t i) { return json::value(entries[i].id); };

    std::vector<std::size_t> rows;
    std::optional<std::size_t> marker;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (!matches(q, entries[i])) continue;
        rows.push_back(i);
        if (q.marker && entries[i].id == *q.marker) marker = i;
    }

    page_choice c;
    // Sorts the first `n` of `v` into place, and only those.
    auto first_in_order = [&](std::vector<std::size_t>& v, std::size_t n) {
        if (n >= v.size()) {
            // The whole list: often in order already (entries come in id order).
            if (!std::is_sorted(v.begin(), v.end(), less)) std::sort(v.begin(), v.end(), less);
            return;
        }
        std::partial_sort(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n), v.end(), less);
    };
    if (!marker) {
        const std::size_t limit = q.limit.value_or(rows.size());
        first_in_order(rows, limit);
        if (limit < rows.size()) {
            if (!q.marker) c.next = id_of(rows[limit - 1]);
            rows.resize(limit);
        }
        c.rows = std::move(rows);
    } else {
        std::vector<std::size_t> before;
        std::erase_if(rows, [&](std::size_t i) {
            if (!less(i, *marker)) return false;
            before.push_back(i);
            return true;
        });
        const std::size_t limit = q.limit.value_or(rows.size());
        first_in_order(rows, limit < rows.size() ? limit + 1 : rows.size());
        if (q.limit && limit < rows.size()) c.next = id_of(rows[limit]);
        if (q.limit && before.size() >= limit) {
            const auto at = before.begin() + static_cast<std::ptrdiff_t>(before.size() - limit);
            std::nth_element(before.begin(), at, before.end(), less);
            c.prev = id_of(*at);
        }
        rows.resize(std::min(limit, rows.size()));
        c.rows = std::move(rows);
    }
    c.markers = q.marker || !c.prev.is_null() || !c.next.is_null();
    return c;
}

std::string page_row(const request& req, json::object v1_1_object) {
    return json::serialize(to_version(std::move(v1_1_object), req.version));
}

// The same bytes as serializing {"<collection>": [rows...], "markers": {...}} in one piece.
response page_answer(const request& req, const page_choice& choice, std::span<const std::string> rows) {
    std::size_t size = 64;
    for (const auto& r : rows) size += r.size() + 1;
    std::string body;
    body.reserve(size);
    body += "{\"";
    body += collection_key(req.version);
    body += "\":[";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (i != 0) body += ',';
        body += rows[i];
    }
    body += ']';
    if (choice.markers) {
        body += ",\"markers\":{\"prev\":";
        body += json::serialize(choice.prev);
        body += ",\"next\":";
        body += json::serialize(choice.next);
        body += '}';
    }
    body += '}';
    return response{200, std::move(body), {}};
}

response list_answer(const request& req, const list_query& q, std::vector<json::object> all) {
    const auto fields = compared_fields(q);
    std::vector<std::vector<json::value>> values;
    std::vector<list_entry> entries;
    values.reserve(all.size());
    entries.reserve(all.size());
    for (const auto& o : all) {
        values.push_back(compared_values(fields, o));
        const auto* info = o.if_contains("info");
        const auto* status = info && info->is_object() ? info->get_object().if_contains("status") : nullptr;
        list_entry e;
        e.id = o.at("id").as_string();
        e.status = status && status->is_string() ? parse_status(status->get_string()).value_or(job_status::pending)
                                                 : job_status::pending;
        e.values = values.back();
        entries.push_back(e);
    }
    if (!marker_known(q, entries)) return unknown_marker(req, *q.marker);
    const page_choice choice = choose_page(q, entries);
    std::vector<std::string> rows;
    rows.reserve(choice.rows.size());
    for (auto i : choice.rows) rows.push_back(page_row(req, std::move(all[i])));
    return page_answer(req, choice, rows);
}

}  // namespace sgw::sahara
