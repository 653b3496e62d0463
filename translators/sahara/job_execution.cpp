// The Sahara job-execution object across API versions.
#include "translators/sahara/job_execution.hpp"

#include "translators/sahara/memory.hpp"
#include "translators/sahara/status.hpp"

#include <boost/json.hpp>

#include <cctype>

namespace sgw::sahara {

boost::json::object to_version(boost::json::object o, api_version v) {
    if (v == api_version::v1_1) return o;
    boost::json::object out(o.storage());
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

namespace {

bool holds_credentials(std::string_view name) {
    std::string lower(name);
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return lower.find("password") != std::string::npos || lower.ends_with(".secret.key") ||
           lower.ends_with(".access.key") || lower == "fs.swift.service.sahara.username";
}

}  // namespace

boost::json::object sanitized_job_configs(const boost::json::object& job_configs) {
    boost::json::object out;
    for (const auto& [k, v] : job_configs) {
        if (k == "proxy_configs" || k == "trusts") continue;
        if (k == "configs" && v.is_object()) {
            boost::json::object configs;
            for (const auto& [name, value] : v.get_object()) configs[name] = holds_credentials(name) ? boost::json::value("") : value;
            out[k] = std::move(configs);
        } else {
            out[k] = v;
        }
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
    boost::json::object body(v1_1_object.storage());  // moved into, not copied
    body[single_key(req.version)] = to_version(std::move(v1_1_object), req.version);
    return response{status, boost::json::serialize(body), {}};
}

response created(const request& req, translators::step_context& ctx, boost::json::object v1_1_object) {
    auto& configs = v1_1_object["job_configs"];
    if (!configs.is_object()) configs = boost::json::object(v1_1_object.storage());
    configs.get_object()["job_execution_info"] = boost::json::object(v1_1_object.storage());
    return single(req, ctx, 202, std::move(v1_1_object));
}

}  // namespace sgw::sahara
