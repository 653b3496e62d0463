// The contract between a translator and the executor that runs it.
//
// A translator is a pure step function: given the Sahara request and the replies to
// every upstream call made so far, it returns either the next upstream call(s) or the
// final Sahara response. It does no I/O, reads no clock and keeps no state, so every
// path through it is testable with JSON fixtures alone.
#pragma once

#include "translators/sahara/model.hpp"

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace sgw::translators {

enum class method { get, post, patch, del };

/// One HTTP call to MRS. The executor adds the host, the credentials and the JSON headers.
struct upstream_call {
    method verb = method::get;
    std::string target;  ///< path and query, e.g. "/v1.1/{project}/job-exes/{id}"
    std::string body;    ///< JSON text, or empty
    /// The call may be sent again on a fresh connection when a reused keep-alive
    /// connection died before any byte of the answer arrived. True only for calls whose
    /// repetition is harmless (reads, and cancels, which are idempotent).
    bool retry_safe = false;
};

/// How an upstream exchange ended, before looking at the HTTP status.
enum class transport {
    ok,           ///< a complete HTTP response was read
    unreachable,  ///< could not connect, TLS failed, or the connection dropped before an answer
    timeout,      ///< the request's budget ran out
    malformed,    ///< the answer was not valid HTTP, was truncated, or exceeded the size limit
};

struct upstream_reply {
    transport outcome = transport::ok;
    unsigned status = 0;
    std::string body;
    std::string detail;  ///< what went wrong, for the log (no secrets)
};

/// Either more calls to make (all of them may run at once) or the final answer.
struct step_result {
    std::vector<upstream_call> calls;
    std::optional<sahara::response> response;

    static step_result call(upstream_call c) {
        step_result r;
        r.calls.push_back(std::move(c));
        return r;
    }
    static step_result done(sahara::response res) {
        step_result r;
        r.response = std::move(res);
        return r;
    }
};

using step_fn = step_result (*)(const sahara::request&, std::span<const upstream_reply>);

}  // namespace sgw::translators
