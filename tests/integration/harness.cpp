// Integration harness: real processes on ephemeral loopback ports.
#include "harness.hpp"

#include <algorithm>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <optional>
#include <fstream>
#include <poll.h>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace sgw::it {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

// SGW_SIM_BIN in the environment names another build's simulator: the ThreadSanitizer stage
// tests the gateway, and runs it against the release build's simulator.
std::string sim_binary() {
    const char* other = std::getenv("SGW_SIM_BIN");
    return other && *other ? other : SGW_SIM_BIN;
}
std::string gateway_binary() { return SGW_GATEWAY_BIN; }

std::string make_temp_dir() {
    std::string tmpl = "/tmp/sgw-it-XXXXXX";
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    return tmpl;
}

process::process(std::vector<std::string> argv, std::string stderr_path) : stderr_path_(std::move(stderr_path)) {
    int out[2];
    if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, stderr_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    const int rc = ::posix_spawn(&pid_, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(out[1]);
    if (rc != 0) {
        ::close(out[0]);
        throw std::runtime_error("cannot start " + argv[0]);
    }
    // Read "listening HOST:PORT\n" within 10 s, and "admin listening HOST:PORT\n" after it when
    // the admin listener was asked for.
    const bool admin = std::find(argv.begin(), argv.end(), "--admin-listen") != argv.end();
    auto lines_in = [](const std::string& text) { return std::count(text.begin(), text.end(), '\n'); };
    std::string text;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (lines_in(text) < (admin ? 2 : 1) && std::chrono::steady_clock::now() < until) {
        pollfd pfd{out[0], POLLIN, 0};
        if (::poll(&pfd, 1, 100) <= 0) continue;
        char buf[256];
        auto n = ::read(out[0], buf, sizeof buf);
        if (n <= 0) break;
        text.append(buf, static_cast<std::size_t>(n));
    }
    ::close(out[0]);
    const std::string line = text.substr(0, text.find('\n'));
    auto colon = line.rfind(':');
    if (!line.starts_with("listening ") || colon == std::string::npos) {
        signal(SIGKILL);
        wait(std::chrono::seconds(5));
        throw std::runtime_error(argv[0] + " did not report its port; stderr: " + stderr_text());
    }
    port_ = static_cast<unsigned short>(std::stoi(line.substr(colon + 1)));
    if (admin) {
        const auto at = text.find("\nadmin listening ");
        const auto end = at == std::string::npos ? at : text.find('\n', at + 1);
        const auto admin_line = end == std::string::npos ? std::string() : text.substr(at + 1, end - at - 1);
        const auto admin_colon = admin_line.rfind(':');
        if (admin_colon == std::string::npos) {
            signal(SIGKILL);
            wait(std::chrono::seconds(5));
            throw std::runtime_error(argv[0] + " did not report its admin port; stderr: " + stderr_text());
        }
        admin_port_ = static_cast<unsigned short>(std::stoi(admin_line.substr(admin_colon + 1)));
    }
}

process::~process() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    // In a sanitizer build, a report in a child process fails the test that ran it, even when
    // no answer the test checked was affected.
    const auto text = stderr_text();
    if (const auto at = text.find("Sanitizer:"); at != std::string::npos) {
        const auto from = text.rfind('\n', at);
        BOOST_ERROR(stderr_path_ << " holds a sanitizer report:\n"
                                 << text.substr(from == std::string::npos ? 0 : from + 1, 4000));
    }
}

void process::signal(int sig) {
    if (pid_ > 0) ::kill(pid_, sig);
}

