// Sahara-shaped error bodies: {"error_code": <status>, "error_name": "...", "error_message": "..."}.
#pragma once

#include "translators/sahara/model.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

namespace sgw::sahara {

/// Error names the gateway emits. Sahara's own names where Sahara has one
/// (sahara-api.md §7.1); the gateway-only conditions use the HTTP reason in upper case.
namespace error_name {
inline constexpr std::string_view not_found = "NOT_FOUND";
inline constexpr std::string_view canceling_failed = "CANCELING_FAILED";
inline constexpr std::string_view deletion_failed = "DELETION_FAILED";
inline constexpr std::string_view update_failed = "UPDATE_FAILED";
inline constexpr std::string_view validation_error = "VALIDATION_ERROR";
inline constexpr std::string_view invalid_data = "INVALID_DATA";
inline constexpr std::string_view invalid_reference = "INVALID_REFERENCE";
inline constexpr std::string_view invalid_job_status = "INVALID_JOB_STATUS";
inline constexpr std::string_view malformed_request_body = "MALFORMED_REQUEST_BODY";
inline constexpr std::string_view invalid_params = "INVALID_PARAMS_ON_REQUEST";
inline constexpr std::string_view not_acceptable = "NOT_ACCEPTABLE";
inline constexpr std::string_view unauthorized = "UNAUTHORIZED";
inline constexpr std::string_view forbidden = "FORBIDDEN";
inline constexpr std::string_view method_not_allowed = "METHOD_NOT_ALLOWED";
inline constexpr std::string_view bad_request = "BAD_REQUEST";
inline constexpr std::string_view length_required = "LENGTH_REQUIRED";
inline constexpr std::string_view payload_too_large = "REQUEST_ENTITY_TOO_LARGE";
inline constexpr std::string_view bad_gateway = "BAD_GATEWAY";
inline constexpr std::string_view gateway_timeout = "GATEWAY_TIMEOUT";
inline constexpr std::string_view service_unavailable = "SERVICE_UNAVAILABLE";
inline constexpr std::string_view internal = "INTERNAL_SERVER_ERROR";
}  // namespace error_name

/// Serializes a Sahara error body. Like Sahara's own messages, the text ends with
/// "\nError ID: <id>", here the uuid of the request id so that a user's report
/// finds the log line.
std::string error_body(unsigned status, std::string_view name, std::string_view message,
                       std::string_view request_id);

/// The same body as an object, for answers that add keys to it (v2 microversion errors).
boost::json::object error_object(unsigned status, std::string_view name, std::string_view message,
                                 std::string_view request_id);

/// An error response for `req`; `log_detail` goes to the log only.
response error_response(const request& req, unsigned status, std::string_view name,
                        std::string_view message, std::string log_detail = {});

/// Sahara's message for an unknown or invisible id (sahara-api.md §7.1).
std::string not_found_message(std::string_view id);

/// An `error_name` that is a number, not a name: Sahara's `limit` and `sort_by` validators
/// raise with the code 400 in that place (`"error_name": 400`, sahara-api.md §4, §7.1).
struct numeric_error_name {
    int value;
};

/// The same body with a numeric `error_name`.
std::string error_body(unsigned status, numeric_error_name name, std::string_view message,
                       std::string_view request_id);
response error_response(const request& req, unsigned status, numeric_error_name name, std::string_view message,
                        std::string log_detail = {});

}  // namespace sgw::sahara
