// RESP through hiredis: commands byte for byte, replies in pieces, and peers that are not Redis.
#include "gateway/store/resp.hpp"

#include <boost/test/unit_test.hpp>

using namespace sgw::store;

namespace {
std::vector<reply> read_all(reply_reader& r, std::string_view bytes, std::size_t piece) {
    std::vector<reply> out;
    for (std::size_t at = 0; at < bytes.size(); at += piece) {
        r.feed(bytes.substr(at, piece));
        while (auto one = r.next()) out.push_back(std::move(*one));
    }
    return out;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(store_resp)

BOOST_AUTO_TEST_CASE(commands_are_bulk_strings_with_lengths) {
    std::string out;
    append_command(out, {"SET", "k", "a b\r\nDEL x", "PX", "10"});
    append_command(out, {"PING"});
    BOOST_TEST(out == "*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$10\r\na b\r\nDEL x\r\n$2\r\nPX\r\n$2\r\n10\r\n*1\r\n$4\r\nPING\r\n");
}

BOOST_AUTO_TEST_CASE(replies_of_every_type_in_any_pieces) {
    const std::string bytes = "+OK\r\n:-5\r\n$3\r\nabc\r\n$-1\r\n*3\r\n$1\r\na\r\n$-1\r\n*1\r\n:7\r\n-ERR no\r\n*0\r\n$0\r\n\r\n";
    for (std::size_t piece : {std::size_t{1}, std::size_t{2}, std::size_t{7}, bytes.size()}) {
        reply_reader r;
        const auto got = read_all(r, bytes, piece);
        BOOST_TEST(!r.failed());
        BOOST_REQUIRE(got.size() == 8u);
        BOOST_TEST((got[0].what == reply::type::status && got[0].text == "OK"));
        BOOST_TEST((got[1].what == reply::type::integer && got[1].integer == -5));
        BOOST_TEST((got[2].what == reply::type::string && got[2].text == "abc"));
        BOOST_TEST((got[3].what == reply::type::nil));
        BOOST_REQUIRE((got[4].what == reply::type::array && got[4].elements.size() == 3u));
        BOOST_TEST(got[4].elements[0].text == "a");
        BOOST_TEST((got[4].elements[1].what == reply::type::nil));
        BOOST_TEST(got[4].elements[2].elements.at(0).integer == 7);
        BOOST_TEST((got[5].what == reply::type::error && got[5].text == "ERR no"));
        BOOST_TEST((got[6].what == reply::type::array && got[6].elements.empty()));
        BOOST_TEST((got[7].what == reply::type::string && got[7].text.empty()));
    }
}

BOOST_AUTO_TEST_CASE(garbage_is_an_error_and_the_reader_stays_spent) {
    reply_reader r;
    r.feed("+OK\r\n!!garbage\r\n");
    BOOST_TEST(r.next().has_value());
    BOOST_TEST(!r.next().has_value());
    BOOST_TEST(r.failed());
    BOOST_TEST(r.error().find("rotocol") != std::string::npos, r.error());
    r.feed(":1\r\n");
    BOOST_TEST(!r.next().has_value());
}

BOOST_AUTO_TEST_CASE(an_announced_huge_array_allocates_nothing) {
    reply_reader r;
    r.feed("*2000000000\r\n");
    BOOST_TEST(!r.next().has_value());
    BOOST_TEST(r.failed());
    BOOST_TEST(r.error().find("elements") != std::string::npos, r.error());
}

BOOST_AUTO_TEST_CASE(the_element_bound_counts_nested_arrays_together) {
    const std::size_t half = reply_reader::max_elements / 2 + 1;
    const auto header = [](std::size_t n) {
        std::string h(1, '*');
        h += std::to_string(n);
        h += "\r\n";
        return h;
    };
    std::string bytes = "*2\r\n";
    bytes += header(half);
    for (std::size_t i = 0; i < half; ++i) bytes += ":1\r\n";
    bytes += header(half);
    reply_reader r;
    const auto got = read_all(r, bytes, 4096);
    BOOST_TEST(got.empty());
    BOOST_TEST(r.failed());

    // The bound is per reply: many replies of many elements each are fine.
    reply_reader fine;
    std::string many;
    for (int round = 0; round < 3; ++round) {
        many += header(half);
        for (std::size_t i = 0; i < half; ++i) many += ":1\r\n";
    }
    BOOST_TEST(read_all(fine, many, 65536).size() == 3u);
    BOOST_TEST(!fine.failed());
}

BOOST_AUTO_TEST_CASE(negative_counts_never_reach_an_allocation) {
    reply_reader r;
    r.feed("*-5\r\n");
    const auto got = r.next();
    // Either refused or read as nil, never an array.
    BOOST_TEST((r.failed() || (got && got->what == reply::type::nil)));
}

BOOST_AUTO_TEST_CASE(a_reply_that_never_completes_is_bounded) {
    reply_reader r;
    r.feed("$100000000\r\n");
    const std::string chunk(64 * 1024, 'x');
    std::size_t fed = 0;
    while (!r.failed() && fed < 2 * reply_reader::max_buffered) {
        r.feed(chunk);
        fed += chunk.size();
        BOOST_TEST(!r.next().has_value());
    }
    BOOST_TEST(r.failed());
    BOOST_TEST(fed <= reply_reader::max_buffered + chunk.size());
}

BOOST_AUTO_TEST_SUITE_END()
