// MRS simulator: the v2 job API (mrs-api.md §2 I–M) under
// /v2/{project_id}/clusters/{cluster_id}/job-executions, its demo jobs and its seeding.
// v2 jobs have ids of their own (§1): v1.1 paths never see them, nor they v1.1 jobs.
#include "sim_state.hpp"
#include "sim_util.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <iterator>
#include <limits>

namespace mrs_sim {

using namespace detail;

namespace {

// mrs-api.md §2I: the job types a submit takes; SparkPython is stored as SparkSubmit.
constexpr std::array<std::string_view, 9> v2_job_types{
    "MapReduce", "SparkSubmit", "SparkPython", "HiveScript", "HiveSql", "DistCp", "SparkScript", "SparkSql", "Flink"};
// §3.2: the values of the job_state and job_result filters.
constexpr std::array<std::string_view, 8> v2_states{"FAILED",    "KILLED",   "NEW",     "NEW_SAVING",
                                                    "SUBMITTED", "ACCEPTED", "RUNNING", "FINISHED"};
constexpr std::array<std::string_view, 4> v2_results{"FAILED", "KILLED", "UNDEFINED", "SUCCEEDED"};

// §2I: characters arguments and properties may not hold.
constexpr std::string_view argument_forbidden = ";|&>'<$";
constexpr std::string_view property_forbidden = "><|'`&!\\";
constexpr std::size_t arguments_max = 4096;   // characters in all, OTC docs
constexpr std::size_t properties_max = 2048;  // characters in all, keys and values

// sim choice: the user of jobs submitted through the API, the user name of the identity
// answers; the queue is YARN's default one.
constexpr std::string_view sim_user = "sim-user";
constexpr std::string_view default_queue = "default";

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& values, std::string_view v) {
    return std::find(values.begin(), values.end(), v) != values.end();
}

bool only_chars(std::string_view s, std::string_view allowed_punct) {
    return std::all_of(s.begin(), s.end(), [&](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               allowed_punct.find(c) != std::string_view::npos;
    });
}

bool valid_job_name(std::string_view s) {
    return !s.empty() && s.size() <= 64 && only_chars(s, "_-");  // §2I
}

// §2J: arguments and properties travel as Java's List.toString and Map.toString text.
std::string java_list(const json::array& items) {
    std::string out = "[";
    for (const auto& v : items) {
        out += (out.size() > 1 ? ", " : "") + std::string(v.get_string());
    }
    return out + "]";
}

std::string java_map(const json::object& map) {
    // sim choice: the keys in the order the body gave them (as a LinkedHashMap keeps them).
    std::string out = "{";
    for (const auto& kv : map) {
        out += (out.size() > 1 ? ", " : "") + std::string(kv.key()) + "=" + std::string(kv.value().get_string());
    }
    return out + "}";
}

// Checks the optional arguments of a submit body; "" when good, else what is wrong.
std::string check_arguments(const json::value* v, bool limits) {
    if (!v || v->is_null()) {
        return {};
    }
    if (!v->is_array()) {
        return "arguments must be an array of strings";
    }
    std::size_t total = 0;
    for (const auto& a : v->get_array()) {
        if (!a.is_string()) {
            return "arguments must be an array of strings";
        }
        total += a.get_string().size();
        if (limits && std::string_view(a.get_string()).find_first_of(argument_forbidden) != std::string_view::npos) {
            return "arguments may not contain any of ;|&>'<$";
        }
    }
    return limits && total > arguments_max ? "arguments exceed 4096 characters" : "";
}

std::string check_properties(const json::value* v, bool limits) {
    if (!v || v->is_null()) {
        return {};
    }
    if (!v->is_object()) {
        return "properties must be an object of strings";
    }
    std::size_t total = 0;
    for (const auto& kv : v->get_object()) {
        if (!kv.value().is_string()) {
            return "properties must be an object of strings";
        }
        const std::string_view value = kv.value().get_string();
        total += kv.key().size() + value.size();
        if (limits && (kv.key().find_first_of(property_forbidden) != std::string_view::npos ||
                       value.find_first_of(property_forbidden) != std::string_view::npos)) {
            return "properties may not contain any of ><|'`&!\\";
        }
    }
    return limits && total > properties_max ? "properties exceed 2048 characters" : "";
}

std::string stored_type(std::string_view type) {
    return type == "SparkPython" ? "SparkSubmit" : std::string(type);  // §2I
}

// YARN application ids: "application_<RM start ms>_<number, at least 4 digits>".
std::string application_id(std::int64_t epoch_ms, std::uint64_t number) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "application_%lld_%04llu", static_cast<long long>(epoch_ms),
                  static_cast<unsigned long long>(number));
    return buf;
}

