// Gateway configuration: a TOML file, overridden key by key by command-line flags.
#include "gateway/config.hpp"

#include "gateway/credentials.hpp"
#include "gateway/store/keys.hpp"
#include "gateway/store/redis_url.hpp"
#include "gateway/upstream/url.hpp"
#include "translators/registry.hpp"

#include <algorithm>

#include <boost/asio/ip/address.hpp>
#include <toml++/toml.h>

#include <charconv>
#include <fstream>
#include <functional>
#include <sstream>
#include <unordered_map>
#include <variant>

namespace sgw {
namespace {

using scalar = std::variant<std::string, long long, bool>;
enum class kind { text, integer, boolean };

/// One configuration key: its TOML path, its flag, how to apply a value, how to show it.
struct option {
    std::string_view key;
    std::string_view alias;  ///< short flag without "--", or empty
    kind type;
    std::string_view help;
    std::function<std::optional<std::string>(config&, const scalar&)> apply;
    std::function<std::string(const config&)> show;
};

std::optional<std::string> parse_address(std::string_view text, std::string& host_out, unsigned short& port_out) {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return "expected HOST:PORT";
    std::string_view host = text.substr(0, colon), port = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    unsigned p = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (host.empty() || ec != std::errc{} || ptr != port.data() + port.size() || p > 65535)
        return "expected HOST:PORT with a port from 0 to 65535";
    boost::system::error_code bad;
    boost::asio::ip::make_address(std::string(host), bad);
    if (bad) return "expected an IP address as HOST";
    host_out = std::string(host);
    port_out = static_cast<unsigned short>(p);
    return std::nullopt;
}

std::string show_address(const std::string& host, unsigned short port) {
    const bool v6 = host.find(':') != std::string::npos;
    return "\"" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + "\"";
}

template <class T>
std::function<std::optional<std::string>(config&, const scalar&)> set_count(T config::*section,
                                                                              std::size_t T::*field,
                                                                              long long min) {
    return [=](config& c, const scalar& v) -> std::optional<std::string> {
        auto n = std::get<long long>(v);
        if (n < min) return "must be at least " + std::to_string(min);
        (c.*section).*field = static_cast<std::size_t>(n);
        return std::nullopt;
    };
}

/// Milliseconds from `min` (1 unless 0 means "off") to a day.
template <class T>
std::function<std::optional<std::string>(config&, const scalar&)> set_ms(T config::*section, millis T::*field,
                                                                           long long min = 1) {
    return [=](config& c, const scalar& v) -> std::optional<std::string> {
        auto n = std::get<long long>(v);
        if (n < min || n > 86'400'000)
            return "must be between " + std::to_string(min) + " and 86400000 milliseconds";
        (c.*section).*field = millis{n};
        return std::nullopt;
    };
}

template <class T>
std::function<std::optional<std::string>(config&, const scalar&)> set_text(T config::*section,
                                                                            std::string T::*field) {
    return [=](config& c, const scalar& v) -> std::optional<std::string> {
        (c.*section).*field = std::get<std::string>(v);
        return std::nullopt;
    };
}

template <class T>
std::function<std::optional<std::string>(config&, const scalar&)> set_flag(T config::*section, bool T::*field) {
    return [=](config& c, const scalar& v) -> std::optional<std::string> {
        (c.*section).*field = std::get<bool>(v);
        return std::nullopt;
    };
}

std::function<std::optional<std::string>(config&, const scalar&)> set_percent(unsigned upstream_config::*field) {
    return [=](config& c, const scalar& v) -> std::optional<std::string> {
        auto n = std::get<long long>(v);
        if (n < 0 || n > 100) return "must be between 0 and 100";
        c.upstream.*field = static_cast<unsigned>(n);
        return std::nullopt;
    };
}

template <class T, class F>
std::function<std::string(const config&)> show_field(T config::*section, F T::*field) {
    return [=](const config& c) {
        const auto& v = (c.*section).*field;
        if constexpr (std::is_same_v<F, millis>)
            return std::to_string(v.count());
        else if constexpr (std::is_same_v<F, bool>)
            return std::string(v ? "true" : "false");
        else if constexpr (std::is_same_v<F, std::string>)
            return "\"" + v + "\"";
        else
            return std::to_string(v);
    };
}

std::string backend_names() {
    std::string out;
    for (const auto& b : translators::backends()) {
        if (!out.empty()) out += ", ";
        out += b.name;
    }
    return out;
}

// "MRS API to translate to: NAME (description); ..." from the registry.
std::string_view backend_help() {
    static const std::string text = [] {
        std::string t = "MRS API to translate to:";
        for (const auto& b : translators::backends()) {
            t += "\n        ";
            t += b.name;
            t += ": ";
            t += b.description;
        }
        return t;
    }();
    return text;
}

const std::vector<option>& options() {
    static const std::vector<option> table = {
        {"listen", "listen", kind::text, "address and port to serve Sahara clients on, HOST:PORT",
         [](config& c, const scalar& v) { return parse_address(std::get<std::string>(v), c.listen.host, c.listen.port); },
         [](const config& c) { return show_address(c.listen.host, c.listen.port); }},
        {"threads", "threads", kind::integer, "worker threads, each with its own event loop; 0 = one per core",
         [](config& c, const scalar& v) -> std::optional<std::string> {
             auto n = std::get<long long>(v);
             if (n < 0 || n > 256) return "must be between 0 and 256";
             c.listen.threads = static_cast<unsigned>(n);
             return std::nullopt;
         },
         [](const config& c) { return std::to_string(c.listen.threads); }},
        {"server.header_limit", "", kind::integer, "largest request header accepted, bytes",
         set_count(&config::listen, &listener_config::header_limit, 512),
         show_field(&config::listen, &listener_config::header_limit)},
        {"server.body_limit", "", kind::integer, "largest request body accepted, bytes (413 above)",
         set_count(&config::listen, &listener_config::body_limit, 0),
         show_field(&config::listen, &listener_config::body_limit)},
        {"server.idle_timeout_ms", "", kind::integer, "close a keep-alive client connection idle this long",
         set_ms(&config::listen, &listener_config::idle_timeout),
         show_field(&config::listen, &listener_config::idle_timeout)},
        {"server.header_timeout_ms", "", kind::integer,
         "deadline to read a request header, from its first byte (a slow client cannot stretch it)",
         set_ms(&config::listen, &listener_config::header_timeout),
         show_field(&config::listen, &listener_config::header_timeout)},
        {"server.read_timeout_ms", "", kind::integer, "deadline to read a request body once the header is in",
         set_ms(&config::listen, &listener_config::read_timeout),
         show_field(&config::listen, &listener_config::read_timeout)},
        {"server.write_timeout_ms", "", kind::integer, "deadline to write a response",
         set_ms(&config::listen, &listener_config::write_timeout),
         show_field(&config::listen, &listener_config::write_timeout)},
        {"server.drain_timeout_ms", "", kind::integer, "on SIGTERM/SIGINT, time allowed for requests in flight",
         set_ms(&config::listen, &listener_config::drain_timeout),
         show_field(&config::listen, &listener_config::drain_timeout)},
        {"server.shutdown_delay_ms", "", kind::integer,
         "on SIGTERM, keep serving this long with /readyz failing before the listeners close; 0 = close at once",
         set_ms(&config::listen, &listener_config::shutdown_delay, 0),
         show_field(&config::listen, &listener_config::shutdown_delay)},
        {"server.max_connections", "", kind::integer,
         "client connections held at once; more are answered 503; 0 = derived from the descriptor limit",
         set_count(&config::listen, &listener_config::max_connections, 0),
         show_field(&config::listen, &listener_config::max_connections)},
        {"server.trust_forwarded", "", kind::boolean,
         "build links from Forwarded / X-Forwarded-* headers (only behind a proxy that sets them)",
         set_flag(&config::listen, &listener_config::trust_forwarded),
         show_field(&config::listen, &listener_config::trust_forwarded)},
        {"identity.url", "", kind::text,
         "Keystone v3 endpoint validating tokens of requests without a project in the URL",
         set_text(&config::identity, &identity_config::url),
         show_field(&config::identity, &identity_config::url)},
        {"identity.project", "", kind::text, "fixed project for requests without a project in the URL",
         set_text(&config::identity, &identity_config::project),
         show_field(&config::identity, &identity_config::project)},
        {"identity.cache_ttl_ms", "", kind::integer, "longest a validated token is trusted without asking again",
         set_ms(&config::identity, &identity_config::cache_ttl),
         show_field(&config::identity, &identity_config::cache_ttl)},
        {"identity.max_cached", "", kind::integer, "validated tokens cached per worker thread",
         set_count(&config::identity, &identity_config::max_cached, 1),
         show_field(&config::identity, &identity_config::max_cached)},
        {"identity.refused_ttl_ms", "", kind::integer,
         "a token refused by the identity endpoint or MRS is answered 401 without asking again this long",
         set_ms(&config::identity, &identity_config::refused_ttl),
         show_field(&config::identity, &identity_config::refused_ttl)},
        {"identity.max_refused", "", kind::integer, "refused tokens remembered per worker thread; 0 = none",
         set_count(&config::identity, &identity_config::max_refused, 0),
         show_field(&config::identity, &identity_config::max_refused)},
        {"upstream.url", "upstream", kind::text, "base URL of MRS, http:// or https://",
         set_text(&config::upstream, &upstream_config::url),
         show_field(&config::upstream, &upstream_config::url)},
        {"upstream.backend", "backend", kind::text, backend_help(),
         [](config& c, const scalar& v) -> std::optional<std::string> {
             const auto& name = std::get<std::string>(v);
             if (!translators::find_backend(name)) return "unknown backend (supported: " + backend_names() + ")";
             c.upstream.backend = name;
             return std::nullopt;
         },
         show_field(&config::upstream, &upstream_config::backend)},
        {"upstream.ca_file", "", kind::text, "PEM file of CAs to trust for MRS; empty = system store",
         set_text(&config::upstream, &upstream_config::ca_file),
         show_field(&config::upstream, &upstream_config::ca_file)},
        {"upstream.verify", "", kind::boolean, "verify MRS's certificate and host name (keep true)",
         set_flag(&config::upstream, &upstream_config::verify),
         show_field(&config::upstream, &upstream_config::verify)},
        {"upstream.connect_timeout_ms", "", kind::integer, "deadline for TCP connect and TLS handshake",
         set_ms(&config::upstream, &upstream_config::connect_timeout),
         show_field(&config::upstream, &upstream_config::connect_timeout)},
        {"upstream.request_timeout_ms", "", kind::integer, "budget for all MRS calls of one request (504 after)",
         set_ms(&config::upstream, &upstream_config::request_timeout),
         show_field(&config::upstream, &upstream_config::request_timeout)},
        {"upstream.idle_timeout_ms", "", kind::integer,
         "close pooled connections idle this long; keep below MRS's keep-alive timeout",
         set_ms(&config::upstream, &upstream_config::idle_timeout),
         show_field(&config::upstream, &upstream_config::idle_timeout)},
        {"upstream.max_connection_age_ms", "", kind::integer, "retire a pooled connection after this long",
         set_ms(&config::upstream, &upstream_config::max_connection_age),
         show_field(&config::upstream, &upstream_config::max_connection_age)},
        {"upstream.max_idle", "", kind::integer, "idle connections kept per worker thread",
         set_count(&config::upstream, &upstream_config::max_idle, 0),
         show_field(&config::upstream, &upstream_config::max_idle)},
        {"upstream.max_connections", "", kind::integer,
         "connections to one MRS endpoint per worker thread, idle ones included; more calls wait in a queue",
         set_count(&config::upstream, &upstream_config::max_connections, 1),
         show_field(&config::upstream, &upstream_config::max_connections)},
        {"upstream.max_pending", "", kind::integer,
         "calls waiting for a connection per endpoint and worker thread; one more is answered 503",
         set_count(&config::upstream, &upstream_config::max_pending, 0),
         show_field(&config::upstream, &upstream_config::max_pending)},
        {"upstream.retry_budget_percent", "", kind::integer,
         "retries may add this share of the calls of the last 10 s (0 to 100)",
         set_percent(&upstream_config::retry_budget_percent),
         show_field(&config::upstream, &upstream_config::retry_budget_percent)},
        {"upstream.reconnect_window_ms", "", kind::integer,
         "how long a call keeps connecting again after a refused or reset connect (a restarting MRS); 0 = never",
         set_ms(&config::upstream, &upstream_config::reconnect_window, 0),
         show_field(&config::upstream, &upstream_config::reconnect_window)},
        {"upstream.retry_budget_min_per_s", "", kind::integer, "retries always allowed per second, on top of the share",
         set_count(&config::upstream, &upstream_config::retry_budget_min_per_s, 0),
         show_field(&config::upstream, &upstream_config::retry_budget_min_per_s)},
        {"upstream.breaker_failures", "", kind::integer,
         "consecutive failed calls that open an endpoint's circuit breaker; 0 = never",
         set_count(&config::upstream, &upstream_config::breaker_failures, 0),
         show_field(&config::upstream, &upstream_config::breaker_failures)},
        {"upstream.breaker_failure_percent", "", kind::integer,
         "share of failed calls in the window that opens the breaker (1 to 100); 0 = never",
         set_percent(&upstream_config::breaker_failure_percent),
         show_field(&config::upstream, &upstream_config::breaker_failure_percent)},
        {"upstream.breaker_min_calls", "", kind::integer, "calls in the window before the failure share counts",
         set_count(&config::upstream, &upstream_config::breaker_min_calls, 1),
         show_field(&config::upstream, &upstream_config::breaker_min_calls)},
        {"upstream.breaker_window_ms", "", kind::integer, "window the failure share is counted over",
         set_ms(&config::upstream, &upstream_config::breaker_window),
         show_field(&config::upstream, &upstream_config::breaker_window)},
        {"upstream.breaker_open_ms", "", kind::integer,
         "how long an open breaker answers 503 at once before one probe call goes through",
         set_ms(&config::upstream, &upstream_config::breaker_open),
         show_field(&config::upstream, &upstream_config::breaker_open)},
        {"upstream.client_cert", "", kind::text, "PEM certificate chain to present to MRS (mutual TLS); empty = none",
         set_text(&config::upstream, &upstream_config::client_cert),
         show_field(&config::upstream, &upstream_config::client_cert)},
        {"upstream.client_key", "", kind::text, "PEM private key of upstream.client_cert",
         set_text(&config::upstream, &upstream_config::client_key),
         show_field(&config::upstream, &upstream_config::client_key)},
        {"upstream.allow_insecure", "", kind::boolean,
         "allow upstream.verify = false (or a region's verify = false); never in production",
         set_flag(&config::upstream, &upstream_config::allow_insecure),
         show_field(&config::upstream, &upstream_config::allow_insecure)},
        {"upstream.max_requests_per_connection", "", kind::integer, "retire a connection after this many requests",
         set_count(&config::upstream, &upstream_config::max_requests_per_connection, 1),
         show_field(&config::upstream, &upstream_config::max_requests_per_connection)},
        {"upstream.body_limit", "", kind::integer, "largest MRS answer body accepted, bytes (502 above)",
         set_count(&config::upstream, &upstream_config::body_limit, 1024),
         show_field(&config::upstream, &upstream_config::body_limit)},
        {"upstream.max_parallel", "", kind::integer,
         "upstream calls one Sahara request may run at once (a list over many clusters queues the rest)",
         set_count(&config::upstream, &upstream_config::max_parallel, 1),
         show_field(&config::upstream, &upstream_config::max_parallel)},
        {"upstream.cancel_wait_ms", "", kind::integer,
         "how long a cancel polls MRS for the job's end before answering TOBEKILLED (mrs-v2); 0 = no wait",
         set_ms(&config::upstream, &upstream_config::cancel_wait, 0),
         show_field(&config::upstream, &upstream_config::cancel_wait)},
        {"auth.mode", "", kind::text,
         "passthrough: MRS calls carry the client's token; aksk: they are signed with the gateway's access key, "
         "after the client's token is validated at identity.url for the URL's project",
         [](config& c, const scalar& v) -> std::optional<std::string> {
             const auto& m = std::get<std::string>(v);
             if (m != "passthrough" && m != "aksk") return "must be passthrough or aksk";
             c.auth.mode = m;
             return std::nullopt;
         },
         show_field(&config::auth, &auth_config::mode)},
        {"auth.credentials_file", "", kind::text,
         "aksk: TOML file with access_key, secret_key[, security_token]; empty = the HUAWEICLOUD_SDK_AK, "
         "HUAWEICLOUD_SDK_SK[, HUAWEICLOUD_SDK_SECURITY_TOKEN] environment variables",
         set_text(&config::auth, &auth_config::credentials_file),
         show_field(&config::auth, &auth_config::credentials_file)},
        {"jobs.cluster_ttl_ms", "", kind::integer, "how long the cluster a job was seen on is trusted (mrs-v2)",
         set_ms(&config::jobs, &jobs_config::cluster_ttl), show_field(&config::jobs, &jobs_config::cluster_ttl)},
        {"jobs.unknown_ttl_ms", "", kind::integer,
         "how long a job found on no cluster is answered 404 without looking again (mrs-v2)",
         set_ms(&config::jobs, &jobs_config::unknown_ttl), show_field(&config::jobs, &jobs_config::unknown_ttl)},
        {"jobs.max_entries", "", kind::integer,
         "entries of each kind of job memory (being killed, deleted, cluster, unknown) held at once",
         set_count(&config::jobs, &jobs_config::max_entries, 16), show_field(&config::jobs, &jobs_config::max_entries)},
        {"jobs.store", "", kind::text,
         "Redis keeping the job memory for every replica, redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] (no TLS: "
         "loopback or a private network); empty = each process remembers on its own",
         [](config& c, const scalar& v) -> std::optional<std::string> {
             const auto& url = std::get<std::string>(v);
             std::string error;
             if (!url.empty() && !store::parse_redis_url(url, error)) return error;  // never quotes the URL
             c.jobs.store.url = url;
             return std::nullopt;
         },
         [](const config& c) {
             std::string error;
             const auto where = store::parse_redis_url(c.jobs.store.url, error);
             return "\"" + (where ? where->redacted() : std::string()) + "\"";
         }},
        {"jobs.store_timeout_ms", "", kind::integer,
         "longest one look-up in jobs.store may take; past it, the process's own memory answers",
         [](config& c, const scalar& v) -> std::optional<std::string> {
             const auto n = std::get<long long>(v);
             if (n < 1 || n > 86'400'000) return "must be between 1 and 86400000 milliseconds";
             c.jobs.store.timeout = millis{n};
             return std::nullopt;
         },
         [](const config& c) { return std::to_string(c.jobs.store.timeout.count()); }},
        {"jobs.store_prefix", "", kind::text, "begins the name of every key written to jobs.store",
         [](config& c, const scalar& v) -> std::optional<std::string> {
             const auto& prefix = std::get<std::string>(v);
             if (!store::valid_prefix(prefix)) return "must be 1 to 64 printable characters without spaces or braces";
             c.jobs.store.prefix = prefix;
             return std::nullopt;
         },
         [](const config& c) { return "\"" + c.jobs.store.prefix + "\""; }},
        {"log.level", "", kind::text, "debug, info, warn or error",
         [](config& c, const scalar& v) -> std::optional<std::string> {
             auto& s = std::get<std::string>(v);
             if (s != "debug" && s != "info" && s != "warn" && s != "error")
                 return "must be debug, info, warn or error";
             c.log.level = s;
             return std::nullopt;
         },
         show_field(&config::log, &log_config::level)},
        {"log.access", "", kind::boolean, "write one access-log line per request",
         set_flag(&config::log, &log_config::access),
         show_field(&config::log, &log_config::access)},
        {"log.access_path", "", kind::text, "where access-log lines go: - for stdout, or a file reopened on SIGHUP",
         [](config& c, const scalar& v) -> std::optional<std::string> {
             auto& s = std::get<std::string>(v);
             if (s.empty()) return "must be - or a file";
             c.log.access_path = s;
             return std::nullopt;
         },
         show_field(&config::log, &log_config::access_path)},
        {"admin.listen", "", kind::text, "address of the admin listener (/healthz, /readyz, /metrics), HOST:PORT; empty = none",
         [](config& c, const scalar& v) -> std::optional<std::string> {
             auto& s = std::get<std::string>(v);
             c.admin.enabled = !s.empty();
             if (s.empty()) return std::nullopt;
             return parse_address(s, c.admin.host, c.admin.port);
         },
         [](const config& c) { return c.admin.enabled ? show_address(c.admin.host, c.admin.port) : std::string("\"\""); }},
    };
    return table;
}

std::string flag_name(const option& o) {
    std::string f(o.key);
    for (char& ch : f)
        if (ch == '.' || ch == '_') ch = '-';
    return f;
}

std::string_view kind_name(kind k) {
    switch (k) {
        case kind::text: return "a string";
        case kind::integer: return "an integer";
        case kind::boolean: return "a boolean";
    }
    return "a value";
}

void apply(config& cfg, const option& o, const scalar& v, std::string_view where, std::vector<std::string>& errors) {
    if (auto err = o.apply(cfg, v)) errors.push_back(std::string(where) + ": " + *err);
}

std::optional<scalar> from_text(kind k, std::string_view text) {
    switch (k) {
        case kind::text: return scalar{std::string(text)};
        case kind::integer: {
            long long n = 0;
            auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
            if (ec != std::errc{} || p != text.data() + text.size()) return std::nullopt;
            return scalar{n};
        }
        case kind::boolean:
            if (text == "true" || text == "1" || text == "yes" || text == "on") return scalar{true};
            if (text == "false" || text == "0" || text == "no" || text == "off") return scalar{false};
            return std::nullopt;
    }
    return std::nullopt;
}

std::optional<scalar> from_node(kind k, const toml::node& n) {
    switch (k) {
        case kind::text:
            if (auto s = n.value<std::string>(); s && n.is_string()) return scalar{*s};
            return std::nullopt;
        case kind::integer:
            if (n.is_integer()) return scalar{*n.value<long long>()};
            return std::nullopt;
        case kind::boolean:
            if (n.is_boolean()) return scalar{*n.value<bool>()};
            return std::nullopt;
    }
    return std::nullopt;
}

// [regions.NAME] tables: url, identity_url, projects, and the TLS keys of [upstream].
void read_regions(config& cfg, const toml::node& node, std::string_view origin, std::vector<std::string>& errors) {
    const auto* regions = node.as_table();
    if (!regions) {
        errors.push_back(std::string(origin) + ": regions: expected tables [regions.NAME]");
        return;
    }
    for (auto&& [name, value] : *regions) {
        const std::string where = std::string(origin) + ": regions." + std::string(name.str());
        const auto* t = value.as_table();
        if (!t) {
            errors.push_back(where + ": expected a table");
            continue;
        }
        region_config r;
        r.name = std::string(name.str());
        for (auto&& entry : *t) {
            // Not a structured binding: clang 14 cannot capture those in the lambdas below.
            const std::string_view key = entry.first.str();
            const toml::node& v = entry.second;
            const std::string at = where + "." + std::string(key);
            auto text = [&](auto& out) {
                if (auto s = v.value<std::string>(); s && v.is_string())
                    out = *s;
                else
                    errors.push_back(at + ": expected a string");
            };
            if (key == "url") {
                text(r.url);
            } else if (key == "identity_url") {
                text(r.identity_url);
            } else if (key == "ca_file") {
                text(r.ca_file.emplace());
            } else if (key == "client_cert") {
                text(r.client_cert.emplace());
            } else if (key == "client_key") {
                text(r.client_key.emplace());
            } else if (key == "verify") {
                if (v.is_boolean())
                    r.verify = *v.value<bool>();
                else
                    errors.push_back(at + ": expected a boolean");
            } else if (key == "projects") {
                const auto* list = v.as_array();
                if (!list) {
                    errors.push_back(at + ": expected an array of project ids");
                    continue;
                }
                for (auto&& p : *list) {
                    if (auto id = p.value<std::string>(); id && p.is_string() && !id->empty())
                        r.projects.push_back(*id);
                    else
                        errors.push_back(at + ": expected non-empty strings");
                }
            } else {
                errors.push_back(at + ": unknown key");
            }
        }
        cfg.regions.push_back(std::move(r));
    }
}

// [[job_templates]]: id (a UUID: clients send non-UUIDs to a name look-up), name, type,
// description, and mains/libs as arrays of {id, name} tables.
void read_job_templates(config& cfg, const toml::node& node, std::string_view origin, std::vector<std::string>& errors) {
    const auto* list = node.as_array();
    if (!list) {
        errors.push_back(std::string(origin) + ": job_templates: expected tables [[job_templates]]");
        return;
    }
    std::size_t index = 0;
    for (auto&& item : *list) {
        const std::string where = std::string(origin) + ": job_templates[" + std::to_string(index++) + "]";
        const auto* t = item.as_table();
        if (!t) {
            errors.push_back(where + ": expected a table");
            continue;
        }
        sahara::job_template jt;
        auto text = [&](const toml::node& v, const std::string& at, std::string& out) {
            if (auto s = v.value<std::string>(); s && v.is_string())
                out = *s;
            else
                errors.push_back(at + ": expected a string");
        };
        for (auto&& entry : *t) {
            const std::string_view key = entry.first.str();
            const toml::node& v = entry.second;
            const std::string at = where + "." + std::string(key);
            if (key == "id") {
                text(v, at, jt.id);
            } else if (key == "name") {
                text(v, at, jt.name);
            } else if (key == "type") {
                text(v, at, jt.type);
            } else if (key == "description") {
                text(v, at, jt.description);
            } else if (key == "mains" || key == "libs") {
                auto& out = key == "mains" ? jt.mains : jt.libs;
                const auto* binaries = v.as_array();
                if (!binaries) {
                    errors.push_back(at + ": expected an array of {id, name} tables");
                    continue;
                }
                for (auto&& b : *binaries) {
                    const auto* bt = b.as_table();
                    const auto* id = bt ? bt->get("id") : nullptr;
                    const auto* name = bt ? bt->get("name") : nullptr;
                    if (!bt || bt->size() != 2 || !id || !name || !id->is_string() || !name->is_string()) {
                        errors.push_back(at + ": expected {id = \"...\", name = \"...\"} tables");
                        continue;
                    }
                    out.push_back({*id->value<std::string>(), *name->value<std::string>()});
                }
            } else {
                errors.push_back(at + ": unknown key");
            }
        }
        cfg.job_templates.push_back(std::move(jt));
    }
}

void walk(config& cfg, const toml::table& table, const std::string& prefix, std::string_view origin,
          std::vector<std::string>& errors) {
    for (auto&& [k, node] : table) {
        const std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
        const std::string where = std::string(origin) + ": " + key;
        if (key == "regions") {
            read_regions(cfg, node, origin, errors);
            continue;
        }
        if (key == "job_templates") {
            read_job_templates(cfg, node, origin, errors);
            continue;
        }
        const option* match = nullptr;
        for (auto& o : options())
            if (o.key == key) match = &o;
        if (!match) {
            bool is_section = false;
            for (auto& o : options())
                if (o.key.starts_with(key + ".")) is_section = true;
            if (is_section && node.is_table()) {
                walk(cfg, *node.as_table(), key, origin, errors);
                continue;
            }
            errors.push_back(where + ": unknown key");
            continue;
        }
        auto v = from_node(match->type, node);
        if (!v) {
            errors.push_back(where + ": expected " + std::string(kind_name(match->type)));
            continue;
        }
        apply(cfg, *match, *v, where, errors);
    }
}

}  // namespace

void apply_toml(config& cfg, std::string_view text, std::string_view origin, std::vector<std::string>& errors) {
    toml::table table;
    try {
        table = toml::parse(text, origin);
    } catch (const toml::parse_error& e) {
        std::ostringstream msg;
        msg << origin << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
            << e.description();
        errors.push_back(msg.str());
        return;
    }
    walk(cfg, table, "", origin, errors);
}

namespace {

void validate_regions(const config& cfg, std::vector<std::string>& errors) {
    std::unordered_map<std::string_view, std::string_view> owner;  // project -> region
    for (const auto& r : cfg.regions) {
        const std::string at = "regions." + r.name;
        if (r.url.empty())
            errors.push_back(at + ".url: required");
        else if (auto parsed = upstream::parse_base_url(r.url); !parsed)
            errors.push_back(at + ".url: " + parsed.error());
        if (!r.identity_url.empty())
            if (auto parsed = upstream::parse_base_url(r.identity_url); !parsed)
                errors.push_back(at + ".identity_url: " + parsed.error());
        if (r.projects.empty()) errors.push_back(at + ".projects: list the projects this region serves");
        for (const auto& p : r.projects)
            if (auto [it, fresh] = owner.emplace(p, r.name); !fresh)
                errors.push_back(at + ".projects: " + p + " is already served by regions." + std::string(it->second));
    }
}

// A UUID as oslo's is_uuid_like takes one (8-4-4-4-12 or 32 hex digits): only such an id makes
// the clients use it as given instead of looking it up by name.
bool uuid_like(std::string_view s) {
    auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); };
    if (s.size() == 32) return std::all_of(s.begin(), s.end(), hex);
    if (s.size() != 36) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !hex(s[i])) return false;
    }
    return true;
}

