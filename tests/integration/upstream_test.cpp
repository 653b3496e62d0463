// The pooled upstream connector, observed from the simulator's counters: reuse, stale
// connections, TLS verification.
#include "checks.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <fstream>
#include <thread>

using namespace sgw::it;
namespace http = boost::beast::http;

namespace {

// Connections the simulator accepted since the last reset, less the stats request's own.
long long mrs_connections(stack& s) { return s.stats().at("connections").as_int64() - 1; }

// Ten cancels on one client connection; returns the MRS connections they needed.
long long ten_cancels(stack& s, const std::string& id) {
    s.reset_stats();
    client c(s.gw_port());
    for (int i = 0; i < 10; ++i) {
        auto r = c.request(http::verb::get, s.cancel_path(id), {{"X-Auth-Token", demo_token}});
        BOOST_TEST_REQUIRE(r.status == 200u, r.body);
    }
    auto st = s.stats();
    BOOST_TEST(st.at("requests").as_int64() == 20);  // cancel + state read per Sahara cancel
    return st.at("connections").as_int64() - 1;
}

// A CA and a certificate for "localhost" only, made with the openssl CLI.
void make_certificates(const std::string& dir) {
    const std::string cmd =
        "cd " + dir +
        " && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=sgw-test-ca"
        " >/dev/null 2>&1"
        " && openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=localhost"
        " >/dev/null 2>&1"
        " && printf 'subjectAltName=DNS:localhost\\n' > san.ext"
        " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2"
        " -extfile san.ext >/dev/null 2>&1";
    BOOST_TEST_REQUIRE(std::system(cmd.c_str()) == 0);
}

// MRS ends the pooled connection while it is idle (the simulator's idle_close_ms); then a
// DELETE and an execute, neither of which is ever resent, must still succeed, each on a new
// connection.
void delete_and_execute_after_an_idle_close(stack& s) {
    const std::string jobs = "/v1.1/" + demo_project + "/job-executions/";
    const std::vector<std::pair<std::string, std::string>> h = {{"X-Auth-Token", demo_token},
                                                                {"Content-Type", "application/json"}};
    const auto spare_1 = s.create_job("succeeded");
    const auto spare_2 = s.create_job("succeeded");
    const auto target = s.create_job("succeeded");
    s.set_faults(R"({"idle_close_ms": 200})");
    s.reset_stats();
    client c(s.gw_port());  // one client connection: one worker thread, one pool
    // A one-call request that leaves its connection in the pool, then an idle spell long
    // enough for MRS to end that connection.
    auto pool_then_idle = [&](const std::string& id) {
        auto r = c.request(http::verb::delete_, jobs + id, h);
        BOOST_TEST_REQUIRE(r.status == 204u, r.body);
        std::this_thread::sleep_for(std::chrono::milliseconds(700));
    };

    pool_then_idle(spare_1);
    auto del = c.request(http::verb::delete_, jobs + target, h);
    BOOST_TEST(del.status == 204u, del.body);

    pool_then_idle(spare_2);
    auto exec = c.request(http::verb::post, "/v1.1/" + demo_project + "/jobs/b1000000-0000-4000-8000-000000000001/execute",
                          h, R"({"cluster_id": "c1000000-0000-4000-8000-000000000001"})");
    BOOST_TEST(exec.status == 202u, exec.body);

    auto st = s.stats();
    BOOST_TEST(st.at("by_endpoint").at("delete").as_int64() == 3);  // each sent once, never resent
    BOOST_TEST(st.at("by_endpoint").at("execute").as_int64() == 1);
    // Calls that must not be sent twice never reuse a pooled connection: each of the four
    // opened its own.
    BOOST_TEST(st.at("connections").as_int64() - 1 == 4);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(upstream)

BOOST_AUTO_TEST_CASE(ten_sequential_cancels_reuse_one_connection) {
    stack s;
    BOOST_TEST(ten_cancels(s, s.create_job("killed")) == 1);
}

BOOST_AUTO_TEST_CASE(connections_closed_by_mrs_are_replaced_without_errors) {
    stack s;
    auto id = s.create_job("killed");
    s.set_faults(R"({"close_after": 1})");  // MRS drops every keep-alive connection after one answer
    s.reset_stats();
    client c(s.gw_port());
    for (int i = 0; i < 10; ++i) {
        auto r = c.request(http::verb::get, s.cancel_path(id), {{"X-Auth-Token", demo_token}});
        BOOST_TEST(r.status == 200u, r.body);
    }
    BOOST_TEST(mrs_connections(s) == 20);
}

BOOST_AUTO_TEST_CASE(idle_connections_are_closed_after_the_idle_timeout) {
    stack s({}, {"--upstream-idle-timeout-ms", "200"});
    auto id = s.create_job("killed");
    s.reset_stats();
    client c(s.gw_port());  // one client connection: one worker thread, one pool
    auto cancel = [&] { return c.request(http::verb::get, s.cancel_path(id), {{"X-Auth-Token", demo_token}}); };
    BOOST_TEST(cancel().status == 200u);
    BOOST_TEST(cancel().status == 200u);
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    BOOST_TEST(cancel().status == 200u);
    BOOST_TEST(mrs_connections(s) == 2);
}

BOOST_AUTO_TEST_CASE(tls_with_a_test_ca) {
    const std::string dir = make_temp_dir();
    make_certificates(dir);
    stack s({"--tls-cert", dir + "/server.pem", "--tls-key", dir + "/server.key"});
    const std::string https = "https://localhost:" + std::to_string(s.sim_port());
    auto id = s.create_job("killed");

    // Verified against the test CA, with SNI and host name check: works, one connection.
    s.start_gateway({"--upstream-ca-file", dir + "/ca.pem"}, https);
    BOOST_TEST(ten_cancels(s, id) == 1);

    // The system trust store does not know the test CA.
    s.start_gateway({}, https);
    auto msg = check_error(s.cancel(id), 502, "BAD_GATEWAY");
    BOOST_TEST(msg.starts_with("MRS cannot be reached."));
    BOOST_TEST(s.gateway->stderr_text().find("certificate verify failed") != std::string::npos);

    // The certificate is for "localhost", not for the address.
    s.start_gateway({"--upstream-ca-file", dir + "/ca.pem"}, "https://127.0.0.1:" + std::to_string(s.sim_port()));
    check_error(s.cancel(id), 502, "BAD_GATEWAY");

    // Verification off is an explicit choice.
    s.start_gateway({"--upstream-verify", "false", "--upstream-allow-insecure", "true"}, "https://127.0.0.1:" + std::to_string(s.sim_port()));
    BOOST_TEST(check_cancelled(s.cancel(id), id) == "KILLED");
}

BOOST_AUTO_TEST_CASE(plain_connections_closed_by_mrs_while_idle_are_not_reused) {
    stack s;
    delete_and_execute_after_an_idle_close(s);
}

// A TLS peer ending an idle connection sends close_notify and may keep the TCP connection
// open: the socket then holds bytes, not an EOF, and only a read through TLS tells.
BOOST_AUTO_TEST_CASE(tls_connections_closed_by_mrs_while_idle_are_not_reused) {
    const std::string dir = make_temp_dir();
    make_certificates(dir);
    stack s({"--tls-cert", dir + "/server.pem", "--tls-key", dir + "/server.key"});
    s.start_gateway({"--upstream-ca-file", dir + "/ca.pem"}, "https://localhost:" + std::to_string(s.sim_port()));
    delete_and_execute_after_an_idle_close(s);
}

BOOST_AUTO_TEST_SUITE_END()
