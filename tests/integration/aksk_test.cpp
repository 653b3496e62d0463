// AK/SK signing end to end (docs/api-coverage.md, "Signed calls"): the gateway signs every MRS
// call with its own key and still validates each client's token; MRS refusing the signature
// is the gateway's fault (502), not the client's; SIGHUP reloads the keys; no key, secret or
// token ever reaches the gateway's log.
#include "checks.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <csignal>
#include <map>
#include <memory>
#include <mutex>
#include <fcntl.h>
#include <fstream>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace sgw::it;
using namespace std::chrono_literals;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

const std::string access_key = "IT2AKSKTESTACCESSKEY";
const std::string secret_key = "it2-Secret-9f8e7d6c5b4a39281706-sk";
const std::string wrong_secret = "it2-Wrong-0a1b2c3d4e5f60718293-sk";
const std::string security_token = "it2-security-token-5e4d3c2b1a0998877665";
const std::string jobs_path = "/v1.1/" + demo_project + "/job-executions";

std::string sim_url(stack& s) { return "http://127.0.0.1:" + std::to_string(s.sim_port()); }

void write_file(const std::string& path, const std::string& text, mode_t mode) {
    {
        std::ofstream f(path, std::ios::trunc);
        f << text;
    }
    BOOST_TEST_REQUIRE(::chmod(path.c_str(), mode) == 0);
}

std::string keys_toml(const std::string& sk, const std::string& token = {}) {
    std::string text = "access_key = \"" + access_key + "\"\nsecret_key = \"" + sk + "\"\n";
    if (!token.empty()) text += "security_token = \"" + token + "\"\n";
    return text;
}

std::vector<std::string> aksk_flags(stack& s, const std::string& keys_file, const std::string& backend) {
    return {"--backend", backend, "--auth-mode", "aksk", "--auth-credentials-file", keys_file,
            "--identity-url", sim_url(s) + "/v3"};
}

// The simulator with the gateway's key for the demo project, and the gateway signing with the
// key file (written with `sk` first).
struct signed_stack {
    stack s;
    std::string keys_file;

    explicit signed_stack(const std::string& backend, const std::string& sk = secret_key, const std::string& token = {})
        : s({"--aksk", access_key + ":" + secret_key + ":" + demo_project + (token.empty() ? "" : ":" + token)}) {
        keys_file = s.workdir + "/keys.toml";
        write_file(keys_file, keys_toml(sk, token), 0600);
        s.start_gateway(aksk_flags(s, keys_file, backend), sim_url(s));
    }
};

struct tally {
    long long mrs = 0, identity = 0, signed_ok = 0, failures = 0;
};

tally measure(stack& s) {
    auto st = s.stats();
    tally t;
    t.identity = st.at("by_endpoint").at("identity").as_int64();
    t.mrs = st.at("requests").as_int64() - t.identity;
    t.signed_ok = st.at("signed_requests").as_int64();
    t.failures = st.at("signature_failures").as_int64();
    return t;
}

// No secret and no token anywhere in the gateway's log.
void check_log_clean(stack& s) {
    const auto log = s.gateway->stderr_text();
    BOOST_TEST(!log.empty());
    for (const auto& secret : {secret_key, wrong_secret, security_token, demo_token, other_token, std::string("forged-token")})
        BOOST_TEST(log.find(secret) == std::string::npos, "the gateway log holds " << secret);
}

struct exit_result {
    int status = -1;
    std::string out, err;
};

// Runs the gateway to its exit (at most 10 s) with this environment.
exit_result run_gateway(const std::vector<std::string>& flags, const std::vector<std::string>& env,
                        const std::string& dir) {
    std::vector<std::string> argv = {gateway_binary()};
    argv.insert(argv.end(), flags.begin(), flags.end());
    const std::string out_path = dir + "/check.out", err_path = dir + "/check.err";
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<char*> args, envp;
    std::vector<std::string> env_copy = env;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    for (auto& e : env_copy) envp.push_back(e.data());
    envp.push_back(nullptr);
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, args[0], &fa, nullptr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    exit_result r;
    if (rc != 0) return r;
    const auto until = std::chrono::steady_clock::now() + 10s;
    for (;;) {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            break;
        }
        if (std::chrono::steady_clock::now() >= until) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
            break;
        }
        std::this_thread::sleep_for(10ms);
    }
    auto slurp = [](const std::string& p) {
        std::ifstream f(p);
        std::stringstream ss;
        ss << f.rdbuf();
        return ss.str();
    };
    r.out = slurp(out_path);
    r.err = slurp(err_path);
    return r;
}

