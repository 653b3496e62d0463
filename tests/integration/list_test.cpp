// Lists at any size: a page costs MRS calls in proportion to the page, not to the history
// (counted by the simulator's /_sim/stats), and a query MRS cannot answer page by page reads
// the history once, in 1000-row list pages and 100-row job-exes pages (docs/api-coverage.md).
#include "checks.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>
#include <vector>

using namespace sgw::it;
namespace json = boost::json;

namespace {

const std::string list_path = "/v1.1/" + demo_project + "/job-executions";

// Adds `count` jobs to the demo project over 5 clusters, a sixth of them killed.
void seed(stack& s, long long count) {
    auto r = http_post(s.sim_port(), "/_sim/jobs",
                       json::serialize(json::object{{"count", count},
                                                    {"clusters", 5},
                                                    {"states", json::object{{"running", 2}, {"succeeded", 3}, {"killed", 1}}}}));
    BOOST_TEST_REQUIRE(r.status == 201u, r.body);
}

long long calls(stack& s, const char* endpoint) {
    const json::value stats = s.stats();
    const auto* v = stats.at("by_endpoint").as_object().if_contains(endpoint);
    return v ? v->as_int64() : 0;
}

long long all_calls(stack& s) { return s.stats().as_object().at("requests").as_int64(); }

std::vector<std::string> ids_of(const json::value& body) {
    std::vector<std::string> ids;
    for (auto& row : body.at("job_executions").as_array()) ids.emplace_back(row.at("id").as_string());
    return ids;
}

// The project's job ids in Sahara's default order, and the killed ones, from the simulator.
struct history {
    std::vector<std::string> ids, killed;
};

history read_history(stack& s) {
    history h;
    auto state = http_get(s.sim_port(), "/_sim/state").json();
    for (auto& j : state.at("jobs").as_array()) {
        if (j.at("project").as_string() != demo_project) continue;
        h.ids.emplace_back(j.at("id").as_string());
        if (j.at("status").as_string() == "killed") h.killed.emplace_back(j.at("id").as_string());
    }
    std::sort(h.ids.begin(), h.ids.end());
    std::sort(h.killed.begin(), h.killed.end());
    return h;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(lists)

BOOST_AUTO_TEST_CASE(a_page_costs_the_same_at_500_and_at_50000_jobs) {
    // The walks below read 50,000 jobs; under the sanitizers that can outlast the default
    // 30 s budget for one request's MRS calls.
    stack s({}, {"--upstream-request-timeout-ms", "240000"});
    const auto demo_jobs = static_cast<long long>(read_history(s).ids.size());
    for (long long total : {500LL, 50'000LL}) {
        seed(s, total - static_cast<long long>(read_history(s).ids.size()));
        const history h = read_history(s);
        BOOST_TEST_REQUIRE(static_cast<long long>(h.ids.size()) == total);
        BOOST_TEST_MESSAGE(total << " jobs (" << demo_jobs << " from the demo data)");

        // The first page: MRS's own page of 21 rows, then one state read per row.
        s.reset_stats();
        auto first = http_get(s.gw_port(), list_path + "?limit=20", demo_token);
        BOOST_TEST_REQUIRE(first.status == 200u, first.body);
        const auto body = first.json();
        BOOST_TEST((ids_of(body) == std::vector<std::string>(h.ids.begin(), h.ids.begin() + 20)));
        BOOST_TEST(body.at("markers").at("next").as_string() == h.ids[19]);
        BOOST_TEST(calls(s, "list") == 1);
        BOOST_TEST(calls(s, "exe_show") == 20);
        BOOST_TEST(all_calls(s) == 21);

        // The next page from its marker: the marker's row, a page each way, 20 state reads.
        s.reset_stats();
        auto second = http_get(s.gw_port(), list_path + "?limit=20&marker=" + h.ids[19], demo_token);
        BOOST_TEST_REQUIRE(second.status == 200u, second.body);
        BOOST_TEST((ids_of(second.json()) == std::vector<std::string>(h.ids.begin() + 19, h.ids.begin() + 39)));
        BOOST_TEST(second.json().at("markers").at("next").as_string() == h.ids[39]);
        BOOST_TEST(all_calls(s) == 23);

        // A status filter MRS cannot apply: the history is read once, 1000 rows a list page and
        // 100 a job-exes page; a long history's page objects are then read one by one.
        s.reset_stats();
        auto killed = http_get(s.gw_port(), list_path + "?status=killed&limit=20", demo_token);
        BOOST_TEST_REQUIRE(killed.status == 200u, killed.body);
        BOOST_TEST((ids_of(killed.json()) == std::vector<std::string>(h.killed.begin(), h.killed.begin() + 20)));
        const long long pages = total / 1000 + 1;
        BOOST_TEST(calls(s, "list") <= pages);
        BOOST_TEST(calls(s, "list") >= total / 1000);
        BOOST_TEST(calls(s, "exe_list") <= total / 100 + 2 * 5);
        BOOST_TEST(calls(s, "exe_show") == 0);
        BOOST_TEST(calls(s, "show") == (total > 1000 ? 20 : 0));
    }
}

BOOST_AUTO_TEST_SUITE_END()
