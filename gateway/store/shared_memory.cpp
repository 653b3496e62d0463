// A job memory shared by every replica of the gateway, kept in Redis.
//
// One connection per worker thread, three coroutines on it: the run loop (connect, handshake,
// wait for the end, back off, again), a reader (bytes → hiredis → replies, matched in order to
// the commands in flight) and a writer (whatever has been encoded since its last write, in one
// write). Recalls wait for their replies on a timer set to their bound, which the reader
// cancels when the answer is in.
#include "gateway/store/shared_memory.hpp"

#include "gateway/log.hpp"
#include "gateway/store/keys.hpp"
#include "gateway/store/redis_url.hpp"
#include "gateway/store/resp.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <algorithm>
#include <array>
#include <deque>
#include <exception>
#include <random>
#include <stdexcept>

namespace sgw {
namespace net = boost::asio;
using tcp = net::ip::tcp;
using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using namespace net::experimental::awaitable_operators;
using store::reply;
using translators::effect;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

/// The most ids one recall lists as being killed in a project; the local memory holds at most
/// jobs.max_entries of them, 8192 by default.
constexpr std::size_t max_killing_listed = 8192;
/// The longest cluster id written to the store (MRS's are uuids).
constexpr std::size_t max_cluster_id = 256;
constexpr auto backoff_first = 100ms;
constexpr auto backoff_max = 5s;
constexpr auto log_every = 10s;
/// A project's set of kills lives this much longer than its newest kill, so that another
/// replica's kill scored by a clock a little ahead is not cut short.
constexpr auto killing_key_margin = 60s;

/// Replicas share the store, not a steady clock: what is written is timed by the wall clock.
std::int64_t epoch_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

bool about_clusters(effect::kind k) { return k == effect::kind::cluster || k == effect::kind::unknown; }

/// Commands each kind of effect takes in the store (encode() below).
std::size_t commands_of(effect::kind k) {
    switch (k) {
        case effect::kind::killing: return 3;
        case effect::kind::not_killing: return 1;
        case effect::kind::deleted: return 3;
        case effect::kind::cluster: return 2;
        case effect::kind::unknown: return 2;
    }
    return 1;
}

/// Appends what `e`, recorded at `at` (epoch ms), does to the store, with what is left of its
/// lifetime at `now`: commands_of(e.what) commands, or none when that lifetime has run out
/// while the write waited for the store (the local memory has forgotten it too).
std::size_t encode(std::string& out, const store::job_keys& k, const effect& e, std::int64_t at, std::int64_t now,
                   const job_memory::limits& l) {
    auto left = [&](std::chrono::milliseconds ttl) { return at + ttl.count() - now; };
    const std::string& id = e.job_id;
    switch (e.what) {
        case effect::kind::killing: {
            // Scored by its expiry, added only if absent: a kill keeps the expiry of its first
            // sighting. Expired members go first, so that a new cancel after an old one starts
            // afresh, as in the local memory.
            if (left(l.killing_ttl) <= 0) return 0;
            store::append_command(out, {"ZREMRANGEBYSCORE", k.killing, "-inf", std::to_string(now)});
            store::append_command(out, {"ZADD", k.killing, "NX", std::to_string(at + l.killing_ttl.count()), id});
            store::append_command(
                out, {"PEXPIRE", k.killing,
                      std::to_string(std::chrono::milliseconds(l.killing_ttl + killing_key_margin).count())});
            return 3;
        }
        case effect::kind::not_killing: store::append_command(out, {"ZREM", k.killing, id}); return 1;
        case effect::kind::deleted:
            if (left(l.deleted_ttl) <= 0) return 0;
            store::append_command(out, {"SET", k.deleted, "1", "PX", std::to_string(left(l.deleted_ttl))});
            store::append_command(out, {"ZREM", k.killing, id});
            store::append_command(out, {"DEL", k.cluster});
            return 3;
        case effect::kind::cluster:
            if (left(l.cluster_ttl) <= 0) return 0;
            store::append_command(out, {"SET", k.cluster, e.value, "PX", std::to_string(left(l.cluster_ttl))});
            store::append_command(out, {"DEL", k.unknown});
            return 2;
        case effect::kind::unknown:
            if (left(l.unknown_ttl) <= 0) return 0;
            store::append_command(out, {"SET", k.unknown, "1", "PX", std::to_string(left(l.unknown_ttl))});
            store::append_command(out, {"DEL", k.cluster});
            return 2;
    }
    return 0;
}

/// Reads the replies to a recall: ZRANGEBYSCORE's ids, then (with a job id) MGET's deleted,
/// unknown and cluster values. nullopt, with the reason, for anything else.
std::optional<recollection> read_recollection(const std::vector<reply>& replies, bool per_job, bool clusters,
                                              std::string& why) {
    for (const auto& r : replies)
        if (r.what == reply::type::error) {
            why = "the store refused a recall: " + r.text;
            return std::nullopt;
        }
    why = "the store's answer to a recall has an unexpected shape";
    recollection out;
    if (replies.size() != (per_job ? 2u : 1u) || replies[0].what != reply::type::array) return std::nullopt;
    for (const auto& e : replies[0].elements) {
        if (e.what != reply::type::string) return std::nullopt;
        if (!e.text.empty() && e.text.size() <= store::max_key_part) out.being_killed.push_back(e.text);
    }
    if (!per_job) return out;
    const auto& values = replies[1];
    if (values.what != reply::type::array || values.elements.size() != (clusters ? 3u : 1u)) return std::nullopt;
    for (const auto& v : values.elements)
        if (v.what != reply::type::string && v.what != reply::type::nil) return std::nullopt;
    auto present = [&](std::size_t i) { return values.elements[i].what == reply::type::string; };
    out.deleted_lately = present(0);
    if (clusters) {
        out.unknown_lately = present(1);
        const auto& cluster = values.elements[2].text;
        if (!out.unknown_lately && present(2) && !cluster.empty() && cluster.size() <= max_cluster_id)
            out.cluster = cluster;
    }
    return out;
}

/// Someone waiting for the replies to their commands: a recall, or the handshake.
struct waiter {
    waiter(const net::any_io_executor& ex, clock::time_point until) : timer(ex, until) {}
    net::steady_timer timer;  ///< expires at the bound; cancelled once the replies are in
    std::vector<reply> replies;
    bool answered = false;
    bool failed = false;  ///< the connection ended first
};

/// Commands sent on a connection and not answered yet. Redis answers in order, so each reply
/// belongs to the oldest entry still expecting one.
struct pending {
    std::size_t expected = 0;
    std::shared_ptr<waiter> w;  ///< null for writes: their replies are only checked for errors
    std::size_t writes = 0;     ///< write commands among them, held in the queue's count until answered
    clock::time_point sent;
};

/// A write waiting for the connection.
struct queued_write {
    std::string project;
    effect e;
    std::int64_t at = 0;  ///< when it was recorded, epoch ms
    std::size_t commands = 0;
};

struct connection {
    explicit connection(const net::any_io_executor& ex)
        : sock(ex), resolver(ex), wake(ex, clock::time_point::max()), down(ex, clock::time_point::max()) {}
    tcp::socket sock;
    tcp::resolver resolver;
    net::steady_timer wake;  ///< the writer waits on it while there is nothing to write
    net::steady_timer down;  ///< the run loop waits on it while the connection lasts
    store::reply_reader reader;
    std::string out;  ///< encoded and not written yet
    std::deque<pending> in_flight;
    bool ready = false;  ///< the handshake was answered
    bool dead = false;
};

void log_exception(std::exception_ptr e) {
    if (!e) return;
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& x) {
        log::line(log::level::error, "job store coroutine failed").kv("error", x.what());
    }
}

}  // namespace

