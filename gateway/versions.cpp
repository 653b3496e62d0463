// Sahara's versions document.
#include "gateway/versions.hpp"

#include "translators/sahara/errors.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace sgw {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::string_view first_of_list(std::string_view s) { return trim(s.substr(0, s.find(','))); }

std::string unquote(std::string_view s) {
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
    return std::string(s);
}

// Only host names, addresses, ports and brackets: nothing that could break the JSON or the URL.
bool plausible_host(std::string_view h) {
    if (h.empty() || h.size() > 255) return false;
    for (char c : h) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                        c == '-' || c == ':' || c == '[' || c == ']' || c == '_';
        if (!ok) return false;
    }
    return true;
}

}  // namespace

origin request_origin(const boost::beast::http::fields& headers, bool trust_forwarded) {
    origin o;
    if (auto host = trim(headers[boost::beast::http::field::host]); plausible_host(host)) o.host = std::string(host);
    if (!trust_forwarded) return o;
    if (auto fwd = headers["Forwarded"]; !fwd.empty()) {
        auto element = first_of_list(fwd);
        while (!element.empty()) {
            auto semi = element.find(';');
            auto pair = trim(element.substr(0, semi));
            auto eq = pair.find('=');
            if (eq != std::string_view::npos) {
                std::string key(trim(pair.substr(0, eq)));
                for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                auto value = unquote(trim(pair.substr(eq + 1)));
                if (key == "proto" && (value == "http" || value == "https")) o.scheme = value;
                if (key == "host" && plausible_host(value)) o.host = value;
            }
            if (semi == std::string_view::npos) break;
            element = element.substr(semi + 1);
        }
        return o;
    }
    if (auto proto = first_of_list(headers["X-Forwarded-Proto"]); proto == "http" || proto == "https")
        o.scheme = std::string(proto);
    if (auto host = first_of_list(headers["X-Forwarded-Host"]); plausible_host(host)) o.host = std::string(host);
    return o;
}

std::string versions_body(const origin& o) {
    const std::string base = o.scheme + "://" + (o.host.empty() ? std::string("localhost") : o.host);
    namespace json = boost::json;
    auto version = [&](std::string_view id, std::string_view status) {
        json::object v;
        v["id"] = id;
        v["status"] = status;
        v["links"] = json::array{json::object{{"rel", "self"}, {"href", base + "/" + std::string(id) + "/"}}};
        return v;
    };
    auto v2 = version("v2", "CURRENT");
    v2["min_version"] = "2.0";
    v2["max_version"] = "2.0";
    json::object doc;
    doc["versions"] = json::array{version("v1.0", "SUPPORTED"), version("v1.1", "SUPPORTED"), std::move(v2)};
    return json::serialize(doc);
}

v2_version negotiate_v2(std::string_view header, std::string_view rid) {
    v2_version out;
    std::string_view requested;
    while (!header.empty()) {
        auto comma = header.find(',');
        auto item = header.substr(0, comma);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        if (item.starts_with("data-processing ")) requested = item.substr(16);
        if (comma == std::string_view::npos) break;
        header.remove_prefix(comma + 1);
    }
    while (!requested.empty() && requested.back() == ' ') requested.remove_suffix(1);
    if (requested.empty() || requested == "latest") return out;
    out.echo = std::string(requested);
    auto dot = requested.find('.');
    auto all_digits = [](std::string_view d) {
        return !d.empty() && std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    const bool well_formed = dot != std::string_view::npos && all_digits(requested.substr(0, dot)) &&
                             all_digits(requested.substr(dot + 1));
    if (well_formed && requested == "2.0") return out;
    const unsigned status = well_formed ? 406 : 400;
    std::string message = well_formed ? "Version " + out.echo +
                                            " is not supported by the API. Minimum is 2.0 and maximum is 2.0."
                                      : "Invalid OpenStack-API-Version header: " + out.echo;
    auto body = boost::json::parse(sahara::error_body(
                                       status, well_formed ? sahara::error_name::not_acceptable : sahara::error_name::bad_request,
                                       message, rid))
                    .as_object();
    body["max_version"] = "2.0";
    body["min_version"] = "2.0";
    out.error = sahara::response{status, boost::json::serialize(body), "unsupported microversion", {}};
    return out;
}

}  // namespace sgw
