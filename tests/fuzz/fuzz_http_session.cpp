// The HTTP session on beast::test::stream: raw client bytes in, answers out, no sockets and
// no clocks. The handler routes each request with the Sahara router and answers a small
// fixed body, or the Sahara error of the route or of a v2 microversion (echoed in a header as
// the service does); requests that cannot be read go to `reject`.
//
// Input: byte 0 sets up the session, the rest is what the client sends.
//   bits 0-2  most bytes per read of the server stream: unlimited (0 and 1), 1, 2, 3, 7, 16
//             or 64 (one byte per read is slow: it has one value of eight)
//   bits 3-4  body limit: 114688 (the default), 1024, 16 or 0 bytes
//   bit 5     header limit 512 bytes instead of 8 KiB
//   bit 6     the listener begins to drain while the first request is handled
//   bit 7     the client's bytes arrive in pieces, split at each 0x1f byte (the byte itself
//             is not sent), and the session serves each piece before the next is sent;
//             otherwise they arrive at once
// After the last piece the client closes its side.
//
// Checks: the session ends once the client has closed (within a bounded number of handler
// runs); no exception leaves it or the event loop; what it wrote is exactly one well-formed
// HTTP response per request handled or rejected, in order (a 100 Continue may precede one);
// every body that says application/json is valid UTF-8 JSON.
#include "fuzz_support.hpp"

#include "gateway/http_session.hpp"
#include "translators/sahara/faults.hpp"
#include "translators/sahara/router.hpp"
#include "translators/sahara/versions.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/http/parser.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

using namespace sgw;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr std::string_view request_id = "req-0b5e7c1c-5a2e-4e7f-9d3a-0123456789ab";

