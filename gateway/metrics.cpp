// Gathering and rendering /metrics.
#include "gateway/metrics.hpp"

#include "gateway/upstream/pool.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <dirent.h>
#include <unistd.h>

namespace sgw {
namespace metrics {

void histogram::observe(std::chrono::microseconds took) noexcept {
    const double s = static_cast<double>(took.count()) / 1e6;
    auto it = std::lower_bound(latency_buckets.begin(), latency_buckets.end(), s);
    ++counts[static_cast<std::size_t>(it - latency_buckets.begin())];
    ++count;
    sum += s;
}

namespace {

// Project ids are 32 hex digits, job and cluster ids UUIDs or hex, v2 job ids digits and
// dashes: a segment of at least 8 characters from these sets is an id.
bool id_like(std::string_view seg) {
    if (seg.size() < 8) return false;
    return std::all_of(seg.begin(), seg.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) || c == '-'; });
}

}  // namespace

std::string call_template(std::string_view method, std::string_view target) {
    std::string out(method);
    out += ' ';
    target = target.substr(0, target.find('?'));
    std::size_t pos = 0;
    while (pos < target.size()) {
        if (target[pos] == '/') {
            out += '/';
            ++pos;
            continue;
        }
        const auto end = std::min(target.find('/', pos), target.size());
        const auto seg = target.substr(pos, end - pos);
        if (id_like(seg))
            out += "{id}";
        else
            out += seg;
        pos = end;
    }
    return out;
}

std::string result_of(const translators::upstream_reply& r) {
    using translators::transport;
    switch (r.outcome) {
        case transport::ok: return std::to_string(r.status);
        case transport::unreachable: return "unreachable";
        case transport::timeout: return "timeout";
        case transport::malformed: return "malformed";
        case transport::overloaded: return "overloaded";
    }
    return "unknown";
}

}  // namespace metrics

void worker_metrics::request(const request_done& r) {
    std::lock_guard lock(m_);
    ++requests_[request_key{std::string(r.operation), std::string(r.version), r.status}];
    auto it = request_latency_.find(r.operation);
    if (it == request_latency_.end()) it = request_latency_.emplace(std::string(r.operation), metrics::histogram{}).first;
    it->second.observe(r.total_time);
}

void worker_metrics::upstream_call(std::string_view endpoint, std::string call, std::string_view result,
                                   std::chrono::microseconds took) {
    std::lock_guard lock(m_);
    auto key = std::make_pair(std::string(endpoint), std::move(call));
    auto it = calls_.find(key);
    if (it == calls_.end()) {
        call_row row{key.first, key.second, {}, {}};
        it = calls_.emplace(std::move(key), std::move(row)).first;
    }
    auto r = it->second.results.find(result);
    if (r == it->second.results.end()) r = it->second.results.emplace(std::string(result), 0).first;
    ++r->second;
    it->second.latency.observe(took);
}

std::shared_ptr<upstream::pool_stats> worker_metrics::pool_stats_for(const std::string& endpoint) {
    std::lock_guard lock(m_);
    auto& s = pools_[endpoint];
    if (!s) s = std::make_shared<upstream::pool_stats>();
    return s;
}

std::uint64_t worker_metrics::breakers_open(std::string_view endpoint) const {
    std::lock_guard lock(m_);
    const auto it = pools_.find(endpoint);
    return it == pools_.end() ? 0 : it->second->breakers_open.get();
}

worker_metrics::snapshot worker_metrics::read() const {
    snapshot s;
    std::lock_guard lock(m_);
    for (const auto& [k, n] : requests_) s.requests.push_back({k.operation, k.version, k.status, n});
    s.request_latency = request_latency_;
    for (const auto& [k, row] : calls_) s.calls.push_back(row);
    for (const auto& [name, p] : pools_) s.pools.emplace_back(name, p);
    return s;
}

