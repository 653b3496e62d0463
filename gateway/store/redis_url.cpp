// Where the shared job store is: jobs.store, a redis:// URL, parsed once at startup.
#include "gateway/store/redis_url.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <charconv>

namespace sgw::store {
namespace {

constexpr std::string_view expected = "expected redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]";

bool plain_host_name(std::string_view h) {
    return !h.empty() && h.size() <= 253 && std::all_of(h.begin(), h.end(), [](unsigned char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
               c == '_';  // container runtimes allow it in service names
    });
}

template <class T>
bool read_number(std::string_view text, T& out, T max) {
    T n{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || n > max) return false;
    out = n;
    return true;
}

}  // namespace

std::string redis_endpoint::redacted() const {
    // Appended piece by piece: GCC 12 misreads `"[" + host` at -O3 (-Wrestrict, GCC bug 105329).
    std::string out = "redis://";
    if (!password.empty()) {
        out += user;
        out += ":***@";
    }
    const bool ipv6 = host.find(':') != std::string::npos;
    if (ipv6) out += '[';
    out += host;
    if (ipv6) out += ']';
    out += ':';
    out += port;
    if (db != 0) {
        out += '/';
        out += std::to_string(db);
    }
    return out;
}

std::optional<redis_endpoint> parse_redis_url(std::string_view text, std::string& error) {
    auto fail = [&](std::string_view why) {
        error = std::string(why);
        return std::nullopt;
    };
    auto u = boost::urls::parse_absolute_uri(text);
    if (!u) return fail(expected);
    if (u->scheme() == "rediss")
        return fail("rediss:// (TLS) is not supported: reach Redis over loopback, a private network or a TLS sidecar");
    if (u->scheme() != "redis") return fail(expected);
    if (u->has_query() || u->has_fragment()) return fail("must not have a query or fragment");

    redis_endpoint out;
    if (u->has_userinfo()) {
        out.user = u->user();
        out.password = u->password();
        if (out.password.empty()) return fail("the password after ':' is empty (leave out 'USER:PASSWORD@' for none)");
    }
    switch (u->host_type()) {
        case boost::urls::host_type::ipv4: out.host = u->host_ipv4_address().to_string(); break;
        case boost::urls::host_type::ipv6: out.host = u->host_ipv6_address().to_string(); break;
        case boost::urls::host_type::name:
            out.host = u->host_name();
            if (!plain_host_name(out.host)) return fail("the host must be a DNS name or an IP address");
            break;
        default: return fail(u->host_type() == boost::urls::host_type::none ? expected : "the host must be a DNS name or an IP address");
    }
    if (u->has_port()) {
        unsigned short port = 0;
        if (!read_number<unsigned short>(u->port(), port, 65535) || port == 0) return fail("the port must be 1 to 65535");
        out.port = std::to_string(port);
    }
    // The path is empty, "/", or "/DB".
    std::string_view path = u->encoded_path();
    if (!path.empty()) {
        path.remove_prefix(1);
        if (!path.empty() && !read_number<unsigned>(path, out.db, 65535))
            return fail("the database after the host must be a number from 0 to 65535");
    }
    return out;
}

}  // namespace sgw::store
