// The pool's bounds and its resilience (gateway-anchors.md §3, lessons 1, 2, 4, 5 and 8),
// against an in-process upstream on loopback whose every answer a test scripts: the
// connection limit and its queue, the circuit breaker, retries and what is never retried,
// Keep-Alive, TLS session resumption and client certificates.
#include "gateway/upstream/pool.hpp"
#include "gateway/upstream/url.hpp"
#include "tests/unit/gateway/test_tls.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

using namespace sgw;
using namespace sgw::upstream;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using translators::transport;
using translators::upstream_reply;
using namespace std::chrono_literals;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

/// What the upstream does with its n-th request (counted from 0 over all connections).
struct behaviour {
    std::chrono::milliseconds delay{0};
    unsigned status = 200;
    bool hang_up = false;    ///< read the request, then close without a byte of answer
    std::string keep_alive{};  ///< a Keep-Alive header to send, if any
};

class scripted_upstream {
public:
    scripted_upstream(net::io_context& ioc, std::function<behaviour(int)> script, ssl::context* tls = nullptr,
                      unsigned short port = 0)
        : acceptor_(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), port)), tls_(tls), script_(std::move(script)) {
        net::co_spawn(ioc, accept_loop(), net::detached);
    }
    unsigned short port() const { return acceptor_.local_endpoint().port(); }
    void stop() { acceptor_.close(); }

    int accepted = 0, requests = 0, open = 0, peak = 0, handshakes_failed = 0, resumed = 0;

private:
    net::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, sock] = co_await acceptor_.async_accept(use_tuple);
            if (ec) co_return;
            ++accepted;
            net::co_spawn(acceptor_.get_executor(), session(std::move(sock)), net::detached);
        }
    }
    net::awaitable<void> session(tcp::socket sock) {
        ++open;
        peak = std::max(peak, open);
        if (!tls_) {
            beast::tcp_stream stream(std::move(sock));
            co_await serve(stream);
        } else {
            beast::ssl_stream<beast::tcp_stream> stream(std::move(sock), *tls_);
            auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
            if (ec) {
                ++handshakes_failed;
            } else {
                if (SSL_session_reused(stream.native_handle())) ++resumed;
                co_await serve(stream);
            }
        }
        --open;
    }
    template <class Stream>
    net::awaitable<void> serve(Stream& stream) {
        beast::flat_buffer buffer;
        for (;;) {
            http::request<http::string_body> req;
            auto [rec, rn] = co_await http::async_read(stream, buffer, req, use_tuple);
            if (rec) co_return;
            const auto b = script_(requests++);
            if (b.delay.count()) {
                net::steady_timer t(co_await net::this_coro::executor, b.delay);
                co_await t.async_wait(use_tuple);
            }
            if (b.hang_up) co_return;
            http::response<http::string_body> res{static_cast<http::status>(b.status), 11, "{}"};
            res.keep_alive(true);
            if (!b.keep_alive.empty()) res.set(http::field::keep_alive, b.keep_alive);
            res.prepare_payload();
            auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
            if (wec) co_return;
        }
    }

    tcp::acceptor acceptor_;
    ssl::context* tls_;
    std::function<behaviour(int)> script_;
};

upstream_config plain_config() {
    upstream_config cfg;
    cfg.verify = false;
    return cfg;
}

/// Runs `calls` exchanges at once through `p`, each with its own deadline, and returns their
/// replies in call order.
struct call_spec {
    http::verb verb = http::verb::get;
    bool retry_safe = true;
    std::chrono::milliseconds budget{5000};
    std::chrono::milliseconds start_after{0};
};

std::vector<upstream_reply> run_calls(net::io_context& ioc, pool& p, std::vector<call_spec> calls,
                                      std::function<void()> after = {}) {
    std::vector<upstream_reply> replies(calls.size());
    std::size_t done = 0;
    for (std::size_t i = 0; i < calls.size(); ++i) {
        net::co_spawn(
            ioc,
            [&, i]() -> net::awaitable<void> {
                if (calls[i].start_after.count()) {
                    net::steady_timer t(ioc, calls[i].start_after);
                    co_await t.async_wait(use_tuple);
                }
                request req{calls[i].verb, "/v1.1/p/job-executions/j", 11};
                replies[i] = co_await p.exchange(std::move(req), calls[i].retry_safe,
                                                 sgw::upstream::clock::now() + calls[i].budget);
                if (++done < calls.size()) co_return;
                if (after) after();
                ioc.stop();  // the upstream's loop would keep the context busy
            },
            net::detached);
    }
    ioc.restart();
    ioc.run_for(10s);
    BOOST_TEST(done == calls.size());
    return replies;
}

