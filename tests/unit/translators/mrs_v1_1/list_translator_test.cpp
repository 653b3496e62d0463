// The mrs-v1.1 list translator on lists too long for a fixture (1000-row pages) and against an
// in-process fake MRS; its fixtures (fixtures/mrs_v1_1/list) run in fixtures_test.cpp.
#include "translators/mrs_v1_1/list.hpp"

#include "translators/mrs_v1_1/job_execution.hpp"
#include "translators/sahara/list_query.hpp"
#include "translators/sahara/status.hpp"

#include "../fixture_support.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <ctime>
#include <limits>
#include <map>
#include <random>

namespace json = boost::json;
using namespace sgw;
using translators::transport;
using namespace sgw::fixtures;

namespace {

constexpr std::string_view project = "37caa80116e1403ab603e5eeb48a2f74";
constexpr std::string_view cluster = "ef7b54f2-3d92-49b2-a6d7-94607e1ea7df";

translators::upstream_reply ok(json::object body) {
    return translators::upstream_reply{transport::ok, 200, json::serialize(body), {}, nullptr};
}

std::string job_id(std::size_t n) {
    std::string digits = std::to_string(n);
    return "00000000-0000-4000-8000-" + std::string(12 - std::min<std::size_t>(12, digits.size()), '0') + digits;
}

// A fake MRS over a set of jobs, answering the reads the list makes as mrs-api.md describes
// them: §2A (sorted by id, `marker` exclusive, markers as the simulator gives them), the
// job-executions detail (§2B), the job-exes list (§2G: per cluster, newest first, camelCase
// totalRecord) and detail (§2H); unknown jobs are 0176/0201 and unknown clusters 12000003.
struct fake_job {
    std::string id;
    std::string cluster;  // "" = none
    std::string job_id;
    int state = 2, final_status = 0;
    long long created_ms = 0;
    bool object_has_times = true;  // else the times only come from the job-exes record
    bool is_public = false;
    int return_code = -1;          // -1 = null
};

class fake_mrs {
public:
    std::vector<fake_job> jobs;  // any order
    bool markers = true;         // §2A answers carry `markers`
    bool inclusive = false;      // §2A pages start at their marker (a repeated row)
    std::map<std::string, std::size_t, std::less<>> calls;  // per kind
    std::size_t total_calls = 0;

    void prepare() {
        std::sort(jobs.begin(), jobs.end(), [](const fake_job& a, const fake_job& b) { return a.id < b.id; });
    }

