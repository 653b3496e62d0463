// The shared job store's key names: layout, escaping, and what is refused.
#include "gateway/store/keys.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace sgw::store;

BOOST_AUTO_TEST_SUITE(store_keys)

BOOST_AUTO_TEST_CASE(one_project_one_hash_tag) {
    const auto k = keys_for("sahara-gateway:", "37caa80116e1403ab603e5eeb48a2f74", "job-1");
    BOOST_REQUIRE(k);
    BOOST_TEST(k->killing == "sahara-gateway:{37caa80116e1403ab603e5eeb48a2f74}:killing");
    BOOST_TEST(k->deleted == "sahara-gateway:{37caa80116e1403ab603e5eeb48a2f74}:deleted:job-1");
    BOOST_TEST(k->cluster == "sahara-gateway:{37caa80116e1403ab603e5eeb48a2f74}:cluster:job-1");
    BOOST_TEST(k->unknown == "sahara-gateway:{37caa80116e1403ab603e5eeb48a2f74}:unknown:job-1");
}

BOOST_AUTO_TEST_CASE(a_list_has_no_per_job_keys) {
    const auto k = keys_for("p:", "proj", "");
    BOOST_REQUIRE(k);
    BOOST_TEST(k->killing == "p:{proj}:killing");
    BOOST_TEST(k->deleted.empty());
    BOOST_TEST(k->cluster.empty());
    BOOST_TEST(k->unknown.empty());
}

BOOST_AUTO_TEST_CASE(parts_are_escaped_so_that_no_text_leaves_its_place) {
    BOOST_TEST(key_part("A-z_0.9").value() == "A-z_0.9");
    BOOST_TEST(key_part("a b").value() == "a%20b");
    BOOST_TEST(key_part("{x}").value() == "%7Bx%7D");  // would move the hash tag
    BOOST_TEST(key_part("a:deleted:b").value() == "a%3Adeleted%3Ab");
    BOOST_TEST(key_part("\r\n").value() == "%0D%0A");
    BOOST_TEST(key_part("\xff").value() == "%FF");
    // '%' itself is escaped, so that two parts never meet in one key.
    BOOST_TEST(key_part("a:b").value() != key_part("a%3Ab").value());
    BOOST_TEST(key_part("a%3Ab").value() == "a%253Ab");
    const auto k = keys_for("p:", "x}:killing", "j");
    BOOST_REQUIRE(k);
    BOOST_TEST(k->killing == "p:{x%7D%3Akilling}:killing");
}

BOOST_AUTO_TEST_CASE(empty_or_overlong_parts_stay_in_process) {
    BOOST_TEST(!keys_for("p:", "", "j"));
    BOOST_TEST(!key_part(std::string(max_key_part + 1, 'a')));
    BOOST_TEST(key_part(std::string(max_key_part, 'a')).has_value());
    BOOST_TEST(!keys_for("p:", std::string(max_key_part + 1, 'a'), ""));
    BOOST_TEST(!keys_for("p:", "proj", std::string(max_key_part + 1, 'j')));
}

BOOST_AUTO_TEST_CASE(prefixes) {
    BOOST_TEST(valid_prefix("sahara-gateway:"));
    BOOST_TEST(valid_prefix("a"));
    BOOST_TEST(valid_prefix(std::string(64, 'p')));
    BOOST_TEST(!valid_prefix(""));
    BOOST_TEST(!valid_prefix(std::string(65, 'p')));
    BOOST_TEST(!valid_prefix("sahara gateway:"));
    BOOST_TEST(!valid_prefix("sgw{1}:"));
    BOOST_TEST(!valid_prefix("sgw\n"));
    BOOST_TEST(!valid_prefix("sgw\x7f"));
}

BOOST_AUTO_TEST_SUITE_END()
