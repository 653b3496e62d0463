// Validation of Sahara request bodies, with Sahara's own messages (sahara-api.md §2, §7.1).
#pragma once

#include "translators/sahara/model.hpp"

#include <boost/json/object.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace sgw::sahara {

/// The JSON object body of `req`, or the 400 Sahara answers: INVALID_DATA for a
/// non-JSON content type, MALFORMED_REQUEST_BODY for text that is not JSON, and
/// VALIDATION_ERROR when it is not an object.
struct parsed_body {
    boost::json::object object;
    std::optional<response> error;
};
parsed_body parse_json_body(const request& req);

/// `text` in single quotes, as Python's repr shows a string.
std::string quote(std::string_view text);
/// A JSON value as jsonschema's messages show it: 'text', True, False, None, or JSON.
std::string quoted(const boost::json::value& v);

/// uuidutils.is_uuid_like: 32 hex digits, with or without the four dashes.
bool is_uuid_like(std::string_view s) noexcept;

/// One jsonschema-style check; each returns Sahara's message on failure.
/// Messages look like "cluster_id: 'demo' is not a 'uuid'" (path prefix `where`).
std::optional<std::string> only_keys(const boost::json::object& o, std::initializer_list<std::string_view> allowed);
std::optional<std::string> require_keys(const boost::json::object& o, std::initializer_list<std::string_view> keys);
std::optional<std::string> uuid_or_null(const boost::json::object& o, std::string_view key, bool nullable);
std::optional<std::string> bool_or_null(const boost::json::object& o, std::string_view key);
std::optional<std::string> object_or_absent(const boost::json::object& o, std::string_view key);

/// 400 VALIDATION_ERROR with `message`.
response validation_error(const request& req, std::string_view message);

}  // namespace sgw::sahara
