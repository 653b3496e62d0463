// What an operation on one v2 job carries from step to step: where the job is, and how far the
// operation got. Shared by show, cancel, PATCH and DELETE.
#pragma once

#include "translators/mrs_v2/clusters.hpp"
#include "translators/sahara/model.hpp"
#include "translators/sahara/schemas.hpp"

#include <optional>
#include <string>

namespace sgw::mrs_v2 {

struct job_call {
    enum class stage {
        begin,      ///< nothing asked yet
        first,      ///< the operation's first call went to the remembered cluster
        searching,  ///< the locator is looking for the job
        killing,    ///< L sent
        reading,    ///< K after an accepted kill (polling while request::cancel_wait lasts)
        checking,   ///< K after a refused kill: an ended job is answered as it is
        deleting,   ///< M sent
        killing_to_delete,  ///< L sent because M said the job is running
        waiting_to_delete,  ///< K while the killed job ends, before M again
    };
    stage at = stage::begin;
    std::string cluster;  ///< where the job is (remembered or found)
    bool found_here = false;  ///< `cluster` was found by this request's search, so it is not stale
    locator search;
    int polls_left = 0;
    std::optional<sahara::response> refusal;  ///< a refused kill, answered if the job still runs
    sahara::patch_request patch;              ///< PATCH only
};

/// While request::cancel_wait lasts, a job being killed is read again: the time between two
/// reads (500 ms, or longer so that a long wait takes at most 1,000 reads, well within the
/// executor's rounds), and how many reads the wait allows after the first.
std::chrono::milliseconds poll_interval(const sahara::request& req);
int polls_for(const sahara::request& req);

/// Builds an operation's call for the job on a cluster (kill_call, delete_call, ...).
using call_on = translators::upstream_call (*)(const sahara::request&, std::string_view cluster);

/// The first step of an operation on a job: its call `first` on the remembered cluster, or,
/// with none, the search. A job the gateway found on no cluster lately is 404 at once.
translators::step_result begin_on_job(const sahara::request& req, translators::step_context& ctx, job_call& c,
                                      call_on first);

/// After MRS said the job is not on the remembered cluster: searches the others (the pair
/// was stale). A cluster found by this request's own search is not searched again: 404.
translators::step_result search_elsewhere(const sahara::request& req, translators::step_context& ctx, job_call& c);

/// While searching: the next step, or nullopt once the job is found (c.cluster set).
std::optional<translators::step_result> continue_search(const sahara::request& req,
                                                        std::span<const translators::upstream_reply> replies,
                                                        translators::step_context& ctx, job_call& c);

/// Reads the job (K) wherever it is: the next step to take, or the job's JobQueryBean once
/// read (valid until the step returns).
struct job_read {
    std::optional<translators::step_result> next;
    const boost::json::object* bean = nullptr;
};
job_read read_job(const sahara::request& req, std::span<const translators::upstream_reply> replies,
                  translators::step_context& ctx, job_call& c);

/// The v1.1 object of a job as read (its status as the gateway's memory sees it), or nullopt
/// when its job_state is unknown.
std::optional<boost::json::object> shown_object(const sahara::request& req, const boost::json::object& bean,
                                                std::string_view cluster);

}  // namespace sgw::mrs_v2