void validate_job_templates(const config& cfg, std::vector<std::string>& errors) {
    std::unordered_map<std::string_view, std::size_t> ids, names;
    for (std::size_t i = 0; i < cfg.job_templates.size(); ++i) {
        const auto& t = cfg.job_templates[i];
        const std::string at = "job_templates[" + std::to_string(i) + "]";
        if (!uuid_like(t.id)) errors.push_back(at + ".id: expected a UUID");
        if (t.name.empty()) errors.push_back(at + ".name: required");
        if (t.type.empty()) errors.push_back(at + ".type: required (MapReduce, Spark, Hive, ... or an MRS type)");
        // Clients look a name up among all templates: a second one would make it ambiguous (409).
        if (auto [it, fresh] = ids.emplace(t.id, i); !fresh && !t.id.empty())
            errors.push_back(at + ".id: the same as job_templates[" + std::to_string(it->second) + "]");
        if (auto [it, fresh] = names.emplace(t.name, i); !fresh && !t.name.empty())
            errors.push_back(at + ".name: the same as job_templates[" + std::to_string(it->second) + "]");
    }
}

}  // namespace

void validate(const config& cfg, std::vector<std::string>& errors) {
    // What the chosen backend needs, as its registry entry says.
    if (const auto* b = translators::find_backend(cfg.upstream.backend)) {
        for (auto key : b->required_keys) {
            auto o = std::find_if(options().begin(), options().end(), [&](const option& x) { return x.key == key; });
            if (o == options().end()) continue;
            if (const auto shown = o->show(cfg); shown.empty() || shown == "\"\"")
                errors.push_back(std::string(key) + ": required by the " + std::string(b->name) + " backend (" +
                                 std::string(o->help) + ")");
        }
    } else {
        errors.push_back("upstream.backend: unknown backend " + cfg.upstream.backend);
    }
    validate_job_templates(cfg, errors);
    if (!cfg.upstream.url.empty())
        if (auto parsed = upstream::parse_base_url(cfg.upstream.url); !parsed)
            errors.push_back("upstream.url: " + parsed.error());
    if (!cfg.identity.url.empty())
        if (auto parsed = upstream::parse_base_url(cfg.identity.url); !parsed)
            errors.push_back("identity.url: " + parsed.error());
    if (!cfg.identity.project.empty() && !cfg.identity.url.empty())
        errors.push_back("identity.project: set either identity.project or identity.url, not both");
    if (cfg.auth.mode == "aksk") {
        // The gateway's keys reach MRS only for a client whose token the identity endpoint
        // vouches for: a fixed project would let any token through.
        if (cfg.identity.url.empty())
            errors.push_back("auth.mode: aksk needs identity.url, to validate each client's token");
        if (!cfg.identity.project.empty())
            errors.push_back("identity.project: not allowed with auth.mode aksk (every token must be validated)");
        // Read now, so that --check-config and the start refuse keys that cannot be used.
        if (auto keys = load_credentials(credentials_source_of(cfg.auth)); !keys) errors.push_back("auth: " + keys.error());
    } else if (!cfg.auth.credentials_file.empty()) {
        errors.push_back("auth.credentials_file: only read with auth.mode aksk");
    }
    if (cfg.upstream.cancel_wait >= cfg.upstream.request_timeout)
        errors.push_back("upstream.cancel_wait_ms: must be below upstream.request_timeout_ms (" +
                         std::to_string(cfg.upstream.request_timeout.count()) + ")");
    validate_regions(cfg, errors);
    const auto endpoints = endpoint_configs(cfg);
    for (std::size_t i = 0; i < endpoints.size(); ++i) {
        const auto& e = endpoints[i];
        const std::string at = i == 0 ? std::string("upstream.") : "regions." + cfg.regions[i - 1].name + ".";
        auto readable = [&](const std::string& file, std::string_view key) {
            if (file.empty()) return;
            std::ifstream f(file);
            if (!f) errors.push_back(at + std::string(key) + ": cannot read " + file);
        };
        readable(e.ca_file, "ca_file");
        readable(e.client_cert, "client_cert");
        readable(e.client_key, "client_key");
        if (!e.client_key.empty() && e.client_cert.empty())
            errors.push_back(at + "client_key: set with client_cert only");
        // Verification off is a choice the operator must spell out (gateway-anchors.md §3 lesson 8).
        if (!e.verify && !cfg.upstream.allow_insecure)
            errors.push_back(at + "verify: false needs upstream.allow_insecure = true as well");
    }
}

