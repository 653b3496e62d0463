// The MRS base URL, parsed once at startup.
#include "gateway/upstream/url.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>

namespace sgw::upstream {

url_result parse_base_url(std::string_view text) {
    auto u = boost::urls::parse_absolute_uri(text);
    if (!u) return std::string("not an absolute URL");
    base_url out;
    if (u->scheme() == "https")
        out.tls = true;
    else if (u->scheme() != "http")
        return std::string("scheme must be http or https");
    if (u->has_userinfo()) return std::string("must not carry credentials");
    if (u->has_query() || u->has_fragment()) return std::string("must not have a query or fragment");
    if (u->host().empty()) return std::string("has no host");
    out.host = u->host_address();
    out.port = u->has_port() ? std::string(u->port()) : std::string(out.tls ? "443" : "80");
    out.host_header = std::string(u->encoded_host_and_port());
    std::string path(u->encoded_path());
    while (!path.empty() && path.back() == '/') path.pop_back();
    out.path_prefix = std::move(path);
    return out;
}

bool is_ip_literal(std::string_view host) {
    boost::system::error_code ec;
    boost::asio::ip::make_address(std::string(host), ec);
    return !ec;
}

}  // namespace sgw::upstream
