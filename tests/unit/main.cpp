// Entry point of the unit test binary.
#define BOOST_TEST_MODULE sahara_gateway_unit
#include <boost/test/unit_test.hpp>
