// One client connection: the parts that do not depend on the stream type.
#include "gateway/http_session.hpp"

#include "translators/common/text.hpp"

#include <boost/url/authority_view.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>

namespace sgw::detail {
namespace http = boost::beast::http;

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// A Host value is an authority without user information (RFC 9110 §7.2); empty is allowed.
bool valid_host(std::string_view value) {
    if (value.empty()) return true;
    auto a = boost::urls::parse_authority(value);
    return a && !a->has_userinfo();
}

}  // namespace

fault reject_fault(boost::system::error_code ec) {
    if (ec == http::error::body_limit) return fault::request_body_too_large;
    if (ec == http::error::header_limit) return fault::request_header_too_large;
    return fault::request_malformed;
}

std::optional<refusal> check_header(http_request& req) {
    // RFC 9112 §6.1 and §6.3: only Content-Length framing is accepted. A chunked body would
    // need chunk lines, extensions and trailers bounded and trailers kept apart from the
    // header; Sahara's clients never send one. Any other coding cannot be framed at all.
    if (const auto te = req.count(http::field::transfer_encoding); te != 0) {
        if (te == 1 && iequals_ascii(trim(req[http::field::transfer_encoding]), "chunked"))
            return refusal{fault::request_length_required, "chunked request body"};
        return refusal{fault::request_transfer_coding, "transfer coding other than chunked alone"};
    }
    // Beast refuses differing Content-Length values; repeated equal ones are refused too
    // (§6.3 allows either), so no hop before us can have read them differently.
    if (req.count(http::field::content_length) > 1) return refusal{fault::request_malformed, "repeated Content-Length"};
    if (req.version() / 10 != 1) return refusal{fault::request_malformed, "HTTP version other than 1.x"};

    // §3.2: HTTP/1.1 requests carry exactly one Host; none may carry two or a bad one.
    const auto hosts = req.count(http::field::host);
    if (hosts > 1) return refusal{fault::request_malformed, "more than one Host"};
    if (hosts == 0 && req.version() == 11) return refusal{fault::request_malformed, "no Host"};
    if (hosts == 1 && !valid_host(req[http::field::host])) return refusal{fault::request_malformed, "invalid Host"};

    // §3.2.2: a server accepts the absolute form; its authority replaces Host. Other forms are
    // left to the router, which finds no route for them.
    const std::string_view target = req.target();
    if (!target.empty() && target.front() != '/' && target != "*") {
        auto url = boost::urls::parse_absolute_uri(target);
        if (!url || !(iequals_ascii(url->scheme(), "http") || iequals_ascii(url->scheme(), "https")) || !url->has_authority() ||
            url->has_userinfo())
            return refusal{fault::request_malformed, "request target in neither origin nor absolute form"};
        const std::string_view path = url->encoded_path();
        std::string origin_form(path.empty() ? std::string_view("/") : path);
        if (url->has_query()) {
            origin_form += '?';
            origin_form += url->encoded_query();
        }
        const std::string host(url->encoded_host_and_port());
        req.target(origin_form);
        req.set(http::field::host, host);
    }
    return std::nullopt;
}

bool expects_continue(const http_request& req) {
    return req.version() == 11 && iequals_ascii(trim(req[http::field::expect]), "100-continue");
}

}  // namespace sgw::detail