pool make_pool(net::io_context&, upstream_config&&, unsigned short, ssl::context* = nullptr) = delete;

std::size_t count_status(const std::vector<upstream_reply>& rs, unsigned status) {
    return std::count_if(rs.begin(), rs.end(), [&](auto& r) { return r.outcome == transport::ok && r.status == status; });
}

std::size_t count_outcome(const std::vector<upstream_reply>& rs, transport t) {
    return std::count_if(rs.begin(), rs.end(), [&](auto& r) { return r.outcome == t; });
}

/// The pool keeps a reference to `cfg`, which must outlive it.
pool make_pool(net::io_context& ioc, const upstream_config& cfg, unsigned short port, ssl::context* tls = nullptr) {
    auto url = parse_base_url((tls ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port));
    BOOST_TEST_REQUIRE(bool(url));
    return pool(ioc.get_executor(), cfg, *url, tls);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(pool_limits)

BOOST_AUTO_TEST_CASE(connections_never_exceed_the_limit_and_waiters_are_served) {
    net::io_context ioc;
    scripted_upstream up(ioc, [](int) { return behaviour{.delay = 50ms}; });
    auto cfg = plain_config();
    cfg.max_connections = 2;
    auto p = make_pool(ioc, cfg, up.port());
    auto replies = run_calls(ioc, p, std::vector<call_spec>(8), [&] { up.stop(); });
    BOOST_TEST(count_status(replies, 200) == 8u);
    BOOST_TEST(up.peak <= 2);
    BOOST_TEST(up.accepted == 2);  // the waiters got the connections the first calls gave back
    BOOST_TEST(p.stats().queued.get() == 6u);
    BOOST_TEST(p.stats().peak_connections.get() == 2u);
}

BOOST_AUTO_TEST_CASE(a_full_queue_is_refused_at_once_with_retry_after) {
    net::io_context ioc;
    scripted_upstream up(ioc, [](int) { return behaviour{.delay = 200ms}; });
    auto cfg = plain_config();
    cfg.max_connections = 1;
    cfg.max_pending = 2;
    auto p = make_pool(ioc, cfg, up.port());
    auto replies = run_calls(ioc, p, std::vector<call_spec>(6), [&] { up.stop(); });
    BOOST_TEST(count_status(replies, 200) == 3u);  // one on the connection, two queued
    BOOST_TEST(count_outcome(replies, transport::overloaded) == 3u);
    for (auto& r : replies)
        if (r.outcome == transport::overloaded) BOOST_TEST(r.retry_after.count() == 1);
    BOOST_TEST(up.requests == 3);
    BOOST_TEST(p.stats().queue_full.get() == 3u);
}

BOOST_AUTO_TEST_CASE(a_waiter_gives_up_at_its_deadline) {
    net::io_context ioc;
    scripted_upstream up(ioc, [](int) { return behaviour{.delay = 400ms}; });
    auto cfg = plain_config();
    cfg.max_connections = 1;
    auto p = make_pool(ioc, cfg, up.port());
    auto replies = run_calls(ioc, p, {call_spec{}, call_spec{http::verb::get, true, 100ms, 10ms}}, [&] { up.stop(); });
    BOOST_TEST(count_status(replies, 200) == 1u);
    BOOST_TEST((replies[1].outcome == transport::timeout));
    BOOST_TEST(p.stats().queue_timeouts.get() == 1u);
    BOOST_TEST(p.circuit().opened() == 0u);  // waiting in the queue tells nothing about MRS
}

BOOST_AUTO_TEST_CASE(breaker_opens_refuses_at_once_and_a_probe_closes_it) {
    net::io_context ioc;
    scripted_upstream up(ioc, [](int n) { return behaviour{.status = n < 3 ? 503u : 200u}; });
    auto cfg = plain_config();
    cfg.breaker_failures = 3;
    cfg.breaker_open = 300ms;
    auto p = make_pool(ioc, cfg, up.port());
    std::vector<call_spec> calls(3);
    for (int i = 0; i < 3; ++i) calls[i].start_after = std::chrono::milliseconds(20 * i);  // in turn
    auto first = run_calls(ioc, p, calls);
    BOOST_TEST(count_status(first, 503) == 3u);
    BOOST_TEST((p.circuit().current() == breaker::state::open));

    auto refused = run_calls(ioc, p, std::vector<call_spec>(2));
    BOOST_TEST(count_outcome(refused, transport::overloaded) == 2u);
    BOOST_TEST(refused[0].retry_after.count() == 1);
    BOOST_TEST(up.requests == 3);  // nothing reached the upstream
    BOOST_TEST(p.stats().breaker_refused.get() == 2u);

    auto probe = run_calls(ioc, p, {call_spec{http::verb::get, true, 5000ms, 350ms}}, [&] { up.stop(); });
    BOOST_TEST(count_status(probe, 200) == 1u);
    BOOST_TEST((p.circuit().current() == breaker::state::closed));
}

BOOST_AUTO_TEST_CASE(business_errors_and_throttling_do_not_open_the_breaker) {
    net::io_context ioc;
    scripted_upstream up(ioc, [](int n) { return behaviour{.status = n % 2 ? 500u : 429u}; });
    auto cfg = plain_config();
    cfg.breaker_failures = 2;
    cfg.max_connections = 1;
    auto p = make_pool(ioc, cfg, up.port());
    auto replies = run_calls(ioc, p, std::vector<call_spec>(6), [&] { up.stop(); });
    BOOST_TEST(count_status(replies, 429) == 3u);
    BOOST_TEST(count_status(replies, 500) == 3u);
    BOOST_TEST((p.circuit().current() == breaker::state::closed));
    BOOST_TEST(up.requests == 6);  // and none was sent twice
}

BOOST_AUTO_TEST_CASE(refused_connects_are_tried_again_for_any_call) {
    net::io_context ioc;
    // A port nothing listens on yet: the upstream comes up 150 ms after the call starts.
    unsigned short port = 0;
    {
        tcp::acceptor probe(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
        port = probe.local_endpoint().port();
    }
    auto cfg = plain_config();
    auto p = make_pool(ioc, cfg, port);
    std::unique_ptr<scripted_upstream> up;
    net::steady_timer later(ioc, 150ms);
    later.async_wait([&](auto) { up = std::make_unique<scripted_upstream>(ioc, [](int) { return behaviour{}; }, nullptr, port); });
    auto replies = run_calls(ioc, p, {call_spec{http::verb::post, false}}, [&] { up->stop(); });
    BOOST_TEST(count_status(replies, 200) == 1u);
    BOOST_TEST(p.stats().reconnects.get() >= 1u);
    BOOST_TEST(up->requests == 1);
}

BOOST_AUTO_TEST_CASE(a_call_that_may_have_had_an_effect_is_never_resent) {
    net::io_context ioc;
    scripted_upstream up(ioc, [](int n) { return behaviour{.hang_up = n == 0}; });
    const auto cfg = plain_config();
    auto p = make_pool(ioc, cfg, up.port());
    auto unsafe = run_calls(ioc, p, {call_spec{http::verb::post, false}});
    BOOST_TEST((unsafe[0].outcome == transport::unreachable));
    BOOST_TEST(up.requests == 1);
    BOOST_TEST(p.stats().resent.get() == 0u);
}

BOOST_AUTO_TEST_CASE(a_call_that_must_not_be_resent_gets_a_connection_of_its_own) {
    net::io_context ioc;
    scripted_upstream up(ioc, [](int) { return behaviour{}; });
    auto cfg = plain_config();
    cfg.max_connections = 1;
    auto p = make_pool(ioc, cfg, up.port());
    run_calls(ioc, p, {call_spec{}});                            // a read leaves its connection idle
    run_calls(ioc, p, {call_spec{http::verb::post, false}});     // the POST replaces it
    run_calls(ioc, p, {call_spec{}}, [&] { up.stop(); });        // and the next read reuses that one
    BOOST_TEST(up.accepted == 2);
    BOOST_TEST(up.peak == 1);
    BOOST_TEST(p.stats().reused.get() == 1u);
}

BOOST_AUTO_TEST_CASE(a_safe_call_is_resent_once_on_a_fresh_connection) {
    net::io_context ioc;
    scripted_upstream up(ioc, [](int n) { return behaviour{.hang_up = n < 2}; });
    const auto cfg = plain_config();
    auto p = make_pool(ioc, cfg, up.port());
    // The first two answers never come: one resend, then the failure is the client's answer.
    auto failed = run_calls(ioc, p, {call_spec{}});
    BOOST_TEST((failed[0].outcome == transport::unreachable));
    BOOST_TEST(up.requests == 2);
    BOOST_TEST(up.accepted == 2);
    auto ok = run_calls(ioc, p, {call_spec{}}, [&] { up.stop(); });
    BOOST_TEST(count_status(ok, 200) == 1u);
    BOOST_TEST(p.stats().resent.get() == 1u);
}

BOOST_AUTO_TEST_CASE(retries_stop_when_the_budget_is_spent) {
    net::io_context ioc;
    scripted_upstream up(ioc, [](int) { return behaviour{.hang_up = true}; });
    auto cfg = plain_config();
    cfg.retry_budget_percent = 0;
    cfg.retry_budget_min_per_s = 0;
    cfg.breaker_failures = 0;
    auto p = make_pool(ioc, cfg, up.port());
    auto replies = run_calls(ioc, p, std::vector<call_spec>(4), [&] { up.stop(); });
    BOOST_TEST(count_outcome(replies, transport::unreachable) == 4u);
    BOOST_TEST(up.requests == 4);  // not one resent
    BOOST_TEST(p.stats().budget_refused.get() == 4u);
}

BOOST_AUTO_TEST_CASE(keep_alive_timeout_closes_before_the_peer_does) {
    net::io_context ioc;
    scripted_upstream up(ioc, [](int) { return behaviour{.keep_alive = "timeout=2, max=50"}; });
    const auto cfg = plain_config();
    auto p = make_pool(ioc, cfg, up.port());
    run_calls(ioc, p, {call_spec{}});
    BOOST_TEST(p.connections() == 1u);
    run_calls(ioc, p, {call_spec{http::verb::get, true, 5000ms, 300ms}});
    BOOST_TEST(up.accepted == 1);  // within a second: reused
    // The peer would keep it 2 s; the pool closes it after 1 s of idleness.
    run_calls(ioc, p, {call_spec{http::verb::get, true, 5000ms, 1200ms}}, [&] { up.stop(); });
    BOOST_TEST(up.accepted == 2);
    BOOST_TEST(p.stats().stale_reuse.get() == 0u);
}

BOOST_AUTO_TEST_CASE(tls_sessions_are_resumed_on_reconnect) {
    net::io_context ioc;
    auto server_ctx = test::server_tls();
    scripted_upstream up(ioc, [](int) { return behaviour{}; }, server_ctx.get());
    auto cfg = plain_config();
    cfg.max_requests_per_connection = 1;  // every call on a new connection
    auto client_ctx = make_client_tls(cfg);
    auto p = make_pool(ioc, cfg, up.port(), client_ctx.get());
    for (int i = 0; i < 3; ++i) BOOST_TEST(count_status(run_calls(ioc, p, {call_spec{}}), 200) == 1u);
    up.stop();
    BOOST_TEST(up.accepted == 3);
    BOOST_TEST(p.stats().resumed.get() == 2u);
    BOOST_TEST(up.resumed == 2);
}

BOOST_AUTO_TEST_CASE(client_certificate_is_presented_when_configured) {
    const auto dir = std::filesystem::temp_directory_path() / ("sgw-mtls-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto client_id = test::self_signed("sahara-gateway");
    test::write_pem(client_id, (dir / "client").string());

    net::io_context ioc;
    auto server_ctx = test::server_tls();
    // The server trusts exactly the gateway's certificate, and requires one.
    X509_STORE_add_cert(SSL_CTX_get_cert_store(server_ctx->native_handle()), client_id.cert.get());
    server_ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    scripted_upstream up(ioc, [](int) { return behaviour{}; }, server_ctx.get());

    auto without = plain_config();
    without.breaker_failures = 0;
    auto bare_ctx = make_client_tls(without);
    auto bare = make_pool(ioc, without, up.port(), bare_ctx.get());
    auto refused = run_calls(ioc, bare, {call_spec{}});
    BOOST_TEST((refused[0].outcome != transport::ok));

    auto with = plain_config();
    with.client_cert = (dir / "client.crt").string();
    with.client_key = (dir / "client.key").string();
    auto cert_ctx = make_client_tls(with);
    auto presented = make_pool(ioc, with, up.port(), cert_ctx.get());
    auto ok = run_calls(ioc, presented, {call_spec{}}, [&] { up.stop(); });
    BOOST_TEST(count_status(ok, 200) == 1u);
    BOOST_TEST(up.handshakes_failed >= 1);

    // An encrypted key is refused at once: nothing may ask for a passphrase on a terminal.
    const auto locked = (dir / "locked.key").string();
    {
        std::unique_ptr<FILE, decltype(&std::fclose)> f(std::fopen(locked.c_str(), "w"), std::fclose);
        const char pass[] = "not-asked";
        BOOST_TEST_REQUIRE(PEM_write_PrivateKey(f.get(), client_id.key.get(), EVP_aes_128_cbc(),
                                                reinterpret_cast<const unsigned char*>(pass), sizeof pass - 1,
                                                nullptr, nullptr) == 1);
    }
    with.client_key = locked;
    BOOST_CHECK_THROW(make_client_tls(with), boost::system::system_error);
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
