// RESP, the Redis protocol: commands encoded and replies parsed by hiredis.
#include "gateway/store/resp.hpp"

#include <hiredis/hiredis.h>

#include <memory>
#include <new>
#include <type_traits>
#include <vector>

namespace sgw::store {
namespace {

// hiredis builds replies through a table of functions. Ours are its own, except that an array
// first asks the reader it belongs to for room: hiredis allocates an array's slots as soon as
// it reads the count, so a peer could otherwise make it allocate gigabytes with a few bytes.
// The reader being parsed is known through this pointer, set only while hiredis parses.
struct budget {
    std::size_t used = 0;
    bool refused = false;
};
thread_local budget* elements_budget = nullptr;

const redisReplyObjectFunctions& hiredis_functions() {
    static const redisReplyObjectFunctions defaults = [] {
        redisReader* r = redisReaderCreate();
        if (!r) throw std::bad_alloc();
        const redisReplyObjectFunctions copy = *r->fn;
        redisReaderFree(r);
        return copy;
    }();
    return defaults;
}

// The element count is an int in hiredis 0.14 and a size_t later; the type is taken from the table.
template <class Count>
void* bounded_array(const redisReadTask* task, Count n) {
    bool fits = elements_budget != nullptr;
    if constexpr (std::is_signed_v<Count>) fits = fits && n >= 0;
    if (fits) fits = static_cast<std::size_t>(n) <= reply_reader::max_elements - elements_budget->used;
    if (!fits) {
        if (elements_budget) elements_budget->refused = true;
        return nullptr;  // hiredis then stops with "Out of memory"
    }
    elements_budget->used += static_cast<std::size_t>(n);
    return hiredis_functions().createArray(task, n);
}

redisReplyObjectFunctions* bounded_functions() {
    static redisReplyObjectFunctions table = [] {
        auto t = hiredis_functions();
        t.createArray = &bounded_array;
        return t;
    }();
    return &table;
}

reply copy_of(const redisReply& r) {
    reply out;
    switch (r.type) {
        case REDIS_REPLY_STRING: out.what = reply::type::string; break;
        case REDIS_REPLY_ARRAY: out.what = reply::type::array; break;
        case REDIS_REPLY_INTEGER: out.what = reply::type::integer; break;
        case REDIS_REPLY_STATUS: out.what = reply::type::status; break;
        case REDIS_REPLY_ERROR: out.what = reply::type::error; break;
        default: out.what = reply::type::nil; break;
    }
    if (r.str) out.text.assign(r.str, r.len);
    out.integer = r.integer;
    out.elements.reserve(r.elements);
    for (std::size_t i = 0; i < r.elements; ++i) out.elements.push_back(copy_of(*r.element[i]));
    return out;
}

}  // namespace

void append_command(std::string& out, std::initializer_list<std::string_view> args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    argv.reserve(args.size());
    lengths.reserve(args.size());
    for (auto a : args) {
        argv.push_back(a.data());
        lengths.push_back(a.size());
    }
    char* command = nullptr;
    const int n = redisFormatCommandArgv(&command, static_cast<int>(argv.size()), argv.data(), lengths.data());
    if (n < 0 || !command) throw std::bad_alloc();
    out.append(command, static_cast<std::size_t>(n));
    redisFreeCommand(command);
}

reply_reader::reply_reader() : r_(redisReaderCreateWithFunctions(bounded_functions())) {
    if (!r_) throw std::bad_alloc();
}

reply_reader::~reply_reader() { redisReaderFree(r_); }

void reply_reader::feed(std::string_view bytes) {
    if (failed() || bytes.empty()) return;
    if (redisReaderFeed(r_, bytes.data(), bytes.size()) != REDIS_OK)
        error_ = r_->errstr[0] ? r_->errstr : "cannot buffer the reply";
    else if (r_->len - r_->pos > max_buffered)
        error_ = "a reply larger than " + std::to_string(max_buffered) + " bytes";
}

std::optional<reply> reply_reader::next() {
    if (failed()) return std::nullopt;
    void* raw = nullptr;
    budget b{elements_, false};
    elements_budget = &b;
    const int rc = redisReaderGetReply(r_, &raw);
    elements_budget = nullptr;
    elements_ = b.used;
    if (rc != REDIS_OK) {
        error_ = b.refused ? "a reply of more than " + std::to_string(max_elements) + " elements"
                 : r_->errstr[0] ? std::string(r_->errstr)
                                 : std::string("protocol error");
        return std::nullopt;
    }
    if (!raw) return std::nullopt;
    elements_ = 0;
    const std::unique_ptr<redisReply, decltype(&freeReplyObject)> r(static_cast<redisReply*>(raw), &freeReplyObject);
    return copy_of(*r);
}

}  // namespace sgw::store
