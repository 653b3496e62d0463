// One worker: its thread and event loop, its listening socket (SO_REUSEPORT), its sessions,
// its upstream pools and identity cache (per generation), its metrics, and its drain. The
// request path takes no lock but the worker's own metrics mutex.
#pragma once

#include "gateway/access_log.hpp"
#include "gateway/connection_limit.hpp"
#include "gateway/generation.hpp"
#include "gateway/http_session.hpp"
#include "gateway/identity.hpp"
#include "gateway/job_memory.hpp"
#include "gateway/metrics.hpp"
#include "gateway/sahara_service.hpp"
#include "gateway/store/shared_memory.hpp"
#include "gateway/upstream/pools.hpp"

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <list>
#include <memory>
#include <thread>

namespace sgw {

class listener final : private http_handler {
public:
    /// `memory`, `limit` and `access` (shared by all listeners) must outlive the listener.
    listener(std::shared_ptr<const generation> gen, job_memory& memory, connection_limit& limit, access_log& access);
    ~listener() override;
    listener(const listener&) = delete;
    listener& operator=(const listener&) = delete;

    /// Opens and binds the listening socket; throws std::system_error on failure.
    void listen(const boost::asio::ip::tcp::endpoint& ep);
    unsigned short local_port() const { return acceptor_.local_endpoint().port(); }

    /// Starts accepting on the listener's own thread.
    void start();
    /// From now on, new requests are served with `gen` (new connections to MRS follow its
    /// settings); requests in flight finish with the generation they began with. Any thread.
    void install(std::shared_ptr<const generation> gen);
    /// Stops accepting and closes idle connections; requests in flight may finish within
    /// drain_timeout, then their sessions are cancelled. The thread ends when nothing is left.
    /// Before that, for `delay`, the worker goes on serving, with every answer saying
    /// Connection: close. Safe to call from any thread, more than once.
    void stop(std::chrono::milliseconds delay = {});
    void join();

    const worker_metrics& metrics() const noexcept { return metrics_; }
    /// The worker's connection to the shared job memory (jobs.store), or null.
    const shared_memory* store() const noexcept { return store_.get(); }

private:
    // What a worker builds from one generation: the pools and identity cache it calls MRS
    // through, and the service that uses them. Requests hold it while they run, so a reload
    // never pulls a connection from under a request.
    struct serving;
    // A session as drain sees it. The list owns it from accept until the session's coroutine
    // has completed, so a cancellation never reaches a finished frame.
    // It also holds the connection's stream, buffer and limits, so that the session's only
    // coroutine frame is run_http_session's own: an idle connection costs what it must.
    struct session_entry {
        session_entry(boost::asio::ip::tcp::socket sock, const session_limits& l)
            : stream(std::move(sock)), limits(l) {}
        session_flags flags;
        boost::asio::cancellation_signal cancel;
        connection_limit::slot place;
        boost::beast::tcp_stream stream;
        boost::beast::flat_buffer buffer;
        session_limits limits;  ///< as configured when the connection came
    };

    /// A log line that may come in floods (accept failures, connections turned away) is written
    /// at most once a second, with the count of those it stood for.
    struct throttled {
        std::chrono::steady_clock::time_point next{};
        std::size_t count = 0;
        /// Counts one event; true when a line is due (then `count` says how many it covers).
        bool due(std::chrono::steady_clock::time_point now);
    };

    // http_handler: each request goes to the serving state current when it arrives.
    boost::asio::awaitable<http_response> handle(http_request& req) override;
    http_response reject(fault why, std::string_view reason) override;

    std::shared_ptr<serving> make_serving(std::shared_ptr<const generation> gen);
    void run_loop();
    boost::asio::awaitable<void> accept_loop();
    /// Registers an accepted connection for its session to run.
    std::list<session_entry>::iterator add_session(boost::asio::ip::tcp::socket sock, connection_limit::slot place);
    void serve(std::list<session_entry>::iterator it);
    void park(std::list<session_entry>::iterator it);
    boost::asio::awaitable<void> turn_away(boost::asio::ip::tcp::socket sock);
    void accept_waiting();
    void session_ended(std::list<session_entry>::iterator it);
    void give_back_memory();
    void sweep_idle();
    void begin_drain(std::chrono::milliseconds delay);
    void close_listener();
    void finish();

    boost::asio::io_context ioc_{1};
    boost::asio::ip::tcp::acceptor acceptor_;
    worker_metrics metrics_;
    job_memory& memory_;
    access_log& access_;
    std::unique_ptr<shared_memory> store_;  ///< jobs.store; outlives every serving state
    std::shared_ptr<serving> current_;
    session_limits limits_;
    connection_limit& limit_;
    std::list<session_entry> sessions_;
    std::size_t peak_sessions_ = 0;  ///< since memory was last given back
    std::size_t turning_away_ = 0;   ///< connections being answered 503
    throttled accept_failures_;
    throttled turned_away_;
    boost::asio::steady_timer drain_timer_;
    boost::asio::steady_timer idle_timer_;  ///< ends keep-alive connections idle too long
    boost::asio::steady_timer delay_timer_;
    bool closing_ = false;   ///< answers close their connection (the shutdown delay)
    bool draining_ = false;  ///< no new request is read; answers close their connection
    bool stopping_ = false;  ///< stop() was called (maybe still within the delay)
    bool finished_ = false;
    std::thread thread_;
};

}  // namespace sgw
