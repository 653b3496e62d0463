// Assertions shared by the integration tests.
#pragma once

#include "harness.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <regex>
#include <string>
#include <thread>

namespace sgw::it {

inline std::size_t count_of(const std::string& haystack, const std::string& needle) {
    std::size_t found = 0;
    for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++found;
    return found;
}

/// Waits (at most 5 s) until the process's stderr holds `n` lines with this text.
inline bool wait_for_log(const process& p, const std::string& text, std::size_t n) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < until) {
        if (count_of(p.stderr_text(), text) >= n) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

/// Every answer: JSON content type and a fresh "req-<uuid4>" request id.
inline void check_envelope(const reply& r) {
    BOOST_TEST(std::string(r.headers["Content-Type"]) == "application/json");
    static const std::regex rid("^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
    BOOST_TEST(std::regex_match(std::string(r.headers["x-openstack-request-id"]), rid),
               "request id " << r.headers["x-openstack-request-id"]);
}

/// A Sahara error body with this status and name; returns the message.
inline std::string check_error(const reply& r, unsigned status, std::string_view name) {
    BOOST_TEST(r.status == status, "status " << r.status << " body " << r.body);
    check_envelope(r);
    auto v = r.json();
    auto& o = v.as_object();
    BOOST_TEST(o.size() == 3u, r.body);
    BOOST_TEST(o.at("error_code").as_int64() == static_cast<long long>(status));
    BOOST_TEST(o.at("error_name").as_string() == name, r.body);
    return std::string(o.at("error_message").as_string());
}

/// A 200 cancel answer; returns info.status.
inline std::string check_cancelled(const reply& r, const std::string& id) {
    BOOST_TEST_REQUIRE(r.status == 200u, r.body);
    check_envelope(r);
    auto v = r.json();
    auto& je = v.at("job_execution").as_object();
    BOOST_TEST(je.at("id").as_string() == id);
    BOOST_TEST(je.at("tenant_id").as_string() == demo_project);
    BOOST_TEST(je.contains("job_id"));
    return std::string(je.at("info").at("status").as_string());
}

}  // namespace sgw::it
