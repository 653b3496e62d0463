// What this gateway did lately that MRS does not show: jobs it is killing, jobs it deleted and
// the cluster of jobs it has seen. Shared by the worker threads of one process; each replica
// of the gateway has its own (docs/operations.md says what that means behind a balancer).
// What to remember after a call is decided by the Sahara layer (translators/sahara/memory.hpp)
// and arrives here as effects; this class only stores them, bounded and with expiry.
#pragma once

#include "translators/common/step.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sgw {

class job_memory {
public:
    using clock = std::chrono::steady_clock;

    struct limits {
        std::chrono::seconds killing_ttl;
        std::chrono::seconds deleted_ttl;
        std::chrono::seconds cluster_ttl;
        std::size_t max_entries;  ///< per kind; reaching it drops expired entries, then all
    };
    /// Sahara's timeouts (sahara/memory.hpp), one hour for clusters, 8192 entries per kind.
    static limits default_limits();

    explicit job_memory(limits l = default_limits());

    /// Whether `cluster` effects are stored; off for backends that never read them back, so
    /// that reads take no lock for them.
    void remember_clusters(bool on) noexcept { remember_clusters_ = on; }

    /// Records what a call in `project` established. A kill is remembered from the first time
    /// it is seen: showing the job TOBEKILLED again does not extend it (Sahara gives up on a
    /// kill job_canceling_timeout after the cancel).
    void apply(std::string_view project, std::span<const translators::effect> effects, clock::time_point now);

    /// Jobs of `project` being killed through this gateway (for reads to show TOBEKILLED).
    std::vector<std::string> being_killed(std::string_view project, clock::time_point now) const;
    /// Whether this gateway deleted `id` in `project` lately.
    bool deleted_lately(std::string_view project, std::string_view id, clock::time_point now) const;
    /// The cluster `id` was last seen on, if remembered.
    std::optional<std::string> cluster_of(std::string_view project, std::string_view id, clock::time_point now) const;

    /// Entries held of each kind, expired ones included until pruned (for metrics and tests).
    std::size_t size() const noexcept;

private:
    // One kind of memory: project → id → (value, expiry). One mutex: writes are rare next to
    // reads (cancels and deletes), and readers skip it while the map is empty.
    class recent {
    public:
        recent(std::chrono::seconds ttl, std::size_t max_entries) : ttl_(ttl), max_(max_entries) {}
        /// Adds or replaces an entry. With `keep_expiry`, a live entry keeps the expiry it has.
        void put(std::string_view project, std::string_view id, std::string value, clock::time_point now,
                 bool keep_expiry = false);
        void erase(std::string_view project, std::string_view id);
        std::optional<std::string> get(std::string_view project, std::string_view id, clock::time_point now) const;
        std::vector<std::string> ids(std::string_view project, clock::time_point now) const;
        std::size_t size() const noexcept { return size_.load(std::memory_order_relaxed); }

    private:
        struct entry {
            std::string value;
            clock::time_point until;
        };
        // Looked up by string_view: no string is built to find an entry.
        struct text_hash {
            using is_transparent = void;
            std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
        };
        template <class V>
        using by_text = std::unordered_map<std::string, V, text_hash, std::equal_to<>>;
        void prune(clock::time_point now);

        std::chrono::seconds ttl_;
        std::size_t max_;
        mutable std::mutex m_;
        std::atomic<std::size_t> size_{0};
        by_text<by_text<entry>> by_project_;
    };

    recent killing_;
    recent deleted_;
    recent clusters_;
    bool remember_clusters_ = true;
};

}  // namespace sgw
