// The record every request ends in, as a log line.
#include "gateway/request_done.hpp"

#include "gateway/log.hpp"

namespace sgw {

void log_request_done(const request_done& r) {
    const bool unanswered = r.status == 0;
    if (r.status < 400 && !unanswered) return;
    const auto lvl = r.status >= 500 ? log::level::error
                     : r.status >= 400 || unanswered ? log::level::warn
                                                     : log::level::info;
    log::line line(lvl, unanswered ? "request not answered" : r.status >= 400 ? "request failed" : "request");
    line.kv("rid", r.request_id);
    if (!r.global_request_id.empty()) line.kv("global_rid", r.global_request_id);
    line
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
