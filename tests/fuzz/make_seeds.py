#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets into tests/fuzz/corpus/<target>/.

- fuzz_translators: one seed per fixture in tests/unit/fixtures/<backend>/<operation>/ (show
  fixtures also seed refresh-status), in the input format described at the top of
  fuzz_translators.cpp: the request, then the fixture's recorded MRS replies in call order.
- fuzz_http_session, fuzz_router: realistic Sahara requests, v1.1 and v2 (list, show,
  refresh-status, cancel, PATCH, DELETE, execute, versions), as raw HTTP and in the router
  target's line format.
- fuzz_config: deploy/sahara-gateway.example.toml, a minimal file and a few variants.

Python 3 standard library only. Run it again after adding fixtures; it replaces every seed it
writes and leaves other files (inputs added by hand) alone. Seeds above 8 KiB are skipped so
that libFuzzer's input length stays small.
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(ROOT, "tests", "unit", "fixtures")
CORPUS = os.path.join(HERE, "corpus")
MAX_SEED = 8 * 1024

# Backend folders in registry order (translators/registry.cpp) and sahara::operation order.
BACKENDS = ["mrs_v1_1", "mrs_v2"]
OPERATIONS = ["list", "show", "refresh_status", "cancel", "update", "remove", "execute", "cluster_list",
              "cluster_show", "template_list", "template_show", "data_source_list", "data_source_show"]
# Fixture folder -> the operations whose seeds it gives.
FOLDER_OPS = {
    "list": ["list"],
    "show": ["show", "refresh_status"],
    "cancel": ["cancel"],
    "update": ["update"],
    "remove": ["remove"],
    "execute": ["execute"],
    "cluster_list": ["cluster_list"],
    "cluster_show": ["cluster_show"],
    "template_list": ["template_list"],
    "template_show": ["template_show"],
    "data_source_list": ["data_source_list"],
    "data_source_show": ["data_source_show"],
}

PROJECT = "37caa80116e1403ab603e5eeb48a2f74"
JOB = "2de74673-1a78-48af-a95b-e1fec4a4ae9c"
TEMPLATE = "b1000000-0000-4000-8000-000000000001"
CLUSTER = "ef7b54f2-3d92-49b2-a6d7-94607e1ea7df"
TOKEN = "gAAAAABk0dXfuzzSeedTokenNotARealOne0123456789abcdefABCDEF"


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def one_line(text):
    return text.replace("\r", " ").replace("\n", " ")


def write(target, name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_SEED:
        return False
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)
    return True


def reply_line(reply):
    outcome = {"unreachable": "u", "timeout": "t", "malformed": "m"}.get(reply.get("outcome", "ok"), "")
    status = str(reply["status"]) if "status" in reply else ""
    if "body" in reply:
        body = compact(reply["body"])
    else:
        body = one_line(reply.get("body_text", ""))
    return outcome + status + " " + body


def translator_seed(backend_index, op, doc):
    request = doc["request"]
    flags = 0
    if request.get("version") == "v2":
        flags |= 1
    if request.get("deleted_lately"):
        flags |= 2
    killed = request.get("being_killed", [])
    if request.get("id") in killed:
        flags |= 4
    if any(k != request.get("id") for k in killed):
        flags |= 8
    if request.get("job_cluster"):
        flags |= 16
    if request.get("unknown_lately"):
        flags |= 32
    if request.get("cancel_wait_ms"):
        flags |= 64
    # The flags byte may pass 127: the head line is bytes, not UTF-8 text.
    head = bytes([ord("0") + backend_index * len(OPERATIONS) + OPERATIONS.index(op), ord("0") + flags])
    head += request.get("id", "").encode("utf-8")
    query = "&".join(k + "=" + v for k, v in request.get("query", []))
    content_type = request.get("content_type", "application/json")
    if "body" in request:
        body = compact(request["body"])
    else:
        body = one_line(request.get("body_text", ""))
    replies = []
    for step in doc["steps"]:
        if "reply" in step:
            replies.append(step["reply"])
        replies.extend(step.get("replies", []))
        replies.extend(call["reply"] for call in step.get("calls", []))
    return head + b"\n" + "\n".join([query, content_type, body] + [reply_line(r) for r in replies]).encode("utf-8")


