// execute on the mrs-v1.1 backend: the Sahara body (sahara/schemas.hpp) as MRS's execute (E).
#include "translators/common/replies.hpp"
#include "translators/mrs_v1_1/job_execution.hpp"
#include "translators/mrs_v1_1/operations.hpp"
#include "translators/sahara/errors.hpp"
#include "translators/sahara/job_execution.hpp"
#include "translators/sahara/schemas.hpp"

#include <boost/json.hpp>

namespace sgw::mrs_v1_1 {
namespace json = boost::json;
using namespace translators;

namespace {

// MRS's execute body (mrs-api.md §2E): the four fields must be present; ids may be null.
json::object mrs_body(const sahara::execute_request& e) {
    json::object jc;
    for (auto key : {"configs", "args", "params"})  // MRS has no job_execution_info
        if (auto* part = e.job_configs.if_contains(key)) jc[key] = *part;
    json::object body;
    body["cluster_id"] = e.cluster_id;
    body["input_id"] = e.input_id;
    body["output_id"] = e.output_id;
    body["job_configs"] = std::move(jc);
    body["is_protected"] = false;
    body["is_public"] = false;
    return body;
}

}  // namespace

step_result execute_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx) {
    auto& e = ctx.state<sahara::execute_request>();
    if (replies.empty()) {
        e = sahara::read_execution(req);
        if (e.error) return step_result::done(*e.error);
        if (auto no = sahara::unsupported_execution(req, e, "mrs-v1.1")) return step_result::done(std::move(*no));
        std::string target = "/v1.1/" + req.project_id + "/jobs/" + e.template_id + "/execute";
        // Never resent: a second submission would start a second job.
        return step_result::call(upstream_call{method::post, std::move(target), json::serialize(mrs_body(e)), false});
    }
    const auto& r = replies[0];
    if (succeeded(r, {202, 200})) {
        auto* object = envelope(r, "job_execution");
        if (!object) return step_result::done(unusable_answer(req, "execute answer has no job_execution object"));
        // A new execution is PENDING, as Sahara creates it (sahara-api.md §2).
        return step_result::done(
            sahara::created(req, ctx, render(*object, sahara::job_status::pending, nullptr, ctx.storage())));
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
