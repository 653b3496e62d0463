// Keep-alive connection pool to one MRS endpoint, owned by one worker thread (no locks).
#pragma once

#include "gateway/config.hpp"
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
#include <memory>
#include <vector>

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
};

/// The reuse rule, in one place: a connection goes back to the pool only after a
/// complete, clean exchange that leaves it usable and within its limits.
bool may_reuse(const exchange_state& s, const upstream_config& limits) noexcept;

class connection;

class pool {
public:
    /// `tls` must outlive the pool and be set when `url.tls` is.
    pool(boost::asio::any_io_executor ex, const upstream_config& cfg, base_url url,
         boost::asio::ssl::context* tls);
    ~pool();
    pool(const pool&) = delete;
    pool& operator=(const pool&) = delete;

    /// Sends `req` (target relative to the base URL's path) and reads the answer, all
    /// before `deadline`. Never throws for network conditions: they come back as the
    /// reply's `outcome`. `retry_safe` allows one resend on a fresh connection when a
    /// reused one fails before any byte of the answer.
    boost::asio::awaitable<translators::upstream_reply> exchange(request req, bool retry_safe,
                                                                 clock::time_point deadline);

    /// Closes idle connections and stops the idle sweeper (shutdown).
    void close();

    /// Signs every request once its Host and path are final (nullptr: no signing). `s` must
    /// outlive the pool.
    void set_signer(request_signer* s) noexcept { signer_ = s; }

private:
    struct attempt;
    boost::asio::awaitable<std::unique_ptr<connection>> open(clock::time_point deadline,
                                                             translators::upstream_reply& failure);
    boost::asio::awaitable<void> run(connection& c, request& req, clock::time_point deadline, attempt& out);
    boost::asio::awaitable<std::unique_ptr<connection>> take_idle(bool retry_safe);
    void give_back(std::unique_ptr<connection> c);
    boost::asio::awaitable<void> sweep();

    boost::asio::any_io_executor ex_;
    const upstream_config& cfg_;
    base_url url_;
    boost::asio::ssl::context* tls_;
    request_signer* signer_ = nullptr;
    std::vector<std::unique_ptr<connection>> idle_;  ///< most recently used last
    boost::asio::steady_timer sweep_timer_;
    bool sweeping_ = false;
    bool closed_ = false;
};

/// A TLS client context that verifies peers by default (gateway-anchors.md §3 lesson 8).
std::unique_ptr<boost::asio::ssl::context> make_client_tls(const upstream_config& cfg);

}  // namespace sgw::upstream