// Jobs of a cluster in submission order, oldest first, ties by id.
bool submitted_before(const v2_job* a, const v2_job* b) {
    return a->created_ms != b->created_ms ? a->created_ms < b->created_ms : a->id < b->id;
}

// sim choice: the default id of the n-th v2 bulk job: like the v1.1 ones, with 9 for the
// variant digit, so that no default v2 id is a default v1.1 id.
std::string bulk_v2_id(std::uint64_t n) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%08x-0000-4000-9000-%012llu", static_cast<unsigned>(bulk_scramble(n)),
                  static_cast<unsigned long long>(n));
    return buf;
}

const std::string mapreduce_arguments =
    "[s3a://mrs-sim/program/hadoop-mapreduce-examples.jar, wordcount, s3a://mrs-sim/input/, s3a://mrs-sim/output/]";
const std::string spark_arguments =
    "[--class, org.apache.spark.examples.SparkPi, --master, yarn-cluster, "
    "s3a://mrs-sim/program/spark-examples.jar, 10000]";

}  // namespace

v2_codes v2_codes_of(job_status s) {
    // mrs-api.md §3.2: job_state is the YARN application state, job_result its final status
    // (UNDEFINED while it runs). FINISHED with FAILED occurs in the examples; KILLED with
    // KILLED is a job killed by hand. sim choice: abnormal and error, which the v1.1 API tells
    // apart (§3.1), are both YARN's FAILED/FAILED.
    switch (s) {
    case job_status::starting: return {"ACCEPTED", "UNDEFINED"};
    case job_status::running: return {"RUNNING", "UNDEFINED"};
    case job_status::succeeded: return {"FINISHED", "SUCCEEDED"};
    case job_status::failed: return {"FINISHED", "FAILED"};
    case job_status::killed: return {"KILLED", "KILLED"};
    case job_status::abnormal: return {"FAILED", "FAILED"};
    case job_status::error: return {"FAILED", "FAILED"};
    }
    return {"RUNNING", "UNDEFINED"};
}

void advance(v2_job& j, std::int64_t now_ms) {
    advance_life(j, now_ms);
}

json::object v2_view(const v2_job& j, std::int64_t now_ms) {
    // mrs-api.md §2J JobQueryBean, keys in the table's order. Times are epoch ms, 0 when unset
    // (§4); arguments and properties are strings. tracking_url (SDK only) is left out.
    const auto [state, result] = v2_codes_of(j.status);
    // It started if it left ACCEPTED before it ended (a job killed while ACCEPTED never ran).
    const bool started = j.status != job_status::starting && j.start_ms > 0 && (!j.end_ms || j.start_ms <= *j.end_ms);
    const std::int64_t started_time = started ? j.start_ms : 0;
    const std::int64_t elapsed = started ? std::max<std::int64_t>(0, j.end_ms.value_or(now_ms) - started_time) : 0;
    json::object o;
    o["job_id"] = j.id;
    o["user"] = j.user;
    o["job_name"] = j.job_name;
    o["job_result"] = result;
    o["job_state"] = state;
    // sim choice: 0 before it runs, 50 while it runs, 100 once ended (the documented examples
    // show 100 on an ended job); a whole number, as in the examples.
    o["job_progress"] = j.end_ms ? 100 : started ? 50 : 0;
    o["job_type"] = j.job_type;
    o["started_time"] = started_time;
    o["submitted_time"] = j.created_ms;
    o["finished_time"] = j.end_ms.value_or(0);
    o["elapsed_time"] = elapsed;
    o["arguments"] = j.arguments;
    o["properties"] = j.properties;
    // sim choice: the launcher is application 2n - 1 of the cluster's YARN, the job 2n; the
    // job's application id is "" until it runs.
    o["launcher_id"] = application_id(j.yarn_epoch_ms, 2 * j.serial - 1);
    o["app_id"] = started ? application_id(j.yarn_epoch_ms, 2 * j.serial) : "";
    o["queue"] = j.queue;
    return o;
}

