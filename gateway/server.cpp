// The gateway process.
#include "gateway/server.hpp"

#include "gateway/listener.hpp"
#include "gateway/log.hpp"

#include <chrono>
#include <stdexcept>
#include <thread>

namespace sgw {
namespace net = boost::asio;

namespace {

job_memory::limits memory_limits(const jobs_config& jobs) {
    auto l = job_memory::default_limits();
    l.cluster_ttl = jobs.cluster_ttl;
    l.unknown_ttl = jobs.unknown_ttl;
    l.max_entries = jobs.max_entries;
    return l;
}

}  // namespace

server::server(config cfg) : initial_(std::move(cfg)), memory_(memory_limits(initial_.jobs)) {}

server::~server() {
    stop();
    wait();
}

void server::start() {
    using namespace std::chrono;
    start_time_ = duration<double>(system_clock::now().time_since_epoch()).count();
    auto gen = generation::make(initial_);
    memory_.remember_clusters(gen->backend->uses_job_clusters);
    if (auto err = access_.open(gen->cfg.log.access, gen->cfg.log.access_path))
        throw std::invalid_argument("log.access_path: " + *err);
    {
        std::lock_guard lock(gen_m_);
        gen_ = gen;
    }

    // One limit for the whole process, whatever the worker a connection lands on.
    const auto descriptors = raise_descriptor_limit();
    limit_ = std::make_unique<connection_limit>(gen->cfg.listen.max_connections
                                                    ? gen->cfg.listen.max_connections
                                                    : default_max_connections(descriptors));

    const unsigned n = gen->cfg.listen.threads ? gen->cfg.listen.threads
                                               : std::max(1u, std::thread::hardware_concurrency());
    net::ip::tcp::endpoint ep{net::ip::make_address(gen->cfg.listen.host), gen->cfg.listen.port};
    for (unsigned i = 0; i < n; ++i) {
        auto l = std::make_unique<listener>(gen, memory_, *limit_, access_);
        l->listen(ep);
        if (i == 0) ep.port(port_ = l->local_port());  // the others share the port chosen first
        listeners_.push_back(std::move(l));
    }
    for (auto& l : listeners_) l->start();
}

std::shared_ptr<const generation> server::current() const {
    std::lock_guard lock(gen_m_);
    return gen_;
}

server::reload_result server::reload(config next) {
    reload_result out;
    const auto running = current();
    if (!running || draining()) {
        out.error = "not serving";
        ++reloads_failed_;
        return out;
    }
    out.kept = restart_only_changes(running->cfg, next);
    next = keep_restart_only(running->cfg, std::move(next));
    std::shared_ptr<const generation> gen;
    try {
        gen = generation::make(std::move(next));
    } catch (const std::exception& e) {
        out.error = e.what();
        ++reloads_failed_;
        return out;
    }
    if (gen->backend->uses_job_clusters != running->backend->uses_job_clusters)
        memory_.remember_clusters(gen->backend->uses_job_clusters);
    if (auto err = access_.open(gen->cfg.log.access, gen->cfg.log.access_path)) {
        out.error = "log.access_path: " + *err;
        ++reloads_failed_;
        return out;
    }
    log::level lvl{};
    if (log::parse_level(gen->cfg.log.level, lvl)) log::set_level(lvl);
    {
        std::lock_guard lock(gen_m_);
        gen_ = gen;
    }
    for (auto& l : listeners_) l->install(gen);
    ++reloads_ok_;
    return out;
}

void server::stop() {
    draining_.store(true, std::memory_order_relaxed);
    const auto gen = current();
    const auto delay = gen ? gen->cfg.listen.shutdown_delay : std::chrono::milliseconds{0};
    for (auto& l : listeners_) l->stop(delay);
}

std::size_t server::max_connections() const noexcept { return limit_ ? limit_->max() : 0; }

void server::wait() {
    for (auto& l : listeners_) l->join();
}

process_view server::view(bool ready) const {
    process_view v;
    for (const auto& l : listeners_) v.workers.push_back(&l->metrics());
    v.max_connections = max_connections();
    v.open_connections = limit_ ? limit_->held() : 0;
    v.draining = draining();
    v.ready = ready;
    v.reloads_ok = reloads_ok_.load(std::memory_order_relaxed);
    v.reloads_failed = reloads_failed_.load(std::memory_order_relaxed);
    v.start_time = start_time_;
    v.version = SGW_VERSION;
    const auto* memory = &memory_;
    v.extras.emplace_back([memory](std::string& out) {
        const auto c = memory->counters();
        render_family(out, "sahara_gateway_job_memory_entries", "gauge",
                      "Entries the job memory holds, all kinds together, expired ones until pruned.",
                      {{"", static_cast<double>(memory->size())}});
        render_family(out, "sahara_gateway_job_cluster_cache_lookups_total", "counter",
                      "Lookups of a job's cluster in the job memory (mrs-v2), by result.",
                      {{"result=\"hit\"", static_cast<double>(c.cluster_hits)},
                       {"result=\"miss\"", static_cast<double>(c.cluster_misses)}});
        render_family(out, "sahara_gateway_job_unknown_cache_hits_total", "counter",
                      "Requests answered 404 from the memory of jobs found on no cluster (mrs-v2).",
                      {{"", static_cast<double>(c.unknown_hits)}});
    });
    return v;
}

}  // namespace sgw
