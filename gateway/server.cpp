// The Sahara-facing HTTP server.
#include "gateway/server.hpp"

#include "gateway/executor.hpp"
#include "gateway/log.hpp"
#include "gateway/request_id.hpp"
#include "gateway/router.hpp"
#include "gateway/upstream/pool.hpp"
#include "gateway/identity.hpp"
#include "gateway/versions.hpp"
#include "translators/mrs_v1_1/cancel.hpp"
#include "translators/mrs_v1_1/list.hpp"
#include "translators/mrs_v1_1/operations.hpp"
#include "translators/sahara/errors.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <sys/socket.h>
#include <thread>
#include <unordered_set>

namespace sgw {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
using http_request = http::request<http::string_body>;
using http_response = http::response<http::string_body>;
using reuse_port = net::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

translators::step_fn translator_for(sahara::operation op, backend_kind) {
    switch (op) {
        case sahara::operation::list: return &mrs_v1_1::list_step;
        case sahara::operation::show:
        case sahara::operation::refresh_status: return &mrs_v1_1::show_step;
        case sahara::operation::cancel: return &mrs_v1_1::cancel_step;
        case sahara::operation::update: return &mrs_v1_1::update_step;
        case sahara::operation::remove: return &mrs_v1_1::remove_step;
        case sahara::operation::execute: return &mrs_v1_1::execute_step;
    }
    return nullptr;
}

/// Job ids this gateway acted on lately, per project, shared by the workers: deleted ones,
/// so that a repeated DELETE answers 204 again (operation-level idempotency,
/// gateway-anchors.md §3 lesson 3), and cancelled ones, shown TOBEKILLED until MRS reports
/// their end (sahara-api.md §5). Cancels and deletes are rare next to reads; one mutex is
/// fine, and readers skip it while the set is empty.
class recent_ids {
public:
    explicit recent_ids(std::chrono::seconds ttl) : ttl_(ttl) {}

    void add(const std::string& project, const std::string& id) {
        std::lock_guard lock(m_);
        const auto now = upstream::clock::now();
        if (size_.load(std::memory_order_relaxed) >= max_entries) prune(now);
        auto& ids = by_project_[project];
        if (ids.insert_or_assign(id, now + ttl_).second) size_.fetch_add(1, std::memory_order_relaxed);
    }
    void remove(const std::string& project, const std::string& id) {
        if (size_.load(std::memory_order_relaxed) == 0) return;
        std::lock_guard lock(m_);
        if (auto p = by_project_.find(project); p != by_project_.end())
            size_.fetch_sub(p->second.erase(id), std::memory_order_relaxed);
    }
    bool contains(const std::string& project, const std::string& id) {
        if (size_.load(std::memory_order_relaxed) == 0) return false;
        std::lock_guard lock(m_);
        auto p = by_project_.find(project);
        if (p == by_project_.end()) return false;
        auto it = p->second.find(id);
        return it != p->second.end() && it->second > upstream::clock::now();
    }
    std::vector<std::string> of_project(const std::string& project) {
        std::vector<std::string> out;
        if (size_.load(std::memory_order_relaxed) == 0) return out;
        std::lock_guard lock(m_);
        auto p = by_project_.find(project);
        if (p == by_project_.end()) return out;
        const auto now = upstream::clock::now();
        for (auto& [id, until] : p->second)
            if (until > now) out.push_back(id);
        return out;
    }

private:
    static constexpr std::size_t max_entries = 8192;
    void prune(upstream::clock::time_point now) {
        std::size_t left = 0;
        for (auto p = by_project_.begin(); p != by_project_.end();) {
            std::erase_if(p->second, [&](auto& kv) { return kv.second <= now; });
            left += p->second.size();
            p = p->second.empty() ? by_project_.erase(p) : std::next(p);
        }
        if (left >= max_entries) {
            by_project_.clear();
            left = 0;
        }
        size_.store(left, std::memory_order_relaxed);
    }

