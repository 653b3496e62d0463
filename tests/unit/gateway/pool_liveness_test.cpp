// The pool's check before reusing an idle connection, against an in-process upstream on
// loopback that does something to the connection while it sits in the pool.
#include "gateway/upstream/pool.hpp"
#include "gateway/upstream/url.hpp"
#include "tests/unit/gateway/test_tls.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/test/unit_test.hpp>

#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <vector>

using namespace sgw;
using namespace sgw::upstream;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

/// What the upstream does to a connection once it has answered the first request on it.
enum class idle_action {
    nothing,
    ticket,        ///< TLS 1.3 NewSessionTicket: a post-handshake message, no data
    key_update,    ///< TLS 1.3 KeyUpdate that asks the client to update its keys too
    close_notify,  ///< TLS close_notify, the TCP connection left open
    fin,           ///< plain HTTP: FIN
    stray_data,    ///< an answer nobody asked for
};

using test::server_tls;

class fake_upstream {
public:
    fake_upstream(net::io_context& ioc, ssl::context* tls, idle_action action)
        : acceptor_(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)), tls_(tls), action_(action) {
        net::co_spawn(ioc, accept_loop(), net::detached);
    }

    unsigned short port() const { return acceptor_.local_endpoint().port(); }
    void stop() { acceptor_.close(); }

    int accepted = 0;
    bool action_done = false;  ///< the idle action was carried out

private:
    net::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, sock] = co_await acceptor_.async_accept(use_tuple);
            if (ec) co_return;
            ++accepted;
            // Otherwise Nagle's algorithm may hold the idle action's small record back until
            // the client's delayed ACK of the answer, up to 200 ms on Linux.
            sock.set_option(tcp::no_delay(true));
            net::co_spawn(acceptor_.get_executor(), session(std::move(sock)), net::detached);
        }
    }

    net::awaitable<void> session(tcp::socket sock) {
        if (!tls_) {
            beast::tcp_stream stream(std::move(sock));
            co_await serve(stream);
            co_return;
        }
        beast::ssl_stream<beast::tcp_stream> stream(std::move(sock), *tls_);
        auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
        if (!ec) co_await serve(stream);
    }

    template <class Stream>
    net::awaitable<void> serve(Stream& stream) {
        beast::flat_buffer buffer;
        for (bool first = true;; first = false) {
            http::request<http::string_body> req;
            auto [rec, rn] = co_await http::async_read(stream, buffer, req, use_tuple);
            if (rec) co_return;
            http::response<http::string_body> res{http::status::ok, 11, "{}"};
            res.keep_alive(true);
            res.prepare_payload();
            auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
            if (wec) co_return;
            // Later than the pool takes the connection back, well before it uses it again.
            net::steady_timer pause(co_await net::this_coro::executor, 20ms);
            co_await pause.async_wait(use_tuple);
            if (first && !co_await act(stream)) co_return;
        }
    }

    /// Returns whether the connection goes on serving.
    net::awaitable<bool> act(beast::ssl_stream<beast::tcp_stream>& stream) {
        SSL* s = stream.native_handle();
        switch (action_) {
        case idle_action::ticket:
        case idle_action::key_update: {
            const bool queued = action_ == idle_action::ticket ? SSL_new_session_ticket(s) == 1
                                                               : SSL_key_update(s, SSL_KEY_UPDATE_REQUESTED) == 1;
            // A handshake call on an established connection sends what is queued, now.
            auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
            action_done = queued && !ec;
            co_return true;
        }
        case idle_action::close_notify: {
            action_done = true;
            co_await stream.async_shutdown(use_tuple);  // waits for the client to react
            co_return false;
        }
        default:
            co_return co_await act_on_bytes(stream);
        }
    }
    net::awaitable<bool> act(beast::tcp_stream& stream) { co_return co_await act_on_bytes(stream); }

    template <class Stream>
    net::awaitable<bool> act_on_bytes(Stream& stream) {
        if (action_ == idle_action::fin) {
            beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_send);
            action_done = true;
            co_return false;
        }
        if (action_ == idle_action::stray_data) {
            const std::string stray = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
            auto [ec, n] = co_await net::async_write(stream, net::buffer(stray), use_tuple);
            action_done = !ec;
        }
        co_return action_ == idle_action::nothing || action_ == idle_action::stray_data;
    }

    tcp::acceptor acceptor_;
    ssl::context* tls_;
    idle_action action_;
};