    translators::upstream_reply answer(const translators::upstream_call& c) {
        ++total_calls;
        const std::string prefix = "/v1.1/" + std::string(project) + "/";
        BOOST_REQUIRE(c.target.starts_with(prefix));
        std::string_view rest = std::string_view(c.target).substr(prefix.size());
        std::string_view path = rest.substr(0, rest.find('?'));
        std::map<std::string, std::string> q;
        if (auto qm = rest.find('?'); qm != std::string_view::npos) {
            std::string_view qs = rest.substr(qm + 1);
            while (!qs.empty()) {
                auto amp = qs.find('&');
                auto kv = qs.substr(0, amp);
                auto eq = kv.find('=');
                q[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
                if (amp == std::string_view::npos) break;
                qs.remove_prefix(amp + 1);
            }
        }
        if (path == "job-executions") return list(q);
        if (path == "job-exes") return exe_list(q);
        if (path.starts_with("job-executions/")) return detail(path.substr(15), false);
        if (path.starts_with("job-exes/")) return detail(path.substr(9), true);
        BOOST_FAIL("unexpected target " << c.target);
        return {};
    }

    static std::string iso(long long ms) {
        const std::time_t t = static_cast<std::time_t>(ms / 1000);
        std::tm tm{};
        gmtime_r(&t, &tm);
        char buf[32];
        std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
        return buf;
    }
    static json::object object_of(const fake_job& j) {
        json::object o{{"id", j.id}, {"tenant_id", project}, {"job_id", j.job_id}, {"info", nullptr}};
        o["cluster_id"] = j.cluster.empty() ? json::value(nullptr) : json::value(j.cluster);
        o["created_at"] = j.object_has_times ? json::value(iso(j.created_ms)) : json::value(nullptr);
        o["start_time"] = j.object_has_times ? json::value(iso(j.created_ms + 1000)) : json::value(nullptr);
        o["end_time"] = nullptr;
        o["is_public"] = j.is_public;
        o["return_code"] = j.return_code < 0 ? json::value(nullptr) : json::value(j.return_code);
        return o;
    }
    static json::object exe_of(const fake_job& j) {
        return json::object{{"id", j.id},
                            {"cluster_id", j.cluster},
                            {"create_at", j.created_ms},
                            {"start_time", j.created_ms + 1000},
                            {"end_time", j.state == 3 || j.state == -1 ? json::value(j.created_ms + 5000) : json::value(nullptr)},
                            {"job_state", j.state},
                            {"job_final_status", j.final_status}};
    }

private:
    static translators::upstream_reply error(std::string_view code) {
        return translators::upstream_reply{transport::ok, 400,
                                           json::serialize(json::object{{"error_code", code}, {"error_msg", "no"}}),
                                           {}, nullptr};
    }
    const fake_job* find(std::string_view id) const {
        auto it = std::lower_bound(jobs.begin(), jobs.end(), id, [](const fake_job& j, std::string_view v) { return j.id < v; });
        return it != jobs.end() && it->id == id ? &*it : nullptr;
    }
    translators::upstream_reply list(const std::map<std::string, std::string>& q) {
        ++calls["list"];
        const bool desc = q.at("sort_by") == "-id";
        BOOST_REQUIRE(desc || q.at("sort_by") == "id");
        const std::size_t limit = std::stoul(q.at("limit"));
        std::vector<const fake_job*> rows;
        for (const auto& j : jobs) rows.push_back(&j);
        if (desc) std::reverse(rows.begin(), rows.end());
        std::size_t first = 0;
        if (auto m = q.find("marker"); m != q.end()) {
            auto it = std::find_if(rows.begin(), rows.end(), [&](const fake_job* j) { return j->id == m->second; });
            if (it == rows.end()) return error("0176");
            first = static_cast<std::size_t>(it - rows.begin()) + (inclusive ? 0 : 1);
        }
        const std::size_t last = std::min(rows.size(), first + limit);
        json::array page;
        for (std::size_t i = first; i < last; ++i) page.push_back(object_of(*rows[i]));
        json::object body{{"job_executions", std::move(page)}};
        if (markers)
            body["markers"] = json::object{
                {"prev", first > 0 ? json::value(rows[first - 1]->id) : json::value(nullptr)},
                {"next", last < rows.size() && last > first ? json::value(rows[last - 1]->id) : json::value(nullptr)}};
        return ok(std::move(body));
    }
    translators::upstream_reply exe_list(const std::map<std::string, std::string>& q) {
        ++calls["exe_list"];
        const std::string& wanted = q.at("cluster_id");
        const std::size_t size = std::stoul(q.at("page_size"));
        const std::size_t page = std::stoul(q.at("current_page"));
        BOOST_REQUIRE(size >= 1 && size <= 100 && page >= 1);
        std::vector<const fake_job*> rows;
        for (const auto& j : jobs)
            if (j.cluster == wanted) rows.push_back(&j);
        if (rows.empty()) return error("12000003");
        std::sort(rows.begin(), rows.end(), [](const fake_job* a, const fake_job* b) {
            return a->created_ms != b->created_ms ? a->created_ms > b->created_ms : a->id < b->id;
        });
        json::array out;
        for (std::size_t i = (page - 1) * size; i < rows.size() && i < page * size; ++i) out.push_back(exe_of(*rows[i]));
        return ok(json::object{{"totalRecord", rows.size()}, {"job_executions", std::move(out)}});
    }
    translators::upstream_reply detail(std::string_view id, bool exe) {
        ++calls[exe ? "exe_detail" : "detail"];
        const fake_job* j = find(id);
        if (!j) return error(exe ? "0201" : "0176");
        return ok(json::object{{"job_execution", exe ? exe_of(*j) : object_of(*j)}});
    }
};

sahara::response run_against(const sahara::request& req, fake_mrs& mrs) {
    return fixtures::run_against(&mrs_v1_1::list_step, req, mrs);
}

sahara::request list_request(sahara::api_version v, std::vector<std::pair<std::string, std::string>> query) {
    return fixtures::list_request(v, project, std::move(query));
}

sahara::response run(const sahara::request& req, const script& steps) {
    return run_script(&mrs_v1_1::list_step, req, steps);
}

// Sahara's answer over every job, rendered from its two MRS records.
sahara::response reference(const sahara::request& req, const fake_mrs& mrs) {
    std::vector<json::object> all;
    for (const auto& j : mrs.jobs) {
        const auto exe = fake_mrs::exe_of(j);
        const auto status = sahara::as_seen(req, j.id, *mrs_v1_1::exe_status(exe));
        all.push_back(mrs_v1_1::render(fake_mrs::object_of(j), status, &exe));
    }
    auto q = sahara::read_list_query(req);
    return sahara::list_answer(req, q, std::move(all));
}

// A history of `n` jobs over `clusters` clusters (and some with none), in mixed states.
fake_mrs history(std::size_t n, std::size_t clusters, std::mt19937& rng) {
    fake_mrs mrs;
    static constexpr std::array<std::pair<int, int>, 6> states{{{1, 0}, {2, 0}, {3, 2}, {3, 1}, {-1, 3}, {4, 1}}};
    for (std::size_t i = 0; i < n; ++i) {
        fake_job j;
        j.id = job_id(rng() % 1'000'000'000);
        const std::size_t c = rng() % (clusters + 1);
        if (c > 0 && clusters > 0) j.cluster = "c0000000-0000-4000-8000-00000000000" + std::to_string(c % 10);
        j.job_id = rng() % 3 == 0 ? "" : "b1000000-0000-4000-8000-00000000000" + std::to_string(rng() % 4);
        const auto [st, fs] = states[rng() % states.size()];
        j.state = st;
        j.final_status = fs;
        j.created_ms = 1'600'000'000'000LL + static_cast<long long>(rng() % 100'000) * 1000;
        j.object_has_times = rng() % 4 != 0;
        j.is_public = rng() % 5 == 0;
        j.return_code = rng() % 3 == 0 ? 0 : -1;
        mrs.jobs.push_back(std::move(j));
    }
    std::sort(mrs.jobs.begin(), mrs.jobs.end(), [](const fake_job& a, const fake_job& b) { return a.id < b.id; });
    mrs.jobs.erase(std::unique(mrs.jobs.begin(), mrs.jobs.end(), [](const fake_job& a, const fake_job& b) { return a.id == b.id; }),
                   mrs.jobs.end());
    return mrs;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(list_translator)

// Every query shape, against random histories on both sides of the sizes where the plan
// changes (a kept walk up to 1000 jobs, pages read one by one up to 200 rows): the answer is
// Sahara's over the whole history, byte for byte.
BOOST_AUTO_TEST_CASE(every_query_shape_answers_as_sahara_over_the_whole_history) {
    std::mt19937 rng(20261130);
    const std::vector<std::string> limits{"", "1", "2", "7", "20", "200", "201", "999", "1000", "1001", "1073741822"};
    const std::vector<std::string> sorts{"", "id", "-id", "cluster", "-cluster", "job_template", "-job_template",
                                         "status", "-status"};
    const std::vector<std::pair<std::string, std::string>> filters{
        {"status", "running"}, {"status", "KILLED"}, {"is_public", "true"}, {"return_code", "0"},
        {"cluster_id", "c0000000-0000-4000-8000-000000000001"}, {"start_time", ""}, {"created_at", ""}};
    const std::vector<std::size_t> sizes{0, 1, 3, 40, 199, 420, 1000, 1001, 2600};
    std::size_t cases = 0;
    for (std::size_t n : sizes) {
        for (int round = 0; round < (n > 1000 ? 12 : 30); ++round) {
            fake_mrs mrs = history(n, rng() % 4, rng);
            mrs.markers = rng() % 4 != 0;
            mrs.inclusive = rng() % 5 == 0;
            const bool v2 = rng() % 3 == 0;
            std::vector<std::pair<std::string, std::string>> query;
            if (auto& l = limits[rng() % limits.size()]; !l.empty()) query.emplace_back("limit", l);
            if (auto& so = sorts[rng() % sorts.size()]; !so.empty()) query.emplace_back("sort_by", so);
            if (rng() % 2 == 0) {
                auto f = filters[rng() % (v2 ? 2 : filters.size())];
                // A time filter takes the value some job has, so that it matches something.
                if (f.second.empty() && !mrs.jobs.empty()) {
                    const auto& j = mrs.jobs[rng() % mrs.jobs.size()];
                    f.second = fake_mrs::iso(f.first == "start_time" ? j.created_ms + 1000 : j.created_ms);
                }
                query.push_back(f);
            }
            if (rng() % 2 == 0) {
                const bool known = !mrs.jobs.empty() && rng() % 6 != 0;
                query.emplace_back("marker", known ? mrs.jobs[rng() % mrs.jobs.size()].id : job_id(0));
            }
            std::shuffle(query.begin(), query.end(), rng);
            auto req = list_request(v2 ? sahara::api_version::v2 : sahara::api_version::v1_1, query);
            if (!mrs.jobs.empty() && rng() % 3 == 0) req.being_killed.push_back(mrs.jobs[rng() % mrs.jobs.size()].id);
            const auto want = reference(req, mrs);
            const auto got = run_against(req, mrs);
            std::string shown;
            for (auto& [k, v] : query) shown += k + "=" + v + "&";
            BOOST_TEST_REQUIRE(got.status == want.status, n << " jobs, " << shown << ": " << got.body);
            BOOST_TEST_REQUIRE(got.body == want.body, n << " jobs, " << shown << "\n got " << got.body.substr(got.body.size() > 300 ? got.body.size() - 300 : 0) << "\nwant " << want.body.substr(want.body.size() > 300 ? want.body.size() - 300 : 0));
            ++cases;
        }
    }
    BOOST_TEST(cases == 234u);
}

// A page in id order with no filter costs MRS's own page and one state read a row, whatever the
// history's length: 1 + 20 calls for `?limit=20`, 3 + 20 with a marker.
BOOST_AUTO_TEST_CASE(an_id_ordered_page_reads_only_its_rows) {
    std::mt19937 rng(7);
    for (std::size_t n : {500u, 5000u}) {
        fake_mrs mrs = history(n, 5, rng);
        auto first = list_request(sahara::api_version::v1_1, {{"limit", "20"}});
        const auto res = run_against(first, mrs);
        BOOST_TEST_REQUIRE(res.body == reference(first, mrs).body);
        BOOST_TEST(mrs.total_calls == 21u);
        BOOST_TEST(mrs.calls["list"] == 1u);
        BOOST_TEST(mrs.calls["exe_detail"] == 20u);

        mrs.total_calls = 0;
        mrs.calls.clear();
        const std::string next(json::parse(res.body).at("markers").at("next").as_string());
        auto second = list_request(sahara::api_version::v1_1, {{"limit", "20"}, {"marker", next}, {"sort_by", "-id"}});
        BOOST_TEST_REQUIRE(run_against(second, mrs).body == reference(second, mrs).body);
        BOOST_TEST(mrs.total_calls == 23u);
    }
}

// Walking `next` through a long history with limit=1000 sees every job once, in order, apart
// from Sahara's one repeated row between the first and second page (sahara-api.md §4).
BOOST_AUTO_TEST_CASE(walking_next_sees_every_job_once) {
    std::mt19937 rng(11);
    fake_mrs mrs = history(4321, 5, rng);
    std::vector<std::string> seen;
    std::optional<std::string> marker;
    for (int page = 0; page < 10; ++page) {
        std::vector<std::pair<std::string, std::string>> query{{"limit", "1000"}};
        if (marker) query.emplace_back("marker", *marker);
        auto req = list_request(sahara::api_version::v1_1, query);
        const auto res = run_against(req, mrs);
        BOOST_TEST_REQUIRE(res.status == 200u, res.body);
        const auto body = json::parse(res.body).as_object();
        for (auto& id : ids_of(body.at("job_executions")))
            if (seen.empty() || seen.back() != id.as_string()) seen.emplace_back(id.as_string());
        const auto* next = body.at("markers").as_object().if_contains("next");
        if (!next || next->is_null()) break;
        marker = std::string(next->as_string());
    }
    std::vector<std::string> all;
    for (auto& j : mrs.jobs) all.push_back(j.id);
    BOOST_TEST(seen == all);
}

// A long answer is rendered a slice of rows per turn (step_result::later), so that the worker
// serves its other requests between slices; the answer is the same as in one piece.
BOOST_AUTO_TEST_CASE(a_long_answer_is_rendered_over_several_turns) {
    std::mt19937 rng(5);
    fake_mrs mrs = history(1000, 3, rng);
    auto req = list_request(sahara::api_version::v1_1, {});
    translators::step_context ctx;
    int turns = 0;
    for (int s = 0; s < 1000; ++s) {
        auto next = mrs_v1_1::list_step(req, ctx.replies(), ctx);
        if (next.response) {
            BOOST_TEST(next.response->body == reference(req, mrs).body);
            BOOST_TEST(turns == 7);  // 1000 rows, 128 a turn: 7 turns ask for more, the 8th answers
            return;
        }
        if (next.again) {
            BOOST_TEST_REQUIRE(next.calls.empty());
            ++turns;
            continue;
        }
        BOOST_TEST_REQUIRE(turns == 0);  // no call once rendering has begun
        for (auto& c : next.calls) ctx.add(mrs.answer(c));
    }
    BOOST_FAIL("no answer");
}

// A walk keeps what each job needs, not MRS's answers: every step releases its replies.
BOOST_AUTO_TEST_CASE(a_walk_releases_each_step_s_replies) {
    std::mt19937 rng(3);
    fake_mrs mrs = history(2500, 3, rng);
    auto req = list_request(sahara::api_version::v1_1, {{"status", "running"}, {"limit", "5"}});
    translators::step_context ctx;
    for (int s = 0; s < 1000; ++s) {
        auto next = mrs_v1_1::list_step(req, ctx.replies(), ctx);
        BOOST_TEST_REQUIRE(ctx.replies().empty());
        if (next.response) {
            BOOST_TEST(next.response->body == reference(req, mrs).body);
            return;
        }
        for (auto& c : next.calls) ctx.add(mrs.answer(c));
    }
    BOOST_FAIL("no answer");
}

// An MRS list that never ends (every page full, always a next marker) stops at the longest
// history the gateway walks, with a 400 that says how to narrow the query, not a 502.
BOOST_AUTO_TEST_CASE(a_history_past_the_walk_bound_is_a_400_that_says_what_to_narrow) {
    auto req = list_request(sahara::api_version::v1_1, {{"status", "running"}});
    translators::step_context ctx;
    std::size_t next_id = 0;
    for (int s = 0; s < 600; ++s) {
        auto next = mrs_v1_1::list_step(req, ctx.replies(), ctx);
        if (next.response) {
            BOOST_TEST(next.response->status == 400u);
            const auto body = json::parse(next.response->body);
            BOOST_TEST(body.at("error_name") == "INVALID_PARAMS_ON_REQUEST");
            BOOST_TEST(std::string_view(body.at("error_message").as_string()).find("sort_by=id") != std::string_view::npos);
            BOOST_TEST(next_id == 501'000u);
            return;
        }
        BOOST_TEST_REQUIRE(next.calls.size() == 1u);
        json::array rows;
        for (int i = 0; i < 1000; ++i) rows.push_back(json::object{{"id", job_id(next_id++)}});
        ctx.add(ok(json::object{{"markers", json::object{{"prev", nullptr}, {"next", job_id(next_id - 1)}}},
                                {"job_executions", std::move(rows)}}));
    }
    BOOST_FAIL("the walk did not stop");
}

// An MRS whose pages do not advance (the same full page after every marker) ends the walk at
// the second page with a 502, not a loop.
BOOST_AUTO_TEST_CASE(a_list_page_that_does_not_advance_is_a_502) {
    auto req = list_request(sahara::api_version::v1_1, {{"status", "running"}});
    json::array rows;
    for (std::size_t i = 0; i < 1000; ++i) rows.push_back(json::object{{"id", job_id(i)}});
    const auto page = ok(json::object{{"markers", json::object{{"prev", nullptr}, {"next", job_id(999)}}},
                                      {"job_executions", rows}});
    translators::step_context ctx;
    for (int s = 0; s < 2; ++s) {
        auto next = mrs_v1_1::list_step(req, ctx.replies(), ctx);
        BOOST_TEST_REQUIRE(next.calls.size() == 1u);
        ctx.add(page);
    }
    auto last = mrs_v1_1::list_step(req, ctx.replies(), ctx);
    BOOST_TEST_REQUIRE(last.response.has_value());
    BOOST_TEST(last.response->status == 502u);
    BOOST_TEST(last.response->log_detail.find("does not advance") != std::string::npos);
}

// totalRecord is MRS's to choose: the largest integer reads no more pages than the jobs need
// (found by the robustness test under UBSan: the page count overflowed).
BOOST_AUTO_TEST_CASE(a_huge_total_record_reads_no_page_past_the_jobs) {
    auto req = list_request(sahara::api_version::v1_1, {});
    translators::step_context ctx;
    auto first = mrs_v1_1::list_step(req, ctx.replies(), ctx);
    BOOST_TEST_REQUIRE(first.calls.size() == 1u);
    json::array rows;
    for (std::size_t i = 0; i < 100; ++i) rows.push_back(json::object{{"id", job_id(i)}, {"cluster_id", cluster}});
    ctx.add(ok(json::object{{"job_executions", std::move(rows)}}));
    auto exes = mrs_v1_1::list_step(req, ctx.replies(), ctx);
    BOOST_TEST_REQUIRE(exes.calls.size() == 1u);
    json::array records;
    for (std::size_t i = 0; i < 100; ++i)
        records.push_back(json::object{{"id", job_id(i)}, {"job_state", 2}, {"job_final_status", 0}});
    ctx.add(ok(json::object{{"totalRecord", std::numeric_limits<long long>::max()}, {"job_executions", std::move(records)}}));
    auto done = mrs_v1_1::list_step(req, ctx.replies(), ctx);
    BOOST_TEST_REQUIRE(done.response.has_value(), done.calls.size() << " more calls");
    BOOST_TEST(done.response->status == 200u);
    BOOST_TEST(json::parse(done.response->body).at("job_executions").as_array().size() == 100u);
}

// Query values are decoded bytes and need not be UTF-8; the 400 that quotes one is valid JSON.
BOOST_AUTO_TEST_CASE(a_sort_by_that_is_not_utf8_is_quoted_in_valid_utf8) {
    const auto res = run(list_request(sahara::api_version::v1_1, {{"sort_by", "-st\xe9tus"}}), {});
    BOOST_TEST(res.status == 400u);
    boost::system::error_code ec;
    auto body = json::parse(res.body, ec);
    BOOST_TEST_REQUIRE(!ec, res.body);
    BOOST_TEST(body.at("error_message").as_string().starts_with("Unknown field for sorting st\xEF\xBF\xBDtus"));
}

BOOST_AUTO_TEST_SUITE_END()
