// The shared job store (gateway/store/shared_memory.hpp) in front of a real redis-server, and
// in front of fake stores that stall, answer garbage or hang up: two replicas agree, lifetimes
// are the local memory's, and the store never costs a request its answer.
//
// Each "replica" is a job_memory, an io_context and a shared_memory, as a worker has them.
// The cases with a real Redis are skipped when /usr/bin/redis-server is missing.
#include "gateway/store/resp.hpp"
#include "gateway/store/shared_memory.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <poll.h>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace {
namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;
using sgw::job_memory;
using sgw::recollection;
using sgw::shared_memory;
using sgw::store_config;
using sgw::translators::effect;
using steady = std::chrono::steady_clock;
using ids = std::vector<std::string>;

constexpr const char* redis_binary = "/usr/bin/redis-server";
const std::string project = "37caa80116e1403ab603e5eeb48a2f74";

boost::test_tools::assertion_result redis_installed(boost::unit_test::test_unit_id) {
    boost::test_tools::assertion_result r(::access(redis_binary, X_OK) == 0);
    r.message() << redis_binary << " is missing (Debian package redis-server): case skipped";
    return r;
}

std::int64_t epoch_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string key(std::string_view prefix, std::string_view rest) {
    return std::string(prefix) + "{" + project + "}:" + std::string(rest);
}

/// The commands, in order, on a connection of their own; the reply to the last. Bounded: 5 s.
sgw::store::reply ask_all(unsigned short port, std::vector<std::vector<std::string>> commands) {
    net::io_context ioc;
    tcp::socket s(ioc);
    s.connect({net::ip::address_v4::loopback(), port});
    std::string out;
    for (const auto& c : commands) {
        switch (c.size()) {
            case 1: sgw::store::append_command(out, {c[0]}); break;
            case 2: sgw::store::append_command(out, {c[0], c[1]}); break;
            case 3: sgw::store::append_command(out, {c[0], c[1], c[2]}); break;
            default: throw std::invalid_argument("ask: 1 to 3 arguments");
        }
    }
    net::write(s, net::buffer(out));
    sgw::store::reply_reader reader;
    std::array<char, 4096> buf;
    std::size_t left = commands.size();
    for (;;) {
        while (auto r = reader.next())
            if (--left == 0) return *r;
        if (reader.failed()) throw std::runtime_error("ask: " + reader.error());
        pollfd p{s.native_handle(), POLLIN, 0};
        if (::poll(&p, 1, 5000) != 1) throw std::runtime_error("ask: no answer within 5 s");
        const auto n = s.read_some(net::buffer(buf));
        reader.feed(std::string_view(buf.data(), n));
    }
}

sgw::store::reply ask(unsigned short port, std::vector<std::string> command) {
    return ask_all(port, {std::move(command)});
}

unsigned short free_port() {
    net::io_context ioc;
    tcp::acceptor a(ioc, {net::ip::address_v4::loopback(), 0});
    return a.local_endpoint().port();
}

/// redis-server on a loopback port, without persistence, killed at the end.
class redis_server {
public:
    explicit redis_server(std::vector<std::string> extra = {}) : extra_(std::move(extra)) {
        std::string tmpl = "/tmp/sgw-store-XXXXXX";
        if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        dir_ = tmpl;
        // The port is free when chosen, not necessarily when Redis binds it: a few tries.
        for (int attempt = 0; attempt < 3 && pid_ <= 0; ++attempt) {
            port_ = free_port();
            start();
        }
        if (pid_ <= 0) throw std::runtime_error("redis-server did not start; see " + dir_ + "/redis.log");
    }
    ~redis_server() {
        stop();
        std::remove((dir_ + "/redis.log").c_str());
        ::rmdir(dir_.c_str());
    }
    redis_server(const redis_server&) = delete;
    redis_server& operator=(const redis_server&) = delete;

    unsigned short port() const { return port_; }

