// How many client connections the process holds, against one limit shared by every worker,
// and the default limit derived from the descriptor limit.
#pragma once

#include <atomic>
#include <cstddef>
#include <utility>

namespace sgw {

class connection_limit {
public:
    explicit connection_limit(std::size_t max) noexcept : max_(max) {}
    connection_limit(const connection_limit&) = delete;
    connection_limit& operator=(const connection_limit&) = delete;

    /// Holds one connection's place until destroyed; empty when the limit was reached.
    class slot {
    public:
        slot() = default;
        explicit slot(connection_limit* owner) noexcept : owner_(owner) {}
        slot(slot&& o) noexcept : owner_(std::exchange(o.owner_, nullptr)) {}
        slot& operator=(slot&& o) noexcept {
            if (this != &o) {
                release();
                owner_ = std::exchange(o.owner_, nullptr);
            }
            return *this;
        }
        ~slot() { release(); }
        explicit operator bool() const noexcept { return owner_ != nullptr; }

    private:
        void release() noexcept {
            if (owner_) owner_->held_.fetch_sub(1, std::memory_order_relaxed);
            owner_ = nullptr;
        }
        connection_limit* owner_ = nullptr;
    };

    /// A place for one more connection, or an empty slot when `max` are held already.
    slot try_acquire() noexcept {
        if (held_.fetch_add(1, std::memory_order_relaxed) >= max_) {
            held_.fetch_sub(1, std::memory_order_relaxed);
            return slot{};
        }
        return slot{this};
    }

    std::size_t max() const noexcept { return max_; }
    std::size_t held() const noexcept { return held_.load(std::memory_order_relaxed); }

private:
    const std::size_t max_;
    std::atomic<std::size_t> held_{0};
};

/// Raises the soft limit on open descriptors to the hard limit, as far as the system allows,
/// and returns the soft limit then in effect.
std::size_t raise_descriptor_limit() noexcept;

/// The connection limit for `descriptors` open files: what remains after a reserve for the
/// process's own files, shared three to one between client connections and everything else
/// (upstream connections, the identity endpoint, connections being turned away).
std::size_t default_max_connections(std::size_t descriptors) noexcept;

}  // namespace sgw
