// Running in production, through the real processes: the admin listener (/healthz, /readyz,
// /metrics), the access log, request ids across the hop to MRS, the drain's shutdown delay, and
// configuration reloads on SIGHUP.
#include "checks.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <csignal>
#include <thread>
#include <fstream>
#include <future>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace sgw::it;
using namespace std::chrono_literals;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

const std::string running_job = "a1000000-0000-4000-8000-000000000001";
const std::string client_rid = "req-0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0";

std::string show_path(const std::string& id) { return "/v1.1/" + demo_project + "/job-executions/" + id; }

std::string read_file(const std::string& path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::trunc);
    f << text;
}

std::vector<json::object> json_lines(const std::string& text) {
    std::vector<json::object> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) out.push_back(json::parse(line).as_object());
    return out;
}

// The value of the sample `name{labels}` in a /metrics text, or -1.
double sample(const std::string& text, const std::string& series) {
    const auto at = text.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(text.substr(at + series.size() + 2));
}

std::string metrics_of(const process& gw) {
    auto r = http_get(gw.admin_port(), "/metrics");
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(std::string(r.headers[http::field::content_type]).starts_with("text/plain; version=0.0.4"));
    return r.body;
}

double value_of_metric(const process& gw, const std::string& series) { return sample(metrics_of(gw), series); }

// The exposition format's rules the scrapers depend on: every sample belongs to a family
// declared by a TYPE line before it, each family is declared once, and values are numbers.
void check_exposition(const std::string& text) {
    std::set<std::string> typed, helped;
    std::istringstream in(text);
    std::string family;
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with("# HELP ")) {
            auto name = line.substr(7, line.find(' ', 7) - 7);
            BOOST_TEST(helped.insert(name).second, "HELP twice for " << name);
        } else if (line.starts_with("# TYPE ")) {
            family = line.substr(7, line.find(' ', 7) - 7);
            BOOST_TEST(typed.insert(family).second, "TYPE twice for " << family);
            BOOST_TEST(helped.count(family) == 1u, "TYPE without HELP for " << family);
        } else {
            const auto name = line.substr(0, line.find_first_of("{ "));
            const bool ours = name == family || name == family + "_bucket" || name == family + "_sum" ||
                              name == family + "_count";
            BOOST_TEST(ours, "sample " << name << " outside its family " << family);
            const auto value = line.substr(line.rfind(' ') + 1);
            std::size_t used = 0;
            BOOST_CHECK_NO_THROW(std::stod(value, &used));
        }
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(production)

