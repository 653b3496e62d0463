// Runs a translator's step function.
#include "gateway/executor.hpp"

#include "gateway/metrics.hpp"

#include "translators/common/fault.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <exception>
#include <memory>
#include <vector>

namespace sgw {
namespace net = boost::asio;
namespace http = boost::beast::http;
using translators::transport;
using translators::upstream_call;
using translators::upstream_reply;

namespace {

http::verb verb_of(translators::method m) {
    switch (m) {
        case translators::method::get: return http::verb::get;
        case translators::method::post: return http::verb::post;
        case translators::method::patch: return http::verb::patch;
        case translators::method::del: return http::verb::delete_;
    }
    return http::verb::get;
}

upstream_reply internal_failure(std::exception_ptr e) {
    upstream_reply r;
    r.outcome = transport::unreachable;
    r.detail = "internal error during the upstream call";
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        r.detail += ": ";
        r.detail += ex.what();
    } catch (...) {
    }
    return r;
}

// Whether the request was cancelled (the listener's drain deadline): then nothing more is asked
// of MRS, and the request ends without an answer. Read inline (no coroutine frame of its own).
bool is_cancelled(const net::cancellation_state& state) { return state.cancelled() != net::cancellation_type::none; }

net::awaitable<upstream_reply> guarded_exchange(upstream_port& port, const upstream_call& call,
                                                upstream::clock::time_point deadline) {
    std::exception_ptr failed;
    try {
        co_return co_await port.exchange(call, deadline);
    } catch (...) {
        failed = std::current_exception();
    }
    if (is_cancelled(co_await net::this_coro::cancellation_state)) std::rethrow_exception(failed);
    co_return internal_failure(failed);
}

// The calls of one step, shared by the workers that take them in turn. Owned jointly, so
// that nothing a worker touches lives in another coroutine's frame.
struct batch {
    std::vector<upstream_call> calls;
    std::vector<upstream_reply> replies;
    std::size_t next = 0;
};

net::awaitable<void> worker(std::shared_ptr<batch> b, upstream_port& port, upstream::clock::time_point deadline) {
    while (b->next < b->calls.size()) {
        const std::size_t i = b->next++;
        b->replies[i] = co_await guarded_exchange(port, b->calls[i], deadline);
    }
}

// Runs the calls with at most `max_parallel` in flight, and returns when all have answered.
// The parallel group completes only after every worker has, so `port` outlives them all.
net::awaitable<std::vector<upstream_reply>> fan_out(std::vector<upstream_call> calls, upstream_port& port,
                                                    std::size_t max_parallel, upstream::clock::time_point deadline) {
    auto b = std::make_shared<batch>();
    b->replies.resize(calls.size());
    b->calls = std::move(calls);
    auto ex = co_await net::this_coro::executor;
    using op = decltype(net::co_spawn(ex, worker(b, port, deadline), net::deferred));
    std::vector<op> workers;
    const std::size_t n = std::min(std::max<std::size_t>(max_parallel, 1), b->calls.size());
    workers.reserve(n);
    for (std::size_t i = 0; i < n; ++i) workers.push_back(net::co_spawn(ex, worker(b, port, deadline), net::deferred));
    auto done = co_await net::experimental::make_parallel_group(std::move(workers))
                    .async_wait(net::experimental::wait_for_all(), net::use_awaitable);
    // guarded_exchange turns every failure into a reply but the request's cancellation, which
    // ends the request: pass it on.
    for (auto& e : std::get<1>(done))
        if (e) std::rethrow_exception(e);
    co_return std::move(b->replies);
}

// A reply longer than this is parsed a slice at a time (step_context::add), other requests
// running between slices: a 1,000-row MRS page is about 500 KB, some milliseconds to parse.
constexpr std::size_t parse_slice = 64 * 1024;

// The rest of a long reply that step_context::add began.
net::awaitable<void> parse_rest(translators::step_context& ctx) {
    auto ex = co_await net::this_coro::executor;
    do co_await net::post(ex, net::use_awaitable);
    while (!ctx.parse_some());
}

// A translator polling MRS asks to wait before its calls: the longest delay asked, cut at the
// request's deadline. The drain's cancellation ends the wait like any other.
net::awaitable<void> wait_before(const std::vector<upstream_call>& calls, upstream::clock::time_point deadline) {
    std::chrono::milliseconds longest{0};
    for (const auto& c : calls) longest = std::max(longest, c.delay);
    if (longest.count() <= 0) co_return;
    net::steady_timer timer(co_await net::this_coro::executor);
    timer.expires_at(std::min(upstream::clock::now() + longest, deadline));
    co_await timer.async_wait(net::use_awaitable);
}

}  // namespace