std::vector<upstream_config> endpoint_configs(const config& cfg) {
    std::vector<upstream_config> out{cfg.upstream};
    for (const auto& r : cfg.regions) {
        auto e = cfg.upstream;
        e.url = r.url;
        if (r.ca_file) e.ca_file = *r.ca_file;
        if (r.client_cert) {
            // A region's own certificate never pairs with upstream's key: without its own
            // client_key, the key is read from the certificate file.
            e.client_cert = *r.client_cert;
            e.client_key = r.client_key.value_or("");
        } else if (r.client_key) {
            e.client_key = *r.client_key;
        }
        if (r.verify) e.verify = *r.verify;
        out.push_back(std::move(e));
    }
    return out;
}

config_result load_config(int argc, const char* const* argv) {
    config_result r;
    std::vector<std::pair<std::string, std::string>> flags;  // applied after the file
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            r.show_help = true;
            continue;
        }
        if (arg == "--version") {
            r.show_version = true;
            continue;
        }
        if (arg == "--check-config") {
            r.check_only = true;
            continue;
        }
        if (!arg.starts_with("--")) {
            r.errors.push_back(std::string(arg) + ": unexpected argument (see --help)");
            continue;
        }
        std::string name(arg.substr(2)), value;
        if (auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name.resize(eq);
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            r.errors.push_back("--" + name + ": missing value");
            continue;
        }
        if (name == "config")
            r.config_file = value;
        else
            flags.emplace_back(std::move(name), std::move(value));
    }

    if (r.config_file) {
        std::ifstream f(*r.config_file, std::ios::binary);
        if (!f) {
            r.errors.push_back(*r.config_file + ": cannot read the configuration file");
        } else {
            std::stringstream ss;
            ss << f.rdbuf();
            apply_toml(r.cfg, ss.str(), *r.config_file, r.errors);
        }
    }
    for (auto& [name, value] : flags) {
        const option* match = nullptr;
        for (auto& o : options())
            if (name == flag_name(o) || (!o.alias.empty() && name == o.alias)) match = &o;
        if (!match) {
            r.errors.push_back("--" + name + ": unknown flag (see --help)");
            continue;
        }
        auto v = from_text(match->type, value);
        if (!v) {
            r.errors.push_back("--" + name + ": expected " + std::string(kind_name(match->type)));
            continue;
        }
        apply(r.cfg, *match, *v, "--" + name, r.errors);
    }
    if (!r.show_help && !r.show_version) validate(r.cfg, r.errors);
    return r;
}

std::string usage() {
    std::ostringstream out;
    out << "Usage: sahara-gateway [--config FILE] [--check-config] [--FLAG VALUE ...]\n\n"
           "Serves the OpenStack Sahara job-execution API and translates each call into\n"
           "MapReduce Service (MRS) REST calls.\n\n"
           "  --config FILE     read a TOML configuration file; flags override its keys\n"
           "  --check-config    validate the configuration and exit (0 = valid)\n"
           "  --help, --version\n\n"
           "Configuration keys (TOML key, flag, default):\n";
    const config defaults;
    for (auto& o : options()) {
        out << "  " << o.key << "\n      --" << flag_name(o);
        if (!o.alias.empty() && o.alias != flag_name(o)) out << ", --" << o.alias;
        out << "  (" << kind_name(o.type) << ", default " << o.show(defaults) << ")\n      " << o.help << "\n";
    }
    return out.str();
}

}  // namespace sgw
