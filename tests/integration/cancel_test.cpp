// The cancel path end to end: client → gateway → mrs-sim, every case of the issue's table.
#include "checks.hpp"

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <thread>

using namespace sgw::it;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(cancel)

BOOST_AUTO_TEST_CASE(running_job_is_killed_and_cancel_is_idempotent) {
    stack s;
    auto id = s.create_job("running");
    BOOST_TEST(check_cancelled(s.cancel(id), id) == "TOBEKILLED");
    std::this_thread::sleep_for(400ms);  // the simulator's kill delay is 300 ms
    BOOST_TEST(check_cancelled(s.cancel(id), id) == "KILLED");
    BOOST_TEST(check_cancelled(s.cancel(id), id) == "KILLED");
}

BOOST_AUTO_TEST_CASE(show_and_list_say_tobekilled_until_mrs_reports_the_kill) {
    stack s;
    auto id = s.create_job("running");
    const std::string show = "/v1.1/" + demo_project + "/job-executions/" + id;
    auto status_of = [&](const reply& r) { return std::string(r.json().at("job_execution").at("info").at("status").as_string()); };
    BOOST_TEST(status_of(http_get(s.gw_port(), show, demo_token)) == "RUNNING");
    BOOST_TEST(check_cancelled(s.cancel(id), id) == "TOBEKILLED");
    BOOST_TEST(status_of(http_get(s.gw_port(), show, demo_token)) == "TOBEKILLED");
    auto listed = http_get(s.gw_port(), "/v1.1/" + demo_project + "/job-executions?status=tobekilled", demo_token).json();
    BOOST_TEST_REQUIRE(listed.at("job_executions").as_array().size() == 1u);
    BOOST_TEST(listed.at("job_executions").at(0).at("id").as_string() == id);
    std::this_thread::sleep_for(400ms);  // the simulator's kill delay is 300 ms
    BOOST_TEST(status_of(http_get(s.gw_port(), show, demo_token)) == "KILLED");
}

BOOST_AUTO_TEST_CASE(finished_jobs_keep_their_status) {
    for (std::string mode : {"ok", "refuse"}) {
        BOOST_TEST_CONTEXT("--cancel-finished " << mode) {
            stack s({"--cancel-finished", mode});
            const std::pair<const char*, const char*> cases[] = {
                {"succeeded", "SUCCEEDED"}, {"failed", "FAILED"}, {"killed", "KILLED"}, {"error", "FAILED"}};
            for (auto [state, expected] : cases) {
                auto id = s.create_job(state);
                BOOST_TEST(check_cancelled(s.cancel(id), id) == expected, state);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(unknown_job_is_404) {
    stack s;
    auto msg = check_error(s.cancel("00000000-0000-4000-8000-000000000000"), 404, "NOT_FOUND");
    BOOST_TEST(msg.starts_with("Object with {'id': '00000000-0000-4000-8000-000000000000'} not found\nError ID: "));
}

BOOST_AUTO_TEST_CASE(refused_cancel_is_canceling_failed_with_mrs_message) {
    stack s;
    auto id = s.create_job("running", true);
    auto msg = check_error(s.cancel(id), 400, "CANCELING_FAILED");
    BOOST_TEST(msg.find("Failed to kill the job.") != std::string::npos, msg);
}

BOOST_AUTO_TEST_CASE(missing_token_is_401_without_calling_mrs) {
    stack s;
    auto before = s.stats().at("requests").as_int64();
    check_error(s.cancel(s.create_job("running"), ""), 401, "UNAUTHORIZED");
    BOOST_TEST(s.stats().at("requests").as_int64() == before);
}

BOOST_AUTO_TEST_CASE(rejected_credentials_are_401) {
    stack s;
    auto id = s.create_job("running");
    check_error(s.cancel(id, "not-a-token"), 401, "UNAUTHORIZED");
    check_error(s.cancel(id, other_token), 401, "UNAUTHORIZED");  // a token of another project
}

BOOST_AUTO_TEST_CASE(mrs_down_is_502_and_recovers_by_itself) {
    stack s;
    auto id = s.create_job("running");
    const auto port = s.sim_port();
    BOOST_TEST(check_cancelled(s.cancel(id), id) == "TOBEKILLED");  // a pooled connection now exists
    s.sim->signal(SIGKILL);
    s.sim->wait(5s);
    check_error(s.cancel(id), 502, "BAD_GATEWAY");
    check_error(s.cancel(id), 502, "BAD_GATEWAY");
    s.sim = std::make_unique<process>(std::vector<std::string>{sim_binary(), "--listen",
                                                               "127.0.0.1:" + std::to_string(port), "--seed-demo"},
                                      s.workdir + "/sim2.log");
    auto fresh = s.create_job("running");
    BOOST_TEST(check_cancelled(s.cancel(fresh), fresh) == "TOBEKILLED");
}

BOOST_AUTO_TEST_CASE(slow_mrs_is_504) {
    stack s({}, {"--upstream-request-timeout-ms", "300"});
    auto id = s.create_job("running");
    s.set_faults(R"({"latency_ms": 1000})");
    const auto started = std::chrono::steady_clock::now();
    check_error(s.cancel(id), 504, "GATEWAY_TIMEOUT");
    BOOST_TEST((std::chrono::steady_clock::now() - started) < 900ms);  // the budget, not MRS, ended it
    s.set_faults("{}");
    BOOST_TEST(check_cancelled(s.cancel(id), id) == "TOBEKILLED");
}

BOOST_AUTO_TEST_CASE(stalled_mrs_is_504) {
    stack s({}, {"--upstream-request-timeout-ms", "300"});
    auto id = s.create_job("running");
    s.set_faults(R"({"stall": true})");
    check_error(s.cancel(id), 504, "GATEWAY_TIMEOUT");
    s.set_faults("{}");
    BOOST_TEST(check_cancelled(s.cancel(id), id) == "TOBEKILLED");
}

BOOST_AUTO_TEST_CASE(malformed_and_truncated_answers_are_502) {
    stack s;
    auto id = s.create_job("running");
    s.set_faults(R"({"malformed": "garbage"})");
    check_error(s.cancel(id), 502, "BAD_GATEWAY");
    s.set_faults(R"({"malformed": "truncated"})");
    auto msg = check_error(s.cancel(id), 502, "BAD_GATEWAY");
    BOOST_TEST(msg.starts_with("MRS sent a malformed or truncated answer."), msg);
    s.set_faults("{}");
    BOOST_TEST(check_cancelled(s.cancel(id), id) == "TOBEKILLED");
}

BOOST_AUTO_TEST_CASE(mrs_internal_errors_are_502) {
    stack s;
    auto id = s.create_job("running");
    s.set_faults(R"({"error_status": 500, "error_rate": 1.0})");
    check_error(s.cancel(id), 502, "BAD_GATEWAY");
    s.set_faults(R"({"reset_rate": 1.0})");
    check_error(s.cancel(id), 502, "BAD_GATEWAY");
}

BOOST_AUTO_TEST_SUITE_END()
