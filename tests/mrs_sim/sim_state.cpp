// MRS simulator: job life cycle, request handling and JSON rendering (pure, no I/O).
#include "sim_state.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <compare>
#include <cstdio>
#include <ctime>

namespace mrs_sim {

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

bool is_hex(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool is_uuid(std::string_view s) {
    if (s.size() != 36) {
        return false;
    }
    for (std::size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !is_hex(s.substr(i, 1))) {
            return false;
        }
    }
    return true;
}

// "6b2a9f0c1d3e..." (32 hex) -> "6b2a9f0c-1d3e-...".
std::string uuid_form(std::string_view hex32) {
    std::string s(hex32);
    for (std::size_t pos : {20, 16, 12, 8}) {
        s.insert(pos, 1, '-');
    }
    return s;
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
    constexpr std::array<std::string_view, endpoint_count> names{"cancel",  "show",     "delete",   "list",
                                                                 "execute", "exe_show", "exe_list", "identity"};
    return names[static_cast<std::size_t>(e)];
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
    if (n < 3 || seg[0] != "v1.1") {
        return r;
    }
    r.project = seg[1];
    const std::string& coll = seg[2];
    if (coll == "job-executions") {
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
    } else if (coll == "jobs" && n == 5 && seg[4] == "execute") {
        r.id = seg[3];
        return want("POST", endpoint::execute);
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

reply json_reply(unsigned status, const json::value& v) {
    return {status, json::serialize(v), {}};
}

// mrs-api.md §5.1(1): {"error_code": "<string>", "error_msg": "<string>"}.
reply mrs_error(unsigned status, std::string_view code, std::string_view msg) {
    return json_reply(status, json::object{{"error_code", code}, {"error_msg", msg}});
}

// mrs-api.md §5.2/§5.3: 0176 and 0201 both mean "the job does not exist"; real calls answer 400.
reply job_not_found(std::string_view code = "0176") {
    return mrs_error(400, code, "The job does not exist.");
}

reply invalid_parameter(std::string_view what) {
    return mrs_error(400, "12000002", "Invalid parameter: " + std::string(what));
}

// mrs-api.md §5.1(2): "cluster does not exist" comes back under errorCode/errorMsg.
reply cluster_not_found() {
    return json_reply(400, json::object{{"errorCode", "12000003"}, {"errorMsg", "The cluster does not exist."}});
}

// mrs-api.md §5.1(3): API-gateway authentication errors, HTTP 401, with a request_id.
reply apigw_401(std::string_view detail, std::string_view request_id) {
    return json_reply(401,
                      json::object{{"error_code", "APIGW.0301"},
                                   {"error_msg", "Incorrect IAM authentication information: " + std::string(detail)},
                                   {"request_id", request_id}});
}

// Keystone v3 error body (mrs-api.md §6.1: IAM is Keystone v3 compatible).
reply keystone_error(unsigned status, std::string_view title, std::string_view message) {
    return json_reply(status,
                      json::object{{"error", json::object{{"code", status}, {"title", title}, {"message", message}}}});
}

const std::string* param(const query_params& q, std::string_view key) {
    for (const auto& [k, v] : q) {
        if (k == key) {
            return &v;  // the first occurrence wins
        }
    }
    return nullptr;
}

std::optional<std::int64_t> parse_int(std::string_view s) {
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) {
        return std::nullopt;
    }
    return v;
}

// Reads an optional integer query parameter within [lo, hi]; false on a bad value.
bool int_param(const query_params& q, std::string_view key, std::int64_t lo, std::int64_t hi,
               std::optional<std::int64_t>& out) {
    const std::string* s = param(q, key);
    if (!s) {
        return true;
    }
    out = parse_int(*s);
    return out && *out >= lo && *out <= hi;
}

std::strong_ordering compare_field(const job_execution& a, const job_execution& b, std::string_view field) {
    if (field == "created_at") return a.created_ms <=> b.created_ms;
    if (field == "updated_at") return a.updated_ms <=> b.updated_ms;
    if (field == "start_time") return a.start_ms <=> b.start_ms;
    if (field == "end_time") return a.end_ms <=> b.end_ms;  // sim choice: null sorts first
    if (field == "cluster_id") return a.cluster_id <=> b.cluster_id;
    return a.id <=> b.id;
}

constexpr std::array<std::string_view, 6> sort_fields{"id",         "created_at", "updated_at",
                                                      "start_time", "end_time",   "cluster_id"};

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
    clusters_.push_back({std::string(demo::cluster_1), p1, "demo-cluster-1", "running"});
    clusters_.push_back({std::string(demo::cluster_2), p1, "demo-cluster-2", "running"});
    clusters_.push_back({std::string(demo::other_cluster), p2, "other-cluster", "running"});
    job_objects_.push_back({std::string(demo::job_object_wordcount), p1, "wordcount", 1});
    job_objects_.push_back({std::string(demo::job_object_spark_pi), p1, "spark-pi", 2});

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
        jobs_.emplace(j.id, std::move(j));
    }
    return {};
}

