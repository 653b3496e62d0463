// Structured logging: one JSON object per line on stderr.
//
// Text values are cleaned to UTF-8 and cut at 1 KiB, so that every line stays valid JSON.
// Nothing that carries credentials is ever passed here: callers log the request id,
// method, path (without query) and the outcome, never headers.
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <type_traits>

namespace sgw::log {

enum class level { debug = 0, info = 1, warn = 2, error = 3 };

/// The time now in UTC, ISO 8601 with a Z: milliseconds, or microseconds when `micro`.
std::string timestamp(bool micro);

void set_level(level l) noexcept;
bool enabled(level l) noexcept;
/// "debug", "info", "warn", "error"; false for anything else.
bool parse_level(std::string_view text, level& out) noexcept;

/// One log line, written when it goes out of scope: `log::line(level::error, "msg").kv("rid", id);`
class line {
public:
    line(level l, std::string_view message);
    ~line();
    line(const line&) = delete;
    line& operator=(const line&) = delete;

    template <class T>
    line& kv(std::string_view key, const T& value) {
        if constexpr (std::is_convertible_v<const T&, std::string_view>)
            return text(key, std::string_view(value));
        else
            return put(key, boost::json::value(value));
    }

private:
    line& put(std::string_view key, boost::json::value value);
    /// Text may come from a client or MRS: it is cleaned to UTF-8 and bounded.
    line& text(std::string_view key, std::string_view value);

    bool on_;
    boost::json::object fields_;
};

}  // namespace sgw::log