def translator_seeds():
    written = skipped = 0
    for backend_index, backend in enumerate(BACKENDS):
        for folder, ops in sorted(FOLDER_OPS.items()):
            directory = os.path.join(FIXTURES, backend, folder)
            if not os.path.isdir(directory):  # a step shared by backends has one folder
                continue
            for name in sorted(os.listdir(directory)):
                if not name.endswith(".json"):
                    continue
                with open(os.path.join(directory, name), encoding="utf-8") as f:
                    doc = json.load(f)
                for op in ops:
                    seed = translator_seed(backend_index, op, doc)
                    if write("fuzz_translators", f"{backend}-{op}-{name[:-5]}", seed):
                        written += 1
                    else:
                        skipped += 1
    return written, skipped


def http_request(method, target, headers=(), body=None, version="1.1"):
    lines = [f"{method} {target} HTTP/{version}", "Host: 127.0.0.1:8386"]
    lines += [f"{k}: {v}" for k, v in headers]
    if body is not None:
        lines.append(f"Content-Length: {len(body.encode('utf-8'))}")
    return "\r\n".join(lines) + "\r\n\r\n" + (body or "")


AUTH = [("User-Agent", "python-saharaclient"), ("Accept", "application/json"), ("X-Auth-Token", TOKEN)]
JSON = [("Content-Type", "application/json")]
V2 = [("OpenStack-API-Version", "data-processing 2.0")]
V1 = f"/v1.1/{PROJECT}"
CANCEL_BODY = compact({"info": {"status": "cancel"}})
FLAG_BODY = compact({"is_public": False, "is_protected": False})
EXECUTE_V1 = compact({"cluster_id": CLUSTER, "input_id": None, "output_id": None,
                      "job_configs": {"configs": {"mapred.map.tasks": "1"}, "args": ["obs://in", "obs://out"],
                                      "params": {}}})
EXECUTE_V2 = compact({"cluster_id": CLUSTER, "job_template_id": TEMPLATE, "is_public": False,
                      "job_configs": {"args": ["1000"]}, "interface": {}})

# name -> (method, target, extra headers, body)
REQUESTS = {
    "v1_1-cancel": ("GET", f"{V1}/job-executions/{JOB}/cancel", AUTH, None),
    "v1_1-show": ("GET", f"{V1}/job-executions/{JOB}", AUTH, None),
    "v1_1-show-json-suffix": ("GET", f"{V1}/job-executions/{JOB}.json", AUTH, None),
    "v1_1-refresh-status": ("GET", f"{V1}/job-executions/{JOB}/refresh-status", AUTH, None),
    "v1_1-list": ("GET", f"{V1}/job-executions?limit=2&marker={JOB}&sort_by=-status&status=RUNNING", AUTH, None),
    "v1_1-list-without-project": ("GET", "/v1.1/job-executions?cluster_id=" + CLUSTER, AUTH, None),
    "v1_1-delete": ("DELETE", f"{V1}/job-executions/{JOB}", AUTH, None),
    "v1_1-patch-cancel": ("PATCH", f"{V1}/job-executions/{JOB}", AUTH + JSON, CANCEL_BODY),
    "v1_1-patch-flags": ("PATCH", f"{V1}/job-executions/{JOB}", AUTH + JSON, FLAG_BODY),
    "v1_1-execute": ("POST", f"{V1}/jobs/{TEMPLATE}/execute", AUTH + JSON, EXECUTE_V1),
    "v2-list": ("GET", "/v2/jobs?status=running&limit=10&sort_by=cluster", AUTH + V2, None),
    "v2-show": ("GET", f"/v2/jobs/{JOB}", AUTH + V2, None),
    "v2-refresh-status": ("GET", f"/v2/jobs/{JOB}?refresh_status=True", AUTH + V2, None),
    "v2-patch-cancel": ("PATCH", f"/v2/jobs/{JOB}", AUTH + JSON + V2, CANCEL_BODY),
    "v2-delete": ("DELETE", f"/v2/{PROJECT}/jobs/{JOB}", AUTH, None),
    "v2-execute": ("POST", "/v2/jobs", AUTH + JSON + [("OpenStack-API-Version", "data-processing latest")],
                   EXECUTE_V2),
    "v2-bad-microversion": ("GET", "/v2/jobs", AUTH + [("OpenStack-API-Version", "data-processing 2.7")], None),
    "versions": ("GET", "/", [("Accept", "application/json")], None),
    "unknown-path": ("GET", f"{V1}/clusters", AUTH, None),
    "method-not-allowed": ("PUT", f"{V1}/job-executions/{JOB}", AUTH, None),
}