namespace {

// Label values are quoted with \, " and newline escaped (the exposition format's rules).
std::string quoted(std::string_view v) {
    std::string out = "\"";
    for (char c : v) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    out += '"';
    return out;
}

// The shortest text that reads back as `v` (so a bucket bound shows as 0.0025, not as its
// nearest binary neighbour).
std::string number(double v) {
    char buf[32];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc{} ? std::string(buf, end) : std::string("NaN");
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    out.append("# HELP ").append(name).append(" ").append(help).append("\n");
    out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void sample(std::string& out, std::string_view name, const std::string& labels, double v) {
    out.append(name);
    if (!labels.empty()) out.append("{").append(labels).append("}");
    out.append(" ").append(number(v)).append("\n");
}

void merge(metrics::histogram& into, const metrics::histogram& h) {
    for (std::size_t i = 0; i < h.counts.size(); ++i) into.counts[i] += h.counts[i];
    into.count += h.count;
    into.sum += h.sum;
}

void render_histogram(std::string& out, std::string_view name, const std::string& labels, const metrics::histogram& h) {
    const std::string prefix = labels.empty() ? "" : labels + ",";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < metrics::latency_buckets.size(); ++i) {
        cumulative += h.counts[i];
        sample(out, std::string(name) + "_bucket", prefix + "le=" + quoted(number(metrics::latency_buckets[i])),
               static_cast<double>(cumulative));
    }
    cumulative += h.counts.back();
    sample(out, std::string(name) + "_bucket", prefix + "le=\"+Inf\"", static_cast<double>(cumulative));
    sample(out, std::string(name) + "_sum", labels, h.sum);
    sample(out, std::string(name) + "_count", labels, static_cast<double>(h.count));
}

// What the kernel says about this process: CPU time, resident memory, descriptors.
struct process_figures {
    double cpu_seconds = 0;
    double resident_bytes = 0;
    double open_fds = 0;
    double max_fds = 0;
};

process_figures read_process() {
    process_figures f;
    const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
    if (std::ifstream stat("/proc/self/stat"); stat) {
        std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
        // Fields after the command name, which is in parentheses and may hold spaces.
        if (auto close = text.rfind(')'); close != std::string::npos) {
            std::istringstream rest(text.substr(close + 2));
            std::string field;
            unsigned long long utime = 0, stime = 0;
            for (int i = 3; rest >> field; ++i) {
                if (i == 14) utime = std::stoull(field);
                if (i == 15) {
                    stime = std::stoull(field);
                    break;
                }
            }
            if (tick > 0) f.cpu_seconds = static_cast<double>(utime + stime) / tick;
        }
    }
    if (std::ifstream statm("/proc/self/statm"); statm) {
        unsigned long long size = 0, resident = 0;
        if (statm >> size >> resident) f.resident_bytes = static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE));
    }
    if (DIR* d = ::opendir("/proc/self/fd")) {
        double n = 0;
        while (const dirent* e = ::readdir(d))
            if (e->d_name[0] != '.') ++n;
        ::closedir(d);
        f.open_fds = n - 1;  // less the one reading the directory
    }
    f.max_fds = static_cast<double>(::sysconf(_SC_OPEN_MAX));
    return f;
}

}  // namespace

void render_family(std::string& out, std::string_view name, std::string_view type, std::string_view help,
                   const std::vector<std::pair<std::string, double>>& samples) {
    header(out, name, type, help);
    for (const auto& [labels, v] : samples) sample(out, name, labels, v);
}

