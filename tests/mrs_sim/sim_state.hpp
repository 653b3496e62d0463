// MRS simulator: the in-memory model (projects, tokens, clusters, job objects, job
// executions), request handling and JSON rendering. No sockets and no clock: every
// call that depends on time takes "now" in epoch milliseconds.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mrs_sim {

namespace json = boost::json;

// The job life cycle of the v1.1 job-exes API (mrs-api.md §3.1).
enum class job_status { starting, running, succeeded, failed, killed, abnormal, error };

struct state_codes {
    int job_state;
    int job_final_status;
};

state_codes codes_of(job_status s);
std::string_view status_name(job_status s);
std::optional<job_status> parse_status(std::string_view name);
bool is_finished(job_status s);

struct sim_options {
    std::int64_t kill_delay_ms = 2000;
    std::int64_t start_delay_ms = 500;
    std::int64_t run_ms = 0;  // 0: a job started by execute runs until cancelled
    bool refuse_cancel_finished = false;
    std::int64_t token_ttl_s = 86400;
};

struct project {
    std::string id;  // 32 hex
    std::string name;
    std::vector<std::string> tokens;
};

struct cluster {
    std::string id, project, name, state;
};

// A Sahara "job template", the thing POST .../jobs/{job_id}/execute runs.
struct job_object {
    std::string id, project, name;
    int type = 1;
};

struct job_execution {
    std::string id, project, cluster_id, job_name;
    int job_type = 1;
    std::string job_id;                            // template id, "" for seeded jobs
    json::value input_id, output_id, job_configs;  // string / object, or null
    std::int64_t created_ms = 0, updated_ms = 0, start_ms = 0;
    std::optional<std::int64_t> end_ms;
    job_status status = job_status::running;
    bool is_protected = false;
    bool is_public = false;
    std::optional<std::int64_t> kill_at_ms;     // an accepted cancel lands then
    std::optional<std::int64_t> running_at_ms;  // starting -> running (execute only)
    std::optional<std::int64_t> succeed_at_ms;  // running -> succeeded (--run-ms)
};

// Applies every transition due by now_ms, in time order.
void advance(job_execution& j, std::int64_t now_ms);

std::string iso_seconds(std::int64_t ms);  // "2017-05-25T07:28:12" (UTC)
std::string iso_micros(std::int64_t ms);   // "2019-02-13T06:52:13.855000Z"
std::string user_id_of(std::string_view project_id);

// The Sahara-style object of the v1.1 job-executions paths (mrs-api.md §2C).
json::object sahara_view(const job_execution& j);
// The JobExeResult of the v1.1 job-exes paths (mrs-api.md §2G).
json::object exe_view(const job_execution& j);

enum class endpoint { cancel, show, del, list, execute, exe_show, exe_list, identity };
inline constexpr std::size_t endpoint_count = 8;
std::string_view endpoint_name(endpoint e);

using query_params = std::vector<std::pair<std::string, std::string>>;

struct route {
    enum class kind { matched, bad_method, unknown };
    kind result = kind::unknown;
    endpoint ep = endpoint::show;
    bool identity = false;  // under /v3: Keystone-shaped errors
    std::string project, id;
    query_params query;  // decoded
};

// Maps a method and an origin-form target onto an endpoint.
route match_route(std::string_view method, std::string_view target);

struct api_request {
    std::string_view method;
    std::string_view target;
    std::optional<std::string_view> auth_token;     // X-Auth-Token
    std::optional<std::string_view> subject_token;  // X-Subject-Token
    std::string_view body;
    std::string_view request_id;  // also sent as X-Request-Id by the server
};

struct reply {
    unsigned status = 200;
    std::string body;  // empty for 204
    std::vector<std::pair<std::string, std::string>> headers;
};

// The fixed ids of --seed-demo.
namespace demo {
inline constexpr std::string_view project = "6b2a9f0c1d3e4f5a8b7c6d5e4f3a2b1c";
inline constexpr std::string_view token = "demo-token";
inline constexpr std::string_view other_project = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
inline constexpr std::string_view other_token = "other-token";

inline constexpr std::string_view cluster_1 = "c1000000-0000-4000-8000-000000000001";
inline constexpr std::string_view cluster_2 = "c1000000-0000-4000-8000-000000000002";
inline constexpr std::string_view other_cluster = "c2000000-0000-4000-8000-000000000001";

inline constexpr std::string_view job_object_wordcount = "b1000000-0000-4000-8000-000000000001";
inline constexpr std::string_view job_object_spark_pi = "b1000000-0000-4000-8000-000000000002";

inline constexpr std::string_view running_1 = "a1000000-0000-4000-8000-000000000001";
inline constexpr std::string_view running_2 = "a1000000-0000-4000-8000-000000000002";
inline constexpr std::string_view starting = "a1000000-0000-4000-8000-000000000003";
inline constexpr std::string_view succeeded = "a1000000-0000-4000-8000-000000000004";
inline constexpr std::string_view failed = "a1000000-0000-4000-8000-000000000005";
inline constexpr std::string_view killed = "a1000000-0000-4000-8000-000000000006";
inline constexpr std::string_view protected_running = "a1000000-0000-4000-8000-000000000007";
inline constexpr std::string_view other_running = "a2000000-0000-4000-8000-000000000001";
}  // namespace demo

