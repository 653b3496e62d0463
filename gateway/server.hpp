// The Sahara-facing HTTP server: worker threads, each with its own event loop, listening
// socket (SO_REUSEPORT) and upstream pool, so the request path takes no lock.
#pragma once

#include "gateway/config.hpp"

#include <memory>
#include <vector>

namespace boost::asio::ssl {
class context;
}

namespace sgw {

class worker;

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
    /// Stops accepting, lets requests in flight finish within drain_timeout, then stops.
    /// Safe to call from any thread, more than once.
    void stop();
    /// Waits for the worker threads to end.
    void wait();

private:
    config cfg_;
    unsigned short port_ = 0;
    std::unique_ptr<boost::asio::ssl::context> tls_;
    std::vector<std::unique_ptr<worker>> workers_;
};

}  // namespace sgw
