// Sahara's status vocabulary and terminal set (sahara-api.md §5).
#include "translators/sahara/status.hpp"

#include <boost/test/unit_test.hpp>

using namespace sgw::sahara;

BOOST_AUTO_TEST_SUITE(sahara_status)

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

BOOST_AUTO_TEST_CASE(every_status_reads_back_from_its_spelling) {
    for (int i = 0; i <= static_cast<int>(job_status::suspend_failed); ++i) {
        const auto s = static_cast<job_status>(i);
        auto back = parse_status(to_string(s));
        BOOST_TEST_REQUIRE(back.has_value(), to_string(s));
        BOOST_TEST((*back == s), to_string(s));
    }
    BOOST_TEST(!parse_status("running").has_value());  // Sahara's spelling is upper case
    BOOST_TEST(!parse_status("").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
