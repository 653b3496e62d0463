// Shared by the fixture-driven translator tests: loading fixtures, replies from JSON, and a
// recursive "contains" for partial expectations.
#pragma once

#include "translators/common/step.hpp"
#include "translators/registry.hpp"

#include <boost/json.hpp>

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
    };
    std::vector<subject> out;
    for (const auto& b : translators::backends()) {
        std::string dir(b.name);
        for (char& c : dir)
            if (c == '-' || c == '.') c = '_';
        for (const auto& o : ops) out.push_back({dir + "/" + std::string(o.name), o.op, b.step_for(o.op)});
    }
    return out;
}

/// Runs `step` once within `ctx`, with the replies the context holds.
inline translators::step_result run_step(translators::step_fn step, const sahara::request& req,
                                         translators::step_context& ctx) {
    return step(req, ctx.replies(), ctx);
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

}  // namespace sgw::fixtures
