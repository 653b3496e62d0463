// The Sahara job-execution object across API versions.
#include "translators/sahara/job_execution.hpp"

#include "translators/sahara/memory.hpp"
#include "translators/sahara/status.hpp"

#include <boost/json.hpp>

namespace sgw::sahara {

boost::json::object to_version(boost::json::object o, api_version v) {
    if (v == api_version::v1_1) return o;
    boost::json::object out;
    out.reserve(o.size());
    for (auto& [k, val] : o) {
        if (k == "oozie_job_id") continue;
        if (k == "tenant_id")
            out["project_id"] = std::move(val);
        else if (k == "job_id")
            out["job_template_id"] = std::move(val);
        else
            out[k] = std::move(val);
    }
    return out;
}

std::string_view single_key(api_version v) noexcept { return v == api_version::v1_1 ? "job_execution" : "job"; }

std::string_view collection_key(api_version v) noexcept {
    return v == api_version::v1_1 ? "job_executions" : "jobs";
}

namespace {

std::string_view string_at(const boost::json::object& o, std::string_view key) {
    auto* v = o.if_contains(key);
    return (v && v->is_string()) ? std::string_view(v->get_string()) : std::string_view();
}

}  // namespace

response single(const request& req, translators::step_context& ctx, unsigned status,
                boost::json::object v1_1_object) {
    const auto id = string_at(v1_1_object, "id");
    if (auto* info = v1_1_object.if_contains("info"); info && info->is_object())
        if (auto shown = parse_status(string_at(info->get_object(), "status"))) note_shown(ctx, id, *shown);
    note_cluster(ctx, id, string_at(v1_1_object, "cluster_id"));
    boost::json::object body;
    body[single_key(req.version)] = to_version(std::move(v1_1_object), req.version);
    return response{status, boost::json::serialize(body), {}};
}

}  // namespace sgw::sahara
