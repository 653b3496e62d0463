// Sahara job-execution list (v1.1 and v2) on the mrs-v1.1 backend.
#include "translators/mrs_v1_1/list.hpp"

#include "translators/common/replies.hpp"
#include "translators/mrs_v1_1/job_execution.hpp"
#include "translators/sahara/job_execution.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <deque>
#include <limits>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace sgw::mrs_v1_1 {
namespace json = boost::json;
using namespace translators;

namespace {

constexpr std::size_t list_page_rows = 1000;   // rows asked of each list page (mrs-api.md §2A)
constexpr std::size_t max_list_pages = 50;
constexpr long long exe_page_rows = 100;       // job-exes page_size is 1..100 (mrs-api.md §2G)
constexpr long long max_exe_pages = 20;        // per cluster
constexpr std::size_t max_single_reads = 100;  // job-exes detail reads (mrs-api.md §2H)

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

struct list_query {
    std::optional<std::size_t> limit;
    std::optional<std::string> marker;
    std::string_view sort_field = "id";
    bool descending = false;
    std::vector<std::pair<std::string, std::string>> filters;  ///< `status` included
    std::optional<sahara::response> error;
};

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

// Sahara's validators read each parameter once (the first value, as Flask's args.get does), in
// the order limit, sort_by, then the parameter names (sahara-api.md §4).
list_query read_query(const sahara::request& req) {
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
            q.error = sahara::error_response(req, 400, 400, "'limit' must be positive integer",
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
            q.error = sahara::error_response(req, 400, 400, message, "bad sort_by");
            return q;
        }
        q.sort_field = it->field;
    }

    if (req.version == sahara::api_version::v2) {
        // validate_request_params(['status']); this message has no Error ID (sahara-api.md §4, §7.1).
        constexpr std::string_view message =
            "The only valid params for jobs_list are ['status'] and ['marker', 'limit', 'sort_by']";
        for (const auto& [name, value] : req.query) {
            if (name == "status" || name == "limit" || name == "marker" || name == "sort_by") continue;
            q.error = sahara::response{400, sahara::error_body(400, sahara::error_name::invalid_params, message, {}),
                                       "unknown v2 list parameter '" + name + "'", {}};
            return q;
        }
        return q;
    }
    for (const auto& [name, value] : q.filters) {
        if (name == "status" || is_field_filter(name)) continue;
        std::string message;
        if (name == "cluster.name" || name == "job.name")
            // Sahara joins the cluster and template tables for these; MRS lists name neither.
            message = "Filter '" + name + "' is not supported: MRS lists carry no cluster or job template names";
        else
            // Sahara fails with 500 inside SQLAlchemy here (sahara-api.md §4); a 400 tells the client why.
            message = "Unknown filter '" + name + "'";
        q.error = sahara::error_response(req, 400, sahara::error_name::invalid_params, message, message);
        return q;
    }
    return q;
}