std::string render_metrics(const process_view& v) {
    std::vector<worker_metrics::snapshot> shots;
    shots.reserve(v.workers.size());
    for (const auto* w : v.workers) shots.push_back(w->read());

    std::string out;
    out.reserve(16 * 1024);

    // Requests, client-facing.
    std::map<std::tuple<std::string, std::string, unsigned>, std::uint64_t> requests;
    std::map<std::string, metrics::histogram> latency;
    for (const auto& s : shots) {
        for (const auto& r : s.requests) requests[{r.operation, r.version, r.status}] += r.count;
        for (const auto& [op, h] : s.request_latency) merge(latency[op], h);
    }
    header(out, "sahara_gateway_requests_total", "counter",
           "Sahara requests answered, by operation, API version and HTTP status (status 0: cancelled at the drain deadline, unanswered).");
    for (const auto& [k, n] : requests) {
        const auto& [op, version, status] = k;
        sample(out, "sahara_gateway_requests_total",
               "operation=" + quoted(op) + ",version=" + quoted(version) + ",status=" + quoted(std::to_string(status)),
               static_cast<double>(n));
    }
    header(out, "sahara_gateway_request_duration_seconds", "histogram",
           "Time from a request's arrival to its answer, by operation.");
    for (const auto& [op, h] : latency) render_histogram(out, "sahara_gateway_request_duration_seconds", "operation=" + quoted(op), h);

    // MRS and identity calls.
    std::map<std::pair<std::string, std::string>, worker_metrics::call_row> calls;
    for (const auto& s : shots)
        for (const auto& c : s.calls) {
            auto& into = calls[{c.endpoint, c.call}];
            for (const auto& [res, n] : c.results) into.results[res] += n;
            merge(into.latency, c.latency);
        }
    header(out, "sahara_gateway_upstream_requests_total", "counter",
           "Calls to MRS and identity endpoints, by endpoint, call and result (an HTTP status, or unreachable, timeout, malformed, overloaded).");
    for (const auto& [k, row] : calls)
        for (const auto& [res, n] : row.results)
            sample(out, "sahara_gateway_upstream_requests_total",
                   "endpoint=" + quoted(k.first) + ",call=" + quoted(k.second) + ",result=" + quoted(res), static_cast<double>(n));
    header(out, "sahara_gateway_upstream_request_duration_seconds", "histogram",
           "Time of one call to MRS or identity, retries included, by endpoint and call.");
    for (const auto& [k, row] : calls)
        render_histogram(out, "sahara_gateway_upstream_request_duration_seconds",
                         "endpoint=" + quoted(k.first) + ",call=" + quoted(k.second), row.latency);

    // Pools, summed over the workers.
    struct pool_sum {
        double open = 0, idle = 0, waiting = 0, closed = 0, opened = 0, half_open = 0;
        double counters[11] = {};
        double peak = 0;
    };
    std::map<std::string, pool_sum> pools;
    for (const auto& s : shots)
        for (const auto& [name, p] : s.pools) {
            auto& t = pools[name];
            t.open += static_cast<double>(p->open.get());
            t.idle += static_cast<double>(p->idle.get());
            t.waiting += static_cast<double>(p->waiting.get());
            t.closed += static_cast<double>(p->breakers_closed.get());
            t.opened += static_cast<double>(p->breakers_open.get());
            t.half_open += static_cast<double>(p->breakers_half_open.get());
            const counter* cs[] = {&p->opened,     &p->resumed,        &p->reused,          &p->stale_reuse,
                                   &p->resent,     &p->reconnects,     &p->budget_refused,  &p->queued,
                                   &p->queue_full, &p->queue_timeouts, &p->breaker_refused};
            for (std::size_t i = 0; i < 11; ++i) t.counters[i] += static_cast<double>(cs[i]->get());
            t.peak = std::max(t.peak, static_cast<double>(p->peak_connections.get()));
        }
    auto per_pool = [&](std::string_view name, std::string_view type, std::string_view help, auto value) {
        header(out, name, type, help);
        for (const auto& [ep, t] : pools) sample(out, name, "endpoint=" + quoted(ep), value(t));
    };
    header(out, "sahara_gateway_upstream_connections", "gauge",
           "Connections to an endpoint, summed over worker threads: in use (or being opened) and idle.");
    for (const auto& [ep, t] : pools) {
        sample(out, "sahara_gateway_upstream_connections", "endpoint=" + quoted(ep) + ",state=\"in_use\"", t.open - t.idle);
        sample(out, "sahara_gateway_upstream_connections", "endpoint=" + quoted(ep) + ",state=\"idle\"", t.idle);
    }
    per_pool("sahara_gateway_upstream_waiting_calls", "gauge", "Calls waiting for a connection to the endpoint.",
             [](const pool_sum& t) { return t.waiting; });
    per_pool("sahara_gateway_upstream_connections_peak", "gauge",
             "Most connections one worker thread has held to the endpoint at once (bounded by upstream.max_connections).",
             [](const pool_sum& t) { return t.peak; });
    header(out, "sahara_gateway_upstream_breakers", "gauge",
           "Circuit breakers of the endpoint (one per worker thread) in each state.");
    for (const auto& [ep, t] : pools) {
        sample(out, "sahara_gateway_upstream_breakers", "endpoint=" + quoted(ep) + ",state=\"closed\"", t.closed);
        sample(out, "sahara_gateway_upstream_breakers", "endpoint=" + quoted(ep) + ",state=\"open\"", t.opened);
        sample(out, "sahara_gateway_upstream_breakers", "endpoint=" + quoted(ep) + ",state=\"half_open\"", t.half_open);
    }
    static constexpr std::pair<std::string_view, std::string_view> pool_counters[11] = {
        {"sahara_gateway_upstream_connections_opened_total", "Connections opened to the endpoint."},
        {"sahara_gateway_upstream_tls_resumptions_total", "TLS handshakes that resumed a session."},
        {"sahara_gateway_upstream_connection_reuses_total", "Calls sent on a pooled keep-alive connection."},
        {"sahara_gateway_upstream_stale_reuses_total", "Pooled connections found closed by the endpoint when about to be used."},
        {"sahara_gateway_upstream_resends_total", "Retry-safe calls sent again after their connection failed before any answer."},
        {"sahara_gateway_upstream_reconnects_total", "Connects tried again after a refused or reset connect."},
        {"sahara_gateway_upstream_retry_budget_refusals_total", "Retries not made because the retry budget was spent."},
        {"sahara_gateway_upstream_queued_calls_total", "Calls that waited for a connection."},
        {"sahara_gateway_upstream_queue_full_refusals_total", "Calls refused (503) because the wait queue was full."},
        {"sahara_gateway_upstream_queue_timeouts_total", "Calls whose deadline passed while waiting for a connection."},
        {"sahara_gateway_upstream_breaker_refusals_total", "Calls refused (503) because the circuit breaker was open."},
    };
    for (std::size_t i = 0; i < 11; ++i)
        per_pool(pool_counters[i].first, "counter", pool_counters[i].second, [i](const pool_sum& t) { return t.counters[i]; });

    // Identity cache.
    double hits = 0, misses = 0;
    for (const auto* w : v.workers) {
        hits += static_cast<double>(w->identity()->hits.get());
        misses += static_cast<double>(w->identity()->misses.get());
    }
    render_family(out, "sahara_gateway_identity_cache_hits_total", "counter",
                  "Tokens whose project came from the gateway's cache.", {{"", hits}});
    render_family(out, "sahara_gateway_identity_cache_misses_total", "counter",
                  "Tokens the identity endpoint was asked about.", {{"", misses}});

    // Client connections.
    double accepted = 0, turned_away = 0;
    for (const auto* w : v.workers) {
        accepted += static_cast<double>(w->connections_accepted.get());
        turned_away += static_cast<double>(w->connections_turned_away.get());
    }
    render_family(out, "sahara_gateway_client_connections", "gauge", "Client connections open now.",
                  {{"", static_cast<double>(v.open_connections)}});
    render_family(out, "sahara_gateway_client_connections_limit", "gauge",
                  "Client connections the process holds at most (server.max_connections).",
                  {{"", static_cast<double>(v.max_connections)}});
    render_family(out, "sahara_gateway_client_connections_accepted_total", "counter", "Client connections accepted.",
                  {{"", accepted}});
    render_family(out, "sahara_gateway_client_connections_refused_total", "counter",
                  "Client connections turned away (503) because server.max_connections were open.", {{"", turned_away}});

    for (const auto& extra : v.extras) extra(out);

    // The process.
    render_family(out, "sahara_gateway_ready", "gauge", "1 when /readyz answers 200.", {{"", v.ready ? 1.0 : 0.0}});
    render_family(out, "sahara_gateway_draining", "gauge", "1 once SIGTERM or SIGINT has started the drain.",
                  {{"", v.draining ? 1.0 : 0.0}});
    render_family(out, "sahara_gateway_config_reloads_total", "counter", "Configuration reloads (SIGHUP), by result.",
                  {{"result=\"success\"", static_cast<double>(v.reloads_ok)},
                   {"result=\"failure\"", static_cast<double>(v.reloads_failed)}});
    render_family(out, "sahara_gateway_build_info", "gauge", "Always 1; the version is a label.",
                  {{"version=" + quoted(v.version), 1.0}});
    const auto f = read_process();
    render_family(out, "process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.",
                  {{"", f.cpu_seconds}});
    render_family(out, "process_resident_memory_bytes", "gauge", "Resident memory size, in bytes.", {{"", f.resident_bytes}});
    render_family(out, "process_open_fds", "gauge", "Open file descriptors.", {{"", f.open_fds}});
    render_family(out, "process_max_fds", "gauge", "Limit on open file descriptors.", {{"", f.max_fds}});
    render_family(out, "process_start_time_seconds", "gauge", "Start time of the process, in seconds since the epoch.",
                  {{"", v.start_time}});
    return out;
}

}  // namespace sgw
