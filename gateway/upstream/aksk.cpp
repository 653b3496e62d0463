// AK/SK request signing, "SDK-HMAC-SHA256" (mrs-api.md §6.2).
#include "gateway/upstream/aksk.hpp"

#include "translators/common/text.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <utility>
#include <vector>

namespace sgw::aksk {

namespace {

constexpr char hex_lower[] = "0123456789abcdef";

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string to_hex(const unsigned char* p, std::size_t n) {
    std::string out(n * 2, '\0');
    for (std::size_t i = 0; i < n; ++i) {
        out[2 * i] = hex_lower[p[i] >> 4];
        out[2 * i + 1] = hex_lower[p[i] & 15];
    }
    return out;
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// Query decoding: `+` is a space, `%XX` a byte, anything else itself.
std::string decode_query_part(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

// The next sort key of `s` from `i`, advancing `i`: a code point mapped so that comparing keys
// compares UTF-16 code units (the order of JavaScript's default sort, which the Node SDK uses).
// Characters below U+D800 keep their value; those above U+FFFF (two code units, the first
// 0xD800–0xDBFF) come next; U+E000–U+FFFF after them; a byte that does not start a
// well-formed UTF-8 sequence after everything.
std::uint32_t next_key(std::string_view s, std::size_t& i) noexcept {
    const auto b0 = static_cast<unsigned char>(s[i]);
    auto invalid = [&] {
        ++i;
        return 0x300000u + b0;
    };
    if (b0 < 0x80) {
        ++i;
        return b0;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    std::uint32_t min = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        len = 2, cp = b0 & 0x1F, min = 0x80;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        len = 3, cp = b0 & 0x0F, min = 0x800;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4, cp = b0 & 0x07, min = 0x10000;
    } else {
        return invalid();
    }
    if (i + len > s.size()) return invalid();
    for (std::size_t k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80) return invalid();
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return invalid();
    i += len;
    if (cp < 0xD800) return cp;
    if (cp >= 0x10000) return 0xD800 + (cp - 0x10000);  // up to 0x10D7FF
    return 0x110000 + cp;                              // U+E000–U+FFFF
}

bool utf16_less(std::string_view a, std::string_view b) noexcept {
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        const auto ka = next_key(a, i);
        const auto kb = next_key(b, j);
        if (ka != kb) return ka < kb;
    }
    return i == a.size() && j < b.size();
}

}  // namespace

std::string encode(std::string_view bytes) { return percent_encode(bytes); }

std::string canonical_uri(std::string_view path) {
    std::string out;
    out.reserve(path.size() + 8);
    std::size_t start = 0;
    for (;;) {
        const auto slash = path.find('/', start);
        out += encode(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
        if (slash == std::string_view::npos) break;
        out += '/';
        start = slash + 1;
    }
    if (out.empty() || out.back() != '/') out += '/';
    return out;
}

std::string canonical_query(std::string_view raw_query) {
    std::vector<std::pair<std::string, std::string>> pairs;
    std::size_t start = 0;
    while (start <= raw_query.size()) {
        auto amp = raw_query.find('&', start);
        if (amp == std::string_view::npos) amp = raw_query.size();
        const auto part = raw_query.substr(start, amp - start);
        if (!part.empty()) {
            const auto eq = part.find('=');
            if (eq == std::string_view::npos)
                pairs.emplace_back(decode_query_part(part), std::string());
            else
                pairs.emplace_back(decode_query_part(part.substr(0, eq)), decode_query_part(part.substr(eq + 1)));
        }
        start = amp + 1;
    }
    std::sort(pairs.begin(), pairs.end(), [](const auto& x, const auto& y) {
        if (x.first != y.first) return utf16_less(x.first, y.first);
        return utf16_less(x.second, y.second);
    });
    std::string out;
    for (const auto& [name, value] : pairs) {
        if (!out.empty()) out += '&';
        out += encode(name);
        out += '=';
        out += encode(value);
    }
    return out;
}

header_block canonical_headers(std::span<const header> headers) {
    std::vector<std::pair<std::string, std::string_view>> sorted;
    sorted.reserve(headers.size());
    for (const auto& h : headers) sorted.emplace_back(lower(h.name), trim(h.value));
    std::sort(sorted.begin(), sorted.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    header_block out;
    for (const auto& [name, value] : sorted) {
        out.lines += name;
        out.lines += ':';
        out.lines += value;
        out.lines += '\n';
        if (!out.names.empty()) out.names += ';';
        out.names += name;
    }
    return out;
}

std::string sha256_hex(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
    return to_hex(digest, len);
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    // An empty key is valid HMAC; OpenSSL wants a non-null pointer for it.
    static const unsigned char no_key = 0;
    const void* k = key.empty() ? static_cast<const void*>(&no_key) : static_cast<const void*>(key.data());
    HMAC(EVP_sha256(), k, static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
         data.size(), mac, &len);
    return to_hex(mac, len);
}

std::string sdk_date(std::chrono::system_clock::time_point t) {
    const std::time_t secs = std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(t));
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    const auto n = std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    return std::string(buf, n);
}

std::string payload_hash(std::string_view body, std::string_view content_sha256_header) {
    if (!content_sha256_header.empty()) return std::string(content_sha256_header);
    return sha256_hex(body);
}

signature sign(const request_parts& parts, std::string_view date, const credentials& keys) {
    const auto q = parts.target.find('?');
    const auto path = parts.target.substr(0, q);
    const auto query = q == std::string_view::npos ? std::string_view() : parts.target.substr(q + 1);
    auto block = canonical_headers(parts.headers);

    signature s;
    s.canonical_request.reserve(256 + parts.target.size() + block.lines.size());
    s.canonical_request += parts.method;
    s.canonical_request += '\n';
    s.canonical_request += canonical_uri(path);
    s.canonical_request += '\n';
    s.canonical_request += canonical_query(query);
    s.canonical_request += '\n';
    s.canonical_request += block.lines;  // each line ends in \n: an empty line follows them
    s.canonical_request += '\n';
    s.canonical_request += block.names;
    s.canonical_request += '\n';
    s.canonical_request += parts.payload_hash;

    s.string_to_sign = std::string(algorithm) + '\n' + std::string(date) + '\n' + sha256_hex(s.canonical_request);
    s.signed_headers = std::move(block.names);
    s.authorization = std::string(algorithm) + " Access=" + keys.access_key + ", SignedHeaders=" + s.signed_headers +
                      ", Signature=" + hmac_sha256_hex(keys.secret_key, s.string_to_sign);
    return s;
}

signature sign_request(http_request& req, const credentials& keys, std::chrono::system_clock::time_point now,
                       std::span<const std::string_view> also_sign) {
    static constexpr std::string_view date_field = "X-Sdk-Date";
    static constexpr std::string_view token_field = "X-Security-Token";
    static constexpr std::string_view content_sha256_field = "X-Sdk-Content-Sha256";

    std::string date(trim(req[date_field]));
    if (date.empty()) {
        date = sdk_date(now);
        req.set(date_field, date);
    }
    if (keys.security_token.empty())
        req.erase(token_field);
    else
        req.set(token_field, keys.security_token);

    static constexpr std::string_view standard[] = {"content-type", "host",         "x-project-id", "x-sdk-content-sha256",
                                                    "x-sdk-date",   "x-security-token"};
    std::vector<header> signed_fields;
    auto add = [&](std::string_view name) {
        for (const auto& h : signed_fields)
            if (iequals_ascii(h.name, name)) return;
        const auto it = req.find(name);
        if (it != req.end()) signed_fields.push_back({name, it->value()});
    };
    for (auto name : standard) add(name);
    for (auto name : also_sign) add(name);

    const auto hash = payload_hash(req.body(), trim(req[content_sha256_field]));
    const request_parts parts{req.method_string(), req.target(), signed_fields, hash};
    auto s = sign(parts, date, keys);
    req.set(boost::beast::http::field::authorization, s.authorization);
    return s;
}

}  // namespace sgw::aksk
