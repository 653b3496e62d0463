// Shared by the fixture-driven translator tests: loading fixtures, replies from JSON, and a
// recursive "contains" for partial expectations.
#pragma once

#include "translators/common/step.hpp"
#include "translators/mrs_v1_1/cancel.hpp"
#include "translators/mrs_v1_1/list.hpp"
#include "translators/mrs_v1_1/operations.hpp"

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

/// A translator and the fixture folder of its operation.
struct subject {
    std::string_view folder;
    sahara::operation op;
    translators::step_fn step;
};
inline constexpr subject subjects[] = {
    {"cancel", sahara::operation::cancel, &mrs_v1_1::cancel_step},
    {"show", sahara::operation::show, &mrs_v1_1::show_step},
    {"update", sahara::operation::update, &mrs_v1_1::update_step},
    {"remove", sahara::operation::remove, &mrs_v1_1::remove_step},
    {"execute", sahara::operation::execute, &mrs_v1_1::execute_step},
    {"list", sahara::operation::list, &mrs_v1_1::list_step},
};

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
