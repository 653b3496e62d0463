// Upstream resilience through the real processes: throttling, the circuit breaker and the
// connection queue answer Sahara-shaped 503s with Retry-After, and regional endpoints keep
// one region's trouble away from the other's projects (gateway-anchors.md §3; mrs-api.md §7).
#include "checks.hpp"

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <sys/stat.h>
#include <fstream>
#include <future>
#include <string>
#include <vector>

using namespace sgw::it;
namespace http = boost::beast::http;

namespace {

const std::string running_job = "a1000000-0000-4000-8000-000000000001";
const std::string other_project = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const std::string other_job = "a2000000-0000-4000-8000-000000000001";

std::string show_path(const std::string& project, const std::string& id) {
    return "/v1.1/" + project + "/job-executions/" + id;
}

long long mrs_requests(stack& s) { return s.stats().at("requests").as_int64(); }

}  // namespace

BOOST_AUTO_TEST_SUITE(resilience)

BOOST_AUTO_TEST_CASE(throttling_is_503_with_retry_after_and_never_repeated) {
    stack s;
    s.set_faults(R"({"error_status": 429, "error_rate": 1})");
    s.reset_stats();
    auto r = s.cancel(running_job);
    check_error(r, 503, "SERVICE_UNAVAILABLE");
    BOOST_TEST(std::string(r.headers[http::field::retry_after]) == "2");  // MRS's advice: 2 to 5 s (mrs-api.md §5.4)
    BOOST_TEST(mrs_requests(s) == 1);
}

BOOST_AUTO_TEST_CASE(an_open_breaker_answers_at_once_without_calling_mrs) {
    stack s({}, {"--threads", "1", "--upstream-breaker-failures", "3", "--upstream-breaker-open-ms", "60000"});
    s.set_faults(R"({"error_status": 503, "error_rate": 1})");
    s.reset_stats();
    // A cancel's first call fails, so each cancel is one failed call: the third opens the breaker.
    for (int i = 0; i < 3; ++i) check_error(s.cancel(running_job), 502, "BAD_GATEWAY");
    BOOST_TEST(mrs_requests(s) == 3);
    s.set_faults("{}");  // MRS is back, but the breaker waits its open time
    for (int i = 0; i < 3; ++i) {
        auto r = s.cancel(running_job);
        check_error(r, 503, "SERVICE_UNAVAILABLE");
        const auto retry_after = std::stoi(std::string(r.headers[http::field::retry_after]));
        BOOST_TEST((retry_after >= 55 && retry_after <= 60));
    }
    BOOST_TEST(mrs_requests(s) == 3);
}

BOOST_AUTO_TEST_CASE(a_full_queue_is_answered_503_and_the_rest_are_served) {
    stack s({}, {"--threads", "1", "--upstream-max-connections", "1", "--upstream-max-pending", "1"});
    s.set_faults(R"({"latency_ms": 600})");
    s.reset_stats();
    std::vector<std::future<reply>> calls;
    // Cancels make their calls one after another: the first two cancels take the connection
    // and the queue's one place, and pass them between them; the other two find both taken.
    for (int i = 0; i < 4; ++i) calls.push_back(std::async(std::launch::async, [&] { return s.cancel(running_job); }));
    int ok = 0, refused = 0;
    for (auto& c : calls) {
        auto r = c.get();
        if (r.status == 200) {
            ++ok;
        } else {
            check_error(r, 503, "SERVICE_UNAVAILABLE");
            BOOST_TEST(std::string(r.headers[http::field::retry_after]) == "1");
            ++refused;
        }
    }
    BOOST_TEST(ok == 2);
    BOOST_TEST(refused == 2);
    BOOST_TEST(s.stats().at("peak_connections").as_int64() <= 2);  // the gateway's one, and the control calls'
}

