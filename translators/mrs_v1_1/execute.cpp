// execute on the mrs-v1.1 backend: Sahara's JOB_EXEC_SCHEMA, then MRS's execute (E).
#include "translators/common/replies.hpp"
#include "translators/mrs_v1_1/job_execution.hpp"
#include "translators/mrs_v1_1/operations.hpp"
#include "translators/mrs_v1_1/paths.hpp"
#include "translators/sahara/errors.hpp"
#include "translators/sahara/job_execution.hpp"
#include "translators/sahara/validation.hpp"

#include <boost/json.hpp>

namespace sgw::mrs_v1_1 {
namespace json = boost::json;
using namespace translators;

namespace {

struct execution {
    std::optional<sahara::response> error;
    std::string template_id;
    std::string cluster_id;
    json::object mrs_body;
};

std::optional<std::string> check_job_configs(const json::object& o) {
    auto* v = o.if_contains("job_configs");
    if (!v) return std::nullopt;
    auto& jc = v->get_object();
    if (auto msg = sahara::only_keys(jc, {"configs", "params", "args", "job_execution_info"})) return "job_configs: " + *msg;
    for (auto key : {"configs", "params", "job_execution_info"}) {
        if (auto msg = sahara::object_or_absent(jc, key)) return "job_configs[" + msg->substr(0, msg->find(':')) + "]" + msg->substr(msg->find(':'));
        if (auto* m = jc.if_contains(key))
            for (auto& [k, val] : m->get_object())
                if (!val.is_string() && !val.is_int64() && !val.is_uint64())
                    return "job_configs[" + std::string(key) + "][" + std::string(k) + "]: " + json::serialize(val) +
                           " is not of type 'string', 'integer'";
    }
    if (auto* args = jc.if_contains("args")) {
        if (!args->is_array()) return "job_configs[args]: " + json::serialize(*args) + " is not of type 'array'";
        for (auto& a : args->get_array())
            if (!a.is_string()) return "job_configs[args]: " + json::serialize(a) + " is not of type 'string'";
    }
    return std::nullopt;
}

// Validates like Sahara (sahara-api.md §2 execute body; §3 v2 adds job_template_id) and
// builds MRS's execute body (mrs-api.md §2E).
execution read_execution(const sahara::request& req) {
    execution e;
    auto body = sahara::parse_json_body(req);
    if (body.error) {
        e.error = std::move(body.error);
        return e;
    }
    auto& o = body.object;
    const bool v2 = req.version == sahara::api_version::v2;
    std::optional<std::string> msg =
        v2 ? sahara::only_keys(o, {"cluster_id", "job_template_id", "input_id", "output_id", "job_configs",
                                   "interface", "is_public", "is_protected"})
           : sahara::only_keys(o, {"cluster_id", "input_id", "output_id", "job_configs", "interface", "is_public",
                                   "is_protected"});
    if (!msg) msg = v2 ? sahara::require_keys(o, {"cluster_id", "job_template_id"}) : sahara::require_keys(o, {"cluster_id"});
    if (!msg) msg = sahara::uuid_or_null(o, "cluster_id", false);
    if (!msg && v2) msg = sahara::uuid_or_null(o, "job_template_id", false);
    if (!msg) msg = sahara::uuid_or_null(o, "input_id", false);
    if (!msg) msg = sahara::uuid_or_null(o, "output_id", false);
    if (!msg) msg = sahara::object_or_absent(o, "job_configs");
    if (!msg) msg = check_job_configs(o);
    if (!msg) msg = sahara::object_or_absent(o, "interface");
    if (!msg) msg = sahara::bool_or_null(o, "is_public");
    if (!msg) msg = sahara::bool_or_null(o, "is_protected");
    if (msg) {
        e.error = sahara::validation_error(req, *msg);
        return e;
    }
    if (auto* iface = o.if_contains("interface"); iface && !iface->get_object().empty()) {
        e.error = sahara::error_response(req, 400, sahara::error_name::invalid_data,
                                         "MRS job objects have no interface arguments; pass values in job_configs");
        return e;
    }
    for (auto key : {"is_public", "is_protected"}) {
        if (auto* v = o.if_contains(key); v && v->is_bool() && v->get_bool()) {
            e.error = sahara::error_response(req, 400, sahara::error_name::invalid_data,
                                             "MRS cannot store " + std::string(key) + " (mrs-v1.1 backend)");
            return e;
        }
    }
    e.template_id = v2 ? std::string(o.at("job_template_id").get_string()) : req.id;
    e.cluster_id = std::string(o.at("cluster_id").get_string());
    json::object jc;
    if (auto* v = o.if_contains("job_configs"))
        for (auto key : {"configs", "args", "params"})  // MRS has no job_execution_info
            if (auto* part = v->get_object().if_contains(key)) jc[key] = *part;
    // MRS requires the four fields to be present (mrs-api.md §2E); ids may be null.
    e.mrs_body["cluster_id"] = e.cluster_id;
    e.mrs_body["input_id"] = o.contains("input_id") ? o.at("input_id") : json::value(nullptr);
    e.mrs_body["output_id"] = o.contains("output_id") ? o.at("output_id") : json::value(nullptr);
    e.mrs_body["job_configs"] = std::move(jc);
    e.mrs_body["is_protected"] = false;
    e.mrs_body["is_public"] = false;
    return e;
}

}  // namespace

step_result execute_step(const sahara::request& req, std::span<const upstream_reply> replies) {
    auto e = read_execution(req);
    if (e.error) return step_result::done(std::move(*e.error));
    if (replies.empty()) {
        std::string target = "/v1.1/" + req.project_id + "/jobs/" + e.template_id + "/execute";
        // Never resent: a second submission would start a second job.
        return step_result::call(upstream_call{method::post, std::move(target), json::serialize(e.mrs_body), false});
    }
    const auto& r = replies[0];
    if (succeeded(r, {202, 200})) {
        auto object = envelope(r.body, "job_execution");
        if (!object) return step_result::done(unusable_answer(req, "execute answer has no job_execution object"));
        // A new execution is PENDING, as Sahara creates it (sahara-api.md §2).
        return step_result::done(sahara::single(req, 202, render(*object, sahara::job_status::pending, nullptr)));
    }
    if (r.outcome == transport::ok) {
        const auto code = mrs::parse_error(r.body).code;
        if (code == "12000003")
            return step_result::done(sahara::error_response(req, 400, sahara::error_name::invalid_reference,
                                                            "Cluster with id '" + e.cluster_id + "' doesn't exist",
                                                            "MRS error 12000003"));
        if ((code == "0176" || code == "0201") && req.version == sahara::api_version::v2)
            return step_result::done(sahara::error_response(req, 400, sahara::error_name::invalid_reference,
                                                            "Job template with id '" + e.template_id + "' doesn't exist",
                                                            "MRS error " + code));
    }
    return step_result::done(failure(req, r, sahara::error_name::invalid_data));
}

}  // namespace sgw::mrs_v1_1
