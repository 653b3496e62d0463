// The circuit breaker, the retry budget and the sliding window under them, with time as a
// parameter (gateway-anchors.md §3, lesson 5).
#include "gateway/upstream/breaker.hpp"
#include "gateway/upstream/retry_budget.hpp"
#include "gateway/upstream/window.hpp"

#include <boost/test/unit_test.hpp>

using namespace sgw::upstream;
using namespace std::chrono_literals;
using state = breaker::state;

namespace {

const auto t0 = std::chrono::steady_clock::time_point{} + 1000h;

}  // namespace

BOOST_AUTO_TEST_SUITE(resilience)

BOOST_AUTO_TEST_CASE(window_forgets_what_slid_out) {
    window_counts w(10s);
    w.add(t0, 3, 1);
    w.add(t0 + 4s, 2, 0);
    BOOST_TEST(w.first(t0 + 5s) == 5u);
    BOOST_TEST(w.second(t0 + 5s) == 1u);
    BOOST_TEST(w.first(t0 + 10500ms) == 2u);  // the first bucket has left the window
    BOOST_TEST(w.first(t0 + 1h) == 0u);       // a long silence empties it
    w.add(t0 + 1h, 1, 1);
    BOOST_TEST(w.second(t0 + 1h) == 1u);
}

BOOST_AUTO_TEST_CASE(consecutive_failures_open_then_a_probe_closes) {
    breaker b({3, 0, 20, 10s, 5s});
    for (int i = 0; i < 2; ++i) {
        BOOST_TEST(b.allow(t0));
        b.record(true, t0);
    }
    BOOST_TEST(b.allow(t0));
    b.record(false, t0);  // a success ends the run
    for (int i = 0; i < 3; ++i) {
        BOOST_TEST(b.allow(t0));
        b.record(true, t0);
    }
    BOOST_TEST((b.current() == state::open));
    BOOST_TEST(b.opened() == 1u);
    BOOST_TEST(!b.allow(t0 + 1s));
    BOOST_TEST(b.retry_after(t0 + 1s).count() == 4);
    BOOST_TEST(b.retry_after(t0 + 4900ms).count() == 1);  // never less than a second

    // After the open time one call goes through; others are refused while it runs.
    BOOST_TEST(b.allow(t0 + 5s));
    BOOST_TEST((b.current() == state::half_open));
    BOOST_TEST(!b.allow(t0 + 5s));
    b.record(false, t0 + 6s);
    BOOST_TEST((b.current() == state::closed));
    BOOST_TEST(b.allow(t0 + 6s));
}

BOOST_AUTO_TEST_CASE(a_failed_probe_opens_again_and_an_abandoned_one_passes_its_turn) {
    breaker b({1, 0, 20, 10s, 2s});
    BOOST_TEST(b.allow(t0));
    b.record(true, t0);
    BOOST_TEST(b.allow(t0 + 2s));
    b.record(true, t0 + 2s);  // the probe failed
    BOOST_TEST((b.current() == state::open));
    BOOST_TEST(!b.allow(t0 + 3s));
    BOOST_TEST(b.allow(t0 + 4s));
    b.abandon();  // the probe was cancelled: it told nothing
    BOOST_TEST(b.allow(t0 + 4s));
    BOOST_TEST(!b.allow(t0 + 4s));
    b.record(false, t0 + 4s);
    BOOST_TEST((b.current() == state::closed));
    BOOST_TEST(b.opened() == 2u);
}

BOOST_AUTO_TEST_CASE(failure_rate_opens_only_with_enough_calls) {
    breaker b({0, 50, 10, 10s, 5s});
    // Alternating failures never make a run, but are half of the calls.
    for (int i = 0; i < 9; ++i) {
        BOOST_TEST(b.allow(t0));
        b.record(i % 2 == 0, t0);
    }
    BOOST_TEST((b.current() == state::closed));  // 9 calls: below min_calls
    b.allow(t0);
    b.record(false, t0);
    BOOST_TEST((b.current() == state::closed));  // a success never opens it
    b.allow(t0);
    b.record(true, t0);  // 11 calls, 6 failed
    BOOST_TEST((b.current() == state::open));

    breaker low({0, 50, 10, 10s, 5s});
    for (int i = 0; i < 100; ++i) {
        low.allow(t0);
        low.record(i % 3 == 0, t0);  // a third fail
    }
    BOOST_TEST((low.current() == state::closed));
}

BOOST_AUTO_TEST_CASE(retry_budget_is_a_share_plus_a_floor) {
    retry_budget b({20, 1, 10s});
    // No traffic: the floor alone, 1 per second of the 10 s window.
    for (int i = 0; i < 10; ++i) BOOST_TEST(b.try_spend(t0));
    BOOST_TEST(!b.try_spend(t0));
    BOOST_TEST(b.refused() == 1u);
    // 100 calls earn 20 more.
    for (int i = 0; i < 100; ++i) b.called(t0 + 1s);
    for (int i = 0; i < 20; ++i) BOOST_TEST(b.try_spend(t0 + 1s));
    BOOST_TEST(!b.try_spend(t0 + 1s));
    // Once the window has moved past them, the retries no longer count against it.
    BOOST_TEST(b.try_spend(t0 + 12s));
}

BOOST_AUTO_TEST_SUITE_END()
