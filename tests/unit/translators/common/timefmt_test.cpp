// MRS time formats to Sahara's (mrs-api.md §4).
#include "translators/common/timefmt.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using sgw::timefmt::to_sahara;

BOOST_AUTO_TEST_SUITE(timefmt)

BOOST_AUTO_TEST_CASE(epoch_milliseconds_and_seconds) {
    BOOST_TEST(to_sahara(json::value(1484641003707LL)) == json::value("2017-01-17T08:16:43"));
    BOOST_TEST(to_sahara(json::value(1496387588LL)) == json::value("2017-06-02T07:13:08"));
    BOOST_TEST(to_sahara(json::value("1564626578817")) == json::value("2019-08-01T02:29:38"));
}

BOOST_AUTO_TEST_CASE(unset_values_are_null) {
    BOOST_TEST(to_sahara(json::value(0)).is_null());  // v2 uses 0 for "not set"
    BOOST_TEST(to_sahara(json::value(nullptr)).is_null());
    BOOST_TEST(to_sahara(json::value("")).is_null());
    BOOST_TEST(to_sahara(json::value("yesterday")).is_null());
    BOOST_TEST(to_sahara(json::value(true)).is_null());
}

// Found by fuzz_translators: a double past long long's range was converted to it (undefined
// behaviour, reported by UBSan). Whatever the number, a time outside Sahara's four-digit years
// is null.
BOOST_AUTO_TEST_CASE(numbers_out_of_range_are_null) {
    BOOST_TEST(to_sahara(json::value(1.49554e72)).is_null());
    BOOST_TEST(to_sahara(json::value(-1.5e300)).is_null());
    BOOST_TEST(to_sahara(json::value(1.0e19)).is_null());
    BOOST_TEST(to_sahara(json::value(1484641003707.0)) == json::value("2017-01-17T08:16:43"));
    BOOST_TEST(to_sahara(json::value(9223372036854775807LL)).is_null());
    BOOST_TEST(to_sahara(json::value(18446744073709551615ULL)).is_null());
    BOOST_TEST(to_sahara(json::value(253402300799000LL)) == json::value("9999-12-31T23:59:59"));
    BOOST_TEST(to_sahara(json::value(253402300800000LL)).is_null());
    BOOST_TEST(to_sahara(json::value("999999999999999999")).is_null());
    BOOST_TEST(to_sahara(json::value("0001-01-01T00:00:00")) == json::value("0001-01-01T00:00:00"));
    BOOST_TEST(to_sahara(json::value("0001-01-01T00:00:00+01:00")).is_null());
}

BOOST_AUTO_TEST_CASE(iso_strings_are_normalised_to_utc) {
    BOOST_TEST(to_sahara(json::value("2017-05-25T07:28:12")) == json::value("2017-05-25T07:28:12"));
    BOOST_TEST(to_sahara(json::value("2019-02-13T06:52:13.855000Z")) == json::value("2019-02-13T06:52:13"));
    BOOST_TEST(to_sahara(json::value("2017-05-25 07:28:12")) == json::value("2017-05-25T07:28:12"));
    BOOST_TEST(to_sahara(json::value("2017-05-25T07:28:12+08:00")) == json::value("2017-05-24T23:28:12"));
    BOOST_TEST(to_sahara(json::value("2017-05-25T23:28:12-0130")) == json::value("2017-05-26T00:58:12"));
    BOOST_TEST(to_sahara(json::value("2017-13-25T07:28:12")).is_null());
    BOOST_TEST(to_sahara(json::value("2017-05-25T07:28:12junk")).is_null());
}

BOOST_AUTO_TEST_SUITE_END()
