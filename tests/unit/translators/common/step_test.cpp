// The per-request context: a reply parsed in turns joins it exactly as one parsed at once.
#include "translators/common/step.hpp"

#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

using namespace sgw;
using translators::step_context;
using translators::upstream_reply;

namespace {

upstream_reply reply_with(std::string body) {
    upstream_reply r;
    r.status = 200;
    r.body = std::move(body);
    return r;
}

// Adds `body` in turns of `slice` bytes; returns how many turns it took.
int add_in_turns(step_context& ctx, const std::string& body, std::size_t slice) {
    if (ctx.add(reply_with(body), slice)) return 1;
    int turns = 1;
    while (!ctx.parse_some()) ++turns;
    return turns;
}

std::string rows(int n) {
    std::string out = "{\"job_executions\":[";
    for (int i = 0; i < n; ++i) {
        if (i) out += ',';
        out += "{\"id\":\"job-" + std::to_string(i) + "\",\"job_state\":" + std::to_string(i % 5) + ",\"x\":[1,2.5,null,true]}";
    }
    return out + "],\"markers\":{\"next\":null}}";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(step_context_replies)

BOOST_AUTO_TEST_CASE(a_reply_parsed_in_turns_equals_one_parsed_at_once) {
    const std::string body = rows(300);
    step_context whole, turns;
    whole.add(reply_with(body));
    for (std::size_t slice : {1u, 7u, 4096u, 1u << 20}) {
        step_context ctx;
        const int n = add_in_turns(ctx, body, slice);
        BOOST_TEST(n == int((body.size() + slice - 1) / slice));
        BOOST_TEST_REQUIRE(ctx.replies().size() == 1u);
        BOOST_TEST_REQUIRE(ctx.replies()[0].json != nullptr);
        BOOST_TEST(boost::json::serialize(*ctx.replies()[0].json) == boost::json::serialize(*whole.replies()[0].json));
        BOOST_TEST(ctx.replies()[0].body == body);
        BOOST_TEST(ctx.replies()[0].status == 200u);
    }
}

BOOST_AUTO_TEST_CASE(a_body_that_is_not_json_joins_without_a_value_either_way) {
    for (const std::string& bad : {std::string("{\"a\":"), std::string("{} {}"), std::string("[1,2]x"),
                                  std::string("<html>"), rows(50).substr(0, 999)}) {
        step_context at_once, in_turns;
        at_once.add(reply_with(bad));
        add_in_turns(in_turns, bad, 2);
        BOOST_TEST(at_once.replies()[0].json == nullptr, bad);
        BOOST_TEST(in_turns.replies()[0].json == nullptr, bad);
        BOOST_TEST(in_turns.replies()[0].body == bad);
    }
}

// A context dropped while a reply is half parsed (the request was cancelled) frees it cleanly.
BOOST_AUTO_TEST_CASE(a_context_dropped_mid_parse_frees_the_partial_value) {
    step_context ctx;
    BOOST_TEST(!ctx.add(reply_with(rows(200)), 1000));
    BOOST_TEST(!ctx.parse_some());
    BOOST_TEST(ctx.replies().empty());
}

BOOST_AUTO_TEST_SUITE_END()
