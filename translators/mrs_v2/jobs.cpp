// MRS v2 job paths, calls and objects.
#include "translators/mrs_v2/jobs.hpp"

#include "translators/common/json_fields.hpp"
#include "translators/common/mrs_errors.hpp"
#include "translators/common/replies.hpp"
#include "translators/common/text.hpp"
#include "translators/common/timefmt.hpp"
#include "translators/mrs_v2/status.hpp"

#include <boost/json.hpp>

namespace sgw::mrs_v2 {
namespace json = boost::json;
using namespace translators;

std::string jobs_path(const sahara::request& req, std::string_view cluster) {
    std::string p = "/v2/";
    p += req.project_id;
    p += "/clusters/";
    p += percent_encode(cluster);
    p += "/job-executions";
    return p;
}

upstream_call detail_call(const sahara::request& req, std::string_view cluster, std::chrono::milliseconds delay,
                          std::string_view id) {
    upstream_call c{method::get, jobs_path(req, cluster) + "/" + percent_encode(id.empty() ? req.id : id), {}, true};
    c.delay = delay;
    return c;
}

upstream_call kill_call(const sahara::request& req, std::string_view cluster) {
    return upstream_call{method::post, jobs_path(req, cluster) + "/" + req.id + "/kill", {}, true};
}

upstream_call delete_call(const sahara::request& req, std::string_view cluster) {
    json::object body;
    body["job_id_list"] = json::array{json::value(req.id)};
    return upstream_call{method::post, jobs_path(req, cluster) + "/batch-delete", json::serialize(body), false};
}

const json::object* job_detail(const upstream_reply& r) {
    return succeeded(r, {202, 200}) ? envelope(r, "job_detail") : nullptr;
}

bool not_there(const upstream_reply& r) {
    if (r.outcome != transport::ok || r.status < 400) return false;
    const auto code = mrs::parse_error(r.body).code;
    return code == "0176" || code == "0201" || code == "12000003" || code == "0167";
}

namespace {

std::string_view text(const json::object& o, std::string_view key) {
    auto* v = o.if_contains(key);
    return (v && v->is_string()) ? std::string_view(v->get_string()) : std::string_view();
}

json::value text_or_null(const json::object& o, std::string_view key) {
    auto t = text(o, key);
    return t.empty() ? json::value(nullptr) : json::value(t);
}

json::value time_of(const json::object& o, std::string_view key) {
    auto* v = non_null(o, key);
    return v ? timefmt::to_sahara(*v) : json::value(nullptr);
}

}  // namespace

std::optional<sahara::job_status> bean_status(const json::object& bean) {
    return from_mrs_v2(text(bean, "job_state"), text(bean, "job_result"));
}

json::object render(const sahara::request& req, const json::object& bean, std::string_view cluster,
                    sahara::job_status status) {
    json::object out;
    out.reserve(18);
    out["id"] = text_or_null(bean, "job_id");
    out["tenant_id"] = req.project_id;
    // A v2 job has no Sahara job template; the CLI dereferences job_id (sahara-api.md §10.2),
    // so it is "" as in MRS's own Sahara-style objects (mrs-api.md §8(4)).
    out["job_id"] = "";
    out["input_id"] = nullptr;
    out["output_id"] = nullptr;
    out["cluster_id"] = cluster;
    out["start_time"] = time_of(bean, "started_time");
    out["end_time"] = time_of(bean, "finished_time");

    // Sahara's info is free-form (Oozie's facts there); here it holds MRS's (mrs-api.md §2J).
    json::object info;
    info["status"] = sahara::to_string(status);
    // Not `arguments` or `properties`: they may hold keys (fs.obs.secret.key, ...).
    for (auto key : {"job_name", "job_type", "job_state", "job_result", "user", "queue", "app_id", "launcher_id",
                     "tracking_url"})
        if (auto* v = non_null(bean, key); v && v->is_string()) info[key] = *v;
    if (auto* v = non_null(bean, "job_progress"); v && v->is_number()) info["job_progress"] = *v;
    out["info"] = std::move(info);

    // The YARN application that runs the job, else its launcher (mrs-api.md §2J).
    auto engine = text_or_null(bean, "app_id");
    if (engine.is_null()) engine = text_or_null(bean, "launcher_id");
    out["engine_job_id"] = engine;
    out["oozie_job_id"] = engine;
    out["return_code"] = nullptr;
    out["job_configs"] = nullptr;
    out["data_source_urls"] = nullptr;
    out["is_public"] = false;
    out["is_protected"] = false;
    out["created_at"] = time_of(bean, "submitted_time");
    // MRS keeps no update time: the latest of the times it has.
    auto updated = time_of(bean, "finished_time");
    if (updated.is_null()) updated = time_of(bean, "started_time");
    if (updated.is_null()) updated = out["created_at"];
    out["updated_at"] = std::move(updated);
    return out;
}

}  // namespace sgw::mrs_v2
