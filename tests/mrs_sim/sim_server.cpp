// MRS simulator: Beast/Asio server (plain HTTP or TLS), control API and faults.
#include "sim_server.hpp"
#include "sim_util.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <sys/socket.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <limits>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

namespace mrs_sim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;

// ---------------------------------------------------------------------------------------
// Faults

bool rate_gate::fire(double rate) {
    if (rate <= 0) {
        return false;
    }
    sum_ += rate;
    if (sum_ >= 1 - 1e-9) {
        sum_ -= 1;
        return true;
    }
    return false;
}

std::optional<fault_set> parse_faults(std::string_view body, std::string& error) {
    error_code ec;
    const json::value doc = json::parse(body.empty() ? std::string_view("{}") : body, ec);
    if (ec || !doc.is_object()) {
        error = "the body must be a JSON object";
        return std::nullopt;
    }
    fault_set f;
    f.source = doc.get_object();
    auto rate = [](const json::value& v, double& out) {
        if (!v.is_number()) {
            return false;
        }
        out = v.to_number<double>();
        return out >= 0 && out <= 1;
    };
    auto integer = [](const json::value& v, std::int64_t lo, std::int64_t hi, std::int64_t& out) {
        error_code e;
        out = v.is_number() ? v.to_number<std::int64_t>(e) : 0;
        return v.is_number() && !e && out >= lo && out <= hi;
    };
    bool has_status = false;
    bool has_rate = false;
    for (const auto& kv : f.source) {
        const std::string_view key = kv.key();
        const json::value& v = kv.value();
        bool ok = false;
        if (key == "latency_ms") {
            ok = integer(v, 0, 600000, f.latency_ms);
        } else if (key == "error_status") {
            // sim choice: error statuses only, so the error body always fits the status.
            std::int64_t s = 0;
            ok = integer(v, 400, 599, s);
            f.error_status = static_cast<unsigned>(s);
            has_status = true;
        } else if (key == "error_rate") {
            ok = rate(v, f.error_rate);
            has_rate = true;
        } else if (key == "close_after") {
            ok = integer(v, 0, std::numeric_limits<std::int64_t>::max(), f.close_after);
        } else if (key == "malformed") {
            ok = v.is_string() && (v.get_string() == "garbage" || v.get_string() == "truncated");
            if (ok) {
                f.malformed = v.get_string() == "garbage" ? fault_set::malformed_kind::garbage
                                                          : fault_set::malformed_kind::truncated;
            }
        } else if (key == "malformed_rate") {
            ok = rate(v, f.malformed_rate);
        } else if (key == "stall") {
            ok = v.is_bool();
            f.stall = ok && v.get_bool();
        } else if (key == "reset_rate") {
            ok = rate(v, f.reset_rate);
        } else if (key == "idle_close_ms") {
            ok = integer(v, 0, 600000, f.idle_close_ms);
        } else if (key == "throttle_rate") {
            ok = rate(v, f.throttle_rate);
        } else if (key == "throttle_retry_after_s") {
            ok = integer(v, 0, 3600, f.throttle_retry_after_s);
        } else if (key == "close_notify") {
            ok = v.is_bool();
            f.close_notify = ok && v.get_bool();
        } else if (key == "reset_mid_rate") {
            ok = rate(v, f.reset_mid_rate);
        } else if (key == "stall_after_headers") {
            ok = v.is_bool();
            f.stall_after_headers = ok && v.get_bool();
        } else {
            error = "unknown fault: " + std::string(key);
            return std::nullopt;
        }
        if (!ok) {
            error = "bad value for " + std::string(key);
            return std::nullopt;
        }
    }
    // sim choice: error_status alone hits every request; error_rate alone answers 500.
    if (has_status && !has_rate) {
        f.error_rate = 1;
    }
    if (has_rate && !has_status) {
        f.error_status = 500;
    }
    return f;
}

// ---------------------------------------------------------------------------------------
// Server

namespace {

constexpr auto io_timeout = 30s;
constexpr auto shutdown_timeout = 5s;
constexpr std::uint32_t header_limit = 16 * 1024;
constexpr std::uint64_t body_limit = 1024 * 1024;
constexpr std::string_view content_type = "application/json;charset=UTF-8";

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void log_line(std::string_view what, std::string_view detail) {
    const std::string line = "mrs-sim: " + std::string(what) + ": " + std::string(detail) + "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
}

std::string new_request_id() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    char buf[40];
    std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                  static_cast<unsigned long long>(rng()));
    return buf;
}