// An upstream that records each request's headers and answers every one as MRS answers an
// unknown job (400 0176), so that the headers the gateway sends to MRS can be read.
class recording_upstream {
public:
    using headers = std::map<std::string, std::string>;

    recording_upstream() : shared_(std::make_shared<shared>()) {
        namespace net = boost::asio;
        acceptor_.open(net::ip::tcp::v4());
        acceptor_.bind({net::ip::make_address("127.0.0.1"), 0});
        acceptor_.listen();
        port_ = acceptor_.local_endpoint().port();
        thread_ = std::thread([this] {
            for (;;) {
                boost::system::error_code ec;
                net::ip::tcp::socket sock(shared_->ioc);
                acceptor_.accept(sock, ec);
                if (ec) return;
                std::thread(serve, std::move(sock), shared_).detach();
            }
        });
    }
    ~recording_upstream() {
        // shutdown(2) wakes the blocked accept (it fails with EINVAL); the acceptor is closed
        // only once its thread has ended, so no two threads touch it at once.
        ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
        thread_.join();
        boost::system::error_code ec;
        acceptor_.close(ec);
    }
    unsigned short port() const { return port_; }
    std::vector<headers> requests() const {
        std::lock_guard lock(shared_->mutex);
        return shared_->seen;
    }

private:
    // Owned by the connection threads too (detached): the io_context outlives their sockets.
    struct shared {
        boost::asio::io_context ioc;
        mutable std::mutex mutex;
        std::vector<headers> seen;
    };
    static void serve(boost::asio::ip::tcp::socket sock, std::shared_ptr<shared> state) {
        namespace beast = boost::beast;
        timeval tv{5, 0};  // every wait bounded: an idle keep-alive connection ends after 5 s
        ::setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        beast::flat_buffer buf;
        for (;;) {
            beast::http::request<beast::http::string_body> req;
            boost::system::error_code ec;
            beast::http::read(sock, buf, req, ec);
            if (ec) return;
            headers h;
            for (auto& f : req) h[std::string(f.name_string())] = std::string(f.value());
            h[":target"] = std::string(req.target());
            {
                std::lock_guard lock(state->mutex);
                state->seen.push_back(std::move(h));
            }
            beast::http::response<beast::http::string_body> res{beast::http::status::bad_request, 11};
            res.set(beast::http::field::content_type, "application/json;charset=UTF-8");
            res.body() = R"({"error_code":"0176","error_msg":"The job does not exist."})";
            res.keep_alive(req.keep_alive());
            res.prepare_payload();
            beast::http::write(sock, res, ec);
            if (ec || !req.keep_alive()) return;
        }
    }