    /// SIGKILL: no goodbye to the clients beyond what the kernel does.
    void stop() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }

    /// Starts it on its port, empty; true once it answers (within 5 s).
    bool start() {
        std::vector<std::string> argv = {redis_binary,   "--port", std::to_string(port_), "--bind", "127.0.0.1",
                                         "--save",       "",       "--appendonly",        "no",     "--dir",
                                         dir_,           "--daemonize", "no"};
        argv.insert(argv.end(), extra_.begin(), extra_.end());
        std::vector<char*> args;
        for (auto& a : argv) args.push_back(a.data());
        args.push_back(nullptr);
        const std::string log = dir_ + "/redis.log";
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
        const int rc = ::posix_spawn(&pid_, redis_binary, &fa, nullptr, args.data(), environ);
        posix_spawn_file_actions_destroy(&fa);
        if (rc != 0) {
            pid_ = -1;
            return false;
        }
        const auto until = steady::now() + 5s;
        while (steady::now() < until) {
            if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {  // could not bind, most likely
                pid_ = -1;
                return false;
            }
            try {
                const auto r = ask(port_, {"PING"});
                // NOAUTH (with --requirepass) says it is up just as well.
                if (r.what == sgw::store::reply::type::status || r.what == sgw::store::reply::type::error) return true;
            } catch (const std::exception&) {
            }
            std::this_thread::sleep_for(20ms);
        }
        stop();
        return false;
    }

private:
    std::vector<std::string> extra_;
    std::string dir_;
    unsigned short port_ = 0;
    pid_t pid_ = -1;
};

/// What a worker has: its event loop, the process's memory, and the shared one on top.
struct replica {
    explicit replica(const store_config& cfg, job_memory::limits l = job_memory::default_limits())
        : local(l), mem(ioc.get_executor(), cfg, local) {}
    ~replica() {
        mem.close();
        run_for(100ms);
    }

    recollection recall(std::string_view id, bool clusters = true, std::chrono::milliseconds deadline = 5s) {
        std::optional<recollection> out;
        std::exception_ptr failure;
        net::co_spawn(ioc, mem.recall(project, id, clusters, steady::now() + deadline),
                      [&](std::exception_ptr e, recollection r) {
                          failure = e;
                          out = std::move(r);
                      });
        const auto until = steady::now() + 10s;
        while (!out && steady::now() < until) run_one_for(50ms);
        if (failure) std::rethrow_exception(failure);
        BOOST_REQUIRE_MESSAGE(out, "recall did not complete within 10 s");
        return std::move(*out);
    }
    /// How long a recall took.
    std::chrono::milliseconds timed_recall(std::string_view id, recollection& out,
                                           std::chrono::milliseconds deadline = 5s) {
        const auto t0 = steady::now();
        out = recall(id, true, deadline);
        return std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - t0);
    }
    void record(std::vector<effect> effects) { mem.record(project, effects); }
    bool connected() const { return mem.counters().connected.load(); }
    bool wait_connected(std::chrono::milliseconds within) {
        const auto until = steady::now() + within;
        while (!connected() && steady::now() < until) run_one_for(20ms);
        return connected();
    }
    void run_for(std::chrono::milliseconds d) {
        if (ioc.stopped()) ioc.restart();
        ioc.run_for(d);
    }
    void run_one_for(std::chrono::milliseconds d) {
        if (ioc.stopped()) ioc.restart();
        ioc.run_one_for(d);
    }
    ids killed_locally() const { return local.being_killed(project, job_memory::clock::now()); }

    net::io_context ioc{1};
    job_memory local;
    shared_memory mem;
};

store_config store_at(std::string url, std::string prefix, std::chrono::milliseconds timeout = 1000ms) {
    store_config c;
    c.url = std::move(url);
    c.prefix = std::move(prefix);
    c.timeout = timeout;
    return c;
}
store_config store_at(unsigned short port, std::string prefix, std::chrono::milliseconds timeout = 1000ms) {
    return store_at("redis://127.0.0.1:" + std::to_string(port), std::move(prefix), timeout);
}

