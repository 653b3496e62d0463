// The MRS v1.1 state table (mrs-api.md §3.1).
#include "translators/mrs_v1_1/status.hpp"

#include <boost/test/unit_test.hpp>

using namespace sgw::sahara;
using sgw::mrs_v1_1::from_mrs_v1;

BOOST_AUTO_TEST_SUITE(mrs_v1_1_state_table)

BOOST_AUTO_TEST_CASE(every_documented_state) {
    struct row {
        long long state, final_status;
        std::string_view expected;
    };
    const row rows[] = {
        {1, 0, "PENDING"},   {2, 0, "RUNNING"},       {3, 2, "SUCCEEDED"}, {3, 1, "FAILED"},
        {3, 0, "DONEWITHERROR"}, {-1, 0, "KILLED"},   {-1, 3, "KILLED"},   {2, 3, "KILLED"},
        {4, 1, "FAILED"},    {4, 0, "FAILED"},        {5, 1, "FAILED"},    {3, 3, "KILLED"},
    };
    for (auto& r : rows) {
        auto s = from_mrs_v1(r.state, r.final_status);
        BOOST_TEST_REQUIRE(s.has_value());
        BOOST_TEST(to_string(*s) == r.expected, "state " << r.state << "/" << r.final_status);
    }
}

BOOST_AUTO_TEST_CASE(undocumented_states_are_not_guessed) {
    for (long long state : {0LL, 6LL, -2LL, 100LL}) BOOST_TEST(!from_mrs_v1(state, 0).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
