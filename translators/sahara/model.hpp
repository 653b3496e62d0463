// The Sahara side of a translation: what the client asked for and what it gets back.
#pragma once

#include <string>
#include <string_view>

namespace sgw::sahara {

enum class api_version { v1_1, v2 };

/// The job-execution operations the gateway serves.
enum class operation {
    cancel,  ///< GET /v1.1/{project}/job-executions/{id}/cancel
};

std::string_view to_string(operation op) noexcept;

/// A routed and authenticated Sahara call. Built by the gateway, read by translators.
struct request {
    operation op = operation::cancel;
    api_version version = api_version::v1_1;
    std::string project_id;
    std::string id;          ///< job execution id, already checked to be a safe path segment
    std::string request_id;  ///< "req-<uuid>", also used as the "Error ID" of error bodies
};

/// The answer to send: a status and a serialized JSON body ("" for 204).
struct response {
    unsigned status = 200;
    std::string body;
    /// Why this answer is an error, for the log only (never sent to the client).
    std::string log_detail;
};

}  // namespace sgw::sahara
