// The mrs-v2 cancel's polling over every wait the configuration accepts (upstream.cancel_wait_ms,
// 0 to 86,400,000 ms): it reads the job for as long as it was told, and never takes more rounds
// than the executor allows one request.
#include "gateway/executor.hpp"
#include "translators/mrs_v2/operations.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>

namespace json = boost::json;
using namespace sgw;
using namespace std::chrono_literals;
using translators::transport;

namespace {

constexpr std::string_view project = "37caa80116e1403ab603e5eeb48a2f74";
constexpr std::string_view job = "981374c1-85da-44ee-be32-edfb4fba776c";
constexpr std::string_view cluster = "ef7b54f2-3d92-49b2-a6d7-94607e1ea7df";

translators::upstream_reply running() {
    json::object bean{{"job_id", job},        {"job_state", "RUNNING"},         {"job_result", "UNDEFINED"},
                      {"submitted_time", 1564626561541LL}, {"started_time", 1564626578817LL}, {"finished_time", 0}};
    return {transport::ok, 202, json::serialize(json::object{{"job_detail", std::move(bean)}}), {}, nullptr};
}

struct outcome {
    sahara::response answer;
    int steps = 0;
    int reads = 0;
    std::chrono::milliseconds waited{0};
};

// Cancels the job on a warm cache while MRS accepts the kill and keeps reporting it RUNNING.
outcome cancel_with_wait(std::chrono::milliseconds wait) {
    sahara::request req;
    req.op = sahara::operation::cancel;
    req.project_id = project;
    req.id = job;
    req.request_id = "req-0b5e7c1c-5a2e-4e7f-9d3a-0123456789ab";
    req.job_cluster = cluster;
    req.cancel_wait = wait;
    translators::step_context ctx;
    outcome out;
    for (; out.steps < sgw::max_steps; ++out.steps) {
        auto next = mrs_v2::cancel_step(req, ctx.replies(), ctx);
        if (next.response) {
            out.answer = *next.response;
            return out;
        }
        BOOST_REQUIRE(next.calls.size() == 1u);
        const auto& c = next.calls[0];
        out.waited += c.delay;
        if (c.verb == translators::method::post) {
            BOOST_REQUIRE(c.target.ends_with("/kill"));
            BOOST_REQUIRE(c.delay.count() == 0);
            ctx.add({transport::ok, 202, {}, {}, nullptr});
        } else {
            ++out.reads;
            ctx.add(running());
        }
    }
    BOOST_FAIL("no answer within the executor's " << sgw::max_steps << " rounds, wait " << wait.count() << " ms");
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mrs_v2_cancel_polling)

BOOST_AUTO_TEST_CASE(reads_for_the_whole_wait_within_the_rounds_of_one_request) {
    for (auto wait : {0ms, 1ms, 499ms, 500ms, 1000ms, 300'000ms, 3'600'000ms, 86'400'000ms}) {
        const auto out = cancel_with_wait(wait);
        BOOST_TEST_REQUIRE(out.answer.status == 200u, wait.count() << " ms: " << out.answer.body);
        BOOST_TEST(json::parse(out.answer.body).at("job_execution").at("info").at("status") == "TOBEKILLED");
        // The reads after the first cover the wait, with less than one more interval.
        BOOST_TEST(out.waited >= wait, wait.count() << " ms waited " << out.waited.count());
        if (out.reads > 1) BOOST_TEST((out.waited - wait) * (out.reads - 1) < out.waited, wait.count() << " ms");
        BOOST_TEST(out.steps < sgw::max_steps, wait.count() << " ms");
    }
}

// Up to Sahara's job_canceling_timeout (300 s, sahara-api.md §5) and beyond, the job is read
// every 500 ms.
BOOST_AUTO_TEST_CASE(reads_every_half_second_for_ordinary_waits) {
    for (auto wait : {500ms, 1000ms, 1500ms, 300'000ms}) {
        const auto out = cancel_with_wait(wait);
        BOOST_TEST(out.reads == 1 + wait / 500ms, wait.count() << " ms");
        BOOST_TEST(out.waited == wait);
    }
    BOOST_TEST(cancel_with_wait(0ms).reads == 1);
    BOOST_TEST(cancel_with_wait(1ms).waited == 500ms);
}

BOOST_AUTO_TEST_SUITE_END()
