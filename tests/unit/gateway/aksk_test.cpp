// AK/SK signing (mrs-api.md §6.2): Huawei's published vectors, each canonical part, and the
// in-place signing of a request as the pool hands it over.
#include "gateway/upstream/aksk.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/test/unit_test.hpp>

#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <string>

using namespace sgw;
namespace http = boost::beast::http;

namespace {

const aksk::credentials go_keys{"AccessKey", "SecretKey", ""};

std::chrono::system_clock::time_point utc(int y, unsigned mo, unsigned d, int h, int mi, int s, int ms = 0) {
    using namespace std::chrono;
    return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s} + milliseconds{ms};
}

std::string signature_of(const std::string& authorization) {
    const auto at = authorization.rfind("Signature=");
    return at == std::string::npos ? std::string() : authorization.substr(at + 10);
}

aksk::http_request make_request(http::verb method, std::string target, std::string host) {
    aksk::http_request req{method, target, 11};
    req.set(http::field::host, host);
    return req;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(aksk_signing)

// The Go SDK's signer tests: only x-sdk-date signed, host example.huaweicloud.com unsigned.
BOOST_AUTO_TEST_CASE(go_sdk_vector_get) {
    const std::array<aksk::header, 1> headers{{{"X-Sdk-Date", "20060102T150405Z"}}};
    const auto s = aksk::sign({"GET", "/path?limit=1", headers, aksk::empty_payload_sha256}, "20060102T150405Z", go_keys);
    BOOST_TEST(s.authorization ==
               "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, "
               "Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624");
    BOOST_TEST(s.canonical_request == "GET\n/path/\nlimit=1\nx-sdk-date:20060102T150405Z\n\nx-sdk-date\n" +
                                          std::string(aksk::empty_payload_sha256));
}

BOOST_AUTO_TEST_CASE(go_sdk_vector_post_body_with_newline) {
    const std::array<aksk::header, 1> headers{{{"X-Sdk-Date", "20060102T150405Z"}}};
    const std::string body = "{\"Name\":\"test\",\"Id\":1}\n";  // Go's json.Encoder ends with \n
    const auto hash = aksk::payload_hash(body, "");
    const auto s = aksk::sign({"POST", "/path?key=value", headers, hash}, "20060102T150405Z", go_keys);
    BOOST_TEST(signature_of(s.authorization) == "cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59");
    // Without the newline the hash, and so the signature, differ (mrs-api.md §6.2).
    const auto no_newline = aksk::payload_hash(body.substr(0, body.size() - 1), "");
    const auto s2 = aksk::sign({"POST", "/path?key=value", headers, no_newline}, "20060102T150405Z", go_keys);
    BOOST_TEST(signature_of(s2.authorization).starts_with("83599e52"));
}

// The API gateway's own example of the canonical request it computes.
BOOST_AUTO_TEST_CASE(apig_canonical_request_example) {
    const std::array<aksk::header, 2> headers{{{"Host", "test.com"}, {"X-Sdk-Date", "20190126T033427Z"}}};
    const auto s = aksk::sign({"GET", "/app1", headers, aksk::payload_hash("", "")}, "20190126T033427Z", go_keys);
    BOOST_TEST(s.canonical_request ==
               "GET\n/app1/\n\nhost:test.com\nx-sdk-date:20190126T033427Z\n\nhost;x-sdk-date\n"
               "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    BOOST_TEST(s.string_to_sign ==
               "SDK-HMAC-SHA256\n20190126T033427Z\n" + aksk::sha256_hex(s.canonical_request));
    BOOST_TEST(s.signed_headers == "host;x-sdk-date");
    BOOST_TEST(signature_of(s.authorization) == aksk::hmac_sha256_hex("SecretKey", s.string_to_sign));
}

BOOST_AUTO_TEST_CASE(digests) {
    BOOST_TEST(aksk::sha256_hex("") == aksk::empty_payload_sha256);
    BOOST_TEST(aksk::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // RFC 4231 test case 2.
    BOOST_TEST(aksk::hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
               "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    BOOST_TEST(aksk::hmac_sha256_hex("", "") == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

BOOST_AUTO_TEST_CASE(encode_keeps_only_unreserved) {
    std::string all;
    for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
    const auto e = aksk::encode(all);
    std::string expected;
    for (int c = 0; c < 256; ++c) {
        const bool keep = std::isalnum(c) && c < 128;
        if (keep || c == '-' || c == '_' || c == '.' || c == '~') {
            expected += static_cast<char>(c);
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            expected += buf;
        }
    }
    BOOST_TEST(e == expected);
    BOOST_TEST(aksk::encode("一 é/*") == "%E4%B8%80%20%C3%A9%2F%2A");
}

BOOST_AUTO_TEST_CASE(canonical_uri_per_segment) {
    BOOST_TEST(aksk::canonical_uri("/v2/abc/clusters/x/job-executions") == "/v2/abc/clusters/x/job-executions/");
    BOOST_TEST(aksk::canonical_uri("/v2/abc/") == "/v2/abc/");
    BOOST_TEST(aksk::canonical_uri("/") == "/");
    BOOST_TEST(aksk::canonical_uri("") == "/");
    BOOST_TEST(aksk::canonical_uri("//a") == "//a/");
    // Reserved characters and UTF-8 bytes are encoded; a '%' already there is encoded again.
    BOOST_TEST(aksk::canonical_uri("/a b/é/%41/!*'()$&+,;=:@/~._-") ==
               "/a%20b/%C3%A9/%2541/%21%2A%27%28%29%24%26%2B%2C%3B%3D%3A%40/~._-/");
}

BOOST_AUTO_TEST_CASE(canonical_query_go_vector) {
    // The Go SDK's query vector, from a wire string in another order and with other escapes.
    BOOST_TEST(aksk::canonical_query("test=%E4%B8%80+(%26%3D%3F!%23%25.*)&path=/tmp/123&multi=3&multi=1&multi=2&limit=1&"
                                     "enable=true") ==
               "enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&"
               "test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29");
}

BOOST_AUTO_TEST_CASE(canonical_query_shapes) {
    BOOST_TEST(aksk::canonical_query("") == "");
    BOOST_TEST(aksk::canonical_query("&&") == "");
    BOOST_TEST(aksk::canonical_query("b&a=") == "a=&b=");
    BOOST_TEST(aksk::canonical_query("&a=1&") == "a=1");
    BOOST_TEST(aksk::canonical_query("a=b=c") == "a=b%3Dc");
    BOOST_TEST(aksk::canonical_query("a=x+y%20z%2B") == "a=x%20y%20z%2B");
    BOOST_TEST(aksk::canonical_query("a=!*'()~") == "a=%21%2A%27%28%29~");
    // A '%' that starts no escape is taken literally.
    BOOST_TEST(aksk::canonical_query("%zz=1%&b=%4") == "%25zz=1%25&b=%254");
    // Repeated keys: one pair each, sorted by value; an empty value first.
    BOOST_TEST(aksk::canonical_query("k=b&k=a&k=&j=2") == "j=2&k=&k=a&k=b");
    // Escapes of the same text are the same name.
    BOOST_TEST(aksk::canonical_query("%61=2&a=1") == "a=1&a=2");
    // UTF-8 names and values.
    BOOST_TEST(aksk::canonical_query("%C3%A9=%E4%B8%80&e=1") == "e=1&%C3%A9=%E4%B8%80");
}

BOOST_AUTO_TEST_CASE(canonical_query_sorts_decoded_text) {
    // Decoded, "a." < "a/"; encoded, "a%2F" < "a.". The SDK sorts the decoded names.
    BOOST_TEST(aksk::canonical_query("a%2F=2&a.=1") == "a.=1&a%2F=2");
    BOOST_TEST(aksk::canonical_query("v=a%2F&v=a.") == "v=a.&v=a%2F");
}

BOOST_AUTO_TEST_CASE(canonical_query_sorts_utf16_code_units) {
    // U+FF01 against U+1F600: UTF-8 bytes put U+FF01 first (EF < F0), UTF-16 code units put
    // U+1F600 first (D83D < FF01), as the Node SDK's sort does.
    BOOST_TEST(aksk::canonical_query("%EF%BC%81=1&%F0%9F%98%80=2") == "%F0%9F%98%80=2&%EF%BC%81=1");
    BOOST_TEST(aksk::canonical_query("k=%EF%BC%81&k=%F0%9F%98%80") == "k=%F0%9F%98%80&k=%EF%BC%81");
    // Below U+D800 both orders agree.
    BOOST_TEST(aksk::canonical_query("%E4%B8%80=1&%C3%A9=2&z=3") == "z=3&%C3%A9=2&%E4%B8%80=1");
    // Bytes that are not UTF-8 sort after text.
    BOOST_TEST(aksk::canonical_query("%FF=1&%EF%BF%BF=2") == "%EF%BF%BF=2&%FF=1");
}

BOOST_AUTO_TEST_CASE(canonical_headers_trim_lower_sort) {
    const std::array<aksk::header, 4> headers{{{"X-Sdk-Date", "20060102T150405Z"},
                                               {"Host", "  mrs.example.com:8443 \t"},
                                               {"Content-Type", "application/json; charset=utf-8"},
                                               {"x-project-id", "\tp1"}}};
    const auto b = aksk::canonical_headers(headers);
    BOOST_TEST(b.lines ==
               "content-type:application/json; charset=utf-8\nhost:mrs.example.com:8443\nx-project-id:p1\n"
               "x-sdk-date:20060102T150405Z\n");
    BOOST_TEST(b.names == "content-type;host;x-project-id;x-sdk-date");
}

BOOST_AUTO_TEST_CASE(sdk_date_format) {
    BOOST_TEST(aksk::sdk_date(utc(2006, 1, 2, 15, 4, 5, 999)) == "20060102T150405Z");
    BOOST_TEST(aksk::sdk_date(utc(2024, 12, 31, 23, 59, 59)) == "20241231T235959Z");
}

BOOST_AUTO_TEST_CASE(content_sha256_header_replaces_the_body_hash) {
    BOOST_TEST(aksk::payload_hash("body", "UNSIGNED-PAYLOAD") == "UNSIGNED-PAYLOAD");
    BOOST_TEST(aksk::payload_hash("body", "") == aksk::sha256_hex("body"));

    auto req = make_request(http::verb::put, "/v1/upload", "obs.example.com");
    req.set("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD");
    req.body() = "not hashed";
    const auto s = aksk::sign_request(req, go_keys, utc(2024, 1, 2, 3, 4, 5));
    BOOST_TEST(s.canonical_request.ends_with("\nUNSIGNED-PAYLOAD"));
    BOOST_TEST(s.signed_headers == "host;x-sdk-content-sha256;x-sdk-date");
}

BOOST_AUTO_TEST_CASE(sign_request_in_place) {
    auto req = make_request(http::verb::post, "/v2/p1/clusters/c1/job-executions?b=2&a=1", "mrs.example.com:8443");
    req.set(http::field::content_type, "application/json");
    req.set("X-Project-Id", "p1");
    req.set("X-Request-Id", "req-42");  // not one of the signed headers
    req.set(http::field::user_agent, "sahara-gateway");
    req.body() = R"({"job_name":"j"})";
    const auto now = utc(2024, 1, 2, 3, 4, 5, 678);
    const auto s = aksk::sign_request(req, go_keys, now);

    BOOST_TEST(req["X-Sdk-Date"] == "20240102T030405Z");
    BOOST_TEST(req[http::field::authorization] == s.authorization);
    BOOST_TEST(s.signed_headers == "content-type;host;x-project-id;x-sdk-date");
    BOOST_TEST(s.canonical_request.find("\nhost:mrs.example.com:8443\n") != std::string::npos);
    BOOST_TEST(s.canonical_request.find("req-42") == std::string::npos);
    BOOST_TEST(req.count("X-Security-Token") == 0u);

    // The same signature from the parts written out by hand.
    const std::array<aksk::header, 4> headers{{{"content-type", "application/json"},
                                               {"host", "mrs.example.com:8443"},
                                               {"x-project-id", "p1"},
                                               {"x-sdk-date", "20240102T030405Z"}}};
    const auto expected = aksk::sign({"POST", "/v2/p1/clusters/c1/job-executions?a=1&b=2", headers,
                                      aksk::sha256_hex(R"({"job_name":"j"})")},
                                     "20240102T030405Z", go_keys);
    BOOST_TEST(s.authorization == expected.authorization);
    BOOST_TEST(s.canonical_request ==
               "POST\n/v2/p1/clusters/c1/job-executions/\na=1&b=2\ncontent-type:application/json\n"
               "host:mrs.example.com:8443\nx-project-id:p1\nx-sdk-date:20240102T030405Z\n\n"
               "content-type;host;x-project-id;x-sdk-date\n" +
                   aksk::sha256_hex(R"({"job_name":"j"})"));

    // Host is signed: another Host, another signature; an unsigned header changes nothing.
    auto other_host = make_request(http::verb::post, "/v2/p1/clusters/c1/job-executions?b=2&a=1", "mrs.example.com");
    other_host.set(http::field::content_type, "application/json");
    other_host.set("X-Project-Id", "p1");
    other_host.body() = req.body();
    auto unsigned_change = other_host;
    unsigned_change.set(http::field::host, "mrs.example.com:8443");
    unsigned_change.set("X-Request-Id", "something else");
    BOOST_TEST(aksk::sign_request(other_host, go_keys, now).authorization != s.authorization);
    BOOST_TEST(aksk::sign_request(unsigned_change, go_keys, now).authorization == s.authorization);

    // Asked for, an extra header is signed too (in any case), once.
    auto extra = req;
    extra.erase("X-Sdk-Date");
    const std::array<std::string_view, 2> also{"x-request-id", "Host"};
    const auto se = aksk::sign_request(extra, go_keys, now, also);
    BOOST_TEST(se.signed_headers == "content-type;host;x-project-id;x-request-id;x-sdk-date");
}

BOOST_AUTO_TEST_CASE(sign_request_reuses_an_existing_date) {
    auto req = make_request(http::verb::get, "/v1.1/p1/job-exes/j1", "mrs.example.com");
    req.set("X-Sdk-Date", "20200101T000000Z");
    const auto s = aksk::sign_request(req, go_keys, utc(2030, 6, 6, 6, 6, 6));
    BOOST_TEST(req["X-Sdk-Date"] == "20200101T000000Z");
    BOOST_TEST(req.count("X-Sdk-Date") == 1u);
    BOOST_TEST(s.string_to_sign.starts_with("SDK-HMAC-SHA256\n20200101T000000Z\n"));
    BOOST_TEST(s.canonical_request.find("x-sdk-date:20200101T000000Z\n") != std::string::npos);
    // Signing again (a resend) gives the same header, replaced rather than added.
    const auto again = aksk::sign_request(req, go_keys, utc(2031, 1, 1, 0, 0, 0));
    BOOST_TEST(again.authorization == s.authorization);
    BOOST_TEST(req.count(http::field::authorization) == 1u);
}

BOOST_AUTO_TEST_CASE(sign_request_security_token) {
    const aksk::credentials temporary{"TMPAK", "TMPSK", "token-abc"};
    auto req = make_request(http::verb::delete_, "/v1.1/p1/job-executions/j1", "mrs.example.com");
    const auto s = aksk::sign_request(req, temporary, utc(2024, 5, 6, 7, 8, 9));
    BOOST_TEST(req["X-Security-Token"] == "token-abc");
    BOOST_TEST(s.signed_headers == "host;x-sdk-date;x-security-token");
    BOOST_TEST(s.authorization.starts_with("SDK-HMAC-SHA256 Access=TMPAK, SignedHeaders=host;x-sdk-date;x-security-token, Signature="));
    BOOST_TEST(signature_of(s.authorization) == aksk::hmac_sha256_hex("TMPSK", s.string_to_sign));
    // Permanent keys afterwards: the token goes, and is no longer signed.
    const auto p = aksk::sign_request(req, go_keys, utc(2024, 5, 6, 7, 8, 9));
    BOOST_TEST(req.count("X-Security-Token") == 0u);
    BOOST_TEST(p.signed_headers == "host;x-sdk-date");
}

BOOST_AUTO_TEST_CASE(sign_request_encodes_path_and_query) {
    auto req = make_request(http::verb::get, "/v2/p%201/clusters/%C3%A9/job-executions?name=a%2Fb+c&id=%E4%B8%80&id=!",
                            "mrs.example.com");
    const auto s = aksk::sign_request(req, go_keys, utc(2024, 1, 1, 0, 0, 0));
    BOOST_TEST(s.canonical_request.starts_with("GET\n/v2/p%25201/clusters/%25C3%25A9/job-executions/\n"
                                               "id=%21&id=%E4%B8%80&name=a%2Fb%20c\n"));
}

BOOST_AUTO_TEST_SUITE_END()
