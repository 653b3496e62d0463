// MRS simulator: the in-memory model (projects, tokens, clusters, job objects, data sources,
// job executions), request handling and JSON rendering. No sockets and no clock: every
// call that depends on time takes "now" in epoch milliseconds.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <array>
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

// Whether the job-object API (GET /v1.1/{p}/jobs[/{id}], POST .../jobs/{id}/execute) is served
// (sahara-clusters-and-templates.md §4.4: a deployment may not have it). gone: every
// /v1.1/{p}/jobs path answers as a path that is not an endpoint; reads_gone: the list and the
// detail do, execute still runs.
enum class job_object_api { available, gone, reads_gone };
std::string_view job_object_api_name(job_object_api a);
std::optional<job_object_api> parse_job_object_api(std::string_view name);

// The answer to an unknown job object or data source id, which no MRS document gives
// (sahara-clusters-and-templates.md §4.2): mrs, an MRS error body (400); sahara, Sahara's 404
// NOT_FOUND body (sahara-api.md §7.1).
enum class not_found_style { mrs, sahara };
std::string_view not_found_style_name(not_found_style s);
std::optional<not_found_style> parse_not_found_style(std::string_view name);

struct sim_options {
    std::int64_t kill_delay_ms = 2000;
    std::int64_t start_delay_ms = 500;
    std::int64_t run_ms = 0;  // 0: a job started by execute or a v2 submit runs until cancelled
    bool refuse_cancel_finished = false;
    bool refuse_kill_finished = false;  // v2 kill of a finished job: 400 0175 instead of 202
    std::int64_t token_ttl_s = 86400;
    std::int64_t clock_offset_ms = 0;  // added to now for the X-Sdk-Date skew check only
    job_object_api job_objects = job_object_api::available;
    not_found_style resource_not_found = not_found_style::mrs;
};

struct project {
    std::string id;  // 32 hex
    std::string name;
    std::vector<std::string> tokens;
};

// An MRS cluster as the cluster_infos paths show it (mrs-api.md §10.5). state is a
// clusterState value (§3.6); version a clusterVersion such as "MRS 3.1.2-LTS.3".
struct cluster {
    std::string id, project, name, state;
    std::string version = "MRS 3.1.2-LTS.3";
    std::int64_t created_ms = 0, updated_ms = 0;
    int master_nodes = 2, core_nodes = 3;
    int safe_mode = 0;     // 0 normal, 1 Kerberos
    int cluster_type = 0;  // 0 analysis, 1 streaming, 2 mixed, 3 custom
    std::vector<std::string> components{"Hadoop", "Spark2x", "Hive", "Tez", "Flink"};
};

// mrs-api.md §1: the v2 job API needs MRS 1.9.2 or later; older clusters answer 0167.
bool supports_v2(const cluster& c);

inline constexpr std::array<std::string_view, 9> cluster_states{
    "starting", "running", "terminated", "failed", "abnormal", "terminating", "frozen", "scaling-out", "scaling-in"};

// A job binary, as a job object's mains and libs show it (sahara-clusters-and-templates.md §4.1).
struct job_binary {
    std::string id, name, url, description;
};

// A Sahara "job template": what POST .../jobs/{job_id}/execute runs and GET .../jobs[/{id}]
// shows (sahara-clusters-and-templates.md §4.1).
struct job_object {
    std::string id, project, name;
    int type = 1;  // the job_type number of §4.3 (1 MapReduce ... 7 SparkSql); the object shows its name
    std::string description{};
    std::vector<job_binary> mains{}, libs{};
    std::int64_t created_ms = 0, updated_ms = 0;
    bool bulk = true;  // bulk seeding (POST /_sim/jobs with count) takes it in turn
};

// sahara-clusters-and-templates.md §4.3: the job object `type` string of a job_type number, ""
// for a number outside 1..7.
std::string_view job_object_type(int type);
std::optional<int> parse_job_object_type(std::string_view name);

