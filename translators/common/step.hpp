// The contract between a translator and the executor that runs it.
//
// A translator is a step function: given the Sahara request, the replies to every upstream
// call made so far and the per-request context, it returns either the next upstream call(s)
// or the final Sahara response. It does no I/O, reads no clock and keeps nothing between
// requests, so every path through it is testable with JSON fixtures alone. Within one
// request, the context carries what earlier steps worked out, so no step parses a reply or
// the client's body a second time.
#pragma once

#include "translators/sahara/model.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <deque>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <typeinfo>
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
    /// Wait this long before sending (a translator polling MRS for a change); the request's
    /// deadline still bounds it.
    std::chrono::milliseconds delay{0};
};

/// How an upstream exchange ended, before looking at the HTTP status.
enum class transport {
    ok,           ///< a complete HTTP response was read
    unreachable,  ///< could not connect, TLS failed, or the connection dropped before an answer
    timeout,      ///< the request's budget ran out
    malformed,    ///< the answer was not valid HTTP, was truncated, or exceeded the size limit
    overloaded,   ///< not sent: the endpoint's queue is full or its circuit breaker is open
};

struct upstream_reply {
    transport outcome = transport::ok;
    unsigned status = 0;
    std::string body;
    std::string detail;  ///< what went wrong, for the log (no secrets)
    /// `body` parsed once when the reply joined the context (step_context::add); nullptr
    /// when the body is empty or not JSON. Points into the context's per-request memory.
    const boost::json::value* json = nullptr;
    /// When to try again: MRS's Retry-After (throttling), or how long the gateway will keep
    /// refusing calls to the endpoint (overloaded); zero when nobody said.
    std::chrono::seconds retry_after{0};
};

/// Either more calls to make (all of them may run at once), the final answer, or neither with
/// `again`: the step has more work of its own and asks to be called again (with no replies)
/// once the worker has served its other requests. A translator with a long piece of work
/// (rendering a thousand rows) cuts it into such turns, so it never holds a worker for long.
struct step_result {
    std::vector<upstream_call> calls;
    std::optional<sahara::response> response;
    bool again = false;

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
    static step_result later() {
        step_result r;
        r.again = true;
        return r;
    }
};

/// Something a call established that MRS will not show on the next call, for the gateway to
/// remember (translators/sahara/memory.hpp decides which facts a call records).
struct effect {
    enum class kind {
        killing,      ///< the job's cancel was passed to MRS and the job has not ended yet
        not_killing,  ///< the job was seen ended: whatever kill was remembered is over
        deleted,      ///< the job was deleted through this gateway
        cluster,      ///< the job runs on cluster `value`
        unknown,      ///< no cluster of the project has the job (a negative cache entry)
    };
    kind what;
    std::string job_id;
    std::string value;
};

/// What one Sahara call carries from step to step. Owned by whoever runs the steps: the
/// executor for a live request, the test driver for a fixture.
class step_context {
public:
    step_context();
    ~step_context();
    step_context(const step_context&) = delete;
    step_context& operator=(const step_context&) = delete;

    /// Per-request memory for parsed JSON; freed at once when the request ends.
    boost::json::storage_ptr storage() noexcept { return boost::json::storage_ptr(arena_.get()); }

    /// Appends a reply, parsing its body into the per-request memory. Replies are added in
    /// the order of the calls that produced them. A body longer than `slice` bytes is parsed
    /// in turns instead: add() returns false, and each parse_some() parses up to `slice` more;
    /// the one that returns true has added the reply. Whoever runs the steps lets other work
    /// run between turns. One reply at a time.
    bool add(upstream_reply r, std::size_t slice = std::numeric_limits<std::size_t>::max());
    bool parse_some();
    std::span<const upstream_reply> replies() const noexcept { return replies_; }
    /// Drops every reply so far and the memory their parsed JSON took, for a translator that
    /// has taken what it needs from them (a list walking a long history keeps its memory
    /// bounded this way). The next step then sees only the replies that come after.
    void release_replies();

    /// The translator's own state for this request, made on first use and kept until the
    /// request ends (a list keeps its walk here). One type per request.
    template <class T>
    T& state() {
        if (!state_) {
            state_ = std::make_shared<T>();
            state_type_ = &typeid(T);
        } else if (*state_type_ != typeid(T)) {
            throw std::bad_cast();
        }
        return *static_cast<T*>(state_.get());
    }

    void remember(effect e) { effects_.push_back(std::move(e)); }
    const std::vector<effect>& effects() const noexcept { return effects_; }

private:
    // Declared first, destroyed last: every parsed value below lives in it.
    // A fresh resource on release: monotonic_resource::release() in Boost 1.81 leaves it unable
    // to allocate again.
    std::unique_ptr<boost::json::monotonic_resource> arena_ = std::make_unique<boost::json::monotonic_resource>();
    std::deque<boost::json::value> parsed_;
    std::vector<upstream_reply> replies_;
    struct partial;
    std::unique_ptr<partial> partial_;  ///< a long reply add() began, until parse_some() adds it
    std::shared_ptr<void> state_;
    const std::type_info* state_type_ = nullptr;
    std::vector<effect> effects_;
};

using step_fn = step_result (*)(const sahara::request&, std::span<const upstream_reply>, step_context&);

}  // namespace sgw::translators