const v2_job* sim_state::find_v2_job(std::string_view id) const {
    const auto it = v2_jobs_.find(id);
    return it == v2_jobs_.end() ? nullptr : &it->second;
}

v2_job& sim_state::insert_v2_job(v2_job j) {
    const auto [it, inserted] = v2_jobs_.emplace(j.id, std::move(j));
    v2_job& stored = it->second;
    if (inserted) {
        auto& rows = v2_by_cluster_[cluster_key{stored.project, stored.cluster_id}];
        rows.insert(std::upper_bound(rows.begin(), rows.end(), &stored, submitted_before), &stored);
        if (moves(stored)) {
            v2_moving_.insert(&stored);
        }
    }
    return stored;
}

void sim_state::erase_v2_job(v2_job& j) {
    auto& rows = v2_by_cluster_[cluster_key{j.project, j.cluster_id}];
    if (const auto at = std::lower_bound(rows.begin(), rows.end(), &j, submitted_before);
        at != rows.end() && *at == &j) {
        rows.erase(at);
    }
    v2_moving_.erase(&j);
    v2_jobs_.erase(v2_jobs_.find(j.id));
}

void sim_state::settle_v2(std::int64_t now_ms) {
    for (auto it = v2_moving_.begin(); it != v2_moving_.end();) {
        advance(**it, now_ms);
        it = moves(**it) ? std::next(it) : v2_moving_.erase(it);
    }
}

v2_job* sim_state::visible_v2_job(const route& r, std::int64_t now_ms) {
    // A v2 job id is valid under its own cluster only (§1): another cluster's job, even of the
    // same project, does not exist here.
    const auto it = v2_jobs_.find(std::string_view(r.id));
    if (it == v2_jobs_.end() || it->second.project != r.project || it->second.cluster_id != r.cluster) {
        return nullptr;
    }
    advance(it->second, now_ms);
    return &it->second;
}

reply sim_state::v2_call(const route& r, std::string_view body, std::int64_t now_ms) {
    // sim choice: the cluster is checked first (unknown or terminated: the camelCase 12000003
    // of §5.1(2)), then its version (§1: 0167 below MRS 1.9.2), then the call itself.
    const cluster* c = job_cluster(r.project, r.cluster);
    if (!c) {
        return cluster_not_found();
    }
    if (!supports_v2(*c)) {
        // mrs-api.md §5.3: 0167, the v2 job API cannot be used on this cluster version.
        // sim choice: HTTP 400, as the HW table gives for the job codes and real calls show.
        return mrs_error(400, "0167",
                         "The v2 job API cannot be accessed. Use the v1 job API for this cluster version.");
    }
    switch (r.ep) {
    case endpoint::v2_submit: return v2_submit(r, *c, body, now_ms);
    case endpoint::v2_list: return v2_list(r, now_ms);
    case endpoint::v2_show:
        if (const v2_job* j = visible_v2_job(r, now_ms)) {
            return json_reply(202, json::object{{"job_detail", v2_view(*j, now_ms)}});  // §2K: 202
        }
        return job_not_found();  // §2K: 400 0176
    case endpoint::v2_kill: return v2_kill(r, now_ms);
    case endpoint::v2_delete: return v2_delete(r, body, now_ms);
    default: break;
    }
    return mrs_error(404, "12000002", "The API does not exist.");
}

