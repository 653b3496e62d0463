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
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <utility>

#include <malloc.h>
#include <sys/socket.h>

namespace sgw {
namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
using reuse_port = net::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

session_limits limits_of(const listener_config& c) {
    return {c.header_limit, c.body_limit, c.idle_timeout, c.header_timeout, c.read_timeout, c.write_timeout};
}

// Connections answered 503 at once, per worker; past this many they are closed unanswered.
constexpr std::size_t max_turning_away = 64;

// Memory is given back to the system once the sessions fall to an eighth of a peak this high.
constexpr std::size_t trim_peak = 256;

}  // namespace

struct listener::serving {
    serving(net::any_io_executor ex, std::shared_ptr<const generation> g, job_memory& memory, request_sinks sinks)
        : gen(std::move(g)),
          pools(ex, gen->endpoints, gen->cfg.regions, gen->signer.get(), sinks.metrics),
          who(ex, gen->cfg, gen->endpoints, sinks.metrics),
          service(gen->cfg, *gen->backend, pools, who, memory, sinks) {}
    std::shared_ptr<const generation> gen;
    upstream::pools pools;
    identity who;
    sahara_service service;
};

listener::listener(std::shared_ptr<const generation> gen, job_memory& memory, connection_limit& limit,
                   access_log& access)
    : acceptor_(ioc_),
      memory_(memory),
      access_(access),
      limits_(limits_of(gen->cfg.listen)),
      limit_(limit),
      drain_timer_(ioc_),
      idle_timer_(ioc_),
      delay_timer_(ioc_) {
    if (!gen->cfg.jobs.store.url.empty())
        store_ = std::make_unique<shared_memory>(ioc_.get_executor(), gen->cfg.jobs.store, memory_);
    current_ = make_serving(std::move(gen));
}

listener::~listener() {
    stop();
    join();
    // What is still posted (a retired serving state's deletion) runs here, not in the event
    // loop's destructor.
    current_.reset();
    ioc_.restart();
    ioc_.poll();
}

// A retired serving state closes its connections when its last request is done, and is
// deleted a turn of the loop later, once the closes' completions (the idle sweeper's) have run.
std::shared_ptr<listener::serving> listener::make_serving(std::shared_ptr<const generation> gen) {
    auto ex = ioc_.get_executor();
    const request_sinks sinks{&metrics_, &access_, store_.get()};
    return std::shared_ptr<serving>(new serving(ex, std::move(gen), memory_, sinks), [ex](serving* s) {
        s->pools.close();
        s->who.close();
        net::post(ex, [owned = std::unique_ptr<serving>(s)]() mutable {});
    });
}

void listener::install(std::shared_ptr<const generation> gen) {
    net::post(ioc_, [this, gen = std::move(gen)]() mutable {
        if (stopping_) return;
        limits_ = limits_of(gen->cfg.listen);
        current_ = make_serving(std::move(gen));
    });
}

net::awaitable<http_response> listener::handle(http_request& req) {
    auto hold = current_;  // the generation this request began with, until it is answered
    co_return co_await hold->service.handle(req);
}

http_response listener::reject(fault why, std::string_view reason) { return current_->service.reject(why, reason); }