/// A loopback "store" on its own thread. Each connection's first bytes (the handshake's PING)
/// get +PONG, unless `answer_ping` is false; each later batch of commands, over all
/// connections, gets what `script` says for its number.
class fake_store {
public:
    struct act {
        std::string bytes;   ///< sent as the answer
        bool close = false;  ///< then the connection is closed
    };
    fake_store(std::function<act(std::size_t batch)> script, bool answer_ping = true)
        : script_(std::move(script)), answer_ping_(answer_ping) {
        net::co_spawn(ioc_, accept_loop(), net::detached);
        thread_ = std::thread([this] { ioc_.run(); });
    }
    ~fake_store() {
        ioc_.stop();
        thread_.join();
    }
    unsigned short port() const { return port_; }
    std::size_t connections() const { return connections_.load(); }

private:
    net::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, sock] = co_await acceptor_.async_accept(net::as_tuple(net::use_awaitable));
            if (ec) co_return;
            ++connections_;
            net::co_spawn(ioc_, serve(std::move(sock)), net::detached);
        }
    }
    net::awaitable<void> serve(tcp::socket sock) {
        std::array<char, 65536> buf;
        bool greeted = !answer_ping_;
        bool mute = !answer_ping_;
        for (;;) {
            auto [ec, n] = co_await sock.async_read_some(net::buffer(buf), net::as_tuple(net::use_awaitable));
            if (ec) co_return;
            if (mute) continue;  // holds the connection open, never answers
            act a;
            if (!greeted) {
                greeted = true;
                a.bytes = "+PONG\r\n";
            } else {
                a = script_(batch_++);
            }
            if (!a.bytes.empty()) co_await net::async_write(sock, net::buffer(a.bytes), net::as_tuple(net::use_awaitable));
            if (a.close) co_return;
        }
    }

    std::function<act(std::size_t)> script_;
    bool answer_ping_;
    net::io_context ioc_{1};
    tcp::acceptor acceptor_{ioc_, {net::ip::address_v4::loopback(), 0}};
    unsigned short port_ = acceptor_.local_endpoint().port();
    std::size_t batch_ = 0;
    std::atomic<std::size_t> connections_{0};
    std::thread thread_;
};

/// Everything written to stderr (the log) while it lives.
class stderr_capture {
public:
    stderr_capture() {
        std::fflush(stderr);
        saved_ = ::dup(STDERR_FILENO);
        char tmpl[] = "/tmp/sgw-store-log-XXXXXX";
        fd_ = ::mkstemp(tmpl);
        path_ = tmpl;
        ::dup2(fd_, STDERR_FILENO);
    }
    ~stderr_capture() {
        ::dup2(saved_, STDERR_FILENO);
        ::close(saved_);
        ::close(fd_);
        ::unlink(path_.c_str());
    }
    std::string text() const {
        std::ifstream f(path_);
        std::stringstream ss;
        ss << f.rdbuf();
        return ss.str();
    }

private:
    int saved_ = -1, fd_ = -1;
    std::string path_;
};

effect kill_of(std::string id) { return {effect::kind::killing, std::move(id), {}}; }

}  // namespace

BOOST_AUTO_TEST_SUITE(shared_store)