reply sim_state::v2_submit(const route& r, const cluster& c, std::string_view body, std::int64_t now_ms) {
    boost::system::error_code ec;
    const json::value doc = json::parse(body, ec);
    if (ec || !doc.is_object()) {
        return invalid_parameter("the body must be a JSON object");
    }
    const json::object& in = doc.get_object();
    // mrs-api.md §2I: job_type and job_name are required; arguments and properties optional,
    // with limits on length and characters. sim choice: other keys are ignored, and a body
    // fault is 400 12000002 (§5.3: invalid parameter).
    const json::value* type = in.if_contains("job_type");
    if (!type || !type->is_string() || !one_of(v2_job_types, type->get_string())) {
        return invalid_parameter(
            "job_type must be one of MapReduce, SparkSubmit, SparkPython, HiveScript, HiveSql, "
            "DistCp, SparkScript, SparkSql, Flink");
    }
    const json::value* name = in.if_contains("job_name");
    if (!name || !name->is_string() || !valid_job_name(name->get_string())) {
        return invalid_parameter("job_name must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -");
    }
    const json::value* arguments = in.if_contains("arguments");
    const json::value* properties = in.if_contains("properties");
    for (const std::string& problem : {check_arguments(arguments, true), check_properties(properties, true)}) {
        if (!problem.empty()) {
            return invalid_parameter(problem);
        }
    }
    // §5.3: 12000062, no jobs on a cluster in this state.
    if (c.state != "running" && c.state != "scaling-out" && c.state != "scaling-in") {
        return cluster_busy(c);
    }
    // §5.3: 0168 / 0169 (and 0057 for Spark): a cluster without the engine takes no such job.
    // sim choice: HTTP 400 and the cluster's component list decides.
    const std::string job_type = stored_type(type->get_string());
    auto has = [&](std::string_view component) {
        return std::find(c.components.begin(), c.components.end(), component) != c.components.end();
    };
    if ((job_type == "HiveScript" || job_type == "HiveSql") && !has("Hive")) {
        return mrs_error(400, "0168", "Hive jobs cannot be submitted.");
    }
    if (job_type == "Flink" && !has("Flink")) {
        return mrs_error(400, "0169", "Flink jobs cannot be submitted.");
    }
    if (job_type.starts_with("Spark") && !has("Spark2x")) {
        return mrs_error(400, "0057", "Spark jobs cannot be submitted.");
    }

    v2_job j;
    do {
        j.id = new_uuid();
    } while (v2_jobs_.contains(j.id));
    j.project = r.project;
    j.cluster_id = c.id;
    j.job_name = name->get_string();
    j.job_type = job_type;
    j.user = sim_user;
    j.queue = default_queue;
    j.arguments = arguments && arguments->is_array() ? java_list(arguments->get_array()) : "[]";
    j.properties = properties && properties->is_object() ? java_map(properties->get_object()) : "{}";
    j.created_ms = j.updated_ms = now_ms;
    j.status = job_status::starting;  // ACCEPTED, then RUNNING after --start-delay-ms
    j.running_at_ms = j.start_ms = now_ms + opts_.start_delay_ms;
    if (opts_.run_ms > 0) {
        j.succeed_at_ms = *j.running_at_ms + opts_.run_ms;
    }
    j.yarn_epoch_ms = c.created_ms;
    j.serial = ++v2_serial_;
    const v2_job& stored = insert_v2_job(std::move(j));
    // §2I: {"job_submit_result": {"job_id", "state": "COMPLETE"}}. sim choice: HTTP 200; the
    // status is undocumented (§1 and §9: accept 200, 201 and 202), and 200 is what the v1.1
    // submit (§2F) answers.
    return json_reply(200,
                      json::object{{"job_submit_result", json::object{{"job_id", stored.id}, {"state", "COMPLETE"}}}});
}

