// mrs-sim: a simulator of the MRS (MapReduce Service) job APIs that sahara-gateway calls.
#include "sim_server.hpp"
#include "sim_state.hpp"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

constexpr std::string_view help_text = R"(usage: mrs-sim [options]

Simulates the MRS (Huawei Cloud / Open Telekom Cloud MapReduce Service) v1.1 job APIs, the
v2 job API, the cluster list and detail, the Sahara-compatible job objects and data sources,
AK/SK signature checks and a Keystone-v3-compatible token check, in memory, for
sahara-gateway's tests.

Options:
  --listen HOST:PORT       address to listen on (default 127.0.0.1:9000; port 0 picks a free
                           one). Prints "listening HOST:PORT" on stdout once bound.
  --threads N              threads running the server (default 1)
  --tls-cert FILE          PEM certificate chain; with --tls-key, serve HTTPS instead of HTTP
  --tls-key FILE           PEM private key
  --token TOKEN:PROJECT    accept X-Auth-Token TOKEN for project PROJECT (32 hex); repeatable
  --token-ttl-s N          token lifetime in seconds, counted from start (default 86400)
  --aksk AK:SK:PROJECT[:SECURITY_TOKEN]
                           accept requests signed (SDK-HMAC-SHA256) with this access key and
                           secret key for PROJECT (32 hex); with a security token, a temporary
                           key whose requests must carry X-Security-Token: SECURITY_TOKEN;
                           repeatable
  --clock-offset-s N       add N seconds (may be negative) to the clock the X-Sdk-Date check
                           reads (default 0)
  --seed-demo              load the fixed demo set (see GET /_sim/state): project
                           6b2a9f0c1d3e4f5a8b7c6d5e4f3a2b1c with token demo-token and project
                           0f1e2d3c4b5a69788796a5b4c3d2e1f0 with token other-token (each added
                           only if --token gave that project none), 8 clusters (one too old for
                           v2, one terminated), 6 job objects (MapReduce, Spark, DistCp,
                           SparkScript, Hive), 4 data sources (demo-input, demo-output,
                           demo-obs-logs, other-input), 8 job executions (running, starting,
                           finished, protected) and 9 v2 jobs
  --kill-delay-ms N        a cancelled (v1.1) or killed (v2) job keeps its state N ms, then is
                           killed (default 2000)
  --start-delay-ms N       a job started by execute or a v2 submit is Starting (ACCEPTED) N ms,
                           then Running (default 500)
  --run-ms N               such a job then succeeds after N ms (default 0: never)
  --cancel-finished ok|refuse
                           cancel of a finished job: 200 with the record (ok, default) or
                           400 {"error_code":"0160",...} (refuse)
  --kill-finished ok|refuse
                           v2 kill of a finished job: 202 and the job unchanged (ok, default)
                           or 400 {"error_code":"0175",...} (refuse)
  --job-object-api available|gone|reads-gone
                           whether the job-object API is there (default available); gone: every
                           /v1.1/{project_id}/jobs path, execute included, answers 404
                           {"error_code":"12000002"} as a path that is not an endpoint;
                           reads-gone: the list and the detail only. Also POST /_sim/switches
  --resource-not-found mrs|sahara
                           the answer to an unknown job object or data source id (and marker):
                           mrs (default): 400 0176 for a job object, 400 12000002 for a data
                           source; sahara: 404 {"error_code":404,"error_name":"NOT_FOUND",...}
  --help                   this text

A project given only by --token or --aksk gets one cluster (its id in UUID form) and one job
object.

