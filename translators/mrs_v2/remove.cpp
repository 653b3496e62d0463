// DELETE on the mrs-v2 backend.
#include "translators/common/replies.hpp"
#include "translators/mrs_v2/job_call.hpp"
#include "translators/mrs_v2/jobs.hpp"
#include "translators/mrs_v2/operations.hpp"
#include "translators/sahara/memory.hpp"

namespace sgw::mrs_v2 {
using namespace translators;

namespace {

step_result deleted(const sahara::request& req, step_context& ctx) {
    sahara::note_deleted(ctx, req.id);
    return step_result::done(sahara::response{204, {}, {}});
}

// The kill was accepted but the job has not ended within the wait (or cannot be read): the
// DELETE is done as far as Sahara tells (its own delete finishes in the background). MRS keeps
// the job, KILLED, until a later DELETE removes it; this gateway answers 404 for it meanwhile.
step_result still_dying(const sahara::request& req, step_context& ctx) {
    // Deleted first: the memory of a delete forgets any kill, and this one must stand.
    auto answer = deleted(req, ctx);
    sahara::note_shown(ctx, req.id, sahara::job_status::to_be_killed);
    return answer;
}

step_result delete_steps(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx,
                         job_call& c) {
    switch (c.at) {
        case job_call::stage::begin: return begin_on_job(req, ctx, c, &delete_call);
        case job_call::stage::searching: {
            if (auto next = continue_search(req, replies, ctx, c)) return std::move(*next);
            c.at = job_call::stage::deleting;
            return step_result::call(delete_call(req, c.cluster));
        }
        case job_call::stage::first:
        case job_call::stage::deleting: {
            const auto& r = replies.back();
            // M's success status is not documented (mrs-api.md §9): any 2xx.
            if (r.outcome == transport::ok && r.status >= 200 && r.status < 300) return deleted(req, ctx);
            if (not_there(r)) return search_elsewhere(req, ctx, c);
            // MRS does not delete a running job (0183, §2M); Sahara's delete cancels it first
            // (sahara-api.md §2): kill it, wait for the end, then delete. Once only: a job still
            // running after its kill is answered below.
            if (r.outcome == transport::ok && mrs::parse_error(r.body).code == "0183" && c.polls_left >= 0) {
                c.at = job_call::stage::killing_to_delete;
                return step_result::call(kill_call(req, c.cluster));
            }
            // Killed, ended, and still refused as running: MRS has not caught up yet.
            if (r.outcome == transport::ok && mrs::parse_error(r.body).code == "0183") return still_dying(req, ctx);
            return step_result::done(failure(req, r, sahara::error_name::deletion_failed));
        }
        case job_call::stage::killing_to_delete: {
            const auto& r = replies.back();
            if (!succeeded(r, {202, 200, 204})) return step_result::done(failure(req, r, sahara::error_name::deletion_failed));
            // MRS kills asynchronously (§2L): read the job until it ends, for up to
            // upstream.cancel_wait_ms (then every poll_interval), and at least once.
            c.at = job_call::stage::waiting_to_delete;
            c.polls_left = polls_for(req);
            ctx.release_replies();
            return step_result::call(detail_call(req, c.cluster));
        }
        case job_call::stage::waiting_to_delete: {
            auto* bean = job_detail(replies.back());
            auto status = bean ? bean_status(*bean) : std::nullopt;
            if (status && sahara::is_terminal(*status)) {
                c.at = job_call::stage::deleting;
                c.polls_left = -1;  // no second kill
                ctx.release_replies();
                return step_result::call(delete_call(req, c.cluster));
            }
            if (status && c.polls_left > 0) {
                --c.polls_left;
                ctx.release_replies();
                return step_result::call(detail_call(req, c.cluster, poll_interval(req)));
            }
            return still_dying(req, ctx);
        }
        default: return step_result::done(unusable_answer(req, "delete in an unexpected stage"));
    }
}

}  // namespace

step_result remove_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx) {
    auto next = delete_steps(req, replies, ctx, ctx.state<job_call>());
    // Whichever way the job turned out to be unknown, a DELETE this gateway made lately is
    // being repeated: 204 again (sahara/memory.hpp).
    if (next.response) next.response = sahara::after_delete_not_found(req, std::move(*next.response));
    return next;
}

}  // namespace sgw::mrs_v2