struct shared_memory::state : std::enable_shared_from_this<state> {
    state(net::any_io_executor executor, const store_config& c, job_memory& l)
        : ex(std::move(executor)), cfg(c), local(l), sleep(ex) {}

    net::any_io_executor ex;
    store_config cfg;
    store::redis_endpoint where;
    job_memory& local;
    bool enabled = false;
    bool closed = false;
    std::shared_ptr<connection> conn;  ///< the one being opened or in use; null between two
    std::deque<queued_write> unsent;
    std::size_t queued = 0;  ///< write commands unsent, or sent and not answered
    net::steady_timer sleep;  ///< the back-off between two connections
    stats counters;
    clock::time_point next_warn{}, next_info{};
    std::uint64_t unlogged = 0;

    recollection from_local(std::string_view project, std::string_view id, bool clusters) const {
        const auto now = clock::now();
        recollection r;
        r.being_killed = local.being_killed(project, now);
        if (id.empty()) return r;
        r.deleted_lately = local.deleted_lately(project, id, now);
        if (clusters) {
            r.unknown_lately = local.unknown_lately(project, id, now);
            if (!r.unknown_lately) r.cluster = local.cluster_of(project, id, now);
        }
        return r;
    }

    /// Counts a failure and logs it, at most once per log_every (with the number left unlogged).
    void failure(std::string reason) {
        counters.errors.add();
        const auto now = clock::now();
        if (now < next_warn) {
            ++unlogged;
            return;
        }
        next_warn = now + log_every;
        // Redis never echoes a password, but nothing that might hold one reaches the log.
        if (!where.password.empty())
            for (auto at = reason.find(where.password); at != std::string::npos;
                 at = reason.find(where.password, at + 3))
                reason.replace(at, where.password.size(), "***");
        log::line(log::level::warn, "job store failed; answering from this replica's own memory")
            .kv("store", where.redacted())
            .kv("error", reason)
            .kv("unlogged", unlogged);
        unlogged = 0;
    }