reply sim_state::v2_list(const route& r, std::int64_t now_ms) {
    // mrs-api.md §2J. sim choices where it is silent: limit has no maximum (1..2147483647);
    // offset is a 1-based page number (default 1), so a page holds rows
    // (offset-1)*limit+1 .. offset*limit; filters match exactly; submitted_time_begin and
    // _end are both inclusive; ties in submitted_time go by job_id (reversed by desc).
    std::optional<std::int64_t> limit, offset, begin, end;
    if (!int_param(r.query, "limit", 1, 2147483647, limit)) {
        return invalid_parameter("limit must be a positive integer");
    }
    if (!int_param(r.query, "offset", 1, 2147483647, offset)) {
        return invalid_parameter("offset must be a positive integer");
    }
    if (!int_param(r.query, "submitted_time_begin", 0, std::numeric_limits<std::int64_t>::max(), begin)) {
        return invalid_parameter("submitted_time_begin must be epoch milliseconds");
    }
    if (!int_param(r.query, "submitted_time_end", 0, std::numeric_limits<std::int64_t>::max(), end)) {
        return invalid_parameter("submitted_time_end must be epoch milliseconds");
    }
    bool desc = true;  // §2J: the default is desc
    if (const std::string* s = param(r.query, "sort_by")) {
        if (*s != "asc" && *s != "desc") {
            return invalid_parameter("sort_by must be asc or desc");
        }
        desc = *s == "desc";
    }
    const std::string* job_name = param(r.query, "job_name");
    const std::string* job_id = param(r.query, "job_id");
    const std::string* user = param(r.query, "user");
    const std::string* job_type = param(r.query, "job_type");
    const std::string* job_state = param(r.query, "job_state");
    const std::string* job_result = param(r.query, "job_result");
    const std::string* queue = param(r.query, "queue");
    // §2J: the documented value ranges (job_name: HW's 1–128, the widest).
    if (job_name && (job_name->empty() || job_name->size() > 128)) {
        return invalid_parameter("job_name must be 1 to 128 characters");
    }
    if (job_id && (job_id->empty() || job_id->size() > 64 || !only_chars(*job_id, "-"))) {
        return invalid_parameter("job_id must be 1 to 64 characters of A-Z, a-z, 0-9 and -");
    }
    if (user && (user->empty() || user->size() > 32 || !only_chars(*user, "-_.") ||
                 std::isdigit(static_cast<unsigned char>(user->front())))) {
        return invalid_parameter(
            "user must be 1 to 32 characters of A-Z, a-z, 0-9, -, _ and ., not starting with a digit");
    }
    if (queue && (queue->empty() || queue->size() > 64 || !only_chars(*queue, "-_"))) {
        return invalid_parameter("queue must be 1 to 64 characters of A-Z, a-z, 0-9, - and _");
    }
    if (job_type && !one_of(v2_job_types, *job_type)) {
        return invalid_parameter("job_type");
    }
    // sim choice: "New", the OTC docs' spelling (§3.2, §9), is taken for NEW.
    std::optional<std::string_view> state_filter;
    if (job_state) {
        state_filter = *job_state == "New" ? std::string_view("NEW") : std::string_view(*job_state);
        if (!one_of(v2_states, *state_filter)) {
            return invalid_parameter("job_state");
        }
    }
    if (job_result && !one_of(v2_results, *job_result)) {
        return invalid_parameter("job_result");
    }

    settle_v2(now_ms);  // state filters and rendered states are those of now
    static const std::vector<const v2_job*> none;
    const auto found = v2_by_cluster_.find(cluster_key{r.project, r.cluster});
    const auto& rows = found == v2_by_cluster_.end() ? none : found->second;
    // The submitted_time window, by binary search: the rows are in submission order.
    auto from = rows.begin();
    auto to = rows.end();
    if (begin) {
        from = std::partition_point(rows.begin(), rows.end(), [&](const v2_job* j) { return j->created_ms < *begin; });
    }
    if (end) {
        to = std::partition_point(from, rows.end(), [&](const v2_job* j) { return j->created_ms <= *end; });
    }
    if (from > to) {
        to = from;
    }
    const auto size = static_cast<std::size_t>(limit.value_or(10));
    const auto first = static_cast<std::size_t>(offset.value_or(1) - 1) * size;
    json::array items;
    std::size_t total = 0;
    const bool filtered = job_name || job_id || user || job_type || job_state || job_result || queue;
    auto visit = [&](auto it, auto stop) {
        if (!filtered) {
            // No filter: the page is a slice of the index.
            total = static_cast<std::size_t>(std::distance(it, stop));
            if (first >= total) {
                return;
            }
            std::advance(it, static_cast<std::ptrdiff_t>(first));
            for (std::size_t i = first; it != stop && i < first + size; ++it, ++i) {
                items.push_back(v2_view(**it, now_ms));
            }
            return;
        }
        for (; it != stop; ++it) {
            const v2_job& j = **it;
            const v2_codes codes = v2_codes_of(j.status);
            if ((job_name && j.job_name != *job_name) || (job_id && j.id != *job_id) || (user && j.user != *user) ||
                (job_type && j.job_type != *job_type) || (state_filter && codes.job_state != *state_filter) ||
                (job_result && codes.job_result != *job_result) || (queue && j.queue != *queue)) {
                continue;
            }
            if (total >= first && total - first < size) {
                items.push_back(v2_view(j, now_ms));
            }
            ++total;
        }
    };
    if (desc) {
        visit(std::make_reverse_iterator(to), std::make_reverse_iterator(from));
    } else {
        visit(from, to);
    }
    // §2J: 202, snake_case total_record (v1.1 job-exes says totalRecord).
    return json_reply(202, json::object{{"total_record", total}, {"job_list", std::move(items)}});
}