    std::mutex m_;
    std::chrono::seconds ttl_;
    std::atomic<std::size_t> size_{0};
    std::unordered_map<std::string, std::unordered_map<std::string, upstream::clock::time_point>> by_project_;
};

recent_ids& deleted_ids() {
    static recent_ids set(std::chrono::minutes(10));
    return set;
}

// Sahara gives up on a kill after job_canceling_timeout, 300 s by default (sahara-api.md §5).
recent_ids& killing_ids() {
    static recent_ids set(std::chrono::seconds(300));
    return set;
}

http_response make_response(unsigned status, std::string body, std::string_view request_id, unsigned version) {
    http_response res{static_cast<http::status>(status), version};
    res.set(http::field::content_type, "application/json");
    res.set("x-openstack-request-id", request_id);
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

}  // namespace

/// One event loop thread: its acceptor, its sessions and its upstream pool.
class worker {
public:
    worker(const config& cfg, upstream::base_url url, net::ssl::context* tls)
        : cfg_(cfg),
          acceptor_(ioc_),
          pool_(ioc_.get_executor(), cfg.upstream, std::move(url), tls),
          identity_(ioc_.get_executor(), cfg, tls) {}

    void listen(const tcp::endpoint& ep) {
        acceptor_.open(ep.protocol());
        acceptor_.set_option(tcp::acceptor::reuse_address(true));
        acceptor_.set_option(reuse_port(true));
        acceptor_.bind(ep);
        acceptor_.listen(net::socket_base::max_listen_connections);
    }
    unsigned short local_port() const { return acceptor_.local_endpoint().port(); }

    void start() {
        net::co_spawn(ioc_, accept_loop(), net::detached);
        thread_ = std::thread([this] { ioc_.run(); });
    }
    void stop() { net::post(ioc_, [this] { begin_drain(); }); }
    void join() {
        if (thread_.joinable()) thread_.join();
    }

private:
    struct slot {
        beast::tcp_stream* stream;
        bool idle = false;
    };

