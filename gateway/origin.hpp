// The scheme and authority a client used, for absolute links in answers.
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

}  // namespace sgw
