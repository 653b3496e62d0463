// list on the mrs-v2 backend: every cluster's v2 job list (J), all pages, merged; Sahara's
// filters, order and paging applied by the Sahara layer (sahara/list_query.hpp). MRS's J can
// filter by its own states and names but not by Sahara's, and orders only by submit time, so
// every list reads the whole history: its cost is in docs/api-coverage.md.
#include "translators/common/replies.hpp"
#include "translators/mrs_v2/clusters.hpp"
#include "translators/mrs_v2/jobs.hpp"
#include "translators/mrs_v2/operations.hpp"
#include "translators/sahara/errors.hpp"
#include "translators/sahara/list_query.hpp"

#include <boost/json.hpp>

#include <deque>
#include <unordered_set>

namespace sgw::mrs_v2 {
namespace json = boost::json;
using namespace translators;

namespace {

/// Jobs asked of each J page. MRS's default is 10 and no maximum is documented (§2J).
constexpr std::size_t job_page_size = 100;
/// J pages asked in one round: a round's replies are gone through in a few milliseconds.
constexpr std::size_t calls_per_round = 32;

struct row {
    std::string id;
    sahara::job_status status = sahara::job_status::pending;
    std::vector<json::value> values;  ///< the query's compared fields
    std::string text;                 ///< the row as the answer carries it
};

struct cluster_walk {
    std::string cluster;
    std::size_t pages = 0;
    std::size_t listed = 0;  ///< rows MRS listed so far, repeats included
    bool done = false;
};

struct list_state {
    bool begun = false;
    sahara::list_query q;
    std::vector<std::string_view> fields;
    cluster_list clusters;
    std::vector<cluster_walk> walks;
    std::vector<std::size_t> asked;  ///< the walk of each call of the round in flight
    std::deque<row> rows;                       ///< a deque: a row never moves once added
    std::unordered_set<std::string_view> seen;  ///< the ids of `rows`
};

// "offset" is documented as the starting offset with a default of 1 (§2J, §9: "probably
// 1-based pages, unverified"): the gateway reads it as a 1-based page number.
upstream_call page_call(const sahara::request& req, const cluster_walk& w) {
    return upstream_call{method::get,
                         jobs_path(req, w.cluster) + "?limit=" + std::to_string(job_page_size) +
                             "&offset=" + std::to_string(w.pages + 1),
                         {},
                         true};
}

sahara::response too_long(const sahara::request& req) {
    return sahara::error_response(
        req, 400, sahara::error_name::invalid_params,
        "The project has more than " + std::to_string(sahara::max_list_rows) +
            " job executions; the mrs-v2 backend reads them all for every list. Delete old jobs, or list them "
            "with MRS's own API",
        "list longer than the gateway reads");
}

// One J page of walk `w`. The error answer when it cannot be used.
std::optional<sahara::response> take_page(const sahara::request& req, list_state& s, cluster_walk& w,
                                          const upstream_reply& r) {
    // An old cluster has no v2 job API (0167), and a cluster may go meanwhile: no v2 jobs there.
    if (not_there(r)) {
        w.done = true;
        return std::nullopt;
    }
    // J answers 202 (mrs-api.md §1); accept 200 too.
    if (!succeeded(r, {202, 200})) return failure(req, r, sahara::error_name::invalid_data);
    auto* body = body_object(r);
    auto* list = body ? body->if_contains("job_list") : nullptr;
    if (!list || !list->is_array()) return unusable_answer(req, "job list answer has no job_list array");
    ++w.pages;
    const auto& beans = list->get_array();
    w.listed += beans.size();
    std::size_t added = 0;
    for (const auto& item : beans) {
        auto* bean = item.if_object();
        auto* id = bean ? bean->if_contains("job_id") : nullptr;
        if (!id || !id->is_string() || id->get_string().empty())
            return unusable_answer(req, "job list row has no job_id");
        if (s.seen.contains(std::string_view(id->get_string()))) continue;  // shifted by a new job
        auto status = bean_status(*bean);
        if (!status) return unusable_answer(req, "job list row has no known job_state");
        if (s.rows.size() == sahara::max_list_rows) return too_long(req);
        row& added_row = s.rows.emplace_back();
        added_row.id = std::string(id->get_string());
        added_row.status = sahara::as_seen(req, added_row.id, *status);
        auto object = render(req, *bean, w.cluster, added_row.status);
        added_row.values = sahara::compared_values(s.fields, object);
        added_row.text = sahara::page_row(req, std::move(object));
        s.seen.insert(added_row.id);
        ++added;
    }
    // total_record is missing in older SDKs' model (§2J): a short page ends the list too. A page
    // of repeats only (the list shifted under the walk) ends it as well, so it cannot loop.
    const auto total = integer_field(*body, "total_record");
    w.done = beans.size() < job_page_size || added == 0 || (total && static_cast<long long>(w.listed) >= *total);
    return std::nullopt;
}

step_result finish(const sahara::request& req, list_state& s) {
    std::vector<sahara::list_entry> entries;
    entries.reserve(s.rows.size());
    for (const auto& r : s.rows) entries.push_back({r.id, r.status, r.values});
    if (s.q.marker && !sahara::marker_known(s.q, entries))
        return step_result::done(sahara::unknown_marker(req, *s.q.marker));
    auto choice = sahara::choose_page(s.q, entries);
    std::vector<std::string> texts;
    texts.reserve(choice.rows.size());
    for (auto i : choice.rows) texts.push_back(std::move(s.rows[i].text));
    return step_result::done(sahara::page_answer(req, choice, texts));
}

step_result next_round(const sahara::request& req, list_state& s) {
    s.asked.clear();
    step_result round;
    for (std::size_t i = 0; i < s.walks.size() && round.calls.size() < calls_per_round; ++i) {
        if (s.walks[i].done) continue;
        s.asked.push_back(i);
        round.calls.push_back(page_call(req, s.walks[i]));
    }
    if (round.calls.empty()) return finish(req, s);
    return round;
}

}  // namespace

step_result list_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx) {
    auto& s = ctx.state<list_state>();
    if (!s.begun) {
        s.begun = true;
        s.q = sahara::read_list_query(req);
        if (s.q.error) return step_result::done(std::move(*s.q.error));
        s.fields = sahara::compared_fields(s.q);
        return step_result::call(s.clusters.next_call(req));
    }
    if (!s.clusters.complete()) {
        if (auto error = s.clusters.read(req, replies.front())) return step_result::done(std::move(*error));
        ctx.release_replies();
        if (!s.clusters.complete()) return step_result::call(s.clusters.next_call(req));
        for (const auto& c : s.clusters.clusters()) s.walks.push_back({c.id});
        return next_round(req, s);
    }
    for (std::size_t i = 0; i < replies.size() && i < s.asked.size(); ++i)
        if (auto error = take_page(req, s, s.walks[s.asked[i]], replies[i])) return step_result::done(std::move(*error));
    ctx.release_replies();
    return next_round(req, s);
}

}  // namespace sgw::mrs_v2
