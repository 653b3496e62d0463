// Reading optional fields of JSON objects that MRS and Sahara both send.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string_view>

namespace sgw::translators {

/// The value under `key`, or nullptr when it is absent or null (both mean "not given").
inline const boost::json::value* non_null(const boost::json::object& o, std::string_view key) {
    auto* v = o.if_contains(key);
    return (v && !v->is_null()) ? v : nullptr;
}

}  // namespace sgw::translators
