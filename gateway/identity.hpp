// The project of a token, for requests whose URL carries none: asked of a Keystone v3
// endpoint (GET /v3/auth/tokens with X-Subject-Token, like keystonemiddleware) and cached
// per worker thread by the token's SHA-256, until expiry and at most identity.cache_ttl_ms.
// Refusals (the identity endpoint's, and MRS's for a project) are remembered for a short
// while too, so that a client repeating a bad token makes no upstream load, and concurrent
// requests with one token share one validation (single flight).
#pragma once

#include "gateway/config.hpp"
#include "gateway/upstream/pool.hpp"
#include "gateway/upstream/pools.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/result.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>

namespace sgw {

class worker_metrics;

class identity {
public:
    /// `endpoints` must outlive the identity: identity.url uses the default endpoint's TLS
    /// settings, a region's identity_url the region's.
    /// `metrics`, when set, counts cache hits and misses and times the identity calls.
    identity(boost::asio::any_io_executor ex, const config& cfg, const upstream::endpoint_set& endpoints,
             worker_metrics* metrics = nullptr);

    /// Whether requests without a project in the URL can be served at all.
    bool configured() const noexcept { return !cfg_.identity.project.empty() || pools_[0] != nullptr; }

    /// The token's project, or fault::token_refused, fault::token_expired,
    /// fault::identity_unavailable or fault::identity_bad_answer. `project`, when the URL
    /// names one, picks its region's identity endpoint (identity.url when it has none).
    boost::asio::awaitable<boost::system::result<std::string, std::error_code>> project_of(
        std::string_view token, upstream::clock::time_point deadline, std::string_view project = {});

    /// Whether the token was refused within identity.refused_ttl: by the identity endpoint
    /// (`project` empty) or by MRS for `project`.
    bool refused_lately(std::string_view token, std::string_view project, upstream::clock::time_point now);
    /// Remembers a refusal, so that repeats of a bad token cost no identity or MRS call.
    void remember_refused(std::string_view token, std::string_view project, upstream::clock::time_point now);

    void close();

private:
    // One validation in progress; the requests waiting for it wake when `done` is cancelled.
    struct flight {
        explicit flight(boost::asio::any_io_executor ex) : done(std::move(ex)) {}
        boost::asio::steady_timer done;
        std::optional<boost::system::result<std::string, std::error_code>> outcome;
    };
    boost::asio::awaitable<boost::system::result<std::string, std::error_code>> ask(
        upstream::pool& pool, std::string_view token, const std::string& key, upstream::clock::time_point deadline);

    struct entry {
        std::string project;
        upstream::clock::time_point until;
    };
    const config& cfg_;
    boost::asio::any_io_executor ex_;
    worker_metrics* metrics_;
    upstream::endpoint_map regions_;
    std::vector<std::unique_ptr<upstream::pool>> pools_;  ///< per endpoint; null: that endpoint has none
    std::unordered_map<std::string, std::shared_ptr<flight>> flights_;  ///< key: SHA-256 of the token
    std::unordered_map<std::string, entry> cache_;  ///< key: SHA-256 of the token, raw bytes
    /// Refused tokens, keyed by SHA-256 of the token followed by the project; value: until when.
    std::unordered_map<std::string, upstream::clock::time_point> refused_;
};

/// Reads a Keystone v3 token validation body: the project id and the expiry (seconds since
/// the epoch; nullopt if absent). Pure, for tests.
struct token_info {
    std::string project;
    std::optional<long long> expires_at;
};
std::optional<token_info> parse_token_body(std::string_view body);

}  // namespace sgw
