// The mrs-v1.1 backend's registry entry.
#include "translators/mrs_v1_1/backend.hpp"

#include "translators/mrs_v1_1/cancel.hpp"
#include "translators/mrs_v1_1/list.hpp"
#include "translators/mrs_v1_1/operations.hpp"
#include "translators/mrs_v1_1/resources.hpp"

namespace sgw::mrs_v1_1 {

translators::backend definition() {
    using op = sahara::operation;
    static constexpr std::string_view required[] = {"upstream.url"};
    translators::backend b{"mrs-v1.1",
                           "MRS v1.1 Sahara-compatible job executions and job-exes; the client's token is "
                           "passed to MRS",
                           {},
                           required};
    auto set = [&](op o, translators::step_fn f) { b.steps[static_cast<std::size_t>(o)] = f; };
    set(op::list, &list_step);
    set(op::show, &show_step);
    // The gateway caches nothing, so refresh-status reads what show reads.
    set(op::refresh_status, &show_step);
    set(op::cancel, &cancel_step);
    set(op::update, &update_step);
    set(op::remove, &remove_step);
    set(op::execute, &execute_step);
    add_resource_steps(b);
    return b;
}

}  // namespace sgw::mrs_v1_1
