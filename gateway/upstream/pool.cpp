// Keep-alive connection pool to one MRS endpoint, owned by one worker thread.
#include "gateway/upstream/pool.hpp"

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
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <optional>
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

bool may_reuse(const exchange_state& s, const upstream_config& limits) noexcept {
    return s.request_written && s.response_complete && s.keep_alive && !s.leftover_bytes && !s.failed &&
           s.requests_served < limits.max_requests_per_connection && s.age < limits.max_connection_age;
}

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
    return ctx;
}

pool::pool(net::any_io_executor ex, const upstream_config& cfg, base_url url, ssl::context* tls)
    : ex_(std::move(ex)), cfg_(cfg), url_(std::move(url)), tls_(tls), sweep_timer_(ex_) {}

pool::~pool() = default;

void pool::close() {
    closed_ = true;
    idle_.clear();
    sweep_timer_.cancel();
}

// A connection idle for less than this is reused without the liveness check when the call
// may be resent: a peer closing it that fast is rare, and the resend covers it. Calls that
// must not be resent always pay for the check.
constexpr auto unchecked_reuse = std::chrono::seconds(1);

// The connection leaves idle_ before its check, so that nothing else (another call on this
// thread, the sweeper) touches it while the TLS probe is suspended.
net::awaitable<std::unique_ptr<connection>> pool::take_idle(bool retry_safe) {
    while (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        const auto idle_for = clock::now() - c->last_used;
        if (idle_for >= cfg_.idle_timeout) continue;
        const bool check = !retry_safe || idle_for >= unchecked_reuse;
        if (check && !co_await c->still_alive()) continue;
        co_return c;
    }
    co_return nullptr;
}

void pool::give_back(std::unique_ptr<connection> c) {
    if (closed_ || idle_.size() >= cfg_.max_idle) return;
    idle_.push_back(std::move(c));
    if (!sweeping_) {
        sweeping_ = true;
        net::co_spawn(ex_, sweep(), net::detached);
    }
}

// Closes connections that stayed idle for idle_timeout, so that the gateway, not MRS,
// ends them (gateway-anchors.md §3, lesson 1).
net::awaitable<void> pool::sweep() {
    while (!closed_ && !idle_.empty()) {
        auto oldest = std::min_element(idle_.begin(), idle_.end(), [](auto& a, auto& b) {
            return a->last_used < b->last_used;
        });
        sweep_timer_.expires_at((*oldest)->last_used + cfg_.idle_timeout);
        co_await sweep_timer_.async_wait(use_tuple);
        if (closed_) break;
        const auto now = clock::now();
        std::erase_if(idle_, [&](auto& c) { return now - c->last_used >= cfg_.idle_timeout; });
    }
    sweeping_ = false;
}

net::awaitable<std::unique_ptr<connection>> pool::open(clock::time_point deadline, upstream_reply& failure) {
    const auto connect_deadline = std::min(deadline, clock::now() + cfg_.connect_timeout);
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
        fail(cec == beast::error::timeout ? transport::timeout : transport::unreachable,
             "connecting to " + url_.host + ":" + url_.port + ": " + cec.message());
        co_return nullptr;
    }
    low.socket().set_option(tcp::no_delay(true));

    if (c->secure) {
        // SNI for name-based virtual hosting (gateway-anchors.md §3 lesson 8), and host name verification.
        if (!is_ip_literal(url_.host) && !SSL_set_tlsext_host_name(c->secure->native_handle(), url_.host.c_str())) {
            fail(transport::unreachable, "cannot set TLS server name");
            co_return nullptr;
        }
        if (cfg_.verify) c->secure->set_verify_callback(ssl::host_name_verification(url_.host));
        auto [hec] = co_await c->secure->async_handshake(ssl::stream_base::client, use_tuple);
        if (hec) {
            fail(hec == beast::error::timeout ? transport::timeout : transport::unreachable,
                 "TLS handshake with " + url_.host + ": " + hec.message());
            co_return nullptr;
        }
    }
    co_return c;
}

namespace {

template <class Stream>
net::awaitable<void> exchange_on(Stream& stream, beast::flat_buffer& buffer, request& req,
                                 std::size_t body_limit, exchange_state& state, upstream_reply& reply,
                                 bool& before_answer) {
    auto [wec, written] = co_await http::async_write(stream, req, use_tuple);
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
    reply.outcome = transport::ok;
    reply.status = res.result_int();
    reply.body = std::move(res.body());
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
    for (int attempt_no = 0;; ++attempt_no) {
        std::unique_ptr<connection> c;
        if (attempt_no == 0) c = co_await take_idle(retry_safe);
        const bool reused = c != nullptr;
        if (!reused) {
            upstream_reply failure;
            c = co_await open(deadline, failure);
            if (!c) co_return failure;
        }
        attempt a;
        co_await run(*c, req, deadline, a);
        const auto now = clock::now();
        c->last_used = now;
        a.state.requests_served = ++c->requests;
        a.state.age = now - c->created;
        if (may_reuse(a.state, cfg_)) give_back(std::move(c));
        // A reused connection that died before any answer most likely had been closed by
        // MRS while idle: send once more on a fresh one, if that is harmless.
        if (a.before_answer && reused && retry_safe && attempt_no == 0 && now < deadline) {
            continue;
        }
        co_return std::move(a.reply);
    }
}

}  // namespace sgw::upstream