reply sim_state::v2_kill(const route& r, std::int64_t now_ms) {
    v2_job* j = visible_v2_job(r, now_ms);
    if (!j) {
        return job_not_found();
    }
    if (is_finished(j->status)) {
        // mrs-api.md §2L and §9: undocumented for a finished job, so --kill-finished chooses:
        // 202 and the job unchanged, or 400 0175 "Failed to terminate the job." (§2L's
        // failure example, HTTP 400 in the HW docs).
        if (opts_.refuse_kill_finished) {
            return mrs_error(400, "0175", "Failed to terminate the job.");
        }
    } else if (!j->kill_at_ms) {
        // §2L: 202 accepts the kill, which lands later (poll K); a repeated kill keeps the deadline.
        j->kill_at_ms = now_ms + opts_.kill_delay_ms;
        v2_moving_.insert(j);
    }
    return {202, {}, {}};  // §2L: no body
}

reply sim_state::v2_delete(const route& r, std::string_view body, std::int64_t now_ms) {
    boost::system::error_code ec;
    const json::value doc = json::parse(body, ec);
    const json::value* list = !ec && doc.is_object() ? doc.get_object().if_contains("job_id_list") : nullptr;
    if (!list || !list->is_array() || list->get_array().empty() ||
        !std::all_of(list->get_array().begin(), list->get_array().end(),
                     [](const json::value& v) { return v.is_string(); })) {
        return invalid_parameter("job_id_list must be a non-empty array of job ids");
    }
    // sim choice: all or nothing. Every id is checked, in the list's order, before any job
    // goes: a blank id is 0178, an id not on this cluster 0176, a job that has not ended 0183
    // "The job is running." (§2M, §5.3); all HTTP 400. A repeated id counts once.
    std::vector<v2_job*> doomed;
    for (const auto& v : list->get_array()) {
        const std::string_view id = v.get_string();
        if (id.empty()) {
            return mrs_error(400, "0178", "The job ID cannot be blank.");
        }
        route one = r;
        one.id = id;
        v2_job* j = visible_v2_job(one, now_ms);
        if (!j) {
            return job_not_found();
        }
        if (!is_finished(j->status)) {
            return mrs_error(400, "0183", "The job is running.");
        }
        if (std::find(doomed.begin(), doomed.end(), j) == doomed.end()) {
            doomed.push_back(j);
        }
    }
    for (v2_job* j : doomed) {
        erase_v2_job(*j);
    }
    // §1 M: the status is undocumented; 202 as golangsdk's test server answers. §2M: no body.
    return {202, {}, {}};
}

json::array sim_state::render_v2_jobs(std::int64_t now_ms) {
    settle_v2(now_ms);
    json::array out;
    for (const auto& [id, j] : v2_jobs_) {
        const auto [state, result] = v2_codes_of(j.status);
        out.push_back(json::object{{"id", j.id},
                                   {"project", j.project},
                                   {"cluster_id", j.cluster_id},
                                   {"job_name", j.job_name},
                                   {"job_type", j.job_type},
                                   {"status", status_name(j.status)},
                                   {"job_state", state},
                                   {"job_result", result},
                                   {"user", j.user},
                                   {"queue", j.queue},
                                   {"kill_pending", j.kill_at_ms.has_value()}});
    }
    return out;
}

// ---------------------------------------------------------------------------------------
// Seeding

