// What a Sahara call's outcome means for the gateway's memory of recent actions.
#include "translators/sahara/memory.hpp"

namespace sgw::sahara {
using translators::effect;

void note_shown(translators::step_context& ctx, std::string_view id, job_status status) {
    if (id.empty()) return;
    if (status == job_status::to_be_killed) {
        ctx.remember(effect{effect::kind::killing, std::string(id), {}});
    } else if (is_terminal(status)) {
        // Only an end takes the job out. Any other status comes from a request that found no
        // kill in the memory when it began; a cancel may have recorded one since (on another
        // worker, or on this one while the request waited for MRS), and it must stand.
        ctx.remember(effect{effect::kind::not_killing, std::string(id), {}});
    }
}

void note_deleted(translators::step_context& ctx, std::string_view id) {
    ctx.remember(effect{effect::kind::deleted, std::string(id), {}});
}

void note_cluster(translators::step_context& ctx, std::string_view id, std::string_view cluster) {
    if (id.empty() || cluster.empty()) return;
    ctx.remember(effect{effect::kind::cluster, std::string(id), std::string(cluster)});
}

void note_unknown(translators::step_context& ctx, std::string_view id) {
    if (id.empty()) return;
    ctx.remember(effect{effect::kind::unknown, std::string(id), {}});
}

response after_delete_not_found(const request& req, response not_found) {
    if (not_found.status == 404 && req.deleted_lately) return response{204, {}, {}};
    return not_found;
}

}  // namespace sgw::sahara
