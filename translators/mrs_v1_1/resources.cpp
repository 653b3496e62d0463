// The read-only Sahara resources from MRS v1.1.
#include "translators/mrs_v1_1/resources.hpp"

#include "translators/common/replies.hpp"
#include "translators/mrs_v1_1/cluster_infos.hpp"
#include "translators/sahara/edp_objects.hpp"
#include "translators/sahara/resources.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <unordered_set>

namespace sgw::mrs_v1_1 {
namespace json = boost::json;
using namespace translators;
using sahara::resource;

namespace {

// Objects asked for per call of a Sahara-compatible list (its limit goes to 1073741822, §4.1;
// a page this size keeps each reply short).
constexpr std::size_t page_size = 1000;
// A million objects: a list that keeps going is MRS misbehaving.
constexpr std::size_t max_pages = 1000;

// A Sahara-compatible MRS collection (§4.1): `path` under the project, the list's envelope and
// the detail's wrapper.
struct collection {
    std::string_view path, many, one;
};
constexpr collection job_objects{"jobs", "jobs", "job"};
constexpr collection data_sources{"data-sources", "data_sources", "data_source"};

std::string base(const sahara::request& req, const collection& c) {
    return "/v1.1/" + req.project_id + "/" + std::string(c.path);
}

// Sahara's own 404 body, which this family may answer for an unknown id (§4.2).
bool sahara_not_found(const upstream_reply& r) {
    if (r.outcome != transport::ok || r.status != 404) return false;
    const auto* body = body_object(r);
    const auto* name = body ? body->if_contains("error_name") : nullptr;
    return name && name->is_string() && name->get_string() == "NOT_FOUND";
}

// An unknown id, as far as MRS says: Sahara's 404, or the MRS codes for a missing job (0176,
// 0201) or a bad parameter (12000002, which mrs-sim answers for an unknown data source: no code
// is documented, §4.2).
bool unknown_object(const upstream_reply& r) {
    if (sahara_not_found(r)) return true;
    if (r.outcome != transport::ok || r.status != 400) return false;
    const auto code = mrs::parse_error(r.body).code;
    return code == "0176" || code == "0201" || code == "12000002";
}

// The job-object API is not there: a 404 that is not Sahara's answer about one object.
bool api_gone(const upstream_reply& r) { return r.outcome == transport::ok && r.status == 404 && !sahara_not_found(r); }

// The walk of a Sahara-compatible list, in id order, page after page by markers.next.
struct walk {
    sahara::resource_query query;
    std::vector<json::object> objects;
    std::unordered_set<std::string> seen;  ///< ids read: an inclusive marker must not show one twice
    std::optional<std::string> next;
    std::size_t pages = 0;
    cluster_list clusters;

    upstream_call call(const sahara::request& req, const collection& c) const {
        std::string target = base(req, c) + "?limit=" + std::to_string(page_size) + "&sort_by=id";
        if (next) target += "&marker=" + *next;
        return upstream_call{method::get, std::move(target), {}, true};
    }
};

using shape_fn = std::optional<json::object> (*)(const json::object&, std::string_view);

// Reads one page into the walk; the error answer when it cannot be used, nullopt otherwise
// (w.next then says whether another page follows).
std::optional<sahara::response> read_page(const sahara::request& req, walk& w, const collection& c,
                                          const upstream_reply& r, shape_fn shape) {
    if (!succeeded(r, {200})) return failure(req, r, sahara::error_name::invalid_data);
    const auto* body = body_object(r);
    const auto* items = body ? body->if_contains(c.many) : nullptr;
    if (!items || !items->is_array())
        return unusable_answer(req, "the " + std::string(c.path) + " list has no " + std::string(c.many) + " array");
    ++w.pages;
    for (const auto& item : items->get_array())
        if (item.is_object())
            if (auto o = shape(item.get_object(), req.project_id); o && w.seen.emplace(o->at("id").get_string()).second)
                w.objects.push_back(std::move(*o));
    std::optional<std::string> next;
    if (const auto* markers = body->if_contains("markers"); markers && markers->is_object())
        if (const auto* n = markers->get_object().if_contains("next"); n && n->is_string() && !n->get_string().empty())
            next = std::string(n->get_string());
    // The only documented list answers a full page with a null next (§4.1, §6): a full page goes
    // on after its last id all the same, which costs one empty page when the list really ended.
    if (!next && items->get_array().size() >= page_size && !w.objects.empty())
        next = std::string(w.objects.back().at("id").get_string());
    // An empty page, or a next marker that does not move, ends the walk.
    if (items->get_array().empty() || next == w.next) next.reset();
    // The marker goes into the next call's query: only an id of safe characters may.
    if (next && (next->size() > 64 || !std::all_of(next->begin(), next->end(), [](char ch) {
                     return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_';
                 })))
        return unusable_answer(req, "the " + std::string(c.path) + " list gave a marker that is not an id");
    w.next = std::move(next);
    if (w.next && w.pages == max_pages) return unusable_answer(req, "the " + std::string(c.path) + " list keeps going");
    return std::nullopt;
}

step_result list_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx,
                      const collection& c, shape_fn shape, bool fallback) {
    auto& w = ctx.state<walk>();
    const auto r = sahara::resource_of(req.op);
    if (replies.empty()) {
        w.query = sahara::read_resource_query(req, r);
        if (w.query.error) return step_result::done(std::move(*w.query.error));
        return step_result::call(w.call(req, c));
    }
    if (w.pages == 0 && api_gone(replies.front())) {
        // No such API on this MRS: for templates, those of the configuration (§4.4); else none.
        if (fallback)
            for (const auto& t : req.fallback_templates) w.objects.push_back(sahara::template_object(t, req.project_id));
        auto out = sahara::resource_list(req, r, w.query, std::move(w.objects));
        out.log_detail = "MRS has no " + std::string(c.path) + " API (HTTP 404)";
        return step_result::done(std::move(out));
    }
    if (auto error = read_page(req, w, c, replies.front(), shape)) return step_result::done(std::move(*error));
    ctx.release_replies();
    if (w.next) return step_result::call(w.call(req, c));
    return step_result::done(sahara::resource_list(req, r, w.query, std::move(w.objects)));
}

step_result show_step(const sahara::request& req, std::span<const upstream_reply> replies, const collection& c,
                      shape_fn shape, bool fallback) {
    const auto r = sahara::resource_of(req.op);
    if (replies.empty()) {
        if (auto refused = sahara::check_show_query(req, r)) return step_result::done(std::move(*refused));
        return step_result::call(upstream_call{method::get, base(req, c) + "/" + req.id, {}, true});
    }
    const auto& reply = replies.front();
    if (succeeded(reply, {200})) {
        const auto* object = envelope(reply, c.one);
        auto shaped = object ? shape(*object, req.project_id) : std::nullopt;
        if (!shaped) return step_result::done(unusable_answer(req, "the answer has no " + std::string(c.one) + " object"));
        return step_result::done(sahara::resource_show(req, r, std::move(*shaped)));
    }
    if (api_gone(reply)) {
        // No such API on this MRS: for templates, the configuration's of that id (§4.4).
        if (fallback)
            for (const auto& t : req.fallback_templates)
                if (t.id == req.id)
                    return step_result::done(sahara::resource_show(req, r, sahara::template_object(t, req.project_id)));
        return step_result::done(sahara::resource_not_found(req, req.id));
    }
    if (unknown_object(reply)) return step_result::done(sahara::resource_not_found(req, req.id));
    return step_result::done(failure(req, reply, sahara::error_name::invalid_data));
}

std::optional<json::object> template_shape(const json::object& o, std::string_view project) {
    return sahara::template_object(o, project);
}
std::optional<json::object> data_source_shape(const json::object& o, std::string_view project) {
    return sahara::data_source_object(o, project);
}

}  // namespace

