// Entry point of the simulator's unit tests.
#define BOOST_TEST_MODULE mrs_sim_unit
#include <boost/test/unit_test.hpp>
