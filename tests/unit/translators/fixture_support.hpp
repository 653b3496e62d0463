// Shared by the fixture-driven translator tests: loading fixtures, replies from JSON, a
// recursive "contains" for partial expectations, and the drivers of list translators (by a
// script of expected calls, or against an in-process fake MRS).
#pragma once

#include "translators/common/step.hpp"
#include "translators/registry.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace sgw::fixtures {

namespace json = boost::json;

/// A backend's translator of one operation and its fixture folder,
/// SGW_FIXTURES/<backend folder>/<operation folder>.
struct subject {
    std::string folder;  ///< "mrs_v1_1/cancel"
    sahara::operation op;
    translators::step_fn step;
};

/// Every operation folder of every backend in the registry ("mrs-v1.1" → "mrs_v1_1/...").
inline std::vector<subject> subjects() {
    struct op_folder {
        std::string_view name;
        sahara::operation op;
    };
    static constexpr op_folder ops[] = {
        {"cancel", sahara::operation::cancel}, {"show", sahara::operation::show},
        {"update", sahara::operation::update}, {"remove", sahara::operation::remove},
        {"execute", sahara::operation::execute}, {"list", sahara::operation::list},
        {"cluster_list", sahara::operation::cluster_list}, {"cluster_show", sahara::operation::cluster_show},
        {"template_list", sahara::operation::template_list}, {"template_show", sahara::operation::template_show},
        {"data_source_list", sahara::operation::data_source_list},
        {"data_source_show", sahara::operation::data_source_show},
    };
    std::vector<subject> out;
    for (const auto& b : translators::backends()) {
        std::string dir(b.name);
        for (char& c : dir)
            if (c == '-' || c == '.') c = '_';
        for (const auto& o : ops) {
            // A step several backends share is tested once, in the folder of the first.
            const auto step = b.step_for(o.op);
            if (std::any_of(out.begin(), out.end(), [&](const subject& s) { return s.op == o.op && s.step == step; }))
                continue;
            out.push_back({dir + "/" + std::string(o.name), o.op, step});
        }
    }
    return out;
}

/// Runs `step` within `ctx`, with the replies the context holds, and again for as long as it
/// asks for another turn without calls (step_result::later), as the executor does.
inline translators::step_result run_step(translators::step_fn step, const sahara::request& req,
                                         translators::step_context& ctx) {
    for (int turns = 0;; ++turns) {
        auto next = step(req, ctx.replies(), ctx);
        if (!next.again || !next.calls.empty() || turns >= 4096) return next;
    }
}

/// "name" of each fixture file in SGW_FIXTURES/<folder>, sorted; with `prefixed`, "folder/name".
inline std::vector<std::string> names(std::string_view folder, bool prefixed = false) {
    std::vector<std::string> out;
    const auto dir = std::filesystem::path(SGW_FIXTURES) / folder;
    if (!std::filesystem::exists(dir)) return out;
    for (auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".json")
            out.push_back((prefixed ? std::string(folder) + "/" : std::string()) + e.path().stem().string());
    std::sort(out.begin(), out.end());
    return out;
}

/// The fixture SGW_FIXTURES/<relative>.json.
inline json::value load(const std::string& relative) {
    std::ifstream f(std::string(SGW_FIXTURES) + "/" + relative + ".json");
    std::stringstream ss;
    ss << f.rdbuf();
    return json::parse(ss.str());
}

inline std::string_view method_name(translators::method m) {
    switch (m) {
        case translators::method::get: return "GET";
        case translators::method::post: return "POST";
        case translators::method::patch: return "PATCH";
        case translators::method::del: return "DELETE";
    }
    return "?";
}

/// {"outcome": "ok|unreachable|timeout|malformed", "status", "body" (JSON) or "body_text"}.
inline translators::upstream_reply reply_of(const json::object& r) {
    using translators::transport;
    translators::upstream_reply rep;
    const std::string_view outcome = r.at("outcome").as_string();
    rep.outcome = outcome == "unreachable" ? transport::unreachable
                  : outcome == "timeout"   ? transport::timeout
                  : outcome == "malformed" ? transport::malformed
                                           : transport::ok;
    if (auto* s = r.if_contains("status")) rep.status = static_cast<unsigned>(s->as_int64());
    if (auto* b = r.if_contains("body")) rep.body = json::serialize(*b);
    if (auto* t = r.if_contains("body_text")) rep.body = std::string(t->as_string());
    if (auto* d = r.if_contains("detail")) rep.detail = std::string(d->as_string());
    if (rep.outcome != transport::ok && rep.detail.empty()) rep.detail = "fixture";
    return rep;
}

