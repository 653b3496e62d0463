// One worker: its thread and event loop, its listening socket (SO_REUSEPORT), its sessions,
// its upstream pools and identity cache, and its drain. The request path takes no lock.
#pragma once

#include "gateway/config.hpp"
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

#include <list>
#include <thread>

namespace sgw {

class listener {
public:
    /// `tls` (may be null when nothing upstream is https) and `memory` must outlive the listener.
    listener(const config& cfg, const translators::backend& backend, boost::asio::ssl::context* tls,
             job_memory& memory);
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
    };

    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> session(boost::asio::ip::tcp::socket sock, session_entry& entry);
    void session_ended(std::list<session_entry>::iterator it);
    void begin_drain();
    void finish();

    const config& cfg_;
    boost::asio::io_context ioc_{1};
    boost::asio::ip::tcp::acceptor acceptor_;
    upstream::pools pools_;
    identity identity_;
    sahara_service service_;
    session_limits limits_;
    std::list<session_entry> sessions_;
    boost::asio::steady_timer drain_timer_;
    bool draining_ = false;
    bool finished_ = false;
    std::thread thread_;
};

}  // namespace sgw
