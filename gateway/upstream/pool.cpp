// Keep-alive connection pool to one MRS endpoint, owned by one worker thread.
#include "gateway/upstream/pool.hpp"

#include "gateway/log.hpp"
#include "gateway/wire.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <optional>
#include <random>
#include <sys/socket.h>

namespace sgw::upstream {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using translators::transport;
using translators::upstream_reply;
using namespace net::experimental::awaitable_operators;

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

// How long the TLS liveness probe lets OpenSSL work on the bytes found on an idle socket.
// They have arrived already, so a close_notify, another alert or stray data ends the read at
// once; only bytes that leave OpenSSL waiting for more (a post-handshake message such as a
// TLS 1.3 NewSessionTicket or KeyUpdate, or a record still in flight) let the timer win.
// Short, because that case means a live connection and the wait delays its request.
constexpr auto tls_probe_wait = std::chrono::milliseconds(5);

class connection {
public:
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
    beast::flat_buffer buffer;  ///< persists between exchanges, as Beast requires
    std::size_t requests = 0;
    clock::time_point created = clock::now();
    clock::time_point last_used = created;
    clock::duration idle_for_at_most{};  ///< set from each answer (idle_limit)
    bool sound = false;                  ///< its last exchange was complete

    ~connection() {
        // OpenSSL forgets the session of a connection freed before a TLS shutdown, as if the
        // connection had failed. One retired in good order (idle, old, or its requests used
        // up) did not fail, and its session should resume the next handshake.
        if (secure && sound) SSL_set_shutdown(secure->native_handle(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    }

    beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

    /// Whether a pooled connection may carry another request: the peer may have ended it
    /// while it sat idle (gateway-anchors.md §3, lesson 2).
    net::awaitable<bool> still_alive() {
        char byte;
        const auto n = ::recv(lowest().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n == 0) co_return false;  // orderly close by the peer
        if (n < 0) co_return errno == EAGAIN || errno == EWOULDBLOCK;  // nothing pending: alive
        // Unsolicited bytes on plain HTTP can only belong to a broken exchange.
        if (!secure) co_return false;

        // Under TLS the raw bytes cannot tell a harmless post-handshake message from a
        // close_notify: a peer ending the connection sends close_notify and may keep the TCP
        // connection open, so no EOF shows on the socket. Only OpenSSL can tell, so read
        // through it, racing a short timer (the operator cancels the loser):
        // - the read ends first: a close_notify or other alert (error), EOF, or application
        //   data nobody asked for. Dead either way.
        // - the timer ends first: OpenSSL consumed what came (a NewSessionTicket, say),
        //   found no application data and waits for more. Cancelling that read leaves the
        //   stream usable: OpenSSL returned WANT_READ, and whatever Asio had already read
        //   from the socket was handed to OpenSSL before the cancellation took effect, so
        //   nothing is lost and the next read carries on from there. An answer OpenSSL owes
        //   (to a KeyUpdate that asks for one) is written by the read itself, at once, as
        //   an idle connection's send buffer is empty.
        // Beast's own expiry is no use here: it closes the socket when it fires. It is also
        // still set to the last exchange's deadline, now past, which would end the read at
        // once; run() sets the next deadline.
        lowest().expires_never();
        std::array<char, 1> scratch;  // one byte of data is enough to condemn the connection
        net::steady_timer wait(co_await net::this_coro::executor, tls_probe_wait);
        const auto first =
            co_await (secure->async_read_some(net::buffer(scratch), use_tuple) || wait.async_wait(use_tuple));
        co_return first.index() == 1;
    }
};

struct pool::attempt {
    exchange_state state;
    upstream_reply reply;
    bool before_answer = false;  ///< failed before any byte of the answer arrived
};

// A call waiting for a connection. Whoever frees one hands it over (`conn`, or nothing: the
// right to open one) and wakes the waiter by cancelling its timer, which otherwise ends at
// the request's deadline.
struct pool::waiter {
    explicit waiter(net::any_io_executor ex) : wake(std::move(ex)) {}
    net::steady_timer wake;
    bool granted = false;
    std::unique_ptr<connection> conn;
};

// The right to one connection of the pool's max_connections, held by one call. Whatever way
// the call ends (an answer, an error, the request's cancellation), the right goes back: to
// the first waiter if there is one, else to the pool.
class pool::lease {
public:
    explicit lease(pool& p, std::unique_ptr<connection> c = {}) : pool_(&p), conn(std::move(c)) {}
    lease() = default;
    lease(const lease&) = delete;
    lease& operator=(const lease&) = delete;
    lease& operator=(lease&& o) noexcept {
        end(nullptr);
        pool_ = std::exchange(o.pool_, nullptr);
        conn = std::move(o.conn);
        return *this;
    }
    ~lease() { end(nullptr); }
    explicit operator bool() const noexcept { return pool_ != nullptr; }
    /// Gives the right back, with the connection when it may carry another call.
    void end(std::unique_ptr<connection> reusable) {
        if (auto* p = std::exchange(pool_, nullptr)) {
            conn.reset();
            p->release(std::move(reusable));
        }
    }

private:
    pool* pool_ = nullptr;

public:
    std::unique_ptr<connection> conn;
};

bool may_reuse(const exchange_state& s, const upstream_config& limits) noexcept {
    return s.request_written && s.response_complete && s.keep_alive && !s.leftover_bytes && !s.failed &&
           s.requests_served < limits.max_requests_per_connection && s.age < limits.max_connection_age &&
           s.peer_requests_left.value_or(1) > 0 && idle_limit(s, limits) > clock::duration::zero();
}

clock::duration idle_limit(const exchange_state& s, const upstream_config& limits) noexcept {
    clock::duration limit = limits.idle_timeout;
    if (s.peer_idle_timeout) {
        // A second less than the peer's own, so that the gateway, not MRS, ends the connection.
        const clock::duration peer = *s.peer_idle_timeout - std::chrono::seconds(1);
        limit = std::min(limit, std::max(peer, clock::duration::zero()));
    }
    return limit;
}

void read_keep_alive(std::string_view header, exchange_state& s) {
    // Keep-Alive: timeout=5, max=100 (parameters in any order and case; others ignored).
    while (!header.empty()) {
        const auto comma = header.find(',');
        auto item = header.substr(0, comma);
        header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
        const auto eq = item.find('=');
        if (eq == std::string_view::npos) continue;
        auto name = item.substr(0, eq);
        auto value = item.substr(eq + 1);
        unsigned long long n = 0;
        auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        if (ec != std::errc{} || ptr != value.data() + value.size()) continue;
        auto is = [&](std::string_view want) {
            return name.size() == want.size() && std::equal(name.begin(), name.end(), want.begin(), [](char a, char b) {
                       return (a | 0x20) == b;
                   });
        };
        if (is("timeout")) s.peer_idle_timeout = std::chrono::seconds(std::min<unsigned long long>(n, 86'400));
        if (is("max")) s.peer_requests_left = static_cast<std::size_t>(std::min<unsigned long long>(n, 1'000'000));
    }
}

namespace {

// The pool a TLS connection belongs to, for OpenSSL's new-session hook.
int pool_index() {
    static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

// OpenSSL offers each session MRS issues (with TLS 1.3, after the handshake, as the ticket
// arrives); the pool of the connection keeps the latest for its next handshake.
int on_new_session(SSL* ssl, SSL_SESSION* session) {
    auto* owner = static_cast<pool*>(SSL_get_ex_data(ssl, pool_index()));
    if (!owner) return 0;
    owner->keep_session(session);
    return 1;  // the pool holds the reference now
}

}  // namespace

void pool::keep_session(SSL_SESSION* s) noexcept { session_.reset(s, SSL_SESSION_free); }

std::unique_ptr<ssl::context> make_client_tls(const upstream_config& cfg) {
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                     ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    if (cfg.verify) {
        ctx->set_verify_mode(ssl::verify_peer);
        if (cfg.ca_file.empty())
            ctx->set_default_verify_paths();
        else
            ctx->load_verify_file(cfg.ca_file);
    } else {
        ctx->set_verify_mode(ssl::verify_none);
    }
    if (!cfg.client_cert.empty()) {
        // An encrypted key fails to load at once instead of OpenSSL asking on the terminal.
        ctx->set_password_callback([](std::size_t, ssl::context::password_purpose) { return std::string(); });
        ctx->use_certificate_chain_file(cfg.client_cert);
        ctx->use_private_key_file(cfg.client_key.empty() ? cfg.client_cert : cfg.client_key, ssl::context::pem);
    }
    // Sessions are kept by each pool (keep_session), not in OpenSSL's cache shared by threads.
    SSL_CTX_set_session_cache_mode(ctx->native_handle(), SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx->native_handle(), on_new_session);
    return ctx;
}

pool::pool(net::any_io_executor ex, const upstream_config& cfg, base_url url, ssl::context* tls,
           std::shared_ptr<pool_stats> stats)
    : ex_(std::move(ex)),
      cfg_(cfg),
      url_(std::move(url)),
      tls_(tls),
      sweep_timer_(ex_),
      breaker_({cfg.breaker_failures, cfg.breaker_failure_percent, cfg.breaker_min_calls, cfg.breaker_window,
                cfg.breaker_open}),
      budget_({cfg.retry_budget_percent, cfg.retry_budget_min_per_s, std::chrono::milliseconds(10'000)}),
      stats_(stats ? std::move(stats) : std::make_shared<pool_stats>()) {
    publish();
}

pool::~pool() { publish(true); }

void pool::close() {
    closed_ = true;
    idle_.clear();
    sweep_timer_.cancel();
    for (auto& w : waiters_) w->wake.cancel();  // not granted: they give up
    waiters_.clear();
    publish();
}

void pool::publish(bool gone) noexcept {
    auto move = [](counter& c, std::uint64_t& mine, std::uint64_t now) {
        c.add(now - mine);  // modulo 2^64: a smaller share takes away
        mine = now;
    };
    move(stats_->open, published_.open, gone ? 0 : connections());
    move(stats_->idle, published_.idle, gone ? 0 : idle_.size());
    move(stats_->waiting, published_.waiting, gone ? 0 : waiters_.size());
    const int state = gone ? -1 : static_cast<int>(breaker_.current());
    if (state != published_.breaker) {
        counter* by_state[] = {&stats_->breakers_closed, &stats_->breakers_open, &stats_->breakers_half_open};
        if (published_.breaker >= 0) by_state[published_.breaker]->add(~std::uint64_t{0});
        if (state >= 0) by_state[state]->add(1);
        published_.breaker = state;
    }
}

// The connection leaves idle_ before its check, so that nothing else (another call on this
// thread, the sweeper) touches it while the TLS probe is suspended. The caller holds the
// lease the connection counts against. The check is one recv() when nothing arrived while the
// connection was idle, which is the common case.
net::awaitable<std::unique_ptr<connection>> pool::take_idle() {
    while (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        const auto idle_for = clock::now() - c->last_used;
        if (idle_for >= c->idle_for_at_most) continue;
        if (!co_await c->still_alive()) {
            ++stats_->stale_reuse;
            continue;
        }
        co_return c;
    }
    co_return nullptr;
}

void pool::release(std::unique_ptr<connection> reusable) {
    if (closed_) reusable.reset();
    if (!waiters_.empty()) {
        // The right passes to the oldest waiter, with the connection if it is reusable.
        auto w = std::move(waiters_.front());
        waiters_.pop_front();
        w->granted = true;
        w->conn = std::move(reusable);
        w->wake.cancel();
        publish();
        return;
    }
    --busy_;
    if (reusable) keep_idle(std::move(reusable));
    publish();
}

void pool::keep_idle(std::unique_ptr<connection> c) {
    if (closed_ || idle_.size() >= cfg_.max_idle) return;
    idle_.push_back(std::move(c));
    if (!sweeping_) {
        sweeping_ = true;
        net::co_spawn(ex_, sweep(), net::detached);
    }
}

// Closes connections that stayed idle for their idle limit, so that the gateway, not MRS,
// ends them (gateway-anchors.md §3, lesson 1).
net::awaitable<void> pool::sweep() {
    while (!closed_ && !idle_.empty()) {
        auto soonest = std::min_element(idle_.begin(), idle_.end(), [](auto& a, auto& b) {
            return a->last_used + a->idle_for_at_most < b->last_used + b->idle_for_at_most;
        });
        sweep_timer_.expires_at((*soonest)->last_used + (*soonest)->idle_for_at_most);
        co_await sweep_timer_.async_wait(use_tuple);
        if (closed_) break;
        const auto now = clock::now();
        std::erase_if(idle_, [&](auto& c) { return now - c->last_used >= c->idle_for_at_most; });
        publish();
    }
    sweeping_ = false;
}

// A lease for the call: an idle connection, the right to open one, or a place in the queue
// until someone hands one over. `fresh`: the call must go on a new connection.
net::awaitable<bool> pool::acquire(lease& out, bool fresh, clock::time_point deadline,
                                   upstream_reply& failure) {
    if (fresh && busy_ + idle_.size() >= cfg_.max_connections && !idle_.empty()) idle_.erase(idle_.begin());
    if (!idle_.empty() || busy_ + idle_.size() < cfg_.max_connections) {
        ++busy_;
        out = lease(*this);
        if (!fresh) out.conn = co_await take_idle();
        stats_->peak_connections.raise_to(connections());
        publish();
        co_return true;
    }
    if (waiters_.size() >= cfg_.max_pending) {
        ++stats_->queue_full;
        failure.outcome = transport::overloaded;
        failure.retry_after = std::chrono::seconds(1);
        failure.detail = "all " + std::to_string(cfg_.max_connections) + " connections to " + url_.host_header +
                         " are busy and " + std::to_string(waiters_.size()) + " calls wait already";
        co_return false;
    }
    ++stats_->queued;
    auto w = std::make_shared<waiter>(ex_);
    w->wake.expires_at(deadline);
    waiters_.push_back(w);
    publish();
    co_await w->wake.async_wait(use_tuple);
    if (!w->granted) {
        std::erase(waiters_, w);
        ++stats_->queue_timeouts;
        publish();
        failure.outcome = transport::timeout;
        failure.detail = "no connection to " + url_.host_header + " came free before the deadline";
        co_return false;
    }
    out = lease(*this, fresh ? nullptr : std::move(w->conn));
    co_return true;
}

// Waits before connecting again: 50 ms doubling up to 400 ms, each within ±25 % (so that
// calls refused together do not come back together), as long as the whole wait stays within
// upstream.reconnect_window of the first refusal and the request's deadline. False when it
// would not.
net::awaitable<bool> pool::back_off(int retry_no, clock::time_point first_refusal, clock::time_point deadline) {
    thread_local std::minstd_rand jitter{std::random_device{}()};
    const auto base = std::chrono::milliseconds(50) * (1 << std::min(retry_no, 3));
    const auto wait = base * 3 / 4 + std::chrono::milliseconds(jitter() % (base.count() / 2 + 1));
    const auto until = clock::now() + wait;
    if (until >= deadline || until > first_refusal + cfg_.reconnect_window) co_return false;
    net::steady_timer timer(ex_, wait);
    auto [ec] = co_await timer.async_wait(use_tuple);
    co_return !ec;
}

net::awaitable<std::unique_ptr<connection>> pool::open(clock::time_point deadline, upstream_reply& failure,
                                                       open_failure& kind) {
    const auto connect_deadline = std::min(deadline, clock::now() + cfg_.connect_timeout);
    kind = open_failure::final;
    auto fail = [&](transport t, std::string detail) {
        failure.outcome = t;
        failure.detail = std::move(detail);
    };

    tcp::resolver resolver(ex_);
    net::steady_timer timer(ex_, connect_deadline);
    auto resolved = co_await (resolver.async_resolve(url_.host, url_.port, use_tuple) || timer.async_wait(use_tuple));
    if (resolved.index() == 1) {
        fail(transport::timeout, "resolving " + url_.host + " timed out");
        co_return nullptr;
    }
    auto [rec, endpoints] = std::get<0>(std::move(resolved));
    if (rec) {
        fail(transport::unreachable, "resolving " + url_.host + ": " + rec.message());
        co_return nullptr;
    }

    auto c = std::make_unique<connection>();
    // Room for a whole typical MRS answer, so that one read takes it (Beast reads at most
    // the free capacity of the buffer).
    c->buffer.reserve(16 * 1024);
    if (url_.tls)
        c->secure.emplace(ex_, *tls_);
    else
        c->plain.emplace(ex_);
    auto& low = c->lowest();
    low.expires_at(connect_deadline);
    auto [cec, ep] = co_await low.async_connect(endpoints, use_tuple);
    if (cec) {
        // Refused or reset: nothing was sent, so any call may try again (MRS restarting, a
        // load balancer draining). A timeout has used its share of the deadline already.
        if (cec != beast::error::timeout) kind = open_failure::retryable;
        fail(cec == beast::error::timeout ? transport::timeout : transport::unreachable,
             "connecting to " + url_.host + ":" + url_.port + ": " + cec.message());
        co_return nullptr;
    }
    auto& sock = low.socket();
    sock.set_option(tcp::no_delay(true));
    // TCP keepalive finds connections a middlebox dropped without a word (gateway-anchors.md
    // §3, lesson 1): first probe after 30 s idle, then every 10 s, given up after 3.
    sock.set_option(net::socket_base::keep_alive(true));
    const int idle = 30, interval = 10, count = 3;
    ::setsockopt(sock.native_handle(), IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
    ::setsockopt(sock.native_handle(), IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
    ::setsockopt(sock.native_handle(), IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);

    if (c->secure) {
        auto* native = c->secure->native_handle();
        // SNI for name-based virtual hosting (gateway-anchors.md §3 lesson 8), and host name verification.
        if (!is_ip_literal(url_.host) && !SSL_set_tlsext_host_name(native, url_.host.c_str())) {
            fail(transport::unreachable, "cannot set TLS server name");
            co_return nullptr;
        }
        if (cfg_.verify) c->secure->set_verify_callback(ssl::host_name_verification(url_.host));
        SSL_set_ex_data(native, pool_index(), this);
        if (session_) SSL_set_session(native, session_.get());  // resumption saves a full handshake
        auto [hec] = co_await c->secure->async_handshake(ssl::stream_base::client, use_tuple);
        if (hec) {
            fail(hec == beast::error::timeout ? transport::timeout : transport::unreachable,
                 "TLS handshake with " + url_.host + ": " + hec.message());
            co_return nullptr;
        }
        if (SSL_session_reused(native)) ++stats_->resumed;
    }
    ++stats_->opened;
    kind = open_failure::none;
    co_return c;
}

namespace {

template <class Stream>
net::awaitable<void> exchange_on(Stream& stream, beast::flat_buffer& buffer, request& req,
                                 std::size_t body_limit, exchange_state& state, upstream_reply& reply,
                                 bool& before_answer) {
    const auto wire = to_wire(req);
    auto [wec, written] = co_await net::async_write(stream, net::buffer(wire), use_tuple);
    if (wec) {
        state.failed = true;
        before_answer = wec != beast::error::timeout;
        reply.outcome = wec == beast::error::timeout ? transport::timeout : transport::unreachable;
        reply.detail = "sending to MRS: " + wec.message();
        co_return;
    }
    state.request_written = true;

    http::response_parser<http::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(body_limit);
    auto [rec, read] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (rec) {
        state.failed = true;
        if (rec == beast::error::timeout) {
            reply.outcome = transport::timeout;
            reply.detail = "MRS did not answer before the deadline";
        } else if (!parser.got_some()) {
            before_answer = true;
            reply.outcome = transport::unreachable;
            reply.detail = "MRS closed the connection before answering: " + rec.message();
        } else {
            reply.outcome = transport::malformed;
            reply.detail = "reading MRS's answer: " + rec.message();
        }
        co_return;
    }
    auto& res = parser.get();
    state.response_complete = parser.is_done();
    state.keep_alive = res.keep_alive();
    state.leftover_bytes = buffer.size() != 0;
    if (auto ka = res.find(http::field::keep_alive); ka != res.end()) read_keep_alive(ka->value(), state);
    reply.outcome = transport::ok;
    reply.status = res.result_int();
    if (auto ra = res.find(http::field::retry_after); ra != res.end()) {
        // Seconds only; an HTTP date is rare from an API gateway and falls back to the default.
        unsigned long long n = 0;
        const auto v = ra->value();
        if (auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n); ec == std::errc{} && p == v.data() + v.size())
            reply.retry_after = std::chrono::seconds(std::min<unsigned long long>(n, 3600));
    }
    reply.body = std::move(res.body());
}

// What the breaker counts as the endpoint failing: no usable answer, or a status that says
// the endpoint (or what stands before it) is down. A 500 is not one: MRS sends its business
// errors with 500 too (mrs-api.md §5.2); 429 is throttling, which has its own answer.
bool endpoint_failed(const upstream_reply& r) {
    if (r.outcome != transport::ok) return true;
    return r.status == 502 || r.status == 503 || r.status == 504;
}

}  // namespace

net::awaitable<void> pool::run(connection& c, request& req, clock::time_point deadline, attempt& out) {
    c.lowest().expires_at(deadline);
    if (c.secure)
        co_await exchange_on(*c.secure, c.buffer, req, cfg_.body_limit, out.state, out.reply, out.before_answer);
    else
        co_await exchange_on(*c.plain, c.buffer, req, cfg_.body_limit, out.state, out.reply, out.before_answer);
}

net::awaitable<upstream_reply> pool::exchange(request req, bool retry_safe, clock::time_point deadline) {
    if (!url_.path_prefix.empty()) req.target(url_.path_prefix + std::string(req.target()));
    req.set(http::field::host, url_.host_header);
    req.keep_alive(true);
    if (signer_) signer_->sign(req);

    const auto now = clock::now();
    if (!breaker_.allow(now)) {
        ++stats_->breaker_refused;
        upstream_reply r;
        r.outcome = transport::overloaded;
        r.retry_after = breaker_.retry_after(now);
        r.detail = "the circuit breaker for " + url_.host_header + " is open";
        publish();
        co_return r;
    }
    budget_.called(now);
    // The breaker hears how the call ended, or, when it ended without telling anything about
    // the endpoint (cancelled, refused by the queue), that the call is gone.
    struct verdict {
        breaker& b;
        bool counted = false;
        ~verdict() {
            if (!counted) b.abandon();
        }
    } v{breaker_};
    auto reply = co_await attempts(req, retry_safe, deadline, v.counted);
    if (!v.counted) {
        v.counted = true;
        const auto before = breaker_.current();
        breaker_.record(endpoint_failed(reply), clock::now());
        // Operators hear of every opening and closing, at one level, so that a log filtered to
        // warnings shows both. A failed probe (half-open back to open) is not news.
        const auto after = breaker_.current();
        if (before == breaker::state::closed && after == breaker::state::open)
            log::line(log::level::warn, "circuit breaker opened: calls are refused for a while")
                .kv("endpoint", url_.host_header)
                .kv("open_ms", cfg_.breaker_open.count())
                .kv("detail", reply.outcome == transport::ok ? "HTTP " + std::to_string(reply.status) : reply.detail);
        else if (before != breaker::state::closed && after == breaker::state::closed)
            log::line(log::level::warn, "circuit breaker closed: calls go through again").kv("endpoint", url_.host_header);
    }
    publish();
    co_return reply;
}

// The attempts of one call. `not_sent` is set when the call ended in the queue (the breaker
// learns nothing from it).
net::awaitable<upstream_reply> pool::attempts(request& req, bool retry_safe, clock::time_point deadline,
                                              bool& not_sent) {
    int reconnects = 0;
    clock::time_point first_refusal;
    bool resent = false;
    for (;;) {
        upstream_reply failure;
        lease held;
        // A call that must not be sent twice goes on a connection of its own: a pooled one may
        // be closed by MRS between the liveness check and the write, and then nobody can tell
        // whether the call took effect (gateway-anchors.md §3, lessons 2 and 3). With session
        // resumption the new connection costs one round trip more, on calls that are rare.
        if (!co_await acquire(held, resent || !retry_safe, deadline, failure)) {
            not_sent = true;
            breaker_.abandon();
            co_return failure;
        }
        const bool reused = held.conn != nullptr;
        if (reused) {
            ++stats_->reused;
        } else {
            open_failure why;
            held.conn = co_await open(deadline, failure, why);
            if (!held.conn) {
                held.end(nullptr);  // others may connect while this call waits
                if (reconnects == 0) first_refusal = clock::now();
                if (why == open_failure::retryable && budget_.try_spend(clock::now())) {
                    if (co_await back_off(reconnects++, first_refusal, deadline)) {
                        ++stats_->reconnects;
                        continue;
                    }
                } else if (why == open_failure::retryable) {
                    ++stats_->budget_refused;
                }
                co_return failure;
            }
        }
        attempt a;
        co_await run(*held.conn, req, deadline, a);
        const auto now = clock::now();
        auto& c = *held.conn;
        c.last_used = now;
        a.state.requests_served = ++c.requests;
        a.state.age = now - c.created;
        c.idle_for_at_most = idle_limit(a.state, cfg_);
        c.sound = a.state.response_complete && !a.state.failed;
        held.end(may_reuse(a.state, cfg_) ? std::move(held.conn) : nullptr);
        // A connection that died before any byte of the answer most likely was closed by MRS
        // while idle, or MRS restarted: send once more on a fresh one, if that is harmless.
        if (a.before_answer && retry_safe && !resent && now < deadline) {
            if (reused) ++stats_->stale_reuse;
            if (budget_.try_spend(now)) {
                ++stats_->resent;
                resent = true;
                continue;
            }
            ++stats_->budget_refused;
        }
        co_return std::move(a.reply);
    }
}

}  // namespace sgw::upstream