// Errors that are part of a connection's normal end: not worth a log line.
bool routine(const error_code& ec) {
    return ec == http::error::end_of_stream || ec == http::error::partial_message || ec == beast::error::timeout ||
           ec == ssl::error::stream_truncated || ec == asio::error::eof || ec == asio::error::connection_reset ||
           ec == asio::error::operation_aborted || ec == asio::error::broken_pipe;
}

// Whether bytes of a request already wait above the socket, where a wait for readability
// does not see them: read with the TLS handshake's last flight, or with an earlier request.
bool buffered(beast::tcp_stream&) { return false; }
bool buffered(beast::ssl_stream<beast::tcp_stream>& stream) {
    SSL* ssl = stream.native_handle();
    return SSL_has_pending(ssl) == 1 || BIO_ctrl_pending(SSL_get_rbio(ssl)) > 0;
}

reply json_reply(unsigned status, const json::value& v) {
    return {status, json::serialize(v), {}};
}

void on_done(const std::exception_ptr& e) {
    if (e) {
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& x) {
            log_line("internal error", x.what());
        }
    }
}

// How a connection ends: graceful (a FIN, or under TLS a close_notify with the usual wait for
// the peer's), abrupt (the socket is just closed), or notify (close_after with close_notify: a
// close_notify under TLS with a short wait, a FIN on plain HTTP, then the socket is closed).
enum class ending { graceful, abrupt, notify };

// The longest close_notify waits for the peer's own close_notify before the socket is closed.
constexpr auto notify_timeout = 250ms;

// Open connections that carried an MRS or identity request, for the stats: one per session,
// entered at the connection's first such request, left when the session ends.
class connection_gauge {
public:
    connection_gauge(std::atomic<std::int64_t>& open, std::atomic<std::int64_t>& peak) : open_(open), peak_(peak) {}
    connection_gauge(const connection_gauge&) = delete;
    connection_gauge& operator=(const connection_gauge&) = delete;
    ~connection_gauge() {
        if (entered_) {
            --open_;
        }
    }
    void enter() {
        if (entered_) {
            return;
        }
        entered_ = true;
        const std::int64_t now = ++open_;
        std::int64_t seen = peak_.load();
        while (now > seen && !peak_.compare_exchange_weak(seen, now)) {
        }
    }

private:
    std::atomic<std::int64_t>& open_;
    std::atomic<std::int64_t>& peak_;
    bool entered_ = false;
};

struct decision {
    bool stall = false;
    bool reset = false;
    bool throttle = false;
    std::int64_t throttle_retry_after_s = 0;
    bool reset_mid = false;
    bool stall_after_headers = false;
    bool close_notify = false;
    bool error = false;
    unsigned error_status = 0;
    std::int64_t latency_ms = 0;
    std::int64_t close_after = 0;
    fault_set::malformed_kind malformed = fault_set::malformed_kind::none;
};

class server {
public:
    explicit server(sim_state& state) : state_(state) {}

    asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, ssl::context* tls);

private:
    asio::awaitable<void> plain_session(tcp::socket sock);
    asio::awaitable<void> tls_session(tcp::socket sock, ssl::context& ctx);
    template <class Stream>
    asio::awaitable<ending> serve(Stream& stream, connection_gauge& gauge);
    template <class Stream>
    asio::awaitable<bool> write_reply(Stream& stream, reply rep, std::string_view request_id, unsigned version,
                                      bool keep_alive, bool truncated);
    enum class cut { after_headers, mid_body };
    template <class Stream>
    asio::awaitable<bool> write_part(Stream& stream, reply rep, std::string_view request_id, unsigned version,
                                     bool keep_alive, cut where);

    decision decide();
    std::int64_t idle_close_ms();
    reply control(const http::request<http::string_body>& req);
    json::object render_stats() const;
    std::string last_request_id() const;

    std::mutex state_mutex_;
    sim_state& state_;

    mutable std::mutex fault_mutex_;
    std::string last_client_request_id_;  ///< guarded by fault_mutex_
    fault_set faults_;
    rate_gate error_gate_, malformed_gate_, reset_gate_, throttle_gate_, reset_mid_gate_;

    std::atomic<std::uint64_t> requests_{0};
    std::atomic<std::uint64_t> connections_{0};
    std::atomic<std::int64_t> open_connections_{0};  // see connection_gauge
    std::atomic<std::int64_t> peak_connections_{0};
    std::atomic<std::uint64_t> signed_{0};              // AK/SK-signed requests whose signature held
    std::atomic<std::uint64_t> signature_failures_{0};  // ... and whose signature did not (401)
    std::array<std::atomic<std::uint64_t>, endpoint_count> by_endpoint_{};
};

