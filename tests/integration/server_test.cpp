// The Sahara-facing server: routing errors, malformed input, limits, logs, shutdown.
#include "checks.hpp"

#include <boost/test/unit_test.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <csignal>
#include <random>
#include <fstream>
#include <atomic>
#include <thread>

using namespace sgw::it;
namespace http = boost::beast::http;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(server)

BOOST_AUTO_TEST_CASE(unknown_route_is_404_and_wrong_method_405) {
    stack s;
    check_error(http_get(s.gw_port(), "/v1.1/" + demo_project + "/nothing-here", demo_token), 404, "NOT_FOUND");
    check_error(http_get(s.gw_port(), s.cancel_path("x") + "/", demo_token), 404, "NOT_FOUND");
    client c(s.gw_port());
    check_error(c.request(http::verb::post, s.cancel_path("x"), {{"X-Auth-Token", demo_token}}), 405,
                "METHOD_NOT_ALLOWED");
    // The connection stays usable after an error answer.
    auto id = s.create_job("running");
    BOOST_TEST(check_cancelled(c.request(http::verb::get, s.cancel_path(id) + ".json", {{"X-Auth-Token", demo_token}}),
                               id) == "TOBEKILLED");
}

BOOST_AUTO_TEST_CASE(malformed_requests_are_400) {
    stack s;
    client a(s.gw_port());
    check_error(a.raw("GARBAGE\r\n\r\n"), 400, "BAD_REQUEST");
    client b(s.gw_port());
    check_error(b.raw("GET /v1.1/x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"),
                400, "BAD_REQUEST");
    client c(s.gw_port());
    check_error(c.raw("GET /v1.1/%zz/job-executions/a/cancel HTTP/1.1\r\nHost: a\r\n\r\n"), 400, "BAD_REQUEST");
}

BOOST_AUTO_TEST_CASE(mutated_requests_never_break_the_gateway) {
    stack s;
    namespace net = boost::asio;
    const std::string valid = "GET " + s.cancel_path("a1000000-0000-4000-8000-000000000006") +
                              " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: demo-token\r\nContent-Length: 0\r\n\r\n";
    std::mt19937 rng(7);
    net::io_context ioc;
    int answered = 0;
    for (int i = 0; i < 150; ++i) {
        std::string bytes = valid;
        for (int k = 0, n = 1 + static_cast<int>(rng() % 8); k < n; ++k) {
            const auto pos = rng() % bytes.size();
            switch (rng() % 3) {
                case 0: bytes[pos] = static_cast<char>(rng() % 256); break;
                case 1: bytes.erase(pos, 1 + rng() % 8); break;
                default: bytes.insert(pos, std::string(1 + rng() % 4, static_cast<char>(rng() % 256))); break;
            }
            // push_back rather than assigning a literal: GCC 12 at -O3 misreads the latter as an
            // overlapping copy (-Wrestrict).
            if (bytes.empty()) bytes.push_back('x');
        }
        net::ip::tcp::socket sock(ioc);
        sock.connect({net::ip::make_address("127.0.0.1"), s.gw_port()});
        timeval tv{5, 0};
        ::setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        boost::system::error_code ec;
        net::write(sock, net::buffer(bytes), ec);
        sock.shutdown(net::ip::tcp::socket::shutdown_send, ec);  // nothing more is coming
        std::string got;
        char buf[4096];
        for (;;) {
            auto n = sock.read_some(net::buffer(buf), ec);
            if (ec) break;
            got.append(buf, n);
        }
        BOOST_TEST((ec == net::error::eof || ec == net::error::connection_reset), "request " << i << ": " << ec.message());
        if (got.empty()) continue;
        ++answered;
        BOOST_TEST_REQUIRE(got.starts_with("HTTP/1.1 "), "request " << i << ": " << got.substr(0, 80));
        const auto body = got.substr(got.find("\r\n\r\n") + 4);
        boost::system::error_code jec;
        auto v = boost::json::parse(body, jec);
        BOOST_TEST((!jec && v.is_object()), "request " << i << " got a body that is not JSON: " << body.substr(0, 200));
    }
    BOOST_TEST(answered > 50);
    auto id = s.create_job("running");
    BOOST_TEST(check_cancelled(s.cancel(id), id) == "TOBEKILLED");  // still serving
}

BOOST_AUTO_TEST_CASE(header_and_body_limits) {
    stack s({}, {"--server-body-limit", "1024"});
    client a(s.gw_port());
    auto r = a.request(http::verb::get, s.cancel_path("x"), {{"X-Auth-Token", demo_token}, {"X-Big", std::string(9000, 'a')}});
    check_error(r, 431, "BAD_REQUEST");
    client b(s.gw_port());
    check_error(b.request(http::verb::post, s.cancel_path("x"), {{"Content-Type", "application/json"}},
                          std::string(2000, ' ')),
                413, "REQUEST_ENTITY_TOO_LARGE");
}

