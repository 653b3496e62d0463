// Keep-alive connection pool to one MRS endpoint, owned by one worker thread (no locks).
#pragma once

#include "gateway/config.hpp"
#include "gateway/counter.hpp"
#include "gateway/upstream/breaker.hpp"
#include "gateway/upstream/retry_budget.hpp"
#include "gateway/upstream/signer.hpp"
#include "gateway/upstream/url.hpp"
#include "translators/common/step.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct ssl_session_st;

namespace sgw::upstream {

using clock = std::chrono::steady_clock;

/// What is known about a connection once an exchange on it has ended.
struct exchange_state {
    bool request_written = false;
    bool response_complete = false;  ///< the parser saw the whole message
    bool keep_alive = false;         ///< the response allows another request
    bool leftover_bytes = false;     ///< bytes after the response (never expected)
    bool failed = false;             ///< any error or timeout on the way
    std::size_t requests_served = 0;
    clock::duration age{};
    /// What the answer's Keep-Alive header allows: the peer's idle timeout and the requests
    /// left (RFC 9112 leaves the header to the peers; both are upper bounds for us).
    std::optional<std::chrono::seconds> peer_idle_timeout;
    std::optional<std::size_t> peer_requests_left;
};

/// How long a connection may sit idle before the pool closes it: the configured idle timeout,
/// cut to a second less than the peer's own (gateway-anchors.md §3, lesson 1). Zero: not at all.
clock::duration idle_limit(const exchange_state& s, const upstream_config& limits) noexcept;

/// Reads `Keep-Alive: timeout=N, max=M` into `s`.
void read_keep_alive(std::string_view header, exchange_state& s);

/// What one pool has done since the start (per worker thread, per endpoint).
/// What a pool did since the start, and what it holds now. Written by the pool's worker thread
/// only; /metrics reads them from the admin thread (gateway/counter.hpp).
struct pool_stats {
    counter opened;           ///< connections opened
    counter reused;           ///< calls sent on a pooled connection
    counter stale_reuse;      ///< pooled connections found dead when used (resent, not errors)
    counter resent;           ///< calls sent again after a failure before any answer byte
    counter reconnects;       ///< connects tried again after a refused or reset connect
    counter queued;           ///< calls that waited for a connection
    counter queue_full;       ///< calls refused because the wait queue was full
    counter queue_timeouts;   ///< calls whose deadline passed while waiting
    counter breaker_refused;  ///< calls refused because the breaker was open
    counter budget_refused;   ///< retries not made because the budget was spent
    counter resumed;          ///< TLS handshakes that resumed a session
    counter peak_connections;
    // Gauges, as of the pools' last change. Every pool to one endpoint on one worker (two of
    // them for a while after a reload) adds its own share and takes it back when it goes.
    counter open;     ///< connections open: in use, being opened or idle
    counter idle;     ///< of which idle
    counter waiting;  ///< calls waiting for a connection
    counter breakers_closed, breakers_open, breakers_half_open;  ///< pools whose breaker is in that state
};

/// The reuse rule, in one place: a connection goes back to the pool only after a
/// complete, clean exchange that leaves it usable and within its limits.
bool may_reuse(const exchange_state& s, const upstream_config& limits) noexcept;

class connection;

/// Up to max_connections connections to one endpoint, with a FIFO of waiting calls, a circuit
/// breaker and a retry budget (docs/operations.md, "Upstream connections").
class pool {
public:
    /// `tls` must outlive the pool and be set when `url.tls` is.
    /// `stats`: where the pool counts (shared with the pools that follow it after a reload);
    /// null: its own.
    pool(boost::asio::any_io_executor ex, const upstream_config& cfg, base_url url,
         boost::asio::ssl::context* tls, std::shared_ptr<pool_stats> stats = nullptr);
    ~pool();
    pool(const pool&) = delete;
    pool& operator=(const pool&) = delete;

    /// Sends `req` (target relative to the base URL's path) and reads the answer, all
    /// before `deadline`: waiting for a connection, connecting, the TLS handshake, writing and
    /// reading each get what is left of it. Never throws for network conditions: they come
    /// back as the reply's `outcome` (`overloaded` when the queue is full or the breaker
    /// open). A connect that was refused or reset is tried again for every call, as nothing
    /// was sent, for up to upstream.reconnect_window; `retry_safe` also allows one resend on a fresh connection when a connection
    /// fails before any byte of the answer. Both kinds of retry draw on the retry budget. A
    /// call that is not retry-safe always gets a new connection.
    boost::asio::awaitable<translators::upstream_reply> exchange(request req, bool retry_safe,
                                                                 clock::time_point deadline);

    /// Closes idle connections and stops the idle sweeper (shutdown).
    void close();

    /// Signs every request once its Host and path are final (nullptr: no signing). `s` must
    /// outlive the pool.
    void set_signer(request_signer* s) noexcept { signer_ = s; }

    const pool_stats& stats() const noexcept { return *stats_; }
    /// Connections open now (in use, being opened, or idle).
    std::size_t connections() const noexcept { return busy_ + idle_.size(); }
    const breaker& circuit() const noexcept { return breaker_; }
    const std::string& host() const noexcept { return url_.host_header; }

    /// The TLS session to offer on the next handshake (called by OpenSSL's new-session hook).
    void keep_session(ssl_session_st* s) noexcept;

private:
    struct attempt;
    struct waiter;
    class lease;
    enum class open_failure { none, retryable, final };
    boost::asio::awaitable<translators::upstream_reply> attempts(request& req, bool retry_safe,
                                                                 clock::time_point deadline, bool& not_sent);
    boost::asio::awaitable<std::unique_ptr<connection>> open(clock::time_point deadline,
                                                             translators::upstream_reply& failure, open_failure& kind);
    boost::asio::awaitable<void> run(connection& c, request& req, clock::time_point deadline, attempt& out);
    boost::asio::awaitable<bool> acquire(lease& out, bool fresh, clock::time_point deadline,
                                         translators::upstream_reply& failure);
    boost::asio::awaitable<std::unique_ptr<connection>> take_idle();
    void release(std::unique_ptr<connection> reusable);
    void keep_idle(std::unique_ptr<connection> c);
    boost::asio::awaitable<void> sweep();
    /// Brings this pool's share of the gauges up to date; `gone`: takes it back.
    void publish(bool gone = false) noexcept;
    boost::asio::awaitable<bool> back_off(int retry_no, clock::time_point first_refusal, clock::time_point deadline);

    boost::asio::any_io_executor ex_;
    const upstream_config& cfg_;
    base_url url_;
    boost::asio::ssl::context* tls_;
    request_signer* signer_ = nullptr;
    std::vector<std::unique_ptr<connection>> idle_;  ///< most recently used last
    std::size_t busy_ = 0;                           ///< connections in use or being opened
    std::deque<std::shared_ptr<waiter>> waiters_;    ///< oldest first
    boost::asio::steady_timer sweep_timer_;
    bool sweeping_ = false;
    bool closed_ = false;
    breaker breaker_;
    retry_budget budget_;
    std::shared_ptr<pool_stats> stats_;
    struct share {
        std::uint64_t open = 0, idle = 0, waiting = 0;
        int breaker = -1;  ///< the state counted, -1: none
    } published_;
    std::shared_ptr<ssl_session_st> session_;  ///< the last session MRS offered, for resumption
};

/// A TLS client context that verifies peers by default (gateway-anchors.md §3 lesson 8),
/// presents cfg.client_cert when set, and keeps sessions for resumption (per pool).
std::unique_ptr<boost::asio::ssl::context> make_client_tls(const upstream_config& cfg);

}  // namespace sgw::upstream
