// Maps a method and a request target onto a Sahara operation. Pure: no I/O.
#pragma once

#include "translators/sahara/model.hpp"

#include <boost/beast/http/verb.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace sgw {

struct route_match {
    sahara::operation op;
    sahara::api_version version;
    std::string project_id;  ///< empty when the path has none: the token's project applies
    std::string id;
    std::vector<std::pair<std::string, std::string>> query;  ///< decoded, in order
};

/// `GET /` (any method, sahara-api.md §9): the versions document.
struct route_versions {};

/// 404 (no such path), 405 (path known, method not), or 400 (target unparsable).
struct route_error {
    unsigned status;
    std::string message;
};

using route_result = std::variant<route_match, route_versions, route_error>;

/// Routes like Sahara's Flask app: exact segments, no trailing slash, an optional ".json"
/// suffix on the last segment, each v1.1 and v2 path with and without the project segment
/// (sahara-api.md §1). Path parameters must be 1–64 characters
/// of [A-Za-z0-9_-], so nothing a client sends can reshape the MRS path.
route_result route(boost::beast::http::verb method, std::string_view target);

}  // namespace sgw
