// The HTTP session on beast::test::stream: no sockets, byte-exact answers, fragmented input and
// a failure at every step.
#include "gateway/http_session.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <vector>

using namespace sgw;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using namespace std::string_literals;

namespace {

// Answers every request with a fixed body naming its target; records what it saw.
class echo_handler final : public http_handler {
public:
    std::vector<std::string> targets;
    std::vector<fault> rejected;
    std::vector<std::string> hosts;
    bool close_next = false;  ///< answer with Connection: close
    bool* drain = nullptr;    ///< set to true while handling, as a listener's drain would

    net::awaitable<http_response> handle(http_request& req) override {
        targets.emplace_back(req.target());
        hosts.emplace_back(req[http::field::host]);
        if (drain) *drain = true;
        http_response res{http::status::ok, req.version()};
        res.set(http::field::content_type, "application/json");
        res.body() = "{\"t\":\"" + std::string(req.target()) + "\"}";
        res.prepare_payload();
        if (close_next) res.keep_alive(false);
        co_return res;
    }
    http_response reject(fault why, std::string_view) override {
        rejected.push_back(why);
        http_response res{http::status::bad_request, 11};
        res.body() = "{}";
        res.prepare_payload();
        return res;
    }
};

struct harness {
    net::io_context ioc;
    beast::test::stream server{ioc};
    beast::test::stream client{ioc};
    echo_handler handler;
    session_limits limits;
    bool draining = false;
    session_flags flags{false, &draining};
    bool ended = false;

    harness() { server.connect(client); }

