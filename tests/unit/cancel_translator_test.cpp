// The cancel translator, driven by JSON fixtures: each gives the upstream calls expected
// in order, the reply to each, and the Sahara answer expected at the end.
#include "translators/mrs_v1_1/cancel.hpp"

#include <boost/json.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace json = boost::json;
using namespace sgw;
using translators::transport;

namespace {

std::vector<std::string> fixture_names() {
    std::vector<std::string> names;
    for (auto& e : std::filesystem::directory_iterator(SGW_FIXTURES "/cancel"))
        if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

json::value load(const std::string& name) {
    std::ifstream f(SGW_FIXTURES "/cancel/" + name + ".json");
    std::stringstream ss;
    ss << f.rdbuf();
    return json::parse(ss.str());
}

std::string_view method_name(translators::method m) {
    switch (m) {
        case translators::method::get: return "GET";
        case translators::method::post: return "POST";
        case translators::method::patch: return "PATCH";
        case translators::method::del: return "DELETE";
    }
    return "?";
}

transport outcome_of(std::string_view s) {
    if (s == "unreachable") return transport::unreachable;
    if (s == "timeout") return transport::timeout;
    if (s == "malformed") return transport::malformed;
    return transport::ok;
}

// Every key of `subset` is in `actual` with an equal value (recursively for objects).
bool contains(const json::value& actual, const json::value& subset, std::string& where) {
    if (!subset.is_object()) {
        if (actual == subset) return true;
        where += " = " + json::serialize(actual) + ", expected " + json::serialize(subset);
        return false;
    }
    if (!actual.is_object()) {
        where += ": not an object";
        return false;
    }
    for (auto& [k, v] : subset.get_object()) {
        auto* a = actual.get_object().if_contains(k);
        std::string path = where + "." + std::string(k);
        if (!a) {
            where = path + ": missing";
            return false;
        }
        if (!contains(*a, v, path)) {
            where = path;
            return false;
        }
    }
    return true;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cancel_translator)

BOOST_DATA_TEST_CASE(fixture, boost::unit_test::data::make(fixture_names()), name) {
    auto doc = load(name).as_object();
    BOOST_TEST_MESSAGE(name << ": " << doc["description"].as_string());
    auto& r = doc["request"].as_object();
    sahara::request req{sahara::operation::cancel, sahara::api_version::v1_1,
                        std::string(r["project_id"].as_string()), std::string(r["id"].as_string()),
                        std::string(r["request_id"].as_string())};

    std::vector<translators::upstream_reply> replies;
    for (auto& step : doc["steps"].as_array()) {
        auto next = mrs_v1_1::cancel_step(req, replies);
        BOOST_TEST_REQUIRE(!next.response.has_value(), "answered early with " << (next.response ? next.response->body : ""));
        BOOST_TEST_REQUIRE(next.calls.size() == 1u);
        auto& expected = step.at("expect_call").as_object();
        BOOST_TEST(method_name(next.calls[0].verb) == expected.at("method").as_string());
        BOOST_TEST(next.calls[0].target == expected.at("target").as_string());
        BOOST_TEST(next.calls[0].retry_safe);

        auto& reply = step.at("reply").as_object();
        translators::upstream_reply rep;
        rep.outcome = outcome_of(reply.at("outcome").as_string());
        if (auto* s = reply.if_contains("status")) rep.status = static_cast<unsigned>(s->as_int64());
        if (auto* b = reply.if_contains("body")) rep.body = json::serialize(*b);
        if (auto* t = reply.if_contains("body_text")) rep.body = std::string(t->as_string());
        replies.push_back(rep);
    }
    auto final_step = mrs_v1_1::cancel_step(req, replies);
    BOOST_TEST_REQUIRE(final_step.response.has_value(), "asked for another call: " << final_step.calls.size());
    auto& expect = doc["expect"].as_object();
    BOOST_TEST(final_step.response->status == expect["status"].as_int64());
    auto body = json::parse(final_step.response->body);
    if (auto* full = expect.if_contains("body")) {
        BOOST_TEST(body == *full, "body " << json::serialize(body) << "\nexpected " << json::serialize(*full));
        if (full->is_object() && full->as_object().contains("job_execution")) {
            // Key order matters to nobody, but the set of keys must be Sahara's exactly.
            BOOST_TEST(body.as_object().at("job_execution").as_object().size() ==
                       full->as_object().at("job_execution").as_object().size());
        }
    }
    if (auto* subset = expect.if_contains("body_subset")) {
        std::string where = "body";
        BOOST_TEST(contains(body, *subset, where), where << " in " << json::serialize(body));
    }
    if (final_step.response->status >= 400) BOOST_TEST(!final_step.response->log_detail.empty());
}

BOOST_AUTO_TEST_SUITE_END()
