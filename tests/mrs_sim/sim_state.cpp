// MRS simulator: job life cycle, request handling and JSON rendering (pure, no I/O).
#include "sim_state.hpp"
#include "sim_util.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <compare>
#include <cstdio>
#include <ctime>
#include <iterator>
#include <numeric>

namespace mrs_sim {

using namespace detail;

// ---------------------------------------------------------------------------------------
// States and times

namespace {

constexpr std::array<std::pair<job_status, std::string_view>, 7> status_names{{
    {job_status::starting, "starting"},
    {job_status::running, "running"},
    {job_status::succeeded, "succeeded"},
    {job_status::failed, "failed"},
    {job_status::killed, "killed"},
    {job_status::abnormal, "abnormal"},
    {job_status::error, "error"},
}};

std::tm utc(std::int64_t ms) {
    const auto secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    return tm;
}

}  // namespace

state_codes codes_of(job_status s) {
    // mrs-api.md §3.1: job_state -1 Terminated, 1 Starting, 2 Running, 3 Completed,
    // 4 Abnormal, 5 Error; job_final_status 0 not finished, 1 error, 2 success, 3 cancelled.
    switch (s) {
    case job_status::starting: return {1, 0};
    case job_status::running: return {2, 0};
    case job_status::succeeded: return {3, 2};
    case job_status::failed: return {3, 1};  // §3.1: "Completed does not mean success"
    case job_status::killed: return {-1, 3};
    case job_status::abnormal: return {4, 1};
    case job_status::error: return {5, 1};
    }
    return {2, 0};
}

std::string_view status_name(job_status s) {
    for (const auto& [status, name] : status_names) {
        if (status == s) {
            return name;
        }
    }
    return "running";
}

std::optional<job_status> parse_status(std::string_view name) {
    for (const auto& [status, text] : status_names) {
        if (text == name) {
            return status;
        }
    }
    return std::nullopt;
}

bool is_finished(job_status s) {
    return codes_of(s).job_final_status != 0;
}

void advance(job_execution& j, std::int64_t now_ms) {
    advance_life(j, now_ms);
}

std::string iso_seconds(std::int64_t ms) {
    const std::tm tm = utc(ms);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

std::string iso_micros(std::int64_t ms) {
    // mrs-api.md §4: IAM token expires_at is ISO with microseconds and Z.
    char frac[16];
    std::snprintf(frac, sizeof frac, ".%03d000Z", static_cast<int>(((ms % 1000) + 1000) % 1000));
    return iso_seconds(ms) + frac;
}

// sim choice: a project's (only) user id is its project id with every hex digit d made 15 - d.
std::string user_id_of(std::string_view project_id) {
    constexpr std::string_view digits = "0123456789abcdef";
    std::string id(project_id);
    for (char& c : id) {
        if (const auto pos = digits.find(c); pos != std::string_view::npos) {
            c = digits[15 - pos];
        }
    }
    return id;
}

// ---------------------------------------------------------------------------------------
// Rendering

json::object sahara_view(const job_execution& j) {
    // mrs-api.md §2C / the seed page's example: exactly these keys, in this order.
    json::object o;
    o["created_at"] = iso_seconds(j.created_ms);  // §4: "YYYY-MM-DDTHH:MM:SS", no zone
    o["updated_at"] = iso_seconds(j.updated_ms);
    o["id"] = j.id;
    o["tenant_id"] = j.project;  // §2C: tenant_id is the project id
    o["job_id"] = j.job_id;      // §8(4): "" in MRS examples; template id after execute
    o["start_time"] = iso_seconds(j.start_ms);
    o["end_time"] = j.end_ms ? json::value(iso_seconds(*j.end_ms)) : json::value(nullptr);
    o["cluster_id"] = j.cluster_id;
    o["oozie_job_id"] = nullptr;
    o["return_code"] = nullptr;
    o["input_id"] = j.input_id;
    o["output_id"] = j.output_id;
    o["is_protected"] = j.is_protected;
    o["is_public"] = j.is_public;
    o["engine_job_id"] = nullptr;
    o["job_configs"] = j.job_configs;
    o["data_source_urls"] = nullptr;
    o["info"] = nullptr;  // §8(3): MRS returns info null, so the state is not in this object
    return o;
}

json::object exe_view(const job_execution& j) {
    // mrs-api.md §2G JobExeResult, keys in the table's order; times are 13-digit epoch ms (§4).
    const auto [state, final_status] = codes_of(j.status);
    const bool script = j.job_type == 3 || j.job_type == 6;  // Hive Script, Spark Script
    std::string arguments;
    if (const auto* cfg = j.job_configs.if_object()) {
        if (const auto* args = cfg->if_contains("args"); args && args->is_array()) {
            for (const auto& a : args->get_array()) {
                if (a.is_string()) {
                    arguments += (arguments.empty() ? "" : " ") + std::string(a.get_string());
                }
            }
        }
    }
    const std::string user = user_id_of(j.project);

    json::object o;
    o["id"] = j.id;
    o["create_at"] = j.created_ms;  // §2G: create_at, not created_at
    o["update_at"] = j.updated_ms;
    o["tenant_id"] = j.project;
    o["job_id"] = j.id;  // §2G: the detail example repeats the execution id here
    o["job_name"] = j.job_name;
    o["start_time"] = j.start_ms;
    o["end_time"] = j.end_ms ? json::value(*j.end_ms) : json::value(nullptr);  // null while running
    o["cluster_id"] = j.cluster_id;
    o["group_id"] = j.id;  // sim choice: one group per execution
    o["jar_path"] = script ? ""
                           : (j.job_type == 2 ? "s3a://mrs-sim/program/spark-examples.jar"
                                              : "s3a://mrs-sim/program/hadoop-mapreduce-examples.jar");
    o["input"] = "s3a://mrs-sim/input/";
    o["output"] = "s3a://mrs-sim/output/";
    o["job_log"] = "s3a://mrs-sim/log/";
    o["job_type"] = j.job_type;
    o["file_action"] = j.job_type == 5 ? "import" : "";  // DistCp only (§2F)
    o["arguments"] = arguments;                          // a String, not an array (§2G)
    o["hql"] = "";
    o["job_state"] = state;
    o["job_final_status"] = final_status;
    o["hive_script_path"] = script ? "s3a://mrs-sim/program/script.sql" : "";
    o["create_by"] = user;
    o["update_by"] = user;
    o["finished_step"] = is_finished(j.status) ? 1 : 0;
    o["step_num"] = 1;
    o["task_num"] = 0;
    o["step_seq"] = 222;
    o["job_main_id"] = "";
    o["job_step_id"] = "";
    o["step_name"] = "";
    o["postpone_at"] = j.created_ms;
    o["spend_time"] = nullptr;         // §2G: null in the examples
    o["progress"] = "first progress";  // §2G example value
    return o;
}

// ---------------------------------------------------------------------------------------
// Routing

std::string_view endpoint_name(endpoint e) {
    constexpr std::array<std::string_view, endpoint_count> names{
        "cancel",    "show",    "delete",  "list",    "execute",   "exe_show",     "exe_list",    "identity",
        "v2_submit", "v2_list", "v2_show", "v2_kill", "v2_delete", "cluster_list", "cluster_show", "job_object_list",
        "job_object_show", "data_source_list", "data_source_show"};
    return names[static_cast<std::size_t>(e)];
}

std::optional<std::string_view> find_header(const header_list& headers, std::string_view name) {
    for (const auto& [k, v] : headers) {
        if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
            })) {
            return v;
        }
    }
    return std::nullopt;
}

