// MRS simulator: the Sahara-compatible job objects and data sources (GET
// /v1.1/{project_id}/jobs[/{id}] and GET /v1.1/{project_id}/data-sources[/{id}],
// sahara-clusters-and-templates.md §4), their demo set, the control calls that add them, and the
// switches of /_sim/switches (the job-object API gone, the unknown-id answer).
#include "sim_state.hpp"
#include "sim_util.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <array>
#include <compare>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace mrs_sim {

using namespace detail;

namespace {

// sahara-clusters-and-templates.md §4.3: the job object `type` of each job_type number 1..7.
constexpr std::array<std::string_view, 7> type_names{"MapReduce", "Spark",       "Hive",    "hql",
                                                     "DistCp",    "SparkScript", "SparkSql"};

constexpr std::array<std::pair<job_object_api, std::string_view>, 3> api_names{{
    {job_object_api::available, "available"},
    {job_object_api::gone, "gone"},
    {job_object_api::reads_gone, "reads-gone"},
}};

constexpr std::array<std::pair<not_found_style, std::string_view>, 2> not_found_names{{
    {not_found_style::mrs, "mrs"},
    {not_found_style::sahara, "sahara"},
}};

json::value iso_or_null(const std::optional<std::int64_t>& ms) {
    return ms ? json::value(iso_seconds(*ms)) : json::value(nullptr);
}

json::object binary_view(const job_binary& b, std::string_view project) {
    // sahara-clusters-and-templates.md §4.1: a binary in mains or libs has these keys, in the
    // example's order, with "extra": null (Sahara drops extra) and no times of its own.
    return {{"name", b.name},       {"url", b.url},           {"description", b.description},
            {"id", b.id},           {"tenant_id", project},   {"is_public", false},
            {"is_protected", false}, {"extra", nullptr}};
}

// A field a Sahara-compatible list sorts on.
template <class Item>
struct sort_key {
    std::string_view name;
    std::strong_ordering (*compare)(const Item&, const Item&);
};

// sim choice: §4.1 documents sort_by without naming its fields; these are the fields Sahara sorts
// job templates on (sahara-clusters-and-templates.md §2.5), for job objects and data sources alike.
constexpr std::array<sort_key<job_object>, 5> job_object_keys{{
    {"id", [](const job_object& a, const job_object& b) { return a.id <=> b.id; }},
    {"name", [](const job_object& a, const job_object& b) { return a.name <=> b.name; }},
    {"type",
     [](const job_object& a, const job_object& b) { return job_object_type(a.type) <=> job_object_type(b.type); }},
    {"created_at", [](const job_object& a, const job_object& b) { return a.created_ms <=> b.created_ms; }},
    {"updated_at", [](const job_object& a, const job_object& b) { return a.updated_ms <=> b.updated_ms; }},
}};

constexpr std::array<sort_key<data_source>, 5> data_source_keys{{
    {"id", [](const data_source& a, const data_source& b) { return a.id <=> b.id; }},
    {"name", [](const data_source& a, const data_source& b) { return a.name <=> b.name; }},
    {"type", [](const data_source& a, const data_source& b) { return a.type <=> b.type; }},
    {"created_at", [](const data_source& a, const data_source& b) { return a.created_ms <=> b.created_ms; }},
    // sim choice: a null updated_at (never updated) sorts first.
    {"updated_at", [](const data_source& a, const data_source& b) { return a.updated_ms <=> b.updated_ms; }},
}};

// The list of a Sahara-compatible collection (sahara-clusters-and-templates.md §4.1): limit,
// marker and sort_by, and {"markers": {"prev", "next"}, <envelope>: [...]}.
template <class Item, std::size_t N, class NotFound>
reply sahara_list(const query_params& q, std::vector<const Item*> rows, const std::array<sort_key<Item>, N>& keys,
                  json::object (*view)(const Item&), std::string_view envelope, NotFound not_found) {
    // §4.1: limit 1..1073741822. sim choice: a bad limit or sort_by is 400 12000002, as on the
    // job-executions list.
    std::optional<std::int64_t> limit;
    if (!int_param(q, "limit", 1, 1073741822, limit)) {
        return invalid_parameter("limit must be an integer from 1 to 1073741822");
    }
    const sort_key<Item>* order = &keys.front();  // sim choice: by id when sort_by is absent
    bool desc = false;
    if (const std::string* s = param(q, "sort_by")) {
        // §4.1: sort_by=field, or -field for descending.
        std::string_view field = *s;
        if (field.starts_with('-')) {
            desc = true;
            field.remove_prefix(1);
        }
        const auto it = std::find_if(keys.begin(), keys.end(), [&](const sort_key<Item>& k) { return k.name == field; });
        if (it == keys.end()) {
            return invalid_parameter("sort_by");
        }
        order = &*it;
    }
    // sim choice: ties go by id, so pages never overlap; -field reverses the whole order.
    std::sort(rows.begin(), rows.end(), [&](const Item* a, const Item* b) {
        const auto c = order->compare(*a, *b);
        return c != 0 ? c < 0 : a->id < b->id;
    });
    if (desc) {
        std::reverse(rows.begin(), rows.end());
    }
    // §4.1: the marker is "the ID of the last element in the list that will not be returned":
    // the page starts after it. sim choice: an unknown marker gets the unknown-id answer.
    const std::size_t total = rows.size();
    std::optional<std::size_t> marker;
    if (const std::string* m = param(q, "marker")) {
        const auto it = std::find_if(rows.begin(), rows.end(), [&](const Item* i) { return i->id == *m; });
        if (it == rows.end()) {
            return not_found(*m);
        }
        marker = static_cast<std::size_t>(it - rows.begin());
    }
    const std::size_t from = marker ? *marker + 1 : 0;
    const std::size_t to = limit ? std::min(total, from + static_cast<std::size_t>(*limit)) : total;
    json::array items;
    for (std::size_t i = from; i < to; ++i) {
        items.push_back(view(*rows[i]));
    }
    // §4.1: markers holds prev and next, each a string or null, and is always there. The data
    // source example answers a marker with a prev that is not that marker, and a full last page
    // with next null. sim choice, which fits it: prev is Sahara's (§2.5), the id limit rows
    // before the marker (the marker of the page before), null when that falls before the start;
    // next is the page's last id when more rows follow. Without limit both are null (Sahara's rule).
    json::value prev = nullptr, next = nullptr;
    if (limit) {
        const auto n = static_cast<std::size_t>(*limit);
        if (marker && *marker >= n) {
            prev = json::value(rows[*marker - n]->id);
        }
        if (to < total && to > from) {
            next = json::value(rows[to - 1]->id);
        }
    }
    json::object body;
    body["markers"] = json::object{{"prev", prev}, {"next", next}};
    body[envelope] = std::move(items);
    return json_reply(200, body);
}

// sahara-clusters-and-templates.md §4.1: names of 1 to max characters of [A-Za-z0-9_-] (job
// objects 64, data sources 80).
bool valid_name(std::string_view name, std::size_t max) {
    return !name.empty() && name.size() <= max && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    });
}

