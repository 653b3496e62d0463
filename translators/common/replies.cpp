// Turning upstream replies into data or into the Sahara error they mean.
#include "translators/common/replies.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>

namespace sgw::translators {

namespace sn = sahara::error_name;

bool succeeded(const upstream_reply& r, std::initializer_list<unsigned> ok_statuses) {
    if (r.outcome != transport::ok) return false;
    for (unsigned s : ok_statuses)
        if (r.status == s) return true;
    return false;
}

const boost::json::object* body_object(const upstream_reply& r) {
    return (r.json && r.json->is_object()) ? &r.json->get_object() : nullptr;
}

const boost::json::object* envelope(const upstream_reply& r, std::string_view key) {
    auto* body = body_object(r);
    auto* inner = body ? body->if_contains(key) : nullptr;
    return (inner && inner->is_object()) ? &inner->get_object() : nullptr;
}

std::optional<long long> integer_field(const boost::json::object& o, std::string_view key) {
    auto* v = o.if_contains(key);
    return v ? integer_value(*v) : std::nullopt;
}

std::optional<long long> integer_value(const boost::json::value& value) {
    const auto* v = &value;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= 0x7fffffffffffffffULL) return static_cast<long long>(v->get_uint64());
    if (v->is_string()) {
        std::string_view s = v->get_string();
        long long n = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
        if (ec == std::errc{} && p == s.data() + s.size()) return n;
    }
    return std::nullopt;
}

sahara::response unusable_answer(const sahara::request& req, std::string_view what) {
    std::string detail(what);
    return sahara::error_response(req, 502, sn::bad_gateway,
                                  "MRS sent an answer the gateway could not use.", std::move(detail));
}

namespace {

// MRS's advice for a throttled caller is to wait 2 to 5 seconds (mrs-api.md §5.4).
constexpr unsigned throttled_retry_after = 2;

unsigned retry_seconds(const upstream_reply& r, unsigned fallback) {
    const auto s = r.retry_after.count();
    return s > 0 ? static_cast<unsigned>(std::min<long long>(s, 3600)) : fallback;
}

}  // namespace

sahara::response failure(const sahara::request& req, const upstream_reply& r, std::string_view refused_name) {
    switch (r.outcome) {
        case transport::timeout:
            return sahara::error_response(req, 504, sn::gateway_timeout, "MRS did not answer in time.",
                                          "timeout: " + r.detail);
        case transport::unreachable:
            return sahara::error_response(req, 502, sn::bad_gateway, "MRS cannot be reached.",
                                          "unreachable: " + r.detail);
        case transport::malformed:
            return sahara::error_response(req, 502, sn::bad_gateway,
                                          "MRS sent a malformed or truncated answer.", "malformed: " + r.detail);
        case transport::overloaded: {
            auto out = sahara::error_response(req, 503, sn::service_unavailable,
                                              "The gateway is holding calls to MRS back for now (MRS is failing, or every "
                                              "connection to it is busy); try again shortly.",
                                              "overloaded: " + r.detail);
            out.retry_after = retry_seconds(r, 1);
            return out;
        }
        case transport::ok: break;
    }
    const auto err = mrs::parse_error(r.body);
    std::string detail = "MRS HTTP " + std::to_string(r.status);
    if (!err.code.empty()) detail += " error_code " + err.code;
    switch (mrs::classify(r.status, err)) {
        case mrs::error_class::not_found:
            return sahara::error_response(req, 404, sn::not_found, sahara::not_found_message(req.id),
                                          std::move(detail));
        case mrs::error_class::throttled: {
            // Never retried by the gateway: the client hears when to come back (gateway-anchors.md §3).
            auto out = sahara::error_response(req, 503, sn::service_unavailable,
                                              "MRS is throttling calls for this project; try again shortly.",
                                              std::move(detail));
            out.retry_after = retry_seconds(r, throttled_retry_after);
            return out;
        }
        case mrs::error_class::unauthorized:
            return sahara::error_response(req, 401, sn::unauthorized,
                                          "The request you have made requires authentication.",
                                          std::move(detail));
        case mrs::error_class::forbidden:
            return sahara::error_response(req, 403, sn::forbidden,
                                          "You are not authorized to complete this action.", std::move(detail));
        case mrs::error_class::server_error:
            return sahara::error_response(req, 502, sn::bad_gateway, "MRS failed to process the request.",
                                          std::move(detail));
        case mrs::error_class::unreadable:
            return sahara::error_response(req, 502, sn::bad_gateway,
                                          "MRS answered HTTP " + std::to_string(r.status) +
                                              " without a readable error.",
                                          std::move(detail));
        case mrs::error_class::refused: break;
    }
    std::string message = "MRS refused the request: ";
    message += err.message.empty() ? std::string_view("(no message)") : std::string_view(err.message);
    message += " (MRS error " + err.code + ")";
    return sahara::error_response(req, 400, refused_name, message, std::move(detail));
}

}  // namespace sgw::translators
