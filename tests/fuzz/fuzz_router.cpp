// The Sahara layer in front of the translators: the router, then for a matched route what the
// service reads from the request before any MRS call: the list query, the v2 microversion
// header and the PATCH and execute bodies. For the versions route, the document with the
// links built from the request's headers.
//
// Input: line 1 the method, line 2 the request target, then header lines "Name: value" up to
// an empty line, then the body (the rest, newlines included). Header values keep only what
// an HTTP parser lets through (no control characters but tab), so a header line that has
// others is dropped.
//
// Checks: a route error, a refused query, microversion or body is answered with a Sahara
// error body that is valid UTF-8 JSON; a match carries ids of 1-64 [A-Za-z0-9_-] only; the
// versions document is valid UTF-8 JSON; the microversion echoed in a header is printable.
#include "fuzz_support.hpp"

#include "gateway/origin.hpp"
#include "translators/sahara/faults.hpp"
#include "translators/sahara/list_query.hpp"
#include "translators/sahara/resources.hpp"
#include "translators/sahara/router.hpp"
#include "translators/sahara/schemas.hpp"
#include "translators/sahara/versions.hpp"

#include <boost/beast/http/fields.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

using namespace sgw;

namespace {

constexpr std::string_view request_id = "req-0b5e7c1c-5a2e-4e7f-9d3a-0123456789ab";

bool field_value_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u == '\t' || (u >= 0x20 && u != 0x7f);
}

bool safe_param(std::string_view s) {
    if (s.empty() || s.size() > 64) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    return true;
}

void check_error(const sahara::response& r, std::string_view what) {
    if (r.status < 400 || r.status > 599) fuzz::fail(std::string(what) + ": error status out of range");
    fuzz::check_error_body(r.status, r.body, what);
}

// Everything the service reads before a step runs, for one version of the request.
void read_like_the_service(sahara::request req, const boost::beast::http::fields& headers) {
    if (auto q = sahara::read_list_query(req); q.error) check_error(*q.error, "list query");
    for (auto r : {sahara::resource::cluster, sahara::resource::job_template, sahara::resource::data_source}) {
        if (auto q = sahara::read_resource_query(req, r); q.error) check_error(*q.error, "resource list query");
        if (auto refused = sahara::check_show_query(req, r)) check_error(*refused, "resource show query");
    }
    if (req.version == sahara::api_version::v2) {
        auto v = sahara::negotiate_v2(headers["OpenStack-API-Version"]);
        for (char c : v.echo)
            if (!field_value_char(c)) fuzz::fail("microversion echo is not a header value", v.echo);
        if (v.error) {
            if (v.error->status != 400 && v.error->status != 406) fuzz::fail("microversion error status");
            fuzz::check_error_body(v.error->status, v.error->body, "microversion");
        }
    }
    if (auto p = sahara::read_patch(req); p.error) check_error(*p.error, "PATCH body");
    if (auto e = sahara::read_execution(req); e.error) check_error(*e.error, "execute body");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    auto take_line = [&] {
        const auto nl = input.find('\n');
        const auto line = input.substr(0, nl);
        input.remove_prefix(nl == std::string_view::npos ? input.size() : nl + 1);
        return line;
    };
    const std::string_view method = take_line();
    const std::string_view target = take_line();
    boost::beast::http::fields headers;
    while (!input.empty()) {
        const auto line = take_line();
        if (line.empty()) break;
        const auto colon = line.find(':');
        if (colon == 0 || colon == std::string_view::npos) continue;
        auto value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
        if (std::all_of(value.begin(), value.end(), field_value_char)) headers.insert(line.substr(0, colon), value);
    }
    const std::string_view body = input;

    auto routed = sahara::route(method, target);
    if (auto* err = std::get_if<sahara::route_error>(&routed)) {
        check_error(sahara::fault_response(err->why, request_id), "route error");
        return 0;
    }
    if (std::holds_alternative<sahara::route_versions>(routed)) {
        for (bool trusted : {false, true}) {
            const auto o = request_origin(headers, trusted);
            fuzz::json_or_fail(sahara::versions_body(o.scheme, o.host), "versions document");
        }
        return 0;
    }
    auto& m = std::get<sahara::route_match>(routed);
    if (!m.project_id.empty() && !safe_param(m.project_id)) fuzz::fail("unsafe project id", m.project_id);
    using op = sahara::operation;
    const bool id_route = !(m.op == op::list || m.op == op::cluster_list || m.op == op::template_list ||
                            m.op == op::data_source_list ||
                            (m.op == op::execute && m.version == sahara::api_version::v2));
    if (id_route ? !safe_param(m.id) : !m.id.empty()) fuzz::fail("unsafe or unexpected id", m.id);

    sahara::request req;
    req.op = m.op;
    req.version = m.version;
    req.project_id = m.project_id.empty() ? "37caa80116e1403ab603e5eeb48a2f74" : m.project_id;
    req.id = m.id;
    req.request_id = request_id;
    req.query = std::move(m.query);
    req.body = std::string(body);
    req.content_type = std::string(headers[boost::beast::http::field::content_type]);
    read_like_the_service(req, headers);
    // The readers differ by version; the other version's reading costs little and covers more.
    req.version = req.version == sahara::api_version::v2 ? sahara::api_version::v1_1 : sahara::api_version::v2;
    read_like_the_service(std::move(req), headers);
    return 0;
}
