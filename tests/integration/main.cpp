// Entry point of the integration test binary.
#define BOOST_TEST_MODULE sahara_gateway_integration
#include <boost/test/unit_test.hpp>
