// PATCH on the mrs-v1.1 backend.
#include "translators/common/replies.hpp"
#include "translators/mrs_v1_1/cancel.hpp"
#include "translators/mrs_v1_1/job_execution.hpp"
#include "translators/mrs_v1_1/operations.hpp"
#include "translators/mrs_v1_1/paths.hpp"
#include "translators/sahara/errors.hpp"
#include "translators/sahara/job_execution.hpp"
#include "translators/sahara/validation.hpp"

#include <boost/json.hpp>

namespace sgw::mrs_v1_1 {
namespace json = boost::json;
using namespace translators;

namespace {

// What a PATCH body asks for, once it passed Sahara's update schema (sahara-api.md §2, row 5).
struct patch {
    std::optional<sahara::response> error;
    std::string status;  ///< "cancel", "suspend" or empty
    json::object flags;  ///< is_public / is_protected with non-null values
};

patch read_patch(const sahara::request& req) {
    patch p;
    auto body = sahara::parse_json_body(req);
    if (body.error) {
        p.error = std::move(body.error);
        return p;
    }
    auto& o = body.object;
    auto fail = [&](std::optional<std::string> msg) {
        if (msg) p.error = sahara::validation_error(req, *msg);
        return msg.has_value();
    };
    if (fail(sahara::only_keys(o, {"is_public", "is_protected", "info"})) ||
        fail(sahara::bool_or_null(o, "is_public")) || fail(sahara::bool_or_null(o, "is_protected")) ||
        fail(sahara::object_or_absent(o, "info")))
        return p;
    if (auto* info = o.if_contains("info")) {
        auto& io = info->get_object();
        if (fail(sahara::only_keys(io, {"status"}))) return p;
        if (auto* st = io.if_contains("status")) {
            if (!st->is_string() || (st->get_string() != "suspend" && st->get_string() != "cancel")) {
                fail("info[status]: " + (st->is_string() ? "'" + std::string(st->get_string()) + "'" : json::serialize(*st)) +
                     " is not one of ['suspend', 'cancel']");
                return p;
            }
            p.status = std::string(st->get_string());
        }
        // v1.1 refuses a status change mixed with anything else (check_job_status_update).
        if (req.version == sahara::api_version::v1_1 && o.size() > 1) {
            p.error = sahara::error_response(req, 400, sahara::error_name::invalid_job_status, "Invalid status parameter");
            return p;
        }
    }
    for (auto key : {"is_public", "is_protected"})
        if (auto* v = o.if_contains(key); v && v->is_bool()) p.flags[key] = *v;
    return p;
}

}  // namespace

step_result update_step(const sahara::request& req, std::span<const upstream_reply> replies) {
    auto p = read_patch(req);
    if (p.error) return step_result::done(std::move(*p.error));
    if (p.status == "cancel") return cancel_step(req, replies);
    if (p.status == "suspend")
        return step_result::done(sahara::error_response(
            req, 400, sahara::error_name::invalid_reference,
            "MRS has no suspend operation: job execution '" + req.id + "' cannot be suspended"));

    if (replies.empty()) return read_job_calls(req);
    auto shown = read_job(req, replies[0], replies[1]);
    if (shown.error) return step_result::done(std::move(*shown.error));
    auto object = render(shown.object, shown.status, &shown.exe);
    // MRS keeps neither flag (mrs-api.md §8(5)): a PATCH can only confirm the value it reports.
    for (auto& [key, wanted] : p.flags) {
        if (object.at(key) != wanted)
            return step_result::done(sahara::error_response(
                req, 400, sahara::error_name::update_failed,
                "MRS cannot store " + std::string(key) + ": job execution '" + req.id + "' stays " +
                    json::serialize(object.at(key))));
    }
    return step_result::done(sahara::single(req, 202, std::move(object)));
}

}  // namespace sgw::mrs_v1_1
