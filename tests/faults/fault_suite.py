#!/usr/bin/python3
"""The fault suite: sahara-gateway in front of failing MRS simulators, under concurrent load.

    fault_suite.py --gateway build/release/sahara-gateway --sim build/release/tests/mrs_sim/mrs-sim
                   [--only NAME[,NAME...]] [--keep-logs] [--no-rss-check]

For each fault below, one run: a fresh mrs-sim (--seed-demo, HTTPS with a test CA made here with
the openssl CLI) and a fresh gateway (2 worker threads, token passthrough, backend mrs-v1.1, a
generated TOML configuration), both on 127.0.0.1 port 0. A fault-free warm-up of the same shape
comes first; then the fault is set in the simulator (POST /_sim/faults) or made by hand (a killed
simulator, a wrong certificate), and CLIENT_THREADS threads, each with its own keep-alive
http.client connection to the gateway, send a fixed mix of Sahara v1.1 calls: show, list,
cancel (retry-safe), execute and delete (never resent once sent).

Every answer must be a success of the shape its call expects, or one of the Sahara-shaped errors
the fault allows ({"error_code": <status>, "error_name", "error_message"}, x-openstack-request-id,
and Retry-After (whole seconds >= 1) on a 503). After each run: the gateway still runs; after an
idle wait longer than its upstream idle timeout, its open descriptors (/proc/PID/fd) are at most
FD_TOLERANCE above the baseline and its VmRSS at most RSS_TOLERANCE_KIB above it (the baseline
is taken after the warm-up and the same idle wait); the simulator's peak_connections never
exceeded threads x upstream.max_connections; faults marked "no retry-safe errors" have none.

Prints a Markdown table (also written to the file SGW_FAULT_TABLE names, if set), then the first
unexpected answers of each fault with their request ids, then "N passed, M failed"; exits 1 when
any check failed. SGW_FAULT_REQUESTS sets the requests per fault (default 320; the two faults
that wait for the gateway's deadline send a quarter of it).

Python 3 standard library only; everything listens on and talks to 127.0.0.1.
"""

import argparse
import concurrent.futures
import http.client
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "conformance"))

from harness import Child  # noqa: E402  (the conformance tests' process handling)

HOST = "127.0.0.1"
PROJECT = "6b2a9f0c1d3e4f5a8b7c6d5e4f3a2b1c"        # mrs-sim --seed-demo
TOKEN = "demo-token"
OTHER_PROJECT = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
OTHER_TOKEN = "other-token"
DEMO_JOBS = ["a1000000-0000-4000-8000-00000000000%d" % n for n in range(1, 7)]   # 7 is protected
OTHER_JOB = "a2000000-0000-4000-8000-000000000001"
TEMPLATE = "b1000000-0000-4000-8000-000000000001"    # job object (wordcount)
CLUSTER = "c1000000-0000-4000-8000-000000000001"
DELETE_PREFIX = "f1000000-0000-4000-8000-"            # jobs made for the deletes of a run

GATEWAY_THREADS = 2
MAX_CONNECTIONS = 4                 # upstream.max_connections: per worker thread, per endpoint
PEAK_LIMIT = GATEWAY_THREADS * MAX_CONNECTIONS
IDLE_TIMEOUT_MS = 1000              # upstream.idle_timeout_ms: pooled connections end this soon
REQUEST_TIMEOUT_MS = 5000           # upstream.request_timeout_ms, unless a fault sets its own
SHORT_DEADLINE_MS = 800             # ... for the faults that wait for the deadline
CLIENT_THREADS = 16
WARMUP_PER_THREAD = 4
FD_TOLERANCE = 4                    # descriptors above the baseline after the idle wait
RSS_TOLERANCE_KIB = 8 * 1024        # VmRSS above the baseline after the idle wait
DEFAULT_REQUESTS = 320

