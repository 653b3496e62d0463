// The reads of templates and data sources over lists too long for fixtures: the walk by
// markers.next across full pages, a full page whose next is null (MRS's only documented list
// answer, sahara-clusters-and-templates.md §4.1, §6), and rows that come twice.
#include "../fixture_support.hpp"

#include "translators/mrs_v1_1/resources.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <set>
#include <string>

using namespace sgw;
namespace json = boost::json;

namespace {

const std::string project = "37caa80116e1403ab603e5eeb48a2f74";

std::string id_of(int n) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "b1000000-0000-4000-8000-%012d", n);
    return buf;
}

// A page of job objects from..to-1, with `next` (null when empty).
translators::upstream_reply page(int from, int to, const std::string& next) {
    json::array jobs;
    for (int i = from; i < to; ++i) {
        std::string name = "t";
        name += std::to_string(i);
        jobs.push_back(json::object{{"id", id_of(i)}, {"name", name}, {"type", "MapReduce"}});
    }
    json::object body{{"jobs", std::move(jobs)},
                      {"markers", json::object{{"prev", nullptr}, {"next", next.empty() ? json::value(nullptr) : json::value(next)}}}};
    translators::upstream_reply r;
    r.status = 200;
    r.body = json::serialize(body);
    return r;
}

struct walk_result {
    std::vector<std::string> targets;
    json::value answer;
};

// Drives the template list, answering call k with replies[k].
walk_result drive(const std::vector<translators::upstream_reply>& replies) {
    sahara::request req;
    req.op = sahara::operation::template_list;
    req.project_id = project;
    req.request_id = "req-0b5e7c1c-5a2e-4e7f-9d3a-0123456789ab";
    translators::step_context ctx;
    walk_result out;
    for (std::size_t k = 0;; ++k) {
        auto next = fixtures::run_step(&mrs_v1_1::template_list_step, req, ctx);
        if (next.response) {
            BOOST_TEST_REQUIRE(next.response->status == 200u, next.response->body);
            out.answer = json::parse(next.response->body);
            return out;
        }
        BOOST_TEST_REQUIRE(next.calls.size() == 1u);
        BOOST_TEST_REQUIRE(k < replies.size(), "more calls than replies: " << next.calls[0].target);
        out.targets.push_back(next.calls[0].target);
        ctx.add(replies[k]);
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mrs_v1_1_resources)

BOOST_AUTO_TEST_CASE(full_pages_are_walked_by_next_and_past_a_null_next) {
    const std::string base = "/v1.1/" + project + "/jobs?limit=1000&sort_by=id";
    // 2,500 templates: next set on the first page, null on the full second one (as in MRS's
    // example), then the short last page.
    auto r = drive({page(0, 1000, id_of(999)), page(1000, 2000, ""), page(2000, 2500, "")});
    BOOST_TEST_REQUIRE(r.targets.size() == 3u);
    BOOST_TEST(r.targets[0] == base);
    BOOST_TEST(r.targets[1] == base + "&marker=" + id_of(999));
    BOOST_TEST(r.targets[2] == base + "&marker=" + id_of(1999));
    BOOST_TEST(r.answer.at("jobs").as_array().size() == 2500u);
    BOOST_TEST(!r.answer.as_object().contains("markers"));

    // A list of exactly 1,000: one more call, which answers an empty page.
    auto exact = drive({page(0, 1000, ""), page(0, 0, "")});
    BOOST_TEST(exact.targets.size() == 2u);
    BOOST_TEST(exact.answer.at("jobs").as_array().size() == 1000u);
}

BOOST_AUTO_TEST_CASE(a_row_that_comes_twice_is_listed_once) {
    // An inclusive marker would repeat the last row of each page: a name look-up must still find
    // one template, not answer "Multiple matches found." (§1.1).
    auto r = drive({page(0, 1000, id_of(999)), page(999, 1200, "")});
    const auto& jobs = r.answer.at("jobs").as_array();
    BOOST_TEST(jobs.size() == 1200u);
    std::set<std::string> ids;
    for (const auto& j : jobs) ids.emplace(j.at("id").as_string());
    BOOST_TEST(ids.size() == 1200u);
}

BOOST_AUTO_TEST_CASE(a_marker_that_does_not_move_ends_the_walk) {
    auto r = drive({page(0, 1000, id_of(999)), page(1000, 2000, id_of(999))});
    BOOST_TEST(r.targets.size() == 2u);
    BOOST_TEST(r.answer.at("jobs").as_array().size() == 2000u);
}

BOOST_AUTO_TEST_SUITE_END()
