// API versions: Sahara's versions document (sahara-api.md §9), answered to any method on
// "/", and the v2 microversion header.
#pragma once

#include "translators/sahara/model.hpp"

#include <boost/beast/http/fields.hpp>

#include <optional>

#include <string>

namespace sgw {

/// Scheme and authority the client used, from Host or, when trusted, from
/// Forwarded (RFC 7239, first element) or X-Forwarded-Proto / X-Forwarded-Host.
struct origin {
    std::string scheme = "http";
    std::string host;
};
origin request_origin(const boost::beast::http::fields& headers, bool trust_forwarded);

/// The 300 body: v1.0 and v1.1 SUPPORTED, v2 CURRENT (2.0 only), links under `o`.
std::string versions_body(const origin& o);

/// The v2 microversion a request asks for in OpenStack-API-Version (sahara-api.md §8):
/// absent or "latest" is 2.0; another well-formed version is 406 NOT_ACCEPTABLE, a malformed
/// one 400 BAD_REQUEST, both with max_version/min_version. `echo` is what the answer's
/// OpenStack-API-Version header carries.
struct v2_version {
    std::string echo = "2.0";
    std::optional<sahara::response> error;
};
v2_version negotiate_v2(std::string_view header, std::string_view request_id);

}  // namespace sgw