void listener::listen(const tcp::endpoint& ep) {
    acceptor_.open(ep.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.set_option(reuse_port(true));
    acceptor_.bind(ep);
    acceptor_.listen(net::socket_base::max_listen_connections);
}

void listener::start() {
    net::co_spawn(ioc_, accept_loop(), net::detached);
    sweep_idle();
    thread_ = std::thread([this] { run_loop(); });
}

// The last resort: an exception thrown by a completion handler leaves run(); it is logged and
// the loop goes on serving every other connection.
void listener::run_loop() {
    for (;;) {
        try {
            ioc_.run();
            return;
        } catch (const std::exception& e) {
            log::line(log::level::error, "exception escaped the event loop; serving on").kv("error", e.what());
        } catch (...) {
            log::line(log::level::error, "exception escaped the event loop; serving on");
        }
    }
}

bool listener::throttled::due(std::chrono::steady_clock::time_point now) {
    ++count;
    if (now < next) return false;
    next = now + std::chrono::seconds(1);
    return true;
}

void listener::stop(std::chrono::milliseconds delay) {
    net::post(ioc_, [this, delay] { begin_drain(delay); });
}

void listener::join() {
    if (thread_.joinable()) thread_.join();
}

net::awaitable<void> listener::accept_loop() {
    for (;;) {
        auto [ec, sock] = co_await acceptor_.async_accept(use_tuple);
        if (ec) {
            if (!acceptor_.is_open()) break;
            // Out of descriptors or similar: back off briefly instead of spinning.
            if (accept_failures_.due(std::chrono::steady_clock::now())) {
                log::line(log::level::error, "accept failed")
                    .kv("error", ec.message())
                    .kv("times", std::exchange(accept_failures_.count, 0));
            }
            net::steady_timer t(ioc_, std::chrono::milliseconds(50));
            co_await t.async_wait(use_tuple);
            continue;
        }
        auto place = limit_.try_acquire();
        if (!place) {
            if (turned_away_.due(std::chrono::steady_clock::now())) {
                log::line(log::level::warn, "connection limit reached; turning connections away")
                    .kv("max_connections", limit_.max())
                    .kv("turned_away", std::exchange(turned_away_.count, 0));
            }
            ++metrics_.connections_turned_away;
            if (turning_away_ < max_turning_away) {
                ++turning_away_;
                net::co_spawn(ioc_, turn_away(std::move(sock)), [this](std::exception_ptr) { --turning_away_; });
            }
            continue;  // past that, the socket closes here, unanswered
        }
        boost::system::error_code ignored;
        sock.set_option(tcp::no_delay(true), ignored);
        auto it = add_session(std::move(sock), std::move(place));
        peak_sessions_ = std::max(peak_sessions_, sessions_.size());
        serve(it);
    }
}

// Runs the connection's requests until it closes or waits for its next request; then the
// listener keeps it (park) with no coroutine of its own.
void listener::serve(std::list<session_entry>::iterator it) {
    net::co_spawn(ioc_, run_http_session(it->stream, it->buffer, it->limits, *this, it->flags),
                  net::bind_cancellation_slot(it->cancel.slot(), [this, it](std::exception_ptr e, session_end end) {
                      if (e && !draining_) {
                          try {
                              std::rethrow_exception(e);
                          } catch (const std::exception& ex) {
                              log::line(log::level::error, "session ended by an exception").kv("error", ex.what());
                          } catch (...) {
                              log::line(log::level::error, "session ended by an exception");
                          }
                      }
                      if (!e && end == session_end::idle && !draining_) {
                          park(it);
                          return;
                      }
                      // Erased after the completion returns: the entry holds the signal that
                      // this completion was bound to.
                      net::post(ioc_, [this, it] { session_ended(it); });
                  }));
}

// An idle keep-alive connection: a wait for its socket to become readable, which the idle
// sweep or the drain cancels.
void listener::park(std::list<session_entry>::iterator it) {
    it->flags.idle = true;
    it->flags.idle_since = std::chrono::steady_clock::now();
    it->stream.socket().async_wait(tcp::socket::wait_read,
                                   net::bind_cancellation_slot(it->cancel.slot(), [this, it](boost::system::error_code ec) {
                                       it->flags.idle = false;
                                       if (!ec && !draining_) {
                                           serve(it);
                                           return;
                                       }
                                       net::post(ioc_, [this, it] { session_ended(it); });
                                   }));
}

std::list<listener::session_entry>::iterator listener::add_session(tcp::socket sock, connection_limit::slot place) {
    ++metrics_.connections_accepted;
    auto it = sessions_.emplace(sessions_.end(), std::move(sock), limits_);
    it->flags.draining = &draining_;
    it->flags.closing = &closing_;
    it->flags.owner_keeps_idle = true;
    it->place = std::move(place);
    return it;
}

// A connection beyond the limit: told 503 with Retry-After, then closed.
net::awaitable<void> listener::turn_away(tcp::socket sock) {
    beast::tcp_stream stream(std::move(sock));
    auto res = current_->service.turn_away();
    stream.expires_after(limits_.write_timeout);
    auto [ec, n] = co_await beast::http::async_write(stream, res, use_tuple);
    co_await detail::finish(stream, !ec);
}

void listener::session_ended(std::list<session_entry>::iterator it) {
    sessions_.erase(it);
    if (draining_ && !acceptor_.is_open() && sessions_.empty()) {
        finish();
        return;
    }
    if (peak_sessions_ >= trim_peak && sessions_.size() * 8 <= peak_sessions_) give_back_memory();
}

// After a flood of connections the allocator keeps the freed memory of their buffers and
// coroutine frames; handing it back keeps the process's footprint at what it serves now.
void listener::give_back_memory() {
    peak_sessions_ = sessions_.size();
    ::malloc_trim(0);
}

// Keep-alive connections wait for their next request with neither a buffer, a coroutine nor a
// timer of their own (park); this sweep ends those idle past the timeout, within an eighth of
// it (at most a second late), which is what lets ten thousand idle clients cost little.
void listener::sweep_idle() {
    const auto timeout = limits_.idle_timeout;
    const auto now = std::chrono::steady_clock::now();
    for (auto& s : sessions_)
        if (s.flags.idle && now - s.flags.idle_since >= timeout) s.cancel.emit(net::cancellation_type::terminal);
    const auto every = std::clamp<std::chrono::milliseconds>(timeout / 8, std::chrono::milliseconds(10),
                                                             std::chrono::milliseconds(1000));
    idle_timer_.expires_after(every);
    idle_timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec && !finished_) sweep_idle();
    });
}

