// The list translator, driven by JSON fixtures: each step gives the upstream calls expected at
// once, in order, with the reply to each, and the fixture the Sahara answer expected at the end.
// Lists too long for a fixture (1000-row pages) are built in code below.
#include "translators/mrs_v1_1/list.hpp"

#include "../fixture_support.hpp"

#include <boost/json.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <limits>

namespace json = boost::json;
using namespace sgw;
using translators::transport;
using namespace sgw::fixtures;

namespace {

constexpr std::string_view project = "37caa80116e1403ab603e5eeb48a2f74";
constexpr std::string_view cluster = "ef7b54f2-3d92-49b2-a6d7-94607e1ea7df";

struct exchange {
    std::string target;
    translators::upstream_reply reply;
};
using script = std::vector<std::vector<exchange>>;

// Runs the translator through `steps` (the GET calls expected at each step and their replies)
// and returns its final answer.
sahara::response run(const sahara::request& req, const script& steps) {
    translators::step_context ctx;
    for (std::size_t s = 0; s < steps.size(); ++s) {
        auto next = mrs_v1_1::list_step(req, ctx.replies(), ctx);
        BOOST_TEST_REQUIRE(!next.response.has_value(),
                           "step " << s << " answered early with " << (next.response ? next.response->body : ""));
        BOOST_TEST_REQUIRE(next.calls.size() == steps[s].size(), "step " << s << " made " << next.calls.size()
                                                                          << " calls, expected " << steps[s].size());
        for (std::size_t i = 0; i < steps[s].size(); ++i) {
            BOOST_TEST(method_name(next.calls[i].verb) == "GET");
            BOOST_TEST(next.calls[i].target == steps[s][i].target, "step " << s << " call " << i);
            BOOST_TEST(next.calls[i].retry_safe);
            BOOST_TEST(next.calls[i].body.empty());
        }
        for (auto& e : steps[s]) ctx.add(e.reply);
    }
    auto last = mrs_v1_1::list_step(req, ctx.replies(), ctx);
    BOOST_TEST_REQUIRE(last.response.has_value(), "asked for " << last.calls.size() << " more calls"
                                                               << (last.calls.empty() ? "" : ": ")
                                                               << (last.calls.empty() ? "" : last.calls[0].target));
    return *last.response;
}

sahara::response drive(const sahara::request& req, const script& steps) {
    auto first = run(req, steps);
    // No state outlives the request: a fresh context given the same replies gives the same answer.
    auto again = run(req, steps);
    BOOST_TEST(again.body == first.body);
    return first;
}

sahara::request list_request(sahara::api_version v, std::vector<std::pair<std::string, std::string>> query) {
    sahara::request req;
    req.op = sahara::operation::list;
    req.version = v;
    req.project_id = project;
    req.request_id = "req-0b5e7c1c-5a2e-4e7f-9d3a-0123456789ab";
    req.query = std::move(query);
    return req;
}

translators::upstream_reply ok(json::object body) {
    return translators::upstream_reply{transport::ok, 200, json::serialize(body), {}, nullptr};
}

std::string job_id(std::size_t n) {
    std::string digits = std::to_string(n);
    return "00000000-0000-4000-8000-" + std::string(12 - std::min<std::size_t>(12, digits.size()), '0') + digits;
}

std::string list_target(const std::string& marker = {}) {
    std::string t = "/v1.1/" + std::string(project) + "/job-executions?limit=1000&sort_by=id";
    if (!marker.empty()) t += "&marker=" + marker;
    return t;
}

std::string exes_target(int page) {
    return "/v1.1/" + std::string(project) + "/job-exes?cluster_id=" + std::string(cluster) +
           "&page_size=100&current_page=" + std::to_string(page);
}

// A list page of MRS's Sahara-style rows `first`..`last - 1` (mrs-api.md §2A), all on `cluster`.
translators::upstream_reply list_page(std::size_t first, std::size_t last, json::value prev, json::value next,
                                      bool with_cluster = true) {
    json::array rows;
    for (std::size_t i = first; i < last; ++i) {
        json::object row{{"id", job_id(i)}, {"tenant_id", project}, {"info", nullptr}};
        row["cluster_id"] = with_cluster ? json::value(cluster) : json::value(nullptr);
        rows.push_back(std::move(row));
    }
    return ok(json::object{{"markers", json::object{{"prev", std::move(prev)}, {"next", std::move(next)}}},
                           {"job_executions", std::move(rows)}});
}

// A job-exes list page (mrs-api.md §2G) holding jobs `first`..`last - 1`, running but the last one.
translators::upstream_reply exes_page(std::size_t first, std::size_t last, std::size_t total) {
    json::array rows;
    for (std::size_t i = first; i < last; ++i) {
        const bool done = i + 1 == total;
        rows.push_back(json::object{{"id", job_id(i)},
                                    {"cluster_id", cluster},
                                    {"create_at", 1495697292000},
                                    {"job_state", done ? 3 : 2},
                                    {"job_final_status", done ? 2 : 0}});
    }
    return ok(json::object{{"totalRecord", total}, {"job_executions", std::move(rows)}});
}

json::array ids_of(const json::value& collection) {
    json::array ids;
    for (auto& o : collection.as_array()) ids.push_back(o.as_object().at("id"));
    return ids;
}

// Two full list pages (1002 jobs on one cluster), then eleven job-exes pages. `inclusive`: MRS
// starts the second page at its marker, as Sahara does, so one row comes twice.
void walk_two_pages(bool inclusive) {
    auto req = list_request(sahara::api_version::v1_1, {{"limit", "3"}, {"marker", job_id(999)}});
    script steps;
    steps.push_back({{list_target(), list_page(0, 1000, nullptr, json::value(job_id(999)))}});
    steps.push_back({{list_target(job_id(999)), list_page(inclusive ? 999 : 1000, 1002, json::value(job_id(999)),
                                                           nullptr)}});
    steps.push_back({{exes_target(1), exes_page(0, 100, 1002)}});
    std::vector<exchange> further;
    for (int p = 2; p <= 11; ++p)
        further.push_back({exes_target(p), exes_page(static_cast<std::size_t>(p - 1) * 100,
                                                     std::min<std::size_t>(static_cast<std::size_t>(p) * 100, 1002),
                                                     1002)});
    steps.push_back(further);

    auto res = drive(req, steps);
    BOOST_TEST_REQUIRE(res.status == 200u, res.body);
    auto body = json::parse(res.body).as_object();
    BOOST_TEST(ids_of(body.at("job_executions")) == (json::array{job_id(999), job_id(1000), job_id(1001)}));
    BOOST_TEST(body.at("markers") == (json::object{{"prev", job_id(996)}, {"next", nullptr}}));
    auto& last = body.at("job_executions").as_array().back().as_object();
    BOOST_TEST(last.at("info").as_object().at("status") == "SUCCEEDED");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(list_translator)

constexpr std::string_view fixture_folder = "mrs_v1_1/list";

BOOST_DATA_TEST_CASE(fixture, boost::unit_test::data::make(names(fixture_folder)), name) {
    auto doc = load(std::string(fixture_folder) + "/" + name).as_object();
    BOOST_TEST_MESSAGE(name << ": " << doc["description"].as_string());
    auto& r = doc["request"].as_object();
    std::vector<std::pair<std::string, std::string>> query;
    if (auto* q = r.if_contains("query"))
        for (auto& p : q->as_array())
            query.emplace_back(p.as_array().at(0).as_string(), p.as_array().at(1).as_string());
    auto req = list_request(r.at("version") == "v2" ? sahara::api_version::v2 : sahara::api_version::v1_1,
                            std::move(query));
    req.project_id = r.at("project_id").as_string();
    req.request_id = r.at("request_id").as_string();

    script steps;
    for (auto& step : doc["steps"].as_array()) {
        std::vector<exchange> calls;
        for (auto& c : step.at("calls").as_array()) {
            BOOST_TEST_REQUIRE(c.at("method") == "GET");
            calls.push_back({std::string(c.at("target").as_string()), reply_of(c.at("reply").as_object())});
        }
        steps.push_back(std::move(calls));
    }
    auto res = drive(req, steps);

    auto& expect = doc["expect"].as_object();
    BOOST_TEST(res.status == expect.at("status").as_int64(), res.body);
    auto body = json::parse(res.body);
    if (auto* full = expect.if_contains("body"))
        BOOST_TEST(body == *full, "body " << json::serialize(body) << "\nexpected " << json::serialize(*full));
    if (auto* subset = expect.if_contains("body_subset")) {
        std::string where = "body";
        BOOST_TEST(contains(body, *subset, where), where << " in " << json::serialize(body));
    }
    const std::string_view key = req.version == sahara::api_version::v2 ? "jobs" : "job_executions";
    if (auto* ids = expect.if_contains("ids"))
        BOOST_TEST(ids_of(body.at(key)) == *ids, json::serialize(ids_of(body.at(key))));
    if (auto* count = expect.if_contains("count"))
        BOOST_TEST(body.at(key).as_array().size() == static_cast<std::size_t>(count->as_int64()));
    if (auto* markers = expect.if_contains("markers")) {
        auto* got = body.as_object().if_contains("markers");
        if (markers->is_null())
            BOOST_TEST(!got, "unexpected markers " << (got ? json::serialize(*got) : std::string()));
        else
            BOOST_TEST((got && *got == *markers), (got ? json::serialize(*got) : std::string("no markers")));
    }
    if (res.status >= 400) BOOST_TEST(!res.log_detail.empty());
}

// mrs-api.md §2A: a full page with markers.next leads to the next page after that marker.
BOOST_AUTO_TEST_CASE(walks_two_list_pages) { walk_two_pages(false); }

// sahara-api.md §4: should MRS start the page at the marker itself, the repeated row counts once.
BOOST_AUTO_TEST_CASE(walks_two_list_pages_with_inclusive_marker) { walk_two_pages(true); }

// At most 50 list pages: a 51st is a 502, not a truncated list.
BOOST_AUTO_TEST_CASE(stops_after_fifty_list_pages) {
    auto req = list_request(sahara::api_version::v1_1, {});
    script steps;
    for (std::size_t p = 0; p < 50; ++p) {
        json::array rows;
        for (std::size_t i = p * 1000; i < (p + 1) * 1000; ++i) rows.push_back(json::object{{"id", job_id(i)}});
        const std::string marker = p == 0 ? std::string() : job_id(p * 1000 - 1);
        auto markers = json::object{{"prev", nullptr}, {"next", job_id((p + 1) * 1000 - 1)}};
        steps.push_back({{list_target(marker), ok(json::object{{"markers", std::move(markers)},
                                                               {"job_executions", std::move(rows)}})}});
    }
    auto res = drive(req, steps);
    BOOST_TEST(res.status == 502u);
    BOOST_TEST(json::parse(res.body).at("error_name") == "BAD_GATEWAY");
    BOOST_TEST(res.log_detail == "MRS list longer than the gateway walks");
}

// A page without `markers` that is full continues after its last row; a short one ends the list.
BOOST_AUTO_TEST_CASE(full_page_without_markers_continues_after_its_last_row) {
    auto req = list_request(sahara::api_version::v1_1, {{"limit", "1"}});
    auto bare = [](translators::upstream_reply r) {
        auto o = json::parse(r.body).as_object();
        o.erase("markers");
        r.body = json::serialize(o);
        return r;
    };
    script steps;
    steps.push_back({{list_target(), bare(list_page(0, 1000, nullptr, nullptr, false))}});
    steps.push_back({{list_target(job_id(999)), bare(list_page(1000, 1001, nullptr, nullptr, false))}});
    // 1001 jobs without a cluster would need 1001 detail reads: more than 100 is a 502.
    auto res = drive(req, steps);
    BOOST_TEST(res.status == 502u);
    BOOST_TEST(res.log_detail == "1001 jobs without a job-exes list record");
}

// At most 100 job-exes detail reads (mrs-api.md §2H) in a list.
BOOST_AUTO_TEST_CASE(more_than_a_hundred_detail_reads_is_502) {
    auto req = list_request(sahara::api_version::v1_1, {});
    auto res = drive(req, {{{list_target(), list_page(0, 101, nullptr, nullptr, false)}}});
    BOOST_TEST(res.status == 502u);
    BOOST_TEST(json::parse(res.body).at("error_name") == "BAD_GATEWAY");
}

// totalRecord is MRS's to choose: the largest integer still reads at most 20 pages a cluster
// (found by the robustness test under UBSan: the page count overflowed).
BOOST_AUTO_TEST_CASE(a_huge_total_record_reads_at_most_twenty_pages) {
    auto req = list_request(sahara::api_version::v1_1, {});
    translators::step_context ctx;
    auto first = mrs_v1_1::list_step(req, ctx.replies(), ctx);
    BOOST_TEST_REQUIRE(first.calls.size() == 1u);
    ctx.add(list_page(0, 101, nullptr, nullptr));
    auto exes = mrs_v1_1::list_step(req, ctx.replies(), ctx);
    BOOST_TEST_REQUIRE(exes.calls.size() == 1u);
    BOOST_TEST(exes.calls[0].target == exes_target(1));
    ctx.add(exes_page(0, 100, static_cast<std::size_t>(std::numeric_limits<long long>::max())));
    auto further = mrs_v1_1::list_step(req, ctx.replies(), ctx);
    BOOST_TEST_REQUIRE(!further.response.has_value());
    BOOST_TEST_REQUIRE(further.calls.size() == 19u);  // pages 2..20
    BOOST_TEST(further.calls.back().target == exes_target(20));
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