// A data source of GET /v1.1/{p}/data-sources[/{id}] (sahara-clusters-and-templates.md §4.1).
struct data_source {
    std::string id, project, name, type, url, description;
    std::int64_t created_ms = 0;
    std::optional<std::int64_t> updated_ms{};  // null until it is updated
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

// A job of the v2 job API (mrs-api.md §2 I–M). Its id lives in a space of its own, apart
// from the v1.1 job executions (§1), and is valid under its own cluster only.
struct v2_job {
    std::string id, project, cluster_id, job_name, job_type, user, queue;
    std::string arguments, properties;  // as the wire carries them, Java toString text (§2J)
    std::int64_t created_ms = 0, updated_ms = 0;
    std::int64_t start_ms = 0;  // when it runs, or is due to; started_time once it has
    std::optional<std::int64_t> end_ms;
    job_status status = job_status::running;
    std::optional<std::int64_t> kill_at_ms;     // an accepted kill lands then
    std::optional<std::int64_t> running_at_ms;  // starting -> running (submit only)
    std::optional<std::int64_t> succeed_at_ms;  // running -> succeeded (--run-ms)
    std::int64_t yarn_epoch_ms = 0;             // the cluster's YARN start: the middle of application ids
    std::uint64_t serial = 0;                   // application numbers 2n - 1 (launcher) and 2n (the job)
};

// v2 job_state and job_result (mrs-api.md §3.2) of a state of the model.
struct v2_codes {
    std::string_view job_state, job_result;
};
v2_codes v2_codes_of(job_status s);

namespace detail {
// The life cycle shared by v1.1 job executions and v2 jobs: applies every transition due by
// now_ms, in time order.
template <class Job>
void advance_life(Job& j, std::int64_t now_ms) {
    while (!is_finished(j.status)) {
        // The earliest transition due by now wins; a kill wins a tie.
        std::optional<std::int64_t> at;
        job_status next = j.status;
        auto consider = [&](const std::optional<std::int64_t>& t, job_status to) {
            if (t && *t <= now_ms && (!at || *t < *at)) {
                at = t;
                next = to;
            }
        };
        consider(j.kill_at_ms, job_status::killed);
        if (j.status == job_status::starting) {
            consider(j.running_at_ms, job_status::running);
        }
        consider(j.succeed_at_ms, job_status::succeeded);
        if (!at) {
            return;
        }
        j.status = next;
        j.updated_ms = *at;
        if (next == job_status::running) {
            j.running_at_ms.reset();
        } else {
            j.end_ms = *at;  // a killed job ends at its kill deadline
        }
    }
    j.kill_at_ms.reset();
}

// A job with a transition pending (see advance_life); every other job holds its state.
template <class Job>
bool moves(const Job& j) {
    return !is_finished(j.status) && (j.kill_at_ms || j.running_at_ms || j.succeed_at_ms);
}
}  // namespace detail

// Applies every transition due by now_ms, in time order.
void advance(job_execution& j, std::int64_t now_ms);
void advance(v2_job& j, std::int64_t now_ms);

std::string iso_seconds(std::int64_t ms);  // "2017-05-25T07:28:12" (UTC)
std::string iso_micros(std::int64_t ms);   // "2019-02-13T06:52:13.855000Z"
std::string user_id_of(std::string_view project_id);

// The Sahara-style object of the v1.1 job-executions paths (mrs-api.md §2C).
json::object sahara_view(const job_execution& j);
// The JobExeResult of the v1.1 job-exes paths (mrs-api.md §2G).
json::object exe_view(const job_execution& j);

// The v2 JobQueryBean of §2J and §2K; elapsed_time runs until now_ms while the job runs.
json::object v2_view(const v2_job& j, std::int64_t now_ms);
// A cluster of the cluster_infos paths (mrs-api.md §10.5).
json::object cluster_view(const cluster& c);
// A job object and a data source of the Sahara-compatible v1.1 paths
// (sahara-clusters-and-templates.md §4.1).
json::object job_object_view(const job_object& o);
json::object data_source_view(const data_source& d);

enum class endpoint {
    cancel,
    show,
    del,
    list,
    execute,
    exe_show,
    exe_list,
    identity,
    v2_submit,
    v2_list,
    v2_show,
    v2_kill,
    v2_delete,
    cluster_list,
    cluster_show,
    job_object_list,
    job_object_show,
    data_source_list,
    data_source_show
};
inline constexpr std::size_t endpoint_count = 19;
std::string_view endpoint_name(endpoint e);

using query_params = std::vector<std::pair<std::string, std::string>>;

struct route {
    enum class kind { matched, bad_method, unknown };
    kind result = kind::unknown;
    endpoint ep = endpoint::show;
    bool identity = false;  // under /v3: Keystone-shaped errors
    std::string project, id;
    std::string cluster;  // v2 paths: the cluster of /v2/{p}/clusters/{cluster}/...
    query_params query;   // decoded
};

// Maps a method and an origin-form target onto an endpoint.
route match_route(std::string_view method, std::string_view target);

using header_list = std::vector<std::pair<std::string_view, std::string_view>>;

// The Authorization scheme of AK/SK signatures (mrs-api.md §6.2).
inline constexpr std::string_view aksk_algorithm = "SDK-HMAC-SHA256";

// The value of the first header of that name (names compare case-insensitively).
std::optional<std::string_view> find_header(const header_list& headers, std::string_view name);

struct api_request {
    std::string_view method;
    std::string_view target;
    std::optional<std::string_view> auth_token;     // X-Auth-Token
    std::optional<std::string_view> subject_token;  // X-Subject-Token
    std::string_view body;
    std::string_view request_id;  // also sent as X-Request-Id by the server
    header_list headers{};        // every header as received: AK/SK signatures (§6.2) read them
};

// Whether a request came signed with AK/SK (§6.2), and whether the signature held.
enum class signature_outcome { none, accepted, rejected };

struct reply {
    unsigned status = 200;
    std::string body;  // empty for 204
    std::vector<std::pair<std::string, std::string>> headers;
    signature_outcome signature = signature_outcome::none;
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
// Job objects of the MRS-only types (sahara-clusters-and-templates.md §4.3) and a Hive one; bulk
// seeding leaves them out, so bulk jobs still take wordcount and spark-pi in turn.
inline constexpr std::string_view job_object_distcp = "b1000000-0000-4000-8000-000000000003";
inline constexpr std::string_view job_object_spark_script = "b1000000-0000-4000-8000-000000000004";
inline constexpr std::string_view job_object_hive = "b1000000-0000-4000-8000-000000000005";
inline constexpr std::string_view other_job_object = "b2000000-0000-4000-8000-000000000001";

// Data sources: an input and an output on HDFS and a log bucket on OBS, and one of the other project.
inline constexpr std::string_view data_source_input = "f1000000-0000-4000-8000-000000000001";
inline constexpr std::string_view data_source_output = "f1000000-0000-4000-8000-000000000002";
inline constexpr std::string_view data_source_obs = "f1000000-0000-4000-8000-000000000003";
inline constexpr std::string_view other_data_source = "f2000000-0000-4000-8000-000000000001";

inline constexpr std::string_view running_1 = "a1000000-0000-4000-8000-000000000001";
inline constexpr std::string_view running_2 = "a1000000-0000-4000-8000-000000000002";
inline constexpr std::string_view starting = "a1000000-0000-4000-8000-000000000003";
inline constexpr std::string_view succeeded = "a1000000-0000-4000-8000-000000000004";
inline constexpr std::string_view failed = "a1000000-0000-4000-8000-000000000005";
inline constexpr std::string_view killed = "a1000000-0000-4000-8000-000000000006";
inline constexpr std::string_view protected_running = "a1000000-0000-4000-8000-000000000007";
inline constexpr std::string_view other_running = "a2000000-0000-4000-8000-000000000001";

// Three more clusters of the demo project, with the ids and names bulk seeding gives the 3rd to
// 5th cluster of a project (so bulk calls spread over the same clusters as before they were
// seeded), and two of the other project: one too old for the v2 job API (MRS 1.8.10, §1: v2
// needs 1.9.2), one terminated.
inline constexpr std::string_view cluster_3 = "c36b2a9f-0c1d-3e4f-5a8b-7c6d00000003";
inline constexpr std::string_view cluster_4 = "c36b2a9f-0c1d-3e4f-5a8b-7c6d00000004";
inline constexpr std::string_view cluster_5 = "c36b2a9f-0c1d-3e4f-5a8b-7c6d00000005";
inline constexpr std::string_view other_legacy_cluster = "c2000000-0000-4000-8000-000000000002";
inline constexpr std::string_view other_terminated_cluster = "c2000000-0000-4000-8000-000000000003";

// v2 jobs (their own id space).
inline constexpr std::string_view v2_running = "d1000000-0000-4000-8000-000000000001";
inline constexpr std::string_view v2_accepted = "d1000000-0000-4000-8000-000000000002";
inline constexpr std::string_view v2_succeeded = "d1000000-0000-4000-8000-000000000003";
inline constexpr std::string_view v2_failed = "d1000000-0000-4000-8000-000000000004";
inline constexpr std::string_view v2_killed = "d1000000-0000-4000-8000-000000000005";
inline constexpr std::string_view v2_error = "d1000000-0000-4000-8000-000000000006";
inline constexpr std::string_view v2_running_c5 = "d1000000-0000-4000-8000-000000000007";
inline constexpr std::string_view v2_succeeded_c5 = "d1000000-0000-4000-8000-000000000008";
inline constexpr std::string_view v2_other_running = "d2000000-0000-4000-8000-000000000001";
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

