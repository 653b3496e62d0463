// AK/SK credentials: the file and the environment, the checks, errors that quote no secret,
// reloads that keep the old keys on failure, and signing while another thread reloads.
#include "gateway/credentials.hpp"
#include "gateway/upstream/aksk_signer.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace sgw;
namespace fs = std::filesystem;
namespace http = boost::beast::http;

namespace {

// Values that must never appear in an error.
const std::string ak = "HPUAEXAMPLEAK0000001";
const std::string sk = "sEcReT0example0secret0key0value0000000042";
const std::string token = "gQpjbi1ub3J0aC00example0token0value";

struct temp_dir {
    fs::path path;
    temp_dir() {
        std::string tmpl = (fs::temp_directory_path() / "sgw-credentials-XXXXXX").string();
        BOOST_REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        path = tmpl;
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    // Writes `text` to `name` with `mode`, returns the path.
    std::string write(const std::string& name, const std::string& text, fs::perms mode = fs::perms::owner_read |
                                                                                         fs::perms::owner_write) {
        const auto p = path / name;
        {
            std::ofstream out(p, std::ios::binary | std::ios::trunc);
            out << text;
        }
        fs::permissions(p, mode);
        return p.string();
    }
};

std::string keys_file(const std::string& a, const std::string& s, const std::string& t = "") {
    std::string text = "# test keys\naccess_key = \"" + a + "\"\nsecret_key = \"" + s + "\"\n";
    if (!t.empty()) text += "security_token = \"" + t + "\"\n";
    return text;
}

credentials_source file_source(const std::string& path) {
    return {credentials_source::kind::file, path};
}

void require_no_secret(const std::string& error) {
    BOOST_TEST_CONTEXT("error: " << error) {
        BOOST_TEST(!error.empty());
        BOOST_TEST(error.find(sk) == std::string::npos);
        BOOST_TEST(error.find(ak) == std::string::npos);
        BOOST_TEST(error.find(token) == std::string::npos);
        // Not even a part of one.
        BOOST_TEST(error.find(sk.substr(0, 8)) == std::string::npos);
        BOOST_TEST(error.find(sk.substr(sk.size() - 8)) == std::string::npos);
        BOOST_TEST(error.find(token.substr(0, 8)) == std::string::npos);
    }
}

// Sets or unsets an environment variable for the life of the object.
class env_var {
public:
    env_var(std::string_view name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name_.c_str())) old_ = old;
        if (value)
            ::setenv(name_.c_str(), value, 1);
        else
            ::unsetenv(name_.c_str());
    }
    ~env_var() {
        if (old_)
            ::setenv(name_.c_str(), old_->c_str(), 1);
        else
            ::unsetenv(name_.c_str());
    }
    env_var(const env_var&) = delete;
    env_var& operator=(const env_var&) = delete;

private:
    std::string name_;
    std::optional<std::string> old_;
};

constexpr auto rw_owner = fs::perms::owner_read | fs::perms::owner_write;

}  // namespace

BOOST_AUTO_TEST_SUITE(credentials)

BOOST_AUTO_TEST_CASE(file_with_permanent_and_temporary_keys) {
    temp_dir d;
    auto r = load_credentials(file_source(d.write("keys.toml", keys_file(ak, sk))));
    BOOST_REQUIRE_MESSAGE(r, r.error());
    BOOST_TEST(r->access_key == ak);
    BOOST_TEST(r->secret_key == sk);
    BOOST_TEST(r->security_token.empty());

    auto t = load_credentials(
        file_source(d.write("tmp.toml", keys_file(ak, sk, token), rw_owner | fs::perms::group_read)));
    BOOST_REQUIRE_MESSAGE(t, t.error());
    BOOST_TEST(t->security_token == token);

    // An empty token means permanent keys.
    auto e = load_credentials(file_source(d.write("empty-token.toml", keys_file(ak, sk) + "security_token = \"\"\n")));
    BOOST_REQUIRE_MESSAGE(e, e.error());
    BOOST_TEST(e->security_token.empty());
}

