// The executor: rounds and their bound, fan-out order and cap, and failures turned into values.
#include "gateway/executor.hpp"

#include "translators/common/fault.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <stdexcept>

using namespace sgw;
namespace net = boost::asio;
using translators::step_context;
using translators::step_result;
using translators::upstream_call;
using translators::upstream_reply;

namespace {

// Answers each call with its target as the body, after `delay_ms(target)`; counts calls in flight.
class fake_port final : public upstream_port {
public:
    std::size_t in_flight = 0, most_in_flight = 0, calls = 0;
    std::string throw_on;  ///< a target whose exchange throws
    std::function<int(const std::string&)> delay_ms = [](const std::string&) { return 0; };

    net::awaitable<upstream_reply> exchange(const upstream_call& call, upstream::clock::time_point) override {
        ++calls;
        most_in_flight = std::max(most_in_flight, ++in_flight);
        net::steady_timer t(co_await net::this_coro::executor, std::chrono::milliseconds(delay_ms(call.target)));
        co_await t.async_wait(net::use_awaitable);
        --in_flight;
        if (call.target == throw_on) throw std::runtime_error("connector bug");
        co_return upstream_reply{translators::transport::ok, 200, "\"" + call.target + "\"", {}, nullptr};
    }
};

execution run(translators::step_fn step, fake_port& port, step_context& ctx, std::size_t max_parallel = 8) {
    net::io_context ioc;
    sahara::request req;
    execution out;
    net::co_spawn(
        ioc,
        [&]() -> net::awaitable<void> {
            out = co_await execute(step, req, ctx, port, max_parallel, upstream::clock::now() + std::chrono::seconds(5));
        },
        [](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
        });
    ioc.run();
    return out;
}

upstream_call get(std::string target) { return {translators::method::get, std::move(target), {}, true}; }

// Asks for one call per round, forever.
step_result endless(const sahara::request&, std::span<const upstream_reply> replies, step_context&) {
    return step_result::call(get("/round/" + std::to_string(replies.size())));
}

step_result nothing(const sahara::request&, std::span<const upstream_reply>, step_context&) { return {}; }

step_result broken(const sahara::request&, std::span<const upstream_reply>, step_context&) {
    throw std::logic_error("translator bug");
}

// Round 1: twenty calls at once; round 2: answer with the bodies in the order received.
step_result twenty(const sahara::request&, std::span<const upstream_reply> replies, step_context&) {
    if (replies.empty()) {
        step_result r;
        for (int i = 0; i < 20; ++i) r.calls.push_back(get("/c/" + std::to_string(i)));
        return r;
    }
    std::string order;
    for (auto& r : replies) order += (r.json && r.json->is_string() ? std::string(r.json->get_string()) : "?") + ",";
    return step_result::done(sahara::response{200, order, {}});
}

}  // namespace

BOOST_AUTO_TEST_SUITE(executor)

BOOST_AUTO_TEST_CASE(rounds_are_bounded) {
    fake_port port;
    step_context ctx;
    auto out = run(&endless, port, ctx);
    BOOST_TEST(!out.response.has_value());
    BOOST_TEST((out.fault == fault::step_limit));
    BOOST_TEST(out.rounds == max_steps);
    BOOST_TEST(out.upstream_calls == static_cast<std::size_t>(max_steps));
    BOOST_TEST(ctx.replies().size() == static_cast<std::size_t>(max_steps));
}

BOOST_AUTO_TEST_CASE(a_step_with_neither_calls_nor_answer_is_a_fault) {
    fake_port port;
    step_context ctx;
    auto out = run(&nothing, port, ctx);
    BOOST_TEST((out.fault == fault::no_answer));
    BOOST_TEST(port.calls == 0u);
}

BOOST_AUTO_TEST_CASE(a_throwing_step_is_a_fault_not_a_crash) {
    fake_port port;
    step_context ctx;
    auto out = run(&broken, port, ctx);
    BOOST_TEST((out.fault == fault::no_answer));
    BOOST_TEST(out.detail.find("translator bug") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(fan_out_keeps_call_order_and_the_cap) {
    fake_port port;
    // Later calls finish first, so completion order is the reverse of call order.
    port.delay_ms = [](const std::string& t) { return 40 - 2 * std::stoi(t.substr(3)); };
    step_context ctx;
    auto out = run(&twenty, port, ctx, 3);
    BOOST_TEST_REQUIRE(out.response.has_value());
    std::string expected;
    for (int i = 0; i < 20; ++i) expected += "/c/" + std::to_string(i) + ",";
    BOOST_TEST(out.response->body == expected);
    BOOST_TEST(port.most_in_flight == 3u);
    BOOST_TEST(out.upstream_calls == 20u);
    BOOST_TEST(out.rounds == 1);
}

BOOST_AUTO_TEST_CASE(cap_of_one_runs_calls_one_after_another) {
    fake_port port;
    step_context ctx;
    auto out = run(&twenty, port, ctx, 1);
    BOOST_TEST_REQUIRE(out.response.has_value());
    BOOST_TEST(port.most_in_flight == 1u);
}

BOOST_AUTO_TEST_CASE(a_throwing_call_becomes_an_unreachable_reply) {
    fake_port port;
    port.throw_on = "/c/7";
    step_context ctx;
    auto out = run(&twenty, port, ctx, 4);
    BOOST_TEST_REQUIRE(out.response.has_value());
    BOOST_TEST_REQUIRE(ctx.replies().size() == 20u);
    const auto& bad = ctx.replies()[7];
    BOOST_TEST((bad.outcome == translators::transport::unreachable));
    BOOST_TEST(bad.detail.find("connector bug") != std::string::npos);
    BOOST_TEST((ctx.replies()[8].outcome == translators::transport::ok));
    BOOST_TEST(out.response->body.find("/c/6,?,/c/8,") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_delayed_call_waits_before_it_is_sent) {
    fake_port port;
    step_context ctx;
    const auto begun = upstream::clock::now();
    auto r = run(
        [](const sahara::request&, std::span<const upstream_reply> replies, step_context&) {
            if (!replies.empty()) return step_result::done(sahara::response{200, "done", {}});
            auto c = get("/poll");
            c.delay = std::chrono::milliseconds(120);
            return step_result::call(c);
        },
        port, ctx);
    BOOST_TEST_REQUIRE(r.response.has_value());
    BOOST_TEST(port.calls == 1u);
    BOOST_TEST((upstream::clock::now() - begun >= std::chrono::milliseconds(120)));
}

BOOST_AUTO_TEST_CASE(replies_are_parsed_once_into_the_context) {
    fake_port port;
    step_context ctx;
    auto out = run(&twenty, port, ctx, 8);
    BOOST_TEST_REQUIRE(ctx.replies().size() == 20u);
    for (auto& r : ctx.replies()) {
        BOOST_TEST_REQUIRE(r.json != nullptr);
        BOOST_TEST(r.json->is_string());
        // The parsed value lives in the request's own memory, not the default allocator.
        BOOST_TEST(r.json->storage().get() == ctx.storage().get());
    }
}

BOOST_AUTO_TEST_SUITE_END()