MRS endpoints (X-Auth-Token or an AK/SK signature required; JSON bodies; X-Request-Id on every
answer):
  GET    /v1.1/{project_id}/job-executions?limit=&marker=&sort_by=    list (200)
  GET    /v1.1/{project_id}/job-executions/{id}                        show (200)
  GET    /v1.1/{project_id}/job-executions/{id}/cancel                 cancel (200)
  DELETE /v1.1/{project_id}/job-executions/{id}                        delete (204)
  GET    /v1.1/{project_id}/jobs?limit=&marker=&sort_by=               job object list (200)
  GET    /v1.1/{project_id}/jobs/{job_id}                              job object detail (200)
  POST   /v1.1/{project_id}/jobs/{job_id}/execute                      run a job object (202)
  GET    /v1.1/{project_id}/data-sources?limit=&marker=&sort_by=       data source list (200)
  GET    /v1.1/{project_id}/data-sources/{id}                          data source detail (200)
  GET    /v1.1/{project_id}/job-exes?cluster_id=&id=&page_size=&current_page=&job_name=&state=
                                                                        exe list (200)
  GET    /v1.1/{project_id}/job-exes/{id}                              exe detail (200)
  GET    /v1.1/{project_id}/cluster_infos?pageSize=&currentPage=&clusterState=&clusterName=
                                                                        cluster list (200)
  GET    /v1.1/{project_id}/cluster_infos/{cluster_id}                 cluster detail (200)
  POST   /v2/{project_id}/clusters/{cluster_id}/job-executions         v2 submit (200)
  GET    /v2/{project_id}/clusters/{cluster_id}/job-executions?job_name=&job_id=&user=&job_type=
         &job_state=&job_result=&queue=&limit=&offset=&sort_by=&submitted_time_begin=
         &submitted_time_end=                                           v2 list (202)
  GET    /v2/{project_id}/clusters/{cluster_id}/job-executions/{id}    v2 detail (202)
  POST   /v2/{project_id}/clusters/{cluster_id}/job-executions/{id}/kill
                                                                        v2 kill (202)
  POST   /v2/{project_id}/clusters/{cluster_id}/job-executions/batch-delete
                                                                        v2 delete (202)
  GET    /v3/auth/tokens   (X-Auth-Token, X-Subject-Token)              token check (200)