    void send(connection& c, const std::string& bytes, pending p) {
        c.out += bytes;
        c.in_flight.push_back(std::move(p));
        c.wake.cancel();
    }

    /// Ends `c`: whoever waits on it is woken (recalls then answer from the local memory), its
    /// writes leave the queue, and the run loop backs off and connects again.
    void end(const std::shared_ptr<connection>& c, std::string reason, bool quiet = false) {
        if (c->dead) return;
        c->dead = true;
        boost::system::error_code ignored;
        c->sock.close(ignored);
        c->resolver.cancel();
        c->wake.cancel();
        c->down.cancel();
        for (auto& p : c->in_flight) {
            queued -= p.writes;
            if (p.w) {
                p.w->failed = true;
                p.w->timer.cancel();
            }
        }
        c->in_flight.clear();
        if (conn == c) {
            conn.reset();
            counters.connected.store(false, std::memory_order_relaxed);
        }
        if (!quiet) failure(std::move(reason));
    }

    /// Gives `r` to the oldest commands waiting for a reply; false when none is.
    bool deliver(connection& c, reply r) {
        if (c.in_flight.empty()) return false;
        auto& p = c.in_flight.front();
        if (p.w)
            p.w->replies.push_back(std::move(r));
        else if (r.what == reply::type::error)
            failure("the store refused a write: " + r.text);
        if (--p.expected > 0) return true;
        queued -= p.writes;
        if (p.w) {
            p.w->answered = true;
            p.w->timer.cancel();
        }
        c.in_flight.pop_front();
        return true;
    }

    /// Sends every queued write, if there is a connection to send them on.
    void flush() {
        const auto c = conn;
        if (!c || !c->ready || unsent.empty()) return;
        std::string bytes;
        std::size_t commands = 0, effects = 0;
        const auto now = epoch_ms();
        for (const auto& q : unsent) {
            queued -= q.commands;
            const auto keys = store::keys_for(cfg.prefix, q.project, q.e.job_id);  // checked when recorded
            const auto n = keys ? encode(bytes, *keys, q.e, q.at, now, local.settings()) : 0;
            if (n == 0) {
                counters.writes_dropped.add();
                continue;
            }
            commands += n;
            ++effects;
        }
        unsent.clear();
        if (commands == 0) return;
        queued += commands;
        counters.writes.add(effects);
        send(*c, bytes, pending{commands, nullptr, commands, clock::now()});
    }

