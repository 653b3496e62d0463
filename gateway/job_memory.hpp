// What this gateway did lately that MRS does not show: jobs it is killing, jobs it deleted, the
// cluster of jobs it has seen and the jobs it found on no cluster. Shared by the worker threads of one process; each replica
// of the gateway has its own (docs/operations.md says what that means behind a balancer).
// What to remember after a call is decided by the Sahara layer (translators/sahara/memory.hpp)
// and arrives here as effects; this class only stores them, bounded and with expiry.
#pragma once

#include "translators/common/step.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
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
        std::chrono::milliseconds killing_ttl;
        std::chrono::milliseconds deleted_ttl;
        std::chrono::milliseconds cluster_ttl;
        std::size_t max_entries;  ///< per kind; reaching it drops expired entries, then all
        /// How long a job found on no cluster is answered 404 without looking again.
        std::chrono::milliseconds unknown_ttl{60'000};
    };
    /// Sahara's timeouts (sahara/memory.hpp), one hour for clusters, one minute for unknown
    /// jobs, 8192 entries per kind.
    static limits default_limits();

    /// What the job → cluster cache and the negative cache did since the start (for metrics).
    struct cache_counters {
        std::uint64_t cluster_hits = 0;    ///< lookups that found the job's cluster
        std::uint64_t cluster_misses = 0;  ///< lookups that did not (the translator then probes)
        std::uint64_t cluster_stores = 0;  ///< (job, cluster) pairs stored or refreshed
        std::uint64_t unknown_hits = 0;    ///< lookups answered by the negative cache
        std::uint64_t unknown_stores = 0;  ///< jobs found on no cluster
    };
    cache_counters counters() const noexcept;

    explicit job_memory(limits l = default_limits());

    /// Whether `cluster` effects are stored; off for backends that never read them back, so
    /// that reads take no lock for them.
    void remember_clusters(bool on) noexcept { remember_clusters_ = on; }
    bool remembers_clusters() const noexcept { return remember_clusters_; }
    /// What this memory was made with; a shared store (gateway/store/) keeps the same lifetimes.
    const limits& settings() const noexcept { return limits_; }

    /// Records what a call in `project` established. A kill is remembered from the first time
    /// it is seen: showing the job TOBEKILLED again does not extend it (Sahara gives up on a
    /// kill job_canceling_timeout after the cancel).
    void apply(std::string_view project, std::span<const translators::effect> effects, clock::time_point now);

    /// Jobs of `project` being killed through this gateway (for reads to show TOBEKILLED).
    std::vector<std::string> being_killed(std::string_view project, clock::time_point now) const;
    /// Whether this gateway deleted `id` in `project` lately.
    bool deleted_lately(std::string_view project, std::string_view id, clock::time_point now) const;
    /// The cluster `id` was last seen on, if remembered (counted as a hit or a miss).
    std::optional<std::string> cluster_of(std::string_view project, std::string_view id, clock::time_point now) const;
    /// Whether `id` was found on no cluster of `project` lately (counted when it was).
    bool unknown_lately(std::string_view project, std::string_view id, clock::time_point now) const;

    /// Entries held of each kind, expired ones included until pruned (for metrics and tests).
    std::size_t size() const noexcept;

private:
    // One kind of memory: project → id → (value, expiry). One mutex: writes are rare next to
    // reads (cancels and deletes), and readers skip it while the map is empty.
    class recent {
    public:
        recent(std::chrono::milliseconds ttl, std::size_t max_entries) : ttl_(ttl), max_(max_entries) {}
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

        std::chrono::milliseconds ttl_;
        std::size_t max_;
        mutable std::mutex m_;
        std::atomic<std::size_t> size_{0};
        by_text<by_text<entry>> by_project_;
    };

    limits limits_;
    recent killing_;
    recent deleted_;
    recent clusters_;
    recent unknown_;
    bool remember_clusters_ = true;
    struct atomic_counters {
        std::atomic<std::uint64_t> cluster_hits{0}, cluster_misses{0}, cluster_stores{0}, unknown_hits{0},
            unknown_stores{0};
    };
    mutable atomic_counters counters_;
};

}  // namespace sgw
