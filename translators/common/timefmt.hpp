// Timestamp conversion from MRS's formats to Sahara's (mrs-api.md §4, sahara-api.md §6.4).
#pragma once

#include <boost/json/value.hpp>

#include <optional>
#include <string_view>

namespace sgw::timefmt {

/// Converts an MRS time to Sahara's "YYYY-MM-DDTHH:MM:SS" (UTC, no zone):
/// 13-digit epoch milliseconds, 10-digit epoch seconds, or an ISO-8601 string (fraction
/// and zone suffix cut). null, 0, anything unreadable and times outside the years 1-9999
/// become null.
boost::json::value to_sahara(const boost::json::value& mrs_time, boost::json::storage_ptr sp = {});

/// Seconds since the epoch of an ISO-8601 time ("YYYY-MM-DDTHH:MM:SS[.fff][Z|±hh:mm]",
/// no zone meaning UTC), or nullopt.
std::optional<long long> epoch_seconds(std::string_view iso);

}  // namespace sgw::timefmt
