// show and refresh-status on the mrs-v2 backend.
#include "translators/common/replies.hpp"
#include "translators/mrs_v2/job_call.hpp"
#include "translators/mrs_v2/jobs.hpp"
#include "translators/mrs_v2/operations.hpp"
#include "translators/sahara/job_execution.hpp"

namespace sgw::mrs_v2 {
using namespace translators;

job_read read_job(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx,
                  job_call& c) {
    switch (c.at) {
        case job_call::stage::begin:
            return {begin_on_job(req, ctx, c,
                                 [](const sahara::request& r, std::string_view cluster) { return detail_call(r, cluster); }),
                    nullptr};
        case job_call::stage::first:
            if (auto* bean = job_detail(replies.front())) return {std::nullopt, bean};
            if (not_there(replies.front())) return {search_elsewhere(req, ctx, c), nullptr};
            return {step_result::done(failure(req, replies.front(), sahara::error_name::invalid_data)), nullptr};
        default:
            if (auto next = continue_search(req, replies, ctx, c)) return {std::move(next), nullptr};
            return {std::nullopt, &c.search.detail()};
    }
}

std::optional<boost::json::object> shown_object(const sahara::request& req, const boost::json::object& bean,
                                                std::string_view cluster) {
    auto status = bean_status(bean);
    if (!status) return std::nullopt;
    return render(req, bean, cluster, sahara::as_seen(req, req.id, *status));
}

step_result show_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx) {
    auto& c = ctx.state<job_call>();
    auto read = read_job(req, replies, ctx, c);
    if (read.next) return std::move(*read.next);
    auto object = shown_object(req, *read.bean, c.cluster);
    if (!object) return step_result::done(unusable_answer(req, "job detail has no known job_state"));
    return step_result::done(sahara::single(req, ctx, 200, std::move(*object)));
}

}  // namespace sgw::mrs_v2
