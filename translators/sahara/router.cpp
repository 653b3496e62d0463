// Sahara's URL map.
#include "translators/sahara/router.hpp"

#include <boost/url/parse.hpp>

#include <array>
#include <optional>
#include <vector>

namespace sgw::sahara {
namespace {

constexpr std::string_view project_param = "{project_id}";
constexpr std::string_view id_param = "{id}";

struct route_def {
    std::string_view verb;
    std::vector<std::string_view> pattern;
    operation op;
    api_version version;
    std::string_view read_only{};  ///< a write this gateway refuses: what the client tried
};

const std::vector<route_def>& routes() {
    using op = operation;
    static const std::vector<route_def> table = [] {
        struct base {
            std::string_view verb;
            std::vector<std::string_view> tail;  // after the version and optional project
            op operation;
            api_version version;
            std::string_view read_only{};
        };
        constexpr auto v1 = api_version::v1_1;
        constexpr auto v2 = api_version::v2;
        const base bases[] = {
            {"GET", {"job-executions"}, op::list, api_version::v1_1},
            {"GET", {"job-executions", id_param}, op::show, api_version::v1_1},
            {"GET", {"job-executions", id_param, "refresh-status"}, op::refresh_status, api_version::v1_1},
            {"GET", {"job-executions", id_param, "cancel"}, op::cancel, api_version::v1_1},
            {"PATCH", {"job-executions", id_param}, op::update, api_version::v1_1},
            {"DELETE", {"job-executions", id_param}, op::remove, api_version::v1_1},
            {"POST", {"jobs", id_param, "execute"}, op::execute, api_version::v1_1},
            {"GET", {"jobs"}, op::list, api_version::v2},
            {"POST", {"jobs"}, op::execute, api_version::v2},
            {"GET", {"jobs", id_param}, op::show, api_version::v2},
            {"PATCH", {"jobs", id_param}, op::update, api_version::v2},
            {"DELETE", {"jobs", id_param}, op::remove, api_version::v2},
            // The resources around a job, read-only (sahara-clusters-and-templates.md §1.2, §2.1).
            {"GET", {"clusters"}, op::cluster_list, v1},
            {"GET", {"clusters", id_param}, op::cluster_show, v1},
            {"GET", {"jobs"}, op::template_list, v1},
            {"GET", {"jobs", id_param}, op::template_show, v1},
            {"GET", {"data-sources"}, op::data_source_list, v1},
            {"GET", {"data-sources", id_param}, op::data_source_show, v1},
            {"GET", {"clusters"}, op::cluster_list, v2},
            {"GET", {"clusters", id_param}, op::cluster_show, v2},
            {"GET", {"job-templates"}, op::template_list, v2},
            {"GET", {"job-templates", id_param}, op::template_show, v2},
            {"GET", {"data-sources"}, op::data_source_list, v2},
            {"GET", {"data-sources", id_param}, op::data_source_show, v2},
            // Their writes, refused with what the client tried (the clients' requests, §1.2).
            {"POST", {"clusters"}, op::cluster_list, v1, "cluster create"},
            {"POST", {"clusters", "multiple"}, op::cluster_list, v1, "cluster create"},
            {"PUT", {"clusters", id_param}, op::cluster_list, v1, "cluster scale"},
            {"PATCH", {"clusters", id_param}, op::cluster_list, v1, "cluster update"},
            {"DELETE", {"clusters", id_param}, op::cluster_list, v1, "cluster delete"},
            {"POST", {"jobs"}, op::template_list, v1, "job template create"},
            {"PATCH", {"jobs", id_param}, op::template_list, v1, "job template update"},
            {"DELETE", {"jobs", id_param}, op::template_list, v1, "job template delete"},
            {"POST", {"data-sources"}, op::data_source_list, v1, "data source create"},
            {"PUT", {"data-sources", id_param}, op::data_source_list, v1, "data source update"},
            {"PATCH", {"data-sources", id_param}, op::data_source_list, v1, "data source update"},
            {"DELETE", {"data-sources", id_param}, op::data_source_list, v1, "data source delete"},
            {"POST", {"clusters"}, op::cluster_list, v2, "cluster create"},
            {"POST", {"clusters", "multiple"}, op::cluster_list, v2, "cluster create"},
            {"PUT", {"clusters", id_param}, op::cluster_list, v2, "cluster scale"},
            {"PATCH", {"clusters", id_param}, op::cluster_list, v2, "cluster update"},
            {"DELETE", {"clusters", id_param}, op::cluster_list, v2, "cluster delete"},
            {"POST", {"job-templates"}, op::template_list, v2, "job template create"},
            {"PATCH", {"job-templates", id_param}, op::template_list, v2, "job template update"},
            {"DELETE", {"job-templates", id_param}, op::template_list, v2, "job template delete"},
            {"POST", {"data-sources"}, op::data_source_list, v2, "data source create"},
            {"PATCH", {"data-sources", id_param}, op::data_source_list, v2, "data source update"},
            {"DELETE", {"data-sources", id_param}, op::data_source_list, v2, "data source delete"},
        };
        std::vector<route_def> out;
        for (const auto& b : bases) {
            const std::string_view prefix = to_string(b.version);
            for (bool with_project : {true, false}) {
                route_def d{b.verb, {prefix}, b.operation, b.version, b.read_only};
                if (with_project) d.pattern.push_back(project_param);
                d.pattern.insert(d.pattern.end(), b.tail.begin(), b.tail.end());
                out.push_back(std::move(d));
            }
        }
        return out;
    }();
    return table;
}

bool safe_param(std::string_view s) {
    if (s.empty() || s.size() > 64) return false;
    for (char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '_';
        if (!ok) return false;
    }
    return true;
}

// Whether the path fits the pattern; its parameters are taken only once a route is chosen.
bool matches(const route_def& def, const std::vector<std::string>& segs) {
    if (def.pattern.size() != segs.size()) return false;
    for (std::size_t i = 0; i < segs.size(); ++i) {
        const auto p = def.pattern[i];
        if (p == project_param || p == id_param) {
            if (!safe_param(segs[i])) return false;
        } else if (p != segs[i]) {
            return false;
        }
    }
    return true;
}

route_match matched(const route_def& def, std::vector<std::string>& segs) {
    route_match out;
    for (std::size_t i = 0; i < segs.size(); ++i) {
        if (def.pattern[i] == project_param) out.project_id = std::move(segs[i]);
        if (def.pattern[i] == id_param) out.id = std::move(segs[i]);
    }
    out.op = def.op;
    out.version = def.version;
    return out;
}

// A path of unreserved characters only, without a query: what Sahara's clients send for every
// call but a list. It needs no percent-decoding, so splitting it at '/' gives exactly the
// segments boost::urls would, for a fraction of the work.
bool plain_path(std::string_view target) {
    if (target.empty() || target.front() != '/') return false;
    for (char c : target) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '.' || c == '_' || c == '~' || c == '/';
        if (!ok) return false;
    }
    return true;
}

}  // namespace