    net::awaitable<void> accept_loop() {
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
            net::co_spawn(ioc_, session(std::move(sock)), [](std::exception_ptr e) {
                if (!e) return;
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    log::line(log::level::error, "session ended by an exception").kv("error", ex.what());
                }
            });
        }
    }

    net::awaitable<void> session(tcp::socket sock) {
        beast::tcp_stream stream(std::move(sock));
        beast::flat_buffer buffer;
        slot me{&stream};
        sessions_.insert(&me);
        struct unregister {
            std::unordered_set<slot*>& set;
            slot* s;
            ~unregister() { set.erase(s); }
        } guard{sessions_, &me};

        const auto& lc = cfg_.listen;
        for (;;) {
            if (buffer.size() == 0) {
                // Between requests: wait for the first byte under the keep-alive timeout.
                if (draining_) break;
                me.idle = true;
                stream.expires_after(lc.idle_timeout);
                auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), use_tuple);
                me.idle = false;
                if (ec) break;
                buffer.commit(n);
            }
            http::request_parser<http::string_body> parser;
            parser.header_limit(static_cast<std::uint32_t>(lc.header_limit));
            parser.body_limit(lc.body_limit);
            stream.expires_after(lc.read_timeout);
            auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
            if (ec) {
                if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::eof ||
                    ec == net::error::connection_reset || ec == net::error::operation_aborted)
                    break;
                co_await reject(stream, ec);
                break;
            }
            http_request req = parser.release();
            http_response res = co_await handle(req);
            const bool keep = req.keep_alive() && !draining_;
            res.keep_alive(keep);
            stream.expires_after(lc.write_timeout);
            auto [wec, written] = co_await http::async_write(stream, res, use_tuple);
            if (wec || !keep) break;
        }
        boost::system::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }

    // Answers a request that could not be parsed, then the caller closes the connection.
    net::awaitable<void> reject(beast::tcp_stream& stream, boost::system::error_code ec) {
        unsigned status = 400;
        std::string_view name = sahara::error_name::bad_request;
        std::string message = "Malformed request: " + ec.message();
        if (ec == http::error::body_limit) {
            status = 413;
            name = sahara::error_name::payload_too_large;
            message = "Request body is larger than " + std::to_string(cfg_.listen.body_limit) + " bytes.";
        } else if (ec == http::error::header_limit) {
            status = 431;
            message = "Request header fields are larger than " + std::to_string(cfg_.listen.header_limit) +
                      " bytes.";
        }
        const auto rid = make_request_id();
        log::line(log::level::warn, "rejected malformed request")
            .kv("rid", rid)
            .kv("status", status)
            .kv("error", ec.message());
        auto res = make_response(status, sahara::error_body(status, name, message, rid), rid, 11);
        res.keep_alive(false);
        stream.expires_after(cfg_.listen.write_timeout);
        co_await http::async_write(stream, res, use_tuple);
    }

    net::awaitable<http_response> handle(http_request& req) {
        const auto started = upstream::clock::now();
        const auto rid = make_request_id();
        sahara::response out;
        std::string_view op_name = "-";
        std::optional<std::string> v2_echo;  // set on v2 routes: OpenStack-API-Version to answer
        auto routed = route(req.method(), req.target());
        if (auto* err = std::get_if<route_error>(&routed)) {
            std::string_view name = err->status == 405   ? sahara::error_name::method_not_allowed
                                    : err->status == 400 ? sahara::error_name::bad_request
                                                         : sahara::error_name::not_found;
            out = {err->status, sahara::error_body(err->status, name, err->message, rid), "no route", {}};
        } else if (std::holds_alternative<route_versions>(routed)) {
            op_name = "versions";
            out = {300, versions_body(request_origin(req, cfg_.listen.trust_forwarded)), {}, {}};
        } else {
            auto& m = std::get<route_match>(routed);
            op_name = sahara::to_string(m.op);
            out = co_await serve(req, m, rid, started, v2_echo);
        }
        const auto elapsed_us =
            std::chrono::duration_cast<std::chrono::microseconds>(upstream::clock::now() - started).count();
        if (out.status >= 400 || cfg_.log.access) {
            auto path = req.target();
            path = path.substr(0, path.find('?'));
            const auto lvl = out.status >= 500 ? log::level::error
                             : out.status >= 400 ? log::level::warn
                                                 : log::level::info;
            log::line line(lvl, out.status >= 400 ? "request failed" : "request");
            line.kv("rid", rid)
                .kv("method", std::string(req.method_string()))
                .kv("path", std::string(path))
                .kv("op", op_name)
                .kv("status", out.status)
                .kv("us", elapsed_us);
            if (!out.log_detail.empty()) line.kv("detail", out.log_detail);
        }
        auto res = make_response(out.status, std::move(out.body), rid, req.version());
        if (v2_echo) {
            res.set("OpenStack-API-Version", "data-processing " + *v2_echo);
            res.set(http::field::vary, "OpenStack-API-Version");
        }
        co_return res;
    }

    // A routed Sahara call: version negotiation, token, project, translation.
    net::awaitable<sahara::response> serve(http_request& req, route_match& m, const std::string& rid,
                                           upstream::clock::time_point started, std::optional<std::string>& v2_echo) {
        sahara::request sreq{m.op, m.version, std::move(m.project_id), std::move(m.id), rid, std::move(m.query), {}, {}, {}};
        if (m.version == sahara::api_version::v2) {
            auto v = negotiate_v2(req["OpenStack-API-Version"], rid);
            v2_echo = v.echo;
            if (v.error) co_return std::move(*v.error);
        }
        // v2 show accepts ?refresh_status=True (Sahara 16 rejects it, its client sends it: §3).
        if (sreq.op == sahara::operation::show) {
            for (auto& [k, v] : sreq.query)
                if (k == "refresh_status" && sreq.version == sahara::api_version::v2) sreq.op = sahara::operation::refresh_status;
        }
        sreq.body = std::move(req.body());
        sreq.content_type = std::string(req[http::field::content_type]);

        const auto token = req["X-Auth-Token"];
        if (token.empty())
            co_return sahara::error_response(sreq, 401, sahara::error_name::unauthorized,
                                             "The request you have made requires authentication.", "no X-Auth-Token");
        const auto deadline = started + cfg_.upstream.request_timeout;
        if (sreq.project_id.empty()) {
            if (!identity_.configured())
                co_return sahara::error_response(
                    sreq, 400, sahara::error_name::bad_request,
                    "This gateway needs the project in the URL: /v1.1/{project_id}/... (no identity endpoint is "
                    "configured for URLs without one).",
                    "no identity.url or identity.project");
            auto who = co_await identity_.project_of(token, deadline);
            if (who.status == 401)
                co_return sahara::error_response(sreq, 401, sahara::error_name::unauthorized,
                                                 "The request you have made requires authentication.", who.detail);
            if (who.status != 0)
                co_return sahara::error_response(sreq, 503, sahara::error_name::service_unavailable,
                                                 "The Keystone service is temporarily unavailable.", who.detail);
            sreq.project_id = std::move(who.project);
        }
        const bool reads_status = sreq.op == sahara::operation::show || sreq.op == sahara::operation::refresh_status ||
                                  sreq.op == sahara::operation::list || sreq.op == sahara::operation::update;
        if (reads_status) sreq.being_killed = killing_ids().of_project(sreq.project_id);
        auto out = co_await execute(translator_for(sreq.op, cfg_.upstream.backend), sreq, token, pool_, deadline);
        remember(sreq, out);
        co_return out;
    }

    // What this gateway did that MRS does not show: jobs it deleted, and jobs being killed.
    static void remember(const sahara::request& sreq, sahara::response& out) {
        if (sreq.op == sahara::operation::remove) {
            if (out.status == 204)
                deleted_ids().add(sreq.project_id, sreq.id);
            else if (out.status == 404 && deleted_ids().contains(sreq.project_id, sreq.id))
                out = sahara::response{204, {}, {}, {}};
            return;
        }
        // A job in the set that is not shown TOBEKILLED has ended (sahara::as_seen).
        if (out.job_status == "TOBEKILLED")
            killing_ids().add(sreq.project_id, sreq.id);
        else if (!out.job_status.empty())
            killing_ids().remove(sreq.project_id, sreq.id);
    }

    void begin_drain() {
        if (draining_) return;
        draining_ = true;
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        for (auto* s : sessions_)
            if (s->idle) s->stream->cancel();
        net::co_spawn(ioc_, finish_drain(), net::detached);
    }

    net::awaitable<void> finish_drain() {
        const auto until = upstream::clock::now() + cfg_.listen.drain_timeout;
        net::steady_timer t(ioc_);
        while (!sessions_.empty() && upstream::clock::now() < until) {
            t.expires_after(std::chrono::milliseconds(20));
            co_await t.async_wait(use_tuple);
        }
        pool_.close();
        identity_.close();
        if (!sessions_.empty()) ioc_.stop();
    }

    const config& cfg_;
    net::io_context ioc_{1};
    tcp::acceptor acceptor_;
    upstream::pool pool_;
    identity identity_;
    std::unordered_set<slot*> sessions_;
    bool draining_ = false;
    std::thread thread_;
};

server::server(config cfg) : cfg_(std::move(cfg)) {}

server::~server() {
    stop();
    wait();
}

void server::start() {
    auto url = upstream::parse_base_url(cfg_.upstream.url);
    if (!url) throw std::invalid_argument("upstream.url: " + url.error());
    const bool identity_tls = cfg_.identity.url.starts_with("https:");
    if ((url->tls || identity_tls) && !tls_) tls_ = upstream::make_client_tls(cfg_.upstream);  // shared, read-only

    unsigned n = cfg_.listen.threads ? cfg_.listen.threads : std::max(1u, std::thread::hardware_concurrency());
    tcp::endpoint ep{net::ip::make_address(cfg_.listen.host), cfg_.listen.port};
    for (unsigned i = 0; i < n; ++i) {
        auto w = std::make_unique<worker>(cfg_, *url, tls_.get());
        w->listen(ep);
        if (i == 0) ep.port(port_ = w->local_port());  // the others share the port chosen first
        workers_.push_back(std::move(w));
    }
    for (auto& w : workers_) w->start();
}

void server::stop() {
    for (auto& w : workers_) w->stop();
}

void server::wait() {
    for (auto& w : workers_) w->join();
}

}  // namespace sgw
