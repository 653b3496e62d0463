// The gateway process.
#include "gateway/server.hpp"

#include "gateway/listener.hpp"
#include "gateway/upstream/aksk_signer.hpp"
#include "translators/registry.hpp"

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

server::server(config cfg) : cfg_(std::move(cfg)), memory_(memory_limits(cfg_.jobs)) {}

server::~server() {
    stop();
    wait();
}

void server::start() {
    const auto* backend = translators::find_backend(cfg_.upstream.backend);
    if (!backend) throw std::invalid_argument("upstream.backend: unknown backend " + cfg_.upstream.backend);
    memory_.remember_clusters(backend->uses_job_clusters);
    if (cfg_.auth.mode == "aksk") {
        auto source = credentials_source_of(cfg_.auth);
        auto keys = load_credentials(source);
        if (!keys) throw std::invalid_argument("auth: " + keys.error());
        credentials_ = std::make_shared<credentials_holder>(std::move(source), std::move(*keys));
        signer_ = std::make_unique<upstream::aksk_signer>(credentials_);
    }
    endpoints_ = upstream::endpoint_set::make(cfg_);

    // One limit for the whole process, whatever the worker a connection lands on.
    const auto descriptors = raise_descriptor_limit();
    limit_ = std::make_unique<connection_limit>(cfg_.listen.max_connections ? cfg_.listen.max_connections
                                                                            : default_max_connections(descriptors));

    const unsigned n = cfg_.listen.threads ? cfg_.listen.threads : std::max(1u, std::thread::hardware_concurrency());
    net::ip::tcp::endpoint ep{net::ip::make_address(cfg_.listen.host), cfg_.listen.port};
    for (unsigned i = 0; i < n; ++i) {
        auto l = std::make_unique<listener>(cfg_, *backend, endpoints_, memory_, *limit_, signer_.get());
        l->listen(ep);
        if (i == 0) ep.port(port_ = l->local_port());  // the others share the port chosen first
        listeners_.push_back(std::move(l));
    }
    for (auto& l : listeners_) l->start();
}

std::optional<std::string> server::reload_credentials() {
    if (!credentials_) return std::nullopt;
    return credentials_->reload();
}

void server::stop() {
    for (auto& l : listeners_) l->stop();
}

std::size_t server::max_connections() const noexcept { return limit_ ? limit_->max() : 0; }

void server::wait() {
    for (auto& l : listeners_) l->join();
}

}  // namespace sgw