route_result route(std::string_view method, std::string_view target) {
    std::vector<std::string> segs;
    segs.reserve(6);
    std::optional<boost::urls::url_view> url;  // only for a target that needs parsing
    if (plain_path(target)) {
        if (target != "/")
            for (std::size_t pos = 1;;) {
                const auto end = target.find('/', pos);
                segs.emplace_back(target.substr(pos, end - pos));
                if (end == std::string_view::npos) break;
                pos = end + 1;
            }
    } else {
        auto parsed = boost::urls::parse_origin_form(target);
        if (!parsed) return route_error{fault::bad_target};
        url = *parsed;
        for (auto seg : url->segments()) segs.emplace_back(seg);
    }
    // Sahara's versions filter answers any method on a path of slashes only (sahara-api.md §9).
    if (segs.empty() || (segs.size() == 1 && segs[0].empty())) return route_versions{};
    if (!segs.empty() && segs.back().ends_with(".json")) segs.back().resize(segs.back().size() - 5);

    bool path_known = false;
    for (const auto& def : routes()) {
        if (!matches(def, segs)) continue;
        if (def.verb == method) {
            if (!def.read_only.empty()) return route_error{fault::read_only, def.read_only};
            auto m = matched(def, segs);
            if (url)
                for (auto param : url->params()) {
                    // v2 spells refresh-status as a query parameter on show (sahara-api.md §3).
                    if (m.op == operation::show && m.version == api_version::v2 && param.key == "refresh_status")
                        m.op = operation::refresh_status;
                    m.query.emplace_back(param.key, param.value);
                }
            return m;
        }
        path_known = true;
    }
    return route_error{path_known ? fault::method_not_allowed : fault::no_route};
}

}  // namespace sgw::sahara