void listener::begin_drain(std::chrono::milliseconds delay) {
    if (stopping_) return;
    stopping_ = true;
    // From now on every answer closes its connection, so that clients and proxies move away.
    closing_ = true;
    if (delay.count() <= 0) {
        close_listener();
        return;
    }
    // Balancers learn of the drain from /readyz within their check interval; until the delay
    // has passed, connections are still accepted and served.
    delay_timer_.expires_after(delay);
    delay_timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) close_listener();
    });
}

// Takes the connections the kernel has completed but not handed over yet, so that closing the
// socket resets as few as it can: only one that arrives between the last accept and the close.
void listener::accept_waiting() {
    boost::system::error_code ec;
    acceptor_.non_blocking(true, ec);
    if (ec) return;
    for (;;) {
        tcp::socket sock(ioc_);
        acceptor_.accept(sock, ec);
        if (ec) break;
        auto place = limit_.try_acquire();
        if (!place) continue;  // closed unanswered: the process is going
        serve(add_session(std::move(sock), std::move(place)));
    }
}

void listener::close_listener() {
    accept_waiting();
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
    drain_timer_.expires_after(current_->gen->cfg.listen.drain_timeout);
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
    idle_timer_.cancel();
    delay_timer_.cancel();
    // What each upstream pool of this worker did, once, at the end.
    for (const auto& p : current_->pools.all()) {
        const auto& st = p->stats();
        log::line(log::level::info, "upstream pool")
            .kv("endpoint", p->host())
            .kv("opened", st.opened.get())
            .kv("resumed", st.resumed.get())
            .kv("reused", st.reused.get())
            .kv("stale_reuse", st.stale_reuse.get())
            .kv("resent", st.resent.get())
            .kv("reconnects", st.reconnects.get())
            .kv("budget_refused", st.budget_refused.get())
            .kv("queued", st.queued.get())
            .kv("queue_full", st.queue_full.get())
            .kv("queue_timeouts", st.queue_timeouts.get())
            .kv("breaker_opened", p->circuit().opened())
            .kv("breaker_refused", st.breaker_refused.get())
            .kv("peak_connections", st.peak_connections.get());
    }
    current_.reset();  // closes the pools and the identity cache once no request holds them
    if (store_) store_->close();
}

}  // namespace sgw