route match_route(std::string_view method, std::string_view target) {
    route r;
    const auto url = boost::urls::parse_origin_form(target);
    if (!url) {
        return r;
    }
    std::vector<std::string> seg;
    for (auto s : url->segments()) {
        seg.push_back(std::move(s));
    }
    for (auto p : url->params()) {
        r.query.emplace_back(std::move(p.key), std::move(p.value));
    }
    auto want = [&](std::string_view m, endpoint ep) {
        r.ep = ep;
        r.result = method == m ? route::kind::matched : route::kind::bad_method;
        return r;
    };
    const std::size_t n = seg.size();

    if (n >= 1 && seg[0] == "v3") {
        r.identity = true;
        if (n == 3 && seg[1] == "auth" && seg[2] == "tokens") {
            return want("GET", endpoint::identity);
        }
        return r;
    }
    if (n >= 5 && seg[0] == "v2" && seg[2] == "clusters" && seg[4] == "job-executions") {
        // mrs-api.md §1 I–M: /v2/{project_id}/clusters/{cluster_id}/job-executions[/...]
        r.project = seg[1];
        r.cluster = seg[3];
        if (n == 5) {
            return want(method == "POST" ? "POST" : "GET", method == "POST" ? endpoint::v2_submit : endpoint::v2_list);
        }
        if (n == 6 && seg[5] == "batch-delete" && method == "POST") {
            return want("POST", endpoint::v2_delete);
        }
        r.id = seg[5];
        if (n == 6) {
            return want("GET", endpoint::v2_show);
        }
        if (n == 7 && seg[6] == "kill") {
            return want("POST", endpoint::v2_kill);
        }
        r.id.clear();
        r.project.clear();
        r.cluster.clear();
        return r;
    }
    if (n < 3 || seg[0] != "v1.1") {
        return r;
    }
    r.project = seg[1];
    const std::string& coll = seg[2];
    if (coll == "cluster_infos") {
        // mrs-api.md §10.1: the cluster list and detail live under v1.1 only.
        if (n == 3) {
            return want("GET", endpoint::cluster_list);
        }
        if (n == 4) {
            r.id = seg[3];
            return want("GET", endpoint::cluster_show);
        }
    } else if (coll == "job-executions") {
        if (n == 3) {
            return want("GET", endpoint::list);
        }
        r.id = seg[3];
        if (n == 4) {
            // GET shows, DELETE deletes; anything else is a wrong method.
            return want(method == "DELETE" ? "DELETE" : "GET", method == "DELETE" ? endpoint::del : endpoint::show);
        }
        if (n == 5 && seg[4] == "cancel") {
            return want("GET", endpoint::cancel);
        }
    } else if (coll == "jobs") {
        // sahara-clusters-and-templates.md §4.1: the job-object list and detail, and execute
        // (mrs-api.md §2E). sim choice: jobs/submit-job (§2F, not simulated) stays a path that is
        // not an endpoint, whatever the method, rather than the detail of an object of that id.
        if (n == 3) {
            return want("GET", endpoint::job_object_list);
        }
        r.id = seg[3];
        if (n == 4 && seg[3] != "submit-job") {
            return want("GET", endpoint::job_object_show);
        }
        if (n == 5 && seg[4] == "execute") {
            return want("POST", endpoint::execute);
        }
    } else if (coll == "data-sources") {
        // sahara-clusters-and-templates.md §4.1: the data-source list and detail.
        if (n == 3) {
            return want("GET", endpoint::data_source_list);
        }
        if (n == 4) {
            r.id = seg[3];
            return want("GET", endpoint::data_source_show);
        }
    } else if (coll == "job-exes") {
        if (n == 3) {
            return want("GET", endpoint::exe_list);
        }
        if (n == 4) {
            r.id = seg[3];
            return want("GET", endpoint::exe_show);
        }
    }
    r.id.clear();
    return r;
}

// ---------------------------------------------------------------------------------------
// Replies

namespace {

// Keystone v3 error body (mrs-api.md §6.1: IAM is Keystone v3 compatible).
reply keystone_error(unsigned status, std::string_view title, std::string_view message) {
    return json_reply(status,
                      json::object{{"error", json::object{{"code", status}, {"title", title}, {"message", message}}}});
}

struct sort_field {
    std::string_view name;
    std::strong_ordering (*compare)(const job_execution&, const job_execution&);
};

// mrs-api.md §2A: sort_by is "a field name". sim choice: these fields of the object, job_id
// (the job template) among them.
constexpr std::array<sort_field, 7> sort_fields{{
    {"id", [](const job_execution& a, const job_execution& b) { return a.id <=> b.id; }},
    {"created_at", [](const job_execution& a, const job_execution& b) { return a.created_ms <=> b.created_ms; }},
    {"updated_at", [](const job_execution& a, const job_execution& b) { return a.updated_ms <=> b.updated_ms; }},
    {"start_time", [](const job_execution& a, const job_execution& b) { return a.start_ms <=> b.start_ms; }},
    // sim choice: a null end_time sorts first.
    {"end_time", [](const job_execution& a, const job_execution& b) { return a.end_ms <=> b.end_ms; }},
    {"cluster_id", [](const job_execution& a, const job_execution& b) { return a.cluster_id <=> b.cluster_id; }},
    {"job_id", [](const job_execution& a, const job_execution& b) { return a.job_id <=> b.job_id; }},
}};

// sim choice: job-exes lists newest first, ties by id. The cluster indexes hold the reverse
// order, so that a new job (the newest) goes at the end.
bool oldest_last_listed(const job_execution* a, const job_execution* b) {
    return a->created_ms != b->created_ms ? a->created_ms < b->created_ms : a->id > b->id;
}

constexpr std::int64_t max_bulk_jobs = 1000000;

// sim choice: the default id of the n-th bulk job of the sim. The last group is n, so ids
// are unique and can be read; the first group is bulk_scramble(n).
std::string bulk_id(std::uint64_t n) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%08x-0000-4000-8000-%012llu", static_cast<unsigned>(bulk_scramble(n)),
                  static_cast<unsigned long long>(n));
    return buf;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// State

sim_state::sim_state(sim_options opts, std::int64_t start_ms, std::uint64_t seed)
    : opts_(opts), start_ms_(start_ms), rng_(seed) {}

