// Cancel (v1.1 GET .../cancel, PATCH info.status=cancel) and PATCH on the mrs-v2 backend.
#include "translators/common/replies.hpp"
#include "translators/mrs_v2/job_call.hpp"
#include "translators/mrs_v2/jobs.hpp"
#include "translators/mrs_v2/operations.hpp"
#include "translators/sahara/errors.hpp"
#include "translators/sahara/job_execution.hpp"

namespace sgw::mrs_v2 {
using namespace translators;

namespace {

// Sahara names a refusal after the call that met it (sahara-api.md §7.1).
std::string_view refused_name(const sahara::request& req) {
    return req.op == sahara::operation::update ? sahara::error_name::update_failed
                                               : sahara::error_name::canceling_failed;
}

// v1.1 cancel is a GET answered 200; v2 cancels through PATCH, answered 202.
unsigned success_code(const sahara::request& req) { return req.op == sahara::operation::update ? 202 : 200; }

sahara::response answer(const sahara::request& req, step_context& ctx, const job_call& c,
                        const boost::json::object& bean, sahara::job_status status) {
    return sahara::single(req, ctx, success_code(req), render(req, bean, c.cluster, status));
}

step_result kill(const sahara::request& req, job_call& c) {
    c.at = job_call::stage::killing;
    return step_result::call(kill_call(req, c.cluster));
}

// The job as the search read it: an ended one is answered as it is (Sahara answers the cancel
// of a finished job 200 with its record, sahara-api.md §5); a running one is killed.
step_result after_search(const sahara::request& req, step_context& ctx, job_call& c) {
    const auto& bean = c.search.detail();
    auto status = bean_status(bean);
    if (!status) return step_result::done(unusable_answer(req, "job detail has no known job_state"));
    if (sahara::is_terminal(*status)) return step_result::done(answer(req, ctx, c, bean, *status));
    return kill(req, c);
}

step_result cancel_steps(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx,
                         job_call& c) {
    switch (c.at) {
        case job_call::stage::begin: return begin_on_job(req, ctx, c, &kill_call);
        case job_call::stage::searching:
            if (auto next = continue_search(req, replies, ctx, c)) return *next;
            return after_search(req, ctx, c);
        case job_call::stage::first:
        case job_call::stage::killing: {
            const auto& r = replies.back();
            // L answers 202: the kill is accepted, and MRS kills asynchronously (mrs-api.md §2L).
            if (succeeded(r, {202, 200, 204})) {
                c.at = job_call::stage::reading;
                c.polls_left = polls_for(req);
                return step_result::call(detail_call(req, c.cluster));
            }
            if (not_there(r)) return search_elsewhere(req, ctx, c);
            // A refusal (0175, ...) may only mean the job has already ended: look first.
            if (r.outcome == transport::ok && mrs::classify(r.status, mrs::parse_error(r.body)) == mrs::error_class::refused) {
                c.refusal = failure(req, r, refused_name(req));
                c.at = job_call::stage::checking;
                return step_result::call(detail_call(req, c.cluster));
            }
            return step_result::done(failure(req, r, refused_name(req)));
        }
        case job_call::stage::reading:
        case job_call::stage::checking: {
            const auto& r = replies.back();
            auto* bean = job_detail(r);
            if (!bean) return step_result::done(failure(req, r, refused_name(req)));
            auto status = bean_status(*bean);
            if (!status) return step_result::done(unusable_answer(req, "job detail has no known job_state"));
            if (sahara::is_terminal(*status)) return step_result::done(answer(req, ctx, c, *bean, *status));
            if (c.at == job_call::stage::checking) return step_result::done(std::move(*c.refusal));
            if (c.polls_left > 0) {
                --c.polls_left;
                ctx.release_replies();
                return step_result::call(detail_call(req, c.cluster, poll_interval(req)));
            }
            // Until MRS reports the end, Sahara shows a job being cancelled TOBEKILLED (§5).
            return step_result::done(answer(req, ctx, c, *bean, sahara::job_status::to_be_killed));
        }
        default: return step_result::done(unusable_answer(req, "cancel in an unexpected stage"));
    }
}

}  // namespace

step_result cancel_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx) {
    return cancel_steps(req, replies, ctx, ctx.state<job_call>());
}

step_result update_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx) {
    auto& c = ctx.state<job_call>();
    // The body is read on the first step only.
    if (c.at == job_call::stage::begin && replies.empty()) c.patch = sahara::read_patch(req);
    if (c.patch.error) return step_result::done(*c.patch.error);
    if (c.patch.status == "cancel") return cancel_steps(req, replies, ctx, c);
    if (c.patch.status == "suspend")
        return step_result::done(sahara::error_response(
            req, 400, sahara::error_name::invalid_reference,
            "MRS has no suspend operation: job execution '" + req.id + "' cannot be suspended"));
    // The flags: read the job, then confirm what MRS reports.
    auto read = read_job(req, replies, ctx, c);
    if (read.next) return std::move(*read.next);
    auto object = shown_object(req, *read.bean, c.cluster);
    if (!object) return step_result::done(unusable_answer(req, "job detail has no known job_state"));
    if (auto no = sahara::unstorable_flags(req, c.patch, *object)) return step_result::done(std::move(*no));
    return step_result::done(sahara::single(req, ctx, 202, std::move(*object)));
}

}  // namespace sgw::mrs_v2
