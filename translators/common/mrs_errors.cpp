// Reading and classifying MRS error answers.
#include "translators/common/mrs_errors.hpp"

#include "translators/common/text.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace sgw::mrs {
namespace {

std::string string_field(const boost::json::object& o, std::string_view a, std::string_view b) {
    for (auto key : {a, b}) {
        if (auto* v = o.if_contains(key)) {
            if (v->is_string()) return std::string(v->get_string());
            if (v->is_int64()) return std::to_string(v->get_int64());
        }
    }
    return {};
}

// Finds `"key"` followed by `:` and a quoted string in text that may not be valid JSON.
std::string scan_quoted(std::string_view body, std::string_view key) {
    std::string needle = "\"";
    needle += key;
    needle += '"';
    auto pos = body.find(needle);
    if (pos == std::string_view::npos) return {};
    pos += needle.size();
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t' || body[pos] == '\n')) ++pos;
    if (pos >= body.size() || body[pos] != ':') return {};
    ++pos;
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t' || body[pos] == '\n')) ++pos;
    if (pos >= body.size() || body[pos] != '"') return {};
    auto end = body.find('"', pos + 1);
    if (end == std::string_view::npos) return {};
    return std::string(body.substr(pos + 1, end - pos - 1));
}

// MRS text that goes into a Sahara answer: UTF-8, and bounded.
std::string clean_text(std::string_view in) { return sgw::clean_text(in, 512); }

}  // namespace

error_info parse_error(std::string_view body) {
    error_info e;
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec);
    if (!ec && v.is_object()) {
        auto& o = v.get_object();
        e.code = string_field(o, "error_code", "errorCode");
        e.message = string_field(o, "error_msg", "errorMsg");
        if (auto* inner = o.if_contains("error"); inner && inner->is_object()) {
            if (e.code.empty()) e.code = string_field(inner->get_object(), "code", "code");
            if (e.message.empty()) e.message = string_field(inner->get_object(), "message", "message");
        }
        e.code = clean_text(e.code);  // parsed JSON is valid UTF-8 already; this bounds the length
        e.message = clean_text(e.message);
        return e;
    }
    for (auto key : {"error_code", "errorCode"})
        if (e.code.empty()) e.code = clean_text(scan_quoted(body, key));
    for (auto key : {"error_msg", "errorMsg"})
        if (e.message.empty()) e.message = clean_text(scan_quoted(body, key));
    return e;
}

error_class classify(unsigned http_status, const error_info& e) noexcept {
    const std::string_view c = e.code;
    if (c == "0176" || c == "0201" || c == "12000003") return error_class::not_found;
    // The API gateway's throttling answer; its code shares the APIGW. prefix of the
    // authentication failures, so it is told apart first (mrs-api.md §5.4).
    if (http_status == 429 || c == "APIGW.0308" || c == "APIG.0308") return error_class::throttled;
    if (c.starts_with("APIGW.") || c.starts_with("APIG.") || c == "12000001" || c == "130000002")
        return error_class::unauthorized;
    if (c == "12000052" || c == "12000136") return error_class::forbidden;
    if (c == "12000004") return error_class::server_error;
    if (http_status == 401) return error_class::unauthorized;
    if (http_status == 403) return error_class::forbidden;
    if (c.empty()) return http_status >= 500 ? error_class::server_error : error_class::unreadable;
    return error_class::refused;
}

}  // namespace sgw::mrs
