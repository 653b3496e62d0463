// Every backend's translators, driven by JSON fixtures in fixtures/<backend>/<operation>/: each
// gives the request, the upstream calls expected at each step with the reply to each, the Sahara
// answer expected at the end and, optionally, the effects the call must leave for the gateway.
// The driver owns the per-request context, as the executor does for a live request. The list
// folders have a form of their own (each step's "calls" with their replies; the answer checked
// by its ids, count and markers as well), driven by `list_fixture` below.
#include "fixture_support.hpp"

#include <boost/json.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using namespace sgw;
using namespace sgw::fixtures;

namespace {

// "folder/name" of every fixture, of the list folders or of the others.
std::vector<std::string> fixture_names(bool lists) {
    std::vector<std::string> out;
    for (auto& t : subjects())
        if (t.folder.ends_with("/list") == lists)
            for (auto& n : names(t.folder, true)) out.push_back(n);
    return out;
}

// The subject of fixture "folder/name".
subject subject_of(const std::string& name) {
    const auto folder = name.substr(0, name.rfind('/'));
    for (auto& candidate : subjects())
        if (candidate.folder == folder) return candidate;
    BOOST_FAIL("no backend operation for " << name);
    return {};
}

void check_call(const translators::upstream_call& call, const json::object& expected) {
    BOOST_TEST(method_name(call.verb) == expected.at("method").as_string());
    BOOST_TEST(call.target == expected.at("target").as_string());
    if (auto* body = expected.if_contains("body")) BOOST_TEST(json::parse(call.body) == *body, call.body);
    const bool safe = expected.contains("retry_safe") ? expected.at("retry_safe").as_bool() : true;
    BOOST_TEST(call.retry_safe == safe);
    const auto delay = expected.contains("delay_ms") ? expected.at("delay_ms").as_int64() : 0;
    BOOST_TEST(call.delay.count() == delay);
}

std::string_view kind_name(translators::effect::kind k) {
    switch (k) {
        case translators::effect::kind::killing: return "killing";
        case translators::effect::kind::not_killing: return "not_killing";
        case translators::effect::kind::deleted: return "deleted";
        case translators::effect::kind::cluster: return "cluster";
        case translators::effect::kind::unknown: return "unknown";
    }
    return "?";
}

// "effects": [["killing", "<id>"], ["cluster", "<id>", "<cluster>"], ...], exactly, in order.
void check_effects(const std::vector<translators::effect>& got, const json::array& expected) {
    std::string shown;
    for (auto& e : got) shown += std::string(kind_name(e.what)) + " " + e.job_id + " " + e.value + "; ";
    BOOST_TEST_REQUIRE(got.size() == expected.size(), "effects: " << shown);
    for (std::size_t i = 0; i < got.size(); ++i) {
        auto& want = expected[i].as_array();
        BOOST_TEST(kind_name(got[i].what) == want.at(0).as_string(), "effect " << i << ": " << shown);
        BOOST_TEST(got[i].job_id == want.at(1).as_string());
        if (want.size() > 2) BOOST_TEST(got[i].value == want.at(2).as_string());
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(translator_fixtures)

// A data test case over an empty folder is skipped, not failed: make a missing folder fail.
BOOST_AUTO_TEST_CASE(every_operation_of_every_backend_has_fixtures) {
    for (const auto& t : subjects()) {
        BOOST_TEST(t.step != nullptr, t.folder);
        BOOST_TEST(names(t.folder).size() >= 4u, t.folder);
    }
}

BOOST_DATA_TEST_CASE(fixture, boost::unit_test::data::make(fixture_names(false)), name) {
    auto doc = load(name).as_object();
    BOOST_TEST_MESSAGE(name << ": " << doc["description"].as_string());
    const auto found = subject_of(name);
    const auto* t = &found;

    auto& r = doc["request"].as_object();
    sahara::request req;
    req.op = t->op;
    if (auto* v = r.if_contains("version")) req.version = v->as_string() == "v2" ? sahara::api_version::v2 : sahara::api_version::v1_1;
    req.project_id = std::string(r["project_id"].as_string());
    req.id = r.contains("id") ? std::string(r["id"].as_string()) : std::string();
    req.request_id = std::string(r["request_id"].as_string());
    if (auto* b = r.if_contains("body")) req.body = json::serialize(*b);
    if (auto* b = r.if_contains("body_text")) req.body = std::string(b->as_string());
    req.content_type = r.contains("content_type") ? std::string(r["content_type"].as_string()) : "application/json";
    if (auto* k = r.if_contains("being_killed"))
        for (auto& id : k->as_array()) req.being_killed.emplace_back(id.as_string());

    if (auto* d = r.if_contains("deleted_lately")) req.deleted_lately = d->as_bool();
    if (auto* c = r.if_contains("job_cluster")) req.job_cluster = std::string(c->as_string());
    if (auto* u = r.if_contains("unknown_lately")) req.unknown_lately = u->as_bool();
    if (auto* w = r.if_contains("cancel_wait_ms")) req.cancel_wait = std::chrono::milliseconds(w->as_int64());
    if (auto* q = r.if_contains("query"))
        for (auto& p : q->as_array())
            req.query.emplace_back(p.as_array().at(0).as_string(), p.as_array().at(1).as_string());
    // "fallback_templates": [{id, name, type, description?, mains?: [{id, name}], libs?}]
    std::vector<sahara::job_template> fallback;
    if (auto* f = r.if_contains("fallback_templates"))
        for (auto& entry : f->as_array()) {
            const auto& o = entry.as_object();
            sahara::job_template jt;
            jt.id = o.at("id").as_string();
            jt.name = o.at("name").as_string();
            jt.type = o.at("type").as_string();
            if (auto* d = o.if_contains("description")) jt.description = d->as_string();
            for (auto key : {"mains", "libs"})
                if (auto* list = o.if_contains(key))
                    for (auto& b : list->as_array())
                        (std::string_view(key) == "mains" ? jt.mains : jt.libs)
                            .push_back({std::string(b.at("id").as_string()), std::string(b.at("name").as_string())});
            fallback.push_back(std::move(jt));
        }
    req.fallback_templates = fallback;

    translators::step_context ctx;
    for (auto& step : doc["steps"].as_array()) {
        auto next = run_step(t->step, req, ctx);
        BOOST_TEST_REQUIRE(!next.response.has_value(), "answered early with " << (next.response ? next.response->body : ""));
        auto& so = step.as_object();
        if (auto* one = so.if_contains("expect_call")) {
            BOOST_TEST_REQUIRE(next.calls.size() == 1u);
            check_call(next.calls[0], one->as_object());
            ctx.add(reply_of(so.at("reply").as_object()));
        } else {
            auto& calls = so.at("expect_calls").as_array();
            auto& step_replies = so.at("replies").as_array();
            BOOST_TEST_REQUIRE(next.calls.size() == calls.size());
            for (std::size_t i = 0; i < calls.size(); ++i) {
                check_call(next.calls[i], calls[i].as_object());
                ctx.add(reply_of(step_replies[i].as_object()));
            }
        }
    }
    auto final_step = run_step(t->step, req, ctx);
    BOOST_TEST_REQUIRE(final_step.response.has_value(), "asked for another call: " << final_step.calls.size());
    auto& expect = doc["expect"].as_object();
    BOOST_TEST(final_step.response->status == expect["status"].as_int64());
    if (auto* effects = expect.if_contains("effects")) check_effects(ctx.effects(), effects->as_array());
    if (final_step.response->status == 204) {
        BOOST_TEST(final_step.response->body.empty());
        return;
    }
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
    if (final_step.response->status >= 500) BOOST_TEST(!final_step.response->log_detail.empty());
}

// {"request": {version, project_id, request_id, query: [[k, v], ...], being_killed},
//  "steps": [{"calls": [{method, target, reply}, ...]}, ...],
//  "expect": {status, body | body_subset, ids, count, markers (null: none)}}.
BOOST_DATA_TEST_CASE(list_fixture, boost::unit_test::data::make(fixture_names(true)), name) {
    auto doc = load(name).as_object();
    BOOST_TEST_MESSAGE(name << ": " << doc["description"].as_string());
    const auto t = subject_of(name);
    auto& r = doc["request"].as_object();
    std::vector<std::pair<std::string, std::string>> query;
    if (auto* q = r.if_contains("query"))
        for (auto& p : q->as_array())
            query.emplace_back(p.as_array().at(0).as_string(), p.as_array().at(1).as_string());
    auto req = list_request(r.at("version") == "v2" ? sahara::api_version::v2 : sahara::api_version::v1_1,
                            r.at("project_id").as_string(), std::move(query));
    req.request_id = r.at("request_id").as_string();
    if (auto* k = r.if_contains("being_killed"))
        for (auto& id : k->as_array()) req.being_killed.emplace_back(id.as_string());

    script steps;
    for (auto& step : doc["steps"].as_array()) {
        std::vector<exchange> calls;
        for (auto& c : step.at("calls").as_array()) {
            BOOST_TEST_REQUIRE(c.at("method") == "GET");
            calls.push_back({std::string(c.at("target").as_string()), reply_of(c.at("reply").as_object())});
        }
        steps.push_back(std::move(calls));
    }
    auto res = drive_script(t.step, req, steps);

    auto& expect = doc["expect"].as_object();
    BOOST_TEST(res.status == expect.at("status").as_int64(), res.body);
    auto body = json::parse(res.body);
    if (auto* full = expect.if_contains("body"))
        BOOST_TEST(body == *full, "body " << json::serialize(body) << "\nexpected " << json::serialize(*full));
    if (auto* subset = expect.if_contains("body_subset")) {
        std::string where = "body";
        BOOST_TEST(contains(body, *subset, where), where << " in " << json::serialize(body));
    }
    const std::string_view key = req.version == sahara::api_version::v2 ? "jobs" : "job_executions";
    if (auto* ids = expect.if_contains("ids"))
        BOOST_TEST(ids_of(body.at(key)) == *ids, json::serialize(ids_of(body.at(key))));
    if (auto* count = expect.if_contains("count"))
        BOOST_TEST(body.at(key).as_array().size() == static_cast<std::size_t>(count->as_int64()));
    if (auto* markers = expect.if_contains("markers")) {
        auto* got = body.as_object().if_contains("markers");
        if (markers->is_null())
            BOOST_TEST(!got, "unexpected markers " << (got ? json::serialize(*got) : std::string()));
        else
            BOOST_TEST((got && *got == *markers), (got ? json::serialize(*got) : std::string("no markers")));
    }
    if (res.status >= 400) BOOST_TEST(!res.log_detail.empty());
}

BOOST_AUTO_TEST_SUITE_END()
