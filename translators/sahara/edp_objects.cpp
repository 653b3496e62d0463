// Sahara's job templates and data sources from Sahara-shaped objects.
#include "translators/sahara/edp_objects.hpp"

#include <boost/json.hpp>

#include <array>

namespace sgw::sahara {
namespace json = boost::json;

namespace {

enum class kind { text, text_or_null, flag, list };

struct key {
    std::string_view name;
    kind type;
};

// Keys and types of Sahara's objects (§2.3); anything else a source sends is left out.
constexpr std::array<key, 12> template_keys{{{"id", kind::text},
                                             {"tenant_id", kind::text},
                                             {"name", kind::text},
                                             {"description", kind::text_or_null},
                                             {"type", kind::text},
                                             {"mains", kind::list},
                                             {"libs", kind::list},
                                             {"interface", kind::list},
                                             {"is_public", kind::flag},
                                             {"is_protected", kind::flag},
                                             {"created_at", kind::text_or_null},
                                             {"updated_at", kind::text_or_null}}};
// A binary in mains or libs: Sahara's job-binary keys without `extra`.
constexpr std::array<key, 9> binary_keys{{{"id", kind::text},
                                          {"tenant_id", kind::text},
                                          {"name", kind::text},
                                          {"description", kind::text_or_null},
                                          {"url", kind::text},
                                          {"is_public", kind::flag},
                                          {"is_protected", kind::flag},
                                          {"created_at", kind::text_or_null},
                                          {"updated_at", kind::text_or_null}}};
constexpr std::array<key, 10> data_source_keys{{{"id", kind::text},
                                                {"tenant_id", kind::text},
                                                {"name", kind::text},
                                                {"description", kind::text_or_null},
                                                {"type", kind::text},
                                                {"url", kind::text},
                                                {"is_public", kind::flag},
                                                {"is_protected", kind::flag},
                                                {"created_at", kind::text_or_null},
                                                {"updated_at", kind::text_or_null}}};

json::value typed(const json::value* v, kind type) {
    switch (type) {
        case kind::text: return v && v->is_string() ? *v : json::value("");
        case kind::text_or_null: return v && v->is_string() ? *v : json::value(nullptr);
        case kind::flag: return v && v->is_bool() ? *v : json::value(false);
        case kind::list: return v && v->is_array() ? *v : json::value(json::array());
    }
    return nullptr;
}

template <std::size_t N>
json::object shaped(const json::object& given, const std::array<key, N>& keys, std::string_view project_id) {
    json::object out;
    for (const auto& k : keys) out[k.name] = typed(given.if_contains(k.name), k.type);
    if (out["tenant_id"].get_string().empty()) out["tenant_id"] = project_id;
    return out;
}

json::array binaries(const json::value& list, std::string_view project_id) {
    json::array out;
    for (const auto& b : list.get_array())
        if (b.is_object()) out.emplace_back(shaped(b.get_object(), binary_keys, project_id));
    return out;
}

bool has_id(const json::object& o) {
    const auto* id = o.if_contains("id");
    return id && id->is_string() && !id->get_string().empty();
}

}  // namespace

std::optional<json::object> template_object(const json::object& given, std::string_view project_id) {
    if (!has_id(given)) return std::nullopt;
    auto out = shaped(given, template_keys, project_id);
    out["mains"] = binaries(out["mains"], project_id);
    out["libs"] = binaries(out["libs"], project_id);
    return out;
}

json::object template_object(const job_template& t, std::string_view project_id) {
    auto list = [&](const std::vector<template_binary>& bs) {
        json::array out;
        for (const auto& b : bs) {
            json::object o{{"id", b.id}, {"name", b.name}};
            out.emplace_back(shaped(o, binary_keys, project_id));
        }
        return out;
    };
    json::object given{{"id", t.id}, {"name", t.name}, {"type", t.type}};
    if (!t.description.empty()) given["description"] = t.description;
    auto out = shaped(given, template_keys, project_id);
    out["mains"] = list(t.mains);
    out["libs"] = list(t.libs);
    return out;
}

std::optional<json::object> data_source_object(const json::object& given, std::string_view project_id) {
    if (!has_id(given)) return std::nullopt;
    return shaped(given, data_source_keys, project_id);
}

}  // namespace sgw::sahara
