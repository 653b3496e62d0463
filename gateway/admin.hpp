// The admin listener: /healthz, /readyz and /metrics on an address of their own, served by a
// thread of their own, so that a worker busy with clients never delays a probe or a scrape.
#pragma once

#include "gateway/config.hpp"
#include "gateway/http_session.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

namespace sgw {

class server;

class admin final : private http_handler {
public:
    /// `srv` must outlive the admin listener.
    admin(server& srv, const admin_config& cfg);
    ~admin() override;
    admin(const admin&) = delete;
    admin& operator=(const admin&) = delete;

    /// Binds (throws std::system_error) and starts the thread.
    void start();
    unsigned short port() const noexcept { return port_; }
    /// Closes the listener; called last, after the workers have stopped.
    void stop();

    /// The readiness verdict and, when not ready, why (for tests and the body of /readyz).
    struct readiness {
        bool ready = false;
        std::string reason;
    };

private:
    boost::asio::awaitable<http_response> handle(http_request& req) override;
    http_response reject(fault why, std::string_view reason) override;
    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<readiness> check_ready();
    /// Whether a TCP connection to the default endpoint opens within a second (cached 1 s).
    boost::asio::awaitable<bool> upstream_reachable();

    server& srv_;
    admin_config cfg_;
    boost::asio::io_context ioc_{1};
    boost::asio::ip::tcp::acceptor acceptor_;
    unsigned short port_ = 0;
    std::chrono::steady_clock::time_point probed_at_{};
    bool probe_ok_ = true;
    bool last_ready_ = false;
    std::thread thread_;
};

}  // namespace sgw
