// The record every request ends in, as a log line.
#include "gateway/request_done.hpp"

#include "gateway/log.hpp"

namespace sgw {

void log_request_done(const request_done& r, bool access) {
    if (r.status < 400 && !access) return;
    const auto lvl = r.status >= 500 ? log::level::error : r.status >= 400 ? log::level::warn : log::level::info;
    log::line line(lvl, r.status >= 400 ? "request failed" : "request");
    line.kv("rid", r.request_id)
        .kv("method", r.method)
        .kv("path", r.path)
        .kv("op", r.operation)
        .kv("status", r.status)
        .kv("upstream_calls", r.upstream_calls)
        .kv("upstream_us", r.upstream_time.count())
        .kv("us", r.total_time.count())
        .kv("bytes", r.response_bytes);
    if (!r.version.empty()) line.kv("version", r.version);
    if (!r.detail.empty()) line.kv("detail", r.detail);
}

}  // namespace sgw
