// The circuit breaker of one upstream endpoint in one worker thread (gateway-anchors.md §3,
// lesson 5). Closed, it lets every call through and counts how they end. Consecutive
// failures, or a failure rate over a sliding window with enough calls in it, open it: calls
// are then refused at once (503 with Retry-After) instead of queueing for a dead endpoint.
// Once the open time has passed, one call goes through as a probe (half-open): its success
// closes the breaker, its failure opens it again. Time is a parameter; no locks.
#pragma once

#include "gateway/upstream/window.hpp"

#include <chrono>
#include <cstddef>

namespace sgw::upstream {

struct breaker_settings {
    std::size_t consecutive_failures = 5;  ///< 0: never opens on a run of failures
    unsigned failure_percent = 50;          ///< 0: never opens on the rate
    std::size_t min_calls = 20;             ///< calls in the window before the rate counts
    std::chrono::milliseconds window{10'000};
    std::chrono::milliseconds open_time{5'000};
};

class breaker {
public:
    using clock = std::chrono::steady_clock;
    enum class state { closed, open, half_open };

    explicit breaker(const breaker_settings& s) noexcept : s_(s), window_(s.window) {}

    /// Whether a call may go now. In half-open, the one call allowed is the probe, and the
    /// caller must report its end (record or abandon).
    bool allow(clock::time_point now) noexcept;
    /// How a call that was allowed ended.
    void record(bool failed, clock::time_point now) noexcept;
    /// A call that was allowed ended without telling anything about the endpoint (it was
    /// cancelled, or never sent): a probe's turn passes to the next call.
    void abandon() noexcept;

    state current() const noexcept { return state_; }
    /// While open: how long until a probe may go (at least one second, for Retry-After).
    std::chrono::seconds retry_after(clock::time_point now) const noexcept;
    /// Times it opened since the start.
    std::size_t opened() const noexcept { return opened_; }

private:
    void open(clock::time_point now) noexcept;

    breaker_settings s_;
    window_counts window_;  ///< first: calls, second: failures
    state state_ = state::closed;
    std::size_t run_ = 0;  ///< consecutive failures
    bool probing_ = false;
    clock::time_point open_until_{};
    std::size_t opened_ = 0;
};

}  // namespace sgw::upstream
