// Sahara's read-only resources: query checks, lists and shows.
#include "translators/sahara/resources.hpp"

#include "translators/sahara/errors.hpp"
#include "translators/sahara/list_query.hpp"

#include <boost/json.hpp>
#include <boost/regex.hpp>

#include <algorithm>
#include <array>
#include <span>

namespace sgw::sahara {
namespace json = boost::json;

namespace {

using names = std::span<const std::string_view>;

// What Sahara 16 says about each collection (sahara-clusters-and-templates.md §2.1, §2.5).
struct collection {
    std::string_view one_v1_1, one_v2, many_v1_1, many_v2;
    std::string_view v2_list_function, v2_show_function;  ///< as validate_request_params names them
    names v2_list_params, v2_show_params;
    names sort_fields;   ///< validate_sorting_*
    names regex_fields;  ///< regex_cols of the *_get_all query
    names columns;       ///< the model's scalar columns: what a v1.1 filter may name
};

constexpr std::string_view cluster_v2_params[] = {"plugin_name", "plugin_version", "name"};
constexpr std::string_view cluster_show_params[] = {"show_progress"};
constexpr std::string_view cluster_sorts[] = {"id", "name", "plugin_name", "hadoop_version", "status"};
constexpr std::string_view cluster_regex[] = {"name", "description", "plugin_name", "tenant_id"};
constexpr std::string_view cluster_columns[] = {
    "id", "name", "description", "tenant_id", "trust_id", "is_transient", "plugin_name", "hadoop_version",
    "default_image_id", "neutron_management_network", "anti_affinity_ratio", "management_public_key",
    "user_keypair_id", "status", "status_description", "use_autoconfig", "cluster_template_id", "is_public",
    "is_protected", "domain_name", "created_at", "updated_at"};
constexpr std::string_view template_v2_params[] = {"type", "name"};
constexpr std::string_view edp_sorts[] = {"id", "name", "type", "created_at", "updated_at"};
constexpr std::string_view template_regex[] = {"name", "description"};
constexpr std::string_view template_columns[] = {"id",        "tenant_id",    "name",       "description", "type",
                                                 "is_public", "is_protected", "created_at", "updated_at"};
constexpr std::string_view data_source_v2_params[] = {"type"};
constexpr std::string_view data_source_regex[] = {"name", "description", "url"};
constexpr std::string_view data_source_columns[] = {"id",        "tenant_id",    "name",       "description", "type",
                                                    "url",       "is_public",    "is_protected", "created_at",
                                                    "updated_at"};

const collection& about(resource r) {
    static const collection clusters{.one_v1_1 = "cluster",
                                     .one_v2 = "cluster",
                                     .many_v1_1 = "clusters",
                                     .many_v2 = "clusters",
                                     .v2_list_function = "clusters_list",
                                     .v2_show_function = "clusters_get",
                                     .v2_list_params = cluster_v2_params,
                                     .v2_show_params = cluster_show_params,
                                     .sort_fields = cluster_sorts,
                                     .regex_fields = cluster_regex,
                                     .columns = cluster_columns};
    static const collection templates{.one_v1_1 = "job",
                                      .one_v2 = "job_template",
                                      .many_v1_1 = "jobs",
                                      .many_v2 = "job_templates",
                                      .v2_list_function = "job_templates_list",
                                      .v2_show_function = "job_templates_get",
                                      .v2_list_params = template_v2_params,
                                      .v2_show_params = {},
                                      .sort_fields = edp_sorts,
                                      .regex_fields = template_regex,
                                      .columns = template_columns};
    static const collection data_sources{.one_v1_1 = "data_source",
                                         .one_v2 = "data_source",
                                         .many_v1_1 = "data_sources",
                                         .many_v2 = "data_sources",
                                         .v2_list_function = "data_sources_list",
                                         .v2_show_function = "data_source_get",
                                         .v2_list_params = data_source_v2_params,
                                         .v2_show_params = {},
                                         .sort_fields = edp_sorts,
                                         .regex_fields = data_source_regex,
                                         .columns = data_source_columns};
    switch (r) {
        case resource::cluster: return clusters;
        case resource::job_template: return templates;
        case resource::data_source: break;
    }
    return data_sources;
}

bool among(names list, std::string_view name) { return std::find(list.begin(), list.end(), name) != list.end(); }

// Python's repr of a list of strings, as Sahara's message prints it: ['a', 'b'].
std::string python_list(names list) {
    std::string out = "[";
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (i != 0) out += ", ";
        out += "'";
        out += list[i];
        out += "'";
    }
    return out + "]";
}

// validate_request_params's refusal: 400 INVALID_PARAMS_ON_REQUEST without an Error ID.
response invalid_params(std::string_view function, names allowed, std::string_view given) {
    std::string message = "The only valid params for ";
    message += function;
    message += " are " + python_list(allowed) + " and ['marker', 'limit', 'sort_by']";
    return response{400, error_body(400, error_name::invalid_params, message, {}),
                    "unknown parameter '" + std::string(given) + "'"};
}

// A value's place in the order: null first, then booleans, numbers, text (as a database orders
// a column; the objects hold one type per key).
int rank(const json::value& v) {
    switch (v.kind()) {
        case json::kind::null: return 0;
        case json::kind::bool_: return 1;
        case json::kind::int64:
        case json::kind::uint64:
        case json::kind::double_: return 2;
        case json::kind::string: return 3;
        default: return 4;
    }
}

bool value_less(const json::value& a, const json::value& b) {
    const int ra = rank(a), rb = rank(b);
    if (ra != rb) return ra < rb;
    switch (ra) {
        case 1: return !a.get_bool() && b.get_bool();
        case 2: return a.to_number<double>() < b.to_number<double>();
        case 3: return a.get_string() < b.get_string();
        case 4: return json::serialize(a) < json::serialize(b);
        default: return false;
    }
}

const json::value& field(const json::object& o, std::string_view key) {
    static const json::value null;
    const auto* v = o.if_contains(key);
    return v ? *v : null;
}

std::string_view id_of(const json::object& o) {
    const auto& v = field(o, "id");
    return v.is_string() ? std::string_view(v.get_string()) : std::string_view();
}

// One filter, ready to test objects.
struct filter {
    std::string field;
    std::string value;
    std::optional<boost::regex> pattern;  ///< for a regex column
};

// Renames keys in place of the old ones (json::object::erase would move the last key into the
// gap): the order clients see stays the v1.1 order.
void rename_keys(json::object& o, std::initializer_list<std::pair<std::string_view, std::string_view>> renames) {
    json::object out(o.storage());
    out.reserve(o.size());
    for (auto& [k, v] : o) {
        std::string_view key = k;
        for (const auto& [from, to] : renames)
            if (key == from) key = to;
        out[key] = std::move(v);
    }
    o = std::move(out);
}

}  // namespace

