// The Sahara side of a translation: what the client asked for and what it gets back.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sgw::sahara {

enum class api_version { v1_1, v2 };

/// The job-execution operations the gateway serves (sahara-api.md §2, §3).
enum class operation {
    list,            ///< GET  /v1.1/{p}/job-executions, GET /v2/jobs
    show,            ///< GET  /v1.1/{p}/job-executions/{id}, GET /v2/jobs/{id}
    refresh_status,  ///< GET  /v1.1/{p}/job-executions/{id}/refresh-status, GET /v2/jobs/{id}?refresh_status=True
    cancel,          ///< GET  /v1.1/{p}/job-executions/{id}/cancel
    update,          ///< PATCH /v1.1/{p}/job-executions/{id}, PATCH /v2/jobs/{id}
    remove,          ///< DELETE /v1.1/{p}/job-executions/{id}, DELETE /v2/jobs/{id}
    execute,         ///< POST /v1.1/{p}/jobs/{id}/execute, POST /v2/jobs
};
inline constexpr std::size_t operation_count = 7;

std::string_view to_string(operation op) noexcept;
/// "v1.1" or "v2", as the URL spells it.
std::string_view to_string(api_version v) noexcept;

/// A routed and authenticated Sahara call. Built by the gateway, read by translators.
struct request {
    operation op = operation::cancel;
    api_version version = api_version::v1_1;
    std::string project_id;
    std::string id;          ///< job execution id (job template id for v1.1 execute); a safe path segment
    std::string request_id;  ///< "req-<uuid>", also used as the "Error ID" of error bodies
    std::vector<std::pair<std::string, std::string>> query;  ///< decoded query parameters, in order
    std::string body;          ///< request body (POST, PATCH)
    std::string content_type;  ///< the request's Content-Type, as sent
    /// What the gateway remembers that MRS does not show (filled from its job memory, see
    /// sahara/memory.hpp): jobs of this project whose cancel it passed to MRS lately (MRS
    /// kills asynchronously; until it reports the end, Sahara shows such a job TOBEKILLED,
    /// sahara-api.md §5), and whether it deleted the job `id` lately.
    std::vector<std::string> being_killed;
    bool deleted_lately = false;
    /// The cluster the gateway last saw job `id` on, or empty (filled only for backends whose
    /// job ids do not name their cluster: registry `uses_job_clusters`).
    std::string job_cluster;
    /// Whether the gateway looked for job `id` on every cluster of the project lately and
    /// found it on none (the negative cache of the same backends).
    bool unknown_lately = false;
    /// How long a cancel may wait for MRS to report that the job ended before it answers
    /// TOBEKILLED (upstream.cancel_wait_ms); 0 answers at once. Backends that can poll use it.
    std::chrono::milliseconds cancel_wait{0};
};


/// The answer to send: a status and a serialized JSON body ("" for 204).
struct response {
    unsigned status = 200;
    std::string body;
    /// Why this answer is an error, for the log only (never sent to the client).
    std::string log_detail;
    /// Seconds for a Retry-After header (503 answers); 0: none.
    unsigned retry_after = 0;
};

}  // namespace sgw::sahara
