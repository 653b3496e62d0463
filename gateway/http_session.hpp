// One client connection: HTTP/1.1 framing, limits, deadlines, keep-alive and HEAD, per
// RFC 9112. It hands each request to a handler and writes the answer; it knows nothing of
// what the requests mean. A template over the stream so that tests drive it on
// beast::test::stream (no sockets, byte-exact).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <chrono>
#include <cstddef>
#include <string_view>

namespace sgw {

using http_request = boost::beast::http::request<boost::beast::http::string_body>;
using http_response = boost::beast::http::response<boost::beast::http::string_body>;

struct session_limits {
    std::size_t header_limit = 8 * 1024;
    std::size_t body_limit = 114688;
    std::chrono::milliseconds idle_timeout{60'000};  ///< waiting for the next request's first byte
    std::chrono::milliseconds read_timeout{15'000};  ///< the rest of a request once it began
    std::chrono::milliseconds write_timeout{15'000};
};

/// What the session hands requests to.
class http_handler {
public:
    virtual ~http_handler() = default;
    /// The answer to a complete request. The session sets keep-alive on it.
    virtual boost::asio::awaitable<http_response> handle(http_request& req) = 0;
    /// The answer to a request that could not be read (400 malformed, 413 body too large, 431
    /// header too large); the session closes the connection after writing it. `reason` is
    /// for the log.
    virtual http_response reject(unsigned status, std::string_view reason) = 0;
};

/// What the session shares with whoever may stop it (its listener's drain).
struct session_flags {
    bool idle = false;             ///< waiting for the first byte of a request
    const bool* draining = nullptr;  ///< once true: no new request is read, the answer closes
};

namespace detail {

// Deadlines and the closing half-close exist on TCP streams; test streams have neither.
inline void arm(boost::beast::tcp_stream& s, std::chrono::milliseconds d) { s.expires_after(d); }
template <class Stream>
void arm(Stream&, std::chrono::milliseconds) {}

inline void finish(boost::beast::tcp_stream& s) {
    boost::system::error_code ignored;
    s.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
}
template <class Stream>
void finish(Stream& s) {
    s.close();
}

// The ways a client leaves that deserve no answer.
inline bool quiet_end(boost::system::error_code ec) {
    namespace http = boost::beast::http;
    // partial_message: the client closed in the middle of a request; nobody is left to read an answer.
    return ec == http::error::end_of_stream || ec == http::error::partial_message ||
           ec == boost::beast::error::timeout || ec == boost::asio::error::eof ||
           ec == boost::asio::error::connection_reset || ec == boost::asio::error::operation_aborted;
}

/// Status for a request that failed to parse: 413, 431 or 400.
unsigned reject_status(boost::system::error_code ec);

}  // namespace detail

/// Serves requests on `stream` until the client leaves, a deadline passes, a request cannot be
/// read, an answer says close, or the listener drains. `buffer` persists across requests.
template <class Stream>
boost::asio::awaitable<void> run_http_session(Stream& stream, boost::beast::flat_buffer& buffer,
                                              const session_limits& limits, http_handler& handler,
                                              session_flags& flags) {
    namespace http = boost::beast::http;
    constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);
    auto draining = [&] { return flags.draining && *flags.draining; };
    for (;;) {
        if (buffer.size() == 0) {
            // Between requests: wait for the first byte under the keep-alive timeout.
            if (draining()) break;
            flags.idle = true;
            detail::arm(stream, limits.idle_timeout);
            auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), use_tuple);
            flags.idle = false;
            if (ec) break;
            buffer.commit(n);
        }
        // A fresh parser for every message, with explicit limits.
        http::request_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(limits.header_limit));
        parser.body_limit(limits.body_limit);
        detail::arm(stream, limits.read_timeout);
        auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
        if (ec) {
            if (detail::quiet_end(ec)) break;
            auto res = handler.reject(detail::reject_status(ec), ec.message());
            res.keep_alive(false);
            detail::arm(stream, limits.write_timeout);
            co_await http::async_write(stream, res, use_tuple);
            break;
        }
        http_request req = parser.release();
        http_response res = co_await handler.handle(req);
        const bool keep = req.keep_alive() && res.keep_alive() && !draining();
        res.keep_alive(keep);
        detail::arm(stream, limits.write_timeout);
        boost::system::error_code wec;
        if (req.method() == http::verb::head) {
            // The header says what a GET would carry; no body follows (RFC 9110 §9.3.2), or
            // the client would read it as the start of the next answer.
            http::response_serializer<http::string_body> sr(res);
            std::tie(wec, std::ignore) = co_await http::async_write_header(stream, sr, use_tuple);
        } else {
            std::tie(wec, std::ignore) = co_await http::async_write(stream, res, use_tuple);
        }
        if (wec || !keep) break;
    }
    detail::finish(stream);
}

}  // namespace sgw