// The fixed ids of the demo's job binaries: e<project digit>000000-0000-4000-8000-00000000000n.
std::string binary_id(int project, int n) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "e%d000000-0000-4000-8000-%012d", project, n);
    return buf;
}

}  // namespace

std::string_view job_object_type(int type) {
    return type >= 1 && type <= 7 ? type_names[static_cast<std::size_t>(type - 1)] : std::string_view();
}

std::optional<int> parse_job_object_type(std::string_view name) {
    for (std::size_t i = 0; i < type_names.size(); ++i) {
        if (type_names[i] == name) {
            return static_cast<int>(i + 1);
        }
    }
    return std::nullopt;
}

std::string_view job_object_api_name(job_object_api a) {
    for (const auto& [value, name] : api_names) {
        if (value == a) {
            return name;
        }
    }
    return "available";
}

std::optional<job_object_api> parse_job_object_api(std::string_view name) {
    for (const auto& [value, text] : api_names) {
        if (text == name) {
            return value;
        }
    }
    return std::nullopt;
}

std::string_view not_found_style_name(not_found_style s) {
    return s == not_found_style::sahara ? "sahara" : "mrs";
}

std::optional<not_found_style> parse_not_found_style(std::string_view name) {
    for (const auto& [value, text] : not_found_names) {
        if (text == name) {
            return value;
        }
    }
    return std::nullopt;
}