    /// A recall got no answer within the store's timeout. Redis answers in order, so a
    /// connection whose oldest command has waited that long holds every later one up: it is
    /// dropped for a new one.
    void timed_out(const std::shared_ptr<connection>& c) {
        const auto now = clock::now();
        const std::string reason = "no answer within " + std::to_string(cfg.timeout.count()) + " ms";
        if (!c->dead && !c->in_flight.empty() && c->in_flight.front().sent + cfg.timeout <= now)
            end(c, reason);
        else
            failure(reason);
    }

    static net::awaitable<void> write_loop(std::shared_ptr<state> s, std::shared_ptr<connection> c) {
        std::string sending;
        while (!c->dead) {
            if (c->out.empty()) {
                co_await c->wake.async_wait(use_tuple);
                continue;
            }
            sending.clear();
            std::swap(sending, c->out);
            auto [ec, n] = co_await net::async_write(c->sock, net::buffer(sending), use_tuple);
            if (ec) s->end(c, "writing to the store: " + ec.message());
        }
    }

    static net::awaitable<void> read_loop(std::shared_ptr<state> s, std::shared_ptr<connection> c) {
        std::array<char, 16 * 1024> buf;
        while (!c->dead) {
            auto [ec, n] = co_await c->sock.async_read_some(net::buffer(buf), use_tuple);
            if (c->dead) co_return;
            if (ec) {
                s->end(c, ec == net::error::eof ? std::string("the store closed the connection")
                                                : "reading from the store: " + ec.message());
                co_return;
            }
            c->reader.feed(std::string_view(buf.data(), n));
            while (auto r = c->reader.next())
                if (!s->deliver(*c, std::move(*r))) {
                    s->end(c, "the store sent a reply to no command");
                    co_return;
                }
            if (c->reader.failed()) {
                s->end(c, "the store's reply is not RESP: " + c->reader.error());
                co_return;
            }
        }
    }

