// aksk_vectors: a deterministic set of requests signed with sgw::aksk::sign_request, one JSON
// line each, for tests/signer/sdk_sign.js to sign again with Huawei's Node SDK (mrs-api.md §6.2).
//
//   aksk_vectors [--count N] [--seed S]
//
// Each line carries the request twice over: as we send it (`path`, `query`, `body`, the
// headers) and as the SDK is given it (`url` template, `path_params`, `project_id`,
// `query_params`, `content_type`, `headers`), plus the keys, the X-Sdk-Date, our
// `authorization` and our `canonical_request`. The requests stay within what the SDK can
// express and signs the way it sends: path characters its URL parser leaves alone, JSON bodies
// that JSON.stringify writes back byte for byte, custom header names of letters, digits and `-`
// (docs/reference/mrs-api.md §6.2(4), §6.2(9) say why).
#include "gateway/upstream/aksk.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace http = boost::beast::http;
namespace json = boost::json;
using namespace sgw;

namespace {

class rng {
public:
    explicit rng(std::uint64_t seed) : engine_(seed) {}
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(engine_() % n); }
    bool chance(unsigned percent) { return below(100) < percent; }
    template <class T, std::size_t N>
    const T& pick(const T (&items)[N]) {
        return items[below(N)];
    }

private:
    std::mt19937_64 engine_;
};

