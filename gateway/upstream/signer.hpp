// The hook where a request signer sits: called by the pool once the request's final Host,
// path and headers are set, just before it is written (AK/SK signing signs exactly those).
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace sgw::upstream {

using request = boost::beast::http::request<boost::beast::http::string_body>;

class request_signer {
public:
    virtual ~request_signer() = default;
    /// Adds the signature headers to `req`; the pool sends it unchanged afterwards.
    virtual void sign(request& req) = 0;
};

}  // namespace sgw::upstream