resource resource_of(operation op) noexcept {
    switch (op) {
        case operation::cluster_list:
        case operation::cluster_show: return resource::cluster;
        case operation::template_list:
        case operation::template_show: return resource::job_template;
        default: return resource::data_source;
    }
}

resource_query read_resource_query(const request& req, resource r) {
    const auto& c = about(r);
    resource_query q;
    static_cast<query_parts&>(q) = read_query_parts(req);
    if (q.error) return q;
    if (q.sorted) {
        std::string_view f = q.sort_field;
        // v2 clusters speak of plugin_version; Sahara validates no v2 cluster sort field and fails
        // later on unknown ones, where this gateway answers as v1.1 does.
        if (r == resource::cluster && req.version == api_version::v2 && f == "plugin_version") f = "hadoop_version";
        if (!among(c.sort_fields, f)) {
            q.error = unknown_sort_field(req, f);
            return q;
        }
        q.order_by = std::string(f);
    }
    for (auto& [name, value] : q.filters) {
        if (req.version == api_version::v2) {
            if (!among(c.v2_list_params, name)) {
                q.error = invalid_params(c.v2_list_function, c.v2_list_params, name);
                return q;
            }
            if (name == "plugin_version") name = "hadoop_version";  // renamed before the query (§2.1)
        } else if (!among(c.columns, name)) {
            // Sahara fails with 500 inside SQLAlchemy here (§2.5); a 400 tells the client why.
            const std::string message = "Unknown filter '" + name + "'";
            q.error = error_response(req, 400, error_name::invalid_params, message, message);
            return q;
        }
    }
    return q;
}

std::optional<response> check_show_query(const request& req, resource r) {
    if (req.version != api_version::v2) return std::nullopt;
    const auto& c = about(r);
    for (const auto& [name, value] : req.query)
        // validate_request_params lets the paging parameters through on every route (§2.1).
        if (!among(c.v2_show_params, name) && name != "marker" && name != "limit" && name != "sort_by")
            return invalid_params(c.v2_show_function, c.v2_show_params, name);
    return std::nullopt;
}

json::object in_version(const request& req, resource r, json::object o) {
    if (req.version == api_version::v1_1) return o;
    rename_keys(o, {{"tenant_id", "project_id"}, {"hadoop_version", "plugin_version"}});
    if (r == resource::job_template)
        for (auto key : {"mains", "libs"})
            if (auto* list = o.if_contains(key); list && list->is_array())
                for (auto& b : list->get_array())
                    if (b.is_object()) rename_keys(b.get_object(), {{"tenant_id", "project_id"}});
    return o;
}

