// MRS simulator: helpers shared by the parts of the model (ids, query parameters, the MRS
// error answers and the control API's answers). Internal to the simulator.
#pragma once

#include "sim_state.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mrs_sim::detail {

// Ids.
bool is_hex(std::string_view s);                // lower-case hex digits only
bool is_uuid(std::string_view s);               // a lower-case UUID with its dashes
std::string uuid_form(std::string_view hex32);  // "6b2a9f0c1d3e..." -> "6b2a9f0c-1d3e-..."
// "a3000000-00" -> "a300000000": the hex digits of a text that can start a lower-case UUID.
std::optional<std::string> uuid_start_digits(std::string_view prefix);
// Fibonacci hashing of a counter: the first group of the default bulk ids.
std::uint32_t bulk_scramble(std::uint64_t n);

// Query parameters.
const std::string* param(const query_params& q, std::string_view key);  // the first occurrence
std::optional<std::int64_t> parse_int(std::string_view s);
// Reads an optional integer query parameter within [lo, hi]; false on a bad value.
bool int_param(const query_params& q, std::string_view key, std::int64_t lo, std::int64_t hi,
               std::optional<std::int64_t>& out);

// MRS answers.
reply json_reply(unsigned status, const json::value& v);
reply mrs_error(unsigned status, std::string_view code, std::string_view msg);  // §5.1(1)
reply job_not_found(std::string_view code = "0176");                            // §5.2, §5.3
reply invalid_parameter(std::string_view what);                                 // 12000002
reply cluster_not_found();                                                      // §5.1(2)
reply cluster_busy(const cluster& c);  // 12000062: no jobs on a cluster in that state (§5.3)
reply apigw_401(std::string_view detail, std::string_view request_id);  // §5.1(3)
// §5.4: 429 APIGW.0308; a Retry-After header when retry_after_s > 0.
reply apigw_throttled(std::string_view request_id, std::int64_t retry_after_s);

// Control API answers and checks.
reply bad_control(std::string_view msg);
// A JSON integer within [lo, hi]; 5.0 and "5" are not integers here.
std::optional<std::int64_t> whole(const json::value& v, std::int64_t lo, std::int64_t hi);

}  // namespace mrs_sim::detail
