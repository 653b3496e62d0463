// Configuration: TOML keys, flags, and refusal of anything unknown or invalid.
#include "gateway/config.hpp"

#include <boost/test/unit_test.hpp>

#include <fstream>

using namespace sgw;

namespace {
config_result load(std::vector<const char*> args) {
    args.insert(args.begin(), "sahara-gateway");
    return load_config(static_cast<int>(args.size()), args.data());
}
bool mentions(const std::vector<std::string>& errors, std::string_view text) {
    for (auto& e : errors)
        if (e.find(text) != std::string::npos) return true;
    return false;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(configuration)

BOOST_AUTO_TEST_CASE(toml_keys_are_applied) {
    config cfg;
    std::vector<std::string> errors;
    apply_toml(cfg, R"(
listen = "0.0.0.0:9999"
threads = 3
[upstream]
url = "https://mrs.example.com:8443/base/"
ca_file = ""
verify = false
allow_insecure = true
request_timeout_ms = 1234
idle_timeout_ms = 5000
[log]
level = "warn"
access = true
)", "test.toml", errors);
    BOOST_TEST(errors.empty());
    BOOST_TEST(cfg.listen.host == "0.0.0.0");
    BOOST_TEST(cfg.listen.port == 9999);
    BOOST_TEST(cfg.listen.threads == 3u);
    BOOST_TEST(cfg.upstream.url == "https://mrs.example.com:8443/base/");
    BOOST_TEST(!cfg.upstream.verify);
    BOOST_TEST(cfg.upstream.request_timeout.count() == 1234);
    BOOST_TEST(cfg.log.access);
    validate(cfg, errors);
    BOOST_TEST(errors.empty());
}

BOOST_AUTO_TEST_CASE(verification_off_must_be_meant) {
    config cfg;
    std::vector<std::string> errors;
    apply_toml(cfg, "[upstream]\nurl = \"https://a.example\"\nverify = false\n"
                    "[regions.two]\nurl = \"https://b.example\"\nprojects = [\"p2\"]\nverify = false\n",
               "t.toml", errors);
    BOOST_TEST(errors.empty());
    validate(cfg, errors);
    BOOST_TEST(mentions(errors, "upstream.verify: false needs upstream.allow_insecure"));
    BOOST_TEST(mentions(errors, "regions.two.verify: false needs upstream.allow_insecure"));
    errors.clear();
    cfg.upstream.allow_insecure = true;
    validate(cfg, errors);
    BOOST_TEST(errors.empty());
}

BOOST_AUTO_TEST_CASE(job_templates_are_read_and_checked) {
    config cfg;
    std::vector<std::string> errors;
    apply_toml(cfg, R"(
[upstream]
url = "https://mrs.eu-de.otc.t-systems.com"
[[job_templates]]
id = "b1000000-0000-4000-8000-000000000001"
name = "wordcount"
type = "MapReduce"
description = "counts words"
mains = [{id = "e1000000-0000-4000-8000-000000000009", name = "main.pig"}]
libs = [{id = "e1000000-0000-4000-8000-000000000001", name = "examples.jar"}, {id = "e2", name = "two.jar"}]
[[job_templates]]
id = "0C3E9D7A5B1F4C2A9E8D7F6A5B4C3D2E"
name = "report"
type = "DistCp"
)", "t.toml", errors);
    BOOST_TEST(errors.empty());
    validate(cfg, errors);
    BOOST_TEST(errors.empty());
    BOOST_TEST_REQUIRE(cfg.job_templates.size() == 2u);
    const auto& t = cfg.job_templates[0];
    BOOST_TEST(t.name == "wordcount");
    BOOST_TEST(t.description == "counts words");
    BOOST_TEST_REQUIRE(t.mains.size() == 1u);
    BOOST_TEST(t.mains[0].name == "main.pig");
    BOOST_TEST_REQUIRE(t.libs.size() == 2u);
    BOOST_TEST(t.libs[1].id == "e2");
    BOOST_TEST(cfg.job_templates[1].type == "DistCp");

    config bad;
    errors.clear();
    apply_toml(bad, R"(
[[job_templates]]
id = "wordcount"
name = "a"
type = "MapReduce"
color = "red"
libs = [{id = "x"}]
[[job_templates]]
id = "0c3e9d7a-5b1f-4c2a-9e8d-7f6a5b4c3d2e"
name = "a"
[[job_templates]]
id = "0c3e9d7a-5b1f-4c2a-9e8d-7f6a5b4c3d2e"
name = "b"
type = "Spark"
)", "t.toml", errors);
    BOOST_TEST(mentions(errors, "t.toml: job_templates[0].color: unknown key"));
    BOOST_TEST(mentions(errors, "job_templates[0].libs: expected {id"));
    validate(bad, errors);
    BOOST_TEST(mentions(errors, "job_templates[0].id: expected a UUID"));
    BOOST_TEST(mentions(errors, "job_templates[1].type: required"));
    BOOST_TEST(mentions(errors, "job_templates[1].name: the same as job_templates[0]"));
    BOOST_TEST(mentions(errors, "job_templates[2].id: the same as job_templates[1]"));
    errors.clear();
    apply_toml(bad, "job_templates = 3\n", "t.toml", errors);
    BOOST_TEST(mentions(errors, "job_templates: expected tables [[job_templates]]"));
}

BOOST_AUTO_TEST_CASE(regions_map_projects_to_endpoints) {
    config cfg;
    std::vector<std::string> errors;
    apply_toml(cfg, R"(
[upstream]
url = "https://mrs.eu-de.otc.t-systems.com"
ca_file = ""
max_connections = 4
[regions.eu-nl]
url = "https://mrs.eu-nl.example:8443"
identity_url = "https://iam.eu-nl.example/v3"
projects = ["p-nl-1", "p-nl-2"]
ca_file = "/nonexistent/ca.pem"
client_cert = "/etc/sgw/nl.pem"
[regions.ap]
url = "http://mrs.ap.example"
projects = ["p-ap"]
)", "t.toml", errors);
    cfg.upstream.client_cert = "/etc/sgw/de.crt";
    cfg.upstream.client_key = "/etc/sgw/de.key";
    BOOST_TEST(errors.empty());
    // Regions come in name order (TOML tables have none of their own); endpoint i+1 is region i.
    BOOST_TEST_REQUIRE(cfg.regions.size() == 2u);
    BOOST_TEST(cfg.regions[0].name == "ap");
    BOOST_TEST(cfg.regions[1].name == "eu-nl");
    BOOST_TEST(cfg.regions[1].projects.size() == 2u);
    const auto endpoints = endpoint_configs(cfg);
    BOOST_TEST_REQUIRE(endpoints.size() == 3u);
    BOOST_TEST(endpoints[2].url == "https://mrs.eu-nl.example:8443");
    BOOST_TEST(endpoints[2].ca_file == "/nonexistent/ca.pem");
    BOOST_TEST(endpoints[2].max_connections == 4u);  // what a region does not set comes from [upstream]
    BOOST_TEST(endpoints[1].ca_file == "");
    BOOST_TEST(endpoints[1].client_key == "/etc/sgw/de.key");  // upstream's pair, whole
    BOOST_TEST(endpoints[2].client_cert == "/etc/sgw/nl.pem");
    BOOST_TEST(endpoints[2].client_key == "");  // never upstream's key with the region's certificate
    validate(cfg, errors);
    BOOST_TEST(mentions(errors, "regions.eu-nl.ca_file: cannot read"));
    BOOST_TEST(mentions(errors, "regions.eu-nl.client_cert: cannot read"));

    config bad;
    errors.clear();
    apply_toml(bad, "[upstream]\nurl = \"http://a\"\n[regions.x]\nprojects = [\"p\"]\nport = 1\n"
                    "[regions.y]\nurl = \"ftp://b\"\nprojects = [\"p\"]\n",
               "t.toml", errors);
    BOOST_TEST(mentions(errors, "regions.x.port: unknown key"));
    validate(bad, errors);
    BOOST_TEST(mentions(errors, "regions.x.url: required"));
    BOOST_TEST(mentions(errors, "regions.y.url:"));
    BOOST_TEST(mentions(errors, "regions.y.projects: p is already served by regions.x"));
}

BOOST_AUTO_TEST_CASE(unknown_keys_are_named) {
    config cfg;
    std::vector<std::string> errors;
    apply_toml(cfg, "threds = 2\n[upstream]\nurll = \"x\"\n[nope]\na = 1\n", "t.toml", errors);
    BOOST_TEST(mentions(errors, "upstream.urll: unknown key"));
    BOOST_TEST(mentions(errors, "nope: unknown key"));
    BOOST_TEST(mentions(errors, "threds: unknown key"));
}

BOOST_AUTO_TEST_CASE(wrong_types_and_ranges) {
    config cfg;
    std::vector<std::string> errors;
    apply_toml(cfg, "threads = \"two\"\nlisten = \"nohost\"\n[upstream]\nverify = \"yes\"\nrequest_timeout_ms = 0\n",
               "t.toml", errors);
    BOOST_TEST(mentions(errors, "threads: expected an integer"));
    BOOST_TEST(mentions(errors, "listen: expected HOST:PORT"));
    BOOST_TEST(mentions(errors, "upstream.verify: expected a boolean"));
    BOOST_TEST(mentions(errors, "upstream.request_timeout_ms: must be between"));
}

BOOST_AUTO_TEST_CASE(syntax_error_has_position) {
    config cfg;
    std::vector<std::string> errors;
    apply_toml(cfg, "listen = \n", "bad.toml", errors);
    BOOST_TEST_REQUIRE(errors.size() == 1u);
    BOOST_TEST(errors[0].starts_with("bad.toml:1:"));
}

BOOST_AUTO_TEST_CASE(empty_config_lacks_the_upstream) {
    auto r = load({});
    BOOST_TEST(mentions(r.errors, "upstream.url: required"));
}

BOOST_AUTO_TEST_CASE(flags_override_the_file) {
    const std::string path = "/tmp/sgw-config-test-" + std::to_string(::getpid()) + ".toml";
    {
        std::ofstream f(path);
        f << "listen = \"127.0.0.1:1000\"\n[upstream]\nurl = \"http://a.example\"\nmax_idle = 5\n";
    }
    auto r = load({"--config", path.c_str(), "--listen", "127.0.0.1:2000", "--upstream=http://b.example",
                   "--upstream-max-idle", "7", "--upstream-verify=false", "--upstream-allow-insecure=true",
                   "--check-config"});
    std::remove(path.c_str());
    BOOST_TEST(r.errors.empty());
    BOOST_TEST(r.check_only);
    BOOST_TEST(r.cfg.listen.port == 2000);
    BOOST_TEST(r.cfg.upstream.url == "http://b.example");
    BOOST_TEST(r.cfg.upstream.max_idle == 7u);
    BOOST_TEST(!r.cfg.upstream.verify);
}

BOOST_AUTO_TEST_CASE(bad_flags_and_urls) {
    auto r = load({"--upstream", "ftp://x", "--no-such-flag", "1", "--threads", "many", "--backend", "mrs-v9"});
    BOOST_TEST(mentions(r.errors, "upstream.url: scheme must be http or https"));
    BOOST_TEST(mentions(r.errors, "--no-such-flag: unknown flag"));
    BOOST_TEST(mentions(r.errors, "--threads: expected an integer"));
    BOOST_TEST(mentions(r.errors, "--backend: unknown backend"));
    auto creds = load({"--upstream", "https://user:secret@mrs.example"});
    BOOST_TEST(mentions(creds.errors, "must not carry credentials"));
    for (auto& e : creds.errors) BOOST_TEST(e.find("secret") == std::string::npos);
    auto ca = load({"--upstream", "https://mrs.example", "--upstream-ca-file", "/nonexistent/ca.pem"});
    BOOST_TEST(mentions(ca.errors, "upstream.ca_file: cannot read"));
}

BOOST_AUTO_TEST_CASE(aksk_needs_a_validating_identity_endpoint) {
    auto bare = load({"--upstream", "https://mrs.example", "--auth-mode", "aksk"});
    BOOST_TEST(mentions(bare.errors, "auth.mode: aksk needs identity.url"));
    auto fixed = load({"--upstream", "https://mrs.example", "--auth-mode", "aksk", "--identity-project",
                       "37caa80116e1403ab603e5eeb48a2f74"});
    BOOST_TEST(mentions(fixed.errors, "identity.project: not allowed with auth.mode aksk"));
    auto odd = load({"--upstream", "https://mrs.example", "--auth-mode", "hmac"});
    BOOST_TEST(mentions(odd.errors, "must be passthrough or aksk"));
    auto stray = load({"--upstream", "https://mrs.example", "--auth-credentials-file", "/x.toml"});
    BOOST_TEST(mentions(stray.errors, "auth.credentials_file: only read with auth.mode aksk"));
}

BOOST_AUTO_TEST_CASE(mrs_v2_settings) {
    auto r = load({"--upstream", "https://mrs.example", "--backend", "mrs-v2", "--upstream-cancel-wait-ms", "2000",
                   "--jobs-unknown-ttl-ms", "5000", "--jobs-max-entries", "100"});
    BOOST_TEST(r.errors.empty());
    BOOST_TEST(r.cfg.upstream.backend == "mrs-v2");
    BOOST_TEST(r.cfg.upstream.cancel_wait.count() == 2000);
    BOOST_TEST(r.cfg.jobs.unknown_ttl.count() == 5000);
    BOOST_TEST(r.cfg.jobs.max_entries == 100u);
    auto zero = load({"--upstream", "https://mrs.example", "--upstream-cancel-wait-ms", "0"});
    BOOST_TEST(zero.errors.empty());
    auto longer = load({"--upstream", "https://mrs.example", "--upstream-cancel-wait-ms", "30000"});
    BOOST_TEST(mentions(longer.errors, "upstream.cancel_wait_ms: must be below upstream.request_timeout_ms"));
    auto small = load({"--upstream", "https://mrs.example", "--jobs-max-entries", "3"});
    BOOST_TEST(mentions(small.errors, "must be at least 16"));
}

BOOST_AUTO_TEST_CASE(shared_job_store) {
    auto none = load({"--upstream", "https://mrs.example"});
    BOOST_TEST(none.errors.empty());
    BOOST_TEST(none.cfg.jobs.store.url.empty());
    BOOST_TEST(none.cfg.jobs.store.timeout.count() == 100);
    BOOST_TEST(none.cfg.jobs.store.prefix == "sahara-gateway:");

    config cfg;
    std::vector<std::string> errors;
    apply_toml(cfg, R"(
[jobs]
store = "redis://:s3cret@10.0.0.7:6380/2"
store_timeout_ms = 50
store_prefix = "gw-eu-de:"
)", "test.toml", errors);
    BOOST_TEST(errors.empty());
    BOOST_TEST(cfg.jobs.store.url == "redis://:s3cret@10.0.0.7:6380/2");
    BOOST_TEST(cfg.jobs.store.timeout.count() == 50);
    BOOST_TEST(cfg.jobs.store.prefix == "gw-eu-de:");

    auto flags = load({"--upstream", "https://mrs.example", "--jobs-store", "redis://127.0.0.1:6379",
                       "--jobs-store-timeout-ms", "20", "--jobs-store-prefix", "x:"});
    BOOST_TEST(flags.errors.empty());
    BOOST_TEST(flags.cfg.jobs.store.url == "redis://127.0.0.1:6379");
    BOOST_TEST(flags.cfg.jobs.store.timeout.count() == 20);

    // A bad URL names the key and never repeats the password.
    auto bad = load({"--upstream", "https://mrs.example", "--jobs-store", "redis://:hunter2@cache:99999"});
    BOOST_TEST(mentions(bad.errors, "--jobs-store: the port must be 1 to 65535"));
    for (const auto& e : bad.errors) BOOST_TEST(e.find("hunter2") == std::string::npos, e);
    std::vector<std::string> toml_errors;
    config other;
    apply_toml(other, "[jobs]\nstore = \"rediss://:hunter2@cache:6379\"\n", "t.toml", toml_errors);
    BOOST_TEST(mentions(toml_errors, "t.toml: jobs.store: rediss:// (TLS) is not supported"));
    for (const auto& e : toml_errors) BOOST_TEST(e.find("hunter2") == std::string::npos, e);

    auto zero = load({"--upstream", "https://mrs.example", "--jobs-store-timeout-ms", "0"});
    BOOST_TEST(mentions(zero.errors, "--jobs-store-timeout-ms: must be between 1 and"));
    auto braces = load({"--upstream", "https://mrs.example", "--jobs-store-prefix", "gw{1}:"});
    BOOST_TEST(mentions(braces.errors, "--jobs-store-prefix: must be 1 to 64 printable characters"));
    auto empty_prefix = load({"--upstream", "https://mrs.example", "--jobs-store-prefix="});
    BOOST_TEST(mentions(empty_prefix.errors, "--jobs-store-prefix"));
}

BOOST_AUTO_TEST_CASE(every_key_is_in_the_help) {
    const auto text = usage();
    for (auto key : {"listen", "threads", "upstream.url", "--upstream-ca-file", "upstream.verify",
                     "--upstream-idle-timeout-ms", "log.level", "--backend", "jobs.store", "--jobs-store-timeout-ms",
                     "--jobs-store-prefix"})
        BOOST_TEST(text.find(key) != std::string::npos, key);
}

BOOST_AUTO_TEST_SUITE_END()
