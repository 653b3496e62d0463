// Making text valid UTF-8 for JSON answers.
#include "translators/common/utf8.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using sgw::translators::valid_utf8;

BOOST_AUTO_TEST_SUITE(utf8)

BOOST_AUTO_TEST_CASE(valid_text_is_kept) {
    BOOST_TEST(valid_utf8("") == "");
    BOOST_TEST(valid_utf8("ascii") == "ascii");
    const std::string mixed = "\xC3\xA9t\xC3\xA9 \xE2\x9C\x93 \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF";
    BOOST_TEST(valid_utf8(mixed) == mixed);
}

BOOST_AUTO_TEST_CASE(each_invalid_byte_becomes_a_replacement_character) {
    const std::string r = "\xEF\xBF\xBD";
    BOOST_TEST(valid_utf8("a\xFF" "b") == "a" + r + "b");                 // never a lead byte
    BOOST_TEST(valid_utf8("\x80") == r);                                   // stray continuation
    BOOST_TEST(valid_utf8("\xC3") == r);                                   // truncated at the end
    BOOST_TEST(valid_utf8("\xE2\x9C" "x") == r + r + "x");                 // truncated inside
    BOOST_TEST(valid_utf8("\xC0\xAF") == r + r);                           // overlong
    BOOST_TEST(valid_utf8("\xE0\x80\x80") == r + r + r);                   // overlong
    BOOST_TEST(valid_utf8("\xED\xA0\x80") == r + r + r);                   // surrogate
    BOOST_TEST(valid_utf8("\xF4\x90\x80\x80") == r + r + r + r);           // past U+10FFFF
    BOOST_TEST(valid_utf8("\xF5\x80\x80\x80") == r + r + r + r);
}

BOOST_AUTO_TEST_CASE(a_limit_never_cuts_a_sequence) {
    BOOST_TEST(valid_utf8(std::string(600, 'a'), 512).size() == 512u);
    BOOST_TEST(valid_utf8("ab\xC3\xA9", 3) == "ab\xC3\xA9");  // the last sequence starts before the limit
    BOOST_TEST(valid_utf8("abc\xC3\xA9", 3) == "abc");
}

BOOST_AUTO_TEST_SUITE_END()
