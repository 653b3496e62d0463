// Every backend's step function for every Sahara operation it serves, driven as the executor
// drives it, over a request and MRS replies taken from the input.
//
// Input, one field per line ('\n'):
//   1. <operation><flags>[<id>]
//        operation: (byte - '0') modulo the number of (backend, operation) pairs, in
//                   registry order then sahara::operation order ('0' list, '1' show,
//                   '2' refresh-status, '3' cancel, '4' update, '5' delete, '6' execute,
//                   '7' cluster list, '8' cluster show, '9' template list, ':' template show,
//                   ';' data-source list, '<' data-source show for the first backend);
//        flags:     (byte - '0') bits: 1 v2, 2 deleted lately, 4 the job is being killed,
//                   8 another job is being killed, 16 the job's cluster is remembered,
//                   32 the job was found on no cluster lately, 64 a cancel may wait 1 s;
//        id:        the job execution (v1.1 execute: job template) id; bytes outside
//                   [A-Za-z0-9_-] are dropped, as the router would never pass them
//   2. the query, k=v&k=v (decoded bytes, as the router hands them over)
//   3. the request's Content-Type
//   4. the request body
//   5… one MRS reply per line: [u|t|m]<status> <body>, u/t/m for unreachable, timeout and
//      malformed (no letter: a complete answer). The calls take the replies in turn and
//      start over at the first when they run out; with no reply line every call is
//      unreachable.
//
// Checks: the step loop ends within the executor's max_steps with an answer; no step throws
// or returns neither calls nor an answer; every call's target is a printable path and its body
// empty or JSON; the answer's status is 200-599, a 204 has no body, any other body is valid
// UTF-8 JSON, and an error is a Sahara error body.
#include "fuzz_support.hpp"

#include "gateway/executor.hpp"
#include "translators/common/step.hpp"
#include "translators/registry.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

using namespace sgw;
using translators::transport;

namespace {

struct subject {
    const translators::backend* backend;
    sahara::operation op;
    translators::step_fn step;
};

const std::vector<subject>& subjects() {
    static const std::vector<subject> all = [] {
        std::vector<subject> out;
        for (const auto& b : translators::backends())
            for (std::size_t i = 0; i < sahara::operation_count; ++i) {
                const auto op = static_cast<sahara::operation>(i);
                if (auto step = b.step_for(op)) out.push_back({&b, op, step});
            }
        return out;
    }();
    return all;
}

constexpr std::string_view project = "37caa80116e1403ab603e5eeb48a2f74";
constexpr std::string_view default_id = "2de74673-1a78-48af-a95b-e1fec4a4ae9c";

bool safe_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// The request as the router and the service would hand it over: only the operations, versions
// and ids the router can produce.
sahara::request request_of(const subject& s, const std::vector<std::string_view>& ls) {
    const std::string_view head = ls[0];
    const unsigned flags = head.size() > 1 ? static_cast<unsigned char>(head[1] - '0') : 0u;
    sahara::request req;
    req.op = s.op;
    // Cancel has a v1.1 route only; v2 cancels through PATCH.
    req.version = (flags & 1u) && s.op != sahara::operation::cancel ? sahara::api_version::v2
                                                                    : sahara::api_version::v1_1;
    req.project_id = project;
    req.request_id = "req-0b5e7c1c-5a2e-4e7f-9d3a-0123456789ab";
    std::string id;
    for (char c : head.substr(std::min<std::size_t>(2, head.size())))
        if (safe_char(c) && id.size() < 64) id += c;
    using op = sahara::operation;
    const bool has_id = !(s.op == op::list || s.op == op::cluster_list || s.op == op::template_list ||
                          s.op == op::data_source_list ||
                          (s.op == op::execute && req.version == sahara::api_version::v2));
    if (has_id) req.id = id.empty() ? std::string(default_id) : id;
    req.deleted_lately = (flags & 2u) != 0;
    if ((flags & 4u) && has_id) req.being_killed.push_back(req.id);
    if (flags & 8u) req.being_killed.emplace_back("3c9d8e7f-6a5b-4c3d-8e2f-1a0b9c8d7e02");
    if ((flags & 16u) && has_id) req.job_cluster = "ef7b54f2-3d92-49b2-a6d7-94607e1ea7df";
    req.unknown_lately = (flags & 32u) != 0 && has_id;
    if (flags & 64u) req.cancel_wait = std::chrono::milliseconds(1000);
    // A configured template (its id the default id), for the job-object API gone.
    static const sahara::job_template configured[] = {
        {std::string(default_id), "configured", "MapReduce", "", {{"e1", "main.jar"}}, {}}};
    req.fallback_templates = configured;

    std::string_view query = fuzz::line_at(ls, 1);
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        const auto eq = pair.find('=');
        if (!pair.empty())
            req.query.emplace_back(std::string(pair.substr(0, eq)),
                                   eq == std::string_view::npos ? std::string() : std::string(pair.substr(eq + 1)));
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    req.content_type = std::string(fuzz::line_at(ls, 2));
    req.body = std::string(fuzz::line_at(ls, 3));
    return req;
}

translators::upstream_reply reply_of(std::string_view line) {
    translators::upstream_reply r;
    if (!line.empty() && (line[0] == 'u' || line[0] == 't' || line[0] == 'm')) {
        r.outcome = line[0] == 'u' ? transport::unreachable : line[0] == 't' ? transport::timeout : transport::malformed;
        r.detail = "fuzz";
        line.remove_prefix(1);
    }
    std::size_t digits = 0;
    while (digits < line.size() && digits < 3 && line[digits] >= '0' && line[digits] <= '9') {
        r.status = r.status * 10 + static_cast<unsigned>(line[digits] - '0');
        ++digits;
    }
    line.remove_prefix(digits);
    if (!line.empty() && line[0] == ' ') line.remove_prefix(1);
    r.body = std::string(line);
    return r;
}

void check_call(const translators::upstream_call& call) {
    // Printable ASCII without spaces: nothing from MRS or the client may reshape the request line.
    const bool printable = std::all_of(call.target.begin(), call.target.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u > 0x20 && u < 0x7f;
    });
    if (call.target.empty() || call.target[0] != '/' || !printable)
        fuzz::fail("upstream call target is not a printable absolute path", call.target);
    if (!call.body.empty()) fuzz::json_or_fail(call.body, "upstream call body");
}

