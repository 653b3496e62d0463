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

BOOST_AUTO_TEST_SUITE_END()