/// Every key of `subset` is in `actual` with an equal value (recursively for objects); on a
/// mismatch `where` tells the path.
inline bool contains(const json::value& actual, const json::value& subset, std::string& where) {
    if (!subset.is_object()) {
        if (actual == subset) return true;
        where += " = " + json::serialize(actual) + ", expected " + json::serialize(subset);
        return false;
    }
    if (!actual.is_object()) {
        where += ": not an object";
        return false;
    }
    for (auto& [k, v] : subset.get_object()) {
        auto* a = actual.get_object().if_contains(k);
        std::string path = where + "." + std::string(k);
        if (!a) {
            where = path + ": missing";
            return false;
        }
        if (!contains(*a, v, path)) {
            where = path;
            return false;
        }
    }
    return true;
}

/// One expected list call (always a GET without body) and the reply it gets.
struct exchange {
    std::string target;
    translators::upstream_reply reply;
};
/// The calls expected at each step, in order.
using script = std::vector<std::vector<exchange>>;

/// Runs the list translator `step` through `steps` and returns its final answer.
inline sahara::response run_script(translators::step_fn step, const sahara::request& req, const script& steps) {
    translators::step_context ctx;
    for (std::size_t s = 0; s < steps.size(); ++s) {
        auto next = run_step(step, req, ctx);
        BOOST_TEST_REQUIRE(!next.response.has_value(),
                           "step " << s << " answered early with " << (next.response ? next.response->body : ""));
        BOOST_TEST_REQUIRE(next.calls.size() == steps[s].size(), "step " << s << " made " << next.calls.size()
                                                                          << " calls, expected " << steps[s].size());
        for (std::size_t i = 0; i < steps[s].size(); ++i) {
            BOOST_TEST(method_name(next.calls[i].verb) == "GET");
            BOOST_TEST(next.calls[i].target == steps[s][i].target, "step " << s << " call " << i);
            BOOST_TEST(next.calls[i].retry_safe);
            BOOST_TEST(next.calls[i].body.empty());
            BOOST_TEST(next.calls[i].delay.count() == 0);
        }
        for (auto& e : steps[s]) ctx.add(e.reply);
    }
    auto last = run_step(step, req, ctx);
    BOOST_TEST_REQUIRE(last.response.has_value(), "asked for " << last.calls.size() << " more calls"
                                                               << (last.calls.empty() ? "" : ": ")
                                                               << (last.calls.empty() ? "" : last.calls[0].target));
    return *last.response;
}

/// run_script, twice: no state outlives the request, so a fresh context given the same replies
/// gives the same answer.
inline sahara::response drive_script(translators::step_fn step, const sahara::request& req, const script& steps) {
    auto first = run_script(step, req, steps);
    auto again = run_script(step, req, steps);
    BOOST_TEST(again.body == first.body);
    return first;
}

/// Runs the list translator `step` against `mrs` (anything with `upstream_reply
/// answer(const upstream_call&)`) to its answer, each step given exactly the replies to the
/// calls it asked for; at most `max_calls` calls a step, every one a retry-safe read.
template <class Fake>
sahara::response run_against(translators::step_fn step, const sahara::request& req, Fake& mrs,
                             std::size_t max_calls = 32, std::size_t* steps = nullptr) {
    translators::step_context ctx;
    for (std::size_t s = 0; s < 5000; ++s) {
        auto next = run_step(step, req, ctx);
        if (next.response) {
            if (steps) *steps = s;
            return *next.response;
        }
        BOOST_REQUIRE(!next.calls.empty());
        BOOST_REQUIRE(next.calls.size() <= max_calls);
        for (auto& c : next.calls) {
            BOOST_REQUIRE(c.retry_safe);
            BOOST_REQUIRE(c.verb == translators::method::get);
            ctx.add(mrs.answer(c));
        }
    }
    BOOST_FAIL("the list never answered");
    return {};
}

/// A list request of `project` with `query`, as the router makes it.
inline sahara::request list_request(sahara::api_version v, std::string_view project,
                                    std::vector<std::pair<std::string, std::string>> query) {
    sahara::request req;
    req.op = sahara::operation::list;
    req.version = v;
    req.project_id = project;
    req.request_id = "req-0b5e7c1c-5a2e-4e7f-9d3a-0123456789ab";
    req.query = std::move(query);
    return req;
}

/// The `id` of each object of a list answer's collection.
inline json::array ids_of(const json::value& collection) {
    json::array ids;
    for (auto& o : collection.as_array()) ids.push_back(o.as_object().at("id"));
    return ids;
}

}  // namespace sgw::fixtures