asio::awaitable<void> server::accept_loop(tcp::acceptor& acceptor, ssl::context* tls) {
    for (;;) {
        // One strand per connection, so a session never runs on two threads at once.
        tcp::socket sock(asio::make_strand(acceptor.get_executor()));
        auto [ec] = co_await acceptor.async_accept(sock, asio::as_tuple(asio::use_awaitable));
        if (ec == asio::error::operation_aborted) {
            co_return;
        }
        if (ec) {
            log_line("accept", ec.message());
            asio::steady_timer pause(acceptor.get_executor(), 100ms);  // e.g. out of file descriptors
            co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
            continue;
        }
        ++connections_;
        // Answers go out at once, as from any HTTP server in front of MRS: with Nagle's
        // algorithm a TLS answer written in records waits for the client's delayed ACK (40 ms).
        boost::system::error_code nodelay_ec;
        sock.set_option(tcp::no_delay(true), nodelay_ec);
        const auto ex = sock.get_executor();
        if (tls) {
            asio::co_spawn(ex, tls_session(std::move(sock), *tls), on_done);
        } else {
            asio::co_spawn(ex, plain_session(std::move(sock)), on_done);
        }
    }
}

asio::awaitable<void> server::plain_session(tcp::socket sock) {
    connection_gauge gauge(open_connections_, peak_connections_);
    beast::tcp_stream stream(std::move(sock));
    const ending end = co_await serve(stream, gauge);
    if (end != ending::abrupt) {
        error_code ec;
        stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
    if (end == ending::notify) {
        error_code ignored;
        stream.socket().close(ignored);
    }
}

asio::awaitable<void> server::tls_session(tcp::socket sock, ssl::context& ctx) {
    connection_gauge gauge(open_connections_, peak_connections_);
    beast::ssl_stream<beast::tcp_stream> stream(std::move(sock), ctx);
    stream.next_layer().expires_after(io_timeout);
    auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, asio::as_tuple(asio::use_awaitable));
    if (ec) {
        if (!routine(ec)) {
            log_line("tls handshake", ec.message());
        }
        co_return;
    }
    const ending end = co_await serve(stream, gauge);
    if (end != ending::abrupt) {
        // close_notify, then wait for the peer's: up to shutdown_timeout when the connection
        // ends in order, only briefly for close_after with close_notify (sim choice: the
        // simulator does not hold a connection it has given up on).
        stream.next_layer().expires_after(end == ending::notify ? notify_timeout : shutdown_timeout);
        co_await stream.async_shutdown(asio::as_tuple(asio::use_awaitable));  // errors don't matter here
    }
    if (end == ending::notify) {
        error_code ignored;
        stream.next_layer().socket().close(ignored);
    }
}

decision server::decide() {
    std::lock_guard lock(fault_mutex_);
    decision d;
    d.stall = faults_.stall;
    d.reset = reset_gate_.fire(faults_.reset_rate);
    d.throttle = throttle_gate_.fire(faults_.throttle_rate);
    d.throttle_retry_after_s = faults_.throttle_retry_after_s;
    d.reset_mid = reset_mid_gate_.fire(faults_.reset_mid_rate);
    d.stall_after_headers = faults_.stall_after_headers;
    d.close_notify = faults_.close_notify;
    d.latency_ms = faults_.latency_ms;
    d.error_status = faults_.error_status;
    d.error = d.error_status != 0 && error_gate_.fire(faults_.error_rate);
    if (faults_.malformed != fault_set::malformed_kind::none && malformed_gate_.fire(faults_.malformed_rate)) {
        d.malformed = faults_.malformed;
    }
    d.close_after = faults_.close_after;
    return d;
}

std::int64_t server::idle_close_ms() {
    std::lock_guard lock(fault_mutex_);
    return faults_.idle_close_ms;
}