step_result cluster_list_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx) {
    auto& w = ctx.state<walk>();
    if (replies.empty()) {
        w.query = sahara::read_resource_query(req, resource::cluster);
        if (w.query.error) return step_result::done(std::move(*w.query.error));
        return step_result::call(w.clusters.next_call(req));
    }
    if (auto error = w.clusters.read(req, replies.front())) return step_result::done(std::move(*error));
    ctx.release_replies();
    if (!w.clusters.complete()) return step_result::call(w.clusters.next_call(req));
    std::vector<json::object> objects;
    objects.reserve(w.clusters.clusters().size());
    for (const auto& c : w.clusters.clusters()) objects.push_back(sahara::cluster_object(c));
    return step_result::done(sahara::resource_list(req, resource::cluster, w.query, std::move(objects)));
}

step_result cluster_show_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context&) {
    if (replies.empty()) {
        if (auto refused = sahara::check_show_query(req, resource::cluster)) return step_result::done(std::move(*refused));
        return step_result::call(cluster_detail_call(req, req.id));
    }
    const auto& r = replies.front();
    if (unknown_cluster(r)) return step_result::done(sahara::resource_not_found(req, req.id));
    if (!succeeded(r, {200})) return step_result::done(failure(req, r, sahara::error_name::invalid_data));
    // {"cluster": {...}} in every example and SDK; the 2026 table lists the fields bare (§3.4).
    const json::object* object = envelope(r, "cluster");
    if (!object) object = body_object(r);
    if (!object || !object->contains("clusterId"))
        return step_result::done(unusable_answer(req, "cluster_infos detail has no cluster object"));
    auto c = read_cluster(*object, req.project_id);
    // A terminated cluster is deleted as far as Sahara's clients go (§5.3).
    if (!c) return step_result::done(sahara::resource_not_found(req, req.id));
    return step_result::done(sahara::resource_show(req, resource::cluster, sahara::cluster_object(*c)));
}

step_result template_list_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context& ctx) {
    return list_step(req, replies, ctx, job_objects, &template_shape, true);
}

step_result template_show_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context&) {
    return show_step(req, replies, job_objects, &template_shape, true);
}

step_result data_source_list_step(const sahara::request& req, std::span<const upstream_reply> replies,
                                  step_context& ctx) {
    return list_step(req, replies, ctx, data_sources, &data_source_shape, false);
}

step_result data_source_show_step(const sahara::request& req, std::span<const upstream_reply> replies, step_context&) {
    return show_step(req, replies, data_sources, &data_source_shape, false);
}

void add_resource_steps(translators::backend& b) {
    using op = sahara::operation;
    auto set = [&](op o, translators::step_fn f) { b.steps[static_cast<std::size_t>(o)] = f; };
    set(op::cluster_list, &cluster_list_step);
    set(op::cluster_show, &cluster_show_step);
    set(op::template_list, &template_list_step);
    set(op::template_show, &template_show_step);
    set(op::data_source_list, &data_source_list_step);
    set(op::data_source_show, &data_source_show_step);
}

}  // namespace sgw::mrs_v1_1