    std::shared_ptr<shared> shared_;
    boost::asio::ip::tcp::acceptor acceptor_{shared_->ioc};
    unsigned short port_ = 0;
    std::thread thread_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(aksk)

BOOST_AUTO_TEST_CASE(show_list_cancel_are_signed_on_both_backends) {
    for (const std::string backend : {"mrs-v1.1", "mrs-v2"}) {
        BOOST_TEST_CONTEXT("backend " << backend) {
            signed_stack ss(backend);
            auto& s = ss.s;
            client c(s.gw_port());
            const std::vector<std::pair<std::string, std::string>> auth = {{"X-Auth-Token", demo_token}};
            const bool v2 = backend == "mrs-v2";
            const std::string done_id = v2 ? "d1000000-0000-4000-8000-000000000003" : "a1000000-0000-4000-8000-000000000004";
            std::string running_id;
            {
                json::object body{{"state", "running"}};
                if (v2) body["api"] = "v2";
                auto r = http_post(s.sim_port(), "/_sim/jobs", json::serialize(body));
                BOOST_TEST_REQUIRE(r.status == 201u, r.body);
                running_id = std::string(r.json().at("id").as_string());
            }
            s.reset_stats();

            auto shown = c.request(http::verb::get, jobs_path + "/" + done_id, auth);
            BOOST_TEST_REQUIRE(shown.status == 200u, shown.body);
            BOOST_TEST(shown.json().at("job_execution").at("info").at("status").as_string() == "SUCCEEDED");
            auto listed = c.request(http::verb::get, jobs_path + "?status=running", auth);
            BOOST_TEST_REQUIRE(listed.status == 200u, listed.body);
            bool listed_running = false;
            const auto rows = listed.json();
            for (auto& row : rows.at("job_executions").as_array()) {
                BOOST_TEST(row.at("info").at("status").as_string() == "RUNNING");
                listed_running = listed_running || row.at("id").as_string() == running_id;
            }
            BOOST_TEST(listed_running);
            BOOST_TEST(check_cancelled(s.cancel(running_id), running_id) == "TOBEKILLED");
            // The project-less v2 URL is served too.
            auto v2_show = c.request(http::verb::get, "/v2/jobs/" + done_id, auth);
            BOOST_TEST(v2_show.status == 200u, v2_show.body);

            const auto t = measure(s);
            BOOST_TEST_MESSAGE(backend << ": " << t.mrs << " MRS requests, " << t.signed_ok << " signed, " << t.failures
                                       << " signature failures, " << t.identity << " identity calls");
            BOOST_TEST(t.mrs > 0);
            BOOST_TEST(t.signed_ok == t.mrs);  // every MRS call carried a good signature
            BOOST_TEST(t.failures == 0);
            BOOST_TEST((t.identity >= 1 && t.identity <= 2));  // the token, validated once per worker at most
            check_log_clean(s);
        }
    }
}

BOOST_AUTO_TEST_CASE(a_temporary_key_sends_its_security_token) {
    signed_stack ss("mrs-v2", secret_key, security_token);
    auto& s = ss.s;
    s.reset_stats();
    auto r = http_get(s.gw_port(), jobs_path + "/d1000000-0000-4000-8000-000000000008", demo_token);
    BOOST_TEST(r.status == 200u, r.body);
    const auto t = measure(s);
    BOOST_TEST(t.mrs > 0);
    BOOST_TEST(t.signed_ok == t.mrs);
    BOOST_TEST(t.failures == 0);
    check_log_clean(s);
}

BOOST_AUTO_TEST_CASE(client_tokens_are_still_checked) {
    signed_stack ss("mrs-v2");
    auto& s = ss.s;
    const std::string path = jobs_path + "/d1000000-0000-4000-8000-000000000001";
    s.reset_stats();
    // A valid token of another project, on this project's URL.
    check_error(http_get(s.gw_port(), path, other_token), 401, "UNAUTHORIZED");
    // A token the identity endpoint refuses; no token at all.
    check_error(http_get(s.gw_port(), path, "forged-token"), 401, "UNAUTHORIZED");
    check_error(http_get(s.gw_port(), path, ""), 401, "UNAUTHORIZED");
    check_error(http_get(s.gw_port(), "/v2/jobs", "forged-token"), 401, "UNAUTHORIZED");
    const auto t = measure(s);
    BOOST_TEST(t.mrs == 0);  // MRS never called with the gateway's key for them
    BOOST_TEST(t.identity >= 2);
    check_log_clean(s);
}

BOOST_AUTO_TEST_CASE(mrs_refusing_the_signature_is_502) {
    {
        signed_stack ss("mrs-v2", wrong_secret);
        auto& s = ss.s;
        s.reset_stats();
        check_error(http_get(s.gw_port(), jobs_path + "/d1000000-0000-4000-8000-000000000001", demo_token), 502,
                    "BAD_GATEWAY");
        check_error(http_get(s.gw_port(), jobs_path + "?limit=5", demo_token), 502, "BAD_GATEWAY");
        const auto t = measure(s);
        BOOST_TEST(t.failures >= 1);
        BOOST_TEST(t.signed_ok == 0);
        check_log_clean(s);
    }
    {
        // The right key, a clock an hour off: APIGW.0303.
        signed_stack ss("mrs-v1.1");
        auto& s = ss.s;
        BOOST_TEST(http_get(s.gw_port(), jobs_path + "/a1000000-0000-4000-8000-000000000004", demo_token).status == 200u);
        BOOST_TEST_REQUIRE(http_post(s.sim_port(), "/_sim/clock", R"({"offset_s": 3600})").status == 200u);
        s.reset_stats();
        check_error(http_get(s.gw_port(), jobs_path + "/a1000000-0000-4000-8000-000000000004", demo_token), 502,
                    "BAD_GATEWAY");
        BOOST_TEST(measure(s).failures >= 1);
        BOOST_TEST_REQUIRE(http_post(s.sim_port(), "/_sim/clock", R"({"offset_s": 0})").status == 200u);
        BOOST_TEST(http_get(s.gw_port(), jobs_path + "/a1000000-0000-4000-8000-000000000004", demo_token).status == 200u);
        check_log_clean(s);
    }
}

BOOST_AUTO_TEST_CASE(sighup_reloads_the_keys_and_keeps_them_on_failure) {
    signed_stack ss("mrs-v2", wrong_secret);
    auto& s = ss.s;
    const std::string path = jobs_path + "/d1000000-0000-4000-8000-000000000004";
    check_error(http_get(s.gw_port(), path, demo_token), 502, "BAD_GATEWAY");

    // The right secret, then SIGHUP: the next call is signed with it.
    write_file(ss.keys_file, keys_toml(secret_key), 0600);
    const auto reloads_before = count_of(s.gateway->stderr_text(), "\"reloaded\"");
    s.gateway->signal(SIGHUP);
    BOOST_TEST_REQUIRE(wait_for_log(*s.gateway, "\"reloaded\"", reloads_before + 1));
    s.reset_stats();
    auto ok = http_get(s.gw_port(), path, demo_token);
    BOOST_TEST(ok.status == 200u, ok.body);
    BOOST_TEST(measure(s).failures == 0);

    // Broken files (bad TOML quoting the secret; then a good file others may read): a warning,
    // and the keys in force stay.
    const std::pair<std::string, mode_t> broken[] = {
        {"access_key = \"" + access_key + "\"\nsecret_key = \"" + secret_key + "\n", 0600},
        {keys_toml(wrong_secret), 0644},
    };
    std::size_t warnings = 0;
    for (const auto& [text, mode] : broken) {
        write_file(ss.keys_file, text, mode);
        s.gateway->signal(SIGHUP);
        BOOST_TEST_REQUIRE(wait_for_log(*s.gateway, "configuration not reloaded", ++warnings));
        auto still = http_get(s.gw_port(), path, demo_token);
        BOOST_TEST(still.status == 200u, still.body);
    }
    const auto log = s.gateway->stderr_text();
    BOOST_TEST(log.find("\"level\":\"warn\"") != std::string::npos);
    BOOST_TEST(log.find("not valid TOML") != std::string::npos);
    BOOST_TEST(log.find("0644") != std::string::npos);
    BOOST_TEST(s.gateway->wait(0ms) == -1);  // still running
    check_log_clean(s);
}

BOOST_AUTO_TEST_CASE(check_config_refuses_unusable_key_files) {
    const auto dir = make_temp_dir();
    const std::vector<std::string> base = {"--check-config", "--upstream", "http://127.0.0.1:9", "--auth-mode", "aksk",
                                           "--identity-url", "http://127.0.0.1:9/v3"};
    auto with = [&](std::vector<std::string> more) {
        auto f = base;
        f.insert(f.end(), more.begin(), more.end());
        return f;
    };
    const std::vector<std::string> no_env = {"PATH=/usr/bin:/bin"};

    // A good file: valid.
    write_file(dir + "/good.toml", keys_toml(secret_key), 0640);
    auto good = run_gateway(with({"--auth-credentials-file", dir + "/good.toml"}), no_env, dir);
    BOOST_TEST(good.status == 0, good.err);

    struct bad_case {
        std::string what, file;
        std::vector<std::string> words;  ///< what the message must name
    };
    write_file(dir + "/world.toml", keys_toml(secret_key), 0644);
    write_file(dir + "/group-writable.toml", keys_toml(secret_key), 0660);
    ::mkdir((dir + "/a-directory").c_str(), 0700);
    // Mistakes next to the secret: the messages give the position, never the text.
    write_file(dir + "/typo.toml", "access_key = \"" + access_key + "\"\nsecret_kye = \"" + secret_key + "\"\n", 0600);
    write_file(dir + "/unterminated.toml", "access_key = \"" + access_key + "\"\nsecret_key = \"" + secret_key + "\n", 0600);
    write_file(dir + "/no-secret.toml", "access_key = \"" + access_key + "\"\n", 0600);
    const bad_case cases[] = {
        {"world-readable", dir + "/world.toml", {"world.toml", "0644", "others may access"}},
        {"group-writable", dir + "/group-writable.toml", {"group-writable.toml", "0660"}},
        {"missing", dir + "/missing.toml", {"missing.toml", "cannot open"}},
        {"a directory", dir + "/a-directory", {"a-directory", "not a regular file"}},
        {"a misspelt key", dir + "/typo.toml", {"typo.toml", "line 2", "unknown key"}},
        {"bad TOML", dir + "/unterminated.toml", {"unterminated.toml", "not valid TOML", "line 2"}},
        {"no secret", dir + "/no-secret.toml", {"no-secret.toml", "secret_key is missing"}},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.what) {
            auto r = run_gateway(with({"--auth-credentials-file", c.file}), no_env, dir);
            BOOST_TEST(r.status == 2);
            BOOST_TEST(r.out.find("configuration OK") == std::string::npos);
            for (const auto& w : c.words) BOOST_TEST(r.err.find(w) != std::string::npos, r.err);
            BOOST_TEST(r.err.find(secret_key) == std::string::npos);
            BOOST_TEST(r.out.find(secret_key) == std::string::npos);
        }
    }