Errors follow MRS: 401 APIGW.0301 (bad token or signature), 401 APIGW.0303 (X-Sdk-Date more than
15 minutes off), 401 12000001 (other project), 400 0176 (job-executions, v2) or 0201 (job-exes)
for an unknown job, 400 0167 for v2 calls to a cluster older than MRS 1.9.2, 400 12000002 for bad
parameters, 400 {"errorCode":"12000003"} for an unknown cluster, 400 0176 for an unknown job
object and 400 12000002 for an unknown data source (Sahara's 404 with --resource-not-found sahara),
404/405 12000002 for unknown paths/methods (and for the job-object paths when that API is gone).

Control API (no auth, never faulted):
  GET    /_sim/state        projects, clusters, job objects, data sources, jobs (states advanced)
  GET    /_sim/stats        {"requests","connections","open_connections","peak_connections",
                            "signed_requests","signature_failures","last_client_request_id"
                            (the X-Request-Id of the last MRS call),"by_endpoint":{cancel,show,
                            delete,list,execute,exe_show,exe_list,identity,v2_submit,v2_list,
                            v2_show,v2_kill,v2_delete,cluster_list,cluster_show,job_object_list,
                            job_object_show,data_source_list,data_source_show}}
                            open_connections: connections open now that carried an MRS or
                            identity request; peak_connections: the most open at once
  POST   /_sim/stats/reset  zero the counters (peak_connections restarts at open_connections)
  POST   /_sim/jobs         {"project"?,"cluster_id"?,"state"?:"starting|running|succeeded|failed|
                            killed|abnormal|error","protected"?:bool,"id"?:uuid,"job_name"?}
                            -> 201 {"id"}
  POST   /_sim/jobs         {"count":1..1000000,"project"?,"clusters"?:1..100,"states"?:{NAME:
                            weight,...},"id_prefix"?:"start of a uuid"}: N jobs at once, round-
                            robin over the project's first K clusters (missing ones are made),
                            states in a cycle by weight (default {"running":1}), created 1 s
                            apart before now, deterministic ids
                            -> 201 {"created","project","clusters":[ids],"first_id","last_id"}
                            Either form with "api":"v2" makes v2 jobs; the single form then
                            takes "job_type","user","queue","arguments","properties" instead of
                            "protected"
  POST   /_sim/clusters     {"project"?,"id"?,"name"?,"state"?,"version"?,"components"?:[names],
                            "safe_mode"?:0|1,"cluster_type"?:0..3,"master_nodes"?,"core_nodes"?}
                            -> 201 {"id"}
  POST   /_sim/job-objects  {"project"?,"id"?,"name"?,"type"?:"MapReduce|Spark|Hive|hql|DistCp|
                            SparkScript|SparkSql","description"?,"mains"?:[urls],"libs"?:[urls]}
                            -> 201 {"id"}
  POST   /_sim/data-sources {"project"?,"id"?,"name"?,"type"?:"hdfs|obs","url"?,"description"?}
                            -> 201 {"id"}
  GET    /_sim/switches     {"job_object_api","resource_not_found"}
  POST   /_sim/switches     {"job_object_api"?:"available|gone|reads-gone","resource_not_found"?:
                            "mrs|sahara"} -> 200 the switches in force
  POST   /_sim/aksk         {"ak","sk","project"?,"security_token"?} -> 201 {"ak","project"}
  GET    /_sim/clock        {"offset_s","now_ms"}: the clock the X-Sdk-Date check reads
  POST   /_sim/clock        {"offset_s": N} -> 200 {"offset_s"}
  GET    /_sim/faults       the fault set in force
  POST   /_sim/faults       replace the fault set ({} clears); DELETE /_sim/faults clears

Fault JSON (every key optional; unknown keys are refused):
  {"latency_ms": N,            delay every answer by N ms (a connection the client closes
                               meanwhile ends at once)
   "error_status": 400..599,   answer that status with {"error_code":"12000004",...}
   "error_rate": 0..1,         on that share of requests (deterministic: 0.5 = every 2nd)
   "close_after": N,           close a connection silently after N answers on it
   "malformed": "garbage"|"truncated",
                               garbage: 200 with a non-JSON body; truncated: a Content-Length
                               larger than the body sent, then close
   "malformed_rate": 0..1,     share of answers made malformed (default 1)
   "stall": true,              read the request, never answer until the client closes
   "reset_rate": 0..1,         share of requests answered by a TCP reset
   "idle_close_ms": N,         end a connection idle N ms between requests: FIN on HTTP;
                               under TLS close_notify, the TCP connection left open until
                               the client closes it (at most 5 s); applies to control
                               connections too
   "throttle_rate": 0..1,      share of requests answered 429 {"error_code":"APIGW.0308",
                               "error_msg":"The throttling threshold has been reached: ...",
                               "request_id":...} (the API gateway's rate limit)
   "throttle_retry_after_s": 0..3600,
                               with N > 0 those 429s carry Retry-After: N (default 0: none)
   "close_notify": false,      with close_after: end the connection in order instead
                               (TLS: close_notify, at most 250 ms for the client's, then close;
                               HTTP: FIN, then close)
   "reset_mid_rate": 0..1,     share of answers cut by a TCP reset after the header and about
                               half the body (half the header when there is no body)
   "stall_after_headers": true}
                               send the status line and header (full Content-Length), then
                               nothing until the client closes

SIGINT or SIGTERM stops the simulator (exit 0).
)";

int usage_error(std::string_view msg) {
    std::cerr << "mrs-sim: " << msg << " (see --help)\n";
    return 2;
}

std::optional<std::int64_t> non_negative(std::string_view s) {
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || s.empty() || v < 0) {
        return std::nullopt;
    }
    return v;
}

}  // namespace

int main(int argc, char** argv) {
    mrs_sim::server_options server;
    mrs_sim::sim_options opts;
    bool seed = false;
    std::vector<std::pair<std::string, std::string>> tokens;
    std::vector<std::string> keys;  // --aksk values

    for (int i = 1; i < argc; ++i) {
        const std::string_view flag = argv[i];
        if (flag == "--help" || flag == "-h") {
            std::cout << help_text;
            return 0;
        }
        if (flag == "--seed-demo") {
            seed = true;
            continue;
        }
        if (i + 1 >= argc) {
            return usage_error("unknown option or missing value: " + std::string(flag));
        }
        const std::string_view value = argv[++i];
        const auto number = non_negative(value);
        auto need_number = [&](std::int64_t& out) {
            if (number) {
                out = *number;
            }
            return number.has_value();
        };
        bool ok = true;
        if (flag == "--listen") {
            const auto colon = value.rfind(':');
            const auto port = colon == std::string_view::npos ? std::nullopt : non_negative(value.substr(colon + 1));
            ok = port && *port <= 65535 && colon > 0;
            if (ok) {
                server.host = value.substr(0, colon);
                server.port = static_cast<unsigned short>(*port);
            }
        } else if (flag == "--threads") {
            ok = number && *number >= 1 && *number <= 256;
            server.threads = ok ? static_cast<int>(*number) : 1;
        } else if (flag == "--tls-cert") {
            server.tls_cert = value;
        } else if (flag == "--tls-key") {
            server.tls_key = value;
        } else if (flag == "--token") {
            const auto colon = value.rfind(':');
            ok = colon != std::string_view::npos;
            if (ok) {
                tokens.emplace_back(value.substr(0, colon), value.substr(colon + 1));
            }
        } else if (flag == "--aksk") {
            keys.emplace_back(value);
        } else if (flag == "--clock-offset-s") {
            std::int64_t seconds = 0;
            const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
            ok = ec == std::errc{} && end == value.data() + value.size() && !value.empty() && seconds >= -316224000 &&
                 seconds <= 316224000;  // ten years
            opts.clock_offset_ms = ok ? seconds * 1000 : 0;
        } else if (flag == "--token-ttl-s") {
            ok = need_number(opts.token_ttl_s);
        } else if (flag == "--kill-delay-ms") {
            ok = need_number(opts.kill_delay_ms);
        } else if (flag == "--start-delay-ms") {
            ok = need_number(opts.start_delay_ms);
        } else if (flag == "--run-ms") {
            ok = need_number(opts.run_ms);
        } else if (flag == "--cancel-finished") {
            ok = value == "ok" || value == "refuse";
            opts.refuse_cancel_finished = value == "refuse";
        } else if (flag == "--kill-finished") {
            ok = value == "ok" || value == "refuse";
            opts.refuse_kill_finished = value == "refuse";
        } else if (flag == "--job-object-api") {
            const auto api = mrs_sim::parse_job_object_api(value);
            ok = api.has_value();
            opts.job_objects = api.value_or(mrs_sim::job_object_api::available);
        } else if (flag == "--resource-not-found") {
            const auto style = mrs_sim::parse_not_found_style(value);
            ok = style.has_value();
            opts.resource_not_found = style.value_or(mrs_sim::not_found_style::mrs);
        } else {
            return usage_error("unknown option: " + std::string(flag));
        }
        if (!ok) {
            return usage_error("bad value for " + std::string(flag));
        }
    }
    if (server.tls_cert.empty() != server.tls_key.empty()) {
        return usage_error("--tls-cert and --tls-key go together");
    }

    const auto start_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    mrs_sim::sim_state state(opts, start_ms);
    for (const auto& [token, project] : tokens) {
        if (auto err = state.add_token(token, project); !err.empty()) {
            return usage_error("--token: " + err);
        }
    }
    for (const std::string& key : keys) {
        // AK:SK:PROJECT[:SECURITY_TOKEN]; the error never repeats the value.
        const auto first = key.find(':');
        const auto second = first == std::string::npos ? first : key.find(':', first + 1);
        if (second == std::string::npos) {
            return usage_error("--aksk: the form is AK:SK:PROJECT or AK:SK:PROJECT:SECURITY_TOKEN");
        }
        const auto third = key.find(':', second + 1);
        const std::string_view all(key);
        const std::string_view project =
            all.substr(second + 1, third == std::string::npos ? third : third - second - 1);
        const std::string_view token = third == std::string::npos ? std::string_view() : all.substr(third + 1);
        if (third != std::string::npos && token.empty()) {
            return usage_error("--aksk: an empty security token");
        }
        if (auto err =
                state.add_access_key(all.substr(0, first), all.substr(first + 1, second - first - 1), project, token);
            !err.empty()) {
            return usage_error("--aksk: " + err);
        }
    }
    if (seed) {
        if (auto err = state.seed_demo(); !err.empty()) {
            return usage_error(err);
        }
    }
    state.finish_setup();
    if (tokens.empty() && keys.empty() && !seed) {
        std::cerr << "mrs-sim: no --token and no --seed-demo: every MRS request will get 401\n";
    }
    return mrs_sim::run_server(server, state);
}
