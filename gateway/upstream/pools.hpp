// The upstream pools of one worker thread, one per MRS endpoint, and the choice of pool for a
// request's project (regional endpoints, mrs-api.md §7).
#pragma once

#include "gateway/config.hpp"
#include "gateway/upstream/pool.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sgw {
class worker_metrics;
}

namespace sgw::upstream {

/// Every upstream endpoint's settings and TLS context, made once for the process and shared,
/// read-only, by the worker threads.
struct endpoint_set {
    std::vector<upstream_config> settings;  ///< endpoint_configs(cfg)
    std::vector<std::string> identity_urls;  ///< per endpoint; empty: identity.url
    std::vector<std::unique_ptr<boost::asio::ssl::context>> contexts;
    std::vector<boost::asio::ssl::context*> tls;  ///< per endpoint; null where nothing is https

    /// Throws std::invalid_argument (a URL) or boost::system::system_error (a TLS file).
    static endpoint_set make(const config& cfg);
};

/// Which endpoint serves which project: 0 (upstream.url) unless a region lists the project.
class endpoint_map {
public:
    explicit endpoint_map(const std::vector<region_config>& regions);
    std::size_t of(std::string_view project) const;

private:
    struct hash : std::hash<std::string_view> {
        using is_transparent = void;
    };
    std::unordered_map<std::string, std::size_t, hash, std::equal_to<>> by_project_;
};

class pools {
public:
    /// `endpoints` must outlive the pools. Throws std::invalid_argument when a
    /// URL does not parse (config validation catches it first). `signer`, when set, signs
    /// every call of every pool (auth.mode aksk) and must outlive them.
    pools(boost::asio::any_io_executor ex, const endpoint_set& endpoints, const std::vector<region_config>& regions,
          request_signer* signer = nullptr, worker_metrics* metrics = nullptr);

    /// The pool that serves `project`.
    pool& select(std::string_view project) { return *pools_[map_.of(project)]; }

    /// Every pool, [0] the default endpoint's.
    const std::vector<std::unique_ptr<pool>>& all() const noexcept { return pools_; }

    /// Closes every pool (shutdown).
    void close();

private:
    endpoint_map map_;
    std::vector<std::unique_ptr<pool>> pools_;
};

}  // namespace sgw::upstream