    // Without a file the SDK's environment variables are read: missing is refused, set is fine.
    auto no_keys = run_gateway(base, no_env, dir);
    BOOST_TEST(no_keys.status == 2);
    BOOST_TEST(no_keys.err.find("HUAWEICLOUD_SDK_AK") != std::string::npos, no_keys.err);
    auto env_keys = run_gateway(base, {"PATH=/usr/bin:/bin", "HUAWEICLOUD_SDK_AK=" + access_key,
                                       "HUAWEICLOUD_SDK_SK=" + secret_key}, dir);
    BOOST_TEST(env_keys.status == 0, env_keys.err);
    // aksk without an identity endpoint is refused.
    auto no_identity = run_gateway({"--check-config", "--upstream", "http://127.0.0.1:9", "--auth-mode", "aksk",
                                    "--auth-credentials-file", dir + "/good.toml"},
                                   no_env, dir);
    BOOST_TEST(no_identity.status == 2);
    BOOST_TEST(no_identity.err.find("identity.url") != std::string::npos, no_identity.err);
    BOOST_TEST(no_identity.err.find(secret_key) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(mrs_sees_the_signature_and_never_the_client_token) {
    recording_upstream mrs;  // declared first: the gateway ends before it, closing its connections
    stack s;                 // the simulator answers the identity calls
    const std::string upstream = "http://127.0.0.1:" + std::to_string(mrs.port());
    const std::string path = jobs_path + "/a1000000-0000-4000-8000-000000000001";

    // Control: with passthrough, MRS gets the client's token (so the recorder sees headers).
    s.start_gateway({}, upstream);
    check_error(http_get(s.gw_port(), path, demo_token), 404, "NOT_FOUND");
    auto passthrough = mrs.requests();
    BOOST_TEST_REQUIRE(!passthrough.empty());
    BOOST_TEST(passthrough.front()["X-Auth-Token"] == demo_token);

    const std::string keys_file = s.workdir + "/keys.toml";
    write_file(keys_file, keys_toml(secret_key, security_token), 0600);
    s.start_gateway({"--auth-mode", "aksk", "--auth-credentials-file", keys_file, "--identity-url", sim_url(s) + "/v3"},
                    upstream);
    check_error(http_get(s.gw_port(), path, demo_token), 404, "NOT_FOUND");
    const auto all = mrs.requests();
    BOOST_TEST_REQUIRE(all.size() > passthrough.size());
    for (auto it = all.begin() + static_cast<std::ptrdiff_t>(passthrough.size()); it != all.end(); ++it) {
        auto h = *it;
        BOOST_TEST_CONTEXT(h[":target"]) {
            BOOST_TEST(h.count("X-Auth-Token") == 0u);
            BOOST_TEST(h["Authorization"].starts_with("SDK-HMAC-SHA256 Access=" + access_key + ", SignedHeaders="),
                       h["Authorization"]);
            BOOST_TEST(h["Authorization"].find("x-sdk-date") != std::string::npos);
            BOOST_TEST(h.count("X-Sdk-Date") == 1u);
            BOOST_TEST(h["X-Project-Id"] == demo_project);
            BOOST_TEST(h["X-Security-Token"] == security_token);
            for (auto& [name, value] : h) {
                BOOST_TEST(value.find(demo_token) == std::string::npos, name);
                BOOST_TEST(value.find(secret_key) == std::string::npos, name);
            }
        }
    }
    check_log_clean(s);
}

BOOST_AUTO_TEST_CASE(identity_down_is_503_without_calling_mrs) {
    signed_stack ss("mrs-v2");
    auto& s = ss.s;
    s.start_gateway({"--backend", "mrs-v2", "--auth-mode", "aksk", "--auth-credentials-file", ss.keys_file,
                     "--identity-url", "http://127.0.0.1:1/v3"},
                    sim_url(s));
    s.reset_stats();
    check_error(http_get(s.gw_port(), jobs_path + "/d1000000-0000-4000-8000-000000000001", demo_token), 503,
                "SERVICE_UNAVAILABLE");
    BOOST_TEST(s.stats().at("requests").as_int64() == 0);
    check_log_clean(s);
}

BOOST_AUTO_TEST_SUITE_END()
