// Sahara job-execution list (v1.1 and v2) on the mrs-v1.1 backend: which MRS reads answer a
// list query. The Sahara side (query, filters, order, markers) is translators/sahara/list_query.hpp.
#include "translators/mrs_v1_1/list.hpp"

#include "translators/common/json_fields.hpp"
#include "translators/common/replies.hpp"
#include "translators/common/text.hpp"
#include "translators/common/timefmt.hpp"
#include "translators/mrs_v1_1/job_execution.hpp"
#include "translators/mrs_v1_1/paths.hpp"
#include "translators/sahara/errors.hpp"
#include "translators/sahara/list_query.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

namespace sgw::mrs_v1_1 {
namespace json = boost::json;
using namespace translators;

namespace {

constexpr std::size_t list_page_rows = 1000;  // rows asked of each list page of a walk (mrs-api.md §2A)
constexpr long long exe_page_rows = 100;      // job-exes page_size is 1..100 (mrs-api.md §2G)
constexpr std::size_t calls_per_step = 32;    // one step's replies are gone through in a few ms
constexpr std::size_t kept_objects = list_page_rows;  // a walk this short keeps the objects it read
constexpr std::size_t single_reads_max = 200;         // a page this short reads its jobs one by one

std::string project_path(const sahara::request& req, std::string_view rest) {
    std::string p = "/v1.1/";
    p += req.project_id;
    p += '/';
    p += rest;
    return p;
}

// mrs-api.md §2A: `limit`, `marker` (the list starts after it) and `sort_by` (`-` descends).
std::string list_target(const sahara::request& req, bool descending, std::size_t limit,
                        const std::optional<std::string>& marker) {
    std::string t = project_path(req, "job-executions?limit=" + std::to_string(limit) +
                                          (descending ? "&sort_by=-id" : "&sort_by=id"));
    if (marker) t += "&marker=" + percent_encode(*marker);
    return t;
}

std::string exes_target(const sahara::request& req, std::string_view cluster, long long page) {
    return project_path(req, "job-exes?cluster_id=" + percent_encode(cluster) + "&page_size=" +
                                 std::to_string(exe_page_rows) + "&current_page=" + std::to_string(page));
}

bool has_code(const upstream_reply& r, std::initializer_list<std::string_view> codes) {
    if (r.outcome != transport::ok) return false;
    const auto code = mrs::parse_error(r.body).code;
    return std::find(codes.begin(), codes.end(), code) != codes.end();
}

// A job MRS no longer knows: 0176 on job-executions paths, 0201 on job-exes (mrs-api.md §5.3).
bool job_gone(const upstream_reply& r) { return has_code(r, {"0176", "0201"}); }

// A list names no object, so a not-found answer to one of its reads cannot become Sahara's 404.
sahara::response list_failure(const sahara::request& req, const upstream_reply& r, std::string_view read) {
    if (r.outcome == transport::ok &&
        mrs::classify(r.status, mrs::parse_error(r.body)) == mrs::error_class::not_found)
        return unusable_answer(req, std::string(read) + " answered not-found (HTTP " + std::to_string(r.status) + ")");
    return failure(req, r, sahara::error_name::invalid_data);
}

// The times a rendered object takes from the job-exes record when MRS's Sahara-style object has
// none: rendered field, job-exes field (mrs-api.md §2G).
constexpr std::array<std::pair<std::string_view, std::string_view>, 4> exe_times{
    {{"start_time", "start_time"}, {"end_time", "end_time"}, {"created_at", "create_at"}, {"updated_at", "update_at"}}};

bool is_exe_time(std::string_view field) {
    return std::any_of(exe_times.begin(), exe_times.end(), [&](const auto& t) { return t.first == field; });
}

// One job of the list, as compact as the query allows.
struct job_row {
    std::string id;
    std::size_t cluster = 0;                   ///< index in list_walk::clusters; 0 = none
    std::optional<json::object> object;        ///< MRS's Sahara-style object, while kept
    std::optional<sahara::job_status> status;  ///< as seen, once its job-exes record is read
    std::array<json::value, 4> times;          ///< that record's times, in exe_times order
    std::vector<json::value> values;           ///< sahara::compared_fields of its rendered object
    std::string text;                          ///< its row of the answer, once rendered
    bool gone = false;                         ///< deleted since the list was read
};

struct cluster_read {
    std::string id;
    std::size_t missing = 0;  ///< its rows without a job-exes record yet
    long long pages = 1;      ///< job-exes pages to read, from the first page's totalRecord
    bool gone = false;        ///< MRS no longer knows the cluster
};

enum class call_kind { exe_page, exe_read, job_read };

struct queued_call {
    call_kind kind;
    std::size_t owner;  ///< the cluster (exe_page) or the row (exe_read, job_read)
    long long page = 0;
};

// What the list has worked out so far, kept in the request's context from step to step. Each
// step takes the replies to the calls the previous one made, keeps what it needs of them and
// releases them, so memory follows the number of jobs, not the bytes MRS sent.
struct list_walk {
    enum class phase { start, page_read, index, calls, rewalk, render };
    enum class stage { exe_first, exe_more, exe_singles, page_states, page_objects };
    phase at = phase::start;
    stage then = stage::exe_first;
    sahara::list_query query;
    std::vector<std::string_view> fields;  ///< sahara::compared_fields(query)
    bool walking = false;                  ///< every job is read (not only the page)
    bool all_states = false;               ///< every job's state is needed, not only the page's
    std::deque<job_row> rows;              ///< walking: every job in id order; else the page
    std::unordered_map<std::string_view, std::size_t> index;  ///< id → row
    std::deque<cluster_read> clusters{cluster_read{}};        ///< [0] stands for "no cluster"
    std::unordered_map<std::string_view, std::size_t> cluster_index;
    std::vector<queued_call> queue;
    std::size_t queue_next = 0;
    std::vector<queued_call> sent;
    sahara::page_choice page;  ///< rows: indices into `rows`
    std::size_t rewalk_from = 0, rewalk_to = 0;
    std::vector<char> on_page;  ///< rewalk: per row, whether it is on the page
    std::size_t asked = 0;  ///< calls the last step asked for
    std::vector<std::string> texts;  ///< render: the answer's rows rendered so far
    std::size_t rendered = 0;        ///< render: entries of page.rows done
};

class lister {
public:
    lister(const sahara::request& req, list_walk& w) : req_(req), w_(w) {}

