// The bodies of Sahara's execute and PATCH calls, validated like Sahara's JOB_EXEC_SCHEMA and
// JOB_EXEC_UPDATE_SCHEMA, with Sahara's messages (sahara-api.md §2, §3, §7.1). Each is read
// once per request; a backend maps the result onto its MRS call.
#pragma once

#include "translators/sahara/model.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>

namespace sgw::sahara {

/// What a PATCH asks for.
struct patch_request {
    std::optional<response> error;  ///< the 400 to answer when the body fails the schema
    std::string status;              ///< "cancel", "suspend" or empty
    boost::json::object flags;       ///< is_public / is_protected with non-null values
};
patch_request read_patch(const request& req);

/// What an execute asks for: v1.1 `POST jobs/{id}/execute` (template in the URL) or v2
/// `POST /v2/jobs` (template in the body).
struct execute_request {
    std::optional<response> error;  ///< the 400 to answer when the body fails the schema
    std::string template_id;
    std::string cluster_id;
    boost::json::value input_id;     ///< uuid string or null
    boost::json::value output_id;    ///< uuid string or null
    boost::json::object job_configs;  ///< configs, params, args, job_execution_info as given
    bool has_interface_args = false;  ///< a non-empty `interface` object
    bool wants_public = false;        ///< is_public: true
    bool wants_protected = false;     ///< is_protected: true
};
execute_request read_execution(const request& req);

/// What no MRS backend can take from a valid execute body: interface arguments (MRS jobs
/// have none) and is_public/is_protected set to true (MRS cannot store them, mrs-api.md
/// §8(5)). 400 INVALID_DATA naming `backend`, or nullopt.
std::optional<response> unsupported_execution(const request& req, const execute_request& e,
                                              std::string_view backend);

/// A PATCH of is_public/is_protected against the job as MRS `shown` it (v1.1 object): MRS
/// cannot store either flag, so a PATCH can only confirm the value it reports. 400
/// UPDATE_FAILED for a value that differs, or nullopt.
std::optional<response> unstorable_flags(const request& req, const patch_request& p,
                                         const boost::json::object& shown);

}  // namespace sgw::sahara