project& sim_state::ensure_project(std::string_view id) {
    for (auto& p : projects_) {
        if (p.id == id) {
            return p;
        }
    }
    // mrs-api.md §7: a project is named after its region; sub-projects are "region_xxx".
    std::string name = projects_.empty() ? "eu-de" : "eu-de_" + std::string(id.substr(0, 8));
    return projects_.emplace_back(project{std::string(id), std::move(name), {}});
}

const project* sim_state::find_project(std::string_view id) const {
    for (const auto& p : projects_) {
        if (p.id == id) {
            return &p;
        }
    }
    return nullptr;
}

const cluster* sim_state::find_cluster(std::string_view project_id, std::string_view id) const {
    for (const auto& c : clusters_) {
        if (c.project == project_id && c.id == id) {
            return &c;
        }
    }
    return nullptr;
}

const cluster* sim_state::control_cluster(const std::optional<std::string>& project,
                                          const std::optional<std::string>& cluster_id, std::string& problem) const {
    std::optional<std::string> project_id = project;
    if (!project_id && cluster_id) {
        for (const auto& c : clusters_) {
            if (c.id == *cluster_id) {
                project_id = c.project;
            }
        }
    }
    if (!project_id && !projects_.empty()) {
        project_id = projects_.front().id;
    }
    if (!project_id || !find_project(*project_id)) {
        problem = "unknown project";
        return nullptr;
    }
    for (const auto& candidate : clusters_) {
        if (candidate.project == *project_id && (!cluster_id || candidate.id == *cluster_id)) {
            return &candidate;
        }
    }
    problem = "unknown cluster for that project";
    return nullptr;
}

const cluster* sim_state::job_cluster(std::string_view project_id, std::string_view id) const {
    // sim choice: a terminated cluster is gone for job calls (mrs-api.md §10.4: clients treat
    // terminated as deleted); only cluster_infos still shows it.
    const cluster* c = find_cluster(project_id, id);
    return c && c->state != "terminated" ? c : nullptr;
}

std::vector<std::string> sim_state::first_clusters(const std::string& project_id, std::size_t k, std::int64_t now_ms) {
    // The project's first k clusters, whatever their state. sim choice: a missing k-th cluster
    // gets the id "c3", the project's first 22 digits and k (8 digits), in UUID form, and the
    // name cluster-k; it was made at now.
    std::vector<std::string> used;
    for (const auto& c : clusters_) {
        if (c.project == project_id && used.size() < k) {
            used.push_back(c.id);
        }
    }
    while (used.size() < k) {
        const std::string n = std::to_string(used.size() + 1);
        std::string id = uuid_form("c3" + project_id.substr(0, 22) + std::string(8 - n.size(), '0') + n);
        cluster& c = clusters_.emplace_back(cluster{id, project_id, "cluster-" + n, "running"});
        c.created_ms = c.updated_ms = now_ms / 1000 * 1000;
        used.push_back(std::move(id));
    }
    return used;
}

std::string sim_state::add_token(std::string_view token, std::string_view project_id) {
    if (token.empty() || token.find_first_of(" \t\r\n") != std::string_view::npos) {
        return "a token must be non-empty text without white space";
    }
    if (project_id.size() != 32 || !is_hex(project_id)) {
        return "a project id must be 32 lower-case hex digits";
    }
    if (tokens_.contains(token)) {
        return "token given twice";
    }
    ensure_project(project_id).tokens.emplace_back(token);
    tokens_.emplace(std::string(token), token_info{std::string(project_id), start_ms_ + opts_.token_ttl_s * 1000});
    return {};
}

std::string sim_state::seed_demo() {
    // Demo tokens are added only to a project that --token left without one.
    for (auto [id, token] :
         {std::pair{demo::project, demo::token}, std::pair{demo::other_project, demo::other_token}}) {
        const project* p = find_project(id);
        if (!p || p->tokens.empty()) {
            if (auto err = add_token(token, id); !err.empty()) {
                return "--seed-demo: " + std::string(token) + ": " + err;
            }
        }
    }
    const std::string p1(demo::project), p2(demo::other_project);
    // sim choice: clusters were made whole days before the start; the demo project's five all
    // run a version with the v2 job API, the other project has one too old for it and one
    // terminated (mrs-api.md §10.4: the detail still shows it).
    const std::int64_t day = 86400000;
    auto make = [&](std::string_view id, const std::string& project_id, std::string_view name,
                           std::int64_t days_ago) -> cluster& {
        cluster& c = clusters_.emplace_back(cluster{std::string(id), project_id, std::string(name), "running"});
        c.created_ms = c.updated_ms = start_ms_ / 1000 * 1000 - days_ago * day;
        return c;
    };
    make(demo::cluster_1, p1, "demo-cluster-1", 30);
    make(demo::cluster_2, p1, "demo-cluster-2", 20);
    make(demo::other_cluster, p2, "other-cluster", 25);
    make(demo::cluster_3, p1, "cluster-3", 10).version = "MRS 2.1.0";
    cluster& mixed = make(demo::cluster_4, p1, "cluster-4", 5);
    mixed.cluster_type = 2;
    mixed.components = {"Hadoop", "Spark2x", "Flink"};  // no Hive: v2 Hive jobs get 0168
    make(demo::cluster_5, p1, "cluster-5", 2).safe_mode = 1;
    make(demo::other_legacy_cluster, p2, "legacy-cluster", 400).version = "MRS 1.8.10";
    cluster& retired = make(demo::other_terminated_cluster, p2, "retired-cluster", 60);
    retired.state = "terminated";
    retired.updated_ms = start_ms_ / 1000 * 1000 - day;
    seed_demo_resources();  // job objects and data sources (sim_resources.cpp)

    // sim choice: times are fixed offsets before the sim's start (whole seconds), and seeded
    // jobs hold their state until cancelled (no start delay or run time applies to them).
    const std::int64_t base = start_ms_ / 1000 * 1000;
    struct seed {
        std::string_view id, project, cluster, name;
        int type;
        job_status status;
        bool is_protected;
        std::int64_t created_s_ago, ended_s_ago;  // ended_s_ago < 0: still going
    };
    // clang-format off
    constexpr std::array<seed, 8> seeds{{
        {demo::running_1,         demo::project,       demo::cluster_1,     "wordcount-hourly",  1, job_status::running,   false, 3600, -1},
        {demo::running_2,         demo::project,       demo::cluster_2,     "spark-pi-big",      2, job_status::running,   false, 1800, -1},
        {demo::starting,          demo::project,       demo::cluster_1,     "wordcount-adhoc",   1, job_status::starting,  false,   60, -1},
        {demo::succeeded,         demo::project,       demo::cluster_1,     "wordcount-daily",   1, job_status::succeeded, false, 7200, 6600},
        {demo::failed,            demo::project,       demo::cluster_2,     "spark-pi-broken",   2, job_status::failed,    false, 7000, 6900},
        {demo::killed,            demo::project,       demo::cluster_1,     "wordcount-stopped", 1, job_status::killed,    false, 5000, 4900},
        {demo::protected_running, demo::project,       demo::cluster_2,     "etl-protected",     2, job_status::running,   true,  2400, -1},
        {demo::other_running,     demo::other_project, demo::other_cluster, "other-team-job",    1, job_status::running,   false, 1200, -1},
    }};
    // clang-format on
    for (const auto& s : seeds) {
        job_execution j;
        j.id = s.id;
        j.project = s.project;
        j.cluster_id = s.cluster;
        j.job_name = s.name;
        j.job_type = s.type;
        j.status = s.status;
        j.is_protected = s.is_protected;
        j.created_ms = j.start_ms = j.updated_ms = base - s.created_s_ago * 1000;
        if (s.ended_s_ago >= 0) {
            j.end_ms = j.updated_ms = base - s.ended_s_ago * 1000;
        }
        insert_job(std::move(j));
    }
    seed_demo_v2();
    return {};
}

