// Several worker threads serving several clients at once. The job memory (jobs being killed,
// jobs deleted) and the log are shared by the workers, while each has its own pools and
// identity cache: whichever worker serves a request, the answer must agree with what any
// worker answered before it. Under the tsan preset this is also where data races between the
// workers show.
#include "checks.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <latch>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

using namespace sgw::it;
namespace http = boost::beast::http;

namespace {

constexpr int workers = 4;       // gateway worker threads
constexpr int clients = 8;       // client threads
constexpr int rounds = 4;        // passes of each client over its mix
const std::string protected_job = "a1000000-0000-4000-8000-000000000007";  // MRS refuses to kill it
const std::string other_job = "a2000000-0000-4000-8000-000000000001";      // other-token's project

// Boost.Test assertions belong to the test's own thread: client threads write down what went
// wrong here, and the test thread reports it.
class findings {
public:
    void add(std::string what) {
        std::lock_guard lock(m_);
        list_.push_back(std::move(what));
    }
    std::vector<std::string> take() {
        std::lock_guard lock(m_);
        return std::move(list_);
    }

private:
    std::mutex m_;
    std::vector<std::string> list_;
};

// One request on a fresh connection, so that the kernel spreads the requests over the
// workers' listening sockets.
reply send(unsigned short port, http::verb verb, const std::string& target, const std::string& token,
           const std::string& body = {}) {
    client c(port);
    std::vector<std::pair<std::string, std::string>> h{{"X-Auth-Token", token}};
    if (!body.empty()) h.emplace_back("Content-Type", "application/json");
    return c.request(verb, target, h, body);
}

// "GET /v2/jobs/ID → 200 TOBEKILLED", for the findings.
std::string said(http::verb verb, const std::string& target, const reply& r, const std::string& what = {}) {
    std::ostringstream out;
    out << http::to_string(verb) << " " << target << " → " << r.status;
    if (!what.empty()) out << " " << what;
    if (r.status >= 400 || what.empty()) out << " " << r.body.substr(0, 200);
    return out.str();
}

// info.status of a single-job answer, or "" when the body is not one.
std::string status_in(const reply& r, std::string_view envelope) {
    boost::system::error_code ec;
    auto v = boost::json::parse(r.body, ec);
    if (ec || !v.is_object()) return {};
    auto* je = v.as_object().if_contains(envelope);
    if (!je || !je->is_object()) return {};
    auto* info = je->as_object().if_contains("info");
    if (!info || !info->is_object()) return {};
    auto* st = info->as_object().if_contains("status");
    return st && st->is_string() ? std::string(st->as_string()) : std::string();
}

std::string error_name_of(const reply& r) {
    boost::system::error_code ec;
    auto v = boost::json::parse(r.body, ec);
    if (ec || !v.is_object()) return {};
    auto* name = v.as_object().if_contains("error_name");
    return name && name->is_string() ? std::string(name->as_string()) : std::string();
}

// id → info.status of a list answer; empty when the answer is not a list.
std::map<std::string, std::string> listed(const reply& r, std::string_view key) {
    std::map<std::string, std::string> out;
    boost::system::error_code ec;
    auto v = boost::json::parse(r.body, ec);
    if (ec || !v.is_object()) return out;
    auto* items = v.as_object().if_contains(key);
    if (!items || !items->is_array()) return out;
    for (auto& j : items->as_array()) {
        auto* id = j.is_object() ? j.as_object().if_contains("id") : nullptr;
        if (!id || !id->is_string()) continue;
        const auto* st = j.as_object().if_contains("info");
        st = st && st->is_object() ? st->as_object().if_contains("status") : nullptr;
        out[std::string(id->as_string())] = st && st->is_string() ? std::string(st->as_string()) : "?";
    }
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(concurrency)

BOOST_AUTO_TEST_CASE(four_workers_agree_under_concurrent_clients) {
    // MRS keeps a cancelled job Running for the whole test: TOBEKILLED can then only come from
    // the job memory, whichever worker recorded it.
    stack s({"--kill-delay-ms", "600000"});
    const std::string sim = "http://127.0.0.1:" + std::to_string(s.sim_port());
    s.start_gateway({"--threads", std::to_string(workers), "--identity-url", sim + "/v3"}, sim);
    const auto port = s.gw_port();
    const std::string v1 = "/v1.1/" + demo_project + "/job-executions/";

    // Jobs every client cancels (the same jobs at once), jobs only one client cancels, jobs
    // each client deletes on its own, and jobs all clients delete at once.
    std::vector<std::string> shared_kills, own_kills, own_deletes, contested;
    for (int i = 0; i < 3; ++i) shared_kills.push_back(s.create_job("running"));
    for (int i = 0; i < clients; ++i) own_kills.push_back(s.create_job("running"));
    for (int i = 0; i < clients; ++i) own_deletes.push_back(s.create_job("succeeded"));
    for (int i = 0; i < 2; ++i) contested.push_back(s.create_job("failed"));
    std::set<std::string> killed(shared_kills.begin(), shared_kills.end());
    killed.insert(own_kills.begin(), own_kills.end());

    // Set once a cancel of the job was answered TOBEKILLED, or a DELETE of it 204: from then
    // on every answer, from any worker, must say so.
    std::map<std::string, std::atomic<bool>> cancelled, deleted;
    for (auto& id : killed) cancelled[id] = false;
    for (auto& id : own_deletes) deleted[id] = false;
    for (auto& id : contested) deleted[id] = false;
    std::map<std::string, std::atomic<int>> contested_204;
    for (auto& id : contested) contested_204[id] = 0;

    findings problems;
    std::atomic<int> answered{0};
    std::latch start(clients);

    auto client_thread = [&](int me) {
        auto expect = [&](bool ok, http::verb verb, const std::string& target, const reply& r,
                          const std::string& what) {
            ++answered;
            if (!ok) problems.add("client " + std::to_string(me) + ": " + said(verb, target, r, what));
        };
        auto cancel_v1 = [&](const std::string& id) {
            const auto target = v1 + id + "/cancel";
            auto r = send(port, http::verb::get, target, demo_token);
            const auto st = status_in(r, "job_execution");
            expect(r.status == 200 && st == "TOBEKILLED", http::verb::get, target, r, st);
            if (r.status == 200 && st == "TOBEKILLED") cancelled.at(id) = true;
        };
        auto cancel_v2 = [&](const std::string& id) {  // no project in the URL: identity
            const auto target = "/v2/jobs/" + id;
            auto r = send(port, http::verb::patch, target, demo_token, R"({"info": {"status": "cancel"}})");
            const auto st = status_in(r, "job");
            expect(r.status == 202 && st == "TOBEKILLED", http::verb::patch, target, r, st);
            if (r.status == 202 && st == "TOBEKILLED") cancelled.at(id) = true;
        };
        auto show_v2 = [&](const std::string& id) {
            const bool was_cancelled = cancelled.at(id).load();
            const auto target = "/v2/jobs/" + id;
            auto r = send(port, http::verb::get, target, demo_token);
            const auto st = status_in(r, "job");
            const bool ok = r.status == 200 && (st == "TOBEKILLED" || (!was_cancelled && st == "RUNNING"));
            expect(ok, http::verb::get, target, r, st + (was_cancelled ? " after a TOBEKILLED cancel" : ""));
        };
        auto gone = [&](const std::string& id) {  // a deleted job: show 404, DELETE again 204
            for (const auto& target : {v1 + id, "/v2/jobs/" + id}) {
                auto r = send(port, http::verb::get, target, demo_token);
                expect(r.status == 404 && error_name_of(r) == "NOT_FOUND", http::verb::get, target, r,
                       "after a 204 DELETE");
            }
            auto again = send(port, http::verb::delete_, v1 + id, demo_token);
            expect(again.status == 204, http::verb::delete_, v1 + id, again, "repeated");
        };
        auto list_v1 = [&] {
            std::set<std::string> expect_killed, expect_gone;
            for (auto& [id, flag] : cancelled)
                if (flag.load()) expect_killed.insert(id);
            for (auto& [id, flag] : deleted)
                if (flag.load()) expect_gone.insert(id);
            const auto target = v1.substr(0, v1.size() - 1);
            auto r = send(port, http::verb::get, target, demo_token);
            const auto jobs = listed(r, "job_executions");
            expect(r.status == 200 && jobs.size() >= 7, http::verb::get, target, r, "a list");
            for (auto& id : expect_killed)
                if (auto it = jobs.find(id); it == jobs.end() || it->second != "TOBEKILLED")
                    expect(false, http::verb::get, target, r, id + " not TOBEKILLED after a TOBEKILLED cancel");
            for (auto& id : expect_gone)
                if (jobs.contains(id)) expect(false, http::verb::get, target, r, id + " listed after a 204 DELETE");
        };
        auto list_other_v2 = [&] {  // another token, another project: none of the demo jobs
            auto r = send(port, http::verb::get, "/v2/jobs", other_token);
            const auto jobs = listed(r, "jobs");
            expect(r.status == 200 && jobs.size() == 1 && jobs.contains(other_job), http::verb::get, "/v2/jobs", r,
                   "other-token's list");
        };

        start.arrive_and_wait();
        try {
            for (int round = 0; round < rounds; ++round) {
                // The same jobs from every client at once, each client starting elsewhere.
                for (std::size_t k = 0; k < shared_kills.size(); ++k) {
                    const auto& id = shared_kills[(k + me) % shared_kills.size()];
                    (me + round + k) % 2 ? cancel_v1(id) : cancel_v2(id);
                    show_v2(id);
                }
                // A job of its own, shown by everyone else meanwhile.
                cancel_v1(own_kills[me]);
                show_v2(own_kills[(me + 1) % clients]);
                {
                    const auto target = v1 + protected_job + "/cancel";
                    auto r = send(port, http::verb::get, target, demo_token);
                    expect(r.status == 400 && error_name_of(r) == "CANCELING_FAILED", http::verb::get, target, r,
                           "the protected job");
                }
                list_v1();
                list_other_v2();
                if (round == 0) {
                    // Its own delete, then the job is gone for every worker.
                    const auto& id = own_deletes[me];
                    auto r = send(port, http::verb::delete_, "/v2/jobs/" + id, demo_token);
                    expect(r.status == 204, http::verb::delete_, "/v2/jobs/" + id, r, "");
                    if (r.status == 204) deleted.at(id) = true;
                    gone(id);
                    // The same jobs deleted by every client at once: one of them deletes it in
                    // MRS; the others answer 204 when the memory already holds the delete, 404
                    // when they reached MRS before it did.
                    for (auto& cid : contested) {
                        auto c = send(port, http::verb::delete_, v1 + cid, demo_token);
                        expect(c.status == 204 || (c.status == 404 && error_name_of(c) == "NOT_FOUND"),
                               http::verb::delete_, v1 + cid, c, "contested");
                        if (c.status == 204) {
                            ++contested_204.at(cid);
                            deleted.at(cid) = true;
                        }
                    }
                } else if (const auto& id = own_deletes[(me + round) % clients]; deleted.at(id).load()) {
                    gone(id);  // another client's delete, served by whichever worker
                }
            }
        } catch (const std::exception& e) {
            problems.add("client " + std::to_string(me) + ": no answer: " + e.what());
        }
    };
    std::vector<std::thread> threads;
    for (int i = 0; i < clients; ++i) threads.emplace_back(client_thread, i);
    for (auto& t : threads) t.join();

    auto report = [](std::vector<std::string> found) {
        BOOST_TEST(found.empty(), found.size() << " inconsistent answers");
        for (std::size_t i = 0; i < found.size() && i < 20; ++i) BOOST_TEST_MESSAGE(found[i]);
    };
    report(problems.take());
    BOOST_TEST(answered.load() > clients * rounds * 8);
    for (auto& [id, n] : contested_204) BOOST_TEST(n.load() >= 1, id << ": no DELETE answered 204");

    // Once every client is done, from each worker: all that was cancelled is TOBEKILLED, all
    // that was deleted is gone.
    for (int pass = 0; pass < 2 * workers; ++pass) {
        auto r = send(port, http::verb::get, v1.substr(0, v1.size() - 1) + "?status=tobekilled", demo_token);
        BOOST_TEST_REQUIRE(r.status == 200u, r.body);
        std::set<std::string> ids;
        for (auto& [id, st] : listed(r, "job_executions")) ids.insert(id);
        BOOST_TEST((ids == killed), "TOBEKILLED list: " << r.body.substr(0, 300));
        for (auto& [id, flag] : deleted) {
            if (!flag.load()) continue;
            check_error(send(port, http::verb::get, v1 + id, demo_token), 404, "NOT_FOUND");
            BOOST_TEST(send(port, http::verb::delete_, "/v2/jobs/" + id, demo_token).status == 204u, id);
        }
    }

    // The log stayed whole: one JSON object per line, whichever thread wrote it.
    const auto log = s.gateway->stderr_text();
    std::istringstream lines(log);
    std::size_t count = 0;
    for (std::string line; std::getline(lines, line); ++count) {
        boost::system::error_code ec;
        auto v = boost::json::parse(line, ec);
        BOOST_TEST((!ec && v.is_object()), line);
    }
    BOOST_TEST(count > 0u);
}

BOOST_AUTO_TEST_SUITE_END()
