// The per-request context of a translation.
#include "translators/common/step.hpp"

#include <boost/json/parser.hpp>

namespace sgw::translators {

namespace {

// One parser per thread, kept between replies: its working stacks grow to the deepest reply
// once, where boost::json::parse() would build and grow fresh ones for every reply. The value
// it builds lives in `sp`. Nothing of a reply stays in the parser once it returns.
boost::json::value parse_into(std::string_view text, boost::json::storage_ptr sp, boost::system::error_code& ec) {
    thread_local boost::json::parser parser;
    parser.reset(std::move(sp));
    parser.write(text, ec);
    boost::json::value v = ec ? boost::json::value() : parser.release();
    parser.reset();  // drops a partial value while its storage is still alive
    return v;
}

}  // namespace

void step_context::add(upstream_reply r) {
    r.json = nullptr;
    if (!r.body.empty()) {
        boost::system::error_code ec;
        auto v = parse_into(r.body, storage(), ec);
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