json::object job_object_view(const job_object& o) {
    // sahara-clusters-and-templates.md §4.1: exactly Sahara v1.1's keys, in the order of the
    // documented example; times "YYYY-MM-DDTHH:MM:SS" as in the example.
    json::array mains, libs;
    for (const auto& b : o.mains) {
        mains.push_back(binary_view(b, o.project));
    }
    for (const auto& b : o.libs) {
        libs.push_back(binary_view(b, o.project));
    }
    json::object v;
    v["name"] = o.name;
    v["type"] = job_object_type(o.type);  // §4.3: a string here, where job executions carry a number
    v["description"] = o.description;
    v["mains"] = std::move(mains);  // §4.1: arrays of binaries, [] when there are none
    v["libs"] = std::move(libs);
    v["created_at"] = iso_seconds(o.created_ms);
    v["updated_at"] = iso_seconds(o.updated_ms);
    v["id"] = o.id;
    v["tenant_id"] = o.project;
    // §4.1: is_public, is_protected and interface are "not supported by the current version";
    // the example shows false, false and [].
    v["is_public"] = false;
    v["is_protected"] = false;
    v["interface"] = json::array{};
    return v;
}

json::object data_source_view(const data_source& d) {
    // sahara-clusters-and-templates.md §4.1: the keys of the documented list example, in its
    // order; updated_at is null until the data source is updated.
    json::object v;
    v["name"] = d.name;
    v["type"] = d.type;
    v["url"] = d.url;
    v["description"] = d.description;
    v["created_at"] = iso_seconds(d.created_ms);
    v["updated_at"] = iso_or_null(d.updated_ms);
    v["id"] = d.id;
    v["tenant_id"] = d.project;
    v["is_public"] = false;  // §4.1: not supported; false in the examples
    v["is_protected"] = false;
    return v;
}

void sim_state::seed_demo_resources() {
    // sim choice: times are whole days before the start; the ids are fixed (see demo::).
    const std::string p1(demo::project), p2(demo::other_project);
    const std::int64_t base = start_ms_ / 1000 * 1000, day = 86400000;
    auto object = [&](std::string_view id, const std::string& project, std::string_view name, int type,
                      std::string_view description, std::int64_t made_days_ago, std::int64_t updated_days_ago,
                      bool bulk) -> job_object& {
        job_object& o = job_objects_.emplace_back(job_object{std::string(id), project, std::string(name), type});
        o.description = description;
        o.created_ms = base - made_days_ago * day;
        o.updated_ms = base - updated_days_ago * day;
        o.bulk = bulk;
        return o;
    };
    // sahara-clusters-and-templates.md §4.1: MapReduce and Spark job objects need libs, Hive and
    // SparkScript ones mains; DistCp needs neither. §4.3: DistCp and SparkScript exist only in MRS.
    object(demo::job_object_wordcount, p1, "wordcount", 1, "Counts the words of the input", 40, 40, true)
        .libs.push_back({binary_id(1, 1), "hadoop-mapreduce-examples.jar",
                         "s3a://mrs-sim/program/hadoop-mapreduce-examples.jar", "The Hadoop MapReduce examples"});
    object(demo::job_object_spark_pi, p1, "spark-pi", 2, "Estimates pi", 39, 12, true)
        .libs.push_back({binary_id(1, 2), "spark-examples.jar", "s3a://mrs-sim/program/spark-examples.jar",
                         "The Spark examples"});
    object(demo::job_object_distcp, p1, "distcp-import", 5, "Copies the input from OBS to HDFS", 30, 30, false);
    object(demo::job_object_spark_script, p1, "spark-script-report", 6, "Runs the report script", 20, 20, false)
        .mains.push_back({binary_id(1, 3), "report.sql", "s3a://mrs-sim/program/report.sql", ""});
    object(demo::job_object_hive, p1, "hive-report", 3, "", 10, 10, false)
        .mains.push_back({binary_id(1, 4), "hive-report.sql", "s3a://mrs-sim/program/hive-report.sql", ""});
    object(demo::other_job_object, p2, "other-team-wordcount", 1, "Counts the other team's words", 25, 25, false)
        .libs.push_back({binary_id(2, 1), "hadoop-mapreduce-examples.jar",
                         "s3a://mrs-sim/program/hadoop-mapreduce-examples.jar", ""});

    // sahara-clusters-and-templates.md §4.1: types hdfs (a "/" path) and obs (an s3a:// path);
    // updated_at null while a data source has never been updated.
    auto source = [&](std::string_view id, const std::string& project, std::string_view name, std::string_view type,
                      std::string_view url, std::string_view description, std::int64_t made_days_ago,
                      std::optional<std::int64_t> updated_days_ago) {
        data_source d{std::string(id), project, std::string(name), std::string(type), std::string(url),
                      std::string(description)};
        d.created_ms = base - made_days_ago * day;
        if (updated_days_ago) {
            d.updated_ms = base - *updated_days_ago * day;
        }
        data_sources_.push_back(std::move(d));
    };
    source(demo::data_source_input, p1, "demo-input", "hdfs", "/user/sim/input", "Text to count the words of", 40,
           std::nullopt);
    source(demo::data_source_output, p1, "demo-output", "hdfs", "/user/sim/output", "Where the counts go", 40, 5);
    source(demo::data_source_obs, p1, "demo-obs-logs", "obs", "s3a://mrs-sim/logs/", "Job logs on OBS", 30,
           std::nullopt);
    source(demo::other_data_source, p2, "other-input", "hdfs", "/user/other/input", "", 25, std::nullopt);
}

