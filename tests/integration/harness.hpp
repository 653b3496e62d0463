// Integration harness: runs mrs-sim and sahara-gateway as real processes on ephemeral
// loopback ports, and talks HTTP to them.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <sys/types.h>
#include <vector>

namespace sgw::it {

/// A child process whose first stdout line is "listening HOST:PORT" (then "admin listening
/// HOST:PORT" with --admin-listen); stderr goes to a file.
class process {
public:
    process(std::vector<std::string> argv, std::string stderr_path);
    ~process();
    process(const process&) = delete;
    process& operator=(const process&) = delete;

    unsigned short port() const noexcept { return port_; }
    /// The admin listener's port, when argv asked for one (--admin-listen).
    unsigned short admin_port() const noexcept { return admin_port_; }
    pid_t pid() const noexcept { return pid_; }
    void signal(int sig);
    /// Exit status, or -1 if it did not exit within `timeout`.
    int wait(std::chrono::milliseconds timeout);
    /// Everything the process wrote to stderr so far.
    std::string stderr_text() const;

private:
    pid_t pid_ = -1;
    unsigned short port_ = 0;
    unsigned short admin_port_ = 0;
    std::string stderr_path_;
};

struct reply {
    unsigned status = 0;
    boost::beast::http::fields headers;
    std::string body;
    boost::json::value json() const;  ///< parsed body; throws if it is not JSON
};

/// A keep-alive HTTP/1.1 client connection to 127.0.0.1:port (10 s socket timeouts),
/// over TLS (without verification: it talks to the test's own simulator) when `tls`.
class client {
public:
    explicit client(unsigned short port, bool tls = false);
    ~client();
    reply request(boost::beast::http::verb verb, const std::string& target,
                  const std::vector<std::pair<std::string, std::string>>& headers = {}, const std::string& body = {});
    /// Writes raw bytes and reads one response (for malformed requests).
    reply raw(const std::string& bytes);

private:
    struct impl;
    std::unique_ptr<impl> p_;
};

/// One request on a fresh connection.
reply http_get(unsigned short port, const std::string& target, const std::string& token = {}, bool tls = false);
reply http_post(unsigned short port, const std::string& target, const std::string& json_body, bool tls = false);

inline const std::string demo_project = "6b2a9f0c1d3e4f5a8b7c6d5e4f3a2b1c";
inline const std::string demo_token = "demo-token";
inline const std::string other_token = "other-token";

/// mrs-sim with the demo data, and the gateway in front of it.
struct stack {
    explicit stack(std::vector<std::string> sim_flags = {}, std::vector<std::string> gateway_flags = {});

    std::unique_ptr<process> sim;
    std::unique_ptr<process> gateway;
    std::string workdir;  ///< a fresh temp folder for logs and certificates
    bool sim_tls = false;  ///< the simulator serves TLS (its control API too)

    unsigned short sim_port() const { return sim->port(); }
    unsigned short gw_port() const { return gateway->port(); }
    void start_gateway(std::vector<std::string> flags, const std::string& upstream_url);

    /// Creates a job in the demo project through the simulator's control API.
    std::string create_job(const std::string& state, bool is_protected = false);
    void set_faults(const std::string& json);
    boost::json::value stats();
    void reset_stats();
    /// GET .../job-executions/{id}/cancel through the gateway.
    reply cancel(const std::string& id, const std::string& token = demo_token);
    std::string cancel_path(const std::string& id) const;
};

std::string make_temp_dir();
std::string sim_binary();
std::string gateway_binary();

}  // namespace sgw::it
