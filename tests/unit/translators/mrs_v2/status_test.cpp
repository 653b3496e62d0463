// The MRS v2 state table (mrs-api.md §3.2: YARN's application state and final status).
#include "translators/mrs_v2/status.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace sgw::sahara;
using sgw::mrs_v2::from_mrs_v2;

BOOST_AUTO_TEST_SUITE(mrs_v2_state_table)

// Every job_state of §3.2 with every job_result of §3.2, and with none.
BOOST_AUTO_TEST_CASE(every_documented_pair) {
    struct row {
        std::string_view state, result, expected;
    };
    const row rows[] = {
        // Before YARN runs the application: PENDING whatever the result says (§3.3).
        {"NEW", "UNDEFINED", "PENDING"},
        {"NEW", "", "PENDING"},
        {"NEW", "SUCCEEDED", "PENDING"},
        {"NEW", "FAILED", "PENDING"},
        {"NEW", "KILLED", "PENDING"},
        {"NEW_SAVING", "UNDEFINED", "PENDING"},
        {"NEW_SAVING", "", "PENDING"},
        {"NEW_SAVING", "SUCCEEDED", "PENDING"},
        {"NEW_SAVING", "FAILED", "PENDING"},
        {"NEW_SAVING", "KILLED", "PENDING"},
        {"SUBMITTED", "UNDEFINED", "PENDING"},
        {"SUBMITTED", "", "PENDING"},
        {"SUBMITTED", "SUCCEEDED", "PENDING"},
        {"SUBMITTED", "FAILED", "PENDING"},
        {"SUBMITTED", "KILLED", "PENDING"},
        {"ACCEPTED", "UNDEFINED", "PENDING"},
        {"ACCEPTED", "", "PENDING"},
        {"ACCEPTED", "SUCCEEDED", "PENDING"},
        {"ACCEPTED", "FAILED", "PENDING"},
        {"ACCEPTED", "KILLED", "PENDING"},
        // Running: UNDEFINED is the documented result; the others do not change it.
        {"RUNNING", "UNDEFINED", "RUNNING"},
        {"RUNNING", "", "RUNNING"},
        {"RUNNING", "SUCCEEDED", "RUNNING"},
        {"RUNNING", "FAILED", "RUNNING"},
        {"RUNNING", "KILLED", "RUNNING"},
        // The state says how it ended.
        {"KILLED", "KILLED", "KILLED"},
        {"KILLED", "UNDEFINED", "KILLED"},
        {"KILLED", "", "KILLED"},
        {"KILLED", "SUCCEEDED", "KILLED"},
        {"KILLED", "FAILED", "KILLED"},
        {"FAILED", "FAILED", "FAILED"},
        {"FAILED", "UNDEFINED", "FAILED"},
        {"FAILED", "", "FAILED"},
        {"FAILED", "SUCCEEDED", "FAILED"},
        {"FAILED", "KILLED", "FAILED"},
        // FINISHED: the result says how; only SUCCEEDED is a success (§3.2 examples show
        // FINISHED + FAILED), and an ended job without a final result is no success.
        {"FINISHED", "SUCCEEDED", "SUCCEEDED"},
        {"FINISHED", "FAILED", "FAILED"},
        {"FINISHED", "KILLED", "KILLED"},
        {"FINISHED", "UNDEFINED", "DONEWITHERROR"},
        {"FINISHED", "", "DONEWITHERROR"},
        {"FINISHED", "SUCCESS", "DONEWITHERROR"},
    };
    for (const auto& r : rows) {
        auto s = from_mrs_v2(r.state, r.result);
        BOOST_TEST_REQUIRE(s.has_value(), r.state << "/" << r.result);
        BOOST_TEST(to_string(*s) == r.expected, r.state << "/" << r.result);
    }
}

// The terminal ones are exactly those Sahara treats as ended (sahara-api.md §5): a cancel
// answers them as they are, and a job shown so is no longer being killed.
BOOST_AUTO_TEST_CASE(ended_states_are_terminal) {
    for (auto state : {"NEW", "NEW_SAVING", "SUBMITTED", "ACCEPTED", "RUNNING"})
        BOOST_TEST(!is_terminal(*from_mrs_v2(state, "UNDEFINED")), state);
    for (auto state : {"KILLED", "FAILED", "FINISHED"}) BOOST_TEST(is_terminal(*from_mrs_v2(state, "UNDEFINED")), state);
}

// The OTC docs spell `New` where the SDK spells `NEW` (§3.2): case is ignored, in both fields.
BOOST_AUTO_TEST_CASE(case_is_ignored) {
    const struct {
        std::string_view state, result, expected;
    } rows[] = {
        {"New", "Undefined", "PENDING"},       {"new", "", "PENDING"},           {"New_Saving", "", "PENDING"},
        {"accepted", "undefined", "PENDING"},  {"Running", "UNDEFINED", "RUNNING"}, {"killed", "killed", "KILLED"},
        {"Failed", "", "FAILED"},              {"finished", "succeeded", "SUCCEEDED"},
        {"FINISHED", "Succeeded", "SUCCEEDED"}, {"Finished", "failed", "FAILED"}, {"FINISHED", "Killed", "KILLED"},
        {"finished", "undefined", "DONEWITHERROR"},
    };
    for (const auto& r : rows) {
        auto s = from_mrs_v2(r.state, r.result);
        BOOST_TEST_REQUIRE(s.has_value(), r.state << "/" << r.result);
        BOOST_TEST(to_string(*s) == r.expected, r.state << "/" << r.result);
    }
}

// A state outside §3.2 is not guessed, whatever the result; nor is a near miss.
BOOST_AUTO_TEST_CASE(undocumented_states_are_not_guessed) {
    for (std::string_view state : {"", "UNDEFINED", "SUCCEEDED", "COMPLETE", "JOBSTAT_SUBMIT_FAILED", "PAUSED",
                                   "RUNNING ", " RUNNING", "RUNNINGX", "RUN", "NEW-SAVING", "NEWSAVING",
                                   "FINISH", "KILL", "2", "-1"})
        for (std::string_view result : {"", "UNDEFINED", "SUCCEEDED", "FAILED", "KILLED"})
            BOOST_TEST(!from_mrs_v2(state, result).has_value(), "'" << state << "'/" << result);
    // A string holding a NUL is not a shorter one.
    BOOST_TEST(!from_mrs_v2(std::string_view("NEW\0", 4), "").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
