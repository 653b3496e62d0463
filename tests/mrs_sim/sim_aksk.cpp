// MRS simulator: AK/SK signature checks (mrs-api.md §6.2, §5.1(3)), the keys, and the control
// calls for keys and for the clock the X-Sdk-Date check reads.
#include "sim_aksk.hpp"

#include "sim_util.hpp"

#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <utility>
#include <vector>

namespace mrs_sim {

using namespace detail;

namespace aksk {

namespace {

std::string to_hex(const unsigned char* data, std::size_t size) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        out += digits[data[i] >> 4];
        out += digits[data[i] & 0xF];
    }
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

}  // namespace

std::string hex_sha256(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(data.data(), data.size(), md, &size, EVP_sha256(), nullptr);
    return to_hex(md, size);
}

std::string hex_hmac_sha256(std::string_view key, std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
         data.size(), md, &size);
    return to_hex(md, size);
}

std::string uri_encode(std::string_view s) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += ch;
        } else {
            out += '%';
            out += digits[c >> 4];
            out += digits[c & 0xF];
        }
    }
    return out;
}

std::optional<std::string> canonical_request(std::string_view method, std::string_view target,
                                             const header_list& headers, std::string_view signed_headers,
                                             std::string_view body) {
    const auto url = boost::urls::parse_origin_form(target);
    if (!url) {
        return std::nullopt;
    }
    // §6.2 (1): the method in upper case.
    std::string out;
    for (const char c : method) {
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    out += '\n';
    // (2): each path segment percent-encoded, joined with '/', and a '/' appended. sim choice:
    // segments are decoded first, so a client that signed the path before encoding it for the
    // wire matches (MRS ids hold no character that needs encoding either way).
    std::string path;
    for (const auto& segment : url->segments()) {
        path += '/';
        path += uri_encode(segment);
    }
    if (path.empty() || path.back() != '/') {
        path += '/';
    }
    out += path + '\n';
    // (3): parameters sorted by name, then value (byte order), each encoded, name=value joined
    // with '&'. sim choice: '+' in the query is a space, as the sim's routing reads it.
    std::vector<std::pair<std::string, std::string>> params;
    for (const auto& p : url->params()) {
        if (!p.key.empty() || p.has_value) {
            params.emplace_back(uri_encode(p.key), uri_encode(p.value));
        }
    }
    std::sort(params.begin(), params.end());
    std::string query;
    for (const auto& [k, v] : params) {
        query += (query.empty() ? "" : "&") + k + "=" + v;
    }
    out += query + '\n';
    // (4): a "name:value" line per signed header, in the list's order, value trimmed; every
    // line ends in '\n', so an empty line follows the last one.
    std::string_view rest = signed_headers;
    while (!rest.empty()) {
        const auto semi = rest.find(';');
        const std::string_view name = rest.substr(0, semi);
        rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
        const auto value = find_header(headers, name);
        if (name.empty() || !value) {
            return std::nullopt;
        }
        out += lower(name) + ':' + std::string(trim(*value)) + '\n';
    }
    out += '\n';
    // (5) and (6): the signed header list, and the body's hash, or X-Sdk-Content-Sha256 as is.
    out += std::string(signed_headers) + '\n';
    const auto content_sha = find_header(headers, "X-Sdk-Content-Sha256");
    out += content_sha ? std::string(*content_sha) : hex_sha256(body);
    return out;
}

std::string string_to_sign(std::string_view sdk_date, std::string_view canonical) {
    return std::string(aksk_algorithm) + "\n" + std::string(sdk_date) + "\n" + hex_sha256(canonical);
}

std::string signature(std::string_view sk, std::string_view to_sign) {
    return hex_hmac_sha256(sk, to_sign);  // §6.2: no key derivation
}

std::optional<authorization> parse_authorization(std::string_view value) {
    if (!value.starts_with(aksk_algorithm) || value.size() == aksk_algorithm.size() ||
        value[aksk_algorithm.size()] != ' ') {
        return std::nullopt;
    }
    value.remove_prefix(aksk_algorithm.size());
    authorization a;
    bool access = false, signed_headers = false, sig = false;
    while (!value.empty()) {
        const auto comma = value.find(',');
        const std::string_view part = trim(value.substr(0, comma));
        value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
        const auto eq = part.find('=');
        if (eq == std::string_view::npos) {
            return std::nullopt;
        }
        const std::string_view key = part.substr(0, eq), v = part.substr(eq + 1);
        if (key == "Access") {
            a.access = v;
            access = true;
        } else if (key == "SignedHeaders") {
            a.signed_headers = v;
            signed_headers = true;
        } else if (key == "Signature") {
            a.signature = v;
            sig = true;
        } else {
            return std::nullopt;
        }
    }
    if (!access || !signed_headers || !sig || a.access.empty() || a.signed_headers.empty() || a.signature.empty()) {
        return std::nullopt;
    }
    return a;
}

std::optional<std::int64_t> parse_sdk_date(std::string_view v) {
    // YYYYMMDDTHHMMSSZ
    if (v.size() != 16 || v[8] != 'T' || v[15] != 'Z') {
        return std::nullopt;
    }
    auto number = [&](std::size_t at, std::size_t len) {
        int n = 0;
        for (std::size_t i = at; i < at + len; ++i) {
            if (v[i] < '0' || v[i] > '9') {
                return -1;
            }
            n = n * 10 + (v[i] - '0');
        }
        return n;
    };
    std::tm tm{};
    tm.tm_year = number(0, 4) - 1900;
    tm.tm_mon = number(4, 2) - 1;
    tm.tm_mday = number(6, 2);
    tm.tm_hour = number(9, 2);
    tm.tm_min = number(11, 2);
    tm.tm_sec = number(13, 2);
    if (tm.tm_year < 70 || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour < 0 ||
        tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 || tm.tm_sec > 60) {
        return std::nullopt;
    }
    const std::tm asked = tm;
    const std::time_t secs = timegm(&tm);
    if (tm.tm_mday != asked.tm_mday || tm.tm_mon != asked.tm_mon) {
        return std::nullopt;  // 20230231: no such day
    }
    return static_cast<std::int64_t>(secs) * 1000;
}

}  // namespace aksk