    step_result step(std::span<const upstream_reply> fresh);

private:
    step_result begin();
    step_result take_page_read(std::span<const upstream_reply> fresh);
    step_result take_index_page(const upstream_reply& r);
    step_result take_rewalk_page(const upstream_reply& r);
    std::optional<step_result> take(const queued_call& c, const upstream_reply& r);
    step_result drain();
    step_result next_stage();
    step_result choose();
    step_result start_rewalk();
    step_result answer();

    job_row& add_row(const json::object& object);
    void set_record(job_row& row, const json::object& exe, sahara::job_status status);
    std::optional<step_result> take_record(job_row& row, const json::object& exe);
    json::object exe_object(const job_row& row) const;
    void render_row(job_row& row) const;
    step_result queue_stage(list_walk::stage s);

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

// The rows of a list answer, each with an id (mrs-api.md §2A), or nullptr.
const json::array* list_rows(const upstream_reply& r) {
    const json::object* body = body_object(r);
    auto* rows = body ? body->if_contains("job_executions") : nullptr;
    if (!rows || !rows->is_array()) return nullptr;
    for (const auto& row : rows->get_array()) {
        auto* id = row.is_object() ? row.get_object().if_contains("id") : nullptr;
        if (!id || !id->is_string() || id->get_string().empty()) return nullptr;
    }
    return &rows->get_array();
}

std::string_view id_of(const json::value& row) { return row.get_object().at("id").get_string(); }

// A copy in the default memory: the replies' own memory is released after each step.
json::object owned(const json::object& o) { return json::object(o, json::storage_ptr()); }

job_row& lister::add_row(const json::object& object) {
    job_row& row = w_.rows.emplace_back();
    row.id = id_of(object);
    // The values the query compares, as the rendered object will show them; a time MRS's object
    // lacks is taken from the job-exes record later (render does the same).
    if (!w_.fields.empty())
        row.values = sahara::compared_values(w_.fields, render(object, sahara::job_status::pending, nullptr));
    if (auto* c = non_null(object, "cluster_id"); c && c->is_string() && !c->get_string().empty()) {
        auto it = w_.cluster_index.find(c->get_string());
        if (it == w_.cluster_index.end()) {
            // The key views the cluster's own copy, which the deque never moves.
            w_.clusters.push_back(cluster_read{std::string(c->get_string())});
            it = w_.cluster_index.emplace(w_.clusters.back().id, w_.clusters.size() - 1).first;
        }
        row.cluster = it->second;
    }
    ++w_.clusters[row.cluster].missing;
    if (!w_.walking || w_.rows.size() <= kept_objects) row.object = owned(object);
    return row;
}

void lister::set_record(job_row& row, const json::object& exe, sahara::job_status status) {
    if (!row.status) --w_.clusters[row.cluster].missing;
    row.status = sahara::as_seen(req_, row.id, status);
    for (std::size_t i = 0; i < exe_times.size(); ++i) {
        auto* v = non_null(exe, exe_times[i].second);
        row.times[i] = v ? *v : json::value(nullptr);
    }
}

// No guessing: a state outside mrs-api.md §3.1 fails the list.
std::optional<step_result> lister::take_record(job_row& row, const json::object& exe) {
    auto status = exe_status(exe);
    if (!status) return stop(unusable_answer(req_, "job-exes record of " + row.id + " has no known job_state"));
    set_record(row, exe, *status);
    return std::nullopt;
}

json::object lister::exe_object(const job_row& row) const {
    json::object exe;
    for (std::size_t i = 0; i < exe_times.size(); ++i) exe[exe_times[i].second] = row.times[i];
    return exe;
}

// The row's text in the answer, made as soon as its object and state are both in, and its
// object dropped: a long page never holds every object at once.
void lister::render_row(job_row& row) const {
    if (!row.text.empty() || !row.object || !row.status) return;
    const json::object exe = exe_object(row);
    row.text = sahara::page_row(req_, render(*row.object, *row.status, &exe));
    row.object.reset();
}

step_result lister::begin() {
    w_.query = sahara::read_list_query(req_);
    if (w_.query.error) return stop(*w_.query.error);
    w_.fields = sahara::compared_fields(w_.query);
    const auto& q = w_.query;
    // MRS orders by id and pages after a marker itself (mrs-api.md §2A); it knows no state and
    // documents no filters. So a page in id order with no filter is MRS's own page; anything
    // else reads every job of the project, in id order.
    const bool pushed = q.sort_field == "id" && q.filters.empty() && q.limit && *q.limit <= list_page_rows;
    if (!pushed) {
        w_.walking = true;
        const bool exe_time_compared = std::any_of(w_.fields.begin(), w_.fields.end(), is_exe_time);
        w_.all_states = sahara::uses_status(q) || exe_time_compared || !q.limit || *q.limit > single_reads_max;
        return ask(list_walk::phase::index, {read(list_target(req_, false, list_page_rows, std::nullopt))});
    }
    if (!q.marker) {
        // One row past the page tells whether a next page exists.
        return ask(list_walk::phase::page_read, {read(list_target(req_, q.descending, *q.limit + 1, std::nullopt))});
    }
    // Sahara's page starts at the marker (sahara-api.md §4); MRS's after it. So: the marker's
    // own object, the page after it, and the rows before it in reverse for `prev`; one row more
    // each way, should MRS start its pages at the marker instead.
    return ask(list_walk::phase::page_read,
               {read(job_path(req_, "job-executions", percent_encode(*q.marker))),
                read(list_target(req_, q.descending, *q.limit + 1, q.marker)),
                read(list_target(req_, !q.descending, *q.limit + 1, q.marker))});
}

step_result lister::take_page_read(std::span<const upstream_reply> fresh) {
    const auto& q = w_.query;
    const std::size_t limit = *q.limit;
    std::vector<const json::value*> page;
    if (!q.marker) {
        if (!succeeded(fresh[0], {200})) return stop(list_failure(req_, fresh[0], "job-executions list"));
        const json::array* rows = list_rows(fresh[0]);
        if (!rows) return stop(unusable_answer(req_, "list answer has no job_executions array of rows with ids"));
        for (std::size_t i = 0; i < rows->size() && i < limit; ++i) page.push_back(&(*rows)[i]);
        if (rows->size() > limit) w_.page.next = json::value(id_of((*rows)[limit - 1]));
    } else {
        // A marker MRS does not know (0176) names no visible job: Sahara's 404 (sahara-api.md §4).
        for (const auto& r : fresh)
            if (job_gone(r)) return stop(sahara::unknown_marker(req_, *q.marker));
        if (!succeeded(fresh[0], {200})) return stop(list_failure(req_, fresh[0], "job-executions detail"));
        auto* marker_row = envelope(fresh[0], "job_execution");
        auto* marker_id = marker_row ? marker_row->if_contains("id") : nullptr;
        if (!marker_id || !marker_id->is_string() || marker_id->get_string().empty())
            return stop(unusable_answer(req_, "job-executions answer has no job_execution object with an id"));
        std::array<const json::array*, 2> sides{};
        for (std::size_t k = 1; k < 3; ++k) {
            if (!succeeded(fresh[k], {200})) return stop(list_failure(req_, fresh[k], "job-executions list"));
            sides[k - 1] = list_rows(fresh[k]);
            if (!sides[k - 1]) return stop(unusable_answer(req_, "list answer has no job_executions array of rows with ids"));
        }
        // Should MRS start a page at its marker, as Sahara does, the marker row is skipped.
        auto after_marker = [&](const json::array& rows) {
            std::vector<const json::value*> out;
            for (const auto& row : rows)
                if (id_of(row) != *q.marker) out.push_back(&row);
            return out;
        };
        const auto forward = after_marker(*sides[0]);
        const auto backward = after_marker(*sides[1]);
        add_row(*marker_row);
        for (std::size_t i = 0; i + 1 < limit && i < forward.size(); ++i) page.push_back(forward[i]);
        if (forward.size() >= limit) w_.page.next = json::value(id_of(*forward[limit - 1]));
        if (backward.size() >= limit) w_.page.prev = json::value(id_of(*backward[limit - 1]));
        w_.page.markers = true;
    }
    for (const auto* row : page) add_row(row->get_object());
    if (!w_.page.next.is_null()) w_.page.markers = true;
    for (std::size_t i = 0; i < w_.rows.size(); ++i) w_.page.rows.push_back(i);
    return queue_stage(list_walk::stage::page_states);
}

step_result lister::take_index_page(const upstream_reply& r) {
    if (!succeeded(r, {200})) return stop(list_failure(req_, r, "job-executions list"));
    const json::array* page_rows = list_rows(r);
    if (!page_rows) return stop(unusable_answer(req_, "list answer has no job_executions array of rows with ids"));
    const std::size_t known = w_.rows.size();
    for (const auto& row : *page_rows) {
        if (w_.index.contains(id_of(row))) continue;  // a page that starts at its marker repeats it
        if (w_.rows.size() == sahara::max_list_rows)
            return stop(sahara::error_response(
                req_, 400, sahara::error_name::invalid_params,
                "The project has more than " + std::to_string(sahara::max_list_rows) +
                    " job executions; this query would have to read them all. Page in id order without "
                    "filters (sort_by=id or -id, limit up to " + std::to_string(list_page_rows) + ")",
                "list longer than the gateway walks"));
        job_row& added = add_row(row.get_object());
        w_.index.emplace(added.id, w_.rows.size() - 1);
    }
    // Objects are kept only while the history is short; a long one is read again for its page.
    if (w_.rows.size() > kept_objects)
        for (auto& row : w_.rows) row.object.reset();

    // More pages follow only after a full page with a next marker (mrs-api.md §2A); a page
    // without `markers` continues after its last row.
    std::optional<std::string> next;
    if (page_rows->size() >= list_page_rows) {
        const json::object& body = *body_object(r);
        auto* markers = body.if_contains("markers");
        auto* next_value = markers && markers->is_object() ? markers->get_object().if_contains("next") : nullptr;
        if (!next_value)
            next = std::string(id_of(page_rows->back()));
        else if (next_value->is_string())
            next = std::string(next_value->get_string());
    }
    if (next && w_.rows.size() == known)
        return stop(unusable_answer(req_, "job-executions list page brought no new row: MRS's paging does not advance"));
    if (next) return ask(list_walk::phase::index, {read(list_target(req_, false, list_page_rows, next))});
    if (w_.query.marker && !w_.index.contains(*w_.query.marker)) return stop(sahara::unknown_marker(req_, *w_.query.marker));
    if (!w_.all_states) return choose();
    return queue_stage(list_walk::stage::exe_first);
}

// Queues the calls of a stage; drain() sends them, `calls_per_step` at a time.
step_result lister::queue_stage(list_walk::stage s) {
    w_.then = s;
    w_.queue.clear();
    w_.queue_next = 0;
    switch (s) {
        case list_walk::stage::exe_first:
            for (std::size_t c = 1; c < w_.clusters.size(); ++c) w_.queue.push_back({call_kind::exe_page, c, 1});
            break;
        case list_walk::stage::exe_more:
            for (std::size_t c = 1; c < w_.clusters.size(); ++c)
                for (long long p = 2; p <= w_.clusters[c].pages; ++p) w_.queue.push_back({call_kind::exe_page, c, p});
            break;
        case list_walk::stage::exe_singles:
            for (std::size_t i = 0; i < w_.rows.size(); ++i)
                if (!w_.rows[i].status && !w_.rows[i].gone) w_.queue.push_back({call_kind::exe_read, i});
            break;
        case list_walk::stage::page_states:
            for (auto i : w_.page.rows)
                if (!w_.rows[i].status && !w_.rows[i].gone) w_.queue.push_back({call_kind::exe_read, i});
            break;
        case list_walk::stage::page_objects:
            for (auto i : w_.page.rows)
                if (!w_.rows[i].object && !w_.rows[i].gone) w_.queue.push_back({call_kind::job_read, i});
            break;
    }
    return drain();
}

step_result lister::drain() {
    std::vector<upstream_call> calls;
    w_.sent.clear();
    while (w_.queue_next < w_.queue.size() && calls.size() < calls_per_step) {
        const queued_call& c = w_.queue[w_.queue_next++];
        switch (c.kind) {
            case call_kind::exe_page:
                // A cluster whose every job has its record needs no further page.
                if (c.page > 1 && (w_.clusters[c.owner].missing == 0 || w_.clusters[c.owner].gone)) continue;
                calls.push_back(read(exes_target(req_, w_.clusters[c.owner].id, c.page)));
                break;
            case call_kind::exe_read:
                calls.push_back(read(job_path(req_, "job-exes", percent_encode(w_.rows[c.owner].id))));
                break;
            case call_kind::job_read:
                calls.push_back(read(job_path(req_, "job-executions", percent_encode(w_.rows[c.owner].id))));
                break;
        }
        w_.sent.push_back(c);
    }
    if (calls.empty()) return next_stage();
    return ask(list_walk::phase::calls, std::move(calls));
}

std::optional<step_result> lister::take(const queued_call& c, const upstream_reply& r) {
    switch (c.kind) {
        case call_kind::exe_page: {
            cluster_read& cluster = w_.clusters[c.owner];
            if (!succeeded(r, {200})) {
                // A cluster deleted since the list was read (12000003, mrs-api.md §5.3): its
                // jobs are read one by one.
                if (has_code(r, {"12000003"})) {
                    cluster.gone = true;
                    return std::nullopt;
                }
                return stop(list_failure(req_, r, "job-exes list"));
            }
            const json::object* body = body_object(r);
            auto* rows = body ? body->if_contains("job_executions") : nullptr;
            if (!rows || !rows->is_array())
                return stop(unusable_answer(req_, "job-exes list has no job_executions array"));
            if (c.page == 1) {
                // camelCase (mrs-api.md §2G). Pages past what the walk read are never needed.
                const long long total = std::clamp(integer_field(*body, "totalRecord").value_or(0), 0LL,
                                                   static_cast<long long>(sahara::max_list_rows));
                cluster.pages = total / exe_page_rows + (total % exe_page_rows != 0 ? 1 : 0);
            }
            for (const auto& row : rows->get_array()) {
                if (!row.is_object()) return stop(unusable_answer(req_, "job-exes list row is not an object"));
                auto* id = row.get_object().if_contains("id");
                if (!id || !id->is_string()) continue;
                auto it = w_.index.find(id->get_string());
                if (it == w_.index.end() || w_.rows[it->second].status) continue;
                if (auto s = take_record(w_.rows[it->second], row.get_object())) return s;
            }
            return std::nullopt;
        }
        case call_kind::exe_read:
        case call_kind::job_read: {
            job_row& row = w_.rows[c.owner];
            if (job_gone(r)) {
                row.gone = true;  // deleted since the list was read (mrs-api.md §5.3)
                return std::nullopt;
            }
            if (!succeeded(r, {200}))
                return stop(list_failure(req_, r, c.kind == call_kind::exe_read ? "job-exes detail" : "job-executions detail"));
            auto* found = envelope(r, "job_execution");
            if (!found) return stop(unusable_answer(req_, "job detail answer has no job_execution object"));
            if (c.kind == call_kind::job_read) {
                row.object = owned(*found);
                return std::nullopt;
            }
            return take_record(row, *found);
        }
    }
    return std::nullopt;
}

step_result lister::next_stage() {
    using stage = list_walk::stage;
    switch (w_.then) {
        case stage::exe_first: return queue_stage(stage::exe_more);
        case stage::exe_more: return queue_stage(stage::exe_singles);
        case stage::exe_singles: return choose();
        case stage::page_states: {
            const bool objects_missing = std::any_of(w_.page.rows.begin(), w_.page.rows.end(), [&](std::size_t i) {
                return !w_.rows[i].object && !w_.rows[i].gone;
            });
            if (!objects_missing) return answer();
            if (w_.page.rows.size() <= single_reads_max) return queue_stage(stage::page_objects);
            return start_rewalk();
        }
        case stage::page_objects: return answer();
    }
    return answer();
}

step_result lister::choose() {
    // Times the objects lack come from the job-exes records, as render takes them.
    for (std::size_t k = 0; k < w_.fields.size(); ++k) {
        auto t = std::find_if(exe_times.begin(), exe_times.end(), [&](const auto& e) { return e.first == w_.fields[k]; });
        if (t == exe_times.end()) continue;
        const auto slot = static_cast<std::size_t>(t - exe_times.begin());
        for (auto& row : w_.rows)
            if (row.values[k].is_null() && !row.times[slot].is_null()) row.values[k] = timefmt::to_sahara(row.times[slot]);
    }
    std::vector<sahara::list_entry> entries;
    std::vector<std::size_t> row_of;
    entries.reserve(w_.rows.size());
    row_of.reserve(w_.rows.size());
    for (std::size_t i = 0; i < w_.rows.size(); ++i) {
        const job_row& row = w_.rows[i];
        if (row.gone) continue;
        entries.push_back(sahara::list_entry{row.id, row.status.value_or(sahara::job_status::pending), row.values});
        row_of.push_back(i);
    }
    if (!sahara::marker_known(w_.query, entries)) return stop(sahara::unknown_marker(req_, *w_.query.marker));
    w_.page = sahara::choose_page(w_.query, entries);
    for (auto& i : w_.page.rows) i = row_of[i];
    return queue_stage(list_walk::stage::page_states);
}

// Reads the list again in id order over the span of the page's rows, keeping their objects.
step_result lister::start_rewalk() {
    w_.on_page.assign(w_.rows.size(), 0);
    for (auto i : w_.page.rows) w_.on_page[i] = 1;
    w_.rewalk_from = w_.rows.size();
    w_.rewalk_to = 0;
    for (auto i : w_.page.rows) {
        if (w_.rows[i].object || w_.rows[i].gone) continue;
        w_.rewalk_from = std::min(w_.rewalk_from, i);
        w_.rewalk_to = std::max(w_.rewalk_to, i);
    }
    std::optional<std::string> marker;
    if (w_.rewalk_from > 0) marker = w_.rows[w_.rewalk_from - 1].id;
    return ask(list_walk::phase::rewalk, {read(list_target(req_, false, list_page_rows, marker))});
}

step_result lister::take_rewalk_page(const upstream_reply& r) {
    if (job_gone(r) && w_.rewalk_from > 0) {
        // The marker row was deleted meanwhile: start one row earlier.
        --w_.rewalk_from;
        std::optional<std::string> marker;
        if (w_.rewalk_from > 0) marker = w_.rows[w_.rewalk_from - 1].id;
        return ask(list_walk::phase::rewalk, {read(list_target(req_, false, list_page_rows, marker))});
    }
    if (!succeeded(r, {200})) return stop(list_failure(req_, r, "job-executions list"));
    const json::array* page_rows = list_rows(r);
    if (!page_rows) return stop(unusable_answer(req_, "list answer has no job_executions array of rows with ids"));
    std::size_t last = w_.rewalk_from;
    bool advanced = false;
    for (const auto& row : *page_rows) {
        auto it = w_.index.find(id_of(row));
        if (it == w_.index.end()) continue;  // added since the walk: not in this answer
        if (it->second >= w_.rewalk_from) {
            advanced = true;
            last = std::max(last, it->second);
        }
        job_row& found = w_.rows[it->second];
        if (!w_.on_page[it->second] || found.object || !found.text.empty()) continue;
        found.object = owned(row.get_object());
        render_row(found);
    }
    // A full page that moves the walk on continues it; one that does not (MRS repeating itself)
    // ends it, and what was not found is left out as deleted.
    if (page_rows->size() >= list_page_rows && advanced && last < w_.rewalk_to) {
        w_.rewalk_from = last + 1;
        return ask(list_walk::phase::rewalk, {read(list_target(req_, false, list_page_rows, w_.rows[last].id))});
    }
    for (auto i : w_.page.rows)
        if (!w_.rows[i].object && w_.rows[i].text.empty()) w_.rows[i].gone = true;  // deleted since the walk
    return answer();
}

// Rows rendered per turn of the worker: 128, a millisecond or two; more for answers of over
// 131,072 rows, so that rendering never takes more than 1,024 turns and the longest list the
// walk answers (500,000 rows, about 1,200 rounds of calls) stays within max_steps.
std::size_t rows_per_turn(std::size_t rows) { return std::max<std::size_t>(128, (rows + 1023) / 1024); }

step_result lister::answer() {
    if (w_.at != list_walk::phase::render) {
        w_.at = list_walk::phase::render;
        w_.asked = 0;
        w_.texts.reserve(w_.page.rows.size());
    }
    const std::size_t until = std::min(w_.page.rows.size(), w_.rendered + rows_per_turn(w_.page.rows.size()));
    for (; w_.rendered < until; ++w_.rendered) {
        job_row& row = w_.rows[w_.page.rows[w_.rendered]];
        if (row.gone) continue;
        render_row(row);
        if (row.text.empty()) return stop(unusable_answer(req_, "list row " + row.id + " left unread"));
        w_.texts.push_back(std::move(row.text));
    }
    if (w_.rendered < w_.page.rows.size()) return step_result::later();
    return stop(sahara::page_answer(req_, w_.page, w_.texts));
}

step_result lister::step(std::span<const upstream_reply> fresh) {
    using phase = list_walk::phase;
    switch (w_.at) {
        case phase::start: return begin();
        case phase::page_read: return take_page_read(fresh);
        case phase::index: return take_index_page(fresh[0]);
        case phase::rewalk: return take_rewalk_page(fresh[0]);
        case phase::render: return answer();
        case phase::calls:
            for (std::size_t k = 0; k < fresh.size(); ++k)
                if (auto s = take(w_.sent[k], fresh[k])) return std::move(*s);
            return drain();
    }
    return stop(sahara::error_response(req_, 500, sahara::error_name::internal, "Internal Server Error",
                                       "list translator in an unknown phase"));
}

}  // namespace

step_result list_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx) {
    auto& walk = ctx.state<list_walk>();
    // Each step is called with the replies to exactly the calls the previous one asked for,
    // and releases them once taken.
    const std::size_t expected = walk.at == list_walk::phase::start ? 0 : walk.asked;
    if (replies.size() != expected)
        return step_result::done(sahara::error_response(req, 500, sahara::error_name::internal, "Internal Server Error",
                                                        "list translator got " + std::to_string(replies.size()) +
                                                            " replies for " + std::to_string(expected) + " calls"));
    lister l(req, walk);
    auto result = l.step(replies);
    ctx.release_replies();
    return result;
}

}  // namespace sgw::mrs_v1_1