BOOST_AUTO_TEST_CASE(file_permissions) {
    temp_dir d;
    const auto text = keys_file(ak, sk);
    struct {
        fs::perms mode;
        bool accepted;
        std::string_view says;
    } cases[] = {
        {rw_owner, true, ""},
        {fs::perms::owner_read, true, ""},
        {rw_owner | fs::perms::group_read, true, ""},
        {rw_owner | fs::perms::others_read, false, "others may access it (mode 0604)"},
        {rw_owner | fs::perms::group_read | fs::perms::others_read, false, "others may access it (mode 0644)"},
        {rw_owner | fs::perms::others_exec, false, "others may access it"},
        {rw_owner | fs::perms::group_read | fs::perms::group_write, false, "its group may write it (mode 0660)"},
    };
    int n = 0;
    for (const auto& c : cases) {
        const auto path = d.write("keys" + std::to_string(n++) + ".toml", text, c.mode);
        auto r = load_credentials(file_source(path));
        BOOST_TEST_CONTEXT("mode " << static_cast<unsigned>(c.mode)) {
            BOOST_TEST(static_cast<bool>(r) == c.accepted);
            if (!c.accepted) {
                BOOST_TEST(r.error().find(path) != std::string::npos);
                BOOST_TEST(r.error().find(c.says) != std::string::npos, r.error());
                require_no_secret(r.error());
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(file_errors_name_the_file_and_the_fault) {
    temp_dir d;
    struct {
        std::string name;
        std::string text;
        std::string says;
    } cases[] = {
        {"no-secret.toml", "access_key = \"" + ak + "\"\n", "secret_key is missing"},
        {"no-access.toml", "secret_key = \"" + sk + "\"\n", "access_key is missing"},
        {"unknown.toml", keys_file(ak, sk) + "\nregion = \"" + sk + "\"\n", "line 5: unknown key"},
        {"pasted.toml", keys_file(ak, sk) + sk + " = \"x\"\n", "line 4: unknown key"},
        {"table.toml", "[keys]\naccess_key = \"" + ak + "\"\nsecret_key = \"" + sk + "\"\n", "line 1: unknown key"},
        {"number.toml", "access_key = \"" + ak + "\"\nsecret_key = 12345\n", "secret_key must be a string"},
        {"syntax.toml", "access_key = \"" + ak + "\"\nsecret_key = \"" + sk + "\n", "not valid TOML at line 2"},
        {"syntax2.toml", "access_key = " + ak + "\nsecret_key = \"" + sk + "\"\n", "not valid TOML at line 1"},
        {"yaml.toml", "access_key: " + ak + "\nsecret_key: " + sk + "\n", "not valid TOML at line 1"},
        {"space.toml", keys_file(ak, sk + " "), "secret_key has white space at its start or end"},
        {"newline.toml", "access_key = \"" + ak + "\"\nsecret_key = \"" + sk + "\\n\"\n",
         "secret_key has white space at its start or end"},
        {"inner.toml", keys_file(ak, sk.substr(0, 10) + " " + sk.substr(10)), "secret_key has a character that is not visible ASCII"},
        {"utf8.toml", keys_file(ak, sk + "é"), "secret_key has a character that is not visible ASCII"},
        {"comma.toml", keys_file(ak + ",x", sk), "access_key contains a comma"},
        {"empty-ak.toml", keys_file("", sk), "access_key is empty"},
        {"long-sk.toml", keys_file(ak, std::string(300, 'k')), "secret_key is longer than 256 bytes"},
        {"token-ctl.toml", keys_file(ak, sk, token + "\\u0007"), "security_token has a character that is not visible ASCII"},
        {"big.toml", keys_file(ak, sk) + "# " + std::string(70'000, 'x') + "\n", "is larger than 64 KiB"},
    };
    for (const auto& c : cases) {
        const auto path = d.write(c.name, c.text);
        auto r = load_credentials(file_source(path));
        BOOST_TEST_CONTEXT(c.name) {
            BOOST_TEST(!r);
            if (!r) {
                BOOST_TEST(r.error().starts_with("credentials file " + path + ": "), r.error());
                BOOST_TEST(r.error().find(c.says) != std::string::npos, r.error());
                require_no_secret(r.error());
            }
        }
    }

    auto missing = load_credentials(file_source((d.path / "absent.toml").string()));
    BOOST_REQUIRE(!missing);
    BOOST_TEST(missing.error() == "credentials file " + (d.path / "absent.toml").string() +
                                      ": cannot open: No such file or directory");
    auto dir = load_credentials(file_source(d.path.string()));
    BOOST_REQUIRE(!dir);
    BOOST_TEST(dir.error().ends_with(": is not a regular file"));
    auto none = load_credentials(file_source(""));
    BOOST_TEST(!none);
}

BOOST_AUTO_TEST_CASE(environment) {
    const credentials_source env{credentials_source::kind::env, ""};
    {
        env_var a(env_access_key, ak.c_str()), s(env_secret_key, sk.c_str()), t(env_security_token, nullptr);
        auto r = load_credentials(env);
        BOOST_REQUIRE_MESSAGE(r, r.error());
        BOOST_TEST(r->access_key == ak);
        BOOST_TEST(r->secret_key == sk);
        BOOST_TEST(r->security_token.empty());
    }
    {
        env_var a(env_access_key, ak.c_str()), s(env_secret_key, sk.c_str()), t(env_security_token, token.c_str());
        auto r = load_credentials(env);
        BOOST_REQUIRE_MESSAGE(r, r.error());
        BOOST_TEST(r->security_token == token);
    }
    {
        // Set but empty, as `export HUAWEICLOUD_SDK_SECURITY_TOKEN=` leaves it: permanent keys.
        env_var a(env_access_key, ak.c_str()), s(env_secret_key, sk.c_str()), t(env_security_token, "");
        auto r = load_credentials(env);
        BOOST_REQUIRE_MESSAGE(r, r.error());
        BOOST_TEST(r->security_token.empty());
    }
    const std::string sk_newline = sk + "\n";  // `export HUAWEICLOUD_SDK_SK="$(cat file)"` keeps no newline, `read` might
    const std::string token_space = token + " x";
    struct {
        const char* a;
        const char* s;
        const char* t;
        std::string says;
    } cases[] = {
        {nullptr, sk.c_str(), nullptr, "environment variable HUAWEICLOUD_SDK_AK is not set"},
        {ak.c_str(), nullptr, nullptr, "environment variable HUAWEICLOUD_SDK_SK is not set"},
        {"", sk.c_str(), nullptr, "environment variable HUAWEICLOUD_SDK_AK is empty"},
        {ak.c_str(), sk_newline.c_str(), nullptr, "environment variable HUAWEICLOUD_SDK_SK has white space at its start or end"},
        {ak.c_str(), sk.c_str(), token_space.c_str(),
         "environment variable HUAWEICLOUD_SDK_SECURITY_TOKEN has a character that is not visible ASCII"},
    };
    for (const auto& c : cases) {
        env_var a(env_access_key, c.a), s(env_secret_key, c.s), t(env_security_token, c.t);
        auto r = load_credentials(env);
        BOOST_TEST_CONTEXT(c.says) {
            BOOST_REQUIRE(!r);
            BOOST_TEST(r.error().starts_with(c.says), r.error());
            require_no_secret(r.error());
        }
    }
}

BOOST_AUTO_TEST_CASE(reload_swaps_or_keeps) {
    temp_dir d;
    const auto path = d.write("keys.toml", keys_file("AK1", "SK1"));
    auto first = load_credentials(file_source(path));
    BOOST_REQUIRE_MESSAGE(first, first.error());
    credentials_holder holder(file_source(path), std::move(*first));
    auto held = holder.current();
    BOOST_TEST(held->access_key == "AK1");

    d.write("keys.toml", keys_file("AK2", "SK2", "T2"));
    BOOST_TEST(!holder.reload().has_value());
    BOOST_TEST(holder.current()->access_key == "AK2");
    BOOST_TEST(holder.current()->secret_key == "SK2");
    BOOST_TEST(holder.current()->security_token == "T2");
    // A set taken before the reload stays whole while it is held.
    BOOST_TEST(held->access_key == "AK1");
    BOOST_TEST(held->secret_key == "SK1");

    // A broken file, a loose mode, a missing file: the error comes back, the keys stay.
    d.write("keys.toml", "access_key = \"AK3\"\nsecret_key = \"" + sk + "\n");
    auto e1 = holder.reload();
    BOOST_REQUIRE(e1.has_value());
    BOOST_TEST(e1->find("not valid TOML") != std::string::npos);
    require_no_secret(*e1);
    BOOST_TEST(holder.current()->access_key == "AK2");

    d.write("keys.toml", keys_file("AK3", sk), rw_owner | fs::perms::others_read);
    auto e2 = holder.reload();
    BOOST_REQUIRE(e2.has_value());
    BOOST_TEST(e2->find("others may access it") != std::string::npos);
    BOOST_TEST(holder.current()->secret_key == "SK2");

    fs::remove(path);
    auto e3 = holder.reload();
    BOOST_REQUIRE(e3.has_value());
    BOOST_TEST(e3->find("cannot open") != std::string::npos);
    BOOST_TEST(holder.current()->access_key == "AK2");

    d.write("keys.toml", keys_file("AK4", "SK4"));
    BOOST_TEST(!holder.reload().has_value());
    BOOST_TEST(holder.current()->access_key == "AK4");
    BOOST_TEST(holder.current()->security_token.empty());
}

BOOST_AUTO_TEST_CASE(signer_uses_the_current_keys) {
    temp_dir d;
    const auto path = d.write("keys.toml", keys_file("AK1", "SK1"));
    auto first = load_credentials(file_source(path));
    BOOST_REQUIRE(first);
    auto holder = std::make_shared<credentials_holder>(file_source(path), std::move(*first));
    upstream::aksk_signer signer(holder);

    upstream::request req{http::verb::get, "/v1.1/p1/job-exes/j1", 11};
    req.set(http::field::host, "mrs.example.com");
    const auto before = std::chrono::system_clock::now();
    signer.sign(req);
    const auto after = std::chrono::system_clock::now();
    const std::string date(req["X-Sdk-Date"]);
    BOOST_TEST((date == aksk::sdk_date(before) || date == aksk::sdk_date(after)), date);
    const std::string auth(req[http::field::authorization]);
    BOOST_TEST(auth.starts_with("SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;x-sdk-date, Signature="));
    // The same as the algorithm gives for that date and those keys.
    auto copy = req;
    BOOST_TEST(aksk::sign_request(copy, {"AK1", "SK1", ""}, {}).authorization == auth);

    d.write("keys.toml", keys_file("AK2", "SK2", "T2"));
    BOOST_REQUIRE(!holder->reload().has_value());
    signer.sign(req);
    BOOST_TEST(std::string(req[http::field::authorization]).starts_with("SDK-HMAC-SHA256 Access=AK2, "));
    BOOST_TEST(req["X-Security-Token"] == "T2");
}

// Several threads sign while one reloads: each request is signed wholly with one set.
BOOST_AUTO_TEST_CASE(signing_while_reloading) {
    temp_dir d;
    const std::map<std::string, aksk::credentials> sets{{"AKA", {"AKA", "SKA", ""}}, {"AKB", {"AKB", "SKB", "TB"}}};
    const auto path = d.write("keys.toml", keys_file("AKA", "SKA"));
    auto first = load_credentials(file_source(path));
    BOOST_REQUIRE(first);
    auto holder = std::make_shared<credentials_holder>(file_source(path), std::move(*first));
    upstream::aksk_signer signer(holder);

    std::atomic<bool> stop{false};
    std::atomic<int> bad{0}, signed_count{0};
    std::vector<std::thread> workers;
    for (int w = 0; w < 3; ++w) {
        workers.emplace_back([&, w] {
            for (int i = 0; !stop.load() || i < 50; ++i) {
                upstream::request req{http::verb::post, "/v2/p/clusters/c/job-executions?n=" + std::to_string(i), 11};
                req.set(http::field::host, "mrs.example.com");
                req.set(http::field::content_type, "application/json");
                req.body() = "{\"w\":" + std::to_string(w) + "}";
                signer.sign(req);
                const std::string auth(req[http::field::authorization]);
                const auto access = auth.substr(auth.find("Access=") + 7, 3);
                const auto it = sets.find(access);
                auto check = req;
                if (it == sets.end() ||
                    aksk::sign_request(check, it->second, {}).authorization != auth ||
                    req["X-Security-Token"] != it->second.security_token)
                    ++bad;
                ++signed_count;
                if (i > 100000) break;
            }
        });
    }
    std::vector<std::string> errors;
    for (int r = 0; r < 200; ++r) {
        d.write("keys.toml", r % 2 ? keys_file("AKA", "SKA") : keys_file("AKB", "SKB", "TB"));
        if (auto e = holder->reload()) errors.push_back(*e);
    }
    stop = true;
    for (auto& t : workers) t.join();
    BOOST_TEST(errors.empty());
    BOOST_TEST(bad.load() == 0);
    BOOST_TEST(signed_count.load() >= 150);
}

BOOST_AUTO_TEST_SUITE_END()