std::string sim_state::add_access_key(std::string_view ak, std::string_view sk, std::string_view project_id,
                                      std::string_view security_token) {
    auto plain = [](std::string_view s) {
        return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
            return std::isgraph(static_cast<unsigned char>(c)) && c != ',' && c != ':';
        });
    };
    if (!plain(ak) || !plain(sk)) {
        return "an access key and a secret key must be non-empty text without white space, ',' or ':'";
    }
    if (project_id.size() != 32 || !is_hex(project_id)) {
        return "a project id must be 32 lower-case hex digits";
    }
    if (!security_token.empty() && !std::all_of(security_token.begin(), security_token.end(),
                                                [](char c) { return std::isgraph(static_cast<unsigned char>(c)); })) {
        return "a security token must be text without white space";
    }
    if (access_keys_.contains(ak)) {
        return "access key given twice";
    }
    ensure_project(project_id);
    access_keys_.emplace(std::string(ak),
                         access_key{std::string(sk), std::string(project_id), std::string(security_token)});
    return {};
}

sim_state::signature_check sim_state::check_signature(const api_request& req, std::int64_t now_ms) const {
    // mrs-api.md §6.2 and §5.1(3). sim choice: the checks run in this order, and the first that
    // fails answers: the Authorization header can be read (APIGW.0301); X-Sdk-Date is there,
    // well formed and within 15 minutes of the sim's clock (APIGW.0303); the access key is
    // known; x-sdk-date is among the signed headers; a temporary key's X-Security-Token
    // matches; the signature matches (all APIGW.0301). The texts never echo a key or token.
    auto fail = [&](std::string_view detail) {
        return signature_check{std::nullopt, apigw_401(detail, req.request_id)};
    };
    const auto header = find_header(req.headers, "Authorization");
    const auto auth = header ? aksk::parse_authorization(*header) : std::nullopt;
    if (!auth) {
        return fail("the Authorization header is not a valid SDK-HMAC-SHA256 signature");
    }
    const auto date_text = find_header(req.headers, "X-Sdk-Date");
    const auto date = date_text ? aksk::parse_sdk_date(*date_text) : std::nullopt;
    const std::int64_t server_now = now_ms + opts_.clock_offset_ms;
    if (!date || *date < server_now - aksk::max_skew_ms || *date > server_now + aksk::max_skew_ms) {
        reply r = json_reply(401, json::object{{"error_code", "APIGW.0303"},
                                               {"error_msg",
                                                "Incorrect IAM authentication information: the "
                                                "X-Sdk-Date is missing, malformed or more than 15 "
                                                "minutes from the server time"},
                                               {"request_id", req.request_id}});
        return {std::nullopt, std::move(r)};
    }
    const auto key = access_keys_.find(auth->access);
    if (key == access_keys_.end()) {
        return fail("access key not found");
    }
    bool date_signed = false;
    for (std::string_view rest = auth->signed_headers; !rest.empty();) {
        const auto semi = rest.find(';');
        const std::string_view name = rest.substr(0, semi);
        date_signed =
            date_signed || (name.size() == 10 && std::equal(name.begin(), name.end(), "x-sdk-date", [](char x, char y) {
                                return std::tolower(static_cast<unsigned char>(x)) == y;
                            }));
        rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    }
    if (!date_signed) {
        return fail("x-sdk-date must be a signed header");  // the one header Huawei requires signed
    }
    if (!key->second.security_token.empty()) {
        const auto token = find_header(req.headers, "X-Security-Token");
        if (!token || *token != key->second.security_token) {
            return fail("the security token of a temporary access key is missing or wrong");
        }
    }
    const auto canonical = aksk::canonical_request(req.method, req.target, req.headers, auth->signed_headers, req.body);
    if (!canonical) {
        return fail("a signed header is missing");
    }
    const std::string expected = aksk::signature(key->second.sk, aksk::string_to_sign(*date_text, *canonical));
    if (expected.size() != auth->signature.size() ||
        CRYPTO_memcmp(expected.data(), auth->signature.data(), expected.size()) != 0) {
        return fail("verify aksk signature fail");
    }
    return {key->second.project, {}};
}

