// The mrs-v2 list translator against an in-process fake MRS: random v2 histories over several
// clusters, random Sahara list queries; the answer must be Sahara's over the whole history
// (sahara::list_answer), byte for byte, at the cost the plan promises. Its fixtures
// (fixtures/mrs_v2/list) run in fixtures_test.cpp.
#include "translators/mrs_v2/jobs.hpp"
#include "translators/mrs_v2/operations.hpp"
#include "translators/sahara/list_query.hpp"
#include "translators/sahara/status.hpp"

#include "../fixture_support.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <random>

namespace json = boost::json;
using namespace sgw;
using translators::transport;
using namespace sgw::fixtures;

namespace {

constexpr std::string_view project = "37caa80116e1403ab603e5eeb48a2f74";

translators::upstream_reply reply(unsigned status, json::object body) {
    return translators::upstream_reply{transport::ok, status, json::serialize(body), {}, nullptr};
}

translators::upstream_reply mrs_error(unsigned status, std::string_view code, std::string_view message) {
    return reply(status, json::object{{"error_code", code}, {"error_msg", message}});
}

std::string uuid(std::mt19937& rng) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%08x%04x", static_cast<unsigned>(rng()),
                  static_cast<unsigned>(rng() & 0xffff), static_cast<unsigned>(rng() & 0xfff),
                  static_cast<unsigned>(0x8000 | (rng() & 0x3fff)), static_cast<unsigned>(rng()),
                  static_cast<unsigned>(rng() & 0xffff));
    return buf;
}

struct fake_cluster {
    std::string id;
    std::string state = "running";
    bool old = false;  // before MRS 1.9.2: no v2 job API (0167, mrs-api.md §1)
};

struct fake_job {
    std::string id;
    std::size_t cluster = 0;  // index into clusters
    long long submitted = 0;
    json::object bean;
};

// A fake MRS answering as mrs-api.md describes: cluster_infos pages (pageSize/currentPage, 1-based,
// clusterTotal as a number or as text, sahara-clusters-and-templates.md §3.2-§3.3, terminated
// clusters still listed), and J per cluster (§2J: 202, newest first, `limit` rows of page
// `offset`, 1-based, total_record unless an older SDK's shape; 0167 on an old cluster).
class fake_mrs {
public:
    std::vector<fake_cluster> clusters;
    std::vector<fake_job> jobs;
    bool totals = true;              // J answers carry total_record
    bool cluster_total_text = false;  // clusterTotal as "N"
    std::size_t infos_calls = 0;
    std::map<std::size_t, std::size_t> j_calls;  // per cluster

    translators::upstream_reply answer(const translators::upstream_call& c) {
        const std::string infos = "/v1.1/" + std::string(project) + "/cluster_infos?";
        const std::string v2 = "/v2/" + std::string(project) + "/clusters/";
        const auto q = query(c.target);
        if (c.target.starts_with(infos)) return cluster_page(q);
        BOOST_REQUIRE(c.target.starts_with(v2));
        std::string_view rest = std::string_view(c.target).substr(v2.size());
        const auto slash = rest.find('/');
        BOOST_REQUIRE(slash != std::string_view::npos);
        BOOST_REQUIRE(rest.substr(slash, rest.find('?') - slash) == "/job-executions");
        return job_page(rest.substr(0, slash), q);
    }

    // What J costs with this history: one page per 100 jobs of each live cluster, at least
    // one, and one more after a full last page when there is no total_record to stop at.
    std::size_t expected_j_calls(std::size_t cluster) const {
        const auto n = jobs_of(cluster).size();
        if (!totals) return n / 100 + 1;
        return std::max<std::size_t>(1, (n + 99) / 100);
    }

    bool live(std::size_t cluster) const { return clusters[cluster].state != "terminated"; }
    bool lists(std::size_t cluster) const { return live(cluster) && !clusters[cluster].old; }

