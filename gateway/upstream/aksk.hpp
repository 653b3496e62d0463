// AK/SK request signing, "SDK-HMAC-SHA256" (mrs-api.md §6.2): the pure algorithm. No clock,
// no I/O; the time comes in as an argument, so every function here is deterministic.
//
// The canonical request, the string to sign and the `signature` below carry the signed header
// values, the security token among them: never log them.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <span>
#include <string>
#include <string_view>

namespace sgw::aksk {

/// Permanent keys, or temporary ones when `security_token` is set.
struct credentials {
    std::string access_key;      ///< AK: sent in clear in `Authorization`
    std::string secret_key;      ///< SK: the HMAC key, never sent
    std::string security_token;  ///< temporary keys only: sent as `X-Security-Token`
};

inline constexpr std::string_view algorithm = "SDK-HMAC-SHA256";
/// SHA-256 of the empty string: the payload hash of a request without a body.
inline constexpr std::string_view empty_payload_sha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Percent-encodes every byte outside RFC 3986's unreserved set (`A-Z a-z 0-9 - _ . ~`),
/// with upper-case hex; UTF-8 text is encoded byte by byte.
std::string encode(std::string_view bytes);

/// The canonical URI of a path as sent (the target up to `?`): each `/`-separated segment is
/// encoded again as it stands, so a `%` on the wire becomes `%25`, and a `/` is appended
/// unless the result ends in one. Huawei's SDKs encode the path they send this way rather than
/// decoding it first (mrs-api.md §6.2(1), §6.2(9)).
std::string canonical_uri(std::string_view path);

/// The canonical query string of a raw query as sent (without the `?`): each `name=value`
/// pair is percent-decoded (`+` is a space, as in form encoding; a `%` not followed by two hex
/// digits stays as it is), the pairs are sorted by name then value, and each is encoded again
/// with `encode`. A pair without `=` has an empty value; empty pairs (`&&`) are dropped.
/// The sort compares UTF-16 code units, as the Node SDK does (mrs-api.md §6.2(2)): for text
/// within U+0000–U+D7FF that is plain byte order; bytes that are not UTF-8 sort after every
/// character.
std::string canonical_query(std::string_view raw_query);

/// One header to sign: the name in any case, the value as set (trimmed when signed).
struct header {
    std::string_view name;
    std::string_view value;
};

/// The canonical headers part and the signed header list of `headers`, whose names must be
/// distinct ignoring case: names lower-cased and sorted in byte order, values stripped of
/// spaces and tabs at both ends (a receiver cannot see them), one `name:value\n` line each
/// (mrs-api.md §6.2(4), §6.2(5)).
struct header_block {
    std::string lines;  ///< `name:value\n` per header
    std::string names;  ///< the `SignedHeaders` value, `a;b;c`
};
header_block canonical_headers(std::span<const header> headers);

/// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);
/// Lower-case hex HMAC-SHA256 of `data` keyed with the bytes of `key`.
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

/// `YYYYMMDDTHHMMSSZ` in UTC, the `X-Sdk-Date` format (seconds truncated).
std::string sdk_date(std::chrono::system_clock::time_point t);

/// Everything the signature covers, as it is sent.
struct request_parts {
    std::string_view method;          ///< upper case
    std::string_view target;          ///< origin form: path, and `?query` if any
    std::span<const header> headers;  ///< exactly the headers to sign, `X-Sdk-Date` among them
    std::string_view payload_hash;    ///< see `payload_hash`
};

/// The payload line: the value of an `X-Sdk-Content-Sha256` header when the request has a
/// non-empty one (e.g. `UNSIGNED-PAYLOAD`), otherwise the hex SHA-256 of the body bytes
/// (mrs-api.md §6.2(6)).
std::string payload_hash(std::string_view body, std::string_view content_sha256_header);

/// A computed signature and what led to it (for tests and diagnostics: see the note on top).
struct signature {
    std::string canonical_request;
    std::string string_to_sign;
    std::string signed_headers;  ///< the `SignedHeaders` list
    std::string authorization;   ///< the whole `Authorization` header value
};

/// Signs `parts` as of `date` (the `X-Sdk-Date` value, which must also be among the headers).
signature sign(const request_parts& parts, std::string_view date, const credentials& keys);

using http_request = boost::beast::http::request<boost::beast::http::string_body>;

/// Signs `req` in place, once its Host, target, headers and body are final:
/// - reuses its `X-Sdk-Date` if it has a non-empty one, else sets one from `now`;
/// - sets `X-Security-Token` for temporary keys and removes any for permanent ones (the token
///   belongs to the keys that sign);
/// - signs `host`, `x-sdk-date`, and `content-type`, `x-project-id`, `x-security-token` and
///   `x-sdk-content-sha256` when present, plus the headers named in `also_sign` when present;
///   other headers stay unsigned, so a proxy may add or change them (mrs-api.md §6.2(3));
/// - sets `Authorization`, replacing any.
/// Nothing may change the signed parts afterwards.
signature sign_request(http_request& req, const credentials& keys, std::chrono::system_clock::time_point now,
                       std::span<const std::string_view> also_sign = {});

}  // namespace sgw::aksk
