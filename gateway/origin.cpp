// The scheme and authority a client used, for absolute links.
#include "gateway/origin.hpp"

#include <cctype>

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

}  // namespace sgw
