// A job memory shared by every replica of the gateway, kept in Redis, so that a cancel or a
// delete made through one replica is seen through all of them (docs/operations.md).
//
// Each worker thread has one `shared_memory` and one connection to the store; the process's
// `job_memory` stays under it. Every effect is applied to that local memory at once and sent
// to the store without waiting; a recall asks the store, within a short bound, and answers
// from the local memory whenever the store cannot: the store may cost a request a few
// milliseconds, never its answer. The lifetimes are the local memory's (job_memory::settings);
// the store's keys carry them as TTLs (gateway/store/keys.hpp names them).
#pragma once

#include "gateway/config.hpp"
#include "gateway/counter.hpp"
#include "gateway/job_memory.hpp"
#include "translators/common/step.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sgw {

/// What the memory says about one request before its translator runs.
struct recollection {
    std::vector<std::string> being_killed;  ///< ids of `project` being killed
    bool deleted_lately = false;            ///< `id` deleted lately in `project`
    bool unknown_lately = false;            ///< `id` found on no cluster lately (only if clusters)
    std::optional<std::string> cluster;     ///< `id`'s cluster (only if clusters and not unknown)
};

/// One per worker thread, on that worker's executor; not thread-safe (the worker's loop only),
/// except counters(), which any thread may read.
class shared_memory {
public:
    /// `local` is the process's job_memory: every effect is also applied there, and when the
    /// store cannot answer in time (down, slow, refused), recall answers from `local`. It must
    /// outlive this object. With an empty `cfg.url` nothing leaves the process. Connecting
    /// starts at once, on `ex`; throws std::invalid_argument when `cfg` does not validate.
    ///
    /// Until close(), the connection keeps the worker's event loop busy: a worker that drains
    /// calls close() once its sessions are gone.
    shared_memory(boost::asio::any_io_executor ex, const store_config& cfg, job_memory& local);
    ~shared_memory();  ///< closes
    shared_memory(const shared_memory&) = delete;
    shared_memory& operator=(const shared_memory&) = delete;

    /// One round trip (pipelined commands) to the store, bounded by min(deadline, now +
    /// cfg.timeout). `clusters`: also ask unknown_lately and cluster (backends with
    /// uses_job_clusters). `id` may be empty (lists). Answered from `local` at once while the
    /// store is not connected. Never throws for the store's sake.
    boost::asio::awaitable<recollection> recall(std::string_view project, std::string_view id, bool clusters,
                                                std::chrono::steady_clock::time_point deadline);

    /// Applies `effects` to `local` at once and sends them to the store without waiting for the
    /// answer. Writes wait on the worker's one connection, at most max_queued commands (sent
    /// and not answered yet, or waiting for a connection); past that the oldest unsent ones are
    /// dropped and counted. A write queued while the store was away goes out when it is back,
    /// with what is left of its lifetime.
    void record(std::string_view project, std::span<const translators::effect> effects);

    /// Waits until the store has answered every write sent so far on this worker's connection,
    /// bounded by min(deadline, now + cfg.timeout). A cancel or a delete waits so, before its
    /// answer goes out, so that a client's next call, through any replica, finds what it did.
    /// Returns at once when nothing is in flight or there is no connection.
    boost::asio::awaitable<void> settled(std::chrono::steady_clock::time_point deadline);

    /// Shutdown: closes the connection. Recalls in flight are answered from `local`; writes not
    /// sent yet are dropped (the local memory has them). Idempotent.
    void close();

    /// Written by the worker's thread only; any thread may read them (metrics).
    struct stats {
        counter recalls;           ///< recall() calls, with a store configured
        counter recall_fallbacks;  ///< recalls answered from the local memory
        counter writes;            ///< effects sent to the store
        counter writes_dropped;    ///< effects never sent: queue full, lifetime run out while waiting, or closed
        counter errors;            ///< failures: connect, timeout, error reply, protocol, lost connection
        counter reconnects;        ///< connections made after the first
        std::atomic<bool> connected{false};  ///< the store answered the last handshake and no failure since
    };
    const stats& counters() const noexcept;

    /// Write commands one worker holds for the store at most.
    static constexpr std::size_t max_queued = 1024;
    /// How long connecting (resolving, TCP, AUTH, SELECT, PING) may take.
    static constexpr std::chrono::milliseconds connect_timeout{1'000};

private:
    struct state;  // shared with the connection's coroutines, which may outlive this object
    std::shared_ptr<state> s_;
};

}  // namespace sgw