// Hands back the pool's own awaitable: no coroutine frame of its own.
net::awaitable<upstream_reply> pool_port::exchange(const upstream_call& call, upstream::clock::time_point deadline) {
    if (!metrics_)
        co_return co_await pool_.exchange(make_upstream_request(call, token_, project_, request_id_), call.retry_safe,
                                          deadline);
    const auto started = upstream::clock::now();
    auto reply = co_await pool_.exchange(make_upstream_request(call, token_, project_, request_id_), call.retry_safe,
                                         deadline);
    metrics_->upstream_call(pool_.host(), metrics::call_template(http::to_string(verb_of(call.verb)), call.target),
                            metrics::result_of(reply),
                            std::chrono::duration_cast<std::chrono::microseconds>(upstream::clock::now() - started));
    co_return reply;
}

upstream::request make_upstream_request(const upstream_call& call, std::string_view token, std::string_view project,
                                        std::string_view request_id) {
    upstream::request req{verb_of(call.verb), call.target, 11};
    req.set(http::field::user_agent, "sahara-gateway/0.1");
    req.set(http::field::accept, "application/json");
    // MRS requires the JSON content type on every call (mrs-api.md §1, common headers).
    req.set(http::field::content_type, "application/json");
    if (!token.empty())
        req.set("X-Auth-Token", token);
    else if (!project.empty())
        req.set("X-Project-Id", project);
    if (!request_id.empty()) req.set("X-Request-Id", request_id);
    req.body() = call.body;
    req.prepare_payload();
    return req;
}

net::awaitable<execution> execute(translators::step_fn step, const sahara::request& req,
                                  translators::step_context& ctx, upstream_port& port, std::size_t max_parallel,
                                  upstream::clock::time_point deadline) {
    execution out;
    if (!step) {
        out.fault = fault::no_answer;
        out.detail = "the backend has no step function for this operation";
        co_return out;
    }
    for (; out.rounds < max_steps; ++out.rounds) {
        if (is_cancelled(co_await net::this_coro::cancellation_state))
            throw boost::system::system_error(net::error::operation_aborted, "request cancelled");
        translators::step_result next;
        try {
            next = step(req, ctx.replies(), ctx);
        } catch (const std::exception& e) {
            out.fault = fault::no_answer;
            out.detail = std::string("translator failed: ") + e.what();
            co_return out;
        }
        if (next.response) {
            out.response = std::move(next.response);
            co_return out;
        }
        if (next.again && next.calls.empty()) {
            co_await net::post(co_await net::this_coro::executor, net::use_awaitable);
            continue;
        }
        if (next.calls.empty()) {
            out.fault = fault::no_answer;
            co_return out;
        }
        out.upstream_calls += next.calls.size();
        co_await wait_before(next.calls, deadline);
        if (next.calls.size() == 1) {
            if (!ctx.add(co_await guarded_exchange(port, next.calls.front(), deadline), parse_slice))
                co_await parse_rest(ctx);
        } else {
            // Each reply is parsed as it joins the context; other requests run between parses,
            // so a step of many large replies does not hold the event loop for all of them.
            auto ex = co_await net::this_coro::executor;
            for (auto& r : co_await fan_out(std::move(next.calls), port, max_parallel, deadline)) {
                if (!ctx.add(std::move(r), parse_slice)) co_await parse_rest(ctx);
                co_await net::post(ex, net::use_awaitable);
            }
        }
    }
    out.fault = fault::step_limit;
    co_return out;
}

}  // namespace sgw