BOOST_AUTO_TEST_CASE(errors_are_logged_once_with_their_request_id_and_never_a_token) {
    stack s;
    auto id = s.create_job("running", true);
    auto refused = s.cancel(id);
    auto unknown = s.cancel("00000000-0000-4000-8000-000000000000");
    auto rejected = s.cancel(id, "secret-token-value");
    BOOST_TEST(s.cancel(s.create_job("running")).status == 200u);
    std::this_thread::sleep_for(100ms);
    const auto log = s.gateway->stderr_text();
    for (auto* r : {&refused, &unknown, &rejected}) {
        const std::string rid(r->headers["x-openstack-request-id"]);
        std::size_t count = 0;
        for (auto pos = log.find(rid); pos != std::string::npos; pos = log.find(rid, pos + 1)) ++count;
        BOOST_TEST(count == 1u, rid << " appears " << count << " times");
    }
    BOOST_TEST(log.find("secret-token-value") == std::string::npos);
    BOOST_TEST(log.find(demo_token) == std::string::npos);
    // Each line is a JSON object.
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) BOOST_TEST(boost::json::parse(line).is_object(), line);
}

BOOST_AUTO_TEST_CASE(sigterm_drains_and_exits_cleanly) {
    stack s({}, {"--server-drain-timeout-ms", "2000"});
    auto id = s.create_job("running");
    s.set_faults(R"({"latency_ms": 300})");
    // A request in flight when SIGTERM arrives still gets its answer.
    std::string status;
    std::thread slow([&] { status = check_cancelled(s.cancel(id), id); });
    std::this_thread::sleep_for(100ms);
    s.gateway->signal(SIGTERM);
    slow.join();
    BOOST_TEST((status == "TOBEKILLED" || status == "KILLED"), status);
    BOOST_TEST(s.gateway->wait(5s) == 0);
}

BOOST_AUTO_TEST_CASE(idle_keep_alive_connections_do_not_hold_up_a_drain) {
    stack s({}, {"--server-drain-timeout-ms", "10000", "--server-idle-timeout-ms", "60000"});
    client idle(s.gw_port());
    BOOST_TEST(idle.request(http::verb::get, "/").status == 300u);
    const auto t0 = std::chrono::steady_clock::now();
    s.gateway->signal(SIGTERM);
    // An idle keep-alive connection is closed at once: the exit waits for neither the idle
    // timeout nor the drain timeout.
    BOOST_TEST(s.gateway->wait(5s) == 0);
    BOOST_TEST((std::chrono::steady_clock::now() - t0 < 5s));
}

BOOST_AUTO_TEST_CASE(the_drain_deadline_cancels_requests_in_flight) {
    stack s({}, {"--server-drain-timeout-ms", "500", "--upstream-request-timeout-ms", "60000"});
    auto id = s.create_job("running");
    s.set_faults(R"({"latency_ms": 30000})");
    std::atomic<bool> answered{false};
    std::thread slow([&] {
        try {
            s.cancel(id);
            answered = true;
        } catch (const std::exception&) {
            // The connection closes without an answer: the request was cancelled.
        }
    });
    std::this_thread::sleep_for(200ms);
    const auto t0 = std::chrono::steady_clock::now();
    s.gateway->signal(SIGTERM);
    // Past the 0.5 s deadline the request is cancelled and the process exits, long before MRS
    // would have answered (30 s).
    BOOST_TEST(s.gateway->wait(10s) == 0);
    BOOST_TEST((std::chrono::steady_clock::now() - t0 < 10s));
    slow.join();
    BOOST_TEST(!answered);
    const auto log = s.gateway->stderr_text();
    BOOST_TEST(log.find("drain deadline passed") != std::string::npos);
    BOOST_TEST(log.find("request not answered") != std::string::npos, log);
}

BOOST_AUTO_TEST_CASE(check_config_names_the_bad_key) {
    const std::string dir = make_temp_dir();
    {
        std::ofstream good(dir + "/good.toml");
        good << "listen = \"127.0.0.1:0\"\n[upstream]\nurl = \"https://mrs.example.com\"\n";
        std::ofstream bad(dir + "/bad.toml");
        bad << "[upstream]\nurl = \"https://mrs.example.com\"\nverfy = true\n";
    }
    auto run = [&](const std::string& file) {
        const std::string cmd = gateway_binary() + " --config " + file + " --check-config > " + dir + "/out 2>&1";
        const int rc = std::system(cmd.c_str());
        std::ifstream f(dir + "/out");
        std::stringstream ss;
        ss << f.rdbuf();
        return std::make_pair(WEXITSTATUS(rc), ss.str());
    };
    auto [good_rc, good_out] = run(dir + "/good.toml");
    BOOST_TEST(good_rc == 0, good_out);
    auto [bad_rc, bad_out] = run(dir + "/bad.toml");
    BOOST_TEST(bad_rc == 2);
    BOOST_TEST(bad_out.find("upstream.verfy: unknown key") != std::string::npos, bad_out);
}

BOOST_AUTO_TEST_SUITE_END()