void sim_state::finish_setup() {
    // sim choice: a project known only from --token gets one cluster (its id in UUID form)
    // and one MapReduce job object (its user id in UUID form), so execute works at once.
    for (const auto& p : projects_) {
        const bool has_cluster =
            std::any_of(clusters_.begin(), clusters_.end(), [&](const cluster& c) { return c.project == p.id; });
        if (!has_cluster) {
            cluster& c = clusters_.emplace_back(cluster{uuid_form(p.id), p.id, "cluster-1", "running"});
            c.created_ms = c.updated_ms = start_ms_ / 1000 * 1000 - 86400000;
            // sahara-clusters-and-templates.md §4.1: a MapReduce job object needs libs. sim choice:
            // its one binary's id is the job object's with the first digit made e.
            const std::string id = uuid_form(user_id_of(p.id));
            job_object& o = job_objects_.emplace_back(job_object{id, p.id, "mapreduce-job", 1});
            o.description = "The MapReduce example job";
            o.libs.push_back({"e" + id.substr(1), "hadoop-mapreduce-examples.jar",
                              "s3a://mrs-sim/program/hadoop-mapreduce-examples.jar", ""});
            o.created_ms = o.updated_ms = c.created_ms;
        }
    }
}

const job_execution* sim_state::find_job(std::string_view id) const {
    const auto it = jobs_.find(id);
    return it == jobs_.end() ? nullptr : &it->second;
}

job_execution* sim_state::visible_job(std::string_view project_id, std::string_view id, std::int64_t now_ms) {
    const auto it = jobs_.find(id);
    if (it == jobs_.end() || it->second.project != project_id) {
        return nullptr;  // another project's jobs are invisible
    }
    advance_job(it->second, now_ms);
    return &it->second;
}

void sim_state::advance_job(job_execution& j, std::int64_t now_ms) {
    const job_status before = j.status;
    advance(j, now_ms);
    if (j.status != before) {
        ++generation_;  // its updated_at, and maybe its end_time, moved too
    }
}

const sim_state::id_index& sim_state::project_index(std::string_view project_id) const {
    static const id_index none;
    const auto it = by_project_.find(project_id);
    return it == by_project_.end() ? none : it->second;
}

job_execution& sim_state::insert_job(job_execution j) {
    const auto [it, inserted] = jobs_.emplace(j.id, std::move(j));
    job_execution& stored = it->second;
    if (inserted) {
        by_project_[stored.project].insert(&stored);
        auto& rows = by_cluster_[cluster_key{stored.project, stored.cluster_id}];
        rows.insert(std::upper_bound(rows.begin(), rows.end(), &stored, oldest_last_listed), &stored);
        if (moves(stored)) {
            moving_.insert(&stored);
        }
        ++generation_;
    }
    return stored;
}

void sim_state::erase_job(job_execution& j) {
    by_project_[j.project].erase(&j);
    auto& rows = by_cluster_[cluster_key{j.project, j.cluster_id}];
    if (const auto at = std::lower_bound(rows.begin(), rows.end(), &j, oldest_last_listed);
        at != rows.end() && *at == &j) {
        rows.erase(at);
    }
    moving_.erase(&j);
    jobs_.erase(jobs_.find(j.id));
    ++generation_;
}

void sim_state::settle(std::int64_t now_ms) {
    // Transitions apply lazily, and only jobs in moving_ have any left; a job that has
    // none left drops out.
    for (auto it = moving_.begin(); it != moving_.end();) {
        advance_job(**it, now_ms);
        it = moves(**it) ? std::next(it) : moving_.erase(it);
    }
}

std::string sim_state::new_uuid() {
    // Random UUID, version 4, variant 10xx.
    const std::uint64_t hi = (rng_() & ~0xF000ULL) | 0x4000ULL;
    const std::uint64_t lo = (rng_() & ~(0x3ULL << 62)) | (0x2ULL << 62);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08llx-%04llx-%04llx-%04llx-%012llx", static_cast<unsigned long long>(hi >> 32),
                  static_cast<unsigned long long>((hi >> 16) & 0xFFFF), static_cast<unsigned long long>(hi & 0xFFFF),
                  static_cast<unsigned long long>(lo >> 48), static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
    return buf;
}

reply sim_state::handle(const api_request& req, const route& r, std::int64_t now_ms) {
    if (r.identity) {
        return identity(req, r, now_ms);
    }
    // sahara-clusters-and-templates.md §4.4: a deployment without the job-object API. sim
    // choice: its paths then answer as paths that are not endpoints (the 404 below), whatever
    // the method; with reads_gone only the list and the detail do.
    const bool job_object_path =
        r.result != route::kind::unknown &&
        (r.ep == endpoint::job_object_list || r.ep == endpoint::job_object_show || r.ep == endpoint::execute);
    const bool gone = (opts_.job_objects == job_object_api::gone && job_object_path) ||
                      (opts_.job_objects == job_object_api::reads_gone && job_object_path && r.ep != endpoint::execute);
    // sim choice: the path is matched before the token is looked at, and any path that is
    // not an endpoint (under /v1.1 or not) gets the same 404.
    if (r.result == route::kind::unknown || gone) {
        return mrs_error(404, "12000002", "The API does not exist.");
    }
    if (r.result == route::kind::bad_method) {
        return mrs_error(405, "12000002", "Method not allowed.");
    }
    // mrs-api.md §6.2: a request signed with AK/SK is checked instead of its X-Auth-Token.
    const auto authorization = find_header(req.headers, "Authorization");
    if (authorization && authorization->starts_with(aksk_algorithm)) {
        signature_check signed_by = check_signature(req, now_ms);
        if (!signed_by.project) {
            signed_by.error.signature = signature_outcome::rejected;
            return signed_by.error;
        }
        reply rep = *signed_by.project == r.project ? serve(req, r, now_ms)
                                                    : mrs_error(401, "12000001", "Invalid authentication.");
        rep.signature = signature_outcome::accepted;
        return rep;
    }
    if (!req.auth_token) {
        return apigw_401("x-auth-token not found", req.request_id);
    }
    const auto tok = tokens_.find(*req.auth_token);
    if (tok == tokens_.end()) {
        return apigw_401("decrypt token fail", req.request_id);
    }
    if (now_ms >= tok->second.expires_ms) {
        return apigw_401("token expires", req.request_id);
    }
    if (tok->second.project != r.project) {
        // mrs-api.md §5.3: 12000001, 401, invalid authentication.
        return mrs_error(401, "12000001", "Invalid authentication.");
    }
    return serve(req, r, now_ms);
}

