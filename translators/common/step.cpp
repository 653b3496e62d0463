// The per-request context of a translation.
#include "translators/common/step.hpp"

#include <boost/json/parse.hpp>

namespace sgw::translators {

void step_context::add(upstream_reply r) {
    r.json = nullptr;
    if (!r.body.empty()) {
        boost::system::error_code ec;
        auto v = boost::json::parse(r.body, ec, storage());
        // Moving into the deque keeps the value in the arena (move construction keeps storage).
        if (!ec) r.json = &parsed_.emplace_back(std::move(v));
    }
    replies_.push_back(std::move(r));
}

void step_context::release_replies() {
    replies_.clear();
    parsed_.clear();
    arena_ = std::make_unique<boost::json::monotonic_resource>();
}

}  // namespace sgw::translators