# The call mix, by request number: 4 show, 2 list, 2 cancel, 1 execute, 1 delete in 10.
OPS = ["show", "list", "cancel", "show", "execute", "show", "delete", "cancel", "list", "show"]
RETRY_SAFE = {"show", "list", "cancel"}
ERROR_NAMES = {502: "BAD_GATEWAY", 503: "SERVICE_UNAVAILABLE", 504: "GATEWAY_TIMEOUT"}
REQ_ID = re.compile(r"^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

for _var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
    os.environ.pop(_var, None)


# ------------------------------------------------------------------------------------------------
# the faults

class Fault:
    """One run. sim_faults: the POST /_sim/faults body; errors: the error statuses allowed (each
    with its name from ERROR_NAMES); success: whether successes are allowed; safe_clean: no errors
    at all for retry-safe calls; kind: how the fault is made when it is not a sim fault set."""

    def __init__(self, name, title, sim_faults=None, errors=(), success=True, safe_clean=False,
                 deadline_ms=REQUEST_TIMEOUT_MS, kind="sim", slow=False):
        self.name = name
        self.title = title
        self.sim_faults = sim_faults or {}
        self.errors = set(errors)
        self.success = success
        self.safe_clean = safe_clean
        self.deadline_ms = deadline_ms
        self.kind = kind
        self.slow = slow


# 503 SERVICE_UNAVAILABLE is allowed wherever MRS fails repeatedly: the circuit breaker may open.
FAULTS = [
    Fault("latency", "1. latency 1500 ms > deadline 800 ms", {"latency_ms": 1500}, errors={504, 503},
          success=False, deadline_ms=SHORT_DEADLINE_MS, slow=True),
    Fault("errors_5xx", "2. 5xx (500 on 30 %)", {"error_status": 500, "error_rate": 0.3}, errors={502, 503}),
    Fault("throttling", "3. throttling 429 APIGW.0308 (50 %)", {"throttle_rate": 0.5, "throttle_retry_after_s": 2},
          errors={503}),
    Fault("close_after", "4. keep-alive closed after 3", {"close_after": 3}, errors={502, 503}, safe_clean=True),
    Fault("close_notify", "5. keep-alive closed after 3, close_notify", {"close_after": 3, "close_notify": True},
          errors={502, 503}, safe_clean=True),
    Fault("reset_mid", "6. reset mid-response (20 %)", {"reset_mid_rate": 0.2}, errors={502, 503}),
    Fault("malformed", "7. malformed JSON (20 %)", {"malformed": "garbage", "malformed_rate": 0.2},
          errors={502, 503}),
    Fault("stall_headers", "8. stall after the headers", {"stall_after_headers": True}, errors={504, 503},
          deadline_ms=SHORT_DEADLINE_MS, slow=True),
    Fault("sim_restart", "9. simulator SIGKILLed and restarted", errors={502, 503}, safe_clean=True,
          kind="restart"),
    # A shorter deadline where every call fails: connect and handshake failures may be retried
    # until the deadline.
    Fault("cert_mismatch", "10. certificate for another host", errors={502, 503}, success=False, kind="wrong_cert",
          deadline_ms=2000),
    Fault("region_down", "11. one of two regions down", errors={502, 503}, kind="regions", deadline_ms=2000),
]


# ------------------------------------------------------------------------------------------------
# processes

def open_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def make_certificates(d):
    """A test CA; a server certificate for localhost and 127.0.0.1; one for wrong.example only."""
    def run(*argv):
        subprocess.run(argv, cwd=d, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "2", "-subj", "/CN=sgw-fault-test-ca")
    for name, cn, san in (("server", "localhost", "DNS:localhost,IP:127.0.0.1"),
                          ("wrong", "wrong.example", "DNS:wrong.example")):
        run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
            "-subj", "/CN=" + cn)
        with open(os.path.join(d, name + ".ext"), "w") as f:
            f.write("subjectAltName=%s\n" % san)
        run("openssl", "x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", name + ".pem", "-days", "2", "-extfile", name + ".ext")


# ------------------------------------------------------------------------------------------------
# the simulator's control API (over its own TLS port; faults never apply to it)

