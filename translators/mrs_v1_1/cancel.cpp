// Sahara v1.1 cancel on the mrs-v1.1 backend.
#include "translators/mrs_v1_1/cancel.hpp"

#include "translators/common/replies.hpp"
#include "translators/mrs_v1_1/job_execution.hpp"
#include "translators/mrs_v1_1/paths.hpp"
#include "translators/sahara/job_execution.hpp"

#include <boost/json.hpp>

namespace sgw::mrs_v1_1 {
namespace json = boost::json;
using namespace translators;

namespace {

// Sahara names a refusal after the call that met it (sahara-api.md §7.1).
std::string_view refused_name(const sahara::request& req) {
    return req.op == sahara::operation::update ? sahara::error_name::update_failed
                                               : sahara::error_name::canceling_failed;
}

sahara::response answer(const sahara::request& req, step_context& ctx, const json::object& sahara_style,
                        sahara::job_status status, const json::object& exe) {
    // v1.1 cancel is a GET answered 200; v2 cancels through PATCH, answered 202.
    const unsigned code = req.op == sahara::operation::update ? 202 : 200;
    return sahara::single(req, ctx, code, render(sahara_style, status, &exe, ctx.storage()));
}

}  // namespace

step_result cancel_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx) {
    if (replies.empty()) return step_result::call(read(job_path(req, "job-executions") + "/cancel"));

    const upstream_reply& cancel = replies[0];
    const bool accepted = succeeded(cancel, {200});
    if (replies.size() == 1) {
        if (accepted) {
            if (!envelope(cancel, "job_execution"))
                return step_result::done(unusable_answer(req, "cancel answer has no job_execution object"));
            return step_result::call(read(job_path(req, "job-exes")));
        }
        // A refusal may only mean that the job has already finished: look before answering.
        if (cancel.outcome == transport::ok &&
            mrs::classify(cancel.status, mrs::parse_error(cancel.body)) == mrs::error_class::refused)
            return step_result::call(read(job_path(req, "job-exes")));
        return step_result::done(failure(req, cancel, refused_name(req)));
    }

    const upstream_reply& state = replies[1];
    if (!succeeded(state, {200})) return step_result::done(failure(req, state, refused_name(req)));
    auto* exe = envelope(state, "job_execution");
    if (!exe) return step_result::done(unusable_answer(req, "job-exes answer has no job_execution object"));
    auto status = exe_status(*exe);
    if (!status) return step_result::done(unusable_answer(req, "job-exes answer has no known job_state"));

    if (accepted) {
        // MRS kills asynchronously: until it reports the end, the job is being killed.
        auto shown = sahara::is_terminal(*status) ? *status : sahara::job_status::to_be_killed;
        return step_result::done(answer(req, ctx, *envelope(cancel, "job_execution"), shown, *exe));
    }
    if (!sahara::is_terminal(*status)) return step_result::done(failure(req, cancel, refused_name(req)));
    if (replies.size() == 2) return step_result::call(read(job_path(req, "job-executions")));

    const upstream_reply& show = replies[2];
    if (!succeeded(show, {200})) return step_result::done(failure(req, show, refused_name(req)));
    auto* object = envelope(show, "job_execution");
    if (!object) return step_result::done(unusable_answer(req, "job-executions answer has no job_execution object"));
    return step_result::done(answer(req, ctx, *object, *status, *exe));
}

}  // namespace sgw::mrs_v1_1
