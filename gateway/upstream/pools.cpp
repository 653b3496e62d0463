// The upstream pools of one worker thread.
#include "gateway/upstream/pools.hpp"

#include "gateway/metrics.hpp"

#include <stdexcept>

namespace sgw::upstream {

endpoint_map::endpoint_map(const std::vector<region_config>& regions) {
    for (std::size_t i = 0; i < regions.size(); ++i)
        for (const auto& p : regions[i].projects) by_project_.emplace(p, i + 1);
}

std::size_t endpoint_map::of(std::string_view project) const {
    if (by_project_.empty()) return 0;
    auto it = by_project_.find(project);
    return it == by_project_.end() ? 0 : it->second;
}

endpoint_set endpoint_set::make(const config& cfg) {
    endpoint_set out;
    out.settings = endpoint_configs(cfg);
    out.identity_urls.push_back(cfg.identity.url);
    for (const auto& r : cfg.regions) out.identity_urls.push_back(r.identity_url);
    for (std::size_t i = 0; i < out.settings.size(); ++i) {
        const auto url = parse_base_url(out.settings[i].url);
        if (!url) throw std::invalid_argument("upstream url " + out.settings[i].url + ": " + url.error());
        const auto& identity_url = out.identity_urls[i].empty() ? cfg.identity.url : out.identity_urls[i];
        if (url->tls || identity_url.starts_with("https:"))
            out.contexts.push_back(make_client_tls(out.settings[i]));
        else
            out.contexts.push_back(nullptr);
        out.tls.push_back(out.contexts.back().get());
    }
    return out;
}

pools::pools(boost::asio::any_io_executor ex, const endpoint_set& endpoints, const std::vector<region_config>& regions,
             request_signer* signer, worker_metrics* metrics)
    : map_(regions) {
    for (std::size_t i = 0; i < endpoints.settings.size(); ++i) {
        const auto& settings = endpoints.settings[i];
        auto url = parse_base_url(settings.url);
        if (!url) throw std::invalid_argument("upstream url " + settings.url + ": " + url.error());
        auto stats = metrics ? metrics->pool_stats_for(url->host_header) : nullptr;
        pools_.push_back(std::make_unique<pool>(ex, settings, std::move(*url), endpoints.tls[i], std::move(stats)));
        pools_.back()->set_signer(signer);
    }
}

void pools::close() {
    for (auto& p : pools_) p->close();
}

}  // namespace sgw::upstream