class Sim:
    def __init__(self, binary, logdir, certdir, tag, cert="server"):
        self.binary = binary
        self.logdir = logdir
        self.certdir = certdir
        self.tag = tag
        self.cert = cert
        self.child = None
        self.port = 0
        self.ctx = ssl.create_default_context(cafile=os.path.join(certdir, "ca.pem"))
        self.ctx.check_hostname = False   # the control API is ours; the wrong certificate too

    def start(self, port=0):
        argv = [self.binary, "--listen", "%s:%d" % (HOST, port), "--seed-demo", "--threads", "2",
                "--tls-cert", os.path.join(self.certdir, self.cert + ".pem"),
                "--tls-key", os.path.join(self.certdir, self.cert + ".key")]
        self.child = Child("mrs-sim-" + self.tag, argv, self.logdir).start()
        self.port = self.child.port
        return self

    def url(self):
        return "https://%s:%d" % (HOST, self.port)

    def control(self, method, path, body=None):
        conn = http.client.HTTPSConnection(HOST, self.port, context=self.ctx, timeout=10)
        try:
            data = None if body is None else json.dumps(body)
            conn.request(method, path, body=data, headers={"Content-Type": "application/json"} if data else {})
            resp = conn.getresponse()
            raw = resp.read()
            return resp.status, (json.loads(raw) if raw else None)
        finally:
            conn.close()

    def set_faults(self, faults):
        status, body = self.control("POST", "/_sim/faults", faults)
        if status != 200:
            raise RuntimeError("the simulator refused the faults %r: %s %s" % (faults, status, body))

    def stats(self):
        status, body = self.control("GET", "/_sim/stats")
        if status != 200:
            raise RuntimeError("GET /_sim/stats: %s" % status)
        return body

    def reset_stats(self):
        self.control("POST", "/_sim/stats/reset")

    def seed_deletes(self, count):
        status, body = self.control("POST", "/_sim/jobs", {"count": count, "states": {"succeeded": 1},
                                                           "id_prefix": DELETE_PREFIX})
        if status != 201:
            raise RuntimeError("seeding jobs to delete: %s %s" % (status, body))

    def stop(self, sig=signal.SIGTERM):
        if self.child:
            self.child.stop(sig)


# ------------------------------------------------------------------------------------------------
# the gateway's configuration

def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return json.dumps(str(v))   # a TOML basic string is a JSON string for these values


def gateway_config(upstream_url, ca_file, deadline_ms, regions=None):
    """TOML text of the gateway's configuration."""
    upstream = {
        "url": upstream_url,
        "backend": "mrs-v1.1",
        "ca_file": ca_file,
        "request_timeout_ms": deadline_ms,
        "idle_timeout_ms": IDLE_TIMEOUT_MS,
        "connect_timeout_ms": 1000,
        "max_connections": MAX_CONNECTIONS,
        "max_pending": 256,
        "retry_budget_percent": 20,
        "retry_budget_min_per_s": 10,
        "breaker_failures": 5,
        "breaker_failure_percent": 50,
        "breaker_min_calls": 20,
        "breaker_window_ms": 10000,
        "breaker_open_ms": 5000,
    }
    lines = ["listen = %s" % toml_value(HOST + ":0"), "threads = %d" % GATEWAY_THREADS, "",
             "[upstream]"]
    lines += ["%s = %s" % (k, toml_value(v)) for k, v in upstream.items()]
    lines += ["", "[auth]", 'mode = "passthrough"', "", "[log]", 'level = "info"']
    if regions:
        for name, spec in regions.items():
            lines += ["", "[regions.%s]" % name]
            lines += ["%s = %s" % (k, toml_value(v)) for k, v in spec.items()]
    return "\n".join(lines) + "\n"


class Result:
    __slots__ = ("op", "project", "status", "ok", "expected", "why", "request_id")

    def __init__(self, op, project, status, ok, expected, why, request_id):
        self.op, self.project, self.status = op, project, status
        self.ok, self.expected, self.why, self.request_id = ok, expected, why, request_id


class DeleteTargets:
    """Ids of jobs to delete, each used once. gate(): new deletes wait while the simulator is
    replaced (fault 9), so none reaches a simulator that does not have its job yet."""

    def __init__(self, count):
        self.ids = [DELETE_PREFIX + "%012d" % n for n in range(1, count + 1)]
        self.next = 0
        self.cond = threading.Condition()
        self.open = True
        self.in_flight = 0

    def take(self):
        with self.cond:
            self.cond.wait_for(lambda: self.open, timeout=30)
            if self.next >= len(self.ids):
                return None
            self.next += 1
            self.in_flight += 1
            return self.ids[self.next - 1]

    def done(self):
        with self.cond:
            self.in_flight -= 1
            self.cond.notify_all()

    def close_and_drain(self, timeout):
        with self.cond:
            self.open = False
            return self.cond.wait_for(lambda: self.in_flight == 0, timeout=timeout)

    def reopen(self):
        with self.cond:
            self.open = True
            self.cond.notify_all()


