// Gateway configuration: a TOML file, overridden key by key by command-line flags.
#pragma once

#include "translators/sahara/job_template.hpp"

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
    /// On SIGTERM, how long the gateway goes on serving, with /readyz failing and every answer
    /// saying Connection: close, before its listeners close (so that balancers move away first).
    millis shutdown_delay{0};
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
    /// Connections to one endpoint per worker thread, idle ones included; calls beyond wait in
    /// a FIFO of at most max_pending, within their request's deadline (503 when it is full).
    std::size_t max_connections = 32;
    std::size_t max_pending = 256;
    /// Retries (a resend after a stale keep-alive connection, a reconnect after a refused
    /// connect) may add this share of the calls over 10 s, plus min_per_s each second.
    unsigned retry_budget_percent = 20;
    /// How long a call keeps connecting again after its connection was refused or reset (MRS or
    /// its load balancer restarting), with backoff; 0: not at all.
    millis reconnect_window{1'500};
    std::size_t retry_budget_min_per_s = 10;
    /// The circuit breaker of each endpoint (per worker thread): opens after this many
    /// consecutive failures (0: never), or when at least breaker_min_calls calls in
    /// breaker_window failed at breaker_failure_percent or more (0: never); stays open
    /// breaker_open, then lets one probe through.
    std::size_t breaker_failures = 5;
    unsigned breaker_failure_percent = 50;
    std::size_t breaker_min_calls = 20;
    millis breaker_window{10'000};
    millis breaker_open{5'000};
    std::string client_cert;  ///< PEM chain presented to MRS (mTLS); empty: none
    std::string client_key;   ///< its private key (PEM)
    /// verify = false is refused at startup unless this says the operator means it.
    bool allow_insecure = false;
    std::size_t max_requests_per_connection = 1000;
    std::size_t body_limit = 8 * 1024 * 1024;
    std::size_t max_parallel = 8;  ///< upstream calls one Sahara request runs at once
    /// How long a cancel may poll MRS for the job's end before answering TOBEKILLED (backends
    /// that can poll: mrs-v2); 0 answers at once. Below request_timeout.
    millis cancel_wait{0};
};

/// A regional MRS endpoint: the projects listed are served there instead of at upstream.url
/// (mrs-api.md §7: every region has its own endpoint, and project ids are per region). Each
/// region has its own pool, breaker and TLS settings; unset TLS keys take upstream's.
struct region_config {
    std::string name;
    std::string url;
    std::string identity_url;  ///< empty: identity.url
    std::vector<std::string> projects;
    std::optional<std::string> ca_file, client_cert, client_key;
    std::optional<bool> verify;
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

/// A job memory shared by the replicas (gateway/store/shared_memory.hpp). Without one, each
/// process remembers on its own.
struct store_config {
    /// redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]; empty: in-process only.
    std::string url;
    millis timeout{100};  ///< the longest one look-up in the store may take
    std::string prefix = "sahara-gateway:";  ///< begins every key the gateway writes
};

/// The gateway's memory of jobs (gateway/job_memory.hpp): job → cluster and unknown jobs, for
/// backends whose job ids do not name their cluster.
struct jobs_config {
    millis cluster_ttl{3'600'000};  ///< a (job, cluster) pair is trusted this long
    millis unknown_ttl{60'000};     ///< a job found on no cluster is answered 404 this long
    std::size_t max_entries = 8192;  ///< per kind of memory, for the whole process
    store_config store{};
};

struct log_config {
    std::string level = "info";
    bool access = false;  ///< one line per request
    /// Where access lines go: "-" for stdout, or a file (appended to, reopened on SIGHUP).
    std::string access_path = "-";
};

/// The admin listener: /healthz, /readyz and /metrics, on an address of its own.
struct admin_config {
    bool enabled = false;  ///< admin.listen is set
    std::string host{};
    unsigned short port = 0;  ///< 0 picks a free one
};

struct config {
    listener_config listen;
    upstream_config upstream;
    std::vector<region_config> regions;
    identity_config identity;
    auth_config auth;
    jobs_config jobs;
    log_config log;
    admin_config admin;
    /// [[job_templates]]: the templates served when MRS has no job-object API
    /// (sahara-clusters-and-templates.md §4.4).
    std::vector<sahara::job_template> job_templates;
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

/// The settings of every upstream endpoint: [0] is upstream itself, [i] region i-1 with its
/// url and TLS keys laid over upstream's.
std::vector<upstream_config> endpoint_configs(const config& cfg);

/// The --help text, generated from the same table that parses keys.
std::string usage();

}  // namespace sgw
