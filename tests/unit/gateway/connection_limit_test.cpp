// The process-wide connection limit and its default.
#include "gateway/connection_limit.hpp"

#include <boost/test/unit_test.hpp>

#include <vector>

using namespace sgw;

BOOST_AUTO_TEST_SUITE(connection_limit_suite)

BOOST_AUTO_TEST_CASE(slots_are_held_until_released) {
    connection_limit limit(3);
    std::vector<connection_limit::slot> held;
    for (int i = 0; i < 3; ++i) {
        held.push_back(limit.try_acquire());
        BOOST_TEST(static_cast<bool>(held.back()));
    }
    BOOST_TEST(!limit.try_acquire());
    BOOST_TEST(limit.held() == 3u);
    held.pop_back();
    BOOST_TEST(limit.held() == 2u);
    auto again = limit.try_acquire();
    BOOST_TEST(static_cast<bool>(again));
    // Moving a slot moves the place; an empty slot releases nothing.
    connection_limit::slot moved = std::move(again);
    connection_limit::slot empty;
    moved = std::move(empty);
    BOOST_TEST(limit.held() == 2u);
}

BOOST_AUTO_TEST_CASE(the_default_leaves_room_for_everything_else) {
    BOOST_TEST(default_max_connections(1024) == (1024u - 64u) / 4u * 3u);
    BOOST_TEST(default_max_connections(1'048'576) > 700'000u);
    BOOST_TEST(default_max_connections(10) == 16u);  // a floor, however low the limit
    BOOST_TEST(raise_descriptor_limit() >= 16u);
}

BOOST_AUTO_TEST_SUITE_END()
