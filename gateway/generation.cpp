// Building a generation.
#include "gateway/generation.hpp"

#include "gateway/upstream/aksk_signer.hpp"

#include <stdexcept>

namespace sgw {

std::shared_ptr<const generation> generation::make(config cfg) {
    auto g = std::make_shared<generation>();
    g->cfg = std::move(cfg);
    g->backend = translators::find_backend(g->cfg.upstream.backend);
    if (!g->backend) throw std::invalid_argument("upstream.backend: unknown backend " + g->cfg.upstream.backend);
    if (g->cfg.auth.mode == "aksk") {
        auto source = credentials_source_of(g->cfg.auth);
        auto keys = load_credentials(source);
        if (!keys) throw std::invalid_argument("auth: " + keys.error());
        g->credentials = std::make_shared<credentials_holder>(std::move(source), std::move(*keys));
        g->signer = std::make_unique<upstream::aksk_signer>(g->credentials);
    }
    g->endpoints = upstream::endpoint_set::make(g->cfg);
    return g;
}

std::vector<std::string> restart_only_changes(const config& a, const config& b) {
    std::vector<std::string> out;
    if (a.listen.host != b.listen.host || a.listen.port != b.listen.port) out.emplace_back("listen");
    if (a.listen.threads != b.listen.threads) out.emplace_back("threads");
    if (a.listen.max_connections != b.listen.max_connections) out.emplace_back("server.max_connections");
    if (a.admin.enabled != b.admin.enabled || a.admin.host != b.admin.host || a.admin.port != b.admin.port)
        out.emplace_back("admin.listen");
    if (a.jobs.cluster_ttl != b.jobs.cluster_ttl) out.emplace_back("jobs.cluster_ttl_ms");
    if (a.jobs.unknown_ttl != b.jobs.unknown_ttl) out.emplace_back("jobs.unknown_ttl_ms");
    if (a.jobs.max_entries != b.jobs.max_entries) out.emplace_back("jobs.max_entries");
    return out;
}

config keep_restart_only(const config& running, config next) {
    next.listen.host = running.listen.host;
    next.listen.port = running.listen.port;
    next.listen.threads = running.listen.threads;
    next.listen.max_connections = running.listen.max_connections;
    next.admin = running.admin;
    next.jobs = running.jobs;
    return next;
}

}  // namespace sgw
