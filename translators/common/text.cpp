// Cleaning outside text for answers and logs.
#include "translators/common/text.hpp"

#include <algorithm>

namespace sgw {
namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";
constexpr std::string_view cut_mark = "...";

// Length of the well-formed sequence starting at in[i], or 0.
std::size_t sequence_length(std::string_view in, std::size_t i) noexcept {
    const auto c = static_cast<unsigned char>(in[i]);
    if (c < 0x80) return 1;
    const std::size_t len = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > in.size()) return 0;
    for (std::size_t k = 1; k < len; ++k)
        if ((static_cast<unsigned char>(in[i + k]) & 0xC0) != 0x80) return 0;
    const auto c1 = static_cast<unsigned char>(in[i + 1]);
    const bool bad = c == 0xC0 || c == 0xC1 || (c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0) ||
                     (c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90) || c > 0xF4;
    return bad ? 0 : len;
}

}  // namespace

bool iequals_ascii(std::string_view a, std::string_view b) noexcept {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

bool valid_utf8(std::string_view in) noexcept {
    for (std::size_t i = 0; i < in.size();) {
        const auto len = sequence_length(in, i);
        if (len == 0) return false;
        i += len;
    }
    return true;
}

std::string clean_text(std::string_view in, std::size_t max_bytes) {
    if (in.size() <= max_bytes && valid_utf8(in)) return std::string(in);
    const std::size_t room = max_bytes > cut_mark.size() ? max_bytes - cut_mark.size() : 0;
    std::string out;
    out.reserve(std::min(in.size(), max_bytes) + replacement.size());
    std::size_t fits = 0;  // the longest prefix, on a character boundary, that leaves room for the mark
    for (std::size_t i = 0; i < in.size() && out.size() <= max_bytes;) {
        const auto len = sequence_length(in, i);
        out.append(len ? in.substr(i, len) : replacement);
        i += len ? len : 1;
        if (out.size() <= room) fits = out.size();
    }
    if (out.size() <= max_bytes) return out;
    out.resize(fits);
    out.append(cut_mark.substr(0, max_bytes - fits));
    return out;
}

std::string percent_encode(std::string_view bytes) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(bytes.size());
    for (unsigned char c : bytes) {
        const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                                c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

}  // namespace sgw
