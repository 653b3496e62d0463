// Building Sahara v1.1 job-execution objects from MRS v1.1 answers.
#include "translators/mrs_v1_1/job_execution.hpp"

#include "translators/common/json_fields.hpp"
#include "translators/common/replies.hpp"
#include "translators/common/timefmt.hpp"
#include "translators/mrs_v1_1/status.hpp"
#include "translators/sahara/job_execution.hpp"

#include <boost/json.hpp>

namespace sgw::mrs_v1_1 {
namespace json = boost::json;
using translators::non_null;

std::optional<sahara::job_status> exe_status(const json::object& exe) {
    auto state = translators::integer_field(exe, "job_state");
    if (!state) return std::nullopt;
    auto final_status = translators::integer_field(exe, "job_final_status").value_or(0);
    return from_mrs_v1(*state, final_status);
}

namespace {

json::value string_or_null(const json::object& o, std::string_view key, const json::storage_ptr& sp) {
    auto* v = non_null(o, key);
    return (v && v->is_string()) ? json::value(*v, sp) : json::value(nullptr);
}

json::value object_or_null(const json::object& o, std::string_view key, const json::storage_ptr& sp) {
    auto* v = non_null(o, key);
    return (v && v->is_object()) ? json::value(*v, sp) : json::value(nullptr);
}

// MRS documents the flags as "not supported" and sends null (mrs-api.md §8(5));
// Sahara always has a boolean, and a job MRS calls nothing is neither public nor protected.
bool flag(const json::object& o, std::string_view key) {
    auto* v = non_null(o, key);
    return v && v->is_bool() && v->get_bool();
}

json::value time_field(const json::object& sahara_style, std::string_view key, const json::object* exe,
                       std::string_view exe_key, const json::storage_ptr& sp) {
    if (auto* v = non_null(sahara_style, key)) {
        auto t = timefmt::to_sahara(*v, sp);
        if (!t.is_null()) return t;
    }
    if (exe)
        if (auto* v = non_null(*exe, exe_key)) return timefmt::to_sahara(*v, sp);
    return nullptr;
}

}  // namespace

json::object render(const json::object& s, sahara::job_status status, const json::object* exe, json::storage_ptr sp) {
    json::object out(sp);
    out.reserve(18);
    out["id"] = string_or_null(s, "id", sp);
    out["tenant_id"] = string_or_null(s, "tenant_id", sp);
    // The CLI dereferences job_id (sahara-api.md §10.2); MRS sends "" (mrs-api.md §8(4)).
    auto job_id = string_or_null(s, "job_id", sp);
    out["job_id"] = job_id.is_null() ? json::value("") : std::move(job_id);
    out["input_id"] = string_or_null(s, "input_id", sp);
    out["output_id"] = string_or_null(s, "output_id", sp);
    out["cluster_id"] = string_or_null(s, "cluster_id", sp);
    out["start_time"] = time_field(s, "start_time", exe, "start_time", sp);
    out["end_time"] = time_field(s, "end_time", exe, "end_time", sp);

    json::object info(sp);
    if (auto* v = non_null(s, "info"); v && v->is_object()) info = v->get_object();
    info["status"] = sahara::to_string(status);
    out["info"] = std::move(info);

    // Sahara v1.1 carries engine_job_id and its alias oozie_job_id with the same value.
    auto engine = string_or_null(s, "engine_job_id", sp);
    if (engine.is_null()) engine = string_or_null(s, "oozie_job_id", sp);
    out["engine_job_id"] = engine;
    out["oozie_job_id"] = std::move(engine);
    if (auto* v = non_null(s, "return_code"); v && (v->is_string() || v->is_number()))
        out["return_code"] = *v;
    else
        out["return_code"] = nullptr;
    auto configs = object_or_null(s, "job_configs", sp);
    out["job_configs"] =
        configs.is_null() ? std::move(configs) : json::value(sahara::sanitized_job_configs(configs.get_object()));
    out["data_source_urls"] = object_or_null(s, "data_source_urls", sp);
    out["is_public"] = flag(s, "is_public");
    out["is_protected"] = flag(s, "is_protected");
    out["created_at"] = time_field(s, "created_at", exe, "create_at", sp);
    out["updated_at"] = time_field(s, "updated_at", exe, "update_at", sp);
    return out;
}

}  // namespace sgw::mrs_v1_1
