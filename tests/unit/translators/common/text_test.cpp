// Cleaning outside text: valid UTF-8 out, whatever comes in, and never longer than asked.
#include "translators/common/text.hpp"

#include <boost/test/unit_test.hpp>

#include <random>

using sgw::clean_text;
using sgw::valid_utf8;

BOOST_AUTO_TEST_SUITE(text)

BOOST_AUTO_TEST_CASE(valid_text_passes_unchanged) {
    for (std::string s : {"", "plain", "caf\xC3\xA9", "\xE2\x82\xAC 10", "\xF0\x9F\x98\x80", "a\"b\\c\n"}) {
        BOOST_TEST(valid_utf8(s));
        BOOST_TEST(clean_text(s, 64) == s);
    }
}

BOOST_AUTO_TEST_CASE(each_bad_byte_becomes_a_replacement_character) {
    const std::string fffd = "\xEF\xBF\xBD";
    const std::pair<std::string, std::string> rows[] = {
        {"\xFF", fffd},
        {"a\xFE" "b", "a" + fffd + "b"},
        {"\xC0\xAF", fffd + fffd},                 // overlong '/'
        {"\xED\xA0\x80", fffd + fffd + fffd},      // a surrogate
        {"\xF4\x90\x80\x80", fffd + fffd + fffd + fffd},  // past U+10FFFF
        {"\xE2\x82", fffd + fffd},                 // cut short
        {"\xC3", fffd},
    };
    for (const auto& [in, out] : rows) {
        BOOST_TEST(!valid_utf8(in));
        BOOST_TEST(clean_text(in, 64) == out);
    }
}

BOOST_AUTO_TEST_CASE(long_text_is_cut_on_a_character_boundary_with_a_mark) {
    BOOST_TEST(clean_text(std::string(100, 'a'), 10) == "aaaaaaa...");
    // Two-byte characters: the cut never splits one.
    const std::string e = "\xC3\xA9";
    std::string many;
    for (int i = 0; i < 20; ++i) many += e;
    const auto cut = clean_text(many, 10);
    BOOST_TEST(cut == e + e + e + "...");
    BOOST_TEST(valid_utf8(cut));
    // Exactly at the limit: kept whole, even when cleaning changed it.
    BOOST_TEST(clean_text("abcdefghi\xFF", 12) == "abcdefghi\xEF\xBF\xBD");
}

BOOST_AUTO_TEST_CASE(random_bytes_always_come_out_valid_and_bounded) {
    std::mt19937 rng(11);
    for (int i = 0; i < 2000; ++i) {
        std::string in(rng() % 300, '\0');
        for (auto& c : in) c = static_cast<char>(rng() % 256);
        const std::size_t max = 1 + rng() % 200;
        const auto out = clean_text(in, max);
        BOOST_TEST_REQUIRE(valid_utf8(out));
        BOOST_TEST_REQUIRE(out.size() <= max);
    }
}

BOOST_AUTO_TEST_CASE(percent_encoding_keeps_only_the_unreserved_set) {
    BOOST_TEST(sgw::percent_encode("AZaz09-._~") == "AZaz09-._~");
    BOOST_TEST(sgw::percent_encode("a b/c?d#e%f") == "a%20b%2Fc%3Fd%23e%25f");
    BOOST_TEST(sgw::percent_encode("\r\n\xc3\xa9") == "%0D%0A%C3%A9");
    BOOST_TEST(sgw::percent_encode("").empty());
}

BOOST_AUTO_TEST_SUITE_END()
