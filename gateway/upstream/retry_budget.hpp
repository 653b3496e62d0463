// The retry budget of one upstream endpoint in one worker thread (gateway-anchors.md §3,
// lesson 5): retries may add at most a share of the calls made over a sliding window, plus a
// small floor so that a quiet gateway can still retry. An endpoint that fails everything then
// sees at most (1 + share) times the traffic, never a multiple of it. Time is a parameter.
#pragma once

#include "gateway/upstream/window.hpp"

#include <chrono>
#include <cstddef>

namespace sgw::upstream {

struct retry_budget_settings {
    unsigned percent = 20;         ///< retries per 100 calls in the window
    std::size_t min_per_second = 10;  ///< retries always allowed, per second of the window
    std::chrono::milliseconds window{10'000};
};

class retry_budget {
public:
    using clock = std::chrono::steady_clock;
    explicit retry_budget(const retry_budget_settings& s) noexcept : s_(s), window_(s.window) {}

    /// A first attempt was made (it earns the budget its share).
    void called(clock::time_point now) noexcept { window_.add(now, 1, 0); }
    /// Takes one retry from the budget; false when it is spent (the caller then gives up).
    bool try_spend(clock::time_point now) noexcept;
    /// Retries refused since the start.
    std::size_t refused() const noexcept { return refused_; }

private:
    retry_budget_settings s_;
    window_counts window_;  ///< first: calls, second: retries
    std::size_t refused_ = 0;
};

}  // namespace sgw::upstream