BOOST_AUTO_TEST_CASE(admin_listener_answers_health_readiness_and_metrics) {
    stack s({}, {"--admin-listen", "127.0.0.1:0"});
    const auto admin = s.gateway->admin_port();
    BOOST_TEST_REQUIRE(admin != 0);
    BOOST_TEST(admin != s.gw_port());
    auto health = http_get(admin, "/healthz");
    BOOST_TEST(health.status == 200u);
    BOOST_TEST(health.body == "ok\n");
    auto ready = http_get(admin, "/readyz");
    BOOST_TEST(ready.status == 200u, ready.body);
    BOOST_TEST(http_get(admin, "/nothing").status == 404u);
    client c(admin);
    auto post = c.request(http::verb::post, "/healthz");
    BOOST_TEST(post.status == 405u);
    // Sahara's paths are not served on the admin port, nor the admin paths on the client port.
    BOOST_TEST(http_get(admin, s.cancel_path(running_job), demo_token).status == 404u);
    BOOST_TEST(http_get(s.gw_port(), "/metrics").status == 404u);

    const auto before = metrics_of(*s.gateway);
    check_exposition(before);
    BOOST_TEST(sample(before, R"(sahara_gateway_requests_total{operation="show",version="v1.1",status="200"})") == -1);
    for (int i = 0; i < 3; ++i) BOOST_TEST(http_get(s.gw_port(), show_path(running_job), demo_token).status == 200u);
    check_error(http_get(s.gw_port(), show_path(running_job), "refused-token"), 401, "UNAUTHORIZED");
    const auto after = metrics_of(*s.gateway);
    check_exposition(after);
    BOOST_TEST(sample(after, R"(sahara_gateway_requests_total{operation="show",version="v1.1",status="200"})") == 3);
    BOOST_TEST(sample(after, R"(sahara_gateway_requests_total{operation="show",version="v1.1",status="401"})") == 1);
    BOOST_TEST(sample(after, R"(sahara_gateway_request_duration_seconds_count{operation="show"})") == 4);
    const std::string endpoint = "127.0.0.1:" + std::to_string(s.sim_port());
    BOOST_TEST(after.find("sahara_gateway_upstream_requests_total{endpoint=\"" + endpoint +
                          "\",call=\"GET /v1.1/{id}/job-exes/{id}\",result=\"200\"}") != std::string::npos,
               after);
    BOOST_TEST(sample(after, "sahara_gateway_upstream_connections{endpoint=\"" + endpoint + "\",state=\"in_use\"}") == 0);
    BOOST_TEST(sample(after, "sahara_gateway_upstream_connections{endpoint=\"" + endpoint + "\",state=\"idle\"}") >= 1);
    BOOST_TEST(sample(after, "sahara_gateway_upstream_breakers{endpoint=\"" + endpoint + "\",state=\"open\"}") == 0);
    BOOST_TEST(sample(after, "sahara_gateway_ready") == 1);
    BOOST_TEST(sample(after, "sahara_gateway_client_connections_accepted_total") >= 5);
    BOOST_TEST(sample(after, "process_open_fds") > 0);
    BOOST_TEST(s.gateway->stderr_text().find(demo_token) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(request_ids_cross_the_hop_and_the_access_log_holds_no_token) {
    const auto dir = make_temp_dir();
    const auto access = dir + "/access.log";
    stack s({}, {"--log-access", "true", "--log-access-path", access});

    // A valid client id is sent to MRS; ours answers the client, as in OpenStack.
    client c(s.gw_port());
    auto with = c.request(http::verb::get, show_path(running_job),
                          {{"X-Auth-Token", demo_token}, {"X-Openstack-Request-Id", client_rid}});
    BOOST_TEST(with.status == 200u);
    const std::string ours(with.headers["x-openstack-request-id"]);
    BOOST_TEST(ours != client_rid);
    BOOST_TEST(s.stats().at("last_client_request_id").as_string() == client_rid);
    // Without one, or with one that is not an id, MRS hears ours.
    auto bogus = c.request(http::verb::get, show_path(running_job),
                           {{"X-Auth-Token", demo_token}, {"X-Openstack-Request-Id", "req-<script>"}});
    BOOST_TEST(bogus.status == 200u);
    BOOST_TEST(s.stats().at("last_client_request_id").as_string() ==
               std::string(bogus.headers["x-openstack-request-id"]));
    check_error(c.request(http::verb::get, show_path(running_job), {{"X-Auth-Token", "refused-token"}}), 401,
                "UNAUTHORIZED");

    const auto text = read_file(access);
    BOOST_TEST(text.find(demo_token) == std::string::npos);
    BOOST_TEST(text.find("refused-token") == std::string::npos);
    BOOST_TEST(text.find("<script>") == std::string::npos);
    const auto lines = json_lines(text);
    BOOST_TEST_REQUIRE(lines.size() == 3u, text);
    const auto& first = lines[0];
    BOOST_TEST(first.at("rid").as_string() == ours);
    BOOST_TEST(first.at("global_rid").as_string() == client_rid);
    BOOST_TEST(first.at("method").as_string() == "GET");
    BOOST_TEST(first.at("op").as_string() == "show");
    BOOST_TEST(first.at("version").as_string() == "v1.1");
    BOOST_TEST(first.at("project").as_string() == demo_project);
    BOOST_TEST(first.at("status").as_int64() == 200);
    BOOST_TEST(first.at("end").as_string() == "answered");
    BOOST_TEST(first.at("upstream_calls").as_int64() >= 1);
    BOOST_TEST(first.at("bytes_out").as_int64() == static_cast<long long>(with.body.size()));
    BOOST_TEST(first.at("ms").as_double() >= first.at("upstream_ms").as_double());
    BOOST_TEST(!lines[1].contains("global_rid"));
    BOOST_TEST(lines[2].at("status").as_int64() == 401);
    // Successes are not in the error log.
    BOOST_TEST(s.gateway->stderr_text().find(ours) == std::string::npos);

    // SIGHUP reopens the file: a rotated log goes on in a new file.
    BOOST_TEST_REQUIRE(::rename(access.c_str(), (access + ".1").c_str()) == 0);
    s.gateway->signal(SIGHUP);
    BOOST_TEST_REQUIRE(wait_for_log(*s.gateway, "\"reloaded\"", 1));
    BOOST_TEST(http_get(s.gw_port(), show_path(running_job), demo_token).status == 200u);
    BOOST_TEST(json_lines(read_file(access)).size() == 1u);
    BOOST_TEST(json_lines(read_file(access + ".1")).size() == 3u);
}

BOOST_AUTO_TEST_CASE(sigterm_fails_readiness_then_serves_through_the_delay_then_exits_0) {
    stack s({}, {"--admin-listen", "127.0.0.1:0", "--server-shutdown-delay-ms", "1500"});
    const auto admin = s.gateway->admin_port();
    BOOST_TEST_REQUIRE(http_get(admin, "/readyz").status == 200u);
    client kept(s.gw_port());
    BOOST_TEST(kept.request(http::verb::get, show_path(running_job), {{"X-Auth-Token", demo_token}}).status == 200u);
    const auto sent = std::chrono::steady_clock::now();
    s.gateway->signal(SIGTERM);
    std::this_thread::sleep_for(100ms);
    auto ready = http_get(admin, "/readyz");
    BOOST_TEST(ready.status == 503u);
    BOOST_TEST(ready.body.find("draining") != std::string::npos);
    BOOST_TEST(sample(metrics_of(*s.gateway), "sahara_gateway_draining") == 1);
    // Within the delay: a kept-alive connection and a new one are both served, told to close.
    auto on_kept = kept.request(http::verb::get, show_path(running_job), {{"X-Auth-Token", demo_token}});
    BOOST_TEST(on_kept.status == 200u);
    BOOST_TEST(std::string(on_kept.headers[http::field::connection]) == "close");
    auto fresh = http_get(s.gw_port(), show_path(running_job), demo_token);
    BOOST_TEST(fresh.status == 200u);
    BOOST_TEST(std::string(fresh.headers[http::field::connection]) == "close");
    BOOST_TEST(s.gateway->wait(5s) == 0);
    BOOST_TEST((std::chrono::steady_clock::now() - sent >= 1400ms));
    BOOST_CHECK_THROW(http_get(s.gw_port(), show_path(running_job), demo_token), std::exception);
}

BOOST_AUTO_TEST_CASE(sighup_moves_new_requests_to_the_new_upstream_and_keeps_the_old_config_when_invalid) {
    stack s;  // its simulator is "A"; the gateway under test is started below, from a file
    const auto dir = make_temp_dir();
    process b({sim_binary(), "--listen", "127.0.0.1:0", "--seed-demo"}, dir + "/sim-b.log");
    const auto conf = dir + "/gateway.toml";
    auto config_for = [&](unsigned short upstream, const std::string& extra) {
        return "listen = \"127.0.0.1:0\"\nthreads = 2\n[upstream]\nurl = \"http://127.0.0.1:" + std::to_string(upstream) +
               "\"\n" + extra;
    };
    write_file(conf, config_for(s.sim_port(), ""));
    process gw({gateway_binary(), "--config", conf, "--admin-listen", "127.0.0.1:0"}, dir + "/gateway.log");
    auto requests_on = [](unsigned short sim) { return http_get(sim, "/_sim/stats").json().at("requests").as_int64(); };

    // A slow request under the old configuration...
    s.set_faults(R"({"latency_ms": 1200})");
    auto slow = std::async(std::launch::async, [&] { return http_get(gw.port(), show_path(running_job), demo_token); });
    std::this_thread::sleep_for(300ms);
    // ...while the configuration moves to B, with one restart-only key changed.
    write_file(conf, "listen = \"127.0.0.1:0\"\nthreads = 3\n" +
                         config_for(b.port(), "").substr(std::string("listen = \"127.0.0.1:0\"\nthreads = 2\n").size()));
    gw.signal(SIGHUP);
    BOOST_TEST_REQUIRE(wait_for_log(gw, "\"reloaded\"", 1));
    BOOST_TEST(gw.stderr_text().find("threads") != std::string::npos);
    const auto b_before = requests_on(b.port());
    auto moved = http_get(gw.port(), show_path(running_job), demo_token);
    BOOST_TEST(moved.status == 200u, moved.body);
    BOOST_TEST(requests_on(b.port()) > b_before);
    // The request that began under A finishes there, answered.
    auto old = slow.get();
    BOOST_TEST(old.status == 200u, old.body);
    s.set_faults("{}");

    // An invalid file: refused, logged, and B stays in force.
    write_file(conf, config_for(b.port(), "max_connections = 0\n"));
    gw.signal(SIGHUP);
    BOOST_TEST_REQUIRE(wait_for_log(gw, "configuration not reloaded", 1));
    BOOST_TEST(gw.stderr_text().find("upstream.max_connections") != std::string::npos);
    const auto a_before = requests_on(s.sim_port());
    BOOST_TEST(http_get(gw.port(), show_path(running_job), demo_token).status == 200u);
    BOOST_TEST(requests_on(s.sim_port()) == a_before);
    const auto m = metrics_of(gw);
    BOOST_TEST(sample(m, R"(sahara_gateway_config_reloads_total{result="success"})") == 1);
    BOOST_TEST(sample(m, R"(sahara_gateway_config_reloads_total{result="failure"})") == 1);
    gw.signal(SIGTERM);
    BOOST_TEST(gw.wait(5s) == 0);
}

BOOST_AUTO_TEST_CASE(readiness_fails_when_mrs_is_out_of_reach_not_when_it_answers_errors) {
    stack s({}, {"--admin-listen", "127.0.0.1:0", "--threads", "1", "--upstream-breaker-open-ms", "60000"});
    const auto admin = s.gateway->admin_port();
    // MRS answering 503s opens the breaker, but MRS is still there: ready.
    s.set_faults(R"({"error_status": 503, "error_rate": 1})");
    for (int i = 0; i < 6; ++i) http_get(s.gw_port(), show_path(running_job), demo_token);
    BOOST_TEST(sample(metrics_of(*s.gateway), "sahara_gateway_upstream_breakers{endpoint=\"127.0.0.1:" +
                                                   std::to_string(s.sim_port()) + "\",state=\"open\"}") == 1);
    BOOST_TEST(http_get(admin, "/readyz").status == 200u);
    // MRS gone: not ready, and the reason says why.
    s.sim->signal(SIGKILL);
    s.sim->wait(5s);
    std::this_thread::sleep_for(1100ms);  // past the cached probe
    auto r = http_get(admin, "/readyz");
    BOOST_TEST(r.status == 503u);
    BOOST_TEST(r.body.find("cannot be reached") != std::string::npos, r.body);
    BOOST_TEST(sample(metrics_of(*s.gateway), "sahara_gateway_ready") == 0);
    BOOST_TEST(http_get(admin, "/healthz").status == 200u);  // alive all the same
}

BOOST_AUTO_TEST_CASE(reloads_under_load_drop_no_request) {
    stack s({}, {"--threads", "4", "--admin-listen", "127.0.0.1:0"});
    std::atomic<bool> stop{false};
    std::atomic<int> ok{0}, failed{0};
    std::vector<std::thread> clients;
    for (int t = 0; t < 4; ++t)
        clients.emplace_back([&] {
            client c(s.gw_port());
            while (!stop) {
                try {
                    auto r = c.request(http::verb::get, show_path(running_job), {{"X-Auth-Token", demo_token}});
                    (r.status == 200 ? ok : failed)++;
                } catch (const std::exception&) {
                    ++failed;
                }
            }
        });
    for (int i = 0; i < 8; ++i) {
        std::this_thread::sleep_for(100ms);
        s.gateway->signal(SIGHUP);
    }
    BOOST_TEST(wait_for_log(*s.gateway, "\"reloaded\"", 8));
    std::this_thread::sleep_for(100ms);
    stop = true;
    for (auto& t : clients) t.join();
    BOOST_TEST(failed.load() == 0);
    BOOST_TEST(ok.load() > 50);
    BOOST_TEST(value_of_metric(*s.gateway, R"(sahara_gateway_config_reloads_total{result="success"})") == 8);
    BOOST_TEST_MESSAGE("requests during 8 reloads: " << ok.load());
}

BOOST_AUTO_TEST_SUITE_END()