void sim_state::seed_demo_v2() {
    // sim choice: fixed ids d1000000-... (demo project) and d2000000-... (other project), times
    // fixed offsets before the start, and like all seeded jobs they hold their state until killed.
    const std::int64_t base = start_ms_ / 1000 * 1000;
    struct seed {
        std::string_view id, project, cluster, name, type, user, queue;
        job_status status;
        std::int64_t submitted_s_ago, ended_s_ago;  // ended_s_ago < 0: still going
    };
    // clang-format off
    constexpr std::array<seed, 9> seeds{{
        {demo::v2_running,       demo::project,       demo::cluster_1,     "v2-wordcount-hourly", "MapReduce",   "sim-user", "default", job_status::running,   3000, -1},
        {demo::v2_accepted,      demo::project,       demo::cluster_2,     "v2-spark-pi-adhoc",   "SparkSubmit", "sim-user", "default", job_status::starting,    30, -1},
        {demo::v2_succeeded,     demo::project,       demo::cluster_1,     "v2-wordcount-daily",  "MapReduce",   "etl-bot",  "etl",     job_status::succeeded, 7200, 6600},
        {demo::v2_failed,        demo::project,       demo::cluster_2,     "v2-spark-pi-broken",  "SparkSubmit", "sim-user", "default", job_status::failed,    7000, 6900},
        {demo::v2_killed,        demo::project,       demo::cluster_3,     "v2-hive-stopped",     "HiveScript",  "etl-bot",  "etl",     job_status::killed,    5000, 4900},
        {demo::v2_error,         demo::project,       demo::cluster_4,     "v2-sparksql-error",   "SparkSql",    "sim-user", "default", job_status::error,     4000, 3990},
        {demo::v2_running_c5,    demo::project,       demo::cluster_5,     "v2-flink-stream",     "Flink",       "sim-user", "default", job_status::running,   1500, -1},
        {demo::v2_succeeded_c5,  demo::project,       demo::cluster_5,     "v2-distcp-import",    "DistCp",      "sim-user", "default", job_status::succeeded, 6000, 5400},
        {demo::v2_other_running, demo::other_project, demo::other_cluster, "v2-other-team-job",   "MapReduce",   "sim-user", "default", job_status::running,   1200, -1},
    }};
    // clang-format on
    for (const auto& s : seeds) {
        const cluster* c = find_cluster(s.project, s.cluster);
        v2_job j;
        j.id = s.id;
        j.project = s.project;
        j.cluster_id = s.cluster;
        j.job_name = s.name;
        j.job_type = s.type;
        j.user = s.user;
        j.queue = s.queue;
        j.arguments = s.type == "SparkSubmit" ? spark_arguments : s.type == "MapReduce" ? mapreduce_arguments : "[]";
        j.properties = s.type == "SparkSubmit" ? "{spark.executor.memory=2g, spark.executor.cores=2}" : "{}";
        j.status = s.status;
        j.created_ms = j.updated_ms = base - s.submitted_s_ago * 1000;
        // Accepted jobs have not started; the others started 10 s after they were submitted.
        j.start_ms = s.status == job_status::starting ? 0 : j.created_ms + 10000;
        if (s.ended_s_ago >= 0) {
            j.end_ms = j.updated_ms = base - s.ended_s_ago * 1000;
        }
        j.yarn_epoch_ms = c ? c->created_ms : base;
        j.serial = ++v2_serial_;
        insert_v2_job(std::move(j));
    }
}

