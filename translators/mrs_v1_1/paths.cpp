// MRS v1.1 paths and the reads shared by the mrs-v1.1 translators.
#include "translators/mrs_v1_1/paths.hpp"

#include "translators/common/replies.hpp"
#include "translators/mrs_v1_1/job_execution.hpp"

namespace sgw::mrs_v1_1 {
using namespace translators;

std::string job_path(const sahara::request& req, std::string_view collection, std::string_view id) {
    std::string p = "/v1.1/";
    p += req.project_id;
    p += '/';
    p += collection;
    p += '/';
    p += id.empty() ? std::string_view(req.id) : id;
    return p;
}

upstream_call read(std::string target) { return upstream_call{method::get, std::move(target), {}, true}; }

step_result read_job_calls(const sahara::request& req) {
    step_result r;
    r.calls = {read(job_path(req, "job-executions")), read(job_path(req, "job-exes"))};
    return r;
}

job_read read_job(const sahara::request& req, const upstream_reply& object_reply, const upstream_reply& exe_reply) {
    job_read out;
    for (auto* r : {&object_reply, &exe_reply}) {
        if (!succeeded(*r, {200})) {
            out.error = failure(req, *r, sahara::error_name::invalid_data);
            return out;
        }
    }
    auto* object = envelope(object_reply, "job_execution");
    auto* exe = envelope(exe_reply, "job_execution");
    if (!object || !exe) {
        out.error = unusable_answer(req, "job-executions or job-exes answer has no job_execution object");
        return out;
    }
    auto status = exe_status(*exe);
    if (!status) {
        out.error = unusable_answer(req, "job-exes answer has no known job_state");
        return out;
    }
    out.status = sahara::as_seen(req, req.id, *status);
    out.object = object;
    out.exe = exe;
    return out;
}

}  // namespace sgw::mrs_v1_1
