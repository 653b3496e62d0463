// The mrs-v2 backend's registry entry.
#include "translators/mrs_v2/backend.hpp"

#include "translators/mrs_v1_1/resources.hpp"
#include "translators/mrs_v2/operations.hpp"

namespace sgw::mrs_v2 {

translators::backend definition() {
    using op = sahara::operation;
    static constexpr std::string_view required[] = {"upstream.url"};
    translators::backend b{"mrs-v2",
                           "MRS v2 job API (MRS 1.9.2 and later); a job's cluster is remembered or searched for",
                           {},
                           required};
    auto set = [&](op o, translators::step_fn f) { b.steps[static_cast<std::size_t>(o)] = f; };
    set(op::list, &list_step);
    set(op::show, &show_step);
    // The gateway caches no job state, so refresh-status reads what show reads.
    set(op::refresh_status, &show_step);
    set(op::cancel, &cancel_step);
    set(op::update, &update_step);
    set(op::remove, &remove_step);
    set(op::execute, &execute_step);
    // MRS v2 reads no clusters, job objects or data sources: its v1.1 calls serve them.
    mrs_v1_1::add_resource_steps(b);
    b.uses_job_clusters = true;
    return b;
}

}  // namespace sgw::mrs_v2
