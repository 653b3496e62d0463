// The per-request context of a translation.
#include "translators/common/step.hpp"

#include <boost/json/error.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/stream_parser.hpp>

#include <algorithm>

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

struct step_context::partial {
    upstream_reply reply;
    boost::json::stream_parser parser;
    std::size_t slice = 0;
    std::size_t at = 0;  ///< bytes of the body parsed so far
};

step_context::step_context() = default;
// partial_ is declared after the arena, so a reply still being parsed is dropped before it.
step_context::~step_context() = default;

bool step_context::add(upstream_reply r, std::size_t slice) {
    if (r.body.size() > slice) {
        partial_ = std::make_unique<partial>();
        partial_->reply = std::move(r);
        partial_->slice = slice;
        partial_->parser.reset(storage());
        return false;
    }
    r.json = nullptr;
    if (!r.body.empty()) {
        boost::system::error_code ec;
        auto v = parse_into(r.body, storage(), ec);
        // Moving into the deque keeps the value in the arena (move construction keeps storage).
        if (!ec) r.json = &parsed_.emplace_back(std::move(v));
    }
    replies_.push_back(std::move(r));
    return true;
}

bool step_context::parse_some() {
    auto& p = *partial_;
    const std::string& body = p.reply.body;
    boost::system::error_code ec;
    const std::size_t n = std::min(p.slice, body.size() - p.at);
    const std::size_t used = p.parser.write_some(body.data() + p.at, n, ec);
    p.at += n;
    if (!ec && used < n) ec = boost::json::error::extra_data;  // the value ended before the body
    if (!ec && p.at < body.size()) return false;
    if (!ec) p.parser.finish(ec);
    upstream_reply r = std::move(p.reply);
    r.json = ec ? nullptr : &parsed_.emplace_back(p.parser.release());
    p.parser.reset();  // drops a partial value while its storage is still alive
    partial_.reset();
    replies_.push_back(std::move(r));
    return true;
}

void step_context::release_replies() {
    replies_.clear();
    parsed_.clear();
    arena_ = std::make_unique<boost::json::monotonic_resource>();
}

}  // namespace sgw::translators
