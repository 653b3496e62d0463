// One client connection: HTTP/1.1 framing, limits, deadlines, keep-alive and HEAD, per
// RFC 9112. It hands each request to a handler and writes the answer; it knows nothing of
// what the requests mean. A template over the stream so that tests drive it on
// beast::test::stream (no sockets, byte-exact).
#pragma once

#include "gateway/wire.hpp"
#include "translators/common/fault.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace sgw {

using http_request = boost::beast::http::request<boost::beast::http::string_body>;
using http_response = boost::beast::http::response<boost::beast::http::string_body>;

struct session_limits {
    std::size_t header_limit = 8 * 1024;
    std::size_t body_limit = 114688;
    std::chrono::milliseconds idle_timeout{60'000};    ///< waiting for the next request's first byte
    std::chrono::milliseconds header_timeout{10'000};  ///< the whole header, from its first byte
    std::chrono::milliseconds read_timeout{15'000};    ///< the body, once the header is in
    std::chrono::milliseconds write_timeout{15'000};
};

/// What the session hands requests to.
class http_handler {
public:
    virtual ~http_handler() = default;
    /// The answer to a complete request. The session sets keep-alive on it.
    virtual boost::asio::awaitable<http_response> handle(http_request& req) = 0;
    /// The answer to a request refused before it was read whole (malformed, too large, or
    /// framed in a way the gateway does not accept); the session closes the connection after
    /// writing it. `reason` is for the log.
    virtual http_response reject(fault why, std::string_view reason) = 0;
};

/// What the session shares with its owner: the listener's drain, and the owner's keeping of
/// idle connections.
struct session_flags {
    bool idle = false;             ///< between requests, waiting for the first byte of the next
    const bool* draining = nullptr;  ///< once true: no new request is read, the answer closes
    const bool* closing = nullptr;   ///< once true: requests are still read, each answer closes
    /// Set by an owner that keeps idle connections itself: run_http_session then returns
    /// session_end::idle when a request has been answered and no other has begun, holding
    /// nothing. The owner waits for the socket to become readable, ends the connection once it
    /// has been idle longer than the keep-alive timeout, and otherwise calls run_http_session
    /// again. An idle connection is then just its socket and the owner's record of it.
    bool owner_keeps_idle = false;
    bool served = false;  ///< a request was answered on this connection (kept across calls)
    std::chrono::steady_clock::time_point idle_since{};  ///< set by the owner as it waits
};

/// Why run_http_session returned.
enum class session_end {
    closed,  ///< the connection is finished (closed or shut down for sending)
    idle,    ///< only with owner_keeps_idle: no request is under way, the connection stays open
};

namespace detail {

// Deadlines and the closing half-close exist on TCP streams; test streams have neither.
inline void arm(boost::beast::tcp_stream& s, std::chrono::milliseconds d) { s.expires_after(d); }
template <class Stream>
void arm(Stream&, std::chrono::milliseconds) {}

/// Ends a connection. After a refusal the client may still be sending the request we did not
/// read; closing with unread data resets the connection, which can destroy our answer before
/// the client reads it. So, having said all, we read and drop what still comes for a moment
/// (a lingering close), bounded in time and bytes.
inline boost::asio::awaitable<void> finish(boost::beast::tcp_stream& s, bool linger) {
    boost::system::error_code ignored;
    s.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    if (!linger) co_return;
    constexpr std::size_t max_drained = 256 * 1024;
    s.expires_after(std::chrono::seconds(2));
    char sink[2048];
    for (std::size_t drained = 0; drained < max_drained;) {
        auto [ec, n] = co_await s.async_read_some(boost::asio::buffer(sink),
                                                  boost::asio::as_tuple(boost::asio::use_awaitable));
        if (ec) break;
        drained += n;
    }
}
template <class Stream>
boost::asio::awaitable<void> finish(Stream& s, bool) {
    s.close();
    co_return;
}

// The ways a client leaves that deserve no answer.
inline bool quiet_end(boost::system::error_code ec) {
    namespace http = boost::beast::http;
    // partial_message: the client closed in the middle of a request; nobody is left to read an answer.
    return ec == http::error::end_of_stream || ec == http::error::partial_message ||
           ec == boost::beast::error::timeout || ec == boost::asio::error::eof ||
           ec == boost::asio::error::connection_reset || ec == boost::asio::error::operation_aborted;
}

/// Why a request that failed to parse is refused: 413, 431 or 400.
fault reject_fault(boost::system::error_code ec);

/// A request the session refuses after reading its header.
struct refusal {
    fault why;
    std::string_view reason;
};

/// Checks a request header against RFC 9112 and the gateway's framing policy (Content-Length
/// only), and brings an absolute-form target to origin form. Nothing means: read the body.
std::optional<refusal> check_header(http_request& req);

/// Whether the client waits for "100 Continue" before it sends the body.
bool expects_continue(const http_request& req);

}  // namespace detail

namespace detail {

/// How a request's exchange ended, for the session loop.
enum class after_request { next, close, close_lingering };

/// Reads one request (its first bytes are in `buffer` already), hands it to the handler and
/// writes the answer. Its own coroutine, so that the parser, the request and the answer exist
/// only while a request is served: an idle connection keeps just the loop below.
template <class Stream>
boost::asio::awaitable<after_request> serve_one(Stream& stream, boost::beast::flat_buffer& buffer,
                                                const session_limits& limits, http_handler& handler,
                                                const session_flags& flags, bool first) {
    namespace http = boost::beast::http;
    constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);
    // A fresh parser for every message, with explicit limits. The header has one deadline
    // from its first byte, which a client sending a byte at a time cannot stretch.
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.header_limit));
    parser.body_limit(limits.body_limit);
    if (!first) arm(stream, limits.header_timeout);
    auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
    std::optional<refusal> refused;
    if (!ec) refused = check_header(parser.get());
    if (!ec && !refused && !parser.is_done()) {
        arm(stream, limits.write_timeout);
        if (expects_continue(parser.get())) {
            static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
            std::tie(ec, n) =
                co_await boost::asio::async_write(stream, boost::asio::buffer(go_on.data(), go_on.size()), use_tuple);
        }
        if (!ec) {
            arm(stream, limits.read_timeout);
            std::tie(ec, n) = co_await http::async_read(stream, buffer, parser, use_tuple);
        }
    }
    if (ec || refused) {
        if (ec && quiet_end(ec)) co_return after_request::close;
        auto res = refused ? handler.reject(refused->why, refused->reason)
                           : handler.reject(reject_fault(ec), ec.message());
        res.keep_alive(false);
        arm(stream, limits.write_timeout);
        const auto wire = to_wire(res);
        auto [wec, wn] = co_await boost::asio::async_write(stream, boost::asio::buffer(wire), use_tuple);
        co_return wec ? after_request::close : after_request::close_lingering;
    }
    http_request req = parser.release();
    http_response res = co_await handler.handle(req);
    const bool closing = (flags.draining && *flags.draining) || (flags.closing && *flags.closing);
    const bool keep = req.keep_alive() && res.keep_alive() && !closing;
    res.keep_alive(keep);
    arm(stream, limits.write_timeout);
    // The header laid out in one piece and the body as it is: one write, no copy of a long body.
    // The answer to HEAD says what a GET would carry, and no body follows (RFC 9110 §9.3.2),
    // or the client would read it as the start of the next answer.
    const auto head = to_wire(res, false);
    const std::array<boost::asio::const_buffer, 2> wire{
        boost::asio::buffer(head),
        req.method() == http::verb::head ? boost::asio::const_buffer() : boost::asio::buffer(res.body())};
    auto [wec, wn] = co_await boost::asio::async_write(stream, wire, use_tuple);
    co_return wec || !keep ? after_request::close : after_request::next;
}

}  // namespace detail

/// Serves requests on `stream` until the client leaves, a deadline passes, a request is
/// refused, an answer says close, or the listener drains; or, for an owner that keeps idle
/// connections, until no request is under way. `buffer` persists across requests; between
/// requests it holds nothing, and gives its memory back.
template <class Stream>
boost::asio::awaitable<session_end> run_http_session(Stream& stream, boost::beast::flat_buffer& buffer,
                                                     const session_limits& limits, http_handler& handler,
                                                     session_flags& flags) {
    constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);
    // Enough for a whole request of the Sahara clients in one read.
    constexpr std::size_t first_read = 4096;
    bool linger = false;
    // The first request must arrive whole within the header deadline from the connection's
    // start: a client that connects and says nothing holds its place no longer than that.
    bool first = !flags.served;
    // Called again by the owner: the socket is readable, the next request has begun.
    bool woken = flags.served;
    detail::arm(stream, limits.header_timeout);
    for (;;) {
        if (buffer.size() == 0) {
            // Between requests. A new connection's first request is served even in a drain:
            // the client sent it before it could know.
            if (flags.draining && *flags.draining && !first) break;
            if (!first && !std::exchange(woken, false)) {
                buffer.shrink_to_fit();
                if (flags.owner_keeps_idle) co_return session_end::idle;
                // Wait for the first byte under the keep-alive timeout. A new connection is not
                // idle: its client is about to send the request it opened the connection for,
                // and a drain must not cut it (the header deadline bounds it).
                flags.idle = true;
                detail::arm(stream, limits.idle_timeout);
            }
            auto [ec, n] = co_await stream.async_read_some(buffer.prepare(first_read), use_tuple);
            flags.idle = false;
            if (ec) break;
            buffer.commit(n);
        }
        const auto next = co_await detail::serve_one(stream, buffer, limits, handler, flags, std::exchange(first, false));
        flags.served = true;
        if (next == detail::after_request::next) continue;
        linger = next == detail::after_request::close_lingering;
        break;
    }
    co_await detail::finish(stream, linger);
    co_return session_end::closed;
}

}  // namespace sgw