reply sim_state::serve(const api_request& req, const route& r, std::int64_t now_ms) {
    switch (r.ep) {
    case endpoint::list: return list(r, now_ms);
    case endpoint::show:
        if (auto* j = visible_job(r.project, r.id, now_ms)) {
            return json_reply(200, json::object{{"job_execution", sahara_view(*j)}});
        }
        return job_not_found();
    case endpoint::cancel: return cancel(r, now_ms);
    case endpoint::del: return remove(r, now_ms);
    case endpoint::execute: return execute(r, req.body, now_ms);
    case endpoint::exe_show:
        if (auto* j = visible_job(r.project, r.id, now_ms)) {
            return json_reply(200, json::object{{"job_execution", exe_view(*j)}});
        }
        return job_not_found("0201");  // the job-exes paths use the other "does not exist" code
    case endpoint::exe_list: return exe_list(r, now_ms);
    case endpoint::v2_submit:
    case endpoint::v2_list:
    case endpoint::v2_show:
    case endpoint::v2_kill:
    case endpoint::v2_delete: return v2_call(r, req.body, now_ms);
    case endpoint::cluster_list: return cluster_list(r);
    case endpoint::cluster_show: return cluster_show(r);
    case endpoint::job_object_list: return job_object_list(r);
    case endpoint::job_object_show: return job_object_show(r);
    case endpoint::data_source_list: return data_source_list(r);
    case endpoint::data_source_show: return data_source_show(r);
    case endpoint::identity: break;
    }
    return mrs_error(404, "12000002", "The API does not exist.");
}

reply sim_state::identity(const api_request& req, const route& r, std::int64_t now_ms) const {
    // sim choice: Keystone-shaped 404/405 under /v3, as IAM is Keystone v3 compatible (§6.1).
    if (r.result == route::kind::unknown) {
        return keystone_error(404, "Not Found", "The resource could not be found.");
    }
    if (r.result == route::kind::bad_method) {
        return keystone_error(405, "Method Not Allowed", "The method is not allowed for the requested URL.");
    }
    auto valid = [&](std::optional<std::string_view> t) -> const token_info* {
        if (!t) {
            return nullptr;
        }
        const auto it = tokens_.find(*t);
        return it != tokens_.end() && now_ms < it->second.expires_ms ? &it->second : nullptr;
    };
    if (!valid(req.auth_token)) {
        return keystone_error(401, "Unauthorized", "The request you have made requires authentication.");
    }
    const token_info* subject = valid(req.subject_token);
    if (!subject) {
        // Never echo the token itself.
        return keystone_error(404, "Not Found", "Could not find token: the subject token is unknown or expired.");
    }
    const project* p = find_project(subject->project);
    const json::object domain{{"id", "default"}, {"name", "Default"}};
    json::object token{
        {"methods", json::array{"token"}},
        {"expires_at", iso_micros(subject->expires_ms)},
        {"issued_at", iso_micros(start_ms_)},
        {"project", json::object{{"id", p->id}, {"name", p->name}, {"domain", domain}}},
        {"user", json::object{{"id", user_id_of(p->id)}, {"name", "sim-user"}, {"domain", domain}}},
        {"roles", json::array{json::object{{"id", "0a1b2c3d4e5f60718293a4b5c6d7e8f9"}, {"name", "member"}}}},
        {"catalog", json::array{}},
    };
    reply rep = json_reply(200, json::object{{"token", std::move(token)}});
    // mrs-api.md §6.1: the token travels in the X-Subject-Token header.
    rep.headers.emplace_back("X-Subject-Token", std::string(*req.subject_token));
    return rep;
}

reply sim_state::list(const route& r, std::int64_t now_ms) {
    // mrs-api.md §2A: limit 1..1073741822, marker (the list starts after it), sort_by with '-'.
    std::optional<std::int64_t> limit;
    if (!int_param(r.query, "limit", 1, 1073741822, limit)) {
        return invalid_parameter("limit must be an integer from 1 to 1073741822");
    }
    const sort_field* order = &sort_fields.front();
    bool desc = false;
    if (const std::string* s = param(r.query, "sort_by")) {
        std::string_view field = *s;
        if (field.starts_with('-')) {
            desc = true;
            field.remove_prefix(1);
        }
        const auto it =
            std::find_if(sort_fields.begin(), sort_fields.end(), [&](const sort_field& f) { return f.name == field; });
        if (it == sort_fields.end()) {
            return invalid_parameter("sort_by");
        }
        order = &*it;
    }
    settle(now_ms);  // the times sorted on and rendered are those of now
    const id_index& ids = project_index(r.project);
    auto marker = ids.end();
    if (const std::string* m = param(r.query, "marker")) {
        marker = ids.find(std::string_view(*m));
        if (marker == ids.end()) {
            return job_not_found();
        }
    }

    // The page: at most limit rows of [from, to), the rows after the marker.
    auto page = [&](auto from, auto to) {
        json::array items;
        const job_execution* last = nullptr;
        for (std::int64_t n = 0; from != to && (!limit || n < *limit); ++from, ++n) {
            last = *from;
            items.push_back(sahara_view(*last));
        }
        // prev: the id just before the page (null on the first page); next: the page's last id
        // when more rows follow. mrs-api.md §2A: both are strings or null, and always present.
        const json::value prev = marker != ids.end() ? json::value((*marker)->id) : json::value(nullptr);
        const json::value next = from != to && last ? json::value(last->id) : json::value(nullptr);
        return json_reply(200, json::object{{"markers", json::object{{"prev", prev}, {"next", next}}},
                                            {"job_executions", std::move(items)}});
    };
    if (order->name == "id") {
        // The index is in id order already: a page costs its own rows only.
        if (desc) {
            return page(marker != ids.end() ? std::make_reverse_iterator(marker) : ids.rbegin(), ids.rend());
        }
        return page(marker != ids.end() ? std::next(marker) : ids.begin(), ids.end());
    }
    auto before = [&](const job_execution* a, const job_execution* b) {
        const auto c = order->compare(*a, *b);
        if (c != 0) {
            return desc ? c > 0 : c < 0;
        }
        return a->id < b->id;  // sim choice: ties go by id, so pages never overlap
    };
    // Another field: sort (n log n), and keep that order for the next pages while no job changes.
    if (!sorted_ || sorted_->generation != generation_ || sorted_->project != r.project ||
        sorted_->field != order->name || sorted_->desc != desc) {
        sorted_rows fresh{r.project, std::string(order->name), desc, generation_, {ids.begin(), ids.end()}};
        std::sort(fresh.rows.begin(), fresh.rows.end(), before);
        sorted_ = std::move(fresh);
    }
    const std::vector<const job_execution*>& rows = sorted_->rows;
    auto from = rows.begin();
    if (marker != ids.end()) {
        from = std::next(std::lower_bound(rows.begin(), rows.end(), *marker, before));  // the order is total
    }
    return page(from, rows.end());
}

