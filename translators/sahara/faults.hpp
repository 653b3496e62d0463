// The one mapping from the gateway's own faults (translators/common/fault.hpp) to the Sahara
// errors a client gets.
#pragma once

#include "translators/common/fault.hpp"
#include "translators/sahara/model.hpp"

#include <string>
#include <string_view>
#include <system_error>

namespace sgw::sahara {

/// The Sahara error answer for `ec` (a fault; any other code is a 500). `log_detail` goes to
/// the log only.
response fault_response(std::error_code ec, std::string_view request_id, std::string log_detail = {});

/// 405 METHOD_NOT_ALLOWED for a write to a resource served read-only, naming what the client
/// tried ("cluster delete").
response read_only_response(std::string_view attempt, std::string_view request_id);

}  // namespace sgw::sahara
