// Sahara's API versions: the versions document (sahara-api.md §9), answered to any method on
// "/", and the v2 microversion header (sahara-api.md §8).
#pragma once

#include "translators/sahara/model.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace sgw::sahara {

/// The 300 body: v1.0 and v1.1 SUPPORTED, v2 CURRENT (2.0 only), links under
/// `scheme`://`host` ("localhost" when the host is unknown).
std::string versions_body(std::string_view scheme, std::string_view host);

/// The v2 microversion a request asks for in OpenStack-API-Version (sahara-api.md §8):
/// absent or "latest" is 2.0; another well-formed version is 406 NOT_ACCEPTABLE, a malformed
/// one 400 BAD_REQUEST, both with max_version/min_version and, as Sahara renders them, no Error ID. `echo` is what the answer's
/// OpenStack-API-Version header carries.
struct v2_version {
    std::string echo = "2.0";
    std::optional<response> error;
};
v2_version negotiate_v2(std::string_view header);

}  // namespace sgw::sahara
