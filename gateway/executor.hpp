// Runs a translator's step function: performs the upstream calls each step asks for and feeds
// the replies back through the per-request context, until the translator answers.
#pragma once

#include "gateway/upstream/pool.hpp"
#include "translators/common/step.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace sgw {

class worker_metrics;

/// Most upstream rounds one Sahara request may take; a translator that asks for more is a bug.
/// The longest legitimate one is a list walking the longest history it accepts (500,000 jobs:
/// 500 list pages, job-exes pages 64 calls a step, and up to 500 list pages again to render),
/// about 1,200 rounds.
inline constexpr int max_steps = 4096;

/// Where the executor sends one upstream call: the pool in production, a fake in tests.
class upstream_port {
public:
    virtual ~upstream_port() = default;
    /// Never throws for network conditions: they come back as the reply's outcome.
    virtual boost::asio::awaitable<translators::upstream_reply> exchange(const translators::upstream_call& call,
                                                                         upstream::clock::time_point deadline) = 0;
};

/// Calls to `pool`, each with the client's token, or, when the pool signs its calls (aksk),
/// with no token and the project in X-Project-Id, as Huawei's SDKs send it (mrs-api.md §6.2).
/// Each call carries `request_id` in X-Request-Id, and is timed into `metrics` when set.
class pool_port final : public upstream_port {
public:
    pool_port(upstream::pool& pool, std::string_view token, std::string_view project = {},
              std::string_view request_id = {}, worker_metrics* metrics = nullptr)
        : pool_(pool), token_(token), project_(project), request_id_(request_id), metrics_(metrics) {}
    boost::asio::awaitable<translators::upstream_reply> exchange(const translators::upstream_call& call,
                                                                 upstream::clock::time_point deadline) override;

private:
    upstream::pool& pool_;
    std::string_view token_;
    std::string_view project_;
    std::string_view request_id_;
    worker_metrics* metrics_;
};

/// How a run ended: the translator's answer, or the fault that stopped it.
struct execution {
    std::optional<sahara::response> response;
    std::error_code fault;  ///< fault::step_limit or fault::no_answer when there is no response
    std::string detail;     ///< for the log
    std::size_t upstream_calls = 0;
    int rounds = 0;
};

/// Calls `step` until it answers, at most max_steps times. The calls of one step run at once,
/// at most `max_parallel` at a time, and their replies join `ctx` in the order of the calls.
/// All calls share `deadline`. An exception from a step ends the run with fault::no_answer;
/// one from an upstream call becomes that call's `unreachable` reply. A cancelled request
/// (cancellation signal on the calling coroutine) makes no further call and ends with
/// boost::system::system_error(operation_aborted).
boost::asio::awaitable<execution> execute(translators::step_fn step, const sahara::request& req,
                                          translators::step_context& ctx, upstream_port& port,
                                          std::size_t max_parallel, upstream::clock::time_point deadline);

/// The HTTP request for one upstream call (target still relative to the base URL): with the
/// token when there is one, else with X-Project-Id when a project is given, and with
/// X-Request-Id when a request id is given (so that MRS's logs and ours share it).
upstream::request make_upstream_request(const translators::upstream_call& call, std::string_view token,
                                        std::string_view project = {}, std::string_view request_id = {});

}  // namespace sgw
