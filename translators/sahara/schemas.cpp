// The bodies of Sahara's execute and PATCH calls.
#include "translators/sahara/schemas.hpp"

#include "translators/sahara/errors.hpp"
#include "translators/sahara/validation.hpp"

#include <boost/json.hpp>

namespace sgw::sahara {
namespace json = boost::json;

namespace {

// The first failing check of a chain, as jsonschema reports the first error it meets.
struct checks {
    std::optional<std::string> message;
    checks& then(std::optional<std::string> m) {
        if (!message) message = std::move(m);
        return *this;
    }
};

bool is_flag_true(const json::object& o, std::string_view key) {
    auto* v = o.if_contains(key);
    return v && v->is_bool() && v->get_bool();
}

std::optional<std::string> check_job_configs(const json::object& o) {
    auto* v = o.if_contains("job_configs");
    if (!v) return std::nullopt;
    auto& jc = v->get_object();
    if (auto msg = only_keys(jc, {"configs", "params", "args", "job_execution_info"})) return "job_configs: " + *msg;
    for (auto key : {"configs", "params", "job_execution_info"}) {
        if (auto msg = object_or_absent(jc, key)) {
            const auto colon = msg->find(':');
            return "job_configs[" + msg->substr(0, colon) + "]" + msg->substr(colon);
        }
        if (auto* m = jc.if_contains(key))
            for (auto& [k, val] : m->get_object())
                if (!val.is_string() && !val.is_int64() && !val.is_uint64())
                    return "job_configs[" + std::string(key) + "][" + std::string(k) + "]: " + json::serialize(val) +
                           " is not of type 'string', 'integer'";
    }
    if (auto* args = jc.if_contains("args")) {
        if (!args->is_array()) return "job_configs[args]: " + json::serialize(*args) + " is not of type 'array'";
        for (auto& a : args->get_array())
            if (!a.is_string()) return "job_configs[args]: " + json::serialize(a) + " is not of type 'string'";
    }
    return std::nullopt;
}

}  // namespace

patch_request read_patch(const request& req) {
    patch_request p;
    auto body = parse_json_body(req);
    if (body.error) {
        p.error = std::move(body.error);
        return p;
    }
    auto& o = body.object;
    auto fail = [&](std::optional<std::string> msg) {
        if (msg) p.error = validation_error(req, *msg);
        return msg.has_value();
    };
    if (fail(only_keys(o, {"is_public", "is_protected", "info"})) || fail(bool_or_null(o, "is_public")) ||
        fail(bool_or_null(o, "is_protected")) || fail(object_or_absent(o, "info")))
        return p;
    if (auto* info = o.if_contains("info")) {
        auto& io = info->get_object();
        if (fail(only_keys(io, {"status"}))) return p;
        if (auto* st = io.if_contains("status")) {
            if (!st->is_string() || (st->get_string() != "suspend" && st->get_string() != "cancel")) {
                fail("info[status]: " + quoted(*st) + " is not one of ['suspend', 'cancel']");
                return p;
            }
            p.status = std::string(st->get_string());
        }
        // v1.1 refuses a status change mixed with anything else (check_job_status_update).
        if (req.version == api_version::v1_1 && o.size() > 1) {
            p.error = error_response(req, 400, error_name::invalid_job_status, "Invalid status parameter");
            return p;
        }
    }
    for (auto key : {"is_public", "is_protected"})
        if (auto* v = o.if_contains(key); v && v->is_bool()) p.flags[key] = *v;
    return p;
}

execute_request read_execution(const request& req) {
    execute_request e;
    auto body = parse_json_body(req);
    if (body.error) {
        e.error = std::move(body.error);
        return e;
    }
    auto& o = body.object;
    const bool v2 = req.version == api_version::v2;
    checks c;
    // v2 names the template in the body (sahara-api.md §3); v1.1 in the URL.
    c.then(v2 ? only_keys(o, {"cluster_id", "job_template_id", "input_id", "output_id", "job_configs", "interface",
                              "is_public", "is_protected"})
              : only_keys(o, {"cluster_id", "input_id", "output_id", "job_configs", "interface", "is_public",
                              "is_protected"}))
        .then(v2 ? require_keys(o, {"cluster_id", "job_template_id"}) : require_keys(o, {"cluster_id"}))
        .then(uuid_or_null(o, "cluster_id", false))
        .then(v2 ? uuid_or_null(o, "job_template_id", false) : std::nullopt)
        .then(uuid_or_null(o, "input_id", false))
        .then(uuid_or_null(o, "output_id", false))
        .then(object_or_absent(o, "job_configs"))
        .then(c.message ? std::nullopt : check_job_configs(o))
        .then(object_or_absent(o, "interface"))
        .then(bool_or_null(o, "is_public"))
        .then(bool_or_null(o, "is_protected"));
    if (c.message) {
        e.error = validation_error(req, *c.message);
        return e;
    }
    e.template_id = v2 ? std::string(o.at("job_template_id").get_string()) : req.id;
    e.cluster_id = std::string(o.at("cluster_id").get_string());
    e.input_id = o.contains("input_id") ? o.at("input_id") : json::value(nullptr);
    e.output_id = o.contains("output_id") ? o.at("output_id") : json::value(nullptr);
    if (auto* jc = o.if_contains("job_configs")) e.job_configs = jc->get_object();
    if (auto* iface = o.if_contains("interface")) e.has_interface_args = !iface->get_object().empty();
    e.wants_public = is_flag_true(o, "is_public");
    e.wants_protected = is_flag_true(o, "is_protected");
    return e;
}

std::optional<response> unsupported_execution(const request& req, const execute_request& e,
                                              std::string_view backend) {
    if (e.has_interface_args)
        return error_response(req, 400, error_name::invalid_data,
                              "MRS job objects have no interface arguments; pass values in job_configs");
    for (auto [key, wanted] : {std::pair{"is_public", e.wants_public}, std::pair{"is_protected", e.wants_protected}})
        if (wanted)
            return error_response(req, 400, error_name::invalid_data,
                                  "MRS cannot store " + std::string(key) + " (" + std::string(backend) + " backend)");
    return std::nullopt;
}

std::optional<response> unstorable_flags(const request& req, const patch_request& p,
                                         const boost::json::object& shown) {
    for (auto& [key, wanted] : p.flags) {
        auto* has = shown.if_contains(key);
        if (!has || *has != wanted)
            return error_response(req, 400, error_name::update_failed,
                                  "MRS cannot store " + std::string(key) + ": job execution '" + req.id + "' stays " +
                                      (has ? boost::json::serialize(*has) : std::string("null")));
    }
    return std::nullopt;
}

}  // namespace sgw::sahara