    std::vector<const fake_job*> jobs_of(std::size_t cluster) const {
        std::vector<const fake_job*> out;
        for (const auto& j : jobs)
            if (j.cluster == cluster) out.push_back(&j);
        std::sort(out.begin(), out.end(), [](const fake_job* a, const fake_job* b) {
            return a->submitted != b->submitted ? a->submitted > b->submitted : a->id < b->id;
        });
        return out;
    }

private:
    static std::map<std::string, std::string> query(std::string_view target) {
        std::map<std::string, std::string> q;
        auto qm = target.find('?');
        if (qm == std::string_view::npos) return q;
        std::string_view qs = target.substr(qm + 1);
        while (!qs.empty()) {
            auto amp = qs.find('&');
            auto kv = qs.substr(0, amp);
            auto eq = kv.find('=');
            q[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
            if (amp == std::string_view::npos) break;
            qs.remove_prefix(amp + 1);
        }
        return q;
    }

    translators::upstream_reply cluster_page(const std::map<std::string, std::string>& q) {
        ++infos_calls;
        const std::size_t size = std::stoul(q.at("pageSize")), page = std::stoul(q.at("currentPage"));
        BOOST_REQUIRE(size >= 1);
        BOOST_REQUIRE(page >= 1);
        json::array items;
        for (std::size_t i = (page - 1) * size; i < clusters.size() && i < page * size; ++i) {
            const auto& c = clusters[i];
            items.push_back(json::object{{"clusterId", c.id},
                                         {"clusterName", "cluster-" + std::to_string(i)},
                                         {"clusterState", c.state},
                                         {"clusterVersion", c.old ? "MRS 1.8.10" : "MRS 3.1.2-LTS.3"},
                                         {"tenantId", c.state == "terminated" ? json::value(nullptr) : json::value(project)}});
        }
        json::value total = cluster_total_text ? json::value(std::to_string(clusters.size())) : json::value(clusters.size());
        return reply(200, json::object{{"clusterTotal", total}, {"clusters", std::move(items)}});
    }

    translators::upstream_reply job_page(std::string_view cluster_id, const std::map<std::string, std::string>& q) {
        auto it = std::find_if(clusters.begin(), clusters.end(), [&](const fake_cluster& c) { return c.id == cluster_id; });
        if (it == clusters.end()) return reply(400, json::object{{"errorCode", "12000003"}, {"errorMsg", "The cluster does not exist."}});
        const auto index = static_cast<std::size_t>(it - clusters.begin());
        ++j_calls[index];
        // A terminated cluster is deleted: the list must not ask it.
        BOOST_TEST(live(index), "J on terminated cluster " << cluster_id);
        if (!live(index)) return reply(400, json::object{{"errorCode", "12000003"}, {"errorMsg", "The cluster does not exist."}});
        if (it->old) return mrs_error(index % 2 ? 500 : 400, "0167", "The v2 job API cannot be accessed.");
        const std::size_t limit = std::stoul(q.at("limit")), offset = std::stoul(q.at("offset"));
        BOOST_REQUIRE(limit >= 1);
        BOOST_REQUIRE(offset >= 1);
        const auto rows = jobs_of(index);
        json::array list;
        for (std::size_t i = (offset - 1) * limit; i < rows.size() && i < offset * limit; ++i) list.push_back(rows[i]->bean);
        json::object body;
        if (totals) body["total_record"] = rows.size();
        body["job_list"] = std::move(list);
        return reply(202, std::move(body));
    }
};

// Pairs of §3.2, with the times they come with (0 = unset, §4).
struct state_pair {
    std::string_view state, result;
    bool started, finished;
};
constexpr std::array<state_pair, 10> states{{{"NEW", "UNDEFINED", false, false},
                                             {"New", "UNDEFINED", false, false},
                                             {"ACCEPTED", "UNDEFINED", false, false},
                                             {"SUBMITTED", "UNDEFINED", false, false},
                                             {"RUNNING", "UNDEFINED", true, false},
                                             {"FINISHED", "SUCCEEDED", true, true},
                                             {"FINISHED", "FAILED", true, true},
                                             {"FAILED", "FAILED", true, true},
                                             {"KILLED", "KILLED", true, true},
                                             {"FINISHED", "UNDEFINED", true, true}}};
constexpr std::array<std::string_view, 4> job_types{"MapReduce", "SparkSubmit", "HiveScript", "Flink"};

// `n` jobs over `c` clusters (some terminated, some too old for v2), `big` of them on one cluster.
fake_mrs history(std::size_t n, std::size_t c, std::mt19937& rng) {
    fake_mrs mrs;
    for (std::size_t i = 0; i < c; ++i) {
        fake_cluster fc;
        fc.id = uuid(rng);
        if (rng() % 7 == 0) fc.state = "terminated";
        else if (rng() % 9 == 0) fc.old = true;
        else if (rng() % 6 == 0) fc.state = rng() % 2 ? "scaling-out" : "abnormal";
        mrs.clusters.push_back(std::move(fc));
    }
    if (c == 0) return mrs;
    // Jobs gather on a few clusters, so that some clusters need several J pages.
    const std::size_t busy = rng() % c;
    for (std::size_t i = 0; i < n; ++i) {
        fake_job j;
        j.id = uuid(rng);
        j.cluster = rng() % 2 ? busy : rng() % c;
        if (mrs.clusters[j.cluster].old) continue;  // no v2 job runs there
        const auto& st = states[rng() % states.size()];
        j.submitted = 1'560'000'000'000LL + static_cast<long long>(rng() % 50'000) * 1000 + (rng() % 3 == 0 ? 0 : rng() % 1000);
        const long long started = st.started ? j.submitted + 1000 + rng() % 60'000 : 0;
        const long long finished = st.finished ? started + 1000 + rng() % 600'000 : 0;
        json::object b;
        b["job_id"] = j.id;
        b["user"] = rng() % 2 ? "admin" : "hdfs-user";
        b["job_name"] = "job-" + std::to_string(rng() % 50);
        b["job_result"] = st.result;
        b["job_state"] = st.state;
        b["job_progress"] = st.finished ? 100.0 : (st.started ? 42.5 : 0.0);
        b["job_type"] = job_types[rng() % job_types.size()];
        b["started_time"] = started;
        b["submitted_time"] = j.submitted;
        b["finished_time"] = finished;
        b["elapsed_time"] = finished ? finished - started : 0;
        b["arguments"] = "[obs://demo/in-" + std::to_string(i) + ", obs://demo/out]";
        b["properties"] = rng() % 3 ? "{}" : "{mapreduce.job.reduces=2}";
        b["launcher_id"] = "application_1560000000000_" + std::to_string(2 * i);
        b["app_id"] = st.started ? "application_1560000000000_" + std::to_string(2 * i + 1) : "";
        b["queue"] = "default";
        j.bean = std::move(b);
        mrs.jobs.push_back(std::move(j));
    }
    return mrs;
}

// Sahara's answer over every job a live v2 cluster holds, rendered from its JobQueryBean.
sahara::response reference(const sahara::request& req, const fake_mrs& mrs) {
    std::vector<json::object> all;
    for (const auto& j : mrs.jobs) {
        if (!mrs.lists(j.cluster)) continue;
        const auto status = sahara::as_seen(req, j.id, *mrs_v2::bean_status(j.bean));
        all.push_back(mrs_v2::render(req, j.bean, mrs.clusters[j.cluster].id, status));
    }
    return sahara::list_answer(req, sahara::read_list_query(req), std::move(all));
}

sahara::request list_request(sahara::api_version v, std::vector<std::pair<std::string, std::string>> query) {
    return fixtures::list_request(v, project, std::move(query));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mrs_v2_list)

// Random histories (up to a few hundred jobs, several J pages on a busy cluster, and sometimes
// more than 100 clusters: two cluster_infos pages and J rounds of 32) against random queries.
BOOST_AUTO_TEST_CASE(random_queries_answer_as_sahara_over_the_whole_history) {
    std::mt19937 rng(20240611);
    const std::vector<std::string> limits{"", "", "1", "2", "7", "50", "100", "101", "1000"};
    const std::vector<std::string> sorts{"", "id", "-id", "cluster", "-cluster", "job_template", "status", "-status"};
    const std::vector<std::string> statuses{"running", "PENDING", "killed", "SUCCEEDED", "failed", "DONEWITHERROR",
                                            "TOBEKILLED"};
    std::size_t cases = 0, with_rows = 0, paged = 0;
    for (int round = 0; round < 160; ++round) {
        const std::size_t clusters = round % 20 == 7 ? 100 + rng() % 60 : rng() % 7;
        const std::size_t jobs = round % 5 == 0 ? 150 + rng() % 300 : rng() % 60;
        fake_mrs mrs = history(jobs, clusters, rng);
        mrs.totals = rng() % 4 != 0;
        mrs.cluster_total_text = rng() % 3 == 0;
        const bool v2 = rng() % 3 == 0;

        std::vector<std::pair<std::string, std::string>> query;
        if (auto& l = limits[rng() % limits.size()]; !l.empty()) query.emplace_back("limit", l);
        if (auto& s = sorts[rng() % sorts.size()]; !s.empty()) query.emplace_back("sort_by", s);
        if (rng() % 2 == 0) query.emplace_back("status", statuses[rng() % statuses.size()]);
        if (!v2 && rng() % 4 == 0 && !mrs.jobs.empty()) {
            // A v1.1 field filter on a value some job has.
            const auto& j = mrs.jobs[rng() % mrs.jobs.size()];
            const auto object = mrs_v2::render(list_request(sahara::api_version::v1_1, {}), j.bean,
                                               mrs.clusters[j.cluster].id, *mrs_v2::bean_status(j.bean));
            const std::string_view field = std::array{"cluster_id", "start_time", "engine_job_id", "is_public"}[rng() % 4];
            const auto& v = object.at(field);
            query.emplace_back(std::string(field), v.is_string() ? std::string(v.get_string()) : json::serialize(v));
        }
        if (rng() % 2 == 0 && !mrs.jobs.empty()) {
            const bool known = rng() % 6 != 0;
            query.emplace_back("marker", known ? mrs.jobs[rng() % mrs.jobs.size()].id : uuid(rng));
        }
        std::shuffle(query.begin(), query.end(), rng);
        auto req = list_request(v2 ? sahara::api_version::v2 : sahara::api_version::v1_1, query);
        for (int k = 0; k < 3 && !mrs.jobs.empty(); ++k)
            if (rng() % 2 == 0) req.being_killed.push_back(mrs.jobs[rng() % mrs.jobs.size()].id);

        const auto want = reference(req, mrs);
        const auto got = run_against(&mrs_v2::list_step, req, mrs);
        std::string shown;
        for (auto& [k, v] : query) shown += k + "=" + v + "&";
        BOOST_TEST_REQUIRE(got.status == want.status, round << ": " << mrs.jobs.size() << " jobs, " << shown << ": " << got.body);
        BOOST_TEST_REQUIRE(got.body == want.body, round << ": " << mrs.jobs.size() << " jobs, " << shown << "\n got "
                                                        << got.body.substr(0, 400) << "\nwant " << want.body.substr(0, 400));

        // The cost: every cluster_infos page once, and J pages only where v2 jobs can be.
        BOOST_TEST(mrs.infos_calls == std::max<std::size_t>(1, (mrs.clusters.size() + 99) / 100));
        for (std::size_t c = 0; c < mrs.clusters.size(); ++c) {
            const std::size_t expected = !mrs.live(c) ? 0 : mrs.clusters[c].old ? 1 : mrs.expected_j_calls(c);
            BOOST_TEST(mrs.j_calls[c] == expected, "round " << round << " cluster " << c);
        }
        if (want.status == 200 && json::parse(want.body).as_object().begin()->value().as_array().size() > 0) ++with_rows;
        for (auto& [c, n] : mrs.j_calls) paged += n > 1 ? 1 : 0;
        ++cases;
    }
    BOOST_TEST(cases == 160u);
    // The random cases are not all trivial: most have rows, some walk several J pages.
    BOOST_TEST(with_rows > 80u);
    BOOST_TEST(paged > 10u);
}

// A query Sahara refuses asks MRS nothing.
BOOST_AUTO_TEST_CASE(a_refused_query_makes_no_call) {
    for (auto query : std::vector<std::vector<std::pair<std::string, std::string>>>{
             {{"limit", "0"}}, {{"limit", "x"}}, {{"sort_by", "name"}}, {{"job.name", "x"}}}) {
        fake_mrs mrs;
        const auto res = run_against(&mrs_v2::list_step, list_request(sahara::api_version::v1_1, query), mrs);
        BOOST_TEST(res.status == 400u, res.body);
        BOOST_TEST(mrs.infos_calls == 0u);
    }
}

BOOST_AUTO_TEST_SUITE_END()
