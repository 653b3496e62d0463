// The pieces of observability that need no process: metric labels and histograms, the
// Prometheus text, access-log lines, request ids, and the keys that need a restart.
#include "gateway/access_log.hpp"
#include "gateway/config.hpp"
#include "gateway/generation.hpp"
#include "gateway/metrics.hpp"
#include "gateway/request_id.hpp"
#include "gateway/upstream/pool.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>
#include <unistd.h>

using namespace sgw;
using namespace std::chrono_literals;

namespace {

double value_of(const std::string& text, const std::string& series) {
    const auto at = text.find("\n" + series + " ");
    BOOST_TEST_REQUIRE(at != std::string::npos, series << " not in\n" << text);
    return std::stod(text.substr(at + series.size() + 2));
}

request_done done(std::string_view op, unsigned status, std::chrono::microseconds took) {
    request_done r;
    r.request_id = "req-00000000-0000-4000-8000-000000000000";
    r.method = "GET";
    r.path = "/v1.1/p/job-executions/x";
    r.operation = op;
    r.version = "v1.1";
    r.status = status;
    r.total_time = took;
    return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(observability)

BOOST_AUTO_TEST_CASE(call_templates_take_ids_and_queries_out) {
    BOOST_TEST(metrics::call_template("GET", "/v1.1/6b2a9f0c1d3e4f5a8b7c6d5e4f3a2b1c/job-exes/a1000000-0000-4000-8000-000000000001") ==
               "GET /v1.1/{id}/job-exes/{id}");
    BOOST_TEST(metrics::call_template("POST", "/v2/0123456789abcdef/clusters/c1/job-executions?limit=10&offset=2") ==
               "POST /v2/{id}/clusters/c1/job-executions");
    BOOST_TEST(metrics::call_template("GET", "/v1.1/abcdef0123/cluster_infos") == "GET /v1.1/{id}/cluster_infos");
    // Words that happen to be hex stay: ids are at least 8 characters.
    BOOST_TEST(metrics::call_template("DELETE", "/v2/{id}/add/") == "DELETE /v2/{id}/add/");
}

BOOST_AUTO_TEST_CASE(histograms_count_into_the_right_bucket) {
    metrics::histogram h;
    h.observe(400us);   // <= 0.0005
    h.observe(500us);   // <= 0.0005 (bounds are inclusive)
    h.observe(3ms);     // <= 0.005
    h.observe(40s);     // +Inf
    BOOST_TEST(h.counts[0] == 2u);
    BOOST_TEST(h.counts[3] == 1u);
    BOOST_TEST(h.counts.back() == 1u);
    BOOST_TEST(h.count == 4u);
    BOOST_TEST(h.sum == 40.0039, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(metrics_sum_the_workers_and_render_cumulative_buckets) {
    worker_metrics a, b;
    a.request(done("cancel", 200, 2ms));
    a.request(done("cancel", 200, 20ms));
    b.request(done("cancel", 200, 2ms));
    b.request(done("cancel", 503, 40s));
    a.upstream_call("mrs.example:443", "GET /v1.1/{id}/job-exes/{id}", "200", 1ms);
    b.upstream_call("mrs.example:443", "GET /v1.1/{id}/job-exes/{id}", "timeout", 30s);
    auto pa = a.pool_stats_for("mrs.example:443");
    pa->open.add(3);
    pa->idle.add(1);
    pa->breakers_open.add(1);
    pa->stale_reuse.add(2);
    auto pb = b.pool_stats_for("mrs.example:443");
    pb->open.add(2);
    pb->breakers_closed.add(1);
    BOOST_TEST(a.pool_stats_for("mrs.example:443") == pa);  // one per endpoint and worker
    ++a.identity()->hits;

    process_view v;
    v.workers = {&a, &b};
    v.ready = true;
    v.version = "9.9.9";
    const auto text = "\n" + render_metrics(v);
    BOOST_TEST(value_of(text, R"(sahara_gateway_requests_total{operation="cancel",version="v1.1",status="200"})") == 3);
    BOOST_TEST(value_of(text, R"(sahara_gateway_requests_total{operation="cancel",version="v1.1",status="503"})") == 1);
    BOOST_TEST(value_of(text, R"(sahara_gateway_request_duration_seconds_bucket{operation="cancel",le="0.0025"})") == 2);
    BOOST_TEST(value_of(text, R"(sahara_gateway_request_duration_seconds_bucket{operation="cancel",le="0.025"})") == 3);
    BOOST_TEST(value_of(text, R"(sahara_gateway_request_duration_seconds_bucket{operation="cancel",le="30"})") == 3);
    BOOST_TEST(value_of(text, R"(sahara_gateway_request_duration_seconds_bucket{operation="cancel",le="+Inf"})") == 4);
    BOOST_TEST(value_of(text, R"(sahara_gateway_request_duration_seconds_count{operation="cancel"})") == 4);
    const std::string call = R"(endpoint="mrs.example:443",call="GET /v1.1/{id}/job-exes/{id}")";
    BOOST_TEST(value_of(text, "sahara_gateway_upstream_requests_total{" + call + R"(,result="timeout"})") == 1);
    BOOST_TEST(value_of(text, "sahara_gateway_upstream_request_duration_seconds_count{" + call + "}") == 2);
    BOOST_TEST(value_of(text, R"(sahara_gateway_upstream_connections{endpoint="mrs.example:443",state="in_use"})") == 4);
    BOOST_TEST(value_of(text, R"(sahara_gateway_upstream_connections{endpoint="mrs.example:443",state="idle"})") == 1);
    BOOST_TEST(value_of(text, R"(sahara_gateway_upstream_breakers{endpoint="mrs.example:443",state="open"})") == 1);
    BOOST_TEST(value_of(text, R"(sahara_gateway_upstream_breakers{endpoint="mrs.example:443",state="closed"})") == 1);
    BOOST_TEST(value_of(text, R"(sahara_gateway_upstream_stale_reuses_total{endpoint="mrs.example:443"})") == 2);
    BOOST_TEST(value_of(text, "sahara_gateway_identity_cache_hits_total") == 1);
    BOOST_TEST(value_of(text, R"(sahara_gateway_build_info{version="9.9.9"})") == 1);
    BOOST_TEST(value_of(text, "sahara_gateway_ready") == 1);
    BOOST_TEST(text.find("# TYPE sahara_gateway_request_duration_seconds histogram") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(label_values_are_escaped) {
    worker_metrics a;
    a.upstream_call("host\"x\\y\nz", "GET /", "200", 1ms);
    process_view v;
    v.workers = {&a};
    const auto text = render_metrics(v);
    BOOST_TEST(text.find(R"(endpoint="host\"x\\y\nz")") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(a_pool_adds_its_share_of_the_gauges_and_takes_it_back) {
    boost::asio::io_context ioc;
    upstream_config cfg;
    auto stats = std::make_shared<upstream::pool_stats>();
    auto url = upstream::parse_base_url("http://127.0.0.1:9");
    BOOST_TEST_REQUIRE(bool(url));
    {
        upstream::pool first(ioc.get_executor(), cfg, *url, nullptr, stats);
        upstream::pool second(ioc.get_executor(), cfg, *url, nullptr, stats);  // after a reload
        BOOST_TEST(stats->breakers_closed.get() == 2u);
    }
    BOOST_TEST(stats->breakers_closed.get() == 0u);
    BOOST_TEST(stats->open.get() == 0u);
}

BOOST_AUTO_TEST_CASE(access_lines_are_json_without_secrets_or_queries) {
    auto r = done("show", 200, 1500us);
    r.global_request_id = "req-11111111-2222-4333-8444-555555555555";
    r.project = "6b2a9f0c1d3e4f5a8b7c6d5e4f3a2b1c";
    r.upstream_calls = 2;
    r.upstream_time = 1200us;
    r.response_bytes = 321;
    r.detail = std::string_view("bad \xff byte");
    const auto line = access_log::format(r);
    const auto o = boost::json::parse(line).as_object();
    BOOST_TEST(o.at("rid").as_string() == r.request_id);
    BOOST_TEST(o.at("global_rid").as_string() == r.global_request_id);
    BOOST_TEST(o.at("op").as_string() == "show");
    BOOST_TEST(o.at("status").as_int64() == 200);
    BOOST_TEST(o.at("end").as_string() == "answered");
    BOOST_TEST(o.at("ms").as_double() == 1.5);
    BOOST_TEST(o.at("upstream_ms").as_double() == 1.2);
    BOOST_TEST(o.at("bytes_out").as_int64() == 321);
    BOOST_TEST(std::string(o.at("detail").as_string()).find("\xef\xbf\xbd") != std::string::npos);  // U+FFFD
    BOOST_TEST(!o.contains("token"));
    r.status = 0;
    BOOST_TEST(boost::json::parse(access_log::format(r)).at("end").as_string() == "cancelled");
}

BOOST_AUTO_TEST_CASE(the_access_log_writes_to_a_file_and_reopens_it) {
    char dir[] = "/tmp/sgw-access-XXXXXX";
    BOOST_TEST_REQUIRE(::mkdtemp(dir) != nullptr);
    const std::string path = std::string(dir) + "/access.log";
    access_log log;
    BOOST_TEST(!log.enabled());
    log.write(done("list", 200, 1ms));  // off: nothing
    BOOST_TEST(!log.open(true, path).has_value());
    log.write(done("list", 200, 1ms));
    BOOST_TEST_REQUIRE(::rename(path.c_str(), (path + ".1").c_str()) == 0);
    BOOST_TEST(!log.open(true, path).has_value());
    log.write(done("cancel", 200, 1ms));
    auto lines = [](const std::string& p) {
        std::ifstream f(p);
        std::string l;
        std::size_t n = 0;
        while (std::getline(f, l)) ++n;
        return n;
    };
    BOOST_TEST(lines(path) == 1u);
    BOOST_TEST(lines(path + ".1") == 1u);
    const auto failed = log.open(true, std::string(dir) + "/missing/access.log");
    BOOST_TEST_REQUIRE(failed.has_value());
    BOOST_TEST(failed->find("cannot open") != std::string::npos);
    log.write(done("show", 200, 1ms));  // the old file stays in use
    BOOST_TEST(lines(path) == 2u);
    ::unlink(path.c_str());
    ::unlink((path + ".1").c_str());
    ::rmdir(dir);
}

BOOST_AUTO_TEST_CASE(only_request_ids_are_taken_from_clients) {
    BOOST_TEST(valid_request_id(make_request_id()));
    BOOST_TEST(valid_request_id("req-0F1E2D3C-4B5A-4978-8796-A5B4C3D2E1F0"));
    BOOST_TEST(!valid_request_id("req-0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f"));   // short
    BOOST_TEST(!valid_request_id("req-0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0a"));  // long
    BOOST_TEST(!valid_request_id("xyz-0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0"));
    BOOST_TEST(!valid_request_id("req-0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1g0"));
    BOOST_TEST(!valid_request_id("req-0f1e2d3c-4b5a-4978-8796_a5b4c3d2e1f0"));
    BOOST_TEST(!valid_request_id(""));
}

BOOST_AUTO_TEST_CASE(production_keys_parse_and_restart_only_keys_are_kept) {
    config cfg;
    std::vector<std::string> errors;
    apply_toml(cfg, R"(
[admin]
listen = "[::1]:9386"
[server]
shutdown_delay_ms = 5000
[log]
access = true
access_path = "/var/log/sahara-gateway/access.log"
)",
               "test", errors);
    BOOST_TEST_REQUIRE(errors.empty());
    BOOST_TEST(cfg.admin.enabled);
    BOOST_TEST(cfg.admin.host == "::1");
    BOOST_TEST(cfg.admin.port == 9386);
    BOOST_TEST(cfg.listen.shutdown_delay.count() == 5000);
    BOOST_TEST(cfg.log.access_path == "/var/log/sahara-gateway/access.log");
    apply_toml(cfg, "[admin]\nlisten = \"somewhere:1\"\n[log]\naccess_path = \"\"\n", "bad", errors);
    BOOST_TEST(errors.size() == 2u);

    config next = cfg;
    next.listen.threads = 7;
    next.admin.port = 1;
    next.upstream.max_connections = 3;
    const auto kept = restart_only_changes(cfg, next);
    BOOST_TEST(kept == (std::vector<std::string>{"threads", "admin.listen"}), boost::test_tools::per_element());
    const auto applied = keep_restart_only(cfg, next);
    BOOST_TEST(applied.listen.threads == cfg.listen.threads);
    BOOST_TEST(applied.admin.port == 9386);
    BOOST_TEST(applied.upstream.max_connections == 3u);
}

BOOST_AUTO_TEST_SUITE_END()
