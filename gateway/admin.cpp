// The admin listener.
#include "gateway/admin.hpp"

#include "gateway/log.hpp"
#include "gateway/metrics.hpp"
#include "gateway/server.hpp"
#include "gateway/upstream/pool.hpp"
#include "gateway/upstream/url.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

namespace sgw {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

http_response answer(http::status status, std::string_view type, std::string body, unsigned version) {
    http_response res{status, version};
    res.set(http::field::content_type, type);
    res.set(http::field::cache_control, "no-store");
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

}  // namespace

admin::admin(server& srv, const admin_config& cfg) : srv_(srv), cfg_(cfg), acceptor_(ioc_) {}

admin::~admin() { stop(); }

void admin::start() {
    tcp::endpoint ep{net::ip::make_address(cfg_.host), cfg_.port};
    acceptor_.open(ep.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    net::co_spawn(ioc_, accept_loop(), net::detached);
    thread_ = std::thread([this] {
        for (;;) {
            try {
                ioc_.run();
                return;
            } catch (const std::exception& e) {
                log::line(log::level::error, "exception escaped the admin loop; serving on").kv("error", e.what());
            }
        }
    });
}

void admin::stop() {
    if (!thread_.joinable()) return;
    ioc_.stop();
    thread_.join();
}

net::awaitable<void> admin::accept_loop() {
    // Probes and scrapes are few: connections are served one after the other's accept, each in
    // its own coroutine, with tight limits.
    static const session_limits limits{2048, 0, std::chrono::seconds(30), std::chrono::seconds(5),
                                       std::chrono::seconds(5), std::chrono::seconds(10)};
    for (;;) {
        auto [ec, sock] = co_await acceptor_.async_accept(use_tuple);
        if (ec) {
            if (!acceptor_.is_open()) co_return;
            net::steady_timer t(ioc_, std::chrono::milliseconds(50));
            co_await t.async_wait(use_tuple);
            continue;
        }
        net::co_spawn(
            ioc_,
            [this, s = std::move(sock)]() mutable -> net::awaitable<void> {
                beast::tcp_stream stream(std::move(s));
                beast::flat_buffer buffer;
                session_flags flags;
                co_await run_http_session(stream, buffer, limits, *this, flags);
            },
            net::detached);
    }
}

net::awaitable<bool> admin::upstream_reachable() {
    const auto now = std::chrono::steady_clock::now();
    if (now - probed_at_ < std::chrono::seconds(1)) co_return probe_ok_;
    probed_at_ = now;
    const auto gen = srv_.current();
    auto url = upstream::parse_base_url(gen->cfg.upstream.url);
    if (!url) co_return probe_ok_ = false;
    tcp::resolver resolver(ioc_);
    beast::tcp_stream stream(ioc_);
    stream.expires_after(std::chrono::seconds(1));
    auto [rec, results] = co_await resolver.async_resolve(url->host, url->port, use_tuple);
    if (rec) co_return probe_ok_ = false;
    auto [cec, ep] = co_await stream.async_connect(results, use_tuple);
    co_return probe_ok_ = !cec;
}

// Ready: configured, not draining, and the default MRS endpoint usable: its breakers are not
// open, or, when some are, a connection to it still opens (MRS answering errors is no reason
// to leave the rotation; MRS out of this replica's reach is).
net::awaitable<admin::readiness> admin::check_ready() {
    if (srv_.draining()) co_return readiness{false, "draining"};
    const auto gen = srv_.current();
    if (!gen) co_return readiness{false, "starting"};
    auto url = upstream::parse_base_url(gen->cfg.upstream.url);
    std::uint64_t open = 0;
    if (url) {
        const auto view = srv_.view(false);
        for (const auto* w : view.workers) open += w->breakers_open(url->host_header);
    }
    if (open > 0 && !co_await upstream_reachable())
        co_return readiness{false, "the circuit breaker to " + gen->cfg.upstream.url + " is open and it cannot be reached"};
    co_return readiness{true, {}};
}

net::awaitable<http_response> admin::handle(http_request& req) {
    const auto path = req.target().substr(0, req.target().find('?'));
    const bool get = req.method() == http::verb::get || req.method() == http::verb::head;
    if (!get && (path == "/healthz" || path == "/readyz" || path == "/metrics")) {
        auto res = answer(http::status::method_not_allowed, "text/plain", "method not allowed\n", req.version());
        res.set(http::field::allow, "GET, HEAD");
        co_return res;
    }
    if (path == "/healthz") co_return answer(http::status::ok, "text/plain", "ok\n", req.version());
    if (path == "/readyz") {
        const auto r = co_await check_ready();
        if (r.ready != last_ready_) {
            log::line(r.ready ? log::level::info : log::level::warn, r.ready ? "ready" : "not ready").kv("reason", r.reason);
            last_ready_ = r.ready;
        }
        co_return answer(r.ready ? http::status::ok : http::status::service_unavailable, "text/plain",
                         r.ready ? std::string("ready\n") : "not ready: " + r.reason + "\n", req.version());
    }
    if (path == "/metrics") {
        const auto r = co_await check_ready();
        co_return answer(http::status::ok, "text/plain; version=0.0.4; charset=utf-8", render_metrics(srv_.view(r.ready)),
                         req.version());
    }
    co_return answer(http::status::not_found, "text/plain", "not found; try /healthz, /readyz or /metrics\n",
                     req.version());
}

http_response admin::reject(fault, std::string_view reason) {
    return answer(http::status::bad_request, "text/plain", "bad request: " + std::string(reason) + "\n", 11);
}

}  // namespace sgw