template <class Stream>
asio::awaitable<ending> server::serve(Stream& stream, connection_gauge& gauge) {
    beast::flat_buffer buffer;
    auto& tcp_layer = beast::get_lowest_layer(stream);
    std::int64_t answered = 0;  // MRS answers on this connection, for close_after
    for (bool first_request = true;; first_request = false) {
        // idle_close_ms: end a keep-alive connection that waited that long for its next
        // request, as upstreams and load balancers do (gateway-anchors.md §3, keep-alive reuse
        // races). It ends like any graceful close: a TCP FIN on plain HTTP; under TLS a
        // close_notify, after which the TCP connection stays open until the peer closes it or
        // answers with its own close_notify (at most shutdown_timeout). In that window a
        // client that only peeks at the raw socket sees bytes, not EOF. Waiting for
        // readability consumes nothing, so a request that does come is read as usual.
        if (const auto idle_ms = idle_close_ms();
            idle_ms > 0 && !first_request && buffer.size() == 0 && !buffered(stream)) {
            asio::steady_timer idle(co_await asio::this_coro::executor, std::chrono::milliseconds(idle_ms));
            auto first = co_await (tcp_layer.socket().async_wait(tcp::socket::wait_read,
                                                                 asio::as_tuple(asio::use_awaitable)) ||
                                   idle.async_wait(asio::as_tuple(asio::use_awaitable)));
            if (first.index() == 1) {
                co_return ending::graceful;
            }
        }
        http::request_parser<http::string_body> parser;  // a fresh parser per request
        parser.header_limit(header_limit);
        parser.body_limit(body_limit);
        tcp_layer.expires_after(io_timeout);
        auto [ec, n] = co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
        if (ec == http::error::end_of_stream) {
            co_return ending::graceful;
        }
        if (ec) {
            if (ec.category() == http::make_error_code(http::error::bad_target).category() &&
                ec != http::error::partial_message) {
                // Malformed HTTP: 400 and close.
                reply bad = json_reply(400, json::object{{"error_code", "12000002"}, {"error_msg", "Bad request."}});
                co_await write_reply(stream, std::move(bad), new_request_id(), 11, false, false);
            } else if (!routine(ec)) {
                log_line("read", ec.message());
            }
            co_return ending::abrupt;
        }
        const auto& req = parser.get();
        const bool keep_alive = req.keep_alive();
        const std::string request_id = new_request_id();
        const std::string_view target = req.target();

        if (target == "/_sim" || target.starts_with("/_sim/") || target.starts_with("/_sim?")) {
            if (!co_await write_reply(stream, control(req), request_id, req.version(), keep_alive, false)) {
                co_return ending::abrupt;
            }
            if (!keep_alive) {
                co_return ending::graceful;
            }
            continue;
        }

        {
            // What the caller sent as X-Request-Id, for tests that follow one id across the hop.
            std::lock_guard lock(fault_mutex_);
            last_client_request_id_ = std::string(req["X-Request-Id"]);
        }
        gauge.enter();
        const route r = match_route(req.method_string(), target);
        ++requests_;
        if (r.result == route::kind::matched) {
            ++by_endpoint_[static_cast<std::size_t>(r.ep)];
        }
        const decision d = decide();
        if (d.stall) {
            // Never answer; read and drop whatever comes until the peer goes away.
            tcp_layer.expires_never();
            std::array<char, 1024> sink;
            for (;;) {
                auto [rec, rn] =
                    co_await tcp_layer.async_read_some(asio::buffer(sink), asio::as_tuple(asio::use_awaitable));
                if (rec) {
                    co_return ending::abrupt;
                }
            }
        }
        if (d.reset) {
            // RST instead of FIN: linger on with a zero timeout, then close.
            error_code ignored;
            tcp_layer.socket().set_option(tcp::socket::linger(true, 0), ignored);
            tcp_layer.socket().close(ignored);
            co_return ending::abrupt;
        }
        if (d.latency_ms > 0) {
            // sim choice: a client that closes the connection during the wait ends it at once
            // (seen by peeking at the socket), so that open_connections counts only connections
            // the client still holds. Bytes that come instead (a pipelined request, TLS records)
            // are left for later reads and the wait runs out.
            asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(d.latency_ms));
            bool watch = true;
            for (;;) {
                if (!watch) {
                    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
                    break;
                }
                auto first = co_await (timer.async_wait(asio::as_tuple(asio::use_awaitable)) ||
                                       tcp_layer.socket().async_wait(tcp::socket::wait_read,
                                                                     asio::as_tuple(asio::use_awaitable)));
                if (first.index() == 0) {
                    break;
                }
                char byte;
                const auto peeked = ::recv(tcp_layer.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
                if (peeked == 0 || (peeked < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
                    co_return ending::abrupt;
                }
                watch = false;
            }
        }

        reply rep;
        if (d.throttle) {
            // mrs-api.md §5.4: the API gateway's rate limit answers before MRS sees the request.
            rep = detail::apigw_throttled(request_id, d.throttle_retry_after_s);
        } else if (d.error) {
            // mrs-api.md §5.3: 12000004, internal server error.
            rep = json_reply(d.error_status,
                             json::object{{"error_code", "12000004"}, {"error_msg", "Internal server error."}});
        } else {
            auto header = [&](std::string_view name) -> std::optional<std::string_view> {
                const auto it = req.find(name);
                return it == req.end() ? std::nullopt : std::optional<std::string_view>(it->value());
            };
            header_list headers;
            for (const auto& field : req) {
                headers.emplace_back(field.name_string(), field.value());
            }
            const api_request call{req.method_string(),       target,     header("X-Auth-Token"),
                                   header("X-Subject-Token"), req.body(), request_id,
                                   std::move(headers)};
            std::lock_guard lock(state_mutex_);
            rep = state_.handle(call, r, now_ms());
        }
        if (rep.signature == signature_outcome::accepted) {
            ++signed_;
        } else if (rep.signature == signature_outcome::rejected) {
            ++signature_failures_;
        }
        bool truncated = false;
        if (d.malformed == fault_set::malformed_kind::garbage) {
            rep = {200, R"({"job_execution": {)", {}};
        } else if (d.malformed == fault_set::malformed_kind::truncated) {
            truncated = true;
            if (rep.body.empty()) {
                rep = {200, "{}", {}};  // sim choice: a 204 has no body to cut, so send one
            }
        }
        ++answered;
        if (d.stall_after_headers) {
            // sim choice: an upstream that hangs once its header is out (a backend stuck while
            // producing the body): the header promises the whole body, nothing follows; read and
            // drop whatever comes until the peer goes away, as for stall.
            if (!co_await write_part(stream, std::move(rep), request_id, req.version(), keep_alive,
                                     cut::after_headers)) {
                co_return ending::abrupt;
            }
            tcp_layer.expires_never();
            std::array<char, 1024> sink;
            for (;;) {
                auto [rec, rn] =
                    co_await tcp_layer.async_read_some(asio::buffer(sink), asio::as_tuple(asio::use_awaitable));
                if (rec) {
                    co_return ending::abrupt;
                }
            }
        }
        if (d.reset_mid) {
            // sim choice: a connection reset while the answer is on its way (an upstream or a
            // load balancer dying mid-response): the header and about half the body, then a TCP
            // reset (SO_LINGER 0), as reset_rate does before answering.
            co_await write_part(stream, std::move(rep), request_id, req.version(), keep_alive, cut::mid_body);
            error_code ignored;
            tcp_layer.socket().set_option(tcp::socket::linger(true, 0), ignored);
            tcp_layer.socket().close(ignored);
            co_return ending::abrupt;
        }
        if (!co_await write_reply(stream, std::move(rep), request_id, req.version(), keep_alive, truncated)) {
            co_return ending::abrupt;
        }
        if (truncated) {
            co_return ending::abrupt;
        }
        // close_after: end the connection with no "Connection: close" announced, as an upstream
        // does with a keep-alive connection it no longer wants. By default silently (the socket is
        // just closed); with close_notify in order (gateway-anchors.md §3, keep-alive reuse
        // races): under TLS a close_notify first, on plain HTTP a FIN, then the close.
        if (d.close_after > 0 && answered >= d.close_after) {
            co_return d.close_notify ? ending::notify : ending::abrupt;
        }
        if (!keep_alive) {
            co_return ending::graceful;
        }
    }
}

namespace {

// The HTTP answer for `rep`, with the headers every MRS answer carries.
http::response<http::string_body> make_response(reply rep, std::string_view request_id, unsigned version,
                                                bool keep_alive) {
    http::response<http::string_body> res;
    res.version(version);
    res.result(rep.status);
    res.set(http::field::content_type, content_type);
    res.set("X-Request-Id", request_id);
    for (const auto& [name, value] : rep.headers) {
        res.set(name, value);
    }
    res.keep_alive(keep_alive);
    res.body() = std::move(rep.body);
    res.prepare_payload();
    if (rep.status == 204) {
        res.erase(http::field::content_length);  // RFC 9110 §8.6: none on a 204
    }
    return res;
}

}  // namespace

template <class Stream>
asio::awaitable<bool> server::write_reply(Stream& stream, reply rep, std::string_view request_id, unsigned version,
                                          bool keep_alive, bool truncated) {
    auto res = make_response(std::move(rep), request_id, version, keep_alive);
    if (truncated) {
        res.content_length(res.body().size() + 64);  // promise more than will be sent
    }
    beast::get_lowest_layer(stream).expires_after(io_timeout);
    auto [ec, n] = co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
    if (ec && !routine(ec)) {
        log_line("write", ec.message());
    }
    co_return !ec;
}

// The answer write_reply would send, cut short: only the status line and header (after_headers),
// or the header and the first half of the body (mid_body; for an answer without a body, the
// first half of the header). Returns false when the write failed.
template <class Stream>
asio::awaitable<bool> server::write_part(Stream& stream, reply rep, std::string_view request_id, unsigned version,
                                         bool keep_alive, cut where) {
    auto res = make_response(std::move(rep), request_id, version, keep_alive);
    std::ostringstream wire_out;
    wire_out << res;
    const std::string wire = std::move(wire_out).str();
    const std::size_t header_size = wire.size() - res.body().size();
    std::size_t keep = header_size;
    if (where == cut::mid_body) {
        keep = res.body().empty() ? header_size / 2 : header_size + res.body().size() / 2;
    }
    beast::get_lowest_layer(stream).expires_after(io_timeout);
    auto [ec, n] =
        co_await asio::async_write(stream, asio::buffer(wire.data(), keep), asio::as_tuple(asio::use_awaitable));
    if (ec && !routine(ec)) {
        log_line("write", ec.message());
    }
    co_return !ec;
}

std::string server::last_request_id() const {
    std::lock_guard lock(fault_mutex_);
    return last_client_request_id_;
}

json::object server::render_stats() const {
    json::object by;
    for (std::size_t i = 0; i < endpoint_count; ++i) {
        by[endpoint_name(static_cast<endpoint>(i))] = by_endpoint_[i].load();
    }
    return {{"requests", requests_.load()},
            {"connections", connections_.load()},
            {"open_connections", open_connections_.load()},
            {"peak_connections", peak_connections_.load()},
            {"signed_requests", signed_.load()},
            {"signature_failures", signature_failures_.load()},
            {"last_client_request_id", last_request_id()},
            {"by_endpoint", std::move(by)}};
}

reply server::control(const http::request<http::string_body>& req) {
    const std::string_view target = req.target();
    const std::string_view path = target.substr(0, target.find('?'));
    const http::verb method = req.method();
    auto allow = [&](http::verb v) { return method == v; };
    auto error = [](unsigned status, std::string_view msg) { return json_reply(status, json::object{{"error", msg}}); };

    if (path == "/_sim/state") {
        if (!allow(http::verb::get)) return error(405, "method not allowed");
        std::lock_guard lock(state_mutex_);
        return json_reply(200, state_.render_state(now_ms()));
    }
    if (path == "/_sim/stats") {
        if (!allow(http::verb::get)) return error(405, "method not allowed");
        return json_reply(200, render_stats());
    }
    if (path == "/_sim/stats/reset") {
        if (!allow(http::verb::post)) return error(405, "method not allowed");
        requests_ = 0;
        connections_ = 0;
        peak_connections_ = open_connections_.load();
        signed_ = 0;
        signature_failures_ = 0;
        for (auto& c : by_endpoint_) {
            c = 0;
        }
        return json_reply(200, render_stats());
    }
    if (path == "/_sim/jobs") {
        if (!allow(http::verb::post)) return error(405, "method not allowed");
        std::lock_guard lock(state_mutex_);
        return state_.add_job(req.body(), now_ms());
    }
    if (path == "/_sim/clusters") {
        if (!allow(http::verb::post)) return error(405, "method not allowed");
        std::lock_guard lock(state_mutex_);
        return state_.add_cluster(req.body(), now_ms());
    }
    if (path == "/_sim/data-sources") {
        if (!allow(http::verb::post)) return error(405, "method not allowed");
        std::lock_guard lock(state_mutex_);
        return state_.add_data_source(req.body(), now_ms());
    }
    if (path == "/_sim/job-objects") {
        if (!allow(http::verb::post)) return error(405, "method not allowed");
        std::lock_guard lock(state_mutex_);
        return state_.add_job_object(req.body(), now_ms());
    }
    if (path == "/_sim/switches") {
        std::lock_guard lock(state_mutex_);
        if (allow(http::verb::get)) {
            return json_reply(200, state_.render_switches());
        }
        if (allow(http::verb::post)) {
            return state_.set_switches(req.body());
        }
        return error(405, "method not allowed");
    }
    if (path == "/_sim/aksk") {
        if (!allow(http::verb::post)) return error(405, "method not allowed");
        std::lock_guard lock(state_mutex_);
        return state_.add_key(req.body());
    }
    if (path == "/_sim/clock") {
        std::lock_guard lock(state_mutex_);
        if (allow(http::verb::get)) {
            return json_reply(200, state_.render_clock(now_ms()));
        }
        if (allow(http::verb::post)) {
            return state_.set_clock(req.body());
        }
        return error(405, "method not allowed");
    }
    if (path == "/_sim/faults") {
        std::lock_guard lock(fault_mutex_);
        if (allow(http::verb::get)) {
            return json_reply(200, faults_.source);
        }
        if (allow(http::verb::post) || allow(http::verb::delete_)) {
            std::string err;
            auto parsed = allow(http::verb::post) ? parse_faults(req.body(), err) : fault_set{};
            if (!parsed) {
                return error(400, err);
            }
            faults_ = std::move(*parsed);
            error_gate_ = malformed_gate_ = reset_gate_ = throttle_gate_ = reset_mid_gate_ = rate_gate{};
            return json_reply(200, faults_.source);
        }
        return error(405, "method not allowed");
    }
    return error(404, "unknown control path");
}

}  // namespace

