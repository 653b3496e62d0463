// The MRS v1.1 state table (mrs-api.md §3.1) and Sahara's terminal set (sahara-api.md §5).
#include "translators/sahara/status.hpp"

#include <boost/test/unit_test.hpp>

using namespace sgw::sahara;

BOOST_AUTO_TEST_SUITE(status_mapping)

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

BOOST_AUTO_TEST_CASE(terminal_set_matches_sahara) {
    for (auto s : {job_status::succeeded, job_status::failed, job_status::killed, job_status::done_with_error,
                   job_status::suspend_failed})
        BOOST_TEST(is_terminal(s), to_string(s));
    for (auto s : {job_status::pending, job_status::ready_to_run, job_status::prep, job_status::running,
                   job_status::to_be_killed, job_status::to_be_suspended, job_status::prep_suspended,
                   job_status::suspended})
        BOOST_TEST(!is_terminal(s), to_string(s));
}

BOOST_AUTO_TEST_CASE(vocabulary_spelling) {
    BOOST_TEST(to_string(job_status::to_be_killed) == "TOBEKILLED");
    BOOST_TEST(to_string(job_status::done_with_error) == "DONEWITHERROR");
    BOOST_TEST(to_string(job_status::suspend_failed) == "SUSPENDFAILED");
    BOOST_TEST(to_string(job_status::ready_to_run) == "READYTORUN");
}

BOOST_AUTO_TEST_SUITE_END()