def plan(n, fault):
    """(op, project, token, job) of request n."""
    op = OPS[n % len(OPS)]
    if fault.kind == "regions" and n % 2 == 1:
        # The other project: its region is down. Reads and cancels only (it has no job object).
        return ("list" if op == "list" else "cancel" if op == "cancel" else "show"), OTHER_PROJECT, OTHER_TOKEN
    return op, PROJECT, TOKEN


def check_answer(op, job, status, headers, raw, fault, project):
    """(ok, expected, why): a success of the right shape, an allowed error, or neither."""
    ctype = headers.get("Content-Type", "")
    rid = headers.get("x-openstack-request-id")
    body = None
    if raw:
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
    success_allowed = fault.success and not (fault.kind == "regions" and project == OTHER_PROJECT)
    errors_allowed = set(fault.errors)
    if fault.kind == "regions" and project == PROJECT:
        errors_allowed = set()            # the demo project's region is up: everything succeeds
    want = {"show": 200, "cancel": 200, "list": 200, "execute": 202, "delete": 204}[op]
    if status == want:
        if op in ("show", "cancel", "execute"):
            je = body.get("job_execution") if isinstance(body, dict) else None
            good = isinstance(je, dict) and isinstance(je.get("id"), str) and (op == "execute" or je["id"] == job)
        elif op == "list":
            good = isinstance(body, dict) and isinstance(body.get("job_executions"), list)
        else:
            good = raw == b""
        if not good:
            return False, False, "%d with a body of the wrong shape: %r" % (status, raw[:200])
        if not success_allowed:
            return True, False, "success where the fault allows none"
        return True, True, ""
    if status in ERROR_NAMES:
        if not (isinstance(body, dict) and body.get("error_code") == status
                and body.get("error_name") == ERROR_NAMES[status]
                and isinstance(body.get("error_message"), str) and body["error_message"]):
            return False, False, "%d without the Sahara error body: %r" % (status, raw[:200])
        if ctype.split(";")[0].strip().lower() != "application/json":
            return False, False, "%d with Content-Type %r" % (status, ctype)
        if not (rid and REQ_ID.match(rid)):
            return False, False, "%d without x-openstack-request-id" % status
        if status == 503:
            ra = headers.get("Retry-After", "")
            if not (ra.isdigit() and int(ra) >= 1):
                return False, False, "503 without Retry-After >= 1 (got %r)" % ra
        if status not in errors_allowed:
            return False, False, "%d %s is not expected here: %s" % (status, ERROR_NAMES[status],
                                                                     body["error_message"][:160])
        return False, True, ""
    return False, False, "%d: %r" % (status, raw[:200])


