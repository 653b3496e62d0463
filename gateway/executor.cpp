// Runs a translator's step function against the upstream pool.
#include "gateway/executor.hpp"

#include "translators/sahara/errors.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <vector>

namespace sgw {
namespace net = boost::asio;
namespace http = boost::beast::http;
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

// Performs several calls at once and returns when all have answered.
net::awaitable<void> fan_out(const std::vector<upstream_call>& calls, std::string_view token,
                             upstream::pool& pool, upstream::clock::time_point deadline,
                             std::vector<upstream_reply>& replies) {
    auto ex = co_await net::this_coro::executor;
    std::vector<upstream_reply> out(calls.size());
    std::size_t pending = calls.size();
    net::steady_timer all_done(ex, net::steady_timer::time_point::max());
    for (std::size_t i = 0; i < calls.size(); ++i) {
        net::co_spawn(
            ex,
            [&, i]() -> net::awaitable<void> {
                out[i] = co_await pool.exchange(make_upstream_request(calls[i], token), calls[i].retry_safe,
                                                deadline);
            },
            [&](std::exception_ptr e) {
                if (e) {
                    out[i].outcome = translators::transport::unreachable;
                    out[i].detail = "internal error during the upstream call";
                }
                if (--pending == 0) all_done.cancel();
            });
    }
    while (pending > 0) co_await all_done.async_wait(net::as_tuple(net::use_awaitable));
    for (auto& r : out) replies.push_back(std::move(r));
}

}  // namespace

upstream::request make_upstream_request(const upstream_call& call, std::string_view token) {
    upstream::request req{verb_of(call.verb), call.target, 11};
    req.set(http::field::user_agent, "sahara-gateway/0.1");
    req.set(http::field::accept, "application/json");
    // MRS requires the JSON content type on every call (mrs-api.md §1, common headers).
    req.set(http::field::content_type, "application/json");
    req.set("X-Auth-Token", token);
    req.body() = call.body;
    req.prepare_payload();
    return req;
}

net::awaitable<sahara::response> execute(translators::step_fn step, const sahara::request& req,
                                         std::string_view token, upstream::pool& pool,
                                         upstream::clock::time_point deadline) {
    std::vector<upstream_reply> replies;
    for (int round = 0; round < max_steps; ++round) {
        auto next = step(req, replies);
        if (next.response) co_return std::move(*next.response);
        if (next.calls.empty()) break;
        if (next.calls.size() == 1)
            replies.push_back(co_await pool.exchange(make_upstream_request(next.calls.front(), token),
                                                     next.calls.front().retry_safe, deadline));
        else
            co_await fan_out(next.calls, token, pool, deadline, replies);
    }
    co_return sahara::error_response(req, 500, sahara::error_name::internal, "Internal Server Error",
                                     "translator made no answer within the step limit");
}

}  // namespace sgw
