// Counts over a sliding time window, in ten buckets: what the circuit breaker and the retry
// budget of an endpoint look at. One worker thread owns each; time is a parameter.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>

namespace sgw::upstream {

class window_counts {
public:
    using clock = std::chrono::steady_clock;
    static constexpr std::size_t buckets = 10;

    explicit window_counts(std::chrono::milliseconds width) noexcept;

    /// Adds to the two counts of the bucket `now` falls in.
    void add(clock::time_point now, std::size_t first, std::size_t second) noexcept;
    /// The sums over the window ending at `now`.
    std::size_t first(clock::time_point now) noexcept;
    std::size_t second(clock::time_point now) noexcept;
    void clear() noexcept;

private:
    void advance(clock::time_point now) noexcept;

    struct bucket {
        std::size_t first = 0, second = 0;
    };
    clock::duration slice_;
    std::array<bucket, buckets> ring_{};
    long long current_ = 0;  ///< the slice number of ring_[current_ % buckets]
};

}  // namespace sgw::upstream