reply sim_state::add_v2_job(const json::object& in, std::int64_t now_ms) {
    for (const auto& kv : in) {
        constexpr std::array<std::string_view, 10> keys{"project",  "cluster_id", "state", "id",        "job_name",
                                                        "job_type", "user",       "queue", "arguments", "properties"};
        if (std::find(keys.begin(), keys.end(), kv.key()) == keys.end()) {
            return bad_control("unknown key with api v2: " + std::string(kv.key()));
        }
    }
    auto text = [&](std::string_view key) -> std::optional<std::string> {
        const json::value* v = in.if_contains(key);
        return v && v->is_string() ? std::optional<std::string>(v->get_string()) : std::nullopt;
    };
    for (std::string_view key : {"project", "cluster_id", "state", "id", "job_name", "job_type", "user", "queue"}) {
        if (in.contains(key) && !text(key)) {
            return bad_control(std::string(key) + " must be a string");
        }
    }
    for (const std::string& problem :
         {check_arguments(in.if_contains("arguments"), false), check_properties(in.if_contains("properties"), false)}) {
        if (!problem.empty()) {
            return bad_control(problem);
        }
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
    const std::string type = text("job_type").value_or("MapReduce");
    if (!one_of(v2_job_types, type)) {
        return bad_control("job_type must be a v2 job type (mrs-api.md §2I)");
    }
    std::string id = text("id").value_or("");
    if (id.empty()) {
        do {
            id = new_uuid();
        } while (v2_jobs_.contains(id));
    }
    if (!is_uuid(id) || v2_jobs_.contains(id)) {
        return bad_control("id must be a lower-case UUID new among v2 jobs");
    }
    v2_job j;
    j.id = id;
    j.project = c->project;
    j.cluster_id = c->id;
    j.job_name = text("job_name").value_or("sim-v2-job");
    j.job_type = stored_type(type);
    j.user = text("user").value_or(std::string(sim_user));
    j.queue = text("queue").value_or(std::string(default_queue));
    const json::value* arguments = in.if_contains("arguments");
    const json::value* properties = in.if_contains("properties");
    j.arguments = arguments && arguments->is_array() ? java_list(arguments->get_array()) : "[]";
    j.properties = properties && properties->is_object() ? java_map(properties->get_object()) : "{}";
    j.status = *status;
    j.created_ms = j.updated_ms = now_ms;
    j.start_ms = *status == job_status::starting ? 0 : now_ms;
    if (is_finished(*status)) {
        j.end_ms = now_ms;
    }
    j.yarn_epoch_ms = c->created_ms;
    j.serial = ++v2_serial_;
    insert_v2_job(std::move(j));
    return json_reply(201, json::object{{"id", id}});
}

reply sim_state::add_v2_jobs(const json::object& in, std::int64_t now_ms) {
    // The bulk form, as for v1.1 jobs (same keys and meaning), in the v2 id space.
    bulk_spec spec;
    if (auto bad = parse_bulk(in, spec)) {
        return std::move(*bad);
    }
    const std::size_t n = spec.count;
    std::vector<std::string> ids;
    ids.reserve(n);
    while (ids.size() < n) {
        if (spec.prefix) {
            const std::string number = std::to_string(ids.size() + 1);
            ids.push_back(
                uuid_form(*spec.prefix + std::string(32 - spec.prefix->size() - number.size(), '0') + number));
            if (v2_jobs_.contains(ids.back())) {
                return bad_control("id_prefix gives an id that exists: " + ids.back());
            }
        } else {
            std::string id = bulk_v2_id(++v2_bulk_serial_);
            if (!v2_jobs_.contains(id)) {  // a default id taken by other means is skipped
                ids.push_back(std::move(id));
            }
        }
    }
    const std::string project_id = spec.p->id;
    const std::vector<std::string> used = first_clusters(project_id, spec.clusters, now_ms);
    std::vector<std::int64_t> yarn_epoch;
    for (const auto& id : used) {
        yarn_epoch.push_back(find_cluster(project_id, id)->created_ms);
    }

    // sim choice: as for v1.1 bulk jobs, job i of n (from 0) runs on cluster i mod K as job
    // i / K of that cluster, takes its state from the weighted cycle, and was submitted
    // (n - i) s before now; a job that is not ACCEPTED started then, and an ended one ended
    // 500 ms later. The types alternate MapReduce (wordcount-<i+1>) and SparkSubmit
    // (spark-pi-<i+1>) within a cluster. They hold their state until killed.
    const std::int64_t base = now_ms / 1000 * 1000;
    std::vector<std::pair<std::vector<const v2_job*>*, std::size_t>> lists;  // and their sizes before
    for (const auto& c : used) {
        auto& rows = v2_by_cluster_[cluster_key{project_id, c}];
        lists.emplace_back(&rows, rows.size());
    }
    std::string first_id, last_id;
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t in_cluster = i / used.size();
        const bool spark = in_cluster % 2 == 1;
        v2_job j;
        j.id = std::move(ids[i]);
        j.project = project_id;
        j.cluster_id = used[i % used.size()];
        j.job_name = (spark ? "spark-pi-" : "wordcount-") + std::to_string(i + 1);
        j.job_type = spark ? "SparkSubmit" : "MapReduce";
        j.user = sim_user;
        j.queue = default_queue;
        j.arguments = spark ? spark_arguments : mapreduce_arguments;
        j.properties = "{}";
        j.status = spec.state_of(in_cluster);
        j.created_ms = j.updated_ms = base - static_cast<std::int64_t>(n - i) * 1000;
        j.start_ms = j.status == job_status::starting ? 0 : j.created_ms;
        if (is_finished(j.status)) {
            j.end_ms = j.updated_ms = j.created_ms + 500;
        }
        j.yarn_epoch_ms = yarn_epoch[i % used.size()];
        j.serial = ++v2_serial_;
        if (i == 0) {
            first_id = j.id;
        }
        if (i + 1 == n) {
            last_id = j.id;
        }
        const auto at = v2_jobs_.emplace(j.id, std::move(j)).first;
        lists[i % lists.size()].first->push_back(&at->second);
    }
    // Each cluster index: its rows, then the new ones in submission order; merge the two.
    for (const auto& [rows, before] : lists) {
        std::inplace_merge(rows->begin(), rows->begin() + static_cast<std::ptrdiff_t>(before), rows->end(),
                           submitted_before);
    }
    json::array clusters(used.begin(), used.end());
    return json_reply(201, json::object{{"created", n},
                                        {"project", project_id},
                                        {"clusters", std::move(clusters)},
                                        {"first_id", first_id},
                                        {"last_id", last_id}});
}

}  // namespace mrs_sim