BOOST_AUTO_TEST_CASE(two_replicas_agree, *boost::unit_test::precondition(redis_installed)) {
    redis_server redis;
    const auto cfg = store_at(redis.port(), "agree:");
    replica a(cfg), b(cfg);
    BOOST_REQUIRE(a.wait_connected(3s));
    BOOST_REQUIRE(b.wait_connected(3s));

    a.record({kill_of("job-k"),
              {effect::kind::deleted, "job-d", {}},
              {effect::kind::cluster, "job-c", "cl-1"},
              {effect::kind::unknown, "job-u", {}}});
    a.recall("");  // Redis answers in order: once this is answered, so are a's writes
    const auto k = b.recall("job-k");
    BOOST_TEST(k.being_killed == ids{"job-k"});
    BOOST_TEST(!k.deleted_lately);
    BOOST_TEST(b.recall("job-d").deleted_lately);
    const auto c = b.recall("job-c");
    BOOST_TEST(c.cluster.value_or("") == "cl-1");
    BOOST_TEST(!c.unknown_lately);
    const auto u = b.recall("job-u");
    BOOST_TEST(u.unknown_lately);
    BOOST_TEST(!u.cluster);
    BOOST_TEST(!b.recall("job-c", false).cluster);  // only asked for with clusters
    BOOST_TEST(b.recall("").being_killed == ids{"job-k"});
    // b knew none of it itself: every answer came from the store.
    BOOST_TEST(b.killed_locally().empty());
    BOOST_TEST(b.mem.counters().recalls.get() == 6u);
    BOOST_TEST(b.mem.counters().recall_fallbacks.get() == 0u);
    BOOST_TEST(a.mem.counters().writes.get() == 4u);
    BOOST_TEST(a.mem.counters().errors.get() == 0u);

    // The keys, as Redis holds them, carry the local memory's lifetimes.
    const auto pttl = [&](std::string_view rest) { return ask(redis.port(), {"PTTL", key("agree:", rest)}).integer; };
    BOOST_TEST(pttl("deleted:job-d") > 590'000);
    BOOST_TEST(pttl("deleted:job-d") <= 600'000);
    BOOST_TEST(pttl("cluster:job-c") > 3'590'000);
    BOOST_TEST(pttl("unknown:job-u") > 50'000);
    BOOST_TEST(pttl("unknown:job-u") <= 60'000);
    BOOST_TEST(pttl("killing") > 300'000);  // the set outlives its newest kill a little
    const auto score = std::stoll(ask(redis.port(), {"ZSCORE", key("agree:", "killing"), "job-k"}).text);
    BOOST_TEST(score > epoch_ms() + 290'000);
    BOOST_TEST(score <= epoch_ms() + 300'000);

    // What b does, a sees, even where a's own memory says otherwise.
    b.record({{effect::kind::deleted, "job-k", {}}, {effect::kind::cluster, "job-u", "cl-2"}});
    b.recall("");
    const auto after = a.recall("job-k");
    BOOST_TEST(after.being_killed.empty());
    BOOST_TEST(after.deleted_lately);
    BOOST_TEST(a.killed_locally() == ids{"job-k"});
    const auto found = a.recall("job-u");
    BOOST_TEST(!found.unknown_lately);  // a cluster clears "found on no cluster"
    BOOST_TEST(found.cluster.value_or("") == "cl-2");
    BOOST_TEST(a.mem.counters().recall_fallbacks.get() == 0u);
}

BOOST_AUTO_TEST_CASE(a_kill_is_timed_from_its_first_sighting, *boost::unit_test::precondition(redis_installed)) {
    redis_server redis;
    const auto cfg = store_at(redis.port(), "expiry:");
    auto limits = job_memory::default_limits();
    limits.killing_ttl = 1000ms;
    replica a(cfg, limits), b(cfg, limits);
    BOOST_REQUIRE(a.wait_connected(3s));
    BOOST_REQUIRE(b.wait_connected(3s));
    const auto zscore = [&] { return ask(redis.port(), {"ZSCORE", key("expiry:", "killing"), "job-1"}); };

    const auto t0 = steady::now();
    a.record({kill_of("job-1")});
    a.recall("");
    const auto first = zscore().text;
    BOOST_REQUIRE(!first.empty());
    std::this_thread::sleep_until(t0 + 500ms);
    b.record({kill_of("job-1")});  // shown TOBEKILLED again through b: the kill is not extended
    BOOST_TEST(b.recall("job-1").being_killed == ids{"job-1"});
    BOOST_TEST(zscore().text == first);

    std::this_thread::sleep_until(t0 + 1200ms);
    // b's own memory first saw the kill at 500 ms and still holds it; the store says it is over.
    BOOST_TEST(b.killed_locally() == ids{"job-1"});
    BOOST_TEST(b.recall("job-1").being_killed.empty());
    BOOST_TEST(a.recall("").being_killed.empty());

    // A new cancel after the old kill ended starts afresh.
    a.record({kill_of("job-1")});
    a.recall("");
    BOOST_TEST(b.recall("job-1").being_killed == ids{"job-1"});
    BOOST_TEST(std::stoll(zscore().text) > std::stoll(first));
    BOOST_TEST(b.mem.counters().recall_fallbacks.get() == 0u);
}

BOOST_AUTO_TEST_CASE(an_end_seen_by_one_replica_ends_the_kill_for_all,
                     *boost::unit_test::precondition(redis_installed)) {
    redis_server redis;
    const auto cfg = store_at(redis.port(), "ended:");
    replica a(cfg), b(cfg);
    BOOST_REQUIRE(a.wait_connected(3s));
    BOOST_REQUIRE(b.wait_connected(3s));
    a.record({kill_of("job-1"), kill_of("job-2")});
    a.recall("");
    b.record({{effect::kind::not_killing, "job-1", {}}});
    b.recall("");
    BOOST_TEST(a.recall("job-1").being_killed == ids{"job-2"});
    auto local = a.killed_locally();  // a's own memory never saw the end
    std::sort(local.begin(), local.end());
    BOOST_TEST(local == (ids{"job-1", "job-2"}));
}

BOOST_AUTO_TEST_CASE(redis_down_then_back, *boost::unit_test::precondition(redis_installed)) {
    redis_server redis;
    const auto cfg = store_at(redis.port(), "down:", 200ms);
    replica a(cfg), b(cfg);
    BOOST_REQUIRE(a.wait_connected(3s));
    BOOST_REQUIRE(b.wait_connected(3s));
    a.record({kill_of("before")});
    a.recall("");

    redis.stop();
    a.run_for(300ms);  // the kernel closed the connection: a notices at once
    BOOST_TEST(!a.connected());
    a.record({kill_of("meanwhile")});  // the local memory has it; the store will, once back
    recollection r;
    const auto took = a.timed_recall("meanwhile", r);
    BOOST_TEST(took.count() < 50, "a recall while disconnected waited " << took.count() << " ms");
    auto got = r.being_killed;
    std::sort(got.begin(), got.end());
    BOOST_TEST(got == (ids{"before", "meanwhile"}));
    BOOST_TEST(a.mem.counters().recall_fallbacks.get() >= 1u);
    BOOST_TEST(a.mem.counters().errors.get() >= 1u);
    // b has not looked since: its first recall may meet the dead connection, and still answers.
    BOOST_TEST(b.recall("").being_killed.empty());

    BOOST_REQUIRE(redis.start());
    BOOST_REQUIRE(a.wait_connected(8s));
    BOOST_REQUIRE(b.wait_connected(8s));
    BOOST_TEST(a.mem.counters().reconnects.get() >= 1u);
    a.recall("");
    // The write queued while Redis was away went out when it came back; what Redis held before
    // it was killed is gone (no persistence here).
    BOOST_TEST(b.recall("meanwhile").being_killed == ids{"meanwhile"});
    BOOST_TEST(b.killed_locally().empty());
}

BOOST_AUTO_TEST_CASE(a_store_that_stops_answering_costs_one_timeout) {
    fake_store stuck([](std::size_t) { return fake_store::act{}; });  // PING answered, then silence
    replica a(store_at(stuck.port(), "stuck:", 100ms));
    BOOST_REQUIRE(a.wait_connected(3s));
    a.record({kill_of("job-1")});
    recollection r;
    const auto took = a.timed_recall("job-1", r);
    BOOST_TEST(r.being_killed == ids{"job-1"});  // from the local memory
    BOOST_TEST(took.count() >= 95);
    BOOST_TEST(took.count() < 400, "recall took " << took.count() << " ms");
    BOOST_TEST(a.mem.counters().recall_fallbacks.get() == 1u);
    BOOST_TEST(a.mem.counters().errors.get() >= 1u);
    // The stuck connection was dropped: the next recall does not wait for it.
    BOOST_TEST(!a.connected());
    BOOST_TEST(a.timed_recall("job-1", r).count() < 50);
    BOOST_TEST(r.being_killed == ids{"job-1"});

    // Once connected again, a request whose own deadline comes first waits only that long, and
    // the store is not blamed for it.
    BOOST_REQUIRE(a.wait_connected(3s));
    BOOST_TEST(stuck.connections() >= 2u);
    const auto errors = a.mem.counters().errors.get();
    const auto t0 = steady::now();
    r = a.recall("job-1", true, 30ms);
    const auto short_wait = std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - t0);
    BOOST_TEST(short_wait.count() >= 25);
    BOOST_TEST(short_wait.count() < 90);
    BOOST_TEST(r.being_killed == ids{"job-1"});
    BOOST_TEST(a.mem.counters().errors.get() == errors);
}

BOOST_AUTO_TEST_CASE(a_store_that_never_answers_is_never_waited_for) {
    fake_store mute([](std::size_t) { return fake_store::act{}; }, /*answer_ping=*/false);
    replica a(store_at(mute.port(), "mute:", 100ms));
    BOOST_TEST(!a.wait_connected(1500ms));  // accepted, but PING was never answered
    BOOST_TEST(mute.connections() >= 1u);
    BOOST_TEST(a.mem.counters().errors.get() >= 1u);
    a.record({kill_of("job-1")});
    recollection r;
    BOOST_TEST(a.timed_recall("job-1", r).count() < 50);
    BOOST_TEST(r.being_killed == ids{"job-1"});
    BOOST_TEST(a.mem.counters().recall_fallbacks.get() == 1u);
}

BOOST_AUTO_TEST_CASE(garbage_from_the_store_is_answered_locally) {
    fake_store liar([](std::size_t batch) -> fake_store::act {
        switch (batch) {
            case 0: return {"%%% not RESP\r\n"};
            case 1: return {":1\r\n:2\r\n"};  // RESP, not what a recall asked for
            case 2: return {"-ERR unknown command\r\n-ERR unknown command\r\n"};
            case 3: return {"*1\r\n$5\r\nab", true};  // hangs up mid-reply
            case 4: return {"*1\r\n$5\r\njob-9\r\n*3\r\n$1\r\n1\r\n$-1\r\n$4\r\ncl-9\r\n"};  // at last, an answer
            case 5: return {"*2000000000\r\n"};
            default: return {"", true};
        }
    });
    replica a(store_at(liar.port(), "liar:", 500ms));
    const effect known[] = {kill_of("job-1"), {effect::kind::cluster, "job-1", "cl-1"}};
    a.local.apply(project, known, job_memory::clock::now());
    const auto& n = a.mem.counters();
    auto local_answer = [](const recollection& r) {
        return r.being_killed == ids{"job-1"} && r.cluster.value_or("") == "cl-1" && !r.deleted_lately;
    };

    BOOST_REQUIRE(a.wait_connected(3s));
    BOOST_TEST(local_answer(a.recall("job-1")));  // not RESP: the connection goes
    BOOST_TEST(n.errors.get() == 1u);
    BOOST_TEST(!a.connected());
    BOOST_REQUIRE(a.wait_connected(3s));
    BOOST_TEST(local_answer(a.recall("job-1")));  // wrong shape: the connection stays
    BOOST_TEST(a.connected());
    BOOST_TEST(local_answer(a.recall("job-1")));  // refused
    BOOST_TEST(n.errors.get() == 3u);
    BOOST_TEST(local_answer(a.recall("job-1")));  // cut short
    BOOST_TEST(n.errors.get() == 4u);
    BOOST_REQUIRE(a.wait_connected(3s));
    const auto good = a.recall("job-1");
    BOOST_TEST(good.being_killed == ids{"job-9"});
    BOOST_TEST(good.deleted_lately);
    BOOST_TEST(good.cluster.value_or("") == "cl-9");
    BOOST_TEST(local_answer(a.recall("job-1")));  // an array of two billion announced
    BOOST_TEST(n.recalls.get() == 6u);
    BOOST_TEST(n.recall_fallbacks.get() == 5u);
    BOOST_TEST(n.errors.get() == 5u);
}

BOOST_AUTO_TEST_CASE(auth_and_select, *boost::unit_test::precondition(redis_installed)) {
    redis_server redis({"--requirepass", "s3cret-pw"});
    const std::string at = "127.0.0.1:" + std::to_string(redis.port()) + "/3";
    replica a(store_at("redis://:s3cret-pw@" + at, "auth:"));
    BOOST_REQUIRE(a.wait_connected(3s));
    a.record({{effect::kind::deleted, "job-1", {}}});
    BOOST_TEST(a.recall("job-1").deleted_lately);
    BOOST_TEST(a.mem.counters().recall_fallbacks.get() == 0u);
    const auto in_db3 =
        ask_all(redis.port(), {{"AUTH", "s3cret-pw"}, {"SELECT", "3"}, {"EXISTS", key("auth:", "deleted:job-1")}});
    BOOST_TEST(in_db3.integer == 1);
    const auto in_db0 = ask_all(redis.port(), {{"AUTH", "s3cret-pw"}, {"EXISTS", key("auth:", "deleted:job-1")}});
    BOOST_TEST(in_db0.integer == 0);

    // A wrong password: never connected, answered from the local memory, and not one log line
    // shows either password.
    std::string log;
    {
        stderr_capture capture;
        replica wrong(store_at("redis://:not-the-pw@" + at, "auth:"));
        BOOST_TEST(!wrong.wait_connected(1500ms));
        BOOST_TEST(!wrong.recall("job-1").deleted_lately);
        BOOST_TEST(wrong.mem.counters().recall_fallbacks.get() == 1u);
        BOOST_TEST(wrong.mem.counters().errors.get() >= 1u);
        log = capture.text();
    }
    BOOST_TEST(log.find("job store failed") != std::string::npos, log);
    BOOST_TEST(log.find("redis://:***@" + at) != std::string::npos, log);
    BOOST_TEST(log.find("not-the-pw") == std::string::npos, log);
    BOOST_TEST(log.find("s3cret-pw") == std::string::npos, log);
    // At most one line per 10 s, however many failures.
    BOOST_TEST(std::count(log.begin(), log.end(), '\n') == 1, log);
}

BOOST_AUTO_TEST_CASE(recall_round_trip, *boost::unit_test::precondition(redis_installed)) {
    redis_server redis;
    replica a(store_at(redis.port(), "rtt:"));
    BOOST_REQUIRE(a.wait_connected(3s));
    a.record({kill_of("job-1"), {effect::kind::cluster, "job-2", "cl-1"}});
    std::vector<double> us;
    for (int i = 0; i < 2000; ++i) {
        const auto t0 = steady::now();
        a.recall("job-2");
        us.push_back(std::chrono::duration<double, std::micro>(steady::now() - t0).count());
    }
    std::sort(us.begin(), us.end());
    BOOST_TEST_MESSAGE("recall on loopback, 2000 in a row: median " << us[us.size() / 2] << " us, p99 "
                                                                    << us[us.size() * 99 / 100] << " us");
    BOOST_TEST(a.mem.counters().recall_fallbacks.get() == 0u);
    BOOST_TEST(us[us.size() / 2] < 20'000.0);  // generous: shared machines, sanitizer builds
}

BOOST_AUTO_TEST_SUITE_END()
