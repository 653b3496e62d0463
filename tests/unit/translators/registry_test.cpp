// The backend registry: names, a step for every Sahara operation, and what config needs.
#include "translators/registry.hpp"

#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

using namespace sgw;

BOOST_AUTO_TEST_SUITE(registry)

BOOST_AUTO_TEST_CASE(every_backend_serves_every_operation) {
    BOOST_TEST_REQUIRE(!translators::backends().empty());
    std::set<std::string> seen;
    for (const auto& b : translators::backends()) {
        BOOST_TEST(seen.insert(std::string(b.name)).second, "duplicate backend " << b.name);
        BOOST_TEST(!b.description.empty(), b.name);
        for (std::size_t op = 0; op < sahara::operation_count; ++op)
            BOOST_TEST(b.steps[op] != nullptr, b.name << " lacks " << sahara::to_string(static_cast<sahara::operation>(op)));
        BOOST_TEST(translators::find_backend(b.name) == &b);
    }
}

BOOST_AUTO_TEST_CASE(mrs_v1_1_is_registered_and_needs_the_upstream_url) {
    const auto* b = translators::find_backend("mrs-v1.1");
    BOOST_TEST_REQUIRE(b != nullptr);
    BOOST_TEST_REQUIRE(b->required_keys.size() == 1u);
    BOOST_TEST(b->required_keys[0] == "upstream.url");
    BOOST_TEST(!b->uses_job_clusters);  // v1.1 paths carry no cluster: nothing to remember
    BOOST_TEST(translators::find_backend("mrs-v3") == nullptr);
}

// A v2 job id names no cluster (mrs-api.md §1): the backend reads the gateway's job → cluster
// memory. The gateway keeps no job state, so refresh-status is show (no fixture folder of its own).
BOOST_AUTO_TEST_CASE(mrs_v2_is_registered_and_remembers_job_clusters) {
    const auto* b = translators::find_backend("mrs-v2");
    BOOST_TEST_REQUIRE(b != nullptr);
    BOOST_TEST_REQUIRE(b->required_keys.size() == 1u);
    BOOST_TEST(b->required_keys[0] == "upstream.url");
    BOOST_TEST(b->uses_job_clusters);
    BOOST_TEST_REQUIRE(b->step_for(sahara::operation::show) != nullptr);
    BOOST_TEST(b->step_for(sahara::operation::refresh_status) == b->step_for(sahara::operation::show));
    // Each other operation has its own step.
    std::set<translators::step_fn> distinct;
    for (auto op : {sahara::operation::list, sahara::operation::show, sahara::operation::cancel,
                    sahara::operation::update, sahara::operation::remove, sahara::operation::execute})
        distinct.insert(b->step_for(op));
    BOOST_TEST(distinct.size() == 6u);
    const auto* v1 = translators::find_backend("mrs-v1.1");
    BOOST_TEST_REQUIRE(v1 != nullptr);
    BOOST_TEST(b->step_for(sahara::operation::show) != v1->step_for(sahara::operation::show));
}

BOOST_AUTO_TEST_SUITE_END()
