// The gateway process: the current generation (configuration, endpoints, signer), the job
// memory, the access log, and one listener per worker thread (each with its own event loop,
// socket, sessions and upstream pools).
#pragma once

#include "gateway/access_log.hpp"
#include "gateway/config.hpp"
#include "gateway/connection_limit.hpp"
#include "gateway/generation.hpp"
#include "gateway/job_memory.hpp"
#include "gateway/metrics.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace sgw {

class listener;

class server {
public:
    explicit server(config cfg);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /// Binds and starts the worker threads; throws std::system_error if binding fails, or
    /// std::invalid_argument when the configuration cannot be used.
    void start();
    /// The bound port (useful with port 0).
    unsigned short port() const noexcept { return port_; }
    /// Starts the drain: /readyz fails at once; after listen.shutdown_delay the listeners close;
    /// requests in flight finish within drain_timeout, then are cancelled. Safe to call from any
    /// thread, more than once.
    void stop();
    /// Waits for the worker threads to end.
    void wait();
    /// Client connections the process holds at most (after start()).
    std::size_t max_connections() const noexcept;

    /// Serves new requests with `next` from now on (SIGHUP). Keys that need a restart keep
    /// their running values, and are named in the returned warnings. Nothing changes when `next`
    /// cannot be used: the reason is the error. Safe from any thread.
    struct reload_result {
        std::optional<std::string> error;
        std::vector<std::string> kept;  ///< restart-only keys whose new value was not applied
    };
    reload_result reload(config next);
    /// Counts a reload refused before it reached reload() (the file did not validate).
    void reload_refused() noexcept { ++reloads_failed_; }

    /// The configuration in force.
    std::shared_ptr<const generation> current() const;
    bool draining() const noexcept { return draining_.load(std::memory_order_relaxed); }
    /// What /metrics shows (any thread); `ready` as /readyz last said.
    process_view view(bool ready) const;

private:
    config initial_;
    unsigned short port_ = 0;
    mutable std::mutex gen_m_;
    std::shared_ptr<const generation> gen_;
    job_memory memory_;
    access_log access_;
    std::unique_ptr<connection_limit> limit_;
    std::vector<std::unique_ptr<listener>> listeners_;
    std::atomic<bool> draining_{false};
    std::atomic<std::uint64_t> reloads_ok_{0}, reloads_failed_{0};
    double start_time_ = 0;
};

}  // namespace sgw
