// MRS simulator: the HTTP/TLS server, the control API under /_sim/ and fault injection.
#pragma once

#include "sim_state.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mrs_sim {

// The fault set of POST /_sim/faults. Faults apply to MRS and identity requests only.
struct fault_set {
    enum class malformed_kind { none, garbage, truncated };

    std::int64_t latency_ms = 0;
    unsigned error_status = 0;  // 0: off
    double error_rate = 0;
    std::int64_t close_after = 0;  // 0: off
    malformed_kind malformed = malformed_kind::none;
    double malformed_rate = 1;
    bool stall = false;
    double reset_rate = 0;
    std::int64_t idle_close_ms = 0;  // 0: off
    double throttle_rate = 0;             // share answered 429 APIGW.0308
    std::int64_t throttle_retry_after_s = 0;  // 0: no Retry-After on those 429s
    bool close_notify = false;            // close_after ends the connection in order (close_notify / FIN)
    double reset_mid_rate = 0;            // share reset after the header and half the body
    bool stall_after_headers = false;     // send the header, then nothing
    json::object source;  // the JSON it was made from, shown by GET /_sim/faults
};

// Parses a fault set; on a bad body returns nullopt and sets error.
std::optional<fault_set> parse_faults(std::string_view body, std::string& error);

// A deterministic share of requests: fires whenever the running sum of the rate crosses
// a whole number, so 0.5 fires on every second call and 1 on every call.
class rate_gate {
public:
    bool fire(double rate);

private:
    double sum_ = 0;
};

struct server_options {
    std::string host = "127.0.0.1";
    unsigned short port = 9000;
    int threads = 1;
    std::string tls_cert, tls_key;  // both set: TLS
};

// Binds, prints "listening HOST:PORT" on stdout, serves until SIGINT/SIGTERM.
// Returns the process exit code.
int run_server(const server_options& opts, sim_state& state);

}  // namespace mrs_sim