reply sim_state::cancel(const route& r, std::int64_t now_ms) {
    job_execution* j = visible_job(r.project, r.id, now_ms);
    if (!j) {
        return job_not_found();
    }
    // sim choice: is_protected is "not supported" by MRS (§2C); the sim uses it to give
    // tests a job whose cancel fails, with the "failed to kill" code of §5.3.
    if (j->is_protected) {
        return mrs_error(400, "0160", "Failed to kill the job.");
    }
    if (is_finished(j->status)) {
        // mrs-api.md §8(8) and §9: MRS does not document this; Sahara answers 200 unchanged.
        if (opts_.refuse_cancel_finished) {
            return mrs_error(400, "0160", "Failed to kill the job.");
        }
    } else if (!j->kill_at_ms) {
        // The job keeps its state for kill_delay_ms; a repeated cancel keeps the deadline.
        j->kill_at_ms = now_ms + opts_.kill_delay_ms;
        moving_.insert(j);
    }
    // Like Sahara, the answer shows the row as it was when the cancel arrived.
    return json_reply(200, json::object{{"job_execution", sahara_view(*j)}});
}

reply sim_state::remove(const route& r, std::int64_t now_ms) {
    job_execution* j = visible_job(r.project, r.id, now_ms);
    if (!j) {
        return job_not_found();
    }
    if (j->is_protected) {
        return mrs_error(400, "0161", "Failed to delete jobs.");  // §5.3: failed to delete jobs
    }
    erase_job(*j);
    return {204, {}, {}};  // mrs-api.md §2D: 204, no body
}

reply sim_state::execute(const route& r, std::string_view body, std::int64_t now_ms) {
    boost::system::error_code ec;
    const json::value doc = json::parse(body, ec);
    if (ec || !doc.is_object()) {
        return invalid_parameter("the body must be a JSON object");
    }
    const json::object& in = doc.get_object();
    // mrs-api.md §2E: cluster_id, input_id, output_id and job_configs are required.
    const json::value* cluster_id = in.if_contains("cluster_id");
    if (!cluster_id || !cluster_id->is_string()) {
        return invalid_parameter("cluster_id must be a string");
    }
    for (const char* key : {"input_id", "output_id"}) {
        // sim choice: a data source id may be null (jobs without data sources), but not absent.
        const json::value* v = in.if_contains(key);
        if (!v || !(v->is_string() || v->is_null())) {
            return invalid_parameter(std::string(key) + " must be a string");
        }
    }
    const json::value* configs = in.if_contains("job_configs");
    if (!configs || !configs->is_object()) {
        return invalid_parameter("job_configs must be an object");
    }
    bool flags[2] = {false, false};
    for (int i = 0; i < 2; ++i) {
        const char* key = i == 0 ? "is_protected" : "is_public";
        if (const json::value* v = in.if_contains(key)) {
            if (!v->is_bool() && !v->is_null()) {
                return invalid_parameter(std::string(key) + " must be a boolean");
            }
            flags[i] = v->is_bool() && v->get_bool();
        }
    }

    // sim choice: the body is checked first, then the job object, then the cluster. An unknown
    // job object gets the unknown-id answer of the detail (0176 by default).
    const job_object* tmpl = find_job_object(r.project, r.id);
    if (!tmpl) {
        return resource_not_found(r.id, true);
    }
    const cluster* c = job_cluster(r.project, cluster_id->get_string());
    if (!c) {
        return cluster_not_found();
    }
    if (c->state != "running" && c->state != "scaling-out" && c->state != "scaling-in") {
        return cluster_busy(*c);
    }

    job_execution j;
    j.id = new_uuid();
    j.project = r.project;
    j.cluster_id = cluster_id->get_string();
    j.job_name = tmpl->name;
    j.job_type = tmpl->type;
    j.job_id = tmpl->id;
    j.input_id = in.at("input_id");
    j.output_id = in.at("output_id");
    j.job_configs = *configs;
    j.created_ms = j.updated_ms = j.start_ms = now_ms;
    j.status = job_status::starting;
    j.is_protected = flags[0];
    j.is_public = flags[1];
    j.running_at_ms = now_ms + opts_.start_delay_ms;
    if (opts_.run_ms > 0) {
        j.succeed_at_ms = *j.running_at_ms + opts_.run_ms;
    }
    const job_execution& stored = insert_job(std::move(j));
    // mrs-api.md §2E: 202, job_id = the template id, end_time null.
    return json_reply(202, json::object{{"job_execution", sahara_view(stored)}});
}

reply sim_state::exe_list(const route& r, std::int64_t now_ms) {
    // mrs-api.md §2G: cluster_id is mandatory in the 2026 docs.
    const std::string* cluster_id = param(r.query, "cluster_id");
    if (!cluster_id) {
        return invalid_parameter("cluster_id is required");
    }
    std::optional<std::int64_t> page_size, current_page, state;
    if (!int_param(r.query, "page_size", 1, 100, page_size)) {
        return invalid_parameter("page_size must be an integer from 1 to 100");
    }
    // sim choice: current_page is 1-based (the docs' example uses current_page=1).
    if (!int_param(r.query, "current_page", 1, 2147483647, current_page)) {
        return invalid_parameter("current_page must be a positive integer");
    }
    if (!int_param(r.query, "state", -1, 4, state) || state == 0 || state == 1) {
        return invalid_parameter("state must be -1, 2, 3 or 4");  // §2G / §3.1 filter values
    }
    // sim choice: an unknown cluster gets the cluster-not-found answer of §5.1(2).
    if (!job_cluster(r.project, *cluster_id)) {
        return cluster_not_found();
    }
    const std::string* job_name = param(r.query, "job_name");
    const std::string* id = param(r.query, "id");

    settle(now_ms);  // the state filter and the rendered states are those of now
    static const std::vector<const job_execution*> none;
    const auto found = by_cluster_.find(cluster_key{r.project, *cluster_id});
    const auto& rows = found == by_cluster_.end() ? none : found->second;  // listed from its end
    const std::size_t size = static_cast<std::size_t>(page_size.value_or(10));
    const std::size_t first = static_cast<std::size_t>(current_page.value_or(1) - 1) * size;
    json::array items;
    std::size_t total = 0;
    auto take = [&](const job_execution& j) {
        if ((!job_name || j.job_name == *job_name) && (!id || j.id == *id) &&
            (!state || codes_of(j.status).job_state == *state)) {
            if (total >= first && total - first < size) {
                items.push_back(exe_view(j));
            }
            ++total;
        }
    };
    if (id) {
        // The id filter matches one job at most: look it up rather than walk the cluster.
        const auto it = jobs_.find(std::string_view(*id));
        if (it != jobs_.end() && it->second.project == r.project && it->second.cluster_id == *cluster_id) {
            take(it->second);
        }
    } else if (job_name || state) {
        for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
            take(**it);
        }
    } else {
        // No filter: the page is a slice of the index.
        total = rows.size();
        for (std::size_t i = first; i < rows.size() && i < first + size; ++i) {
            items.push_back(exe_view(*rows[rows.size() - 1 - i]));
        }
    }
    // mrs-api.md §2G: camelCase totalRecord (v2 uses total_record).
    return json_reply(200, json::object{{"totalRecord", total}, {"job_executions", std::move(items)}});
}