const job_object* sim_state::find_job_object(std::string_view project_id, std::string_view id) const {
    for (const auto& o : job_objects_) {
        if (o.project == project_id && o.id == id) {
            return &o;
        }
    }
    return nullptr;  // another project's job objects are invisible
}

reply sim_state::resource_not_found(std::string_view id, bool is_job_object) {
    if (opts_.resource_not_found == not_found_style::sahara) {
        // sahara-api.md §7.1: Sahara's 404 NOT_FOUND body, the message ending in an Error ID line.
        return json_reply(404, json::object{{"error_code", 404},
                                            {"error_message", "Object with {'id': '" + std::string(id) +
                                                                  "'} not found\nError ID: " + new_uuid()},
                                            {"error_name", "NOT_FOUND"}});
    }
    // sim choice: no MRS code is documented for either (sahara-clusters-and-templates.md §4.2).
    // A job object answers 0176 "The job does not exist.", as the Sahara-compatible job paths do
    // (mrs-api.md §5.3, HTTP 400 as real calls answer, §5.2); a data source 400 12000002.
    return is_job_object ? job_not_found() : invalid_parameter("the data source does not exist");
}

reply sim_state::job_object_list(const route& r) {
    std::vector<const job_object*> rows;
    for (const auto& o : job_objects_) {
        if (o.project == r.project) {
            rows.push_back(&o);
        }
    }
    // sim choice: no filter is documented (sahara-clusters-and-templates.md §4.1), so type, name
    // and every other parameter are ignored.
    return sahara_list(r.query, std::move(rows), job_object_keys, &job_object_view, "jobs",
                       [this](std::string_view id) { return resource_not_found(id, true); });
}

reply sim_state::job_object_show(const route& r) {
    // sahara-clusters-and-templates.md §4.1: {"job": {...}}.
    if (const job_object* o = find_job_object(r.project, r.id)) {
        return json_reply(200, json::object{{"job", job_object_view(*o)}});
    }
    return resource_not_found(r.id, true);
}

reply sim_state::data_source_list(const route& r) {
    std::vector<const data_source*> rows;
    for (const auto& d : data_sources_) {
        if (d.project == r.project) {
            rows.push_back(&d);
        }
    }
    // sahara-clusters-and-templates.md §4.1: {"markers", "data_sources"}; sim choice: no filter.
    return sahara_list(r.query, std::move(rows), data_source_keys, &data_source_view, "data_sources",
                       [this](std::string_view id) { return resource_not_found(id, false); });
}

reply sim_state::data_source_show(const route& r) {
    // sahara-clusters-and-templates.md §4.1: {"data_source": {...}}.
    for (const auto& d : data_sources_) {
        if (d.project == r.project && d.id == r.id) {
            return json_reply(200, json::object{{"data_source", data_source_view(d)}});
        }
    }
    return resource_not_found(r.id, false);
}

// ---------------------------------------------------------------------------------------
// Control API

