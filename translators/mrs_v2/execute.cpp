// execute on the mrs-v2 backend: Sahara's execute body mapped onto MRS v2 submit (I).
//
// The mapping (docs/api-coverage.md, "execute on mrs-v2"):
//   cluster_id                          → the cluster in I's path
//   job_configs.configs["mrs.job_type"] → job_type (required: MRS v2 has no job templates to
//                                         take it from, unless the configuration defines the
//                                         template: then its type, §4.3)
//   job_configs.configs["mrs.job_name"] → job_name (default: the configured template's name,
//                                         else the job template id)
//   the other job_configs.configs       → properties (text values)
//   job_configs.args                    → arguments, in order
// What MRS v2 has no place for is refused with 400: input_id/output_id (no data sources),
// job_configs.params, interface arguments, is_public/is_protected.
#include "translators/common/replies.hpp"
#include "translators/mrs_v2/jobs.hpp"
#include "translators/mrs_v2/operations.hpp"
#include "translators/sahara/errors.hpp"
#include "translators/sahara/job_execution.hpp"
#include "translators/sahara/schemas.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <variant>

namespace sgw::mrs_v2 {
namespace json = boost::json;
using namespace translators;

namespace {

// The job types I accepts (mrs-api.md §2I).
constexpr std::string_view job_types[] = {"MapReduce", "SparkSubmit", "SparkPython", "HiveScript", "HiveSql",
                                          "DistCp",    "SparkScript", "SparkSql",    "Flink"};
constexpr std::string_view type_key = "mrs.job_type";
constexpr std::string_view name_key = "mrs.job_name";

struct submission {
    sahara::execute_request sahara;
    std::string job_id;  ///< the new job's id, once I answered
};

std::string type_list() {
    std::string out;
    for (auto t : job_types) {
        if (!out.empty()) out += ", ";
        out += t;
    }
    return out;
}

// job_name: 1-64 characters of [A-Za-z0-9_-] (§2I).
bool valid_name(std::string_view n) {
    return !n.empty() && n.size() <= 64 && std::all_of(n.begin(), n.end(), [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
               ch == '-';
    });
}

// A config or argument value as the text MRS takes: strings as they are, numbers and booleans
// in JSON's spelling; nullopt for null, arrays and objects.
std::optional<std::string> as_text(const json::value& v) {
    if (v.is_string()) return std::string(v.get_string());
    if (v.is_number() || v.is_bool()) return json::serialize(v);
    return std::nullopt;
}

// The v2 job_type of a job object's or Sahara template's type (sahara-clusters-and-templates.md §4.3).
std::string v2_type(std::string_view t) {
    if (t == "Spark") return "SparkSubmit";
    if (t == "Hive") return "HiveScript";
    if (t == "hql") return "HiveSql";
    return std::string(t);
}

sahara::response invalid(const sahara::request& req, std::string message) {
    return sahara::error_response(req, 400, sahara::error_name::invalid_data, message);
}

// Sahara's body as I's body, or the 400 telling what MRS v2 needs or cannot take.
std::variant<json::object, sahara::response> mrs_body(const sahara::request& req, const sahara::execute_request& e) {
    if (!e.input_id.is_null() || !e.output_id.is_null())
        return invalid(req, "MRS v2 jobs have no data sources (mrs-v2 backend): leave input_id and output_id "
                            "unset and pass the paths in job_configs.args");
    auto section = [&](std::string_view key) -> const json::value* { return e.job_configs.if_contains(key); };
    if (auto* params = section("params"); params && params->is_object() && !params->get_object().empty())
        return invalid(req, "MRS v2 jobs have no parameters (mrs-v2 backend): pass them in job_configs.args");

    json::object body;
    json::object properties;
    std::string type, name;
    if (auto* configs = section("configs"); configs && configs->is_object()) {
        for (const auto& [k, v] : configs->get_object()) {
            auto value = as_text(v);
            if (!value)
                return invalid(req, "job_configs.configs['" + std::string(k) + "'] must be a string, a number or a "
                                    "boolean for MRS v2");
            if (k == type_key)
                type = *value;
            else if (k == name_key)
                name = *value;
            else
                properties[k] = *value;
        }
    }
    // A template of the configuration (sahara/job_template.hpp) gives what the body leaves out:
    // the MRS type of its type, and its name as the job's.
    const auto configured = std::find_if(req.fallback_templates.begin(), req.fallback_templates.end(),
                                         [&](const sahara::job_template& t) { return t.id == e.template_id; });
    if (configured != req.fallback_templates.end()) {
        if (type.empty()) type = v2_type(configured->type);
        if (name.empty() && valid_name(configured->name)) name = configured->name;
    }
    if (std::find(std::begin(job_types), std::end(job_types), type) == std::end(job_types))
        return invalid(req, "job_configs.configs['mrs.job_type'] must name the MRS job type (mrs-v2 backend): one "
                            "of " + type_list());
    if (name.empty()) name = e.template_id;
    if (!valid_name(name))
        return invalid(req, "job_configs.configs['mrs.job_name'] must be 1 to 64 letters, digits, '_' or '-'");
    json::array arguments;
    if (auto* args = section("args"); args && args->is_array())
        for (const auto& a : args->get_array()) {
            auto value = as_text(a);
            if (!value) return invalid(req, "job_configs.args must hold strings for MRS v2");
            arguments.emplace_back(*value);
        }
    body["job_type"] = type;
    body["job_name"] = name;
    body["arguments"] = std::move(arguments);
    body["properties"] = std::move(properties);
    return body;
}

// The answer to I's failure: the refusals a user can act on, named as Sahara would.
sahara::response submit_failure(const sahara::request& req, const submission& s, const upstream_reply& r) {
    if (r.outcome == transport::ok) {
        const auto code = mrs::parse_error(r.body).code;
        if (code == "12000003")
            return sahara::error_response(req, 400, sahara::error_name::invalid_reference,
                                          "Cluster with id '" + s.sahara.cluster_id + "' doesn't exist",
                                          "MRS error 12000003");
        if (code == "0167")
            return invalid(req, "Cluster '" + s.sahara.cluster_id +
                                    "' does not serve the MRS v2 job API (MRS before 1.9.2): use the mrs-v1.1 backend");
    }
    return failure(req, r, sahara::error_name::invalid_data);
}

sahara::response answer(const sahara::request& req, step_context& ctx, const submission& s,
                        const json::object& bean) {
    // A new job whose detail cannot be read yet is PENDING, as Sahara creates it (sahara-api.md §2).
    auto status = bean_status(bean).value_or(sahara::job_status::pending);
    auto object = render(req, bean, s.sahara.cluster_id, status);
    object["job_id"] = s.sahara.template_id;
    object["job_configs"] = sahara::sanitized_job_configs(s.sahara.job_configs);
    return sahara::created(req, ctx, std::move(object));
}

}  // namespace

step_result execute_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx) {
    auto& s = ctx.state<submission>();
    if (replies.empty()) {
        s.sahara = sahara::read_execution(req);
        if (s.sahara.error) return step_result::done(*s.sahara.error);
        if (auto no = sahara::unsupported_execution(req, s.sahara, "mrs-v2")) return step_result::done(std::move(*no));
        auto body = mrs_body(req, s.sahara);
        if (auto* refused = std::get_if<sahara::response>(&body)) return step_result::done(std::move(*refused));
        // Never resent: a second submission would start a second job.
        return step_result::call(upstream_call{method::post, jobs_path(req, s.sahara.cluster_id),
                                               json::serialize(std::get<json::object>(body)), false});
    }
    if (replies.size() == 1) {
        const auto& r = replies[0];
        // I's success status is not documented (mrs-api.md §1): any 2xx with a result.
        auto* result = (r.outcome == transport::ok && r.status >= 200 && r.status < 300)
                           ? envelope(r, "job_submit_result")
                           : nullptr;
        if (!result) {
            if (r.outcome == transport::ok && r.status >= 200 && r.status < 300)
                return step_result::done(unusable_answer(req, "submit answer has no job_submit_result"));
            return step_result::done(submit_failure(req, s, r));
        }
        auto* state = result->if_contains("state");
        // JOBSTAT_SUBMIT_FAILED (docs) or FAILED (SDK), with error_msg/error_code beside it (§2I).
        if (state && state->is_string() && state->get_string() != "COMPLETE") {
            const auto err = mrs::parse_error(r.body);
            return step_result::done(sahara::error_response(
                req, 400, sahara::error_name::invalid_data,
                "MRS did not submit the job: " + (err.message.empty() ? std::string(state->get_string()) : err.message),
                "submit state " + std::string(state->get_string()) + " error_code " + err.code));
        }
        auto* id = result->if_contains("job_id");
        if (!id || !id->is_string() || id->get_string().empty())
            return step_result::done(unusable_answer(req, "submit answer has no job_id"));
        s.job_id = std::string(id->get_string());
        return step_result::call(detail_call(req, s.sahara.cluster_id, {}, s.job_id));
    }
    // The job exists: answer 202 even when its first read fails, from what the submit told.
    if (auto* bean = job_detail(replies[1])) return step_result::done(answer(req, ctx, s, *bean));
    json::object known;
    known["job_id"] = s.job_id;
    known["job_state"] = "NEW";
    return step_result::done(answer(req, ctx, s, known));
}

}  // namespace sgw::mrs_v2