void sim_state::finish_setup() {
    // sim choice: a project known only from --token gets one cluster (its id in UUID form)
    // and one MapReduce job object (its user id in UUID form), so execute works at once.
    for (const auto& p : projects_) {
        const bool has_cluster =
            std::any_of(clusters_.begin(), clusters_.end(), [&](const cluster& c) { return c.project == p.id; });
        if (!has_cluster) {
            clusters_.push_back({uuid_form(p.id), p.id, "cluster-1", "running"});
            job_objects_.push_back({uuid_form(user_id_of(p.id)), p.id, "mapreduce-job", 1});
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
    advance(it->second, now_ms);
    return &it->second;
}

std::vector<job_execution*> sim_state::project_jobs(std::string_view project_id, std::int64_t now_ms) {
    std::vector<job_execution*> rows;
    for (auto& [id, j] : jobs_) {
        if (j.project == project_id) {
            advance(j, now_ms);
            rows.push_back(&j);
        }
    }
    return rows;
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
    // sim choice: the path is matched before the token is looked at, and any path that is
    // not an endpoint (under /v1.1 or not) gets the same 404.
    if (r.result == route::kind::unknown) {
        return mrs_error(404, "12000002", "The API does not exist.");
    }
    if (r.result == route::kind::bad_method) {
        return mrs_error(405, "12000002", "Method not allowed.");
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
    std::string_view field = "id";
    bool desc = false;
    if (const std::string* s = param(r.query, "sort_by")) {
        field = *s;
        if (field.starts_with('-')) {
            desc = true;
            field.remove_prefix(1);
        }
        if (std::find(sort_fields.begin(), sort_fields.end(), field) == sort_fields.end()) {
            return invalid_parameter("sort_by");
        }
    }
    auto rows = project_jobs(r.project, now_ms);
    std::sort(rows.begin(), rows.end(), [&](const job_execution* a, const job_execution* b) {
        const auto c = compare_field(*a, *b, field);
        if (c != 0) {
            return desc ? c > 0 : c < 0;
        }
        return a->id < b->id;  // sim choice: ties go by id, so pages never overlap
    });

    std::size_t first = 0;
    if (const std::string* marker = param(r.query, "marker")) {
        const auto it =
            std::find_if(rows.begin(), rows.end(), [&](const job_execution* j) { return j->id == *marker; });
        if (it == rows.end()) {
            return job_not_found();
        }
        first = static_cast<std::size_t>(it - rows.begin()) + 1;
    }
    const std::size_t last = limit ? std::min(rows.size(), first + static_cast<std::size_t>(*limit)) : rows.size();

    json::array items;
    for (std::size_t i = first; i < last; ++i) {
        items.push_back(sahara_view(*rows[i]));
    }
    // prev: the id just before the page (null on the first page); next: the page's last id
    // when more rows follow. mrs-api.md §2A: both are strings or null, and always present.
    const json::value prev = first > 0 ? json::value(rows[first - 1]->id) : json::value(nullptr);
    const json::value next =
        last < rows.size() && last > first ? json::value(rows[last - 1]->id) : json::value(nullptr);
    return json_reply(200, json::object{{"markers", json::object{{"prev", prev}, {"next", next}}},
                                        {"job_executions", std::move(items)}});
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
    }
    // Like Sahara, the answer shows the row as it was when the cancel arrived.
    return json_reply(200, json::object{{"job_execution", sahara_view(*j)}});
}

reply sim_state::remove(const route& r, std::int64_t now_ms) {
    const job_execution* j = visible_job(r.project, r.id, now_ms);
    if (!j) {
        return job_not_found();
    }
    if (j->is_protected) {
        return mrs_error(400, "0161", "Failed to delete jobs.");  // §5.3: failed to delete jobs
    }
    jobs_.erase(j->id);
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

    // sim choice: the body is checked first, then the job object, then the cluster.
    const auto tmpl = std::find_if(job_objects_.begin(), job_objects_.end(),
                                   [&](const job_object& o) { return o.project == r.project && o.id == r.id; });
    if (tmpl == job_objects_.end()) {
        return job_not_found();
    }
    if (!find_cluster(r.project, cluster_id->get_string())) {
        return cluster_not_found();
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
    auto [it, inserted] = jobs_.emplace(j.id, std::move(j));
    // mrs-api.md §2E: 202, job_id = the template id, end_time null.
    return json_reply(202, json::object{{"job_execution", sahara_view(it->second)}});
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
    if (!find_cluster(r.project, *cluster_id)) {
        return cluster_not_found();
    }
    const std::string* job_name = param(r.query, "job_name");
    const std::string* id = param(r.query, "id");

    std::vector<const job_execution*> rows;
    for (const job_execution* j : project_jobs(r.project, now_ms)) {
        if (j->cluster_id == *cluster_id && (!job_name || j->job_name == *job_name) && (!id || j->id == *id) &&
            (!state || codes_of(j->status).job_state == *state)) {
            rows.push_back(j);
        }
    }
    // sim choice: newest first, ties by id.
    std::sort(rows.begin(), rows.end(), [](const job_execution* a, const job_execution* b) {
        return a->created_ms != b->created_ms ? a->created_ms > b->created_ms : a->id < b->id;
    });
    const std::size_t size = static_cast<std::size_t>(page_size.value_or(10));
    const std::size_t first = static_cast<std::size_t>(current_page.value_or(1) - 1) * size;
    json::array items;
    for (std::size_t i = first; i < rows.size() && i < first + size; ++i) {
        items.push_back(exe_view(*rows[i]));
    }
    // mrs-api.md §2G: camelCase totalRecord (v2 uses total_record).
    return json_reply(200, json::object{{"totalRecord", rows.size()}, {"job_executions", std::move(items)}});
}

// ---------------------------------------------------------------------------------------
// Control API

json::object sim_state::render_state(std::int64_t now_ms) {
    json::array projects, clusters, objects, jobs;
    for (const auto& p : projects_) {
        json::array tokens(p.tokens.begin(), p.tokens.end());
        projects.push_back(json::object{{"id", p.id}, {"name", p.name}, {"tokens", std::move(tokens)}});
    }
    for (const auto& c : clusters_) {
        clusters.push_back(json::object{{"id", c.id}, {"project", c.project}, {"name", c.name}, {"state", c.state}});
    }
    for (const auto& o : job_objects_) {
        objects.push_back(json::object{{"id", o.id}, {"project", o.project}, {"name", o.name}});
    }
    for (auto& [id, j] : jobs_) {
        advance(j, now_ms);
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
            {"jobs", std::move(jobs)}};
}

reply sim_state::add_job(std::string_view body, std::int64_t now_ms) {
    auto bad = [](std::string_view msg) { return json_reply(400, json::object{{"error", msg}}); };
    boost::system::error_code ec;
    const json::value doc = json::parse(body.empty() ? std::string_view("{}") : body, ec);
    if (ec || !doc.is_object()) {
        return bad("the body must be a JSON object");
    }
    const json::object& in = doc.get_object();
    for (const auto& kv : in) {
        constexpr std::array<std::string_view, 6> keys{"project", "cluster_id", "state", "protected", "id", "job_name"};
        if (std::find(keys.begin(), keys.end(), kv.key()) == keys.end()) {
            return bad("unknown key: " + std::string(kv.key()));
        }
    }
    auto text = [&](std::string_view key) -> std::optional<std::string> {
        const json::value* v = in.if_contains(key);
        return v && v->is_string() ? std::optional<std::string>(v->get_string()) : std::nullopt;
    };
    for (std::string_view key : {"project", "cluster_id", "state", "id", "job_name"}) {
        if (in.contains(key) && !text(key)) {
            return bad(std::string(key) + " must be a string");
        }
    }
    if (in.contains("protected") && !in.at("protected").is_bool()) {
        return bad("protected must be a boolean");
    }

    // Defaults: the cluster's project, else the first project; that project's first cluster.
    std::optional<std::string> project_id = text("project");
    const std::optional<std::string> cluster_id = text("cluster_id");
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
        return bad("unknown project");
    }
    const cluster* c = nullptr;
    for (const auto& candidate : clusters_) {
        if (candidate.project == *project_id && (!cluster_id || candidate.id == *cluster_id)) {
            c = &candidate;
            break;
        }
    }
    if (!c) {
        return bad("unknown cluster for that project");
    }
    const auto status = parse_status(text("state").value_or("running"));
    if (!status) {
        return bad("state must be starting, running, succeeded, failed, killed, abnormal or error");
    }
    std::string id = text("id").value_or(new_uuid());
    if (!is_uuid(id) || jobs_.contains(id)) {
        return bad("id must be a new lower-case UUID");
    }

    // sim choice: jobs made here hold their state until cancelled, like the seeded ones.
    job_execution j;
    j.id = id;
    j.project = *project_id;
    j.cluster_id = c->id;
    j.job_name = text("job_name").value_or("sim-job");
    j.status = *status;
    j.is_protected = in.contains("protected") && in.at("protected").get_bool();
    j.created_ms = j.updated_ms = j.start_ms = now_ms;
    if (is_finished(*status)) {
        j.end_ms = now_ms;
    }
    jobs_.emplace(id, std::move(j));
    return json_reply(201, json::object{{"id", id}});
}

}  // namespace mrs_sim
