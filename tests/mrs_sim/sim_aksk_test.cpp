// Unit tests of the simulator's AK/SK signature checks (mrs-api.md §6.2, §5.1(3)): the Go SDK
// test vectors, the canonical request, tampering, clock skew, temporary keys and projects.
#include "sim_aksk.hpp"
#include "sim_state.hpp"
#include "sim_test_util.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <string>
#include <utility>
#include <vector>

using namespace sim_test;

namespace {

constexpr std::string_view ak = "SIMAKDEMO0000000000001";
constexpr std::string_view sk = "sim-secret-key-never-shown";

// A request as a client sends it; headers are owned here and viewed by api_request.
struct wire_request {
    std::string method, target, body;
    std::vector<std::pair<std::string, std::string>> headers;

    header_list view() const {
        header_list out;
        for (const auto& [k, v] : headers) {
            out.emplace_back(k, v);
        }
        return out;
    }
    void set(const std::string& name, const std::string& value) {
        for (auto& [k, v] : headers) {
            if (k == name) {
                v = value;
                return;
            }
        }
        headers.emplace_back(name, value);
    }
    void erase(const std::string& name) {
        std::erase_if(headers, [&](const auto& h) { return h.first == name; });
    }
};

std::string sdk_date(std::int64_t ms) {
    const std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[80];
    std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

// Signs as the Node core does: every header present, names sorted, lower case.
wire_request signed_request(std::string method, std::string target, std::string body, std::int64_t at,
                            std::string_view access = ak, std::string_view secret = sk,
                            std::vector<std::pair<std::string, std::string>> extra = {}) {
    wire_request r{std::move(method),
                   std::move(target),
                   std::move(body),
                   {{"Host", "127.0.0.1:9000"},
                    {"X-Sdk-Date", sdk_date(at)},
                    {"Content-Type", "application/json"},
                    {"X-Project-Id", demo_project}}};
    for (auto& h : extra) {
        r.headers.push_back(std::move(h));
    }
    std::vector<std::string> names;
    for (const auto& [k, v] : r.headers) {
        std::string n = k;
        std::transform(n.begin(), n.end(), n.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        names.push_back(n);
    }
    std::sort(names.begin(), names.end());
    std::string signed_headers;
    for (const auto& n : names) {
        signed_headers += (signed_headers.empty() ? "" : ";") + n;
    }
    const auto canonical = aksk::canonical_request(r.method, r.target, r.view(), signed_headers, r.body);
    BOOST_REQUIRE(canonical);
    const std::string sig = aksk::signature(secret, aksk::string_to_sign(sdk_date(at), *canonical));
    r.headers.emplace_back("Authorization", "SDK-HMAC-SHA256 Access=" + std::string(access) +
                                                ", SignedHeaders=" + signed_headers + ", Signature=" + sig);
    return r;
}

result send(sim_state& s, const wire_request& w, std::int64_t now,
            std::optional<std::string_view> token = std::nullopt) {
    const header_list headers = w.view();
    const api_request req{w.method, w.target, token, std::nullopt, w.body, "0123456789abcdef0123456789abcdef", headers};
    reply rep = s.handle(req, match_route(w.method, w.target), now);
    json::value v = rep.body.empty() ? json::value(nullptr) : json::parse(rep.body);
    return {rep.status, std::move(v), std::move(rep)};
}

sim_state with_key(sim_options opts = {}) {
    sim_state s(opts, t0, 42);
    BOOST_REQUIRE_EQUAL(s.add_access_key(ak, sk, demo::project), "");
    BOOST_REQUIRE_EQUAL(s.seed_demo(), "");
    s.finish_setup();
    return s;
}

const std::string v2_list = "/v2/" + demo_project + "/clusters/" + std::string(demo::cluster_1) + "/job-executions";

void check_rejected(const result& r, std::string_view code) {
    check_error(r, 401, code);
    BOOST_TEST(r.body.at("request_id").as_string() == "0123456789abcdef0123456789abcdef");
    BOOST_TEST(
        std::string(r.body.at("error_msg").as_string()).starts_with("Incorrect IAM authentication information: "));
    BOOST_TEST(r.raw.body.find(sk) == std::string::npos);
    BOOST_TEST(r.raw.body.find(ak) == std::string::npos);
    BOOST_TEST((r.raw.signature == signature_outcome::rejected));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mrs_sim_aksk)

BOOST_AUTO_TEST_CASE(the_go_sdk_vectors_verify) {
    // mrs-api.md §6.2: AK AccessKey, SK SecretKey, host example.huaweicloud.com, path /path,
    // X-Sdk-Date 20060102T150405Z, only x-sdk-date signed.
    const std::int64_t vector_time = 1136214245000;  // 2006-01-02T15:04:05Z
    sim_state s(sim_options{}, vector_time, 1);
    BOOST_REQUIRE_EQUAL(s.add_access_key("AccessKey", "SecretKey", demo::project), "");
    struct vector {
        std::string method, target, body, signature;
    };
    for (const auto& v :
         {vector{"GET", "/path?limit=1", "", "5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624"},
          vector{"POST", "/path?key=value", "{\"Name\":\"test\",\"Id\":1}\n",
                 "cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59"}}) {
        wire_request w{v.method,
                       v.target,
                       v.body,
                       {{"Host", "example.huaweicloud.com"},
                        {"X-Sdk-Date", "20060102T150405Z"},
                        {"Authorization",
                         "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, Signature=" + v.signature}}};
        const api_request req{w.method, w.target, std::nullopt, std::nullopt, w.body, "r", w.view()};
        const auto ok = s.check_signature(req, vector_time);
        BOOST_TEST(ok.project.value_or("") == demo_project, v.method);
        // The sim computes the same signature itself.
        const auto canonical = aksk::canonical_request(w.method, w.target, w.view(), "x-sdk-date", w.body);
        BOOST_REQUIRE(canonical);
        BOOST_TEST(aksk::signature("SecretKey", aksk::string_to_sign("20060102T150405Z", *canonical)) == v.signature);

        // Tampered: another query value, body, or signed header value.
        for (int change = 0; change < 3; ++change) {
            wire_request t = w;
            if (change == 0) {
                t.target = v.method == "GET" ? "/path?limit=2" : "/path?key=other";
            } else if (change == 1) {
                t.body = v.body.empty() ? "x" : "{\"Name\":\"test\",\"Id\":1}";  // the vector without its newline
            } else {
                t.set("X-Sdk-Date", "20060102T150406Z");
            }
            const api_request bad{t.method, t.target, std::nullopt, std::nullopt, t.body, "r", t.view()};
            const auto no = s.check_signature(bad, vector_time);
            BOOST_TEST(!no.project.has_value(), v.method << " change " << change);
            BOOST_TEST(no.error.status == 401u);
            BOOST_TEST(json::parse(no.error.body).at("error_code").as_string() == "APIGW.0301");
        }
        // An unsigned header may change.
        wire_request other_host = w;
        other_host.set("Host", "elsewhere.example");
        const api_request moved{other_host.method, other_host.target, std::nullopt, std::nullopt, other_host.body, "r",
                                other_host.view()};
        BOOST_TEST(s.check_signature(moved, vector_time).project.has_value());
    }
    // Without the newline the second vector's body gives the other documented signature.
    const auto canonical = aksk::canonical_request("POST", "/path?key=value", {{"X-Sdk-Date", "20060102T150405Z"}},
                                                   "x-sdk-date", "{\"Name\":\"test\",\"Id\":1}");
    BOOST_TEST(
        aksk::signature("SecretKey", aksk::string_to_sign("20060102T150405Z", *canonical)).starts_with("83599e52"));
}

BOOST_AUTO_TEST_CASE(canonical_request_follows_section_6_2) {
    // The canonical request of the APIG signing guide's example, path sent without its slash.
    const auto apig = aksk::canonical_request(
        "get", "/app1", {{"Host", "test.com"}, {"X-Sdk-Date", "20190126T033427Z"}}, "host;x-sdk-date", "");
    BOOST_TEST(*apig ==
               "GET\n/app1/\n\nhost:test.com\nx-sdk-date:20190126T033427Z\n\nhost;x-sdk-date\n"
               "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    // The Go SDK's query vector: names sorted, repeated names by value, everything but the
    // unreserved set encoded in upper-case hex.
    const auto query = aksk::canonical_request("GET",
                                               "/p?test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29&path=%2Ftmp%2F123&"
                                               "multi=3&multi=1&multi=2&limit=1&enable=true",
                                               {{"X-Sdk-Date", "x"}}, "x-sdk-date", "");
    BOOST_TEST(query->substr(0, query->find("\nx-sdk-date")) ==
               "GET\n/p/\nenable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&"
               "test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29");
    // Segments are re-encoded from their decoded form; '+' in a query is a space; values are
    // trimmed; a trailing slash is kept, not doubled; X-Sdk-Content-Sha256 replaces the hash.
    const auto odd = aksk::canonical_request("POST", "/v2/a%20b/c~d/?q=a+b&e=&f",
                                             {{"x-sdk-date", "  d  "}, {"X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD"}},
                                             "x-sdk-date", "body");
    BOOST_TEST(*odd == "POST\n/v2/a%20b/c~d/\ne=&f=&q=a%20b\nx-sdk-date:d\n\nx-sdk-date\nUNSIGNED-PAYLOAD");
    // A signed header that is not there: no canonical request.
    BOOST_TEST(!aksk::canonical_request("GET", "/", {{"X-Sdk-Date", "d"}}, "host;x-sdk-date", "").has_value());
    BOOST_TEST(aksk::hex_sha256("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    BOOST_TEST(aksk::uri_encode("a b/~*") == "a%20b%2F~%2A");
}

BOOST_AUTO_TEST_CASE(authorization_and_date_parsing) {
    auto a = aksk::parse_authorization("SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=abc");
    BOOST_REQUIRE(a);
    BOOST_TEST(a->access == "AK");
    BOOST_TEST(a->signed_headers == "host;x-sdk-date");
    BOOST_TEST(a->signature == "abc");
    BOOST_TEST(
        aksk::parse_authorization("SDK-HMAC-SHA256 Signature=abc,Access=AK,SignedHeaders=x-sdk-date").has_value());
    for (const char* bad : {"SDK-HMAC-SHA256", "SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date",
                            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date, Signature=",
                            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date, Signature=a, Region=x",
                            "V11-HMAC-SHA256 Credential=AK/x, SignedHeaders=x-sdk-date, Signature=a",
                            "SDK-HMAC-SHA256X Access=AK, SignedHeaders=x-sdk-date, Signature=a"}) {
        BOOST_TEST(!aksk::parse_authorization(bad).has_value(), bad);
    }
    BOOST_TEST(*aksk::parse_sdk_date("20231114T221320Z") == t0);
    BOOST_TEST(*aksk::parse_sdk_date("20240229T000000Z") == 1709164800000);
    for (const char* bad : {"2023-11-14T22:13:20Z", "20231114T221320", "20231114 221320Z", "20230231T000000Z",
                            "20231314T000000Z", "20231114T246000Z", "2023111xT221320Z", ""}) {
        BOOST_TEST(!aksk::parse_sdk_date(bad).has_value(), bad);
    }
}

BOOST_AUTO_TEST_CASE(signed_requests_are_served_and_tampering_is_caught) {
    sim_state s = with_key();
    const auto ok = send(s, signed_request("GET", v2_list + "?limit=1&sort_by=asc", "", t0), t0);
    BOOST_TEST(ok.status == 202u);
    BOOST_TEST((ok.raw.signature == signature_outcome::accepted));
    BOOST_TEST(ok.body.at("job_list").as_array().size() == 1u);
    // The signature is checked instead of X-Auth-Token, even a bad one.
    BOOST_TEST(send(s, signed_request("GET", v2_list, "", t0), t0, "bogus-token").status == 202u);
    // Every kind of endpoint takes it: v1.1, job-exes, clusters.
    for (const std::string& target :
         {"/v1.1/" + demo_project + "/job-executions?limit=2", "/v1.1/" + demo_project + "/cluster_infos",
          "/v1.1/" + demo_project + "/job-exes?cluster_id=" + std::string(demo::cluster_1)}) {
        BOOST_TEST(send(s, signed_request("GET", target, "", t0), t0).status == 200u, target);
    }
    const std::string body = R"({"job_type":"MapReduce","job_name":"signed","arguments":["a"]})";
    const auto submitted = send(s, signed_request("POST", v2_list, body, t0), t0);
    BOOST_TEST(submitted.status == 200u);

    // Tampering after signing.
    wire_request q = signed_request("GET", v2_list + "?limit=1", "", t0);
    q.target = v2_list + "?limit=100";
    check_rejected(send(s, q, t0), "APIGW.0301");
    wire_request b = signed_request("POST", v2_list, body, t0);
    b.body = R"({"job_type":"MapReduce","job_name":"signed","arguments":["b"]})";
    check_rejected(send(s, b, t0), "APIGW.0301");
    wire_request h = signed_request("GET", v2_list, "", t0);
    h.set("X-Project-Id", other_project);
    check_rejected(send(s, h, t0), "APIGW.0301");
    wire_request p = signed_request("GET", v2_list, "", t0);
    p.target = "/v2/" + demo_project + "/clusters/" + std::string(demo::cluster_2) + "/job-executions";
    check_rejected(send(s, p, t0), "APIGW.0301");
    wire_request m = signed_request("GET", v2_list, "", t0);
    m.method = "POST";
    BOOST_TEST(send(s, m, t0).status == 401u);
    // A header added after signing is not covered, and harmless.
    wire_request added = signed_request("GET", v2_list, "", t0);
    added.set("User-Agent", "python-saharaclient");
    BOOST_TEST(send(s, added, t0).status == 202u);
    // A signed header left out of the request.
    wire_request gone = signed_request("GET", v2_list, "", t0);
    gone.erase("Content-Type");
    check_rejected(send(s, gone, t0), "APIGW.0301");
    // Unknown access key; wrong secret key; a signature in upper case.
    check_rejected(send(s, signed_request("GET", v2_list, "", t0, "UNKNOWNAK"), t0), "APIGW.0301");
    check_rejected(send(s, signed_request("GET", v2_list, "", t0, ak, "wrong-secret"), t0), "APIGW.0301");
    wire_request upper = signed_request("GET", v2_list, "", t0);
    for (auto& [k, v] : upper.headers) {
        if (k == "Authorization") {
            const auto at = v.find("Signature=") + 10;
            std::transform(v.begin() + static_cast<std::ptrdiff_t>(at), v.end(),
                           v.begin() + static_cast<std::ptrdiff_t>(at),
                           [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        }
    }
    check_rejected(send(s, upper, t0), "APIGW.0301");
    // x-sdk-date must be among the signed headers.
    wire_request only_host{"GET", v2_list, "", {{"Host", "127.0.0.1:9000"}, {"X-Sdk-Date", sdk_date(t0)}}};
    const std::string canonical = *aksk::canonical_request("GET", v2_list, only_host.view(), "host", "");
    only_host.set("Authorization", "SDK-HMAC-SHA256 Access=" + std::string(ak) + ", SignedHeaders=host, Signature=" +
                                       aksk::signature(sk, aksk::string_to_sign(sdk_date(t0), canonical)));
    check_rejected(send(s, only_host, t0), "APIGW.0301");
    // A malformed Authorization.
    wire_request broken = signed_request("GET", v2_list, "", t0);
    broken.set("Authorization", "SDK-HMAC-SHA256 Access=" + std::string(ak));
    check_rejected(send(s, broken, t0), "APIGW.0301");
    // Without any Authorization, X-Auth-Token is checked as before.
    check_error(send(s, wire_request{"GET", v2_list, "", {}}, t0), 401, "APIGW.0301");
    BOOST_TEST(send(s, wire_request{"GET", v2_list, "", {}}, t0, demo::token).status == 202u);
}

BOOST_AUTO_TEST_CASE(x_sdk_date_must_be_within_fifteen_minutes) {
    sim_state s = with_key();
    const std::int64_t quarter = 15 * 60 * 1000;
    BOOST_TEST(send(s, signed_request("GET", v2_list, "", t0 - quarter), t0).status == 202u);
    BOOST_TEST(send(s, signed_request("GET", v2_list, "", t0 + quarter), t0).status == 202u);
    check_rejected(send(s, signed_request("GET", v2_list, "", t0 - quarter - 1000), t0), "APIGW.0303");
    check_rejected(send(s, signed_request("GET", v2_list, "", t0 + quarter + 1000), t0), "APIGW.0303");
    wire_request missing = signed_request("GET", v2_list, "", t0);
    missing.erase("X-Sdk-Date");
    check_rejected(send(s, missing, t0), "APIGW.0303");
    wire_request malformed = signed_request("GET", v2_list, "", t0);
    malformed.set("X-Sdk-Date", "2023-11-14T22:13:20Z");
    check_rejected(send(s, malformed, t0), "APIGW.0303");

    // The sim's clock for this check can be moved: an hour ahead, a request dated now is stale.
    BOOST_TEST(s.set_clock(R"({"offset_s":3600})").status == 200u);
    BOOST_TEST(s.render_clock(t0).at("now_ms").as_int64() == t0 + 3600000);
    check_rejected(send(s, signed_request("GET", v2_list, "", t0), t0), "APIGW.0303");
    BOOST_TEST(send(s, signed_request("GET", v2_list, "", t0 + 3600000), t0).status == 202u);
    // Job times do not move with it.
    BOOST_TEST(call(s, "GET", v2_list + "/" + std::string(demo::v2_running), t0)
                   .body.at("job_detail")
                   .at("elapsed_time")
                   .as_int64() == 3000000 - 10000);
    BOOST_TEST(s.set_clock(R"({"offset_s":-60})").status == 200u);
    BOOST_TEST(s.render_clock(t0).at("offset_s").as_int64() == -60);
    for (const char* bad : {"{}", R"({"offset_s":"1"})", R"({"offset_s":1.5})", R"({"offset_s":1,"x":2})",
                            R"({"offset_s":999999999999})", "["}) {
        BOOST_TEST(s.set_clock(bad).status == 400u, bad);
    }
    // The same through --clock-offset-s.
    sim_state behind = with_key(sim_options{.clock_offset_ms = -20 * 60 * 1000});
    check_rejected(send(behind, signed_request("GET", v2_list, "", t0), t0), "APIGW.0303");
    BOOST_TEST(send(behind, signed_request("GET", v2_list, "", t0 - 20 * 60 * 1000), t0).status == 202u);
}

BOOST_AUTO_TEST_CASE(keys_belong_to_a_project_and_temporary_keys_need_their_token) {
    sim_state s = with_key();
    BOOST_REQUIRE_EQUAL(s.add_access_key("OTHERAK", "other-sk", demo::other_project), "");
    BOOST_REQUIRE_EQUAL(s.add_access_key("TEMPAK", "temp-sk", demo::project, "temp-token-value"), "");
    // A key on another project's path: 12000001 like a token, with a good signature.
    const auto foreign = send(s, signed_request("GET", v2_list, "", t0, "OTHERAK", "other-sk"), t0);
    check_error(foreign, 401, "12000001");
    BOOST_TEST((foreign.raw.signature == signature_outcome::accepted));
    const std::string other_list =
        "/v2/" + other_project + "/clusters/" + std::string(demo::other_cluster) + "/job-executions";
    BOOST_TEST(send(s, signed_request("GET", other_list, "", t0, "OTHERAK", "other-sk"), t0).status == 202u);

    // A temporary key: X-Security-Token must be there and match.
    BOOST_TEST(
        send(s, signed_request("GET", v2_list, "", t0, "TEMPAK", "temp-sk", {{"X-Security-Token", "temp-token-value"}}),
             t0)
            .status == 202u);
    const auto none = send(s, signed_request("GET", v2_list, "", t0, "TEMPAK", "temp-sk"), t0);
    check_rejected(none, "APIGW.0301");
    const auto wrong =
        send(s, signed_request("GET", v2_list, "", t0, "TEMPAK", "temp-sk", {{"X-Security-Token", "other-value"}}), t0);
    check_rejected(wrong, "APIGW.0301");
    BOOST_TEST(wrong.raw.body.find("temp-token-value") == std::string::npos);
    BOOST_TEST(wrong.raw.body.find("other-value") == std::string::npos);
    // A permanent key ignores a security token.
    BOOST_TEST(send(s, signed_request("GET", v2_list, "", t0, ak, sk, {{"X-Security-Token", "x"}}), t0).status == 202u);

    // Bad keys are refused; /_sim/state shows access key ids, never secrets.
    BOOST_TEST(s.add_access_key(ak, "again", demo::project) != "");
    BOOST_TEST(s.add_access_key("", "x", demo::project) != "");
    BOOST_TEST(s.add_access_key("A:B", "x", demo::project) != "");
    BOOST_TEST(s.add_access_key("AK2", "x y", demo::project) != "");
    BOOST_TEST(s.add_access_key("AK2", "x", "not-a-project") != "");
    const auto st = s.render_state(t0);
    const auto& keys = st.at("projects").at(0).at("access_keys").as_array();
    BOOST_TEST(keys.size() == 2u);
    BOOST_TEST(json::serialize(st).find(sk) == std::string::npos);
    BOOST_TEST(json::serialize(st).find("temp-token-value") == std::string::npos);

    // The control call.
    const reply added = s.add_key(R"({"ak":"CTLAK","sk":"ctl-sk","project":")" + other_project + R"("})");
    BOOST_TEST(added.status == 201u);
    BOOST_TEST(send(s, signed_request("GET", other_list, "", t0, "CTLAK", "ctl-sk"), t0).status == 202u);
    BOOST_TEST(s.add_key(R"({"ak":"CTL2","sk":"s","security_token":"t"})").status == 201u);  // the first project
    BOOST_TEST(send(s, signed_request("GET", v2_list, "", t0, "CTL2", "s", {{"X-Security-Token", "t"}}), t0).status ==
               202u);
    for (const char* bad : {R"({"ak":"CTLAK","sk":"x"})", R"({"ak":"N"})", R"({"ak":"N","sk":1})",
                            R"({"ak":"N","sk":"x","project":"ffffffffffffffffffffffffffffffff"})",
                            R"({"ak":"N","sk":"x","colour":"red"})", "[]"}) {
        BOOST_TEST(s.add_key(bad).status == 400u, bad);
    }
}

BOOST_AUTO_TEST_SUITE_END()
