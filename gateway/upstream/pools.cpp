// The upstream pools of one worker thread.
#include "gateway/upstream/pools.hpp"

#include <stdexcept>

namespace sgw::upstream {

pools::pools(boost::asio::any_io_executor ex, const upstream_config& cfg, boost::asio::ssl::context* tls,
             request_signer* signer) {
    auto url = parse_base_url(cfg.url);
    if (!url) throw std::invalid_argument("upstream.url: " + url.error());
    default_ = std::make_unique<pool>(std::move(ex), cfg, std::move(*url), tls);
    default_->set_signer(signer);
}

pool& pools::select(std::string_view) { return *default_; }

void pools::close() { default_->close(); }

}  // namespace sgw::upstream