response resource_show(const request& req, resource r, json::object v1_1_object) {
    const auto& c = about(r);
    json::object body;
    body[req.version == api_version::v2 ? c.one_v2 : c.one_v1_1] = in_version(req, r, std::move(v1_1_object));
    return response{200, json::serialize(body), {}};
}

response resource_not_found(const request& req, std::string_view id) {
    return error_response(req, 404, error_name::not_found, not_found_message(id), "no such " + std::string(id));
}

response resource_list(const request& req, resource r, const resource_query& q, std::vector<json::object> objects) {
    const auto& c = about(r);
    // check_exists(marker): the marker must be an object the project sees (Sahara checks it
    // before limit and sort_by; here those were checked before MRS was asked).
    std::optional<json::object> marker;
    if (q.marker) {
        auto it = std::find_if(objects.begin(), objects.end(), [&](const json::object& o) { return id_of(o) == *q.marker; });
        if (it == objects.end()) return resource_not_found(req, *q.marker);
        marker = *it;
    }
    std::vector<filter> filters;
    for (const auto& [name, value] : q.filters) {
        filter f{name, value, std::nullopt};
        if (among(c.regex_fields, name)) {
            try {
                // MySQL's REGEXP, Sahara's usual database: extended syntax, case-insensitive,
                // matching anywhere in the value.
                f.pattern.emplace(value, boost::regex::extended | boost::regex::icase);
            } catch (const std::exception&) {
                const std::string message = "Filter '" + name + "' is not a valid regular expression";
                return error_response(req, 400, error_name::invalid_params, message, message);
            }
        }
        filters.push_back(std::move(f));
    }
    std::vector<std::size_t> rows;
    try {
        for (std::size_t i = 0; i < objects.size(); ++i) {
            const bool kept = std::all_of(filters.begin(), filters.end(), [&](const filter& f) {
                const auto& v = field(objects[i], f.field);
                if (!f.pattern) return filter_value_matches(v, f.value);
                return v.is_string() && boost::regex_search(v.get_string().begin(), v.get_string().end(), *f.pattern);
            });
            if (kept) rows.push_back(i);
        }
    } catch (const std::exception&) {  // boost::regex gives up on a pattern too costly to run
        const std::string message = "A filter's regular expression is too complex";
        return error_response(req, 400, error_name::invalid_params, message, message);
    }
    // The ascending order; a descending list is its exact reverse (§2.5).
    auto ascending = [&](const json::object& a, const json::object& b) {
        const auto &va = field(a, q.order_by), &vb = field(b, q.order_by);
        if (value_less(va, vb)) return true;
        if (value_less(vb, va)) return false;
        return id_of(a) < id_of(b);
    };
    auto before = [&](const json::object& a, const json::object& b) { return q.descending ? ascending(b, a) : ascending(a, b); };
    std::sort(rows.begin(), rows.end(), [&](std::size_t a, std::size_t b) { return before(objects[a], objects[b]); });

    // The page starts after the marker (paginate_query); prev and next are Sahara's
    // _get_prev_and_next_objects, null unless the marker is among the filtered rows.
    std::size_t from = 0;
    std::optional<std::size_t> position;
    if (marker) {
        from = static_cast<std::size_t>(
            std::partition_point(rows.begin(), rows.end(), [&](std::size_t i) { return !before(*marker, objects[i]); }) -
            rows.begin());
        if (from != 0 && id_of(objects[rows[from - 1]]) == *q.marker) position = from - 1;
    }
    const std::size_t to = q.limit ? std::min(rows.size(), from + std::min(*q.limit, rows.size())) : rows.size();
    json::value prev = nullptr, next = nullptr;
    if (q.limit) {
        const std::size_t limit = *q.limit;
        if (!marker) {
            if (limit < rows.size()) next = id_of(objects[rows[limit - 1]]);
        } else if (position) {
            if (*position >= limit) prev = id_of(objects[rows[*position - limit]]);
            if (limit < rows.size() - *position) next = id_of(objects[rows[*position + limit]]);
        }
    }
    json::array items;
    items.reserve(to - from);
    for (std::size_t i = from; i < to; ++i) items.emplace_back(in_version(req, r, std::move(objects[rows[i]])));
    json::object body;
    body[req.version == api_version::v2 ? c.many_v2 : c.many_v1_1] = std::move(items);
    // utils/api.render adds markers when either is set or a marker was asked for.
    if (q.marker || !prev.is_null() || !next.is_null())
        body["markers"] = json::object{{"prev", std::move(prev)}, {"next", std::move(next)}};
    return response{200, json::serialize(body), {}};
}

}  // namespace sgw::sahara
