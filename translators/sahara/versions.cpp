// Sahara's API versions: the versions document and the v2 microversion header.
#include "translators/sahara/versions.hpp"

#include "translators/sahara/errors.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace sgw::sahara {

std::string versions_body(std::string_view scheme, std::string_view host) {
    std::string base(scheme);
    base += "://";
    base += host.empty() ? std::string_view("localhost") : host;
    namespace json = boost::json;
    auto version = [&](std::string_view id, std::string_view status) {
        json::object v;
        v["id"] = id;
        v["status"] = status;
        v["links"] = json::array{json::object{{"rel", "self"}, {"href", base + "/" + std::string(id) + "/"}}};
        return v;
    };
    auto v2 = version("v2", "CURRENT");
    v2["min_version"] = "2.0";
    v2["max_version"] = "2.0";
    json::object doc;
    doc["versions"] = json::array{version("v1.0", "SUPPORTED"), version("v1.1", "SUPPORTED"), std::move(v2)};
    return json::serialize(doc);
}

v2_version negotiate_v2(std::string_view header) {
    v2_version out;
    std::string_view requested;
    while (!header.empty()) {
        auto comma = header.find(',');
        auto item = header.substr(0, comma);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        if (item.starts_with("data-processing ")) requested = item.substr(16);
        if (comma == std::string_view::npos) break;
        header.remove_prefix(comma + 1);
    }
    while (!requested.empty() && requested.back() == ' ') requested.remove_suffix(1);
    if (requested.empty() || requested == "latest") return out;
    out.echo = std::string(requested);
    // Sahara's check (sahara-api.md §8): the version must match ^([1-9]\d*).([1-9]\d*|0)$, whose
    // unescaped dot takes any one character, so "2x0" is well formed (and refused 406) while
    // "02.0" and "2.01" are not (400).
    auto digits = [](std::string_view d) {
        return std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    auto major_ok = [&](std::string_view d) { return !d.empty() && d.front() != '0' && digits(d); };
    auto minor_ok = [&](std::string_view d) { return d == "0" || major_ok(d); };
    bool well_formed = false;
    for (std::size_t k = 1; k + 1 < requested.size() && !well_formed; ++k)
        well_formed = major_ok(requested.substr(0, k)) && minor_ok(requested.substr(k + 1));
    if (requested == "2.0") return out;
    const unsigned status = well_formed ? 406 : 400;
    // Sahara renders these two without an Error ID (utils/api.render_error_message).
    std::string message = well_formed ? "Version " + out.echo +
                                            " is not supported by the API. Minimum is 2.0 and maximum is 2.0."
                                      : "API Version String " + out.echo +
                                            " is of invalid format. Must be of format MajorNum.MinorNum.";
    auto body =
        error_object(status, well_formed ? error_name::not_acceptable : error_name::bad_request, message, {});
    body["max_version"] = "2.0";
    body["min_version"] = "2.0";
    out.error = response{status, boost::json::serialize(body), "unsupported microversion"};
    return out;
}

}  // namespace sgw::sahara