    // Setup, before serving. add_token, add_access_key and seed_demo return "" or an error text.
    std::string add_token(std::string_view token, std::string_view project_id);
    // An AK/SK pair for a project (§6.2); with a security token, a temporary one.
    std::string add_access_key(std::string_view ak, std::string_view sk, std::string_view project_id,
                               std::string_view security_token = {});
    std::string seed_demo();
    void finish_setup();  // a cluster and a job object for every project that has none

    reply handle(const api_request& req, const route& r, std::int64_t now_ms);

    // Control API (/_sim/...). add_job makes one job, or many when the body has "count";
    // with "api": "v2", v2 jobs.
    json::object render_state(std::int64_t now_ms);
    reply add_job(std::string_view body, std::int64_t now_ms);
    reply add_cluster(std::string_view body, std::int64_t now_ms);  // POST /_sim/clusters
    reply add_key(std::string_view body);                           // POST /_sim/aksk
    reply set_clock(std::string_view body);                         // POST /_sim/clock
    json::object render_clock(std::int64_t now_ms) const;           // GET /_sim/clock
    reply add_data_source(std::string_view body, std::int64_t now_ms);  // POST /_sim/data-sources
    reply add_job_object(std::string_view body, std::int64_t now_ms);   // POST /_sim/job-objects
    reply set_switches(std::string_view body);                          // POST /_sim/switches
    json::object render_switches() const;                               // GET /_sim/switches