reply sim_state::add_key(std::string_view body) {
    boost::system::error_code ec;
    const json::value doc = json::parse(body.empty() ? std::string_view("{}") : body, ec);
    if (ec || !doc.is_object()) {
        return bad_control("the body must be a JSON object");
    }
    const json::object& in = doc.get_object();
    for (const auto& kv : in) {
        if (kv.key() != "ak" && kv.key() != "sk" && kv.key() != "project" && kv.key() != "security_token") {
            return bad_control("unknown key: " + std::string(kv.key()));
        }
        if (!kv.value().is_string()) {
            return bad_control(std::string(kv.key()) + " must be a string");
        }
    }
    if (!in.contains("ak") || !in.contains("sk")) {
        return bad_control("ak and sk are required");
    }
    const std::string project_id = in.contains("project") ? std::string(in.at("project").get_string())
                                   : projects_.empty()    ? std::string()
                                                          : projects_.front().id;
    if (!find_project(project_id)) {
        return bad_control("unknown project");  // after setup, keys go to known projects only
    }
    const std::string_view token =
        in.contains("security_token") ? std::string_view(in.at("security_token").get_string()) : std::string_view();
    if (auto err = add_access_key(in.at("ak").get_string(), in.at("sk").get_string(), project_id, token);
        !err.empty()) {
        return bad_control(err);
    }
    return json_reply(201, json::object{{"ak", in.at("ak")}, {"project", project_id}});
}

reply sim_state::set_clock(std::string_view body) {
    boost::system::error_code ec;
    const json::value doc = json::parse(body.empty() ? std::string_view("{}") : body, ec);
    const json::value* offset = !ec && doc.is_object() ? doc.get_object().if_contains("offset_s") : nullptr;
    constexpr std::int64_t ten_years_s = 10LL * 366 * 86400;
    const auto seconds =
        offset && doc.get_object().size() == 1 ? whole(*offset, -ten_years_s, ten_years_s) : std::nullopt;
    if (!seconds) {
        return bad_control("the body must be {\"offset_s\": seconds}, within ten years");
    }
    opts_.clock_offset_ms = *seconds * 1000;
    return json_reply(200, json::object{{"offset_s", *seconds}});
}

json::object sim_state::render_clock(std::int64_t now_ms) const {
    return {{"offset_s", opts_.clock_offset_ms / 1000}, {"now_ms", now_ms + opts_.clock_offset_ms}};
}

}  // namespace mrs_sim
