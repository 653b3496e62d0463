// Counts over a sliding time window.
#include "gateway/upstream/window.hpp"

#include <algorithm>

namespace sgw::upstream {

window_counts::window_counts(std::chrono::milliseconds width) noexcept
    : slice_(std::max<clock::duration>(width / buckets, std::chrono::milliseconds(1))) {}

void window_counts::advance(clock::time_point now) noexcept {
    const long long slice = now.time_since_epoch() / slice_;
    if (slice <= current_) return;
    // Buckets between the last one written and now fall out of the window.
    const long long stale = std::min<long long>(slice - current_, buckets);
    for (long long i = 1; i <= stale; ++i) ring_[static_cast<std::size_t>((current_ + i) % buckets)] = {};
    current_ = slice;
}

void window_counts::add(clock::time_point now, std::size_t a, std::size_t b) noexcept {
    advance(now);
    auto& cell = ring_[static_cast<std::size_t>(current_ % buckets)];
    cell.first += a;
    cell.second += b;
}

std::size_t window_counts::first(clock::time_point now) noexcept {
    advance(now);
    std::size_t n = 0;
    for (auto& c : ring_) n += c.first;
    return n;
}

std::size_t window_counts::second(clock::time_point now) noexcept {
    advance(now);
    std::size_t n = 0;
    for (auto& c : ring_) n += c.second;
    return n;
}

void window_counts::clear() noexcept { ring_.fill({}); }

}  // namespace sgw::upstream
