// The gateway's memory of recent actions: effects in, look-ups out, expiry and bounds.
#include "gateway/job_memory.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>

using namespace sgw;
using translators::effect;
using namespace std::chrono_literals;

namespace {
const job_memory::clock::time_point t0{};
constexpr std::string_view p = "37caa80116e1403ab603e5eeb48a2f74";
constexpr std::string_view other = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
}  // namespace

BOOST_AUTO_TEST_SUITE(job_memory_tests)

BOOST_AUTO_TEST_CASE(killing_until_seen_otherwise) {
    job_memory m;
    BOOST_TEST(m.being_killed(p, t0).empty());
    const effect killing[] = {{effect::kind::killing, "a", {}}};
    m.apply(p, killing, t0);
    BOOST_TEST((m.being_killed(p, t0 + 1s) == std::vector<std::string>{"a"}));
    BOOST_TEST(m.being_killed(other, t0 + 1s).empty());  // per project
    const effect ended[] = {{effect::kind::not_killing, "a", {}}};
    m.apply(p, ended, t0 + 2s);
    BOOST_TEST(m.being_killed(p, t0 + 2s).empty());
}

BOOST_AUTO_TEST_CASE(a_kill_is_timed_from_when_it_was_first_seen) {
    job_memory m({10s, 20s, 30s, 100});
    const effect killing[] = {{effect::kind::killing, "a", {}}};
    m.apply(p, killing, t0);
    m.apply(p, killing, t0 + 8s);  // still shown TOBEKILLED: the 10 s are not restarted
    BOOST_TEST(m.being_killed(p, t0 + 9s).size() == 1u);
    BOOST_TEST(m.being_killed(p, t0 + 10s).empty());
    m.apply(p, killing, t0 + 11s);  // a new cancel after the old one expired starts afresh
    BOOST_TEST(m.being_killed(p, t0 + 20s).size() == 1u);
}

BOOST_AUTO_TEST_CASE(entries_expire) {
    job_memory m({10s, 20s, 30s, 100});
    const effect all[] = {{effect::kind::killing, "a", {}},
                          {effect::kind::deleted, "b", {}},
                          {effect::kind::cluster, "c", "cl-1"}};
    m.apply(p, all, t0);
    BOOST_TEST(m.being_killed(p, t0 + 9s).size() == 1u);
    BOOST_TEST(m.being_killed(p, t0 + 10s).empty());
    BOOST_TEST(m.deleted_lately(p, "b", t0 + 19s));
    BOOST_TEST(!m.deleted_lately(p, "b", t0 + 20s));
    BOOST_TEST(m.cluster_of(p, "c", t0 + 29s).value_or("") == "cl-1");
    BOOST_TEST(!m.cluster_of(p, "c", t0 + 30s).has_value());
}

BOOST_AUTO_TEST_CASE(a_delete_ends_the_kill_and_forgets_the_cluster) {
    job_memory m;
    const effect before[] = {{effect::kind::killing, "a", {}}, {effect::kind::cluster, "a", "cl-1"}};
    m.apply(p, before, t0);
    const effect gone[] = {{effect::kind::deleted, "a", {}}};
    m.apply(p, gone, t0 + 1s);
    BOOST_TEST(m.being_killed(p, t0 + 1s).empty());
    BOOST_TEST(!m.cluster_of(p, "a", t0 + 1s).has_value());
    BOOST_TEST(m.deleted_lately(p, "a", t0 + 1s));
    BOOST_TEST(!m.deleted_lately(other, "a", t0 + 1s));
}

BOOST_AUTO_TEST_CASE(clusters_are_not_stored_when_no_backend_reads_them) {
    job_memory m;
    m.remember_clusters(false);
    const effect seen[] = {{effect::kind::cluster, "a", "cl-1"}, {effect::kind::killing, "a", {}}};
    m.apply(p, seen, t0);
    BOOST_TEST(!m.cluster_of(p, "a", t0).has_value());
    BOOST_TEST(m.being_killed(p, t0).size() == 1u);
}

BOOST_AUTO_TEST_CASE(bounded_even_when_every_entry_is_live) {
    job_memory m({100s, 100s, 100s, 50});
    for (int i = 0; i < 1000; ++i) {
        const effect e[] = {{effect::kind::deleted, "job-" + std::to_string(i), {}}};
        m.apply(p, e, t0 + std::chrono::milliseconds(i));
        BOOST_TEST_REQUIRE(m.size() <= 50u);
    }
    BOOST_TEST(m.deleted_lately(p, "job-999", t0 + 2s));  // the newest survives
}

BOOST_AUTO_TEST_CASE(expired_entries_make_room_first) {
    job_memory m({1s, 1s, 1s, 4});
    for (int i = 0; i < 4; ++i) {
        const effect e[] = {{effect::kind::killing, "old-" + std::to_string(i), {}}};
        m.apply(p, e, t0);
    }
    const effect fresh[] = {{effect::kind::killing, "new", {}}};
    m.apply(p, fresh, t0 + 5s);  // the four old ones have expired: pruned, not all dropped
    BOOST_TEST((m.being_killed(p, t0 + 5s) == std::vector<std::string>{"new"}));
    BOOST_TEST(m.size() == 1u);
}

BOOST_AUTO_TEST_CASE(unknown_jobs_are_remembered_until_seen_or_expired) {
    job_memory::limits l = job_memory::default_limits();
    l.unknown_ttl = 30s;
    job_memory m(l);
    const effect missing[] = {{effect::kind::unknown, "a", {}}};
    m.apply(p, missing, t0);
    BOOST_TEST(m.unknown_lately(p, "a", t0 + 29s));
    BOOST_TEST(!m.unknown_lately(other, "a", t0 + 29s));
    BOOST_TEST(!m.unknown_lately(p, "a", t0 + 30s));  // expired: the next call searches again
    m.apply(p, missing, t0 + 40s);
    const effect found[] = {{effect::kind::cluster, "a", "cl-5"}};
    m.apply(p, found, t0 + 41s);  // seen on a cluster after all: no longer unknown
    BOOST_TEST(!m.unknown_lately(p, "a", t0 + 42s));
    BOOST_TEST((m.cluster_of(p, "a", t0 + 42s) == std::optional<std::string>("cl-5")));
    m.apply(p, missing, t0 + 43s);  // and a later miss forgets the cluster
    BOOST_TEST(!m.cluster_of(p, "a", t0 + 44s).has_value());
}

BOOST_AUTO_TEST_CASE(cache_lookups_and_stores_are_counted) {
    job_memory m;
    const effect seen[] = {{effect::kind::cluster, "a", "cl-1"}, {effect::kind::unknown, "b", {}}};
    m.apply(p, seen, t0);
    BOOST_TEST(m.cluster_of(p, "a", t0).has_value());
    BOOST_TEST(!m.cluster_of(p, "c", t0).has_value());
    BOOST_TEST(!m.cluster_of(p, "d", t0).has_value());
    BOOST_TEST(m.unknown_lately(p, "b", t0));
    BOOST_TEST(!m.unknown_lately(p, "a", t0));
    const auto c = m.counters();
    BOOST_TEST(c.cluster_hits == 1u);
    BOOST_TEST(c.cluster_misses == 2u);
    BOOST_TEST(c.cluster_stores == 1u);
    BOOST_TEST(c.unknown_hits == 1u);
    BOOST_TEST(c.unknown_stores == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
