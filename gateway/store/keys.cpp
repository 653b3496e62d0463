// The names of the shared job store's keys, one set per project.
#include "gateway/store/keys.hpp"

#include <algorithm>

namespace sgw::store {

std::optional<std::string> key_part(std::string_view part) {
    if (part.empty() || part.size() > max_key_part) return std::nullopt;
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(part.size());
    for (unsigned char c : part) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                           c == '-' || c == '.';
        if (plain) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0xF];
        }
    }
    return out;
}

std::optional<job_keys> keys_for(std::string_view prefix, std::string_view project, std::string_view id) {
    const auto p = key_part(project);
    if (!p) return std::nullopt;
    const std::string base = std::string(prefix) + "{" + *p + "}:";
    job_keys keys;
    keys.killing = base + "killing";
    if (!id.empty()) {
        const auto i = key_part(id);
        if (!i) return std::nullopt;
        keys.deleted = base + "deleted:" + *i;
        keys.cluster = base + "cluster:" + *i;
        keys.unknown = base + "unknown:" + *i;
    }
    return keys;
}

bool valid_prefix(std::string_view prefix) {
    return !prefix.empty() && prefix.size() <= 64 && std::all_of(prefix.begin(), prefix.end(), [](char c) {
        return c > ' ' && c < 0x7F && c != '{' && c != '}';
    });
}

}  // namespace sgw::store