    /// Resolves, connects and shakes hands within connect_timeout; true when `c` is ready.
    net::awaitable<bool> open(std::shared_ptr<connection> c) {
        conn = c;
        const auto until = clock::now() + connect_timeout;
        net::steady_timer timer(ex, until);
        auto resolved = co_await (c->resolver.async_resolve(where.host, where.port, use_tuple) ||
                                  timer.async_wait(use_tuple));
        if (c->dead) co_return false;
        if (resolved.index() == 1) {
            end(c, "resolving " + where.host + " timed out");
            co_return false;
        }
        auto [rec, endpoints] = std::get<0>(std::move(resolved));
        if (rec) {
            end(c, "resolving " + where.host + ": " + rec.message());
            co_return false;
        }
        auto connected = co_await (net::async_connect(c->sock, endpoints, use_tuple) || timer.async_wait(use_tuple));
        if (c->dead) co_return false;
        if (connected.index() == 1) {
            end(c, "connecting timed out");
            co_return false;
        }
        if (auto [cec, ep] = std::get<0>(connected); cec) {
            end(c, "connecting: " + cec.message());
            co_return false;
        }
        boost::system::error_code ignored;
        c->sock.set_option(tcp::no_delay(true), ignored);
        // TCP keepalive finds a store that vanished while the connection was idle: first probe
        // after 30 s, then every 10 s, given up after 3.
        c->sock.set_option(net::socket_base::keep_alive(true), ignored);
        const int idle = 30, interval = 10, count = 3;
        ::setsockopt(c->sock.native_handle(), IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
        ::setsockopt(c->sock.native_handle(), IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
        ::setsockopt(c->sock.native_handle(), IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);

        net::co_spawn(ex, read_loop(shared_from_this(), c), log_exception);
        net::co_spawn(ex, write_loop(shared_from_this(), c), log_exception);

        // The connection counts as up only once the store has answered on it: PING tells a
        // working store from one that accepts connections and never answers (stopped, or not
        // Redis), which would otherwise cost every request the whole timeout.
        std::string hello;
        std::size_t n = 1;
        if (!where.password.empty()) {
            if (where.user.empty())
                store::append_command(hello, {"AUTH", where.password});
            else
                store::append_command(hello, {"AUTH", where.user, where.password});
            ++n;
        }
        if (where.db != 0) {
            store::append_command(hello, {"SELECT", std::to_string(where.db)});
            ++n;
        }
        store::append_command(hello, {"PING"});
        auto w = std::make_shared<waiter>(ex, until);
        send(*c, hello, pending{n, w, 0, clock::now()});
        co_await w->timer.async_wait(use_tuple);
        if (c->dead) co_return false;
        if (!w->answered) {
            end(c, "no answer to AUTH, SELECT or PING within " + std::to_string(connect_timeout.count()) + " ms");
            co_return false;
        }
        for (const auto& r : w->replies)
            if (r.what == reply::type::error) {
                end(c, "the store refused the connection's setup: " + r.text);
                co_return false;
            }
        c->ready = true;
        co_return true;
    }

    static net::awaitable<void> run(std::shared_ptr<state> s) {
        auto backoff = std::chrono::milliseconds(backoff_first);
        bool first = true;
        thread_local std::minstd_rand jitter{std::random_device{}()};
        while (!s->closed) {
            auto c = std::make_shared<connection>(s->ex);
            if (co_await s->open(c)) {
                if (!first) s->counters.reconnects.add();
                first = false;
                backoff = backoff_first;
                s->counters.connected.store(true, std::memory_order_relaxed);
                if (const auto now = clock::now(); now >= s->next_info) {
                    s->next_info = now + log_every;
                    log::line(log::level::info, "job store connected").kv("store", s->where.redacted());
                }
                s->flush();
                co_await c->down.async_wait(use_tuple);
            }
            if (s->closed) break;
            // Jittered, so that the workers of every replica do not come back all at once.
            const auto wait = backoff * 3 / 4 + std::chrono::milliseconds(jitter() % (backoff.count() / 2 + 1));
            s->sleep.expires_after(wait);
            co_await s->sleep.async_wait(use_tuple);
            backoff = std::min<std::chrono::milliseconds>(backoff * 2, backoff_max);
        }
    }
};

shared_memory::shared_memory(net::any_io_executor ex, const store_config& cfg, job_memory& local)
    : s_(std::make_shared<state>(std::move(ex), cfg, local)) {
    if (cfg.url.empty()) return;
    std::string error;
    auto where = store::parse_redis_url(cfg.url, error);
    if (!where) throw std::invalid_argument("jobs.store: " + error);
    if (!store::valid_prefix(cfg.prefix))
        throw std::invalid_argument("jobs.store_prefix: 1 to 64 printable characters without spaces or braces");
    if (cfg.timeout <= std::chrono::milliseconds::zero())
        throw std::invalid_argument("jobs.store_timeout_ms: must be at least 1");
    s_->where = std::move(*where);
    s_->enabled = true;
    net::co_spawn(s_->ex, state::run(s_), log_exception);
}

shared_memory::~shared_memory() { close(); }

net::awaitable<recollection> shared_memory::recall(std::string_view project_in, std::string_view id_in,
                                                   bool clusters, clock::time_point deadline) {
    const auto s = s_;
    // Copied: the answer may come from the local memory after a wait.
    const std::string project(project_in), id(id_in);
    if (!s->enabled) co_return s->from_local(project, id, clusters);
    s->counters.recalls.add();
    const auto c = s->conn;
    const auto keys = store::keys_for(s->cfg.prefix, project, id);
    const auto now = clock::now();
    const auto until = std::min(deadline, now + s->cfg.timeout);
    if (!c || !c->ready || !keys || until <= now) {
        s->counters.recall_fallbacks.add();
        co_return s->from_local(project, id, clusters);
    }

    std::string commands;
    store::append_command(commands, {"ZRANGEBYSCORE", keys->killing, "(" + std::to_string(epoch_ms()), "+inf",
                                     "LIMIT", "0", std::to_string(max_killing_listed)});
    const bool per_job = !id.empty();
    if (per_job) {
        if (clusters)
            store::append_command(commands, {"MGET", keys->deleted, keys->unknown, keys->cluster});
        else
            store::append_command(commands, {"MGET", keys->deleted});
    }
    auto w = std::make_shared<waiter>(s->ex, until);
    s->send(*c, commands, pending{per_job ? 2u : 1u, w, 0, now});
    co_await w->timer.async_wait(use_tuple);

    if (w->answered) {
        std::string why;
        if (auto r = read_recollection(w->replies, per_job, clusters, why)) co_return std::move(*r);
        s->failure(std::move(why));
    } else if (!w->failed && clock::now() >= until && until == now + s->cfg.timeout) {
        s->timed_out(c);
    }
    // Otherwise the connection ended (already counted), the request's own deadline came first,
    // or the request was cancelled: the store is not at fault.
    s->counters.recall_fallbacks.add();
    co_return s->from_local(project, id, clusters);
}

void shared_memory::record(std::string_view project, std::span<const effect> effects) {
    auto& s = *s_;
    s.local.apply(project, effects, clock::now());
    if (!s.enabled || s.closed) return;
    const auto at = epoch_ms();
    for (const auto& e : effects) {
        // What the local memory does not keep, the store does not either.
        if (about_clusters(e.what) && !s.local.remembers_clusters()) continue;
        if (e.what == effect::kind::cluster && (e.value.empty() || e.value.size() > max_cluster_id)) continue;
        if (e.job_id.empty() || !store::keys_for(s.cfg.prefix, project, e.job_id)) continue;
        const auto n = commands_of(e.what);
        // Full: the oldest unsent writes give way, since the newest facts matter most.
        while (s.queued + n > max_queued && !s.unsent.empty()) {
            s.queued -= s.unsent.front().commands;
            s.unsent.pop_front();
            s.counters.writes_dropped.add();
        }
        if (s.queued + n > max_queued) {
            s.counters.writes_dropped.add();
            continue;
        }
        s.unsent.push_back({std::string(project), e, at, n});
        s.queued += n;
    }
    s.flush();
}

net::awaitable<void> shared_memory::settled(clock::time_point deadline) {
    const auto s = s_;
    if (!s->enabled || s->closed) co_return;
    const auto c = s->conn;
    if (!c || !c->ready || c->dead || c->in_flight.empty()) co_return;
    const auto now = clock::now();
    const auto until = std::min(deadline, now + s->cfg.timeout);
    if (until <= now) co_return;
    // Redis answers in order: the reply to this PING comes after those to every write before it.
    std::string ping;
    store::append_command(ping, {"PING"});
    auto w = std::make_shared<waiter>(s->ex, until);
    s->send(*c, ping, pending{1, w, 0, now});
    co_await w->timer.async_wait(use_tuple);
    if (!w->answered && !w->failed && clock::now() >= until && until == now + s->cfg.timeout) s->timed_out(c);
}

void shared_memory::close() {
    auto& s = *s_;
    if (s.closed) return;
    s.closed = true;
    s.sleep.cancel();
    if (s.conn) s.end(s.conn, {}, true);
    s.counters.writes_dropped.add(s.unsent.size());
    s.unsent.clear();
}

const shared_memory::stats& shared_memory::counters() const noexcept { return s_->counters; }

}  // namespace sgw
