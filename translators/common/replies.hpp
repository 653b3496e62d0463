// Turning upstream replies into data or into the Sahara error they mean. Shared by backends.
#pragma once

#include "translators/common/mrs_errors.hpp"
#include "translators/common/step.hpp"
#include "translators/sahara/errors.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string_view>

namespace sgw::translators {

/// True when the exchange completed with one of the given success statuses.
bool succeeded(const upstream_reply& r, std::initializer_list<unsigned> ok_statuses);

/// The reply's parsed body when it is a JSON object, else nullptr.
const boost::json::object* body_object(const upstream_reply& r);

/// The object under `key` in the reply's parsed body ({"job_execution": {...}}); nullptr if
/// the body is not a JSON object or has no such object.
const boost::json::object* envelope(const upstream_reply& r, std::string_view key);

/// Reads an integer that MRS may send as a number or as decimal text.
std::optional<long long> integer_field(const boost::json::object& o, std::string_view key);
/// The same for a value at hand.
std::optional<long long> integer_value(const boost::json::value& v);

/// The Sahara answer to a failed exchange: 502/504 for transport failures, and for MRS
/// errors the mapped Sahara error; a business refusal becomes 400 `refused_name`.
sahara::response failure(const sahara::request& req, const upstream_reply& r,
                         std::string_view refused_name);

/// 502 for an answer that arrived but cannot be used.
sahara::response unusable_answer(const sahara::request& req, std::string_view what);

}  // namespace sgw::translators
