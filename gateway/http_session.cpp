// One client connection: the parts that do not depend on the stream type.
#include "gateway/http_session.hpp"

namespace sgw::detail {

unsigned reject_status(boost::system::error_code ec) {
    namespace http = boost::beast::http;
    if (ec == http::error::body_limit) return 413;
    if (ec == http::error::header_limit) return 431;
    return 400;
}

}  // namespace sgw::detail