    const job_execution* find_job(std::string_view id) const;  // as stored, not advanced
    const v2_job* find_v2_job(std::string_view id) const;      // as stored, not advanced
    const sim_options& options() const { return opts_; }

    // AK/SK (§6.2): the project of a request signed with SDK-HMAC-SHA256, or the 401 answer.
    struct signature_check {
        std::optional<std::string> project;
        reply error;
    };
    signature_check check_signature(const api_request& req, std::int64_t now_ms) const;

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

    struct access_key {
        std::string sk, project, security_token;
    };

    project& ensure_project(std::string_view id);
    const project* find_project(std::string_view id) const;
    const cluster* find_cluster(std::string_view project_id, std::string_view id) const;
    // A cluster that takes job calls: a terminated one is gone for them (mrs-api.md §10.4).
    const cluster* job_cluster(std::string_view project_id, std::string_view id) const;
    // The cluster a control call that makes one job means (POST /_sim/jobs, v1.1 and v2): by
    // default the cluster's project, else the first project, and that project's first cluster.
    // nullptr with `problem` set when there is none.
    const cluster* control_cluster(const std::optional<std::string>& project, const std::optional<std::string>& cluster_id,
                                   std::string& problem) const;
    // The project's first k clusters; missing ones are made (bulk seeding, v1.1 and v2).
    std::vector<std::string> first_clusters(const std::string& project_id, std::size_t k, std::int64_t now_ms);
    job_execution* visible_job(std::string_view project_id, std::string_view id, std::int64_t now_ms);
    void advance_job(job_execution& j, std::int64_t now_ms);  // advance, and note a change
    const id_index& project_index(std::string_view project_id) const;
    std::string new_uuid();

