// The MRS base URL, parsed once at startup.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sgw::upstream {

struct base_url {
    bool tls = false;
    std::string host;         ///< without brackets for IPv6
    std::string port;         ///< always set ("443" / "80" by default)
    std::string host_header;  ///< what goes into Host: (port only when not the default)
    std::string path_prefix;  ///< prepended to every MRS path, without a trailing "/"
};

class url_result {
public:
    url_result(base_url v) : value_(std::move(v)) {}
    url_result(std::string error) : error_(std::move(error)) {}
    explicit operator bool() const noexcept { return value_.has_value(); }
    const base_url& operator*() const { return *value_; }
    const base_url* operator->() const { return &*value_; }
    const std::string& error() const noexcept { return error_; }

private:
    std::optional<base_url> value_;
    std::string error_;
};

/// Accepts http:// and https:// URLs with an optional port and path; rejects userinfo,
/// queries and fragments (credentials never belong in the URL).
url_result parse_base_url(std::string_view text);

/// True when `host` is an IP literal (SNI must not be sent for those, RFC 6066 §3).
bool is_ip_literal(std::string_view host);

}  // namespace sgw::upstream