// JavaScript's encodeURIComponent, which the SDK applies to the project ID in the path.
std::string encode_uri_component(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                          std::string_view("-_.!~*'()").find(static_cast<char>(c)) != std::string_view::npos;
        if (keep) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

// Query names and values on the wire, written four ways that all mean the same.
std::string wire_encode(std::string_view s, std::size_t style) {
    static constexpr char upper[] = "0123456789ABCDEF";
    static constexpr char lower[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) {
        const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                                c == '-' || c == '_' || c == '.' || c == '~';
        if (unreserved || (style == 1 && std::string_view("!'()*").find(static_cast<char>(c)) != std::string_view::npos)) {
            out += static_cast<char>(c);
        } else if (style == 2 && c == ' ') {
            out += '+';
        } else {
            const char* hex = style == 3 ? lower : upper;
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

constexpr const char* utf8_samples[] = {"é", "ü", "ß", "一", "二", "あ", "ｱ", "！", "😀", "Ω", "ñ"};

std::string plain_id(rng& r, std::size_t len) {
    static constexpr char chars[] = "0123456789abcdef";
    std::string s;
    for (std::size_t i = 0; i < len; ++i) s += chars[r.below(16)];
    return s;
}

std::string uuid(rng& r) {
    return plain_id(r, 8) + "-" + plain_id(r, 4) + "-" + plain_id(r, 4) + "-" + plain_id(r, 4) + "-" + plain_id(r, 12);
}

// A path parameter the SDK substitutes as it is: characters Node's URL parser leaves alone.
std::string path_param(rng& r) {
    if (r.chance(60)) return uuid(r);
    static constexpr const char* parts[] = {"!", "$", "&", "(", ")", "*", "+", ",", ";", "=", ":", "@", "~", ".", "_", "-"};
    std::string s = plain_id(r, 1 + r.below(6));
    const auto extra = 1 + r.below(4);
    for (std::size_t i = 0; i < extra; ++i) {
        s += r.chance(50) ? std::string(r.pick(parts)) : std::string(r.pick(utf8_samples));
        s += plain_id(r, r.below(3));
    }
    return s;
}

// A project ID: plain hex mostly; otherwise with what encodeURIComponent has to encode.
std::string project_id(rng& r) {
    if (r.chance(70)) return plain_id(r, 32);
    static constexpr const char* parts[] = {" ", "/", "&", "=", ":", "@", "+", "é", "一", "!", "*", "(", ")", "~", "%"};
    std::string s = plain_id(r, 4);
    for (std::size_t i = 0, n = 1 + r.below(3); i < n; ++i) s += std::string(r.pick(parts)) + plain_id(r, 1 + r.below(3));
    return s;
}

std::string query_text(rng& r, bool name) {
    static constexpr const char* parts[] = {" ", "/", "*", "&", "=", "%", "~", "!", "'", "(", ")", "+", "?", "#", ",",
                                            ":", ";", "@", "[", "]", "$", ".", "-", "_"};
    if (!name && r.chance(10)) return "";
    std::string s;
    const auto n = 1 + r.below(name ? 3 : 5);
    for (std::size_t i = 0; i < n; ++i) {
        const auto k = r.below(10);
        if (k < 5)
            s += plain_id(r, 1 + r.below(4));
        else if (k < 8)
            s += r.pick(parts);
        else
            s += r.pick(utf8_samples);
    }
    return s;
}

std::string json_text(rng& r) {
    static constexpr const char* parts[] = {"hive", " ", "\"", "\\", "\n", "\t", "/", "<b>", "obs://bucket/in", "--conf",
                                            "a=b", "{}", "[1]", "ü", "一", "😀", "'", "%20", "&"};
    std::string s;
    for (std::size_t i = 0, n = r.below(6); i < n; ++i) s += r.pick(parts);
    return s;
}

json::value json_value(rng& r, int depth) {
    switch (r.below(depth > 1 ? 5 : 7)) {
        case 0:
        case 1:
            return json::value(json_text(r));
        case 2:
            return json::value(static_cast<std::int64_t>(r.below(2'000'000'000)) - 1'000'000'000);
        case 3:
            return json::value(r.chance(50));
        case 4:
            return json::value(nullptr);
        case 5: {
            json::array a;
            for (std::size_t i = 0, n = r.below(4); i < n; ++i) a.push_back(json_value(r, depth + 1));
            return a;
        }
        default: {
            static constexpr const char* keys[] = {"job_name", "job_type", "arguments", "properties", "hql",
                                                   "jar_path", "input", "flags", "ünïcode", "key with space", "a.b"};
            json::object o;
            for (std::size_t i = 0, n = r.below(5); i < n; ++i) o[r.pick(keys)] = json_value(r, depth + 1);
            return o;
        }
    }
}

struct templ {
    const char* url;
    const char* params[2];  // path parameters besides the project
};

constexpr templ templates[] = {
    {"/v2/{project_id}/clusters/{cluster_id}/job-executions", {"cluster_id", nullptr}},
    {"/v2/{project_id}/clusters/{cluster_id}/job-executions/{job_execution_id}", {"cluster_id", "job_execution_id"}},
    {"/v2/{project_id}/clusters/{cluster_id}/job-executions/{job_execution_id}/kill", {"cluster_id", "job_execution_id"}},
    {"/v2/{project_id}/clusters/{cluster_id}/job-executions/{job_execution_id}/sql-result",
     {"cluster_id", "job_execution_id"}},
    {"/v2/{project_id}/clusters/{cluster_id}/job-executions/batch-delete", {"cluster_id", nullptr}},
    {"/v2/{project_id}/clusters/{cluster_id}/job-executions/{job_execution_id}/", {"cluster_id", "job_execution_id"}},
    {"/v1.1/{project_id}/job-exes/{job_exe_id}", {"job_exe_id", nullptr}},
    {"/v1.1/{project_id}/job-executions/{job_execution_id}/cancel", {"job_execution_id", nullptr}},
    {"/v1.1/{project_id}/jobs/submit-job", {nullptr, nullptr}},
};

std::string replace(std::string s, std::string_view from, std::string_view to) {
    const auto at = s.find(from);
    if (at != std::string::npos) s.replace(at, from.size(), to);
    return s;
}

json::object make_one(rng& r, int n) {
    static constexpr http::verb methods[] = {http::verb::get, http::verb::post, http::verb::put, http::verb::delete_,
                                             http::verb::patch};
    static constexpr const char* hosts[] = {"mrs.cn-north-4.myhuaweicloud.com", "mrs.eu-de.otc.t-systems.com",
                                            "mrs.example.com:8443", "127.0.0.1:9443", "[::1]:8443",
                                            "mrs.ap-southeast-1.myhuaweicloud.cn:443"};
    static constexpr const char* extra_names[] = {"X-Request-Id", "X-Language", "Accept", "X-Client-Version",
                                                  "X-Trace-2", "X-Custom-Header-With-Long-Name"};
    static constexpr const char* extra_values[] = {"req-0001", "en-us", "application/json", "a b  c", "v=1; q=0.5",
                                                   "https://x.example/a?b=c&d", "!#$%&'*+-.^_`|~", "0"};

    const auto method = methods[r.below(std::size(methods))];
    const std::string host = r.pick(hosts);
    const auto& t = templates[r.below(std::size(templates))];

    // The project: through the SDK's credentials (X-Project-Id, encodeURIComponent in the
    // path) or as a plain path parameter (no header).
    const bool project_in_credentials = r.chance(70);
    const std::string project = project_in_credentials ? project_id(r) : plain_id(r, 32);
    std::string path = replace(t.url, "{project_id}", project_in_credentials ? encode_uri_component(project) : project);
    json::object path_params;
    if (!project_in_credentials) path_params["project_id"] = project;
    for (const char* p : t.params) {
        if (!p) continue;
        const auto v = path_param(r);
        std::string placeholder = "{";
        placeholder += p;
        placeholder += '}';
        path = replace(path, placeholder, v);
        path_params[p] = v;
    }

    // The query: pairs in random order and spelling; repeated names; empty values.
    std::string query;
    json::object query_params;
    const bool has_query = r.chance(75);
    if (has_query) {
        std::vector<std::pair<std::string, std::string>> pairs;
        for (std::size_t i = 0, k = r.below(6); i < k; ++i) {
            const auto name = r.chance(20) ? std::string(r.pick({"limit", "offset", "job_state", "sort_by"}))
                                           : query_text(r, true);
            for (std::size_t j = 0, m = r.chance(25) ? 2 + r.below(3) : 1; j < m; ++j)
                pairs.emplace_back(name, query_text(r, false));
        }
        for (std::size_t i = pairs.size(); i > 1; --i) std::swap(pairs[i - 1], pairs[r.below(i)]);
        for (const auto& [name, value] : pairs) {
            if (!query.empty()) query += '&';
            query += wire_encode(name, r.below(4));
            if (!value.empty() || r.chance(50)) query += '=' + wire_encode(value, r.below(4));
            auto& slot = query_params[name];
            if (slot.is_null()) {
                slot = json::value(value);
            } else if (slot.is_string()) {
                json::array a{slot, json::value(value)};
                slot = std::move(a);
            } else {
                slot.as_array().emplace_back(value);
            }
        }
    }
    const std::string target = path + (has_query && (!query.empty() || r.chance(50)) ? "?" + query : "");

    // The body: JSON (or `{}`), a non-JSON body the SDK leaves unhashed, or none.
    std::string body;
    json::value content_type;
    bool unsigned_payload = false;
    const auto body_kind = r.below(10);
    if (body_kind < 5 && method != http::verb::get) {
        json::object o;
        for (std::size_t i = 0, k = r.below(5); i < k; ++i)
            o[r.pick({"job_name", "job_type", "arguments", "properties", "job_ids", "ünïcode", "x y"})] = json_value(r, 0);
        if (!(method == http::verb::delete_ && o.empty())) {  // the SDK drops an empty DELETE body
            body = json::serialize(o);
            content_type = "application/json";
        }
    } else if (body_kind == 5) {
        content_type = "application/json";  // a JSON API call without a body
    } else if (body_kind == 6 && method != http::verb::get) {
        content_type = r.pick({"text/plain", "application/octet-stream", "application/x-www-form-urlencoded"});
        body = "raw " + json_text(r);
        unsigned_payload = true;
    } else if (body_kind == 7) {
        content_type = "text/plain";
        unsigned_payload = true;
    }

    aksk::credentials keys{"AK" + plain_id(r, 18), plain_id(r, 40), ""};
    for (auto& c : keys.access_key) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (r.chance(30)) keys.security_token = "gQ" + plain_id(r, 60 + r.below(200)) + "==";

    using namespace std::chrono;
    const auto now = sys_days{year{2024} / 1 / 1} + seconds{r.below(3u * 365 * 86400)} + milliseconds{r.below(1000)};
    const bool date_in_header = r.chance(40);

    aksk::http_request req{method, target, 11};
    req.set(http::field::host, host);
    if (content_type.is_string()) req.set(http::field::content_type, std::string(content_type.as_string()));
    if (unsigned_payload) req.set("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD");
    if (project_in_credentials) req.set("X-Project-Id", project);
    json::object headers;
    std::vector<std::string_view> also_sign;
    if (r.chance(35)) {
        for (std::size_t i = 0, k = 1 + r.below(3); i < k; ++i) {
            const char* name = r.pick(extra_names);
            if (headers.contains(name)) continue;
            const char* value = r.pick(extra_values);
            headers[name] = value;
            req.set(name, value);
            also_sign.push_back(name);
        }
    }
    if (date_in_header) {
        const auto date = aksk::sdk_date(now - seconds{r.below(600)});
        headers["X-Sdk-Date"] = date;
        req.set("X-Sdk-Date", date);
    }
    req.body() = body;
    const auto s = aksk::sign_request(req, keys, now, also_sign);

    json::object line;
    line["n"] = n;
    line["method"] = std::string(req.method_string());
    line["endpoint"] = "https://" + host;
    line["host"] = host;
    line["url"] = t.url;
    line["path_params"] = std::move(path_params);
    line["project_id"] = project_in_credentials ? json::value(project) : json::value(nullptr);
    line["path"] = path;
    line["target"] = target;
    line["query"] = query;
    line["query_params"] = std::move(query_params);
    line["content_type"] = content_type;
    line["headers"] = std::move(headers);
    line["body"] = body;
    line["now_ms"] = duration_cast<milliseconds>(now.time_since_epoch()).count();
    line["date"] = std::string(req["X-Sdk-Date"]);
    line["ak"] = keys.access_key;
    line["sk"] = keys.secret_key;
    line["security_token"] = keys.security_token;
    line["authorization"] = std::string(req[http::field::authorization]);
    line["canonical_request"] = s.canonical_request;
    return line;
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t count = 300;
    std::uint64_t seed = 20240611;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--count" && i + 1 < argc) {
            count = std::stoul(argv[++i]);
        } else if (a == "--seed" && i + 1 < argc) {
            seed = std::stoull(argv[++i]);
        } else {
            std::cerr << "usage: aksk_vectors [--count N] [--seed S]\n";
            return 2;
        }
    }
    rng r(seed);
    for (std::size_t n = 0; n < count; ++n) std::cout << json::serialize(make_one(r, static_cast<int>(n))) << '\n';
    return std::cout.good() ? 0 : 1;
}