# The session target's first byte (fuzz_http_session.cpp).
READ_1, READ_3 = 2, 4
BODY_16 = 2 << 3
HEADER_512 = 32
DRAIN = 64
PIECES = 128


def http_seeds():
    for name, (method, target, headers, body) in REQUESTS.items():
        write("fuzz_http_session", name, b"\x00" + http_request(method, target, headers, body).encode())
    cancel = http_request("GET", f"{V1}/job-executions/{JOB}/cancel", AUTH)
    show = http_request("GET", f"/v2/jobs/{JOB}", AUTH + V2)
    patch = http_request("PATCH", f"/v2/jobs/{JOB}", AUTH + JSON + V2, CANCEL_BODY)
    extra = {
        # keep-alive: three requests on one connection, then HEAD and a closing one
        "pipelined": b"\x00" + (cancel + show + patch).encode(),
        "head-then-close": b"\x00" + (http_request("HEAD", f"{V1}/job-executions/{JOB}", AUTH)
                                      + http_request("GET", "/", [("Connection", "close")])).encode(),
        "http-1_0": b"\x00" + http_request("GET", f"{V1}/job-executions", AUTH, version="1.0").encode(),
        # byte-at-a-time reads, the client waiting for each answer
        "slow-reads": bytes([READ_1 | PIECES]) + (cancel + "\x1f" + show).encode(),
        # three bytes per read
        "short-reads": bytes([READ_3]) + (patch + cancel).encode(),
        # the request split in pieces at 0x1f: inside the request line, the headers and the body
        "pieces": bytes([PIECES]) + (patch[:7] + "\x1f" + patch[7:60] + "\x1f" + patch[60:-10] + "\x1f"
                                     + patch[-10:] + "\x1f" + cancel).encode(),
        # the drain begins during the first request
        "drain": bytes([DRAIN]) + (cancel + show).encode(),
        # a 16-byte body limit refuses the PATCH body with 413
        "body-limit": bytes([BODY_16]) + patch.encode(),
        # a 512-byte header limit refuses a long header with 431
        "header-limit": bytes([HEADER_512]) + http_request("GET", "/v2/jobs", AUTH + [("X-Padding", "p" * 600)]).encode(),
        "chunked-patch": b"\x00" + ("PATCH /v2/jobs/" + JOB + " HTTP/1.1\r\nHost: x\r\nX-Auth-Token: t\r\n"
                                    "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                                    + format(len(CANCEL_BODY), "x") + "\r\n" + CANCEL_BODY + "\r\n0\r\n\r\n").encode(),
        "malformed-content-length": b"\x00" + ("POST /v2/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                                               "Content-Length: 6\r\n\r\nhello").encode(),
        "expect-continue": b"\x00" + http_request("POST", "/v2/jobs", AUTH + JSON + V2 +
                                                  [("Expect", "100-continue")], EXECUTE_V2).encode(),
    }
    for name, data in extra.items():
        write("fuzz_http_session", name, data)


def router_seeds():
    for name, (method, target, headers, body) in REQUESTS.items():
        lines = [method, target] + [f"{k}: {v}" for k, v in headers]
        write("fuzz_router", name, "\n".join(lines) + "\n\n" + (body or ""))
    extra = {
        "percent-encoded-query": "GET\n/v1.1/job-executions?sort_by=%C3%A9t%C3%A9&status=%E2%9C%93\n\n",
        "v2-unknown-parameter": "GET\n/v2/jobs?refresh_status=True&page=2\nX-Auth-Token: t\n\n",
        "form-body": "PATCH\n/v2/jobs/" + JOB + "\nContent-Type: application/x-www-form-urlencoded\n\ninfo=cancel",
        "versions-forwarded": "GET\n/\nHost: gw.example.com:8386\nForwarded: proto=https;host=sahara.example.com\n"
                              "X-Forwarded-Proto: https\nX-Forwarded-Host: edge.example.com\n\n",
        "execute-bad-configs": "POST\n/v2/jobs\nContent-Type: application/json\n\n"
                               + compact({"cluster_id": CLUSTER, "job_template_id": TEMPLATE,
                                          "job_configs": {"configs": {"k": [1]}, "args": "x"}}),
        "cluster-list-filters": "GET\n/v1.1/" + PROJECT + "/clusters?plugin_name=mr.*&hadoop_version=MRS%203.1&limit=2\n\n",
        "cluster-show-progress": "GET\n/v2/clusters/" + CLUSTER + "?show_progress=True\nOpenStack-API-Version: data-processing 2.0\n\n",
        "job-templates-type": "GET\n/v2/job-templates?type=MapReduce&sort_by=-name\n\n",
        "data-source-delete": "DELETE\n/v1.1/" + PROJECT + "/data-sources/" + JOB + "\n\n",
        "microversion-odd": "GET\n/v2/data-sources\nOpenStack-API-Version: data-processing 2x0\n\n",
    }
    for name, data in extra.items():
        write("fuzz_router", name, data)


def config_seeds():
    with open(os.path.join(ROOT, "deploy", "sahara-gateway.example.toml"), encoding="utf-8") as f:
        example = f.read()
    write("fuzz_config", "example", example)
    seeds = {
        "minimal": 'listen = "0.0.0.0:8386"\n[upstream]\nurl = "https://mrs.eu-de.otc.t-systems.com"\n'
                   'backend = "mrs-v1.1"\n',
        "every-key": 'listen = "[::1]:0"\nthreads = 2\n'
                     "[server]\nheader_limit = 8192\nbody_limit = 114688\nidle_timeout_ms = 60000\n"
                     "header_timeout_ms = 10000\nread_timeout_ms = 15000\nwrite_timeout_ms = 15000\n"
                     "drain_timeout_ms = 10000\nmax_connections = 0\ntrust_forwarded = true\n"
                     '[upstream]\nurl = "http://127.0.0.1:9000/prefix"\nbackend = "mrs-v1.1"\nca_file = ""\n'
                     "verify = false\nconnect_timeout_ms = 3000\nrequest_timeout_ms = 30000\nidle_timeout_ms = 30000\n"
                     "max_connection_age_ms = 300000\nmax_idle = 64\nmax_connections = 32\nmax_pending = 256\n"
                     "reconnect_window_ms = 1500\nretry_budget_percent = 20\nretry_budget_min_per_s = 10\nbreaker_failures = 5\n"
                     "breaker_failure_percent = 50\nbreaker_min_calls = 20\nbreaker_window_ms = 10000\n"
                     'breaker_open_ms = 5000\nclient_cert = ""\nclient_key = ""\nallow_insecure = true\n'
                     "max_requests_per_connection = 1000\nbody_limit = 8388608\nmax_parallel = 8\ncancel_wait_ms = 0\n"
                     '[identity]\nproject = "0123456789abcdef0123456789abcdef"\ncache_ttl_ms = 300000\n'
                     "max_cached = 10000\nrefused_ttl_ms = 10000\nmax_refused = 10000\n"
                     '[auth]\nmode = "passthrough"\ncredentials_file = ""\n'
                     "[jobs]\ncluster_ttl_ms = 3600000\nunknown_ttl_ms = 60000\nmax_entries = 8192\n"
                     '[log]\nlevel = "debug"\naccess = true\n'
                     '[regions.x]\nurl = "https://127.0.0.1:9001"\nidentity_url = "https://127.0.0.1:9002/v3"\n'
                     'projects = ["fedcba9876543210fedcba9876543210"]\nca_file = ""\nclient_cert = ""\n'
                     'client_key = ""\nverify = false\n',
        "dotted-keys": 'upstream.url = "https://mrs.example.com"\nlog.level = "warn"\nserver.body_limit = 0\n',
        "inline-tables": 'upstream = { url = "https://mrs.example.com", max_parallel = 1 }\n'
                         'identity = { url = "https://iam.example.com/v3" }\n',
        "errors": 'listen = "nowhere"\nthreads = 999\nunknown = 1\n[server]\nidle_timeout_ms = 0\n'
                  '[upstream]\nurl = "ftp://x"\nbackend = "mrs-v9"\nverify = "yes"\n'
                  '[identity]\nurl = "https://iam.example.com/v3"\nproject = "p"\n',
        "syntax-error": '[upstream\nurl = "https://mrs.example.com\n',
    }
    for name, text in seeds.items():
        write("fuzz_config", name, text)


def main():
    written, skipped = translator_seeds()
    http_seeds()
    router_seeds()
    config_seeds()
    print(f"fuzz_translators: {written} seeds, {skipped} fixtures above {MAX_SEED} bytes skipped")
    for target in sorted(os.listdir(CORPUS)):
        print(f"{target}: {len(os.listdir(os.path.join(CORPUS, target)))} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
