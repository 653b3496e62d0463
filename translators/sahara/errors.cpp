// Sahara-shaped error bodies.
#include "translators/sahara/errors.hpp"

#include "translators/common/utf8.hpp"

#include <boost/json.hpp>

namespace sgw::sahara {

namespace {

// The message may quote what the client sent (a header, a query parameter), which need not be
// UTF-8; the body must be.
std::string with_error_id(std::string_view message, std::string_view request_id) {
    std::string text = translators::valid_utf8(message);
    std::string_view uuid = request_id;
    if (uuid.starts_with("req-")) uuid.remove_prefix(4);
    if (!uuid.empty()) {
        text += "\nError ID: ";
        text += uuid;
    }
    return text;
}

boost::json::object make_error(unsigned status, boost::json::value name, std::string_view message,
                               std::string_view request_id) {
    boost::json::object body;
    body["error_code"] = status;
    body["error_name"] = std::move(name);
    body["error_message"] = with_error_id(message, request_id);
    return body;
}

std::string serialize_error(unsigned status, boost::json::value name, std::string_view message,
                            std::string_view request_id) {
    return boost::json::serialize(make_error(status, std::move(name), message, request_id));
}

}  // namespace

boost::json::object error_object(unsigned status, std::string_view name, std::string_view message,
                                 std::string_view request_id) {
    return make_error(status, boost::json::string(name), message, request_id);
}

std::string error_body(unsigned status, std::string_view name, std::string_view message,
                       std::string_view request_id) {
    return serialize_error(status, boost::json::string(name), message, request_id);
}

std::string error_body(unsigned status, numeric_error_name name, std::string_view message,
                       std::string_view request_id) {
    return serialize_error(status, name.value, message, request_id);
}

response error_response(const request& req, unsigned status, std::string_view name,
                        std::string_view message, std::string log_detail) {
    return response{status, error_body(status, name, message, req.request_id), std::move(log_detail)};
}

response error_response(const request& req, unsigned status, numeric_error_name name, std::string_view message,
                        std::string log_detail) {
    return response{status, error_body(status, name, message, req.request_id), std::move(log_detail)};
}

std::string not_found_message(std::string_view id) {
    std::string msg = "Object with {'id': '";
    msg += id;
    msg += "'} not found";
    return msg;
}

}  // namespace sgw::sahara