    // Runs the session over what the client sent (then EOF) and returns what the server wrote.
    std::string run(std::string_view input, bool close_input = true) {
        client.write_some(net::buffer(input.data(), input.size()));
        if (close_input) client.close();
        beast::flat_buffer buffer;
        net::co_spawn(ioc, run_http_session(server, buffer, limits, handler, flags), [this](std::exception_ptr e, session_end) {
            ended = true;
            if (e) std::rethrow_exception(e);
        });
        ioc.run();
        return std::string(client.str());
    }
};

const std::string get_a = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
const std::string answer_a =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{\"t\":\"/a\"}";

}  // namespace

BOOST_AUTO_TEST_SUITE(http_session)

BOOST_AUTO_TEST_CASE(one_request_byte_exact) {
    harness h;
    BOOST_TEST(h.run(get_a) == answer_a);
    BOOST_TEST(h.ended);
}

BOOST_AUTO_TEST_CASE(pipelined_requests_are_answered_in_order) {
    harness h;
    const auto out = h.run(get_a + "GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
    BOOST_TEST((h.handler.targets == std::vector<std::string>{"/a", "/b"}));
    BOOST_TEST(out.find("{\"t\":\"/a\"}HTTP/1.1 200 OK") != std::string::npos);
}

// An owner that keeps idle connections gets the session back between requests, with the
// buffer's memory given back; called again, the session serves what came meanwhile.
BOOST_AUTO_TEST_CASE(an_owner_keeping_idle_connections_gets_them_back_between_requests) {
    harness h;
    h.flags.owner_keeps_idle = true;
    beast::flat_buffer buffer;
    auto run_once = [&] {
        std::optional<session_end> end;
        net::co_spawn(h.ioc, run_http_session(h.server, buffer, h.limits, h.handler, h.flags),
                      [&](std::exception_ptr e, session_end how) {
                          BOOST_TEST(!e);
                          end = how;
                      });
        h.ioc.restart();
        h.ioc.run();
        return end;
    };
    h.client.write_some(net::buffer(get_a));
    BOOST_TEST((run_once() == session_end::idle));
    BOOST_TEST(std::string(h.client.str()) == answer_a);
    BOOST_TEST(buffer.capacity() == 0u);
    BOOST_TEST(h.flags.served);
    // Pipelined requests are all answered before the connection is handed back.
    h.client.clear();
    const std::string b_and_c = "GET /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\n\r\n";
    h.client.write_some(net::buffer(b_and_c));
    const auto second = run_once();
    BOOST_TEST_REQUIRE(second.has_value());
    BOOST_TEST((*second == session_end::idle));
    BOOST_TEST((h.handler.targets == std::vector<std::string>{"/a", "/b", "/c"}));
    // The client leaves while the owner keeps the connection: woken, the session finds the end.
    h.client.close();
    BOOST_TEST((run_once() == session_end::closed));
    BOOST_TEST(h.handler.targets.size() == 3u);
}

BOOST_AUTO_TEST_CASE(fragmented_input_reads_the_same) {
    for (std::size_t size : {1u, 2u, 3u, 7u}) {
        harness h;
        h.server.read_size(size);
        const std::string body = "{\"info\":{\"status\":\"cancel\"}}";
        const auto out = h.run("PATCH /p HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
                               "\r\n\r\n" + body + get_a);
        BOOST_TEST((h.handler.targets == std::vector<std::string>{"/p", "/a"}), "read size " << size);
        BOOST_TEST(out.ends_with(answer_a), "read size " << size);
    }
}

BOOST_AUTO_TEST_CASE(head_answers_carry_no_body) {
    harness h;
    const auto out = h.run("HEAD /a HTTP/1.1\r\nHost: x\r\n\r\n" + get_a);
    // The header says what GET would carry; the next answer follows the blank line at once.
    BOOST_TEST(out == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n" + answer_a);
}

BOOST_AUTO_TEST_CASE(connection_close_is_honoured_and_answered) {
    harness h;
    const auto out = h.run("GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" + get_a, false);
    BOOST_TEST(out == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10\r\n"
                      "Connection: close\r\n\r\n{\"t\":\"/a\"}");
    BOOST_TEST(h.handler.targets.size() == 1u);  // the second request is never read
    BOOST_TEST(h.ended);
}

BOOST_AUTO_TEST_CASE(a_handler_asking_to_close_ends_the_connection) {
    harness h;
    h.handler.close_next = true;
    const auto out = h.run(get_a + get_a, false);
    BOOST_TEST(out.find("Connection: close\r\n") != std::string::npos);
    BOOST_TEST(h.handler.targets.size() == 1u);
}

BOOST_AUTO_TEST_CASE(draining_answers_with_close_and_reads_nothing_more) {
    harness h;
    // The drain begins while the first request is being handled: it is answered, with
    // Connection: close, and the second is never read.
    h.handler.drain = &h.draining;
    const auto out = h.run(get_a + get_a, false);
    BOOST_TEST(out.find("Connection: close\r\n") != std::string::npos);
    BOOST_TEST(h.handler.targets.size() == 1u);
}

// A connection the drain took from the kernel's queue: its client sent the request before it
// could know of the drain, so that one is answered, with Connection: close, and no other.
BOOST_AUTO_TEST_CASE(a_draining_session_serves_a_new_connections_first_request_only) {
    harness h;
    h.draining = true;
    const auto out = h.run(get_a + get_a, false);
    BOOST_TEST(out.find("Connection: close\r\n") != std::string::npos);
    BOOST_TEST(h.handler.targets.size() == 1u);
    BOOST_TEST(h.ended);
}

BOOST_AUTO_TEST_CASE(http_1_0_closes_unless_asked_to_keep_alive) {
    harness h;
    const auto out = h.run("GET /a HTTP/1.0\r\n\r\nGET /b HTTP/1.0\r\n\r\n", false);
    BOOST_TEST(out.starts_with("HTTP/1.0 200 OK\r\n"));
    BOOST_TEST(h.handler.targets.size() == 1u);
}

BOOST_AUTO_TEST_CASE(malformed_requests_are_rejected_then_closed) {
    struct row {
        std::string input;
        fault why;
    };
    const row rows[] = {
        {"GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello", fault::request_malformed},
        {"GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello", fault::request_malformed},
        {"GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
         fault::request_malformed},
        // Framing: Content-Length only (RFC 9112 §6.1, §6.3).
        {"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
         fault::request_length_required},
        {"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: CHUNKED \r\n\r\n0\r\n\r\n", fault::request_length_required},
        {"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n" + get_a, fault::request_transfer_coding},
        {"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n" + get_a,
         fault::request_transfer_coding},
        {"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
         fault::request_transfer_coding},
        {"POST /a HTTP/1.0\r\nTransfer-Encoding: identity\r\n\r\n", fault::request_transfer_coding},
        // Host (§3.2), version, target forms (§3.2.2).
        {"GET /a HTTP/1.1\r\n\r\n", fault::request_malformed},
        {"GET /a HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", fault::request_malformed},
        {"GET /a HTTP/1.0\r\nHost: x\r\nHost: x\r\n\r\n", fault::request_malformed},
        {"GET /a HTTP/1.1\r\nHost: u@x\r\n\r\n", fault::request_malformed},
        {"GET /a HTTP/1.1\r\nHost: x y\r\n\r\n", fault::request_malformed},
        {"GET /a HTTP/2.0\r\nHost: x\r\n\r\n", fault::request_malformed},
        {"GET ftp://x/a HTTP/1.1\r\nHost: x\r\n\r\n", fault::request_malformed},
        {"GET http://u@x/a HTTP/1.1\r\nHost: x\r\n\r\n", fault::request_malformed},
        {"GET x:80 HTTP/1.1\r\nHost: x\r\n\r\n", fault::request_malformed},
        // Limits, and bytes no header may hold.
        {"GET /a HTTP/1.1\r\nHost: x\r\nX: " + std::string(9000, 'a') + "\r\n\r\n", fault::request_header_too_large},
        {"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n", fault::request_body_too_large},
        {"GET /a HTTP/1.1\r\nHost: x\r\nX: a\0b\r\n\r\n"s, fault::request_malformed},
        {"GET /a HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n", fault::request_malformed},
        {"GET /a HTTP/1.1\r\nHost: x\r\nX\0Y: a\r\n\r\n"s, fault::request_malformed},
        {"GET /a HTTP/1.1\r\nHost: x\r\nX Y: a\r\n\r\n", fault::request_malformed},
    };
    for (const auto& r : rows) {
        harness h;
        const auto out = h.run(r.input + get_a);
        BOOST_TEST_REQUIRE(h.handler.rejected.size() == 1u, r.input.substr(0, 60));
        BOOST_TEST((h.handler.rejected[0] == r.why), r.input.substr(0, 60));
        BOOST_TEST(out.find("Connection: close\r\n") != std::string::npos);
        BOOST_TEST(h.handler.targets.empty());  // nothing after a framing error is trusted
    }
}

BOOST_AUTO_TEST_CASE(an_absolute_form_target_is_served_in_origin_form) {
    harness h;
    const auto out = h.run("GET http://gw.example:8386/a?x=1 HTTP/1.1\r\nHost: other\r\n\r\n"
                           "GET HTTPS://gw.example HTTP/1.1\r\nHost: gw.example\r\n\r\n");
    BOOST_TEST((h.handler.targets == std::vector<std::string>{"/a?x=1", "/"}));
    // RFC 9112 §3.2.2: the target's authority replaces the Host header.
    BOOST_TEST((h.handler.hosts == std::vector<std::string>{"gw.example:8386", "gw.example"}));
}

BOOST_AUTO_TEST_CASE(obs_fold_is_unfolded_to_a_space) {
    harness h;
    h.run("GET /a HTTP/1.1\r\nHost:\r\n x\r\n\r\n");
    // RFC 9112 §5.2 lets a server replace each obs-fold with SP before reading the value.
    BOOST_TEST((h.handler.hosts == std::vector<std::string>{"x"}));
}

BOOST_AUTO_TEST_CASE(http_1_0_may_omit_host) {
    harness h;
    h.run("GET /a HTTP/1.0\r\n\r\n");
    BOOST_TEST(h.handler.targets.size() == 1u);
    BOOST_TEST(h.handler.rejected.empty());
}

BOOST_AUTO_TEST_CASE(expect_100_continue_gets_the_interim_answer_before_the_body) {
    harness h;
    const std::string body = "{}";
    const auto out = h.run("POST /a HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n" + body);
    BOOST_TEST(out.starts_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"));
    BOOST_TEST(h.handler.targets.size() == 1u);
    // A refused request gets no interim answer: the refusal is final.
    harness r;
    const auto refused =
        r.run("POST /a HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 999999\r\n\r\n");
    BOOST_TEST(refused.find("100 Continue") == std::string::npos);
    BOOST_TEST_REQUIRE(r.handler.rejected.size() == 1u);
    BOOST_TEST((r.handler.rejected[0] == fault::request_body_too_large));
}

BOOST_AUTO_TEST_CASE(a_client_that_leaves_midway_gets_no_answer) {
    harness h;
    const auto out = h.run("GET /a HTTP/1.1\r\nHost: x\r\nContent-Le");
    BOOST_TEST(out.empty());
    BOOST_TEST(h.handler.targets.empty());
    BOOST_TEST(h.ended);
    // After the interim answer the client closes in the middle of its body: the 100 Continue is
    // all it got, nothing reaches the handler and the session ends.
    harness c;
    const auto cut = c.run("POST /a HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 9\r\n\r\n{\"a\"");
    BOOST_TEST(cut == "HTTP/1.1 100 Continue\r\n\r\n");
    BOOST_TEST(c.handler.targets.empty());
    BOOST_TEST(c.handler.rejected.empty());
    BOOST_TEST(c.ended);
}

// Every read and write may fail: at each position the session ends cleanly, never hangs and
// never answers twice; past the last operation it completes the exchange.
BOOST_AUTO_TEST_CASE(fail_count_matrix) {
    bool completed = false;
    for (std::size_t n = 1; n < 64 && !completed; ++n) {
        net::io_context ioc;
        beast::test::fail_count fc(n);
        beast::test::stream server(ioc, fc);
        beast::test::stream client(ioc);
        server.connect(client);
        server.read_size(5);
        echo_handler handler;
        session_limits limits;
        session_flags flags;
        beast::flat_buffer buffer;
        client.write_some(net::buffer(get_a));
        client.close();
        bool ended = false;
        net::co_spawn(ioc, run_http_session(server, buffer, limits, handler, flags),
                      [&](std::exception_ptr e, session_end) {
                          ended = true;
                          BOOST_TEST(!e, "n = " << n);
                      });
        ioc.run();
        BOOST_TEST_REQUIRE(ended, "n = " << n);
        BOOST_TEST(handler.targets.size() <= 1u);
        completed = std::string(client.str()) == answer_a;
    }
    BOOST_TEST(completed);
}

BOOST_AUTO_TEST_SUITE_END()