BOOST_AUTO_TEST_CASE(projects_are_served_by_their_region_and_one_region_down_spares_the_other) {
    stack s;
    process second({sim_binary(), "--listen", "127.0.0.1:0", "--seed-demo"}, s.workdir + "/sim-2.log");
    const auto config_path = s.workdir + "/regions.toml";
    {
        std::ofstream f(config_path);
        f << "[regions.second]\nurl = \"http://127.0.0.1:" << second.port() << "\"\nprojects = [\"" << other_project
          << "\"]\n";
    }
    s.start_gateway({"--config", config_path}, "http://127.0.0.1:" + std::to_string(s.sim_port()));
    s.reset_stats();
    auto second_requests = [&] {
        return http_get(second.port(), "/_sim/stats").json().at("requests").as_int64();
    };
    const auto before = second_requests();

    auto other = http_get(s.gw_port(), show_path(other_project, other_job), other_token);
    BOOST_TEST(other.status == 200u, other.body);
    const auto after_other = second_requests();
    BOOST_TEST(after_other > before);
    BOOST_TEST(mrs_requests(s) == 0);
    auto demo = http_get(s.gw_port(), show_path(demo_project, running_job), demo_token);
    BOOST_TEST(demo.status == 200u, demo.body);
    BOOST_TEST(mrs_requests(s) > 0);
    BOOST_TEST(second_requests() == after_other);

    second.signal(SIGKILL);
    second.wait(std::chrono::seconds(5));
    check_error(http_get(s.gw_port(), show_path(other_project, other_job), other_token), 502, "BAD_GATEWAY");
    for (int i = 0; i < 5; ++i) {
        auto again = http_get(s.gw_port(), show_path(demo_project, running_job), demo_token);
        BOOST_TEST(again.status == 200u, again.body);
    }
}

// With the gateway's own keys every token is validated, at the identity endpoint of the
// region the URL's project belongs to.
BOOST_AUTO_TEST_CASE(a_region_validates_tokens_at_its_own_identity_endpoint) {
    const std::string ak = "ITREGIONACCESSKEY01", sk = "it-region-secret-0123456789abcdef";
    stack s({"--aksk", ak + ":" + sk + ":" + demo_project});
    process second({sim_binary(), "--listen", "127.0.0.1:0", "--seed-demo", "--aksk", ak + ":" + sk + ":" + other_project},
                   s.workdir + "/sim-2.log");
    const auto second_url = "http://127.0.0.1:" + std::to_string(second.port());
    const auto first_url = "http://127.0.0.1:" + std::to_string(s.sim_port());
    const auto keys = s.workdir + "/keys.toml";
    const auto config_path = s.workdir + "/regions.toml";
    {
        std::ofstream k(keys);
        k << "access_key = \"" << ak << "\"\nsecret_key = \"" << sk << "\"\n";
        std::ofstream f(config_path);
        f << "[auth]\nmode = \"aksk\"\ncredentials_file = \"" << keys << "\"\n[identity]\nurl = \"" << first_url
          << "/v3\"\n[regions.second]\nurl = \"" << second_url << "\"\nidentity_url = \"" << second_url
          << "/v3\"\nprojects = [\"" << other_project << "\"]\n";
    }
    BOOST_TEST_REQUIRE(::chmod(keys.c_str(), 0600) == 0);
    s.start_gateway({"--config", config_path}, first_url);
    auto identity_calls = [](unsigned short port) {
        return http_get(port, "/_sim/stats").json().at("by_endpoint").at("identity").as_int64();
    };
    const auto first_before = identity_calls(s.sim_port()), second_before = identity_calls(second.port());

    auto other = http_get(s.gw_port(), show_path(other_project, other_job), other_token);
    BOOST_TEST(other.status == 200u, other.body);
    BOOST_TEST(identity_calls(second.port()) == second_before + 1);
    BOOST_TEST(identity_calls(s.sim_port()) == first_before);

    auto demo = http_get(s.gw_port(), show_path(demo_project, running_job), demo_token);
    BOOST_TEST(demo.status == 200u, demo.body);
    BOOST_TEST(identity_calls(s.sim_port()) == first_before + 1);
    BOOST_TEST(identity_calls(second.port()) == second_before + 1);
}

BOOST_AUTO_TEST_SUITE_END()
