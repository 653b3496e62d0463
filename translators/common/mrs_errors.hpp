// Reading MRS error answers, which come in several shapes (mrs-api.md §5.1).
#pragma once

#include <string>
#include <string_view>

namespace sgw::mrs {

/// An MRS error as far as it could be read; both fields empty when the body held none.
struct error_info {
    std::string code;     ///< "0176", "12000003", "APIGW.0301", ...
    std::string message;  ///< error_msg / errorMsg / error.message
};

/// Extracts the error code and message from an MRS error body. Accepts the snake_case
/// and camelCase keys, the {"error": {"code", "message"}} shape, and bodies that are not
/// valid JSON (several MRS examples are not), by scanning for the quoted keys.
error_info parse_error(std::string_view body);

/// What an MRS failure means to a Sahara client.
enum class error_class {
    not_found,     ///< 0176 / 0201 (job), 12000003 (cluster): 400 on the wire, 404 to Sahara
    throttled,     ///< HTTP 429, APIGW.0308 / APIG.0308: the caller's rate limit (mrs-api.md §5.4)
    unauthorized,  ///< HTTP 401, APIGW.* (but 0308), 12000001, 130000002
    forbidden,     ///< HTTP 403, 12000052, 12000136
    server_error,  ///< 12000004, or a 5xx without an MRS error code
    refused,       ///< any other MRS business error: MRS understood and said no
    unreadable,    ///< not an MRS error body at all (e.g. an HTML page from a load balancer)
};

/// Classifies by error code first and HTTP status second ("decide by error_code, not by the
/// HTTP status", mrs-api.md §5.2).
error_class classify(unsigned http_status, const error_info& e) noexcept;

}  // namespace sgw::mrs
