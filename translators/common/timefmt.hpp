// Timestamp conversion from MRS's formats to Sahara's (mrs-api.md §4, sahara-api.md §6.4).
#pragma once

#include <boost/json/value.hpp>

namespace sgw::timefmt {

/// Converts an MRS time to Sahara's "YYYY-MM-DDTHH:MM:SS" (UTC, no zone):
/// 13-digit epoch milliseconds, 10-digit epoch seconds, or an ISO-8601 string (fraction
/// and zone suffix cut). null, 0 and anything unreadable become null.
boost::json::value to_sahara(const boost::json::value& mrs_time);

}  // namespace sgw::timefmt
