// MRS simulator: helpers shared by the parts of the model.
#include "sim_util.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <charconv>

namespace mrs_sim::detail {

bool is_hex(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool is_uuid(std::string_view s) {
    if (s.size() != 36) {
        return false;
    }
    for (std::size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !is_hex(s.substr(i, 1))) {
            return false;
        }
    }
    return true;
}

std::string uuid_form(std::string_view hex32) {
    std::string s(hex32);
    for (std::size_t pos : {20, 16, 12, 8}) {
        s.insert(pos, 1, '-');
    }
    return s;
}

std::optional<std::string> uuid_start_digits(std::string_view prefix) {
    if (prefix.empty() || prefix.size() > 36) {
        return std::nullopt;
    }
    std::string hex;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? prefix[i] != '-' : !is_hex(prefix.substr(i, 1))) {
            return std::nullopt;
        }
        if (!dash) {
            hex += prefix[i];
        }
    }
    return hex;
}

// sim choice: the default bulk ids scramble their counter (Fibonacci hashing) in the first
// group, so id order is not creation order, as with MRS's random ids.
std::uint32_t bulk_scramble(std::uint64_t n) {
    return static_cast<std::uint32_t>((n * 0x9E3779B97F4A7C15ULL) >> 32);
}

const std::string* param(const query_params& q, std::string_view key) {
    for (const auto& [k, v] : q) {
        if (k == key) {
            return &v;  // the first occurrence wins
        }
    }
    return nullptr;
}

std::optional<std::int64_t> parse_int(std::string_view s) {
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) {
        return std::nullopt;
    }
    return v;
}

bool int_param(const query_params& q, std::string_view key, std::int64_t lo, std::int64_t hi,
               std::optional<std::int64_t>& out) {
    const std::string* s = param(q, key);
    if (!s) {
        return true;
    }
    out = parse_int(*s);
    return out && *out >= lo && *out <= hi;
}

reply json_reply(unsigned status, const json::value& v) {
    return {status, json::serialize(v), {}};
}

// mrs-api.md §5.1(1): {"error_code": "<string>", "error_msg": "<string>"}.
reply mrs_error(unsigned status, std::string_view code, std::string_view msg) {
    return json_reply(status, json::object{{"error_code", code}, {"error_msg", msg}});
}

// mrs-api.md §5.2/§5.3: 0176 and 0201 both mean "the job does not exist"; real calls answer 400.
reply job_not_found(std::string_view code) {
    return mrs_error(400, code, "The job does not exist.");
}

reply invalid_parameter(std::string_view what) {
    return mrs_error(400, "12000002", "Invalid parameter: " + std::string(what));
}

// mrs-api.md §5.1(2): "cluster does not exist" comes back under errorCode/errorMsg.
reply cluster_not_found() {
    return json_reply(400, json::object{{"errorCode", "12000003"}, {"errorMsg", "The cluster does not exist."}});
}

// mrs-api.md §5.3: 12000062 (400), jobs cannot be submitted to a cluster in this state.
// sim choice: every state but running, scaling-out and scaling-in refuses jobs.
reply cluster_busy(const cluster& c) {
    return mrs_error(400, "12000062", "Jobs cannot be submitted to a cluster in the " + c.state + " state.");
}

// mrs-api.md §5.1(3): API-gateway authentication errors, HTTP 401, with a request_id.
reply apigw_401(std::string_view detail, std::string_view request_id) {
    return json_reply(401,
                      json::object{{"error_code", "APIGW.0301"},
                                   {"error_msg", "Incorrect IAM authentication information: " + std::string(detail)},
                                   {"request_id", request_id}});
}

// mrs-api.md §5.4: the API gateway's per-user rate limit answers 429 APIGW.0308, with a
// request_id like its other errors (§5.1(3)). sim choice: the limit shown is 100 per second.
// sim choice: Retry-After only when asked for (the reference does not say whether APIG sends it).
reply apigw_throttled(std::string_view request_id, std::int64_t retry_after_s) {
    reply r = json_reply(429, json::object{{"error_code", "APIGW.0308"},
                                           {"error_msg",
                                            "The throttling threshold has been reached: policy user over "
                                            "ratelimit,limit:100,time:1 second"},
                                           {"request_id", request_id}});
    if (retry_after_s > 0) {
        r.headers.emplace_back("Retry-After", std::to_string(retry_after_s));
    }
    return r;
}

reply bad_control(std::string_view msg) {
    return json_reply(400, json::object{{"error", msg}});
}

std::optional<std::int64_t> whole(const json::value& v, std::int64_t lo, std::int64_t hi) {
    std::int64_t n = 0;
    if (v.is_int64()) {
        n = v.get_int64();
    } else if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(hi)) {
        n = static_cast<std::int64_t>(v.get_uint64());
    } else {
        return std::nullopt;
    }
    return n >= lo && n <= hi ? std::optional<std::int64_t>(n) : std::nullopt;
}

}  // namespace mrs_sim::detail
