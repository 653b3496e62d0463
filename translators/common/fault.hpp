// Faults the gateway meets on its own side, before or around a translation, as error codes
// of one category ("gateway"). translators/sahara/faults.hpp maps each onto the Sahara error a
// client gets; every other layer passes them on as values.
#pragma once

#include <system_error>

namespace sgw {

enum class fault {
    request_malformed = 1,     ///< the request is not valid HTTP/1.1
    request_body_too_large,    ///< the body exceeds server.body_limit
    request_header_too_large,  ///< the header exceeds server.header_limit
    request_length_required,   ///< a chunked body: only Content-Length framing is accepted
    request_transfer_coding,   ///< a Transfer-Encoding other than chunked alone
    too_many_connections,      ///< the process holds server.max_connections already
    token_refused_lately,      ///< the same token was refused moments ago (identity.refused_ttl_ms)
    internal_error,            ///< an exception reached the request's last-resort handler
    no_route,              ///< no Sahara path matches the target
    method_not_allowed,    ///< the path is known, the method is not
    read_only,             ///< a write to a resource the gateway serves read-only (clusters, ...)
    bad_target,            ///< the request target is not a valid URL path
    token_missing,         ///< no X-Auth-Token
    token_refused,         ///< the identity endpoint does not accept the token
    token_expired,         ///< the token's expiry has passed
    token_other_project,   ///< aksk mode: the token's project is not the URL's
    identity_unavailable,  ///< the identity endpoint cannot be reached or failed
    identity_bad_answer,   ///< the identity endpoint answered without a project
    no_project_source,     ///< no project in the URL, and neither identity.url nor identity.project
    step_limit,            ///< the translator asked for more rounds than any call may take
    no_answer,             ///< the translator returned neither calls nor an answer
};

const std::error_category& fault_category() noexcept;

inline std::error_code make_error_code(fault f) noexcept { return {static_cast<int>(f), fault_category()}; }

}  // namespace sgw

template <>
struct std::is_error_code_enum<sgw::fault> : std::true_type {};