http_response json_response(unsigned status, std::string body, unsigned version) {
    http_response res{static_cast<http::status>(status), version};
    res.set(http::field::content_type, "application/json");
    res.set("x-openstack-request-id", request_id);
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

http_response ok_response(std::string_view id, unsigned version) {
    std::string body = "{\"job_execution\":{\"id\":\"";
    body += id;
    body += "\",\"info\":{\"status\":\"RUNNING\"}}}";
    return json_response(200, std::move(body), version);
}

// Answers like the Sahara service would without calling MRS. Records, for each answer, whether
// it answers a HEAD (whose response carries no body).
class fuzz_handler final : public http_handler {
public:
    std::vector<bool> answered_head;
    bool* drain = nullptr;

    net::awaitable<http_response> handle(http_request& req) override {
        answered_head.push_back(req.method() == http::verb::head);
        if (drain) *drain = true;
        // Suspend once, as a real handler does while MRS answers.
        co_await net::post(co_await net::this_coro::executor, net::use_awaitable);
        auto routed = sahara::route(req.method_string(), req.target());
        if (auto* err = std::get_if<sahara::route_error>(&routed)) {
            auto out = sahara::fault_response(err->why, request_id);
            co_return json_response(out.status, std::move(out.body), req.version());
        }
        if (std::holds_alternative<sahara::route_versions>(routed))
            co_return json_response(300, sahara::versions_body("http", "localhost"), req.version());
        const auto& m = std::get<sahara::route_match>(routed);
        if (m.version == sahara::api_version::v2) {
            // As the service does: the microversion is echoed in a header, and may be refused.
            auto v = sahara::negotiate_v2(req["OpenStack-API-Version"]);
            auto res = v.error ? json_response(v.error->status, std::move(v.error->body), req.version())
                               : m.op == sahara::operation::remove ? json_response(204, {}, req.version())
                                                                    : ok_response(m.id, req.version());
            res.set("OpenStack-API-Version", "data-processing " + v.echo);
            co_return res;
        }
        if (m.op == sahara::operation::remove) co_return json_response(204, {}, req.version());
        co_return ok_response(m.id, req.version());
    }

    http_response reject(fault why, std::string_view reason) override {
        answered_head.push_back(false);
        auto out = sahara::fault_response(why, request_id, std::string(reason));
        return json_response(out.status, std::move(out.body), 11);
    }
};

// Runs ready handlers until none is left; a session that keeps the loop busy past the bound
// is a hang. An exception thrown by a handler (outside the session's coroutine frame, so not
// passed to its completion) would leave the listener's event loop: a failure too.
void pump(net::io_context& ioc) {
    ioc.restart();
    try {
        for (std::size_t n = 0; ioc.poll_one() != 0; ++n)
            if (n == 1'000'000) fuzz::fail("the session keeps the event loop busy");
    } catch (const std::exception& e) {
        fuzz::fail(std::string("an exception left the event loop: ") + e.what());
    }
}

// Every byte written must be a response, one per answer, each complete.
void check_output(std::string_view out, const std::vector<bool>& answered_head) {
    std::size_t answers = 0;
    while (!out.empty()) {
        // A response past the last answer can only be an interim one: a 100 Continue sent before
        // the client closed in the middle of its body, which then needs no answer.
        const bool extra = answers == answered_head.size();
        http::response_parser<http::string_body> parser;
        parser.eager(true);
        parser.skip(!extra && answered_head[answers]);
        parser.body_limit(boost::none);
        parser.header_limit(64 * 1024);
        beast::error_code ec;
        while (!parser.is_done()) {
            const auto n = parser.put(net::buffer(out.data(), out.size()), ec);
            out.remove_prefix(n);
            if (ec == http::error::need_more) {
                ec = {};
                if (n != 0) continue;
                // Nothing more to read: only a body delimited by the end of the connection may end here.
                if (!out.empty() || !parser.is_header_done() || !parser.need_eof())
                    fuzz::fail("a response is cut short", out);
                parser.put_eof(ec);
            }
            if (ec) fuzz::fail("a response does not parse (" + ec.message() + ")", out);
        }
        auto& res = parser.get();
        // An interim answer (100 Continue) precedes the final one and answers nothing alone.
        if (res.result_int() / 100 == 1) {
            if (res.result() != http::status::continue_) fuzz::fail("an interim response other than 100", out);
            continue;
        }
        if (extra) fuzz::fail("more responses than requests", out);
        if (res[http::field::content_type].find("application/json") != std::string_view::npos &&
            !answered_head[answers] && !res.body().empty())
            fuzz::json_or_fail(res.body(), "JSON response body");
        ++answers;
    }
    if (answers != answered_head.size())
        fuzz::fail("requests without a response", std::to_string(answers) + " of " +
                                                        std::to_string(answered_head.size()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const unsigned setup = data[0];
    const std::string_view sent(reinterpret_cast<const char*>(data) + 1, size - 1);

    net::io_context ioc;
    beast::test::stream server(ioc);
    beast::test::stream client(ioc);
    server.connect(client);
    static constexpr std::size_t read_sizes[] = {0, 0, 1, 2, 3, 7, 16, 64};
    if (auto rs = read_sizes[setup & 7u]) server.read_size(rs);

    session_limits limits;
    static constexpr std::size_t body_limits[] = {114688, 1024, 16, 0};
    limits.body_limit = body_limits[(setup >> 3) & 3u];
    if (setup & 32u) limits.header_limit = 512;

    fuzz_handler handler;
    bool draining = false;
    session_flags flags{false, &draining};
    if (setup & 64u) handler.drain = &draining;

    beast::flat_buffer buffer;
    bool ended = false;
    std::exception_ptr escaped;
    net::co_spawn(ioc, run_http_session(server, buffer, limits, handler, flags), [&](std::exception_ptr e, session_end) {
        ended = true;
        escaped = e;
    });

    std::vector<std::string_view> pieces;
    if (setup & 128u) {
        std::string_view rest = sent;
        for (;;) {
            const auto cut = rest.find('\x1f');
            pieces.push_back(rest.substr(0, cut));
            if (cut == std::string_view::npos) break;
            rest.remove_prefix(cut + 1);
        }
    } else {
        pieces.push_back(sent);
    }
    for (auto piece : pieces) {
        if (!piece.empty()) {
            beast::error_code ec;
            client.write_some(net::buffer(piece.data(), piece.size()), ec);
        }
        if (setup & 128u) pump(ioc);
    }
    client.close();
    pump(ioc);

    if (escaped) {
        try {
            std::rethrow_exception(escaped);
        } catch (const std::exception& e) {
            fuzz::fail(std::string("an exception left the session: ") + e.what());
        } catch (...) {
            fuzz::fail("an exception of unknown type left the session");
        }
    }
    if (!ended) fuzz::fail("the session did not end after the client closed");
    // SGW_FUZZ_SHOW set: print what the session wrote (to see what an input does when replaying it).
    static const bool show = std::getenv("SGW_FUZZ_SHOW") != nullptr;
    if (show) std::fprintf(stderr, "%.*s\n", static_cast<int>(client.str().size()), client.str().data());
    check_output(client.str(), handler.answered_head);
    return 0;
}
