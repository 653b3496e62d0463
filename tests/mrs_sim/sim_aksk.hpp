// MRS simulator: the parts of the AK/SK signature "SDK-HMAC-SHA256" (mrs-api.md §6.2), written
// for the simulator alone, so that it checks the gateway's signatures with a second,
// independent implementation.
#pragma once

#include "sim_state.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mrs_sim::aksk {

std::string hex_sha256(std::string_view data);
std::string hex_hmac_sha256(std::string_view key, std::string_view data);
// Percent-encodes every byte but A-Z a-z 0-9 - _ . ~, as %XX in upper-case hex.
std::string uri_encode(std::string_view s);

// The canonical request of §6.2 for a request as received: target is its origin-form target
// (path and query as sent), signed_headers the list of the Authorization header. nullopt
// when the target cannot be read or a signed header is missing.
std::optional<std::string> canonical_request(std::string_view method, std::string_view target,
                                             const header_list& headers, std::string_view signed_headers,
                                             std::string_view body);
// "SDK-HMAC-SHA256\n" + X-Sdk-Date + "\n" + hex SHA-256 of the canonical request.
std::string string_to_sign(std::string_view sdk_date, std::string_view canonical);
// Lower-case hex HMAC-SHA256 of the string to sign, keyed with the secret key itself.
std::string signature(std::string_view sk, std::string_view to_sign);

// "SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex".
struct authorization {
    std::string access, signed_headers, signature;
};
std::optional<authorization> parse_authorization(std::string_view value);

// X-Sdk-Date "YYYYMMDDTHHMMSSZ" (UTC, §4) as epoch milliseconds.
std::optional<std::int64_t> parse_sdk_date(std::string_view value);

// How far X-Sdk-Date may be from the server's clock (§5.1(3), §6.2): 15 minutes.
inline constexpr std::int64_t max_skew_ms = 15 * 60 * 1000;

}  // namespace mrs_sim::aksk
