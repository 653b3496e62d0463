// Where the shared job store is: jobs.store, a redis:// URL, parsed once at startup.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sgw::store {

struct redis_endpoint {
    std::string host;  ///< a name or an address (IPv6 without brackets)
    std::string port = "6379";
    unsigned db = 0;       ///< SELECTed after connecting when not 0
    std::string user;      ///< empty: the default user (AUTH with the password alone)
    std::string password;  ///< empty: no AUTH

    /// The URL with the password replaced by "***": all that a log line or --help may show.
    std::string redacted() const;
};

/// Reads `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]` (user and password percent-decoded).
/// On failure returns nullopt and says why in `error`, which never quotes the text: it may
/// hold a password.
std::optional<redis_endpoint> parse_redis_url(std::string_view text, std::string& error);

}  // namespace sgw::store