class sim_state {
public:
    sim_state(sim_options opts, std::int64_t start_ms, std::uint64_t seed = std::random_device{}());
    // The indexes point into jobs_: a copy would point into the original. A move keeps the
    // map's nodes, so the pointers stay good.
    sim_state(const sim_state&) = delete;
    sim_state& operator=(const sim_state&) = delete;
    sim_state(sim_state&&) = default;
    sim_state& operator=(sim_state&&) = default;

    // Setup, before serving. add_token and seed_demo return "" or an error text.
    std::string add_token(std::string_view token, std::string_view project_id);
    std::string seed_demo();
    void finish_setup();  // a cluster and a job object for every project that has none

    reply handle(const api_request& req, const route& r, std::int64_t now_ms);

    // Control API (/_sim/...). add_job makes one job, or many when the body has "count".
    json::object render_state(std::int64_t now_ms);
    reply add_job(std::string_view body, std::int64_t now_ms);

    const job_execution* find_job(std::string_view id) const;  // as stored, not advanced
    const sim_options& options() const { return opts_; }

private:
    struct token_info {
        std::string project;
        std::int64_t expires_ms;
    };

    // Orders jobs by id, and finds them by id.
    struct id_order {
        using is_transparent = void;
        static std::string_view key(const job_execution* j) { return j->id; }
        static std::string_view key(std::string_view id) { return id; }
        template <class A, class B>
        bool operator()(const A& a, const B& b) const {
            return key(a) < key(b);
        }
    };
    using id_index = std::set<const job_execution*, id_order>;
    using cluster_key = std::pair<std::string, std::string>;  // project, cluster id

    project& ensure_project(std::string_view id);
    const project* find_project(std::string_view id) const;
    const cluster* find_cluster(std::string_view project_id, std::string_view id) const;
    job_execution* visible_job(std::string_view project_id, std::string_view id, std::int64_t now_ms);
    void advance_job(job_execution& j, std::int64_t now_ms);  // advance, and note a change
    const id_index& project_index(std::string_view project_id) const;
    std::string new_uuid();

    // jobs_ and its indexes change together: here, and in add_jobs (many jobs at once).
    job_execution& insert_job(job_execution j);
    void erase_job(job_execution& j);
    void settle(std::int64_t now_ms);  // advances every job that has a transition pending

    reply add_jobs(const json::object& in, std::int64_t now_ms);  // the bulk form of add_job

    reply identity(const api_request& req, const route& r, std::int64_t now_ms) const;
    reply list(const route& r, std::int64_t now_ms);
    reply cancel(const route& r, std::int64_t now_ms);
    reply remove(const route& r, std::int64_t now_ms);
    reply execute(const route& r, std::string_view body, std::int64_t now_ms);
    reply exe_list(const route& r, std::int64_t now_ms);

    sim_options opts_;
    std::int64_t start_ms_;
    std::vector<project> projects_;
    std::map<std::string, token_info, std::less<>> tokens_;
    std::vector<cluster> clusters_;
    std::vector<job_object> job_objects_;
    std::map<std::string, job_execution, std::less<>> jobs_;  // by id: the default list order
    std::map<std::string, id_index, std::less<>> by_project_;
    std::map<cluster_key, std::vector<const job_execution*>> by_cluster_;  // job-exes order, reversed
    std::set<job_execution*> moving_;  // jobs with a transition pending; the others hold their state
    std::uint64_t generation_ = 0;     // moves whenever a job is added or removed or changes state

    // The last list order on a field other than id, kept while no job changes.
    struct sorted_rows {
        std::string project, field;
        bool desc = false;
        std::uint64_t generation = 0;
        std::vector<const job_execution*> rows;
    };
    std::optional<sorted_rows> sorted_;
    std::uint64_t bulk_serial_ = 0;  // the last counter value of the default bulk ids
    std::mt19937_64 rng_;
};

}  // namespace mrs_sim