namespace {

// The body of a control call: a JSON object with only the keys given, the strings among them
// non-empty strings. nullopt and a message otherwise.
std::optional<json::object> control_body(std::string_view body, std::initializer_list<std::string_view> keys,
                                         std::initializer_list<std::string_view> strings, std::string& problem) {
    boost::system::error_code ec;
    const json::value doc = json::parse(body.empty() ? std::string_view("{}") : body, ec);
    if (ec || !doc.is_object()) {
        problem = "the body must be a JSON object";
        return std::nullopt;
    }
    const json::object& in = doc.get_object();
    for (const auto& kv : in) {
        if (std::find(keys.begin(), keys.end(), kv.key()) == keys.end()) {
            problem = "unknown key: " + std::string(kv.key());
            return std::nullopt;
        }
    }
    for (std::string_view key : strings) {
        if (const json::value* v = in.if_contains(key); v && (!v->is_string() || v->get_string().empty())) {
            problem = std::string(key) + " must be a non-empty string";
            return std::nullopt;
        }
    }
    return in;
}

std::string text_of(const json::object& in, std::string_view key, std::string fallback) {
    const json::value* v = in.if_contains(key);
    return v ? std::string(v->get_string()) : fallback;
}

// The last segment of a URL: a binary's name.
std::string last_segment(std::string_view url) {
    while (url.ends_with('/')) {
        url.remove_suffix(1);
    }
    const auto slash = url.rfind('/');
    return std::string(slash == std::string_view::npos ? url : url.substr(slash + 1));
}

}  // namespace

reply sim_state::add_data_source(std::string_view body, std::int64_t now_ms) {
    std::string problem;
    const auto in = control_body(body, {"project", "id", "name", "type", "url", "description"},
                                 {"project", "id", "name", "type", "url"}, problem);
    if (!in) {
        return bad_control(problem);
    }
    if (const json::value* v = in->if_contains("description"); v && !v->is_string()) {
        return bad_control("description must be a string");
    }
    data_source d;
    d.project = text_of(*in, "project", projects_.empty() ? "" : projects_.front().id);
    if (!find_project(d.project)) {
        return bad_control("unknown project");
    }
    d.id = text_of(*in, "id", new_uuid());
    if (!is_uuid(d.id) ||
        std::any_of(data_sources_.begin(), data_sources_.end(), [&](const data_source& o) { return o.id == d.id; })) {
        return bad_control("id must be a new lower-case UUID");
    }
    const auto in_project = std::count_if(data_sources_.begin(), data_sources_.end(),
                                          [&](const data_source& o) { return o.project == d.project; });
    const std::string n = std::to_string(in_project + 1);
    d.name = text_of(*in, "name", "sim-data-source-" + n);
    d.type = text_of(*in, "type", "hdfs");
    d.description = text_of(*in, "description", "");
    // sahara-clusters-and-templates.md §4.1: the rules of data-source creation. Names 1-80 of
    // [A-Za-z0-9_-]; type hdfs or obs (swift is not supported); url 1-255 characters, "/..." for
    // hdfs and "s3a://..." for obs; description at most 65535 characters.
    if (!valid_name(d.name, 80)) {
        return bad_control("name must be 1 to 80 characters of A-Z, a-z, 0-9, - and _");
    }
    if (d.type != "hdfs" && d.type != "obs") {
        return bad_control("type must be hdfs or obs");
    }
    d.url = text_of(*in, "url", d.type == "hdfs" ? "/user/sim/data-" + n : "s3a://mrs-sim/data-" + n + "/");
    if (d.url.size() > 255 || !d.url.starts_with(d.type == "hdfs" ? "/" : "s3a://")) {
        return bad_control("url must be at most 255 characters, starting with / (hdfs) or s3a:// (obs)");
    }
    if (d.description.size() > 65535) {
        return bad_control("description must be at most 65535 characters");
    }
    d.created_ms = now_ms / 1000 * 1000;  // never updated: updated_at null
    data_sources_.push_back(d);
    return json_reply(201, json::object{{"id", d.id}});
}

