// RESP, the Redis protocol: commands encoded and replies parsed by hiredis, which does no I/O
// here (the store's connection is the gateway's own Asio socket).
#pragma once

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct redisReader;

namespace sgw::store {

/// One reply, copied out of hiredis's objects.
struct reply {
    enum class type { string, array, integer, nil, status, error };
    type what = type::nil;
    std::string text;  ///< of a string, a status or an error
    long long integer = 0;
    std::vector<reply> elements;
};

/// Appends one command to `out` as an array of bulk strings: each argument goes with its
/// length, so no byte of it (CR, LF, a space) can change the command.
void append_command(std::string& out, std::initializer_list<std::string_view> args);

/// Parses the replies of one connection, in the order they arrive. Bounded against a peer that
/// is not a well-behaved Redis: more than max_elements array elements in one reply, or more
/// than max_buffered bytes waiting to complete one, is a protocol error. After an error the
/// reader is spent (the connection with it).
class reply_reader {
public:
    static constexpr std::size_t max_elements = 65'536;
    static constexpr std::size_t max_buffered = 4 * 1024 * 1024;

    reply_reader();
    ~reply_reader();
    reply_reader(const reply_reader&) = delete;
    reply_reader& operator=(const reply_reader&) = delete;

    void feed(std::string_view bytes);
    /// The next complete reply; nullopt when more bytes are needed, or after an error.
    std::optional<reply> next();
    bool failed() const noexcept { return !error_.empty(); }
    const std::string& error() const noexcept { return error_; }

private:
    redisReader* r_;
    std::size_t elements_ = 0;  ///< array elements of the reply being read
    std::string error_;
};

}  // namespace sgw::store
