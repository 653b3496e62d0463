// Sahara job-execution list (v1.1 and v2) on the mrs-v1.1 backend: the walk over MRS's pages.
// The Sahara side (query, filters, order, markers) is translators/sahara/list_query.hpp.
#include "translators/mrs_v1_1/list.hpp"

#include "translators/common/json_fields.hpp"
#include "translators/common/replies.hpp"
#include "translators/mrs_v1_1/job_execution.hpp"
#include "translators/sahara/list_query.hpp"

#include <boost/json.hpp>

#include <algorithm>
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

// Views into the parsed replies, which the context keeps until the request ends.
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

// The walk, kept in the request's context from step to step: each step takes the replies to
// the calls the previous one made, and never looks at earlier replies again.
struct list_walk {
    enum class phase { start, list_pages, first_exe_pages, further_exe_pages, single_reads };
    phase at = phase::start;
    sahara::list_query query;
    std::size_t seen = 0;               ///< replies taken so far
    std::size_t list_pages = 0;         ///< list pages asked for
    std::size_t asked = 0;              ///< calls the last step asked for
    std::vector<std::size_t> owners;    ///< per call of the last step: its cluster or job index
    std::vector<listed_job> jobs;
    std::unordered_map<std::string_view, std::size_t> index;
    std::vector<cluster_read> clusters;
};

class lister {
public:
    lister(const sahara::request& req, list_walk& w) : req_(req), w_(w) {}

    step_result step(std::span<const upstream_reply> fresh);

private:
    std::optional<step_result> take_list_page(const upstream_reply& r);
    std::optional<step_result> take_exe_page(cluster_read& cluster, const upstream_reply& r);
    std::optional<step_result> take_single_reads(std::span<const upstream_reply> fresh);
    // Each start_* asks for its phase's calls, or moves on when there are none.
    step_result start_first_exe_pages();
    step_result start_further_exe_pages();
    step_result start_single_reads();
    step_result answer() const;
    bool lacks_records(const cluster_read& cluster) const;

    step_result ask(list_walk::phase at, std::vector<upstream_call> calls) {
        w_.at = at;
        w_.asked = calls.size();
        step_result r;
        r.calls = std::move(calls);
        return r;
    }
    static step_result stop(sahara::response r) { return step_result::done(std::move(r)); }

    const sahara::request& req_;
    list_walk& w_;
};

