// The gateway's own faults as Sahara errors.
#include "translators/sahara/faults.hpp"

#include "translators/sahara/errors.hpp"

#include <cctype>

namespace sgw::sahara {

namespace {

struct sahara_error {
    unsigned status;
    std::string_view name;
    std::string_view message;
};

constexpr std::string_view needs_auth = "The request you have made requires authentication.";

// Route errors read like Flask's (sahara-api.md §7.1); token errors like keystonemiddleware's,
// which answers 401 for a refused token and 503 when Keystone cannot be asked.
sahara_error error_of(fault f) {
    switch (f) {
        case fault::request_malformed: return {400, error_name::bad_request, "Malformed request."};
        case fault::request_body_too_large:
            return {413, error_name::payload_too_large, "Request body is larger than the gateway accepts."};
        case fault::request_header_too_large:
            return {431, error_name::bad_request, "Request header fields are larger than the gateway accepts."};
        case fault::request_length_required:
            return {411, error_name::length_required,
                    "Chunked request bodies are not accepted; send the body with a Content-Length."};
        case fault::request_transfer_coding:
            return {400, error_name::bad_request, "Unsupported Transfer-Encoding."};
        case fault::too_many_connections:
            return {503, error_name::service_unavailable,
                    "The gateway is serving as many connections as it may; try again shortly."};
        case fault::internal_error: break;
        case fault::no_route:
            return {404, error_name::not_found,
                    "The requested URL was not found on the server. If you entered the URL manually please check "
                    "your spelling and try again."};
        case fault::method_not_allowed:
            return {405, error_name::method_not_allowed, "The method is not allowed for the requested URL."};
        case fault::read_only:
            return {405, error_name::method_not_allowed,
                    "This gateway serves clusters, job templates and data sources read-only; create, change, scale "
                    "and delete them in MRS."};
        case fault::bad_target: return {400, error_name::bad_request, "The request target is not a valid URL path."};
        case fault::token_missing:
        case fault::token_refused:
        case fault::token_expired:
        case fault::token_other_project:
        case fault::token_refused_lately: return {401, error_name::unauthorized, needs_auth};
        case fault::identity_unavailable:
        case fault::identity_bad_answer:
            return {503, error_name::service_unavailable, "The Keystone service is temporarily unavailable."};
        case fault::no_project_source:
            return {400, error_name::bad_request,
                    "This gateway needs the project in the URL: /v1.1/{project_id}/... (no identity endpoint is "
                    "configured for URLs without one)."};
        case fault::step_limit:
        case fault::no_answer: break;
    }
    return {500, error_name::internal, "Internal Server Error"};
}

}  // namespace

response fault_response(std::error_code ec, std::string_view request_id, std::string log_detail) {
    const auto e = ec.category() == fault_category() ? error_of(static_cast<fault>(ec.value()))
                                                     : sahara_error{500, error_name::internal, "Internal Server Error"};
    if (log_detail.empty()) log_detail = ec.message();
    return response{e.status, error_body(e.status, e.name, e.message, request_id), std::move(log_detail)};
}

response read_only_response(std::string_view attempt, std::string_view request_id) {
    std::string message(attempt);
    message += " is not supported. ";
    message += error_of(fault::read_only).message;
    message.front() = static_cast<char>(std::toupper(static_cast<unsigned char>(message.front())));
    return response{405, error_body(405, error_name::method_not_allowed, message, request_id),
                    "read-only: " + std::string(attempt)};
}

}  // namespace sgw::sahara