// ---------------------------------------------------------------------------------------
// Control API

json::object sim_state::render_state(std::int64_t now_ms) {
    json::array projects, clusters, objects, sources, jobs;
    for (const auto& p : projects_) {
        json::array tokens(p.tokens.begin(), p.tokens.end());
        json::array keys;  // the access key ids; never a secret key
        for (const auto& [ak, key] : access_keys_) {
            if (key.project == p.id) {
                keys.push_back(json::string(ak));
            }
        }
        projects.push_back(json::object{
            {"id", p.id}, {"name", p.name}, {"tokens", std::move(tokens)}, {"access_keys", std::move(keys)}});
    }
    for (const auto& c : clusters_) {
        clusters.push_back(json::object{{"id", c.id},
                                        {"project", c.project},
                                        {"name", c.name},
                                        {"state", c.state},
                                        {"version", c.version},
                                        {"v2_api", supports_v2(c)}});
    }
    for (const auto& o : job_objects_) {
        objects.push_back(
            json::object{{"id", o.id}, {"project", o.project}, {"name", o.name}, {"type", job_object_type(o.type)}});
    }
    for (const auto& d : data_sources_) {
        sources.push_back(json::object{{"id", d.id}, {"project", d.project}, {"name", d.name}, {"type", d.type}});
    }
    settle(now_ms);
    for (const auto& [id, j] : jobs_) {
        const auto [state, final_status] = codes_of(j.status);
        jobs.push_back(json::object{{"id", j.id},
                                    {"project", j.project},
                                    {"cluster_id", j.cluster_id},
                                    {"job_name", j.job_name},
                                    {"status", status_name(j.status)},
                                    {"job_state", state},
                                    {"job_final_status", final_status},
                                    {"is_protected", j.is_protected},
                                    {"kill_pending", j.kill_at_ms.has_value()}});
    }
    return {{"projects", std::move(projects)},
            {"clusters", std::move(clusters)},
            {"job_objects", std::move(objects)},
            {"data_sources", std::move(sources)},
            {"jobs", std::move(jobs)},
            {"v2_jobs", render_v2_jobs(now_ms)}};
}

reply sim_state::add_job(std::string_view body, std::int64_t now_ms) {
    boost::system::error_code ec;
    const json::value doc = json::parse(body.empty() ? std::string_view("{}") : body, ec);
    if (ec || !doc.is_object()) {
        return bad_control("the body must be a JSON object");
    }
    json::object in = doc.get_object();
    // "api" chooses the id space: v1.1 job executions (the default) or v2 jobs (§1).
    bool v2 = false;
    if (const json::value* api = in.if_contains("api")) {
        if (!api->is_string() || (api->get_string() != "v1.1" && api->get_string() != "v2")) {
            return bad_control("api must be \"v1.1\" or \"v2\"");
        }
        v2 = api->get_string() == "v2";
        in.erase("api");
    }
    if (v2) {
        return in.contains("count") ? add_v2_jobs(in, now_ms) : add_v2_job(in, now_ms);
    }
    if (in.contains("count")) {
        return add_jobs(in, now_ms);
    }
    for (const auto& kv : in) {
        constexpr std::array<std::string_view, 6> keys{"project", "cluster_id", "state", "protected", "id", "job_name"};
        if (std::find(keys.begin(), keys.end(), kv.key()) == keys.end()) {
            return bad_control("unknown key: " + std::string(kv.key()));
        }
    }
    auto text = [&](std::string_view key) -> std::optional<std::string> {
        const json::value* v = in.if_contains(key);
        return v && v->is_string() ? std::optional<std::string>(v->get_string()) : std::nullopt;
    };
    for (std::string_view key : {"project", "cluster_id", "state", "id", "job_name"}) {
        if (in.contains(key) && !text(key)) {
            return bad_control(std::string(key) + " must be a string");
        }
    }
    if (in.contains("protected") && !in.at("protected").is_bool()) {
        return bad_control("protected must be a boolean");
    }

    std::string problem;
    const cluster* c = control_cluster(text("project"), text("cluster_id"), problem);
    if (!c) {
        return bad_control(problem);
    }
    const auto status = parse_status(text("state").value_or("running"));
    if (!status) {
        return bad_control("state must be starting, running, succeeded, failed, killed, abnormal or error");
    }
    std::string id = text("id").value_or(new_uuid());
    if (!is_uuid(id) || jobs_.contains(id)) {
        return bad_control("id must be a new lower-case UUID");
    }

    // sim choice: jobs made here hold their state until cancelled, like the seeded ones.
    job_execution j;
    j.id = id;
    j.project = c->project;
    j.cluster_id = c->id;
    j.job_name = text("job_name").value_or("sim-job");
    j.status = *status;
    j.is_protected = in.contains("protected") && in.at("protected").get_bool();
    j.created_ms = j.updated_ms = j.start_ms = now_ms;
    if (is_finished(*status)) {
        j.end_ms = now_ms;
    }
    insert_job(std::move(j));
    return json_reply(201, json::object{{"id", id}});
}

std::optional<reply> sim_state::parse_bulk(const json::object& in, bulk_spec& spec) const {
    for (const auto& kv : in) {
        constexpr std::array<std::string_view, 5> keys{"count", "project", "clusters", "states", "id_prefix"};
        if (std::find(keys.begin(), keys.end(), kv.key()) == keys.end()) {
            return bad_control("unknown key with count: " + std::string(kv.key()));
        }
    }
    const std::optional<std::int64_t> count = whole(in.at("count"), 1, max_bulk_jobs);
    if (!count) {
        return bad_control("count must be an integer from 1 to " + std::to_string(max_bulk_jobs));
    }
    spec.count = static_cast<std::size_t>(*count);
    spec.p = projects_.empty() ? nullptr : &projects_.front();
    if (const json::value* v = in.if_contains("project")) {
        if (!v->is_string()) {
            return bad_control("project must be a string");
        }
        spec.p = find_project(v->get_string());
    }
    if (!spec.p) {
        return bad_control("unknown project");
    }
    if (const json::value* v = in.if_contains("clusters")) {
        const std::optional<std::int64_t> k = whole(*v, 1, 100);
        if (!k) {
            return bad_control("clusters must be an integer from 1 to 100");
        }
        spec.clusters = static_cast<std::size_t>(*k);
    }
    // One weight a state, in the order of mrs-api.md §3.1; by default every job is running.
    spec.weights = {};
    spec.weights[static_cast<std::size_t>(job_status::running)] = 1;
    if (const json::value* v = in.if_contains("states")) {
        if (!v->is_object()) {
            return bad_control("states must be an object of weights");
        }
        spec.weights = {};
        for (const auto& kv : v->get_object()) {
            const std::optional<job_status> status = parse_status(kv.key());
            if (!status) {
                return bad_control("unknown state: " + std::string(kv.key()) +
                                   " (starting, running, succeeded, failed, killed, abnormal or error)");
            }
            const std::optional<std::int64_t> w = whole(kv.value(), 0, max_bulk_jobs);
            if (!w) {
                return bad_control("a state weight must be an integer from 0 to " + std::to_string(max_bulk_jobs));
            }
            spec.weights[static_cast<std::size_t>(*status)] = *w;
        }
    }
    spec.cycle = std::accumulate(spec.weights.begin(), spec.weights.end(), std::int64_t{0});
    if (spec.cycle == 0) {
        return bad_control("states must give some state a weight above 0");
    }
    if (const json::value* v = in.if_contains("id_prefix")) {
        spec.prefix = v->is_string() ? uuid_start_digits(v->get_string()) : std::nullopt;
        if (!spec.prefix || 32 - spec.prefix->size() < std::to_string(spec.count).size()) {
            return bad_control("id_prefix must be the start of a lower-case UUID that leaves room for the count");
        }
    }
    return std::nullopt;
}

