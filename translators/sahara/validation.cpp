// Validation of Sahara request bodies, with Sahara's own messages.
#include "translators/sahara/validation.hpp"

#include "translators/sahara/errors.hpp"

#include <boost/json.hpp>

namespace sgw::sahara {
namespace json = boost::json;

std::string quote(std::string_view text) {
    // Appended piece by piece: GCC 12's -Wrestrict misfires on "'" + std::string(x) + "'".
    std::string out;
    out.reserve(text.size() + 2);
    out += '\'';
    out += text;
    out += '\'';
    return out;
}

std::string quoted(const json::value& v) {
    if (v.is_string()) return quote(v.get_string());
    if (v.is_bool()) return v.get_bool() ? "True" : "False";
    if (v.is_null()) return "None";
    return json::serialize(v);
}

parsed_body parse_json_body(const request& req) {
    parsed_body out;
    std::string_view ct = req.content_type;
    ct = ct.substr(0, ct.find(';'));
    while (!ct.empty() && ct.back() == ' ') ct.remove_suffix(1);
    if (!ct.empty() && ct != "application/json") {
        out.error = error_response(req, 400, error_name::invalid_data,
                                   "Content type '" + std::string(ct) + "' isn't supported");
        return out;
    }
    boost::system::error_code ec;
    auto v = json::parse(req.body, ec);
    if (ec) {
        out.error = error_response(req, 400, error_name::malformed_request_body,
                                   "Malformed message body: cannot understand JSON");
        return out;
    }
    if (!v.is_object()) {
        out.error = validation_error(req, quoted(v) + " is not of type 'object'");
        return out;
    }
    out.object = std::move(v.get_object());
    return out;
}

bool is_uuid_like(std::string_view s) noexcept {
    std::size_t hex = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) {
            ++hex;
        } else if (c == '-' && s.size() == 36 && (i == 8 || i == 13 || i == 18 || i == 23)) {
            continue;
        } else {
            return false;
        }
    }
    return hex == 32 && (s.size() == 32 || s.size() == 36);
}

std::optional<std::string> only_keys(const json::object& o, std::initializer_list<std::string_view> allowed) {
    for (auto& [k, v] : o) {
        bool ok = false;
        for (auto a : allowed) ok = ok || k == a;
        if (!ok) return "Additional properties are not allowed (" + quote(k) + " was unexpected)";
    }
    return std::nullopt;
}

std::optional<std::string> require_keys(const json::object& o, std::initializer_list<std::string_view> keys) {
    for (auto k : keys)
        if (!o.contains(k)) return quote(k) + " is a required property";
    return std::nullopt;
}

std::optional<std::string> uuid_or_null(const json::object& o, std::string_view key, bool nullable) {
    auto* v = o.if_contains(key);
    if (!v || (nullable && v->is_null())) return std::nullopt;
    if (!v->is_string())
        return std::string(key) + ": " + quoted(*v) + " is not of type 'string'" + (nullable ? ", 'null'" : "");
    if (!is_uuid_like(v->get_string())) return std::string(key) + ": " + quoted(*v) + " is not a 'uuid'";
    return std::nullopt;
}

std::optional<std::string> bool_or_null(const json::object& o, std::string_view key) {
    auto* v = o.if_contains(key);
    if (!v || v->is_null() || v->is_bool()) return std::nullopt;
    return std::string(key) + ": " + quoted(*v) + " is not of type 'boolean', 'null'";
}

std::optional<std::string> object_or_absent(const json::object& o, std::string_view key) {
    auto* v = o.if_contains(key);
    if (!v || v->is_object()) return std::nullopt;
    return std::string(key) + ": " + quoted(*v) + " is not of type 'object'";
}

response validation_error(const request& req, std::string_view message) {
    return error_response(req, 400, error_name::validation_error, message);
}

}  // namespace sgw::sahara