class Load:
    """CLIENT_THREADS threads, each with one keep-alive connection to the gateway."""

    def __init__(self, gw_port, fault, deletes, client_timeout_s, pace_s=0.0):
        self.gw_port = gw_port
        self.fault = fault
        self.deletes = deletes
        self.timeout = client_timeout_s
        self.pace = pace_s
        self.lock = threading.Lock()
        self.counter = 0
        self.total = 0
        self.results = []

    def _next(self):
        with self.lock:
            if self.counter >= self.total:
                return None
            self.counter += 1
            return self.counter - 1

    def answered(self):
        with self.lock:
            return len(self.results)

    def _one(self, conn, n):
        op, project, token = plan(n, self.fault)
        job = None
        body = None
        headers = {"X-Auth-Token": token}
        base = "/v1.1/%s" % project
        if op == "show":
            job = OTHER_JOB if project == OTHER_PROJECT else DEMO_JOBS[n % len(DEMO_JOBS)]
            method, path = "GET", "%s/job-executions/%s" % (base, job)
        elif op == "cancel":
            job = OTHER_JOB if project == OTHER_PROJECT else DEMO_JOBS[(n // 3) % len(DEMO_JOBS)]
            method, path = "GET", "%s/job-executions/%s/cancel" % (base, job)
        elif op == "list":
            method, path = "GET", "%s/job-executions?limit=20" % base
        elif op == "execute":
            method, path = "POST", "%s/jobs/%s/execute" % (base, TEMPLATE)
            body = json.dumps({"cluster_id": CLUSTER, "job_configs": {"args": ["in", "out"]}})
            headers["Content-Type"] = "application/json"
        else:
            job = self.deletes.take()
            if job is None:   # more deletes than jobs made for them: a show instead
                op, job = "show", DEMO_JOBS[0]
                method, path = "GET", "%s/job-executions/%s" % (base, job)
            else:
                method, path = "DELETE", "%s/job-executions/%s" % (base, job)
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            raw = resp.read()
            ok, expected, why = check_answer(op, job, resp.status, resp.headers, raw, self.fault, project)
            rid = resp.headers.get("x-openstack-request-id") or "(no request id)"
            result = Result(op, project, resp.status, ok, expected, why, rid)
            if resp.headers.get("Connection", "").lower() == "close":
                conn.close()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            result = Result(op, project, 0, False, False, "no answer from the gateway: %r" % exc, "(no answer)")
        finally:
            if op == "delete":
                self.deletes.done()
        with self.lock:
            self.results.append(result)

    def _worker(self):
        conn = http.client.HTTPConnection(HOST, self.gw_port, timeout=self.timeout)
        try:
            while True:
                n = self._next()
                if n is None:
                    return
                self._one(conn, n)
                if self.pace:
                    time.sleep(self.pace)
        finally:
            conn.close()

    def run(self, total, during=None):
        """Sends `total` requests; `during(load)` runs in this thread meanwhile (fault 9)."""
        with self.lock:
            self.counter = 0
            self.total = total
            self.results = []
        with concurrent.futures.ThreadPoolExecutor(CLIENT_THREADS) as pool:
            futures = [pool.submit(self._worker) for _ in range(CLIENT_THREADS)]
            if during:
                during(self)
            for f in futures:
                f.result()
        return list(self.results)


# ------------------------------------------------------------------------------------------------
# one run

class Outcome:
    def __init__(self, fault):
        self.fault = fault
        self.requests = 0
        self.successes = 0
        self.expected = 0
        self.unexpected = []      # Result
        self.by_status = {}
        self.peak = None
        self.gateway_peak = None   # the most connections one worker's pool held
        self.pool_totals = {}
        self.failed_checks = []   # text
        self.notes = []
        self.seconds = 0.0

    def check(self, cond, what):
        if not cond:
            self.failed_checks.append(what)

    def failed(self):
        return bool(self.unexpected or self.failed_checks)


def settle(gw_pid, fd_limit):
    """Waits past the upstream idle timeout, then until the descriptors are back (bounded)."""
    time.sleep(IDLE_TIMEOUT_MS / 1000.0 + 1.0)
    deadline = time.monotonic() + 4.0
    while fd_limit is not None and open_fds(gw_pid) > fd_limit and time.monotonic() < deadline:
        time.sleep(0.25)


def gateway_pool_stats(gw):
    """The "upstream pool" lines each worker logs as it stops (JSON, one per pool)."""
    pools = []
    with open(gw.log_path, encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if rec.get("msg") == "upstream pool":
                pools.append(rec)
    return pools


def run_fault(fault, args, requests, logdir, certdir):
    out = Outcome(fault)
    started = time.monotonic()
    children = []
    try:
        tag = fault.name
        sim = Sim(args.sim, logdir, certdir, tag, cert="wrong" if fault.kind == "wrong_cert" else "server").start()
        children.append(sim)
        regions = None
        region_sim = None
        if fault.kind == "regions":
            region_sim = Sim(args.sim, logdir, certdir, tag + "-region").start()
            children.append(region_sim)
            regions = {"x": {"url": region_sim.url(), "projects": [OTHER_PROJECT],
                             "ca_file": os.path.join(certdir, "ca.pem")}}
        deletes = DeleteTargets(requests // len(OPS) + CLIENT_THREADS * WARMUP_PER_THREAD + 8)
        sim.seed_deletes(len(deletes.ids))

        cfg_path = os.path.join(logdir, "gateway-%s.toml" % tag)
        with open(cfg_path, "w") as f:
            f.write(gateway_config(sim.url(), os.path.join(certdir, "ca.pem"), fault.deadline_ms, regions))
        gw = Child("gateway-" + tag, [args.gateway, "--config", cfg_path], logdir).start()
        children.append(gw)
        pid = gw.proc.pid
        client_timeout = max(10.0, 3 * fault.deadline_ms / 1000.0)

        # Warm-up of the same shape as the run, without faults (through a wrong certificate
        # nothing can succeed: there it meets the fault already); then the baseline.
        warm_fault = fault if fault.kind == "wrong_cert" else Fault("warm-up", "")
        warm_results = Load(gw.port, warm_fault, deletes, client_timeout).run(CLIENT_THREADS * WARMUP_PER_THREAD)
        bad_warm = [r for r in warm_results if not r.expected]
        out.check(not bad_warm, "warm-up: %d of %d answers were not as expected (first: %s %s)"
                  % (len(bad_warm), len(warm_results), bad_warm[0].request_id if bad_warm else "",
                     bad_warm[0].why if bad_warm else ""))
        settle(pid, None)
        base_fds, base_rss = open_fds(pid), rss_kib(pid)

        if fault.kind == "regions":
            region_sim.stop(signal.SIGKILL)   # killed before the run
        sim.reset_stats()
        if fault.sim_faults:
            sim.set_faults(fault.sim_faults)

        load = Load(gw.port, fault, deletes, client_timeout, pace_s=0.1 if fault.kind == "restart" else 0.0)
        peaks = []
        if fault.kind == "restart":
            def kill_and_restart(ld):
                # When about 30 % are answered: SIGKILL, about half a second down, restart on the
                # same port with fresh data (the deletes wait meanwhile; their jobs are remade).
                deadline = time.monotonic() + 60
                while ld.answered() < requests * 3 // 10 and time.monotonic() < deadline:
                    time.sleep(0.01)
                try:
                    peaks.append(sim.stats()["peak_connections"])
                except (OSError, RuntimeError, http.client.HTTPException, ValueError) as exc:
                    out.notes.append("stats before the kill: %r" % exc)
                if not deletes.close_and_drain(timeout=30):
                    out.failed_checks.append("deletes in flight did not finish before the kill")
                port = sim.port
                sim.stop(signal.SIGKILL)
                killed_at = time.monotonic()
                time.sleep(0.5)
                sim.start(port)
                sim.seed_deletes(len(deletes.ids))
                deletes.reopen()
                out.notes.append("down %.2f s" % (time.monotonic() - killed_at))
            results = load.run(requests, kill_and_restart)
        else:
            results = load.run(requests)

        out.requests = len(results)
        for r in results:
            out.by_status[r.status] = out.by_status.get(r.status, 0) + 1
            if r.ok and r.expected:
                out.successes += 1
            elif r.expected:
                out.expected += 1
            else:
                out.unexpected.append(r)
        if fault.safe_clean:
            safe_errors = [r for r in results if r.op in RETRY_SAFE and not r.ok]
            out.check(not safe_errors, "%d errors for retry-safe calls (none allowed)" % len(safe_errors))
        if fault.kind == "regions":
            demo_bad = [r for r in results if r.project == PROJECT and not (r.ok and r.expected)]
            out.check(not demo_bad, "%d demo-project requests did not succeed" % len(demo_bad))

        try:
            st = sim.stats()
            peaks.append(st["peak_connections"])
        except (OSError, RuntimeError, http.client.HTTPException, ValueError) as exc:
            out.failed_checks.append("reading the simulator's stats: %r" % exc)
        out.peak = max(peaks) if peaks else None
        # The simulator learns that the gateway closed a connection only when it reads the FIN,
        # which may come after the connection that replaced it: one per worker may be counted
        # twice for a moment. The exact check is the gateway's own count, below.
        out.check(out.peak is not None and out.peak <= PEAK_LIMIT + GATEWAY_THREADS,
                  "peak upstream connections seen by the simulator %s > %d (threads %d x max_connections %d, "
                  "plus one closing connection per worker)" % (out.peak, PEAK_LIMIT + GATEWAY_THREADS,
                                                               GATEWAY_THREADS, MAX_CONNECTIONS))

        out.check(gw.alive(), "the gateway exited (rc=%s): %s" % (gw.proc.poll(), gw.stderr_tail()))
        if gw.alive():
            sim.set_faults({})
            settle(pid, base_fds + FD_TOLERANCE)
            fds, rss = open_fds(pid), rss_kib(pid)
            out.notes.append("fds %d->%d, RSS %.1f->%.1f MiB" % (base_fds, fds, base_rss / 1024.0, rss / 1024.0))
            out.check(fds <= base_fds + FD_TOLERANCE, "open descriptors %d > baseline %d + %d"
                      % (fds, base_fds, FD_TOLERANCE))
            out.check(args.no_rss_check or rss <= base_rss + RSS_TOLERANCE_KIB,
                      "VmRSS %d KiB > baseline %d KiB + %d KiB" % (rss, base_rss, RSS_TOLERANCE_KIB))
            out.check(gw.alive(), "the gateway exited after the run")
            # The gateway's own count, exact where the simulator's lags (it learns of a close
            # only when it reads the FIN): each worker logs its pools' figures as it stops.
            gw.stop()
            pools = gateway_pool_stats(gw)
            out.check(len(pools) >= GATEWAY_THREADS, "the gateway logged %d pool summaries at exit" % len(pools))
            out.gateway_peak = max((p["peak_connections"] for p in pools), default=None)
            out.check(all(p["peak_connections"] <= MAX_CONNECTIONS for p in pools),
                      "a worker's pool held %s connections > max_connections %d"
                      % (out.gateway_peak, MAX_CONNECTIONS))
            out.pool_totals = {k: sum(p.get(k, 0) for p in pools)
                               for k in ("stale_reuse", "resent", "reconnects", "queue_full", "breaker_opened")}
    except Exception as exc:   # a broken run is a failed check, and the next fault still runs
        out.failed_checks.append("run aborted: %r" % exc)
    finally:
        for c in reversed(children):
            c.stop()
    out.seconds = time.monotonic() - started
    return out


def check_sim_gauge(args, logdir, certdir):
    """The simulator's open_connections / peak_connections, which the peak check relies on:
    three MRS connections held at once, then closed. Returns a list of problems."""
    problems = []
    sim = Sim(args.sim, logdir, certdir, "gauge").start()
    try:
        sim.reset_stats()
        conns = [http.client.HTTPSConnection(HOST, sim.port, context=sim.ctx, timeout=10) for _ in range(3)]
        for c in conns:
            c.request("GET", "/v1.1/%s/job-executions/%s" % (PROJECT, DEMO_JOBS[0]), headers={"X-Auth-Token": TOKEN})
            c.getresponse().read()
        st = sim.stats()
        if (st.get("open_connections"), st.get("peak_connections")) != (3, 3):
            problems.append("simulator gauge with 3 connections open: open %s, peak %s"
                            % (st.get("open_connections"), st.get("peak_connections")))
        for c in conns:
            c.close()
        deadline = time.monotonic() + 5
        while sim.stats().get("open_connections") != 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        st = sim.stats()
        if (st.get("open_connections"), st.get("peak_connections")) != (0, 3):
            problems.append("simulator gauge after closing them: open %s, peak %s"
                            % (st.get("open_connections"), st.get("peak_connections")))
    finally:
        sim.stop()
    return problems


# ------------------------------------------------------------------------------------------------
# report

def table(outcomes):
    rows = ["| fault | requests | successes | expected errors | unexpected errors | peak upstream connections "
            "(per worker / seen by MRS) | answers by status | stale reuse / resent / reconnects | checks failed "
            "| time s |",
            "|---|---:|---:|---:|---:|---:|---|---|---|---:|"]
    for o in outcomes:
        statuses = ", ".join("%s: %d" % ("none" if s == 0 else s, c) for s, c in sorted(o.by_status.items()))
        checks = "; ".join(o.failed_checks) if o.failed_checks else "none"
        peak = "%s / %s" % ("-" if o.gateway_peak is None else o.gateway_peak, "-" if o.peak is None else o.peak)
        retries = "%s / %s / %s" % tuple(o.pool_totals.get(k, "-") for k in ("stale_reuse", "resent", "reconnects"))
        rows.append("| %s | %d | %d | %d | %d | %s | %s | %s | %s | %.1f |"
                    % (o.fault.title, o.requests, o.successes, o.expected, len(o.unexpected), peak,
                       statuses or "-", retries, checks.replace("|", "/"), o.seconds))
    return "\n".join(rows) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gateway", required=True, help="the sahara-gateway binary")
    ap.add_argument("--sim", required=True, help="the mrs-sim binary")
    ap.add_argument("--only", default="", help="comma-separated fault names to run (default: all): "
                    + ", ".join(f.name for f in FAULTS))
    ap.add_argument("--keep-logs", action="store_true", help="keep the temporary folder with logs and configs")
    ap.add_argument("--no-rss-check", action="store_true",
                    help="skip the VmRSS check (sanitizer builds, whose allocators hold on to memory)")
    args = ap.parse_args()
    for path in (args.gateway, args.sim):
        if not os.access(path, os.X_OK):
            print("not an executable: %s" % path)
            print("0 passed, 1 failed")
            return 2
    chosen = [f for f in FAULTS if not args.only or f.name in args.only.split(",")]
    unknown = set(args.only.split(",")) - {f.name for f in FAULTS} - {""}
    if unknown:
        print("unknown fault names: %s" % ", ".join(sorted(unknown)))
        return 2
    try:
        requests = int(os.environ.get("SGW_FAULT_REQUESTS", DEFAULT_REQUESTS))
    except ValueError:
        print("SGW_FAULT_REQUESTS must be an integer")
        return 2
    requests = max(requests, 2 * CLIENT_THREADS)

    workdir = tempfile.mkdtemp(prefix="sgw-faults-")
    certdir = os.path.join(workdir, "certs")
    os.mkdir(certdir)
    started = time.monotonic()
    outcomes = []
    setup_failed = 1   # until the set-up has passed
    try:
        make_certificates(certdir)
        gauge_problems = check_sim_gauge(args, workdir, certdir)
        setup_failed = 0
        print("# gateway threads %d, upstream.max_connections %d (peak limit %d), idle timeout %d ms, "
              "%d client threads, %d requests per fault (%d for the deadline faults)"
              % (GATEWAY_THREADS, MAX_CONNECTIONS, PEAK_LIMIT, IDLE_TIMEOUT_MS, CLIENT_THREADS, requests,
                 max(CLIENT_THREADS, requests // 4)), flush=True)
        for problem in gauge_problems:
            print("FAIL sim_gauge: %s" % problem, flush=True)
        if gauge_problems:
            setup_failed = 1
            return 1
        for fault in chosen:
            n = max(CLIENT_THREADS, requests // 4) if fault.slow else requests
            o = run_fault(fault, args, n, workdir, certdir)
            outcomes.append(o)
            print("%s %s: %d requests, %d successes, %d expected errors, %d unexpected, peak %s, %.1f s%s"
                  % ("FAIL" if o.failed() else "ok  ", fault.name, o.requests, o.successes, o.expected,
                     len(o.unexpected), o.peak, o.seconds, (" (" + "; ".join(o.notes) + ")") if o.notes else ""),
                  flush=True)
    finally:
        text = table(outcomes)
        print()
        print(text)
        dest = os.environ.get("SGW_FAULT_TABLE")
        if dest:
            with open(dest, "w") as f:
                f.write(text)
        for o in outcomes:
            for what in o.failed_checks:
                print("FAIL %s: %s" % (o.fault.name, what))
            for r in o.unexpected[:5]:
                print("FAIL %s: unexpected answer to %s (%s): %s [request id %s]"
                      % (o.fault.name, r.op, "demo project" if r.project == PROJECT else "other project",
                         r.why, r.request_id))
            if len(o.unexpected) > 5:
                print("FAIL %s: ... and %d more unexpected answers" % (o.fault.name, len(o.unexpected) - 5))
        failed = sum(1 for o in outcomes if o.failed()) + setup_failed
        print("# %.1f s in all" % (time.monotonic() - started))
        if args.keep_logs or failed:
            print("# logs, configurations and certificates in %s" % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
        print("%d passed, %d failed" % (sum(1 for o in outcomes if not o.failed()), failed))
    return 0 if outcomes and not setup_failed and not any(o.failed() for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
