// One worker: thread, acceptor, sessions and drain.
#include "gateway/listener.hpp"

#include "gateway/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <sys/socket.h>

namespace sgw {
namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
using reuse_port = net::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

session_limits limits_of(const listener_config& c) {
    return {c.header_limit, c.body_limit, c.idle_timeout, c.read_timeout, c.write_timeout};
}

}  // namespace

listener::listener(const config& cfg, const translators::backend& backend, net::ssl::context* tls, job_memory& memory)
    : cfg_(cfg),
      acceptor_(ioc_),
      pools_(ioc_.get_executor(), cfg.upstream, tls),
      identity_(ioc_.get_executor(), cfg, tls),
      service_(cfg, backend, pools_, identity_, memory),
      limits_(limits_of(cfg.listen)),
      drain_timer_(ioc_) {}

void listener::listen(const tcp::endpoint& ep) {
    acceptor_.open(ep.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.set_option(reuse_port(true));
    acceptor_.bind(ep);
    acceptor_.listen(net::socket_base::max_listen_connections);
}

void listener::start() {
    net::co_spawn(ioc_, accept_loop(), net::detached);
    thread_ = std::thread([this] { ioc_.run(); });
}

void listener::stop() {
    net::post(ioc_, [this] { begin_drain(); });
}

void listener::join() {
    if (thread_.joinable()) thread_.join();
}

net::awaitable<void> listener::accept_loop() {
    for (;;) {
        auto [ec, sock] = co_await acceptor_.async_accept(use_tuple);
        if (ec) {
            if (!acceptor_.is_open() || draining_) break;
            // Out of descriptors or similar: back off briefly instead of spinning.
            log::line(log::level::error, "accept failed").kv("error", ec.message());
            net::steady_timer t(ioc_, std::chrono::milliseconds(50));
            co_await t.async_wait(use_tuple);
            continue;
        }
        boost::system::error_code ignored;
        sock.set_option(tcp::no_delay(true), ignored);
        auto it = sessions_.emplace(sessions_.end());
        it->flags.draining = &draining_;
        net::co_spawn(ioc_, session(std::move(sock), *it),
                      net::bind_cancellation_slot(it->cancel.slot(), [this, it](std::exception_ptr e) {
                          if (e && !draining_) {
                              try {
                                  std::rethrow_exception(e);
                              } catch (const std::exception& ex) {
                                  log::line(log::level::error, "session ended by an exception").kv("error", ex.what());
                              }
                          }
                          // Erased after the completion returns: the entry holds the signal that
                          // this completion was bound to.
                          net::post(ioc_, [this, it] { session_ended(it); });
                      }));
    }
}

net::awaitable<void> listener::session(tcp::socket sock, session_entry& entry) {
    beast::tcp_stream stream(std::move(sock));
    beast::flat_buffer buffer;
    co_await run_http_session(stream, buffer, limits_, service_, entry.flags);
}

void listener::session_ended(std::list<session_entry>::iterator it) {
    sessions_.erase(it);
    if (draining_ && sessions_.empty()) finish();
}

void listener::begin_drain() {
    if (draining_) return;
    draining_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    // Idle keep-alive connections are closed now; the others after their answer.
    for (auto& s : sessions_)
        if (s.flags.idle) s.cancel.emit(net::cancellation_type::terminal);
    if (sessions_.empty()) {
        finish();
        return;
    }
    // Past the deadline, whatever is still running is cancelled: each session's pending
    // operation (an upstream call, a write) ends with operation_aborted and its frame unwinds.
    drain_timer_.expires_after(cfg_.listen.drain_timeout);
    drain_timer_.async_wait([this](boost::system::error_code ec) {
        if (ec || finished_) return;
        log::line(log::level::warn, "drain deadline passed; cancelling requests in flight")
            .kv("sessions", sessions_.size());
        for (auto& s : sessions_) s.cancel.emit(net::cancellation_type::terminal);
    });
}

// Nothing is left to serve: release what keeps the event loop busy, so that run() returns.
void listener::finish() {
    if (finished_) return;
    finished_ = true;
    drain_timer_.cancel();
    pools_.close();
    identity_.close();
}

}  // namespace sgw