job_status sim_state::bulk_spec::state_of(std::size_t in_cluster) const {
    // The cycle repeats each state, in the order of mrs-api.md §3.1, as often as its weight says.
    std::int64_t position = static_cast<std::int64_t>(in_cluster % static_cast<std::size_t>(cycle));
    std::size_t state = 0;
    while (position >= weights[state]) {
        position -= weights[state++];
    }
    return static_cast<job_status>(state);
}

reply sim_state::add_jobs(const json::object& in, std::int64_t now_ms) {
    bulk_spec spec;
    if (auto bad = parse_bulk(in, spec)) {
        return std::move(*bad);
    }
    const std::size_t n = spec.count;
    const std::optional<std::string>& prefix = spec.prefix;  // its hex digits

    // The ids first, so that a clash leaves nothing made, and the order of the ids: the jobs
    // go into the maps by id in that order, each next to the one before, with no search.
    std::vector<std::string> ids;  // job i's id
    std::vector<std::uint64_t> serials;
    std::vector<std::size_t> by_id(n);
    ids.reserve(n);
    for (;;) {
        while (ids.size() < n) {
            if (prefix) {
                // sim choice: the prefix, then the job's number in this call, zero-padded.
                const std::string number = std::to_string(ids.size() + 1);
                ids.push_back(uuid_form(*prefix + std::string(32 - prefix->size() - number.size(), '0') + number));
            } else {
                serials.push_back(++bulk_serial_);
                ids.push_back(bulk_id(serials.back()));
            }
        }
        std::iota(by_id.begin(), by_id.end(), std::size_t{0});  // prefixed ids rise with i
        if (!prefix) {
            std::sort(by_id.begin(), by_id.end(), [&](std::size_t a, std::size_t b) {
                const auto ka = bulk_scramble(serials[a]), kb = bulk_scramble(serials[b]);
                return ka != kb ? ka < kb : serials[a] < serials[b];  // the order of the id texts
            });
        }
        std::vector<std::size_t> taken;
        for (const std::size_t i : by_id) {
            if (jobs_.contains(ids[i])) {
                taken.push_back(i);
            }
        }
        if (taken.empty()) {
            break;
        }
        if (prefix) {
            return bad_control("id_prefix gives an id that exists: " + ids[taken.front()]);
        }
        // A default id taken by other means is skipped: drop it, draw the next ones.
        std::sort(taken.begin(), taken.end());
        std::size_t kept = 0;
        for (std::size_t i = 0, t = 0; i < ids.size(); ++i) {
            if (t < taken.size() && taken[t] == i) {
                ++t;
                continue;
            }
            ids[kept] = std::move(ids[i]);
            serials[kept++] = serials[i];
        }
        ids.resize(kept);
        serials.resize(kept);
    }

    const std::string project_id = spec.p->id;
    const std::vector<std::string> used = first_clusters(project_id, spec.clusters, now_ms);
    std::vector<const job_object*> templates;
    for (const auto& o : job_objects_) {
        if (o.project == project_id && o.bulk) {
            templates.push_back(&o);
        }
    }

    // sim choice: job i of n (from 0) runs on cluster i mod K, as job i / K of that cluster.
    // Within each cluster, the jobs take the job objects (job_id, name, type) in turn, and
    // take their states from a cycle that repeats each state as often as its weight says, so
    // every cluster gets the mix. Job i was made (n - i) s before now (whole seconds), so
    // creation times are distinct and rise with i; it started then, and a finished one ended
    // 500 ms later. Like seeded jobs, these hold their state until cancelled: none joins moving_.
    const std::int64_t base = now_ms / 1000 * 1000;
    std::vector<const job_execution*> made(n);
    id_index& index = by_project_[project_id];
    auto job_hint = jobs_.end();
    auto index_hint = index.end();
    for (const std::size_t i : by_id) {
        const std::size_t in_cluster = i / used.size();
        const job_object* tmpl = templates.empty() ? nullptr : templates[in_cluster % templates.size()];
        job_execution j;
        j.id = std::move(ids[i]);
        j.project = project_id;
        j.cluster_id = used[i % used.size()];
        j.job_name = (tmpl ? tmpl->name : std::string("sim-job")) + "-" + std::to_string(i + 1);
        j.job_type = tmpl ? tmpl->type : 1;
        j.job_id = tmpl ? tmpl->id : std::string();
        j.status = spec.state_of(in_cluster);
        j.created_ms = j.updated_ms = j.start_ms = base - static_cast<std::int64_t>(n - i) * 1000;
        if (is_finished(j.status)) {
            j.end_ms = j.updated_ms = j.start_ms + 500;
        }
        job_hint = std::next(jobs_.emplace_hint(job_hint, j.id, std::move(j)));
        made[i] = &std::prev(job_hint)->second;
        index_hint = std::next(index.insert(index_hint, made[i]));
    }
    // Each cluster index: its rows, then the new ones in the order made (so in its order);
    // merge the two.
    std::vector<std::pair<std::vector<const job_execution*>*, std::size_t>> lists;  // and their sizes before
    for (const auto& c : used) {
        auto& rows = by_cluster_[cluster_key{project_id, c}];
        lists.emplace_back(&rows, rows.size());
    }
    for (std::size_t i = 0; i < n; ++i) {
        lists[i % lists.size()].first->push_back(made[i]);
    }
    for (const auto& [rows, before] : lists) {
        std::inplace_merge(rows->begin(), rows->begin() + static_cast<std::ptrdiff_t>(before), rows->end(),
                           oldest_last_listed);
    }
    ++generation_;
    json::array clusters(used.begin(), used.end());
    return json_reply(201, json::object{{"created", n},
                                        {"project", project_id},
                                        {"clusters", std::move(clusters)},
                                        {"first_id", made.front()->id},
                                        {"last_id", made.back()->id}});
}

}  // namespace mrs_sim
