// The Sahara side of a translation: what the client asked for and what it gets back.
#pragma once

#include "translators/sahara/job_template.hpp"

#include <chrono>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sgw::sahara {

enum class api_version { v1_1, v2 };

/// The operations the gateway serves: the job-execution API (sahara-api.md §2, §3), then the
/// read-only resources around a job (sahara-clusters-and-templates.md §1.2).
enum class operation {
    list,            ///< GET  /v1.1/{p}/job-executions, GET /v2/jobs
    show,            ///< GET  /v1.1/{p}/job-executions/{id}, GET /v2/jobs/{id}
    refresh_status,  ///< GET  /v1.1/{p}/job-executions/{id}/refresh-status, GET /v2/jobs/{id}?refresh_status=True
    cancel,          ///< GET  /v1.1/{p}/job-executions/{id}/cancel
    update,          ///< PATCH /v1.1/{p}/job-executions/{id}, PATCH /v2/jobs/{id}
    remove,          ///< DELETE /v1.1/{p}/job-executions/{id}, DELETE /v2/jobs/{id}
    execute,         ///< POST /v1.1/{p}/jobs/{id}/execute, POST /v2/jobs
    cluster_list,    ///< GET /v1.1/{p}/clusters, GET /v2/clusters
    cluster_show,    ///< GET /v1.1/{p}/clusters/{id}, GET /v2/clusters/{id}
    template_list,   ///< GET /v1.1/{p}/jobs, GET /v2/job-templates
    template_show,   ///< GET /v1.1/{p}/jobs/{id}, GET /v2/job-templates/{id}
    data_source_list,  ///< GET /v1.1/{p}/data-sources, GET /v2/data-sources
    data_source_show,  ///< GET /v1.1/{p}/data-sources/{id}, GET /v2/data-sources/{id}
};
inline constexpr std::size_t operation_count = 13;

/// Whether the operation is about job executions, the only ones the job memory serves.
constexpr bool about_jobs(operation op) noexcept { return op <= operation::execute; }

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
    /// The job templates the configuration defines, served when MRS's job-object API is not
    /// there (job_template.hpp).
    std::span<const job_template> fallback_templates{};
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