std::optional<step_result> lister::take_list_page(const upstream_reply& r) {
    if (!succeeded(r, {200})) return stop(list_failure(req_, r, "job-executions list"));
    const json::object* body = body_object(r);
    auto* rows = body ? body->if_contains("job_executions") : nullptr;
    if (!rows || !rows->is_array()) return stop(unusable_answer(req_, "list answer has no job_executions array"));

    const json::array& page_rows = rows->get_array();
    for (const auto& row : page_rows) {
        auto* id = row.is_object() ? row.get_object().if_contains("id") : nullptr;
        if (!id || !id->is_string() || id->get_string().empty())
            return stop(unusable_answer(req_, "list row without an id"));
        // Should MRS start a page at its marker, as Sahara does (sahara-api.md §4), the row repeats.
        if (!w_.index.emplace(id->get_string(), w_.jobs.size()).second) continue;
        listed_job job;
        job.id = id->get_string();
        job.object = &row.get_object();
        if (auto* c = non_null(*job.object, "cluster_id"); c && c->is_string()) job.cluster = c->get_string();
        w_.jobs.push_back(job);
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
    if (w_.list_pages == max_list_pages) return stop(unusable_answer(req_, "MRS list longer than the gateway walks"));
    ++w_.list_pages;
    return ask(list_walk::phase::list_pages, {get(list_target(req_, next))});
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
    const json::object* body = body_object(r);
    auto* rows = body ? body->if_contains("job_executions") : nullptr;
    if (!rows || !rows->is_array()) return stop(unusable_answer(req_, "job-exes list has no job_executions array"));
    if (!cluster.total) cluster.total = integer_field(*body, "totalRecord");  // camelCase (mrs-api.md §2G)
    for (const auto& row : rows->get_array()) {
        if (!row.is_object()) return stop(unusable_answer(req_, "job-exes list row is not an object"));
        auto* id = row.get_object().if_contains("id");
        if (!id || !id->is_string()) continue;
        auto it = w_.index.find(id->get_string());
        if (it != w_.index.end() && !w_.jobs[it->second].exe) w_.jobs[it->second].exe = &row.get_object();
    }
    return std::nullopt;
}

step_result lister::start_first_exe_pages() {
    std::unordered_set<std::string_view> seen;
    for (const auto& job : w_.jobs)
        if (!job.cluster.empty() && seen.insert(job.cluster).second) w_.clusters.push_back({job.cluster, {}, false});
    if (w_.clusters.empty()) return start_single_reads();
    std::vector<upstream_call> calls;
    for (const auto& c : w_.clusters) calls.push_back(get(exes_target(req_, c.id, 1)));
    return ask(list_walk::phase::first_exe_pages, std::move(calls));
}

bool lister::lacks_records(const cluster_read& cluster) const {
    return std::any_of(w_.jobs.begin(), w_.jobs.end(),
                       [&](const listed_job& j) { return j.cluster == cluster.id && !j.exe; });
}

step_result lister::start_further_exe_pages() {
    std::vector<upstream_call> calls;
    w_.owners.clear();
    for (std::size_t i = 0; i < w_.clusters.size(); ++i) {
        const auto& c = w_.clusters[i];
        if (c.gone || !c.total || *c.total <= exe_page_rows || !lacks_records(c)) continue;
        // Rounded up without adding first: MRS's totalRecord may be any integer, INT64_MAX included.
        const long long pages =
            std::min(*c.total / exe_page_rows + (*c.total % exe_page_rows != 0 ? 1 : 0), max_exe_pages);
        for (long long p = 2; p <= pages; ++p) {
            calls.push_back(get(exes_target(req_, c.id, p)));
            w_.owners.push_back(i);
        }
    }
    if (calls.empty()) return start_single_reads();
    return ask(list_walk::phase::further_exe_pages, std::move(calls));
}

step_result lister::start_single_reads() {
    w_.owners.clear();
    for (std::size_t i = 0; i < w_.jobs.size(); ++i)
        if (!w_.jobs[i].exe) w_.owners.push_back(i);
    if (w_.owners.empty()) return answer();
    if (w_.owners.size() > max_single_reads)
        return stop(unusable_answer(req_, std::to_string(w_.owners.size()) + " jobs without a job-exes list record"));
    std::vector<upstream_call> calls;
    for (auto i : w_.owners) calls.push_back(get(exe_target(req_, w_.jobs[i].id)));
    return ask(list_walk::phase::single_reads, std::move(calls));
}

std::optional<step_result> lister::take_single_reads(std::span<const upstream_reply> fresh) {
    for (std::size_t k = 0; k < fresh.size(); ++k) {
        const upstream_reply& r = fresh[k];
        listed_job& job = w_.jobs[w_.owners[k]];
        if (succeeded(r, {200})) {
            auto* exe = envelope(r, "job_execution");
            if (!exe) return stop(unusable_answer(req_, "job-exes answer has no job_execution object"));
            job.exe = exe;
        } else if (has_code(r, {"0176", "0201"})) {
            job.gone = true;  // deleted since the list was read (mrs-api.md §5.3)
        } else {
            return stop(list_failure(req_, r, "job-exes detail"));
        }
    }
    return std::nullopt;
}

step_result lister::answer() const {
    std::vector<json::object> all;
    all.reserve(w_.jobs.size());
    for (const auto& job : w_.jobs) {
        if (job.gone) continue;
        // No guessing: a state outside mrs-api.md §3.1 fails the list.
        auto status = exe_status(*job.exe);
        if (!status)
            return stop(unusable_answer(req_, "job-exes record of " + std::string(job.id) + " has no known job_state"));
        all.push_back(render(*job.object, sahara::as_seen(req_, job.id, *status), job.exe));
    }
    return stop(sahara::list_answer(req_, w_.query, std::move(all)));
}

step_result lister::step(std::span<const upstream_reply> fresh) {
    using phase = list_walk::phase;
    if (w_.at == phase::start) {
        w_.query = sahara::read_list_query(req_);
        if (w_.query.error) return stop(*w_.query.error);
        w_.list_pages = 1;
        return ask(phase::list_pages, {get(list_target(req_, std::nullopt))});
    }
    switch (w_.at) {
        case phase::list_pages:
            if (auto s = take_list_page(fresh[0])) return std::move(*s);
            return start_first_exe_pages();
        case phase::first_exe_pages:
            for (std::size_t i = 0; i < w_.clusters.size(); ++i)
                if (auto s = take_exe_page(w_.clusters[i], fresh[i])) return std::move(*s);
            return start_further_exe_pages();
        case phase::further_exe_pages:
            for (std::size_t i = 0; i < fresh.size(); ++i)
                if (auto s = take_exe_page(w_.clusters[w_.owners[i]], fresh[i])) return std::move(*s);
            return start_single_reads();
        case phase::single_reads:
            if (auto s = take_single_reads(fresh)) return std::move(*s);
            return answer();
        case phase::start: break;
    }
    return stop(sahara::error_response(req_, 500, sahara::error_name::internal, "Internal Server Error",
                                       "list translator in an unknown phase"));
}

}  // namespace

step_result list_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx) {
    auto& walk = ctx.state<list_walk>();
    // Each step is called with the replies to exactly the calls the previous one asked for.
    const auto fresh = replies.subspan(std::min(walk.seen, replies.size()));
    const std::size_t expected = walk.at == list_walk::phase::start ? 0 : walk.asked;
    walk.seen = replies.size();
    lister l(req, walk);
    if (fresh.size() != expected)
        return step_result::done(sahara::error_response(req, 500, sahara::error_name::internal, "Internal Server Error",
                                                        "list translator got " + std::to_string(fresh.size()) +
                                                            " replies for " + std::to_string(expected) + " calls"));
    return l.step(fresh);
}

}  // namespace sgw::mrs_v1_1
