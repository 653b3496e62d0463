// What /metrics shows, gathered where it happens: each worker thread owns a worker_metrics
// that its requests, its MRS calls, its pools and its identity cache write to; the admin
// thread reads every worker's and renders the Prometheus text format (render_metrics).
#pragma once

#include "gateway/counter.hpp"
#include "gateway/request_done.hpp"
#include "translators/common/step.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace sgw {

namespace upstream {
struct pool_stats;
}

namespace metrics {

/// Bucket bounds of every latency histogram, in seconds: from half a millisecond (a cached
/// answer) to 30 s (upstream.request_timeout's default).
inline constexpr std::array<double, 15> latency_buckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                        0.25,   0.5,   1,      2.5,   5,     10,   30};

struct histogram {
    std::array<std::uint64_t, latency_buckets.size() + 1> counts{};  ///< per bucket, the last is +Inf
    std::uint64_t count = 0;
    double sum = 0;  ///< seconds
    void observe(std::chrono::microseconds took) noexcept;
};

/// "GET /v1.1/{id}/job-exes/{id}": an MRS call with every id-like path segment (hex, digits,
/// UUIDs) and the query taken out, so that the label has a few values, not one per job.
std::string call_template(std::string_view method, std::string_view target);

/// How an upstream call ended, as the `result` label says it: the HTTP status, or the
/// transport outcome (unreachable, timeout, malformed, overloaded).
std::string result_of(const translators::upstream_reply& r);

/// What one identity cache did (per worker thread; kept across reloads).
struct identity_counters {
    counter hits;    ///< tokens answered from the cache
    counter misses;  ///< tokens the identity endpoint was asked about
};

}  // namespace metrics

/// One worker thread's figures. Requests and MRS calls are recorded under a mutex only that
/// worker and the admin thread ever take; counters of pools and caches are single-writer atomics.
class worker_metrics {
public:
    /// A request's end (client-facing: by operation, version and status).
    void request(const request_done& r);
    /// One MRS or identity call: its endpoint, its call template, how it ended ("200", "404",
    /// "unreachable", "timeout", ...) and how long it took.
    void upstream_call(std::string_view endpoint, std::string call, std::string_view result,
                       std::chrono::microseconds took);

    /// The counters of the pools to `endpoint` (a Host value) on this worker, created on first
    /// use; every pool to that endpoint, before and after a reload, adds to the same ones.
    std::shared_ptr<upstream::pool_stats> pool_stats_for(const std::string& endpoint);
    const std::shared_ptr<metrics::identity_counters>& identity() const noexcept { return identity_; }
    /// This worker's breakers to `endpoint` that are open now (any thread; for /readyz).
    std::uint64_t breakers_open(std::string_view endpoint) const;

    counter connections_turned_away;  ///< beyond server.max_connections
    counter connections_accepted;
    counter sessions;  ///< client connections open now (gauge)

    /// Reading, for render_metrics (any thread).
    struct request_row {
        std::string operation, version;
        unsigned status;
        std::uint64_t count;
    };
    struct call_row {
        std::string endpoint, call;
        std::map<std::string, std::uint64_t, std::less<>> results;
        metrics::histogram latency;
    };
    struct snapshot {
        std::vector<request_row> requests;
        std::map<std::string, metrics::histogram, std::less<>> request_latency;  ///< by operation
        std::vector<call_row> calls;
        std::vector<std::pair<std::string, std::shared_ptr<const upstream::pool_stats>>> pools;
    };
    snapshot read() const;

private:
    struct request_key {
        std::string operation, version;
        unsigned status;
        auto operator<=>(const request_key&) const = default;
    };
    mutable std::mutex m_;
    std::map<request_key, std::uint64_t> requests_;
    std::map<std::string, metrics::histogram, std::less<>> request_latency_;
    std::map<std::pair<std::string, std::string>, call_row> calls_;
    std::map<std::string, std::shared_ptr<upstream::pool_stats>, std::less<>> pools_;
    std::shared_ptr<metrics::identity_counters> identity_ = std::make_shared<metrics::identity_counters>();
};

/// Process-wide values /metrics shows next to the workers' figures.
struct process_view {
    std::vector<const worker_metrics*> workers;
    std::size_t max_connections = 0;
    std::size_t open_connections = 0;
    bool draining = false;
    bool ready = false;
    std::uint64_t reloads_ok = 0, reloads_failed = 0;
    double start_time = 0;  ///< seconds since the epoch
    std::string version;
    /// Extra lines (already rendered) from parts that keep their own counters: the job memory,
    /// the shared store. Each returns complete metric families.
    std::vector<std::function<void(std::string&)>> extras;
};

/// The Prometheus text exposition format (version 0.0.4), one family per metric, each with
/// HELP and TYPE lines.
std::string render_metrics(const process_view& v);

/// Appends one family of one sample (helpers for `extras`).
void render_family(std::string& out, std::string_view name, std::string_view type, std::string_view help,
                   const std::vector<std::pair<std::string, double>>& samples);

}  // namespace sgw