struct outcome {
    std::vector<unsigned> statuses;  ///< 0 for a transport failure
    int connections = 0;
    bool action_done = false;
    std::size_t resent = 0;  ///< calls the pool had to send again (the check missed a dead connection)
};

/// Two calls that may be resent, with an idle spell between them, through the pool: the
/// check before reuse must find a dead connection without needing the resend. (Calls that must
/// not be resent never reuse a connection.)
outcome two_calls(bool tls, idle_action action) {
    net::io_context ioc;
    auto server_ctx = tls ? server_tls() : nullptr;
    fake_upstream up(ioc, server_ctx.get(), action);

    upstream_config cfg;
    cfg.verify = false;
    auto url = parse_base_url((tls ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(up.port()));
    BOOST_TEST_REQUIRE(bool(url));
    auto client_ctx = make_client_tls(cfg);
    pool p(ioc.get_executor(), cfg, *url, client_ctx.get());

    outcome out;
    bool finished = false;
    net::co_spawn(
        ioc,
        [&]() -> net::awaitable<void> {
            for (int i = 0; i < 2; ++i) {
                if (i == 1) {
                    net::steady_timer idle(ioc, 150ms);
                    co_await idle.async_wait(use_tuple);
                }
                request req{http::verb::get, "/v1.1/p/job-executions/j", 11};
                auto reply = co_await p.exchange(std::move(req), true, sgw::upstream::clock::now() + 5s);
                BOOST_TEST_MESSAGE("call " << i << ": " << reply.detail);
                out.statuses.push_back(reply.outcome == translators::transport::ok ? reply.status : 0);
            }
            p.close();
            up.stop();
            finished = true;
        },
        net::detached);
    ioc.run_for(10s);
    BOOST_TEST(finished);
    out.connections = up.accepted;
    out.action_done = up.action_done;
    out.resent = p.stats().resent.get();
    BOOST_TEST_MESSAGE("opened " << p.stats().opened.get() << " reused " << p.stats().reused.get() << " stale " << p.stats().stale_reuse.get());
    BOOST_TEST(out.resent == 0u);
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(pool_liveness)

const std::vector<unsigned> both_ok{200, 200};

BOOST_AUTO_TEST_CASE(tls_idle_connection_is_reused) {
    auto o = two_calls(true, idle_action::nothing);
    BOOST_TEST(o.statuses == both_ok, boost::test_tools::per_element());
    BOOST_TEST(o.connections == 1);
}

// The probe's read is cancelled after OpenSSL consumed the message and found no data; the
// same stream then carries the next exchange.
BOOST_AUTO_TEST_CASE(tls_post_handshake_messages_keep_the_connection) {
    for (auto action : {idle_action::ticket, idle_action::key_update}) {
        auto o = two_calls(true, action);
        BOOST_TEST(o.action_done);
        BOOST_TEST(o.statuses == both_ok, boost::test_tools::per_element());
        BOOST_TEST(o.connections == 1);
    }
}

BOOST_AUTO_TEST_CASE(tls_close_notify_without_fin_is_not_reused) {
    auto o = two_calls(true, idle_action::close_notify);
    BOOST_TEST(o.action_done);
    BOOST_TEST(o.statuses == both_ok, boost::test_tools::per_element());
    BOOST_TEST(o.connections == 2);
}

BOOST_AUTO_TEST_CASE(stray_data_condemns_the_connection) {
    for (bool tls : {true, false}) {
        auto o = two_calls(tls, idle_action::stray_data);
        BOOST_TEST(o.action_done);
        BOOST_TEST(o.statuses == both_ok, boost::test_tools::per_element());
        BOOST_TEST(o.connections == 2);
    }
}

BOOST_AUTO_TEST_CASE(plain_connections) {
    auto kept = two_calls(false, idle_action::nothing);
    BOOST_TEST(kept.statuses == both_ok, boost::test_tools::per_element());
    BOOST_TEST(kept.connections == 1);
    auto closed = two_calls(false, idle_action::fin);
    BOOST_TEST(closed.statuses == both_ok, boost::test_tools::per_element());
    BOOST_TEST(closed.connections == 2);
}

BOOST_AUTO_TEST_SUITE_END()
