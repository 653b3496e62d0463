// The gateway process: the shared TLS client context and job memory, and one listener per
// worker thread (each with its own event loop, socket, sessions and upstream pools).
#pragma once

#include "gateway/config.hpp"
#include "gateway/connection_limit.hpp"
#include "gateway/credentials.hpp"
#include "gateway/job_memory.hpp"
#include "gateway/upstream/pools.hpp"
#include "gateway/upstream/signer.hpp"

#include <memory>
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

    /// Binds and starts the worker threads; throws std::system_error if binding fails.
    void start();
    /// The bound port (useful with port 0).
    unsigned short port() const noexcept { return port_; }
    /// Stops accepting, lets requests in flight finish within drain_timeout, then cancels
    /// them. Safe to call from any thread, more than once.
    void stop();
    /// Waits for the worker threads to end.
    void wait();
    /// Client connections the process holds at most (after start()).
    std::size_t max_connections() const noexcept;
    /// auth.mode aksk: reads the access keys again from where they came from; the old ones stay
    /// on failure, whose reason is returned (it never quotes a key). Safe from any thread.
    std::optional<std::string> reload_credentials();

private:
    config cfg_;
    unsigned short port_ = 0;
    upstream::endpoint_set endpoints_;  ///< settings and TLS contexts, shared read-only
    job_memory memory_;
    std::shared_ptr<credentials_holder> credentials_;   ///< auth.mode aksk only
    std::unique_ptr<upstream::request_signer> signer_;  ///< outlives the listeners (declared before)
    std::unique_ptr<connection_limit> limit_;
    std::vector<std::unique_ptr<listener>> listeners_;
};

}  // namespace sgw
