// The one record every request ends in: what was asked, how it ended, what it cost. The access
// log, the error log and the metrics all read it.
#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>

namespace sgw {

struct request_done {
    std::string_view request_id;
    std::string_view global_request_id;  ///< a valid X-Openstack-Request-Id the client sent, or empty
    std::string_view method;
    std::string_view path;       ///< without the query (which may carry markers and filters)
    std::string_view operation;  ///< "cancel", "list", ..., "versions", or "-" when none matched
    std::string_view version;    ///< "v1.1", "v2", or "" when none matched
    std::string_view project;    ///< from the URL or the token, once known
    unsigned status = 0;  ///< 0: no answer was sent (the request was cancelled)
    std::size_t upstream_calls = 0;
    std::chrono::microseconds upstream_time{0};  ///< from the first upstream call to the answer
    std::chrono::microseconds total_time{0};
    std::size_t request_bytes = 0;   ///< the body read
    std::size_t response_bytes = 0;  ///< the body written (none for HEAD)
    bool refused = false;  ///< refused before it was read whole (malformed, too large)
    std::string_view detail;  ///< why an error happened; never a secret
};

/// Logs `r` in the error log when it failed: warn for 4xx and unanswered, error for 5xx.
/// Successes go to the access log alone.
void log_request_done(const request_done& r);

}  // namespace sgw
