// Sahara's URL map: a method and a request target onto a Sahara operation. Pure: no I/O.
#pragma once

#include "translators/common/fault.hpp"
#include "translators/sahara/model.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace sgw::sahara {

struct route_match {
    operation op;
    api_version version;
    std::string project_id;  ///< empty when the path has none: the token's project applies
    std::string id;
    std::vector<std::pair<std::string, std::string>> query;  ///< decoded, in order
};

/// `GET /` (any method, sahara-api.md §9): the versions document.
struct route_versions {};

/// fault::no_route, fault::method_not_allowed or fault::bad_target; mapped to Sahara's
/// answer by fault_response (sahara/faults.hpp).
struct route_error {
    fault why;
    /// fault::read_only: what the client tried, e.g. "cluster delete" (for the message).
    std::string_view attempt{};
};

using route_result = std::variant<route_match, route_versions, route_error>;

/// Routes like Sahara's Flask app: exact segments, no trailing slash, an optional ".json"
/// suffix on the last segment, each v1.1 and v2 path with and without the project segment
/// (sahara-api.md §1). Path parameters must be 1–64 characters
/// of [A-Za-z0-9_-], so nothing a client sends can reshape the MRS path. v2 show with
/// `refresh_status` in the query is refresh-status (sahara-api.md §3). `method` is the
/// request method as sent ("GET", ...).
route_result route(std::string_view method, std::string_view target);


}  // namespace sgw::sahara