reply sim_state::add_job_object(std::string_view body, std::int64_t now_ms) {
    std::string problem;
    const auto in = control_body(body, {"project", "id", "name", "type", "description", "mains", "libs"},
                                 {"project", "id", "name", "type"}, problem);
    if (!in) {
        return bad_control(problem);
    }
    if (const json::value* v = in->if_contains("description"); v && !v->is_string()) {
        return bad_control("description must be a string");
    }
    job_object o;
    o.project = text_of(*in, "project", projects_.empty() ? "" : projects_.front().id);
    if (!find_project(o.project)) {
        return bad_control("unknown project");
    }
    o.id = text_of(*in, "id", new_uuid());
    if (!is_uuid(o.id) || std::any_of(job_objects_.begin(), job_objects_.end(),
                                      [&](const job_object& other) { return other.id == o.id; })) {
        return bad_control("id must be a new lower-case UUID");
    }
    const auto in_project = std::count_if(job_objects_.begin(), job_objects_.end(),
                                          [&](const job_object& other) { return other.project == o.project; });
    o.name = text_of(*in, "name", "sim-job-object-" + std::to_string(in_project + 1));
    // sahara-clusters-and-templates.md §4.1: names 1-64 of [A-Za-z0-9_-], descriptions at most
    // 65535 characters; §4.3: the seven type strings (sim choice: all seven, hql and SparkSql too).
    if (!valid_name(o.name, 64)) {
        return bad_control("name must be 1 to 64 characters of A-Z, a-z, 0-9, - and _");
    }
    const auto type = parse_job_object_type(text_of(*in, "type", "MapReduce"));
    if (!type) {
        return bad_control("type must be MapReduce, Spark, Hive, hql, DistCp, SparkScript or SparkSql");
    }
    o.type = *type;
    o.description = text_of(*in, "description", "");
    if (o.description.size() > 65535) {
        return bad_control("description must be at most 65535 characters");
    }
    // mains and libs: arrays of binary URLs. §4.1: mains are required for Hive and SparkScript,
    // libs for MapReduce and Spark. sim choice: left out, those get the demo's example binary.
    const bool needs_mains = o.type == 3 || o.type == 6, needs_libs = o.type == 1 || o.type == 2;
    for (const bool is_mains : {true, false}) {
        const char* key = is_mains ? "mains" : "libs";
        std::vector<job_binary>& out = is_mains ? o.mains : o.libs;
        const json::value* v = in->if_contains(key);
        if (!v) {
            if (is_mains && needs_mains) {
                out.push_back({new_uuid(), "script.sql", "s3a://mrs-sim/program/script.sql", ""});
            } else if (!is_mains && needs_libs) {
                const std::string url = o.type == 2 ? "s3a://mrs-sim/program/spark-examples.jar"
                                                    : "s3a://mrs-sim/program/hadoop-mapreduce-examples.jar";
                out.push_back({new_uuid(), last_segment(url), url, ""});
            }
            continue;
        }
        if (!v->is_array()) {
            return bad_control(std::string(key) + " must be an array of binary URLs");
        }
        for (const auto& url : v->get_array()) {
            if (!url.is_string() || last_segment(url.get_string()).empty()) {
                return bad_control(std::string(key) + " must be an array of binary URLs");
            }
            out.push_back({new_uuid(), last_segment(url.get_string()), std::string(url.get_string()), ""});
        }
        if (out.empty() && (is_mains ? needs_mains : needs_libs)) {
            return bad_control(std::string(key) + " must not be empty for a " + std::string(job_object_type(o.type)) +
                               " job object");
        }
    }
    o.created_ms = o.updated_ms = now_ms / 1000 * 1000;
    o.bulk = false;  // sim choice: bulk seeding keeps to the job objects it always took
    job_objects_.push_back(o);
    return json_reply(201, json::object{{"id", o.id}});
}

json::object sim_state::render_switches() const {
    return {{"job_object_api", job_object_api_name(opts_.job_objects)},
            {"resource_not_found", not_found_style_name(opts_.resource_not_found)}};
}

reply sim_state::set_switches(std::string_view body) {
    std::string problem;
    const auto in = control_body(body, {"job_object_api", "resource_not_found"}, {"job_object_api", "resource_not_found"},
                                 problem);
    if (!in) {
        return bad_control(problem);
    }
    std::optional<job_object_api> api = opts_.job_objects;
    std::optional<not_found_style> style = opts_.resource_not_found;
    if (in->contains("job_object_api")) {
        api = parse_job_object_api(in->at("job_object_api").get_string());
    }
    if (in->contains("resource_not_found")) {
        style = parse_not_found_style(in->at("resource_not_found").get_string());
    }
    if (!api) {
        return bad_control("job_object_api must be available, gone or reads-gone");
    }
    if (!style) {
        return bad_control("resource_not_found must be mrs or sahara");
    }
    opts_.job_objects = *api;
    opts_.resource_not_found = *style;
    return json_reply(200, render_switches());
}

}  // namespace mrs_sim
