// Hostile clients: every way of framing, stretching or poisoning a request that has hurt HTTP
// servers gets a clean answer or a clean close, the gateway keeps serving, and nothing reaches
// MRS that should not (counted by the simulator).
#include "checks.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <fstream>
#include <sstream>
#include <random>
#include <thread>

#include <poll.h>

using namespace sgw::it;
namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;
using namespace std::string_literals;

namespace {

const std::string running_job = "a1000000-0000-4000-8000-000000000006";

/// What came back on a raw connection, and whether the gateway closed it.
struct wire {
    std::string bytes;
    bool closed = false;

    /// The first answer in `bytes`.
    reply first() const {
        http::response_parser<http::string_body> p;
        p.eager(true);
        boost::system::error_code ec;
        p.put(net::buffer(bytes), ec);
        BOOST_TEST_REQUIRE(p.is_done(), "no whole answer in: " << bytes.substr(0, 200));
        auto res = p.release();
        reply r;
        r.status = res.result_int();
        for (auto& f : res) r.headers.insert(f.name_string(), f.value());
        r.body = res.body();
        return r;
    }
};

tcp::socket connect_to(net::io_context& ioc, unsigned short port) {
    tcp::socket s(ioc);
    s.connect({net::ip::make_address("127.0.0.1"), port});
    return s;
}

/// Reads until the peer closes or `wait` passes with nothing new.
void read_all(tcp::socket& s, wire& w, std::chrono::milliseconds wait) {
    char buf[16384];
    for (;;) {
        pollfd p{s.native_handle(), POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return;
        boost::system::error_code ec;
        const auto n = s.read_some(net::buffer(buf), ec);
        if (ec) {
            w.closed = true;  // EOF or reset: either way the gateway ended the connection
            return;
        }
        w.bytes.append(buf, n);
    }
}

/// Sends `bytes` on a fresh connection and collects what comes back.
wire send_raw(unsigned short port, const std::string& bytes, std::chrono::milliseconds wait = 3s) {
    net::io_context ioc;
    auto s = connect_to(ioc, port);
    boost::system::error_code ec;
    net::write(s, net::buffer(bytes), ec);  // the gateway may close before it has read it all
    wire w;
    read_all(s, w, wait);
    return w;
}

/// Requests that reached the simulator (MRS and identity endpoints).
long long upstream_requests(stack& s) {
    long long n = 0;
    const auto stats = s.stats();
    for (auto& [name, count] : stats.at("by_endpoint").as_object()) n += count.to_number<long long>();
    return n;
}

long long rss_kib(pid_t pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(f, line))
        if (line.starts_with("VmRSS:")) return std::stoll(line.substr(6));
    return -1;
}

/// The gateway still answers a normal request, on a fresh connection.
void still_serves(stack& s) {
    auto r = s.cancel(running_job);
    BOOST_TEST(r.status == 200u, "after the hostile case: " << r.status << " " << r.body);
}

std::string request_head(const std::string& method, const std::string& target) {
    return method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: " + demo_token + "\r\n";
}

struct refused_case {
    std::string name;
    std::string bytes;
    unsigned status;
    std::string_view error_name;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(hostile)

// Framing and header syntax (RFC 9112). Each is refused before anything reaches MRS, the
// connection closes, and the next client is served.
BOOST_AUTO_TEST_CASE(framing_attacks_are_refused_and_closed) {
    stack s;
    const std::string cancel = s.cancel_path(running_job);
    const std::string get = request_head("GET", cancel);
    const std::string smuggled = get + "\r\n";  // a whole cancel, to be hidden in a body
    const std::vector<refused_case> cases = {
        {"chunked body (policy: Content-Length only)",
         get + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 411, "LENGTH_REQUIRED"},
        {"a trailer field of 70,000 bytes",
         get + "Transfer-Encoding: chunked\r\n\r\n0\r\nX-Big: " + std::string(70'000, 'a') + "\r\n\r\n", 411,
         "LENGTH_REQUIRED"},
        {"X-Auth-Token only in a trailer",
         "GET " + cancel + " HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-Auth-Token: " + demo_token +
             "\r\n\r\n",
         411, "LENGTH_REQUIRED"},
        {"xchunked hiding a cancel", get + "Transfer-Encoding: xchunked\r\n\r\n" + smuggled, 400, "BAD_REQUEST"},
        {"chunked, identity hiding a cancel", get + "Transfer-Encoding: chunked, identity\r\n\r\n" + smuggled, 400,
         "BAD_REQUEST"},
        {"two Transfer-Encoding lines", get + "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
         400, "BAD_REQUEST"},
        {"Content-Length and Transfer-Encoding",
         get + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled, 400, "BAD_REQUEST"},
        {"two different Content-Length", get + "Content-Length: 0\r\nContent-Length: 40\r\n\r\n" + smuggled, 400,
         "BAD_REQUEST"},
        {"two equal Content-Length", get + "Content-Length: 0\r\nContent-Length: 0\r\n\r\n", 400, "BAD_REQUEST"},
        {"Content-Length not a number", get + "Content-Length: 1x\r\n\r\n", 400, "BAD_REQUEST"},
        {"Content-Length negative", get + "Content-Length: -1\r\n\r\n", 400, "BAD_REQUEST"},
        {"Content-Length beyond any integer", get + "Content-Length: 99999999999999999999999\r\n\r\n", 400,
         "BAD_REQUEST"},
        {"bad chunk size", get + "Transfer-Encoding: chunked\r\n\r\nzz\r\n\r\n", 411, "LENGTH_REQUIRED"},
        {"NUL in a header value", get + "X-A: a\0b\r\n\r\n"s, 400, "BAD_REQUEST"},
        {"NUL in a header name", get + "X\0A: b\r\n\r\n"s, 400, "BAD_REQUEST"},
        {"CR alone in a header value", get + "X-A: a\rb\r\n\r\n", 400, "BAD_REQUEST"},
        {"bare LF ending a header line", get + "X-A: b\n\r\n", 400, "BAD_REQUEST"},
        {"space in a header name", get + "X A: b\r\n\r\n", 400, "BAD_REQUEST"},
        {"DEL in a header value", get + "X-A: a\x7f b\r\n\r\n", 400, "BAD_REQUEST"},
        {"no Host in HTTP/1.1",
         "GET " + cancel + " HTTP/1.1\r\nX-Auth-Token: " + demo_token + "\r\n\r\n", 400, "BAD_REQUEST"},
        {"two Host lines", get + "Host: b\r\n\r\n", 400, "BAD_REQUEST"},
        {"user information in Host",
         "GET " + cancel + " HTTP/1.1\r\nHost: u@a\r\nX-Auth-Token: " + demo_token + "\r\n\r\n", 400, "BAD_REQUEST"},
        {"HTTP/2.0 over HTTP/1", "GET " + cancel + " HTTP/2.0\r\nHost: a\r\n\r\n", 400, "BAD_REQUEST"},
        {"absolute form with another scheme",
         "GET ftp://a" + cancel + " HTTP/1.1\r\nHost: a\r\nX-Auth-Token: " + demo_token + "\r\n\r\n", 400,
         "BAD_REQUEST"},
        {"10,000 header lines", [&] {
             std::string b = get;
             for (int i = 0; i < 10'000; ++i) b += "X-H" + std::to_string(i) + ": v\r\n";
             return b + "\r\n";
         }(),
         431, "BAD_REQUEST"},
        {"a body over the limit", get + "Content-Length: 200000\r\n\r\n" + std::string(1000, 'x'), 413,
         "REQUEST_ENTITY_TOO_LARGE"},
    };
    s.reset_stats();
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.name) {
            const auto w = send_raw(s.gw_port(), c.bytes);
            const auto r = w.first();
            check_error(r, c.status, c.error_name);
            BOOST_TEST(std::string(r.headers["Connection"]) == "close");
            BOOST_TEST(w.closed);
            // Exactly one answer: whatever followed the refused header was never read as a request.
            BOOST_TEST(w.bytes.find("HTTP/1.1", 1) == std::string::npos);
        }
    }
    BOOST_TEST(upstream_requests(s) == 0);
    still_serves(s);
}

BOOST_AUTO_TEST_CASE(ids_cannot_steer_the_mrs_path) {
    stack s;
    s.reset_stats();
    const std::string base = "/v1.1/" + demo_project + "/job-executions/";
    for (const std::string id : {"..", "%2e%2e", "..%2F..%2Fjobs", "a%2Fb", "a%00b", "%252e%252e", "a/../b", "a%3Fb=1"}) {
        BOOST_TEST_CONTEXT(id) {
            auto r = send_raw(s.gw_port(), request_head("GET", base + id + "/cancel") + "Connection: close\r\n\r\n");
            const auto status = r.first().status;
            // Either no route or an id MRS cannot have; never a call.
            BOOST_TEST((status == 404u || status == 400u), status);
        }
    }
    BOOST_TEST(upstream_requests(s) == 0);
    still_serves(s);
}

BOOST_AUTO_TEST_CASE(deeply_nested_json_is_refused_without_an_upstream_call) {
    stack s;
    s.reset_stats();
    client c(s.gw_port());
    const std::string target = "/v1.1/" + demo_project + "/jobs/b1000000-0000-4000-8000-000000000001/execute";
    const std::vector<std::pair<std::string, std::string>> h = {{"X-Auth-Token", demo_token},
                                                                {"Content-Type", "application/json"}};
    check_error(c.request(http::verb::post, target, h, std::string(100'000, '[')), 400, "MALFORMED_REQUEST_BODY");
    const std::string deep_object = [] {
        std::string b;
        for (int i = 0; i < 50'000; ++i) b += "{\"a\":";
        return b;
    }();
    client d(s.gw_port());
    check_error(d.request(http::verb::post, target, h, deep_object.substr(0, 110'000)), 400, "MALFORMED_REQUEST_BODY");
    BOOST_TEST(upstream_requests(s) == 0);
    still_serves(s);
}

BOOST_AUTO_TEST_CASE(client_text_in_errors_and_logs_is_valid_utf8) {
    stack s;
    client c(s.gw_port());
    const std::vector<std::pair<std::string, std::string>> h = {{"X-Auth-Token", demo_token}};
    auto sort = c.request(http::verb::get, "/v1.1/" + demo_project + "/job-executions?sort_by=%FF%FEx", h);
    BOOST_TEST(sort.status == 400u);
    // Sahara names this error with the number 400 (sahara-api.md §7.1).
    const auto msg = std::string(sort.json().at("error_message").as_string());
    BOOST_TEST(msg.find("\xEF\xBF\xBD") != std::string::npos, msg);  // U+FFFD where the bad bytes were
    auto filter = c.request(http::verb::get, "/v1.1/" + demo_project + "/job-executions?%C0%AF=1", h);
    BOOST_TEST(filter.status / 100 == 4u);
    BOOST_TEST_REQUIRE(boost::json::parse(filter.body).is_object());  // json() throws on invalid UTF-8 too
    // An OpenStack-API-Version that is not UTF-8: answered (406 or 400), in valid JSON.
    auto w = send_raw(s.gw_port(), "GET /v2/jobs HTTP/1.1\r\nHost: a\r\nX-Auth-Token: " + demo_token +
                                       "\r\nOpenStack-API-Version: data-processing \xff\xfe\r\nConnection: close\r\n\r\n");
    const auto v = w.first();
    BOOST_TEST((v.status == 406u || v.status == 400u), v.status);
    boost::system::error_code ec;
    boost::json::parse(v.body, ec);
    BOOST_TEST(!ec, v.body);
    // A long hostile query is cut, not echoed whole.
    auto longq = c.request(http::verb::get, "/v1.1/" + demo_project + "/job-executions?sort_by=" + std::string(6000, 'z'), h);
    BOOST_TEST(longq.status == 400u);
    BOOST_TEST(longq.body.size() < 3000u);
    // Every log line the gateway wrote is a JSON object.
    s.gateway->signal(SIGTERM);
    s.gateway->wait(10s);
    std::istringstream log(s.gateway->stderr_text());
    std::string line;
    int lines = 0;
    while (std::getline(log, line)) {
        ++lines;
        boost::json::parse(line, ec);
        BOOST_TEST(!ec, "log line is not JSON: " << line.substr(0, 200));
    }
    BOOST_TEST(lines > 0);
}

BOOST_AUTO_TEST_CASE(head_and_absolute_form_and_folded_headers) {
    stack s;
    const std::string show = "/v1.1/" + demo_project + "/job-executions/" + running_job;
    // HEAD: a header without a body; the next answer on the connection is intact.
    {
        net::io_context ioc;
        auto sock = connect_to(ioc, s.gw_port());
        net::write(sock, net::buffer(request_head("HEAD", show) + "\r\n" + request_head("GET", show) +
                                     "Connection: close\r\n\r\n"));
        wire w;
        read_all(sock, w, 3s);
        boost::beast::flat_buffer buf;
        buf.commit(net::buffer_copy(buf.prepare(w.bytes.size()), net::buffer(w.bytes)));
        http::response_parser<http::string_body> head;
        head.skip(true);  // the answer to a HEAD has no body, whatever its Content-Length says
        boost::system::error_code ec;
        buf.consume(head.put(buf.data(), ec));
        BOOST_TEST_REQUIRE(head.is_done());
        http::response_parser<http::string_body> next;
        next.eager(true);
        next.put(buf.data(), ec);
        BOOST_TEST_REQUIRE(next.is_done(), "second answer unreadable: " << w.bytes.substr(0, 400));
        BOOST_TEST(next.get().result_int() == 200u);
        BOOST_TEST(boost::json::parse(next.get().body()).at("job_execution").at("id").as_string() == running_job);
    }
    // The absolute form is served like the origin form (RFC 9112 §3.2.2).
    auto abs = send_raw(s.gw_port(), request_head("GET", "http://gateway.example" + show) + "Connection: close\r\n\r\n");
    BOOST_TEST(abs.first().status == 200u);
    // An obsolete line fold is read as a space (RFC 9112 §5.2).
    auto folded = send_raw(s.gw_port(), "GET " + show + " HTTP/1.1\r\nHost: a\r\nX-Auth-Token:\r\n " + demo_token +
                                             "\r\nConnection: close\r\n\r\n");
    BOOST_TEST(folded.first().status == 200u);
}

BOOST_AUTO_TEST_CASE(huge_chunk_extensions_cost_no_memory) {
    stack s;
    const auto before = rss_kib(s.gateway->pid());
    net::io_context ioc;
    auto sock = connect_to(ioc, s.gw_port());
    boost::system::error_code ec;
    net::write(sock, net::buffer(request_head("POST", "/v2/jobs") + "Transfer-Encoding: chunked\r\n\r\n5;ext="), ec);
    const std::string junk(1 << 20, 'e');
    std::size_t sent = 0;
    for (int i = 0; i < 200 && !ec; ++i) sent += net::write(sock, net::buffer(junk), ec);
    wire w;
    read_all(sock, w, 3s);
    BOOST_TEST(w.bytes.starts_with("HTTP/1.1 411 "), w.bytes.substr(0, 100));
    BOOST_TEST(sent < (200u << 20));  // the gateway stopped reading long before 200 MB
    const auto after = rss_kib(s.gateway->pid());
    BOOST_TEST(after - before < 32 * 1024, "RSS " << before << " KiB -> " << after << " KiB");
    still_serves(s);
}

// A header that trickles in a byte at a time is cut off at the header deadline, however
// steady the trickle; other clients are served meanwhile.
BOOST_AUTO_TEST_CASE(slowloris_meets_the_header_deadline) {
    stack s({}, {"--server-header-timeout-ms", "1000"});
    net::io_context ioc;
    auto sock = connect_to(ioc, s.gw_port());
    const auto t0 = std::chrono::steady_clock::now();
    boost::system::error_code ec;
    net::write(sock, net::buffer(request_head("GET", s.cancel_path(running_job)) + "X-Slow: "), ec);
    bool cut = false;
    for (int i = 0; i < 60 && !cut && !ec; ++i) {  // a byte every 100 ms, for 6 s at most
        pollfd p{sock.native_handle(), POLLIN, 0};
        if (::poll(&p, 1, 100) > 0) {
            cut = true;  // EOF: the gateway ended it
            break;
        }
        net::write(sock, net::buffer("a", 1), ec);
        if (i == 2) still_serves(s);
    }
    const auto took = std::chrono::steady_clock::now() - t0;
    BOOST_TEST((cut || ec));
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(took).count();
    BOOST_TEST((ms >= 900 && ms < 4000), ms << " ms");
    // A connection that says nothing at all is closed at the same deadline, counted from its start.
    auto silent = connect_to(ioc, s.gw_port());
    const auto t1 = std::chrono::steady_clock::now();
    wire w;
    read_all(silent, w, 6s);
    const auto silent_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t1).count();
    BOOST_TEST(w.closed);
    BOOST_TEST(w.bytes.empty());
    BOOST_TEST((silent_ms >= 900 && silent_ms < 4000), silent_ms << " ms");
    still_serves(s);
}

// Between requests a connection holds no buffer or timer; the listener's sweep ends it once
// it has been idle for server.idle_timeout_ms (within an eighth of that), and a connection that
// keeps asking is never cut, however long it lives.
BOOST_AUTO_TEST_CASE(idle_keep_alive_connections_close_at_the_idle_timeout) {
    stack s({}, {"--server-idle-timeout-ms", "800"});
    net::io_context ioc;
    const std::string versions = request_head("GET", "/") + "\r\n";

    auto idle = connect_to(ioc, s.gw_port());
    net::write(idle, net::buffer(versions));
    const auto t0 = std::chrono::steady_clock::now();
    wire w;
    read_all(idle, w, 5s);
    const auto idle_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    BOOST_TEST(w.first().status == 300u);
    BOOST_TEST(w.closed);
    BOOST_TEST((idle_ms >= 750 && idle_ms < 3000), idle_ms << " ms");

    // Five requests 400 ms apart: 2 s in all, each gap under the timeout. Every one is answered
    // on the same connection.
    auto busy = connect_to(ioc, s.gw_port());
    for (int i = 0; i < 5; ++i) {
        boost::system::error_code ec;
        net::write(busy, net::buffer(versions), ec);
        BOOST_TEST_REQUIRE(!ec, "request " << i << ": " << ec.message());
        wire one;
        read_all(busy, one, 400ms);
        BOOST_TEST(!one.closed, "request " << i);
        BOOST_TEST(one.first().status == 300u);
    }
    still_serves(s);
}

BOOST_AUTO_TEST_CASE(tokens_that_cannot_be_tokens_cost_no_upstream_call) {
    stack s;
    s.reset_stats();
    for (const std::string bad : {"a b", "t\xC3\xA9", "x\ty"}) {
        auto w = send_raw(s.gw_port(), "GET " + s.cancel_path(running_job) + " HTTP/1.1\r\nHost: a\r\nX-Auth-Token: " +
                                           bad + "\r\nConnection: close\r\n\r\n");
        check_error(w.first(), 401, "UNAUTHORIZED");
    }
    BOOST_TEST(upstream_requests(s) == 0);
}

BOOST_AUTO_TEST_CASE(connections_beyond_the_limit_get_503_and_the_rest_are_served) {
    stack s({}, {"--server-max-connections", "20", "--threads", "2"});
    net::io_context ioc;
    std::vector<tcp::socket> held;
    for (int i = 0; i < 20; ++i) {
        // Each makes one request and keeps its connection: then it is certainly held.
        held.push_back(connect_to(ioc, s.gw_port()));
        net::write(held.back(), net::buffer(request_head("GET", "/") + "\r\n"));
        http::response<http::string_body> res;
        boost::beast::flat_buffer buf;
        http::read(held.back(), buf, res);
        BOOST_TEST_REQUIRE(res.result_int() == 300u);
    }
    auto over = send_raw(s.gw_port(), request_head("GET", s.cancel_path(running_job)) + "\r\n");
    const auto r = over.first();
    check_error(r, 503, "SERVICE_UNAVAILABLE");
    BOOST_TEST(std::string(r.headers["Retry-After"]) == "1");
    BOOST_TEST(over.closed);
    // A held connection is served as usual.
    net::write(held[3], net::buffer(request_head("GET", s.cancel_path(running_job)) + "\r\n"));
    wire w;
    read_all(held[3], w, 2s);
    BOOST_TEST(w.first().status == 200u);
    // Once they go (and the gateway has seen them go), new connections are served.
    held.clear();
    unsigned status = 0;
    for (int i = 0; i < 50 && status != 200u; ++i) {
        std::this_thread::sleep_for(100ms);
        status = s.cancel(running_job).status;
    }
    BOOST_TEST(status == 200u);
    BOOST_TEST(s.gateway->stderr_text().find("connection limit reached") != std::string::npos);
}

// Random tokens cost one upstream call each at most; a refused token repeated costs none.
BOOST_AUTO_TEST_CASE(a_refused_token_is_not_asked_about_again) {
    stack s({}, {"--threads", "1"});  // the cache is per worker thread
    s.reset_stats();
    for (int i = 0; i < 20; ++i) check_error(s.cancel(running_job, "bad-token"), 401, "UNAUTHORIZED");
    BOOST_TEST(upstream_requests(s) == 1);
    // The cache is per project: the same token for another project is asked about once more.
    const auto other = "/v1.1/0f1e2d3c4b5a69788796a5b4c3d2e1f0/job-executions/" + running_job;
    check_error(http_get(s.gw_port(), other, "bad-token"), 401, "UNAUTHORIZED");
    const auto asked = upstream_requests(s);
    BOOST_TEST(asked > 1);
    check_error(http_get(s.gw_port(), other, "bad-token"), 401, "UNAUTHORIZED");
    BOOST_TEST(upstream_requests(s) == asked);
    // A good token is not affected.
    still_serves(s);
}

BOOST_AUTO_TEST_CASE(a_refused_token_is_not_sent_to_identity_again) {
    stack s;
    s.start_gateway({"--threads", "1", "--identity-url", "http://127.0.0.1:" + std::to_string(s.sim_port()) + "/v3"},
                    "http://127.0.0.1:" + std::to_string(s.sim_port()));
    s.reset_stats();
    for (int i = 0; i < 20; ++i)
        check_error(http_get(s.gw_port(), "/v2/jobs/" + running_job, "bad-token"), 401, "UNAUTHORIZED");
    BOOST_TEST(s.stats().at("by_endpoint").at("identity").to_number<long long>() == 1);
    BOOST_TEST(upstream_requests(s) == 1);
}

// Connections that come and go in thousands, many with half a request, leave the gateway
// serving (tests/load/flood.py measures the memory of 10,000).
BOOST_AUTO_TEST_CASE(a_connection_flood_leaves_the_gateway_serving) {
    stack s({}, {"--threads", "2"});
    net::io_context ioc;
    const std::string req = request_head("GET", "/") + "\r\n";
    for (int round = 0; round < 4; ++round) {
        std::vector<tcp::socket> socks;
        for (int i = 0; i < 500; ++i) {
            socks.push_back(connect_to(ioc, s.gw_port()));
            boost::system::error_code ec;
            net::write(socks.back(), net::buffer(req.substr(0, 1 + i % req.size())), ec);
        }
        still_serves(s);
    }
    still_serves(s);
    BOOST_TEST(s.gateway->stderr_text().find("exception") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
