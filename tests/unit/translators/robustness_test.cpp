// Whatever MRS answers, every translator ends with a well-formed Sahara answer: no exception,
// no endless calls, a JSON body in Sahara's shape. Replies are the fixtures' own, mutated
// (cut short, retyped, garbage, other statuses) by a seeded generator, so runs repeat exactly.
// SEED and ROUNDS (default 40 per fixture) in the environment run it longer or otherwise.
#include "fixture_support.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdlib>
#include <random>

namespace json = boost::json;
using namespace sgw;
using namespace sgw::fixtures;

namespace {

// Turns a JSON value into another of a surprising type, recursively at random depth.
json::value retype(const json::value& v, std::mt19937& rng) {
    const json::value odd[] = {nullptr, 0, -1, 9223372036854775807LL, 1.5, true, "", "x", json::array{}, json::object{}};
    if (rng() % 4 == 0 || !(v.is_object() || v.is_array())) return odd[rng() % std::size(odd)];
    if (v.is_array()) {
        json::array a;
        for (auto& e : v.get_array()) a.push_back(retype(e, rng));
        return a;
    }
    json::object o;
    for (auto& [k, e] : v.get_object()) o[k] = rng() % 3 == 0 ? retype(e, rng) : e;
    return o;
}

translators::upstream_reply mutate(translators::upstream_reply r, std::mt19937& rng) {
    static const unsigned statuses[] = {200, 202, 204, 301, 400, 401, 403, 404, 409, 500, 502, 503};
    switch (rng() % 6) {
        case 0: r.body = r.body.substr(0, r.body.empty() ? 0 : rng() % r.body.size()); break;  // cut short
        case 1: {  // retyped fields
            boost::system::error_code ec;
            auto v = json::parse(r.body, ec);
            if (!ec) r.body = json::serialize(retype(v, rng));
            break;
        }
        case 2:  // bytes
            for (auto& c : r.body)
                if (rng() % 16 == 0) c = static_cast<char>(rng() % 256);
            break;
        case 3: r.status = statuses[rng() % std::size(statuses)]; break;
        case 4: r.outcome = static_cast<translators::transport>(rng() % 4); break;
        default: break;  // as recorded
    }
    return r;
}

// The recorded replies of a fixture, in call order.
std::vector<translators::upstream_reply> recorded(const json::object& doc) {
    std::vector<translators::upstream_reply> out;
    for (auto& step : doc.at("steps").as_array()) {
        auto& s = step.as_object();
        if (auto* one = s.if_contains("reply")) out.push_back(reply_of(one->as_object()));
        if (auto* many = s.if_contains("replies"))
            for (auto& r : many->as_array()) out.push_back(reply_of(r.as_object()));
        if (auto* calls = s.if_contains("calls"))  // the list fixtures' form
            for (auto& c : calls->as_array()) out.push_back(reply_of(c.at("reply").as_object()));
    }
    return out;
}

sahara::request request_of(const subject& s, const json::object& doc) {
    auto& r = doc.at("request").as_object();
    sahara::request req;
    req.op = s.op;
    req.version = r.contains("version") && r.at("version") == "v2" ? sahara::api_version::v2 : sahara::api_version::v1_1;
    req.project_id = std::string(r.at("project_id").as_string());
    if (auto* id = r.if_contains("id")) req.id = std::string(id->as_string());
    req.request_id = "req-0b5e7c1c-5a2e-4e7f-9d3a-0123456789ab";
    if (auto* b = r.if_contains("body")) req.body = json::serialize(*b);
    if (auto* b = r.if_contains("body_text")) req.body = std::string(b->as_string());
    if (auto* q = r.if_contains("query"))
        for (auto& kv : q->as_array())
            req.query.emplace_back(kv.at(0).as_string(), kv.at(1).as_string());
    req.content_type = "application/json";
    return req;
}

// A call's target is an absolute path of printable ASCII without spaces: nothing MRS sends
// (an id, a cluster id) may reshape the request line of a later call.
bool printable_path(std::string_view target) {
    return !target.empty() && target.front() == '/' &&
           std::all_of(target.begin(), target.end(), [](char c) {
               const auto u = static_cast<unsigned char>(c);
               return u > 0x20 && u < 0x7f;
           });
}

// A Sahara answer: a 2xx with the operation's envelope, a 204 without body, or an error body.
void check_answer(const sahara::request& req, const sahara::response& res, const std::string& context) {
    BOOST_TEST_REQUIRE((res.status >= 200 && res.status <= 599), context);
    if (res.status == 204) {
        BOOST_TEST(res.body.empty(), context);
        return;
    }
    boost::system::error_code ec;
    auto v = json::parse(res.body, ec);
    BOOST_TEST_REQUIRE(!ec, context << ": body is not JSON: " << res.body);
    BOOST_TEST_REQUIRE(v.is_object(), context);
    auto& o = v.get_object();
    if (res.status >= 400) {
        BOOST_TEST(o.contains("error_code"), context << " " << res.body);
        BOOST_TEST(o.contains("error_name"), context << " " << res.body);
        BOOST_TEST(o.contains("error_message"), context << " " << res.body);
        return;
    }
    if (!sahara::about_jobs(req.op)) {
        // A cluster, template or data source: its version's envelope, every object with an id.
        using op = sahara::operation;
        const bool v2 = req.version == sahara::api_version::v2;
        std::string_view key;
        switch (req.op) {
            case op::cluster_list: key = "clusters"; break;
            case op::cluster_show: key = "cluster"; break;
            case op::template_list: key = v2 ? "job_templates" : "jobs"; break;
            case op::template_show: key = v2 ? "job_template" : "job"; break;
            case op::data_source_list: key = "data_sources"; break;
            default: key = "data_source"; break;
        }
        BOOST_TEST_REQUIRE(o.contains(key), context << " " << res.body);
        auto check_object = [&](const json::value& item) {
            BOOST_TEST_REQUIRE(item.is_object(), context);
            auto* id = item.get_object().if_contains("id");
            BOOST_TEST((id && id->is_string()), context << " " << res.body);
        };
        if (o.at(key).is_array())
            for (auto& item : o.at(key).as_array()) check_object(item);
        else
            check_object(o.at(key));
        return;
    }
    const bool many = req.op == sahara::operation::list;
    const std::string_view key = many ? (req.version == sahara::api_version::v2 ? "jobs" : "job_executions")
                                      : (req.version == sahara::api_version::v2 ? "job" : "job_execution");
    BOOST_TEST_REQUIRE(o.contains(key), context << " " << res.body);
    auto check_job = [&](const json::value& job) {
        BOOST_TEST_REQUIRE(job.is_object(), context);
        auto* info = job.get_object().if_contains("info");
        BOOST_TEST_REQUIRE((info && info->is_object()), context << " " << res.body);
        auto* st = info->get_object().if_contains("status");
        BOOST_TEST((st && st->is_string() && !st->get_string().empty()), context << " " << res.body);
    };
    if (many)
        for (auto& job : o.at(key).as_array()) check_job(job);
    else
        check_job(o.at(key));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(robustness)

BOOST_AUTO_TEST_CASE(mutated_mrs_answers_give_sahara_answers) {
    std::mt19937 rng(std::getenv("SEED") ? std::atoi(std::getenv("SEED")) : 20261129);
    std::size_t runs = 0;
    for (auto& s : subjects()) {
        for (auto& name : names(s.folder)) {
            auto doc = load(std::string(s.folder) + "/" + name).as_object();
            const auto req = request_of(s, doc);
            const auto replies = recorded(doc);
            if (replies.empty()) continue;
            for (int round = 0; round < (std::getenv("ROUNDS") ? std::atoi(std::getenv("ROUNDS")) : 40); ++round, ++runs) {
                const std::string context = std::string(s.folder) + "/" + name + " round " + std::to_string(round);
                translators::step_context ctx;
                std::optional<sahara::response> answer;
                for (int step = 0; step < 64 && !answer; ++step) {
                    translators::step_result next;
                    try {
                        next = run_step(s.step, req, ctx);
                    } catch (const std::exception& e) {
                        BOOST_FAIL(context << ": step " << step << " threw " << e.what());
                    }
                    if (next.response) {
                        answer = std::move(next.response);
                        break;
                    }
                    BOOST_TEST_REQUIRE(!next.calls.empty(), context << ": neither calls nor an answer");
                    for (const auto& c : next.calls)
                        BOOST_TEST_REQUIRE(printable_path(c.target), context << ": call target " << c.target);
                    for (std::size_t i = 0; i < next.calls.size(); ++i)
                        ctx.add(mutate(replies[ctx.replies().size() % replies.size()], rng));
                }
                BOOST_TEST_REQUIRE(answer.has_value(), context << ": no answer within 64 rounds");
                check_answer(req, *answer, context);
            }
        }
    }
    BOOST_TEST_MESSAGE(runs << " translations with mutated MRS answers");
    BOOST_TEST(runs > 1000u);
}

BOOST_AUTO_TEST_SUITE_END()
