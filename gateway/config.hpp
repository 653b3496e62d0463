// Gateway configuration: a TOML file, overridden key by key by command-line flags.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sgw {

using millis = std::chrono::milliseconds;

struct listener_config {
    std::string host = "127.0.0.1";
    unsigned short port = 8386;  ///< Sahara's port; 0 picks a free one
    unsigned threads = 0;        ///< 0 = one per core
    std::size_t header_limit = 8 * 1024;
    std::size_t body_limit = 114688;  ///< oslo.middleware sizelimit default (gateway-anchors.md §4)
    millis idle_timeout{60'000};      ///< keep-alive: waiting for the next request's first byte
    millis header_timeout{10'000};    ///< the whole request header, from its first byte
    millis read_timeout{15'000};      ///< the body, once the header is in
    millis write_timeout{15'000};
    millis drain_timeout{10'000};  ///< on SIGTERM, how long in-flight requests may finish
    /// Client connections the process holds at once; 0 = derived from the descriptor limit
    /// (see connection_limit.hpp). One more is answered 503 and closed.
    std::size_t max_connections = 0;
    /// Build absolute links from Forwarded / X-Forwarded-Proto / X-Forwarded-Host (enable only
    /// behind a proxy that sets them).
    bool trust_forwarded = false;
};

/// Where the project of a request whose URL carries none (all of v2, v1.1 without the
/// project segment) comes from.
struct identity_config {
    std::string url;      ///< Keystone v3 endpoint, e.g. https://iam.eu-de.otc.t-systems.com/v3
    std::string project;  ///< a fixed project instead of asking the identity endpoint
    millis cache_ttl{300'000};  ///< validated tokens are cached this long at most (and never past expiry)
    std::size_t max_cached = 10'000;  ///< per worker thread
    millis refused_ttl{10'000};        ///< a refused token is answered 401 without asking again this long
    std::size_t max_refused = 10'000;  ///< refused tokens remembered per worker thread; 0 = none
};

struct upstream_config {
    std::string url;  ///< e.g. https://mrs.eu-de.otc.t-systems.com
    std::string backend = "mrs-v1.1";  ///< a name from the backend registry (translators/registry.hpp)
    std::string ca_file;  ///< empty: the system's trust store
    bool verify = true;   ///< verify the peer certificate and host name
    millis connect_timeout{3'000};
    millis request_timeout{30'000};  ///< budget for all MRS calls of one Sahara request
    millis idle_timeout{30'000};     ///< pooled connections idle longer are closed
    millis max_connection_age{300'000};
    std::size_t max_idle = 64;  ///< per worker thread
    std::size_t max_requests_per_connection = 1000;
    std::size_t body_limit = 8 * 1024 * 1024;
    std::size_t max_parallel = 8;  ///< upstream calls one Sahara request runs at once
    /// How long a cancel may poll MRS for the job's end before answering TOBEKILLED (backends
    /// that can poll: mrs-v2); 0 answers at once. Below request_timeout.
    millis cancel_wait{0};
};

/// How the gateway authenticates to MRS.
struct auth_config {
    /// "passthrough": each MRS call carries the client's token. "aksk": each MRS call is signed
    /// with the gateway's access key (mrs-api.md §6.2), after the client's token has been
    /// validated at identity.url for the URL's project.
    std::string mode = "passthrough";
    /// TOML file with access_key, secret_key and, for temporary keys, security_token; empty:
    /// the HUAWEICLOUD_SDK_AK / _SK / _SECURITY_TOKEN environment variables.
    std::string credentials_file;
};

/// The gateway's memory of jobs (gateway/job_memory.hpp): job → cluster and unknown jobs, for
/// backends whose job ids do not name their cluster.
struct jobs_config {
    millis cluster_ttl{3'600'000};  ///< a (job, cluster) pair is trusted this long
    millis unknown_ttl{60'000};     ///< a job found on no cluster is answered 404 this long
    std::size_t max_entries = 8192;  ///< per kind of memory, for the whole process
};

struct log_config {
    std::string level = "info";
    bool access = false;  ///< one line per request
};

struct config {
    listener_config listen;
    upstream_config upstream;
    identity_config identity;
    auth_config auth;
    jobs_config jobs;
    log_config log;
};

/// The outcome of reading the configuration.
struct config_result {
    config cfg;
    std::vector<std::string> errors;  ///< each names the key or flag at fault
    std::optional<std::string> config_file;
    bool check_only = false;
    bool show_help = false;
    bool show_version = false;
};

/// Reads `--config FILE` (if given), then applies every other flag on top.
/// Flags: one per key, `--section-key VALUE` or `--section-key=VALUE`, plus the short
/// forms `--listen HOST:PORT`, `--threads N`, `--upstream URL`, `--backend NAME`.
config_result load_config(int argc, const char* const* argv);

/// Parses TOML text into `cfg`, appending errors; `origin` names the source in messages.
void apply_toml(config& cfg, std::string_view text, std::string_view origin, std::vector<std::string>& errors);

/// Checks cross-key rules (a URL is set and parses, limits are positive, ...).
void validate(const config& cfg, std::vector<std::string>& errors);

/// The --help text, generated from the same table that parses keys.
std::string usage();

}  // namespace sgw
