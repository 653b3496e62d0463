// One worker: its thread and event loop, its listening socket (SO_REUSEPORT), its sessions,
// its upstream pools and identity cache, and its drain. The request path takes no lock.
#pragma once

#include "gateway/config.hpp"
#include "gateway/connection_limit.hpp"
#include "gateway/http_session.hpp"
#include "gateway/identity.hpp"
#include "gateway/job_memory.hpp"
#include "gateway/sahara_service.hpp"
#include "gateway/upstream/pools.hpp"

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <list>
#include <thread>

namespace sgw {

class listener {
public:
    /// `endpoints`, `memory` and `limit` (shared by all listeners) must outlive the listener.
    /// `signer`, when set, signs the MRS calls (auth.mode aksk); it must outlive the listener.
    listener(const config& cfg, const translators::backend& backend, const upstream::endpoint_set& endpoints,
             job_memory& memory, connection_limit& limit, upstream::request_signer* signer = nullptr);
    listener(const listener&) = delete;
    listener& operator=(const listener&) = delete;

    /// Opens and binds the listening socket; throws std::system_error on failure.
    void listen(const boost::asio::ip::tcp::endpoint& ep);
    unsigned short local_port() const { return acceptor_.local_endpoint().port(); }

    /// Starts accepting on the listener's own thread.
    void start();
    /// Stops accepting and closes idle connections; requests in flight may finish within
    /// drain_timeout, then their sessions are cancelled. The thread ends when nothing is left.
    /// Safe to call from any thread, more than once.
    void stop();
    void join();

private:
    // A session as drain sees it. The list owns it from accept until the session's coroutine
    // has completed, so a cancellation never reaches a finished frame.
    struct session_entry {
        session_flags flags;
        boost::asio::cancellation_signal cancel;
        connection_limit::slot place;
    };

    /// A log line that may come in floods (accept failures, connections turned away) is written
    /// at most once a second, with the count of those it stood for.
    struct throttled {
        std::chrono::steady_clock::time_point next{};
        std::size_t count = 0;
        /// Counts one event; true when a line is due (then `count` says how many it covers).
        bool due(std::chrono::steady_clock::time_point now);
    };

    void run_loop();
    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> session(boost::asio::ip::tcp::socket sock, session_entry& entry);
    boost::asio::awaitable<void> turn_away(boost::asio::ip::tcp::socket sock);
    void session_ended(std::list<session_entry>::iterator it);
    void give_back_memory();
    void begin_drain();
    void finish();

    const config& cfg_;
    boost::asio::io_context ioc_{1};
    boost::asio::ip::tcp::acceptor acceptor_;
    upstream::pools pools_;
    identity identity_;
    sahara_service service_;
    session_limits limits_;
    connection_limit& limit_;
    std::list<session_entry> sessions_;
    std::size_t peak_sessions_ = 0;  ///< since memory was last given back
    std::size_t turning_away_ = 0;   ///< connections being answered 503
    throttled accept_failures_;
    throttled turned_away_;
    boost::asio::steady_timer drain_timer_;
    bool draining_ = false;
    bool finished_ = false;
    std::thread thread_;
};

}  // namespace sgw
