// Counters and gauges written by one worker thread and read by another (the admin listener's
// /metrics). Each has a single writer, so an update is a relaxed load and store: no locked
// instruction on the request path, and a reader sees every value whole.
#pragma once

#include <atomic>
#include <cstdint>

namespace sgw {

class counter {
public:
    counter() = default;
    counter(const counter&) = delete;
    counter& operator=(const counter&) = delete;

    /// Only the owning thread may call these.
    void add(std::uint64_t n = 1) noexcept { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
    counter& operator++() noexcept {
        add();
        return *this;
    }
    /// A gauge's value, or a peak's.
    void set(std::uint64_t n) noexcept { v_.store(n, std::memory_order_relaxed); }
    void raise_to(std::uint64_t n) noexcept {
        if (n > get()) set(n);
    }

    /// Any thread.
    std::uint64_t get() const noexcept { return v_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> v_{0};
};

}  // namespace sgw
