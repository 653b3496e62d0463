// Shared by the fuzz targets: the checks every answer must pass, and splitting an input into
// lines. A failed check prints what it saw and aborts, which libFuzzer reports as a crash
// and saves the input.
#pragma once

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace sgw::fuzz {

/// Prints `what` and an excerpt of `seen` (control and non-ASCII bytes escaped), then aborts.
[[noreturn]] inline void fail(std::string_view what, std::string_view seen = {}) {
    std::string shown;
    for (std::size_t i = 0; i < seen.size() && i < 2048; ++i) {
        const auto c = static_cast<unsigned char>(seen[i]);
        if (c >= 0x20 && c < 0x7f) {
            shown += static_cast<char>(c);
        } else {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            shown += hex;
        }
    }
    std::fprintf(stderr, "\nfuzz check failed: %.*s\n  %s%s\n", static_cast<int>(what.size()), what.data(),
                 shown.c_str(), seen.size() > 2048 ? "..." : "");
    std::abort();
}

/// Whether `s` is well-formed UTF-8 (RFC 3629): no stray continuation bytes, no truncated
/// sequences, no overlong forms, no surrogates, nothing above U+10FFFF. Written here on its
/// own, independently of the code under test, so that it can judge that code.
inline bool valid_utf8(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto b0 = static_cast<unsigned char>(s[i]);
        if (b0 < 0x80) {
            ++i;
            continue;
        }
        std::size_t extra;
        unsigned cp;
        if (b0 >= 0xC2 && b0 <= 0xDF) {
            extra = 1;
            cp = b0 & 0x1Fu;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
            extra = 2;
            cp = b0 & 0x0Fu;
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            extra = 3;
            cp = b0 & 0x07u;
        } else {
            return false;  // a continuation byte first, C0/C1 (always overlong), or F5..FF
        }
        if (s.size() - i <= extra) return false;
        for (std::size_t k = 1; k <= extra; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            if ((b & 0xC0u) != 0x80u) return false;
            cp = (cp << 6) | (b & 0x3Fu);
        }
        const unsigned lowest = extra == 1 ? 0x80u : extra == 2 ? 0x800u : 0x10000u;
        if (cp < lowest || cp > 0x10FFFFu || (cp >= 0xD800u && cp <= 0xDFFFu)) return false;
        i += extra + 1;
    }
    return true;
}

/// `text` must be one JSON value, as UTF-8; returns it parsed.
inline boost::json::value json_or_fail(std::string_view text, std::string_view what) {
    if (!valid_utf8(text)) fail(std::string(what) + ": not valid UTF-8", text);
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    if (ec) fail(std::string(what) + ": not JSON (" + ec.message() + ")", text);
    return v;
}

/// A Sahara error body: {"error_code": <status>, "error_name": ..., "error_message": "..."}.
inline void check_error_body(unsigned status, std::string_view body, std::string_view what) {
    auto v = json_or_fail(body, what);
    if (!v.is_object()) fail(std::string(what) + ": error body is not an object", body);
    auto& o = v.get_object();
    auto* code = o.if_contains("error_code");
    if (!code || !code->is_int64() || code->get_int64() != static_cast<long long>(status))
        fail(std::string(what) + ": error_code is not the status " + std::to_string(status), body);
    auto* name = o.if_contains("error_name");
    if (!name || !(name->is_string() || name->is_number())) fail(std::string(what) + ": no error_name", body);
    auto* message = o.if_contains("error_message");
    if (!message || !message->is_string()) fail(std::string(what) + ": no error_message", body);
}

/// Splits at '\n'; the last line is whatever follows the last '\n' (possibly empty).
inline std::vector<std::string_view> lines(std::string_view in) {
    std::vector<std::string_view> out;
    for (;;) {
        const auto nl = in.find('\n');
        out.push_back(in.substr(0, nl));
        if (nl == std::string_view::npos) break;
        in.remove_prefix(nl + 1);
    }
    return out;
}

/// The line at `i`, or empty past the end.
inline std::string_view line_at(const std::vector<std::string_view>& ls, std::size_t i) {
    return i < ls.size() ? ls[i] : std::string_view();
}

}  // namespace sgw::fuzz