void check_answer(const sahara::response& res) {
    if (res.status < 200 || res.status > 599) fuzz::fail("answer status out of range", std::to_string(res.status));
    if (res.status == 204) {
        if (!res.body.empty()) fuzz::fail("204 answer with a body", res.body);
        return;
    }
    if (res.status >= 400) {
        fuzz::check_error_body(res.status, res.body, "error answer");
        return;
    }
    auto v = fuzz::json_or_fail(res.body, "answer");
    if (!v.is_object()) fuzz::fail("answer is not a JSON object", res.body);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto ls = fuzz::lines(input);
    const auto& all = subjects();
    const unsigned selector = ls[0].empty() ? 0u : static_cast<unsigned char>(ls[0][0] - '0');
    const subject& s = all[selector % all.size()];
    const auto req = request_of(s, ls);

    std::vector<translators::upstream_reply> replies;
    for (std::size_t i = 4; i < ls.size(); ++i) replies.push_back(reply_of(ls[i]));
    if (replies.empty()) replies.push_back({transport::unreachable, 0, {}, "fuzz", nullptr});

    // SGW_FUZZ_SHOW set: print the run (to see what an input does when replaying it).
    static const bool show = std::getenv("SGW_FUZZ_SHOW") != nullptr;
    if (show)
        std::fprintf(stderr, "%s %s %s id=%s\n", std::string(s.backend->name).c_str(),
                     std::string(sahara::to_string(s.op)).c_str(), std::string(sahara::to_string(req.version)).c_str(),
                     req.id.c_str());
    translators::step_context ctx;
    std::size_t taken = 0;
    for (int round = 0; round < max_steps; ++round) {
        translators::step_result next;
        try {
            next = s.step(req, ctx.replies(), ctx);
        } catch (const std::exception& e) {
            fuzz::fail(std::string("step threw: ") + e.what());
        }
        if (next.response) {
            if (show) std::fprintf(stderr, "  -> %u %s\n", next.response->status, next.response->body.c_str());
            check_answer(*next.response);
            return 0;
        }
        if (next.again && next.calls.empty()) continue;  // another turn of its own work
        if (next.calls.empty()) fuzz::fail("step returned neither calls nor an answer");
        for (const auto& call : next.calls) {
            if (show) std::fprintf(stderr, "  call %s\n", call.target.c_str());
            check_call(call);
            ctx.add(replies[taken++ % replies.size()]);
        }
    }
    fuzz::fail("no answer within max_steps rounds", std::string(s.backend->name) + " " +
                                                        std::string(sahara::to_string(s.op)));
}