std::string encoded(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                                c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string project_path(const sahara::request& req, std::string_view rest) {
    std::string p = "/v1.1/";
    p += req.project_id;
    p += '/';
    p += rest;
    return p;
}

upstream_call get(std::string target) { return upstream_call{method::get, std::move(target), {}, true}; }

std::string list_target(const sahara::request& req, const std::optional<std::string>& marker) {
    std::string t = project_path(req, "job-executions?limit=" + std::to_string(list_page_rows) + "&sort_by=id");
    if (marker) t += "&marker=" + encoded(*marker);
    return t;
}

std::string exes_target(const sahara::request& req, std::string_view cluster, long long page) {
    return project_path(req, "job-exes?cluster_id=" + encoded(cluster) + "&page_size=" +
                                 std::to_string(exe_page_rows) + "&current_page=" + std::to_string(page));
}

std::string exe_target(const sahara::request& req, std::string_view id) {
    return project_path(req, "job-exes/" + encoded(id));
}

bool has_code(const upstream_reply& r, std::initializer_list<std::string_view> codes) {
    if (r.outcome != transport::ok) return false;
    const auto code = mrs::parse_error(r.body).code;
    return std::find(codes.begin(), codes.end(), code) != codes.end();
}

// A list names no object, so a not-found answer to one of its reads cannot become Sahara's 404.
sahara::response list_failure(const sahara::request& req, const upstream_reply& r, std::string_view read) {
    if (r.outcome == transport::ok &&
        mrs::classify(r.status, mrs::parse_error(r.body)) == mrs::error_class::not_found)
        return unusable_answer(req, std::string(read) + " answered not-found (HTTP " + std::to_string(r.status) + ")");
    return failure(req, r, sahara::error_name::invalid_data);
}

const json::value* non_null(const json::object& o, std::string_view key) {
    auto* v = o.if_contains(key);
    return (v && !v->is_null()) ? v : nullptr;
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

// Views into the parsed replies, which the lister keeps.
struct listed_job {
    std::string_view id;
    const json::object* object = nullptr;  ///< MRS's Sahara-style object (mrs-api.md §2A)
    std::string_view cluster;              ///< empty when the job has none
    const json::object* exe = nullptr;     ///< its job-exes record (mrs-api.md §2G, §2H)
    bool gone = false;                     ///< the detail read says it no longer exists
};

struct cluster_read {
    std::string_view id;
    std::optional<long long> total;  ///< totalRecord of its first page
    bool gone = false;               ///< MRS no longer knows the cluster
};

// Replays the calls made so far: each phase computes its calls from the replies before it and
// takes as many replies as it made calls (the executor answers all calls of a step at once).
class lister {
public:
    lister(const sahara::request& req, const list_query& q, std::span<const upstream_reply> replies)
        : req_(req), query_(q), replies_(replies) {}

    std::optional<step_result> read_list();
    std::optional<step_result> read_first_exe_pages();
    std::optional<step_result> read_further_exe_pages();
    std::optional<step_result> read_single_exes();
    sahara::response answer() const;

private:
    // The replies to `calls`, or nullopt when they are still to be made (`next_` says so).
    std::optional<std::span<const upstream_reply>> replies_to(std::vector<upstream_call> calls);
    std::optional<step_result> take_exe_page(cluster_read& cluster, const upstream_reply& r);
    const json::object* parsed_object(std::string_view body);
    bool lacks_records(const cluster_read& cluster) const;

    static step_result stop(sahara::response r) { return step_result::done(std::move(r)); }

    const sahara::request& req_;
    const list_query& query_;
    std::span<const upstream_reply> replies_;
    std::size_t used_ = 0;
    step_result next_;
    // Every step parses the replies again, so they are parsed into one arena, never copied.
    json::storage_ptr arena_ = json::make_shared_resource<json::monotonic_resource>();
    std::deque<json::value> parsed_;
    std::vector<listed_job> jobs_;
    std::unordered_map<std::string_view, std::size_t> index_;
    std::vector<cluster_read> clusters_;
};

std::optional<std::span<const upstream_reply>> lister::replies_to(std::vector<upstream_call> calls) {
    const std::size_t left = replies_.size() - used_;
    if (left == 0) {
        next_ = step_result{};
        next_.calls = std::move(calls);
        return std::nullopt;
    }
    if (left < calls.size()) {
        next_ = stop(sahara::error_response(req_, 500, sahara::error_name::internal, "Internal Server Error",
                                            "list translator got fewer replies than it made calls"));
        return std::nullopt;
    }
    auto got = replies_.subspan(used_, calls.size());
    used_ += calls.size();
    return got;
}

const json::object* lister::parsed_object(std::string_view body) {
    boost::system::error_code ec;
    auto v = json::parse(body, ec, arena_);
    if (ec || !v.is_object()) return nullptr;
    parsed_.push_back(std::move(v));
    return &parsed_.back().get_object();
}

std::optional<step_result> lister::read_list() {
    std::optional<std::string> marker;
    for (std::size_t page = 1;; ++page) {
        auto got = replies_to({get(list_target(req_, marker))});
        if (!got) return std::move(next_);
        const upstream_reply& r = (*got)[0];
        if (!succeeded(r, {200})) return stop(list_failure(req_, r, "job-executions list"));
        const json::object* body = parsed_object(r.body);
        auto* rows = body ? body->if_contains("job_executions") : nullptr;
        if (!rows || !rows->is_array()) return stop(unusable_answer(req_, "list answer has no job_executions array"));

        const json::array& page_rows = rows->get_array();
        for (const auto& row : page_rows) {
            auto* id = row.is_object() ? row.get_object().if_contains("id") : nullptr;
            if (!id || !id->is_string() || id->get_string().empty())
                return stop(unusable_answer(req_, "list row without an id"));
            // Should MRS start a page at its marker, as Sahara does (sahara-api.md §4), the row repeats.
            if (!index_.emplace(id->get_string(), jobs_.size()).second) continue;
            listed_job job;
            job.id = id->get_string();
            job.object = &row.get_object();
            if (auto* c = non_null(*job.object, "cluster_id"); c && c->is_string()) job.cluster = c->get_string();
            jobs_.push_back(job);
        }

        // More pages follow only after a full page with a next marker (mrs-api.md §2A); a page
        // without `markers` continues after its last row.
        if (page_rows.size() < list_page_rows) return std::nullopt;
        std::optional<std::string> next;
        auto* markers = body->if_contains("markers");
        auto* next_value = markers && markers->is_object() ? markers->get_object().if_contains("next") : nullptr;
        if (!next_value)
            next = std::string(page_rows.back().get_object().at("id").get_string());
        else if (next_value->is_string())
            next = std::string(next_value->get_string());
        if (!next) return std::nullopt;
        if (page == max_list_pages) return stop(unusable_answer(req_, "MRS list longer than the gateway walks"));
        marker = std::move(next);
    }
}

std::optional<step_result> lister::take_exe_page(cluster_read& cluster, const upstream_reply& r) {
    if (!succeeded(r, {200})) {
        // A cluster deleted since the list was read (12000003, mrs-api.md §5.3): its jobs are read one by one.
        if (has_code(r, {"12000003"})) {
            cluster.gone = true;
            return std::nullopt;
        }
        return stop(list_failure(req_, r, "job-exes list"));
    }
    const json::object* body = parsed_object(r.body);
    auto* rows = body ? body->if_contains("job_executions") : nullptr;
    if (!rows || !rows->is_array()) return stop(unusable_answer(req_, "job-exes list has no job_executions array"));
    if (!cluster.total) cluster.total = integer_field(*body, "totalRecord");  // camelCase (mrs-api.md §2G)
    for (const auto& row : rows->get_array()) {
        if (!row.is_object()) return stop(unusable_answer(req_, "job-exes list row is not an object"));
        auto* id = row.get_object().if_contains("id");
        if (!id || !id->is_string()) continue;
        auto it = index_.find(id->get_string());
        if (it != index_.end() && !jobs_[it->second].exe) jobs_[it->second].exe = &row.get_object();
    }
    return std::nullopt;
}

std::optional<step_result> lister::read_first_exe_pages() {
    std::unordered_set<std::string_view> seen;
    for (const auto& job : jobs_)
        if (!job.cluster.empty() && seen.insert(job.cluster).second) clusters_.push_back({job.cluster, {}, false});
    if (clusters_.empty()) return std::nullopt;

    std::vector<upstream_call> calls;
    for (const auto& c : clusters_) calls.push_back(get(exes_target(req_, c.id, 1)));
    auto got = replies_to(std::move(calls));
    if (!got) return std::move(next_);
    for (std::size_t i = 0; i < clusters_.size(); ++i)
        if (auto s = take_exe_page(clusters_[i], (*got)[i])) return s;
    return std::nullopt;
}

bool lister::lacks_records(const cluster_read& cluster) const {
    return std::any_of(jobs_.begin(), jobs_.end(),
                       [&](const listed_job& j) { return j.cluster == cluster.id && !j.exe; });
}

std::optional<step_result> lister::read_further_exe_pages() {
    std::vector<upstream_call> calls;
    std::vector<std::size_t> owner;
    for (std::size_t i = 0; i < clusters_.size(); ++i) {
        const auto& c = clusters_[i];
        if (c.gone || !c.total || *c.total <= exe_page_rows || !lacks_records(c)) continue;
        const long long pages = std::min((*c.total + exe_page_rows - 1) / exe_page_rows, max_exe_pages);
        for (long long p = 2; p <= pages; ++p) {
            calls.push_back(get(exes_target(req_, c.id, p)));
            owner.push_back(i);
        }
    }
    if (calls.empty()) return std::nullopt;
    auto got = replies_to(std::move(calls));
    if (!got) return std::move(next_);
    for (std::size_t i = 0; i < owner.size(); ++i)
        if (auto s = take_exe_page(clusters_[owner[i]], (*got)[i])) return s;
    return std::nullopt;
}

std::optional<step_result> lister::read_single_exes() {
    std::vector<std::size_t> missing;
    for (std::size_t i = 0; i < jobs_.size(); ++i)
        if (!jobs_[i].exe) missing.push_back(i);
    if (missing.empty()) return std::nullopt;
    if (missing.size() > max_single_reads)
        return stop(unusable_answer(req_, std::to_string(missing.size()) + " jobs without a job-exes list record"));

    std::vector<upstream_call> calls;
    for (auto i : missing) calls.push_back(get(exe_target(req_, jobs_[i].id)));
    auto got = replies_to(std::move(calls));
    if (!got) return std::move(next_);
    for (std::size_t k = 0; k < missing.size(); ++k) {
        const upstream_reply& r = (*got)[k];
        listed_job& job = jobs_[missing[k]];
        if (succeeded(r, {200})) {
            const json::object* body = parsed_object(r.body);
            auto* exe = body ? body->if_contains("job_execution") : nullptr;
            if (!exe || !exe->is_object())
                return stop(unusable_answer(req_, "job-exes answer has no job_execution object"));
            job.exe = &exe->get_object();
        } else if (has_code(r, {"0176", "0201"})) {
            job.gone = true;  // deleted since the list was read (mrs-api.md §5.3)
        } else {
            return stop(list_failure(req_, r, "job-exes detail"));
        }
    }
    return std::nullopt;
}

sahara::response lister::answer() const {
    std::vector<json::object> all;
    all.reserve(jobs_.size());
    for (const auto& job : jobs_) {
        if (job.gone) continue;
        // No guessing: a state outside mrs-api.md §3.1 fails the list.
        auto status = exe_status(*job.exe);
        if (!status)
            return unusable_answer(req_, "job-exes record of " + std::string(job.id) + " has no known job_state");
        all.push_back(render(*job.object, sahara::as_seen(req_, job.id, *status), job.exe));
    }

    std::vector<json::object> rows;
    for (auto& o : all) {
        const bool keep = std::all_of(query_.filters.begin(), query_.filters.end(),
                                      [&](const auto& f) { return matches(o, f.first, f.second); });
        if (keep) rows.push_back(std::move(o));
    }
    // Default order is id ascending; other orders are stable over it (sahara-api.md §4).
    auto by_id = [](const json::object& a, const json::object& b) {
        return compare(sort_value(a, "id"), sort_value(b, "id")) < 0;
    };
    std::sort(rows.begin(), rows.end(), by_id);
    const std::string_view field = query_.sort_field;
    const bool desc = query_.descending;
    std::stable_sort(rows.begin(), rows.end(), [&](const json::object& a, const json::object& b) {
        const int c = compare(sort_value(a, field), sort_value(b, field));
        return desc ? c > 0 : c < 0;
    });

    // Sahara's markers (sahara-api.md §4): the page starts at the marker itself; a first page's
    // next is its own last id; with a marker at p, prev = p - limit and next = p + limit.
    const std::size_t n = rows.size();
    std::size_t first = 0, last = n;
    json::value prev = nullptr, next = nullptr;
    if (query_.marker) {
        auto it = std::find_if(rows.begin(), rows.end(), [&](const json::object& o) {
            const json::string* id = sort_value(o, "id");
            return id && *id == *query_.marker;
        });
        if (it == rows.end())
            return sahara::error_response(req_, 404, sahara::error_name::not_found,
                                          sahara::not_found_message(*query_.marker), "marker not in the list");
        first = static_cast<std::size_t>(it - rows.begin());  // res[n:], with or without a limit
    }
    if (query_.limit) {
        const std::size_t limit = *query_.limit;
        last = first + std::min(limit, n - first);
        if (query_.marker) {
            if (first >= limit) prev = rows[first - limit].at("id");
            if (limit < n - first) next = rows[first + limit].at("id");
        } else if (limit < n) {
            next = rows[limit - 1].at("id");
        }
    }

    json::array items;
    items.reserve(last - first);
    for (std::size_t i = first; i < last; ++i) items.push_back(sahara::to_version(std::move(rows[i]), req_.version));
    json::object body;
    body[sahara::collection_key(req_.version)] = std::move(items);
    if (!prev.is_null() || !next.is_null() || query_.marker)
        body["markers"] = json::object{{"prev", std::move(prev)}, {"next", std::move(next)}};
    return sahara::response{200, json::serialize(body), {}, {}};
}

}  // namespace

step_result list_step(const sahara::request& req, std::span<const upstream_reply> replies) {
    const list_query query = read_query(req);
    if (query.error) return step_result::done(*query.error);

    lister l(req, query, replies);
    if (auto s = l.read_list()) return std::move(*s);
    if (auto s = l.read_first_exe_pages()) return std::move(*s);
    if (auto s = l.read_further_exe_pages()) return std::move(*s);
    if (auto s = l.read_single_exes()) return std::move(*s);
    return step_result::done(l.answer());
}

}  // namespace sgw::mrs_v1_1