    // jobs_ and its indexes change together: here, and in add_jobs (many jobs at once).
    job_execution& insert_job(job_execution j);
    void erase_job(job_execution& j);
    void settle(std::int64_t now_ms);  // advances every job that has a transition pending

    // The bulk form of add_job (v1.1 and v2): what its body asks for.
    struct bulk_spec {
        std::size_t count = 0;
        const project* p = nullptr;
        std::size_t clusters = 1;
        std::array<std::int64_t, 7> weights{};              // by job_status
        std::int64_t cycle = 0;                             // the sum of the weights
        std::optional<std::string> prefix;                  // the hex digits of id_prefix
        job_status state_of(std::size_t in_cluster) const;  // the state of a cluster's i-th job
    };
    std::optional<reply> parse_bulk(const json::object& in, bulk_spec& spec) const;
    reply add_jobs(const json::object& in, std::int64_t now_ms);  // the bulk form of add_job
    void seed_demo_v2();

    // v2 jobs (sim_v2.cpp): v2_jobs_ and its indexes change together, as for v1.1 jobs.
    v2_job& insert_v2_job(v2_job j);
    void erase_v2_job(v2_job& j);
    void settle_v2(std::int64_t now_ms);
    v2_job* visible_v2_job(const route& r, std::int64_t now_ms);
    reply add_v2_job(const json::object& in, std::int64_t now_ms);
    reply add_v2_jobs(const json::object& in, std::int64_t now_ms);
    reply v2_call(const route& r, std::string_view body, std::int64_t now_ms);
    reply v2_submit(const route& r, const cluster& c, std::string_view body, std::int64_t now_ms);
    reply v2_list(const route& r, std::int64_t now_ms);
    reply v2_kill(const route& r, std::int64_t now_ms);
    reply v2_delete(const route& r, std::string_view body, std::int64_t now_ms);
    json::array render_v2_jobs(std::int64_t now_ms);

    // cluster_infos (sim_clusters.cpp).
    reply cluster_list(const route& r) const;
    reply cluster_show(const route& r) const;

    // Job objects and data sources (sim_resources.cpp).
    void seed_demo_resources();
    const job_object* find_job_object(std::string_view project_id, std::string_view id) const;
    reply resource_not_found(std::string_view id, bool job_object);  // the unknown-id answer in force
    reply job_object_list(const route& r);
    reply job_object_show(const route& r);
    reply data_source_list(const route& r);
    reply data_source_show(const route& r);

    reply serve(const api_request& req, const route& r, std::int64_t now_ms);  // once authenticated
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
    std::map<std::string, access_key, std::less<>> access_keys_;  // by AK
    std::vector<cluster> clusters_;
    std::vector<job_object> job_objects_;
    std::vector<data_source> data_sources_;
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

    // v2 jobs: by id, and per cluster in submission order (oldest first, ties by id).
    std::map<std::string, v2_job, std::less<>> v2_jobs_;
    std::map<cluster_key, std::vector<const v2_job*>> v2_by_cluster_;
    std::set<v2_job*> v2_moving_;
    std::uint64_t v2_serial_ = 0;       // application numbers handed out
    std::uint64_t v2_bulk_serial_ = 0;  // the last counter value of the default v2 bulk ids
    std::mt19937_64 rng_;
};

}  // namespace mrs_sim