int process::wait(std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (pid_ > 0) {
        int status = 0;
        auto r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            pid_ = -1;
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        if (std::chrono::steady_clock::now() >= until) return -1;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1;
}

std::string process::stderr_text() const {
    std::ifstream f(stderr_path_);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

boost::json::value reply::json() const { return boost::json::parse(body); }

struct client::impl {
    net::io_context ioc;
    net::ssl::context tls_ctx{net::ssl::context::tls_client};
    std::optional<tcp::socket> plain;
    std::optional<net::ssl::stream<tcp::socket>> secure;
    beast::flat_buffer buffer;
    unsigned short port;
    bool tls;

    tcp::socket& socket() { return secure ? secure->next_layer() : *plain; }
    bool open() { return (secure || plain) && socket().is_open(); }

    void connect() {
        plain.reset();
        secure.reset();
        tcp::socket s(ioc);
        s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
        timeval tv{10, 0};
        ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(s.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (tls) {
            tls_ctx.set_verify_mode(net::ssl::verify_none);
            secure.emplace(std::move(s), tls_ctx);
            secure->handshake(net::ssl::stream_base::client);
        } else {
            plain.emplace(std::move(s));
        }
        buffer.clear();
    }
    template <class Stream>
    reply read_reply(Stream& stream) {
        http::response_parser<http::string_body> parser;
        parser.body_limit(16 * 1024 * 1024);
        http::read(stream, buffer, parser);
        auto res = parser.release();
        reply r;
        r.status = res.result_int();
        for (auto& f : res) r.headers.insert(f.name_string(), f.value());
        r.body = std::move(res.body());
        if (!res.keep_alive()) socket().close();
        return r;
    }
    template <class Message>
    reply exchange(const Message& msg) {
        if (!open()) connect();
        if (secure) {
            http::write(*secure, msg);
            return read_reply(*secure);
        }
        http::write(*plain, msg);
        return read_reply(*plain);
    }
};

client::client(unsigned short port, bool tls) : p_(std::make_unique<impl>()) {
    p_->port = port;
    p_->tls = tls;
    p_->connect();
}

client::~client() = default;

reply client::request(http::verb verb, const std::string& target,
                      const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body) {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1:" + std::to_string(p_->port));
    for (auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    return p_->exchange(req);
}

reply client::raw(const std::string& bytes) {
    if (!p_->open()) p_->connect();
    net::write(p_->socket(), net::buffer(bytes));
    return p_->read_reply(p_->socket());
}

reply http_get(unsigned short port, const std::string& target, const std::string& token, bool tls) {
    client c(port, tls);
    std::vector<std::pair<std::string, std::string>> h;
    if (!token.empty()) h.emplace_back("X-Auth-Token", token);
    return c.request(http::verb::get, target, h);
}

reply http_post(unsigned short port, const std::string& target, const std::string& json_body, bool tls) {
    client c(port, tls);
    return c.request(http::verb::post, target, {{"Content-Type", "application/json"}}, json_body);
}

stack::stack(std::vector<std::string> sim_flags, std::vector<std::string> gateway_flags) : workdir(make_temp_dir()) {
    std::vector<std::string> argv = {sim_binary(), "--listen", "127.0.0.1:0", "--seed-demo", "--kill-delay-ms", "300"};
    argv.insert(argv.end(), sim_flags.begin(), sim_flags.end());
    for (auto& f : sim_flags)
        if (f == "--tls-cert") sim_tls = true;
    sim = std::make_unique<process>(argv, workdir + "/sim.log");
    start_gateway(std::move(gateway_flags), "http://127.0.0.1:" + std::to_string(sim->port()));
}

void stack::start_gateway(std::vector<std::string> flags, const std::string& upstream_url) {
    gateway.reset();
    std::vector<std::string> argv = {gateway_binary(), "--listen", "127.0.0.1:0", "--threads", "2",
                                     "--upstream", upstream_url};
    argv.insert(argv.end(), flags.begin(), flags.end());
    gateway = std::make_unique<process>(argv, workdir + "/gateway.log");
}

std::string stack::create_job(const std::string& state, bool is_protected) {
    auto r = http_post(sim_port(), "/_sim/jobs",
                       std::string(R"({"state":")") + state + R"(","protected":)" + (is_protected ? "true" : "false") +
                           "}",
                       sim_tls);
    if (r.status != 201) throw std::runtime_error("cannot create a job: " + r.body);
    return std::string(r.json().at("id").as_string());
}

void stack::set_faults(const std::string& json) {
    auto r = http_post(sim_port(), "/_sim/faults", json, sim_tls);
    if (r.status / 100 != 2) throw std::runtime_error("faults refused: " + r.body);
}

boost::json::value stack::stats() { return http_get(sim_port(), "/_sim/stats", {}, sim_tls).json(); }

void stack::reset_stats() {
    auto r = http_post(sim_port(), "/_sim/stats/reset", "{}", sim_tls);
    if (r.status / 100 != 2) throw std::runtime_error("stats reset refused: " + r.body);
}

std::string stack::cancel_path(const std::string& id) const {
    return "/v1.1/" + demo_project + "/job-executions/" + id + "/cancel";
}

reply stack::cancel(const std::string& id, const std::string& token) {
    return http_get(gw_port(), cancel_path(id), token);
}

}  // namespace sgw::it
