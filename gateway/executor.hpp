// Runs a translator's step function against the upstream pool.
#pragma once

#include "gateway/upstream/pool.hpp"
#include "translators/common/step.hpp"

#include <boost/asio/awaitable.hpp>

#include <string_view>

namespace sgw {

/// Most upstream rounds one Sahara request may take; a translator that asks for more is a bug.
/// The longest legitimate one is a list walking 50 MRS pages, then job-exes pages and reads.
inline constexpr int max_steps = 64;

/// Calls `step` until it answers, performing the calls it asks for (all calls of one
/// step at once), each with the client's token, all within `deadline`.
boost::asio::awaitable<sahara::response> execute(translators::step_fn step, const sahara::request& req,
                                                 std::string_view token, upstream::pool& pool,
                                                 upstream::clock::time_point deadline);

/// The HTTP request for one upstream call (target still relative to the base URL).
upstream::request make_upstream_request(const translators::upstream_call& call, std::string_view token);

}  // namespace sgw