int run_server(const server_options& opts, sim_state& state) {
    // Declared before the io_context: the sessions it destroys on exit refer to them.
    std::optional<ssl::context> tls;
    if (!opts.tls_cert.empty()) {
        tls.emplace(ssl::context::tls_server);
        tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                         ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
        error_code ec;
        tls->use_certificate_chain_file(opts.tls_cert, ec);
        if (!ec) {
            tls->use_private_key_file(opts.tls_key, ssl::context::pem, ec);
        }
        if (ec) {
            log_line("tls setup", ec.message());
            return 1;
        }
    }
    server srv(state);
    asio::io_context ioc(opts.threads);
    // Before the "listening" line, so a test may signal as soon as it has read it.
    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](const error_code& e, int) {
        if (!e) {
            ioc.stop();
        }
    });

    error_code ec;
    std::string host = opts.host == "localhost" ? "127.0.0.1" : opts.host;
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    const auto address = asio::ip::make_address(host, ec);
    if (ec) {
        log_line("--listen", "not an IP address: " + opts.host);
        return 1;
    }
    tcp::acceptor acceptor(ioc);
    const tcp::endpoint endpoint(address, opts.port);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) {
        acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    }
    if (!ec) {
        acceptor.bind(endpoint, ec);
    }
    if (!ec) {
        acceptor.listen(asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        log_line("listen on " + opts.host + ":" + std::to_string(opts.port), ec.message());
        return 1;
    }
    const tcp::endpoint local = acceptor.local_endpoint();
    const std::string shown =
        local.address().is_v6() ? "[" + local.address().to_string() + "]" : local.address().to_string();
    std::cout << "listening " << shown << ":" << local.port() << std::endl;  // flushed: tests wait for it

    asio::co_spawn(ioc, srv.accept_loop(acceptor, tls ? &*tls : nullptr), on_done);

    std::vector<std::thread> extra;
    for (int i = 1; i < opts.threads; ++i) {
        extra.emplace_back([&ioc] { ioc.run(); });
    }
    ioc.run();
    for (auto& t : extra) {
        t.join();
    }
    return 0;
}

}  // namespace mrs_sim
