// Helpers shared by the simulator's unit tests: a seeded model, calls through its request
// handling, and checks of MRS error bodies.
#pragma once

#include "sim_state.hpp"

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sim_test {

namespace json = boost::json;
using namespace mrs_sim;

constexpr std::int64_t t0 = 1700000000000;  // the sim's start (2023-11-14T22:13:20Z)
inline const std::string demo_project(demo::project);
inline const std::string other_project(demo::other_project);

inline sim_state seeded(sim_options opts = {}) {
    sim_state s(opts, t0, 42);
    BOOST_REQUIRE_EQUAL(s.seed_demo(), "");
    s.finish_setup();
    return s;
}

struct result {
    unsigned status;
    json::value body;  // null when the body is empty
    reply raw;
};

inline result call(sim_state& s, std::string_view method, const std::string& target, std::int64_t now,
                   std::optional<std::string_view> token = demo::token, std::string_view body = {},
                   std::optional<std::string_view> subject = std::nullopt) {
    const route r = match_route(method, target);
    const api_request req{method, target, token, subject, body, "0123456789abcdef0123456789abcdef"};
    reply rep = s.handle(req, r, now);
    json::value v = rep.body.empty() ? json::value(nullptr) : json::parse(rep.body);
    return {rep.status, std::move(v), std::move(rep)};
}

inline std::string jobs_path(std::string_view project = demo::project) {
    return "/v1.1/" + std::string(project) + "/job-executions";
}

inline std::string job_path(std::string_view id, std::string_view suffix = "") {
    return jobs_path() + "/" + std::string(id) + std::string(suffix);
}

inline std::string exes_path(std::string_view query) {
    return "/v1.1/" + demo_project + "/job-exes" + std::string(query);
}

inline std::vector<std::string> page_ids(const json::value& body) {
    std::vector<std::string> ids;
    for (const auto& j : body.at("job_executions").as_array()) {
        ids.emplace_back(j.at("id").as_string());
    }
    return ids;
}

inline void check_error(const result& r, unsigned status, std::string_view code) {
    BOOST_TEST(r.status == status);
    BOOST_TEST(r.body.at("error_code").as_string() == code);
    BOOST_TEST(r.body.at("error_msg").is_string());
}

inline std::string id_of(int n) {
    return "a1000000-0000-4000-8000-00000000000" + std::to_string(n);
}

// POST /_sim/jobs with a count: the 201 answer.
inline json::value bulk(sim_state& s, std::string_view body, std::int64_t now = t0) {
    const reply r = s.add_job(body, now);
    BOOST_REQUIRE_MESSAGE(r.status == 201u, r.body);
    return json::parse(r.body);
}

inline std::vector<std::string> strings(const json::value& array) {
    std::vector<std::string> out;
    for (const auto& v : array.as_array()) {
        out.emplace_back(v.as_string());
    }
    return out;
}

inline bool is_lower_uuid(std::string_view id) {
    if (id.size() != 36) {
        return false;
    }
    for (std::size_t i = 0; i < id.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        const char c = id[i];
        if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

}  // namespace sim_test
