// Sahara's versions document (sahara-api.md §9), answered to any method on "/".
#pragma once

#include <boost/beast/http/fields.hpp>

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

}  // namespace sgw
