"""Shared helpers of the conformance tests (cancel_conformance.py, api_conformance.py, list_conformance.py,
resources_conformance.py).

They drive the REAL python-saharaclient / OpenStack CLI against sahara-gateway in front of the MRS
simulator.  Run the scripts with Debian's interpreter (/usr/bin/python3): it is the one that has
python3-saharaclient and python3-keystoneauth1.  Everything here listens on and talks to 127.0.0.1 only.

What lives here:
  * the backend under test (--backend mrs-v1.1|mrs-v2, read when this module is imported, so that the
    scripts' `from harness import SEED_RUNNING` get that backend's ids) and the constants of the
    simulator's --seed-demo data set for it,
  * Failure / check(): the assertion used by every case,
  * Child: a server binary started on port 0 that prints "listening HOST:PORT" (PR_SET_PDEATHSIG, drained
    stdout, bounded start, stderr to a log file),
  * sim_*(): plain HTTP to the simulator (control API and MRS API), never through the gateway,
  * check_common_headers() / expect_api_error(): a gateway answer fed through saharaclient's own
    ResourceManager._raise_api_exception(), i.e. the path that turns an error body into APIException,
  * start_pair() / run_cases() / run_main(): starting sim + gateway, running cases, the final
    "N passed, M failed" line,
  * cli_argv() / CliRun / CliBatch: the real OpenStack CLI (/usr/bin/openstack) pointed at a gateway
    with admin_token auth (sahara-api.md section 11), each command a process of its own, a batch of
    them running a few at a time in the background while the script goes on.
"""

import argparse
import ctypes
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.request

try:
    from keystoneauth1 import session as ks_session
    from keystoneauth1 import token_endpoint
    from saharaclient import client as sahara_client
    from saharaclient.api import base as sahara_base
except ImportError as exc:  # pragma: no cover - environment problem, not a test failure to hide
    print("cannot import saharaclient/keystoneauth1 (%s); run with /usr/bin/python3 (interpreter: %s)"
          % (exc, sys.executable))
    print("0 passed, 1 failed")
    sys.exit(2)

HOST = "127.0.0.1"
PROJECT = "6b2a9f0c1d3e4f5a8b7c6d5e4f3a2b1c"   # --seed-demo project
OTHER_PROJECT = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
TOKEN = "demo-token"
OTHER_TOKEN = "other-token"                      # valid, but for OTHER_PROJECT

# The backend the gateway runs (gateway flag --backend); every script takes --backend and passes it on.
BACKENDS = ("mrs-v1.1", "mrs-v2")


def _backend_arg():
    ap = argparse.ArgumentParser(add_help=False)
    ap.add_argument("--backend", choices=BACKENDS, default="mrs-v1.1")
    known, _ = ap.parse_known_args()
    return known.backend


BACKEND = _backend_arg()
V2 = BACKEND == "mrs-v2"

# --seed-demo data (see GET /_sim/state)
CLUSTER_1 = "c1000000-0000-4000-8000-000000000001"
CLUSTER_2 = "c1000000-0000-4000-8000-000000000002"
CLUSTER_3 = "c36b2a9f-0c1d-3e4f-5a8b-7c6d00000003"
CLUSTER_4 = "c36b2a9f-0c1d-3e4f-5a8b-7c6d00000004"
CLUSTER_5 = "c36b2a9f-0c1d-3e4f-5a8b-7c6d00000005"
DEMO_CLUSTERS = (CLUSTER_1, CLUSTER_2, CLUSTER_3, CLUSTER_4, CLUSTER_5)   # the demo project's, none terminated
TEMPLATE_WORDCOUNT = "b1000000-0000-4000-8000-000000000001"   # MRS job object, MapReduce
TEMPLATE_SPARK = "b1000000-0000-4000-8000-000000000002"       # MRS job object, Spark
UNKNOWN_JOB = "deadbeef-0000-4000-8000-00000000beef"

# The same roles in each backend's demo data: v1.1 job executions, or v2 jobs (their own id space).
SEEDS = {
    "mrs-v1.1": {
        "SEED_RUNNING_1": "a1000000-0000-4000-8000-000000000001",
        "SEED_RUNNING": "a1000000-0000-4000-8000-000000000002",
        "SEED_STARTING": "a1000000-0000-4000-8000-000000000003",
        "SEED_SUCCEEDED": "a1000000-0000-4000-8000-000000000004",
        "SEED_FAILED": "a1000000-0000-4000-8000-000000000005",
        "SEED_KILLED": "a1000000-0000-4000-8000-000000000006",
        "SEED_PROTECTED": "a1000000-0000-4000-8000-000000000007",   # running, MRS refuses its cancel/delete
        "SEED_ERROR": None,
        "SEED_FIFTH_RUNNING": None,
        "SEED_FIFTH_SUCCEEDED": None,
        "SEED_OTHER_PROJECT": "a2000000-0000-4000-8000-000000000001",
    },
    "mrs-v2": {
        "SEED_RUNNING_1": "d1000000-0000-4000-8000-000000000007",   # RUNNING on the fifth cluster
        "SEED_RUNNING": "d1000000-0000-4000-8000-000000000001",     # RUNNING on cluster 1
        "SEED_STARTING": "d1000000-0000-4000-8000-000000000002",    # ACCEPTED on cluster 2
        "SEED_SUCCEEDED": "d1000000-0000-4000-8000-000000000003",   # FINISHED/SUCCEEDED on cluster 1
        "SEED_FAILED": "d1000000-0000-4000-8000-000000000004",      # FINISHED/FAILED on cluster 2
        "SEED_KILLED": "d1000000-0000-4000-8000-000000000005",      # KILLED on cluster 3
        "SEED_PROTECTED": None,                                     # v2 jobs have no protection
        "SEED_ERROR": "d1000000-0000-4000-8000-000000000006",       # FAILED/FAILED on cluster 4
        "SEED_FIFTH_RUNNING": "d1000000-0000-4000-8000-000000000007",
        "SEED_FIFTH_SUCCEEDED": "d1000000-0000-4000-8000-000000000008",
        "SEED_OTHER_PROJECT": "d2000000-0000-4000-8000-000000000001",
    },
}
SEED_RUNNING_1 = SEEDS[BACKEND]["SEED_RUNNING_1"]
SEED_RUNNING = SEEDS[BACKEND]["SEED_RUNNING"]
SEED_STARTING = SEEDS[BACKEND]["SEED_STARTING"]
SEED_SUCCEEDED = SEEDS[BACKEND]["SEED_SUCCEEDED"]
SEED_FAILED = SEEDS[BACKEND]["SEED_FAILED"]
SEED_KILLED = SEEDS[BACKEND]["SEED_KILLED"]
SEED_PROTECTED = SEEDS[BACKEND]["SEED_PROTECTED"]
SEED_ERROR = SEEDS[BACKEND]["SEED_ERROR"]
SEED_FIFTH_RUNNING = SEEDS[BACKEND]["SEED_FIFTH_RUNNING"]
SEED_FIFTH_SUCCEEDED = SEEDS[BACKEND]["SEED_FIFTH_SUCCEEDED"]
SEED_OTHER_PROJECT = SEEDS[BACKEND]["SEED_OTHER_PROJECT"]

# Where /_sim/state keeps this backend's jobs, and the "api" of POST /_sim/jobs.
STATE_JOBS_KEY = "v2_jobs" if V2 else "jobs"
SIM_JOB_API = "v2" if V2 else "v1.1"

# mrs-v2 execute needs the MRS job type in job_configs.configs (docs/api-coverage.md, execute on mrs-v2).
V2_JOB_TYPE_KEY = "mrs.job_type"

# The status Sahara shows for each simulator state name (mrs-sim README, "Job states").
SIM_TO_SAHARA = {"starting": "PENDING", "running": "RUNNING", "succeeded": "SUCCEEDED", "failed": "FAILED",
                 "killed": "KILLED", "abnormal": "FAILED", "error": "FAILED"}

HTTP_TIMEOUT_S = 10           # bound on every HTTP exchange made by a test
START_TIMEOUT_S = 10          # bound on a child printing its "listening" line

REQ_ID_RE = re.compile(r"^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
ERROR_ID_RE = re.compile(r"\nError ID: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TERMINAL = ("SUCCEEDED", "FAILED", "KILLED", "DONEWITHERROR", "SUSPENDFAILED")

# Never let a proxy from the environment see loopback traffic (requests and urllib both honour these).
for _var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
    os.environ.pop(_var, None)
os.environ["no_proxy"] = os.environ["NO_PROXY"] = "127.0.0.1,localhost"

_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Failure(Exception):
    pass


def check(cond, what, *detail):
    if not cond:
        raise Failure(what + ("" if not detail else " | " + " | ".join(str(d) for d in detail)))


# --------------------------------------------------------------------------------------------------
# child processes

try:
    _libc = ctypes.CDLL("libc.so.6", use_errno=True)
except OSError:  # pragma: no cover
    _libc = None


def die_with_parent():
    """preexec_fn: PR_SET_PDEATHSIG = 1, the child gets SIGKILL if the test dies before its finally ran."""
    if _libc is not None:
        _libc.prctl(1, signal.SIGKILL, 0, 0, 0)


class Child:
    """A server binary that prints 'listening HOST:PORT' on stdout once bound."""

    def __init__(self, name, argv, logdir):
        self.name = name
        self.argv = argv
        self.log_path = os.path.join(logdir, name + ".stderr.log")
        self.proc = None
        self.port = None

    def start(self):
        # Appended to: a child started again (a restarted simulator) keeps its earlier log.
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=log, preexec_fn=die_with_parent)
        line = self._read_line(START_TIMEOUT_S)
        m = re.match(r"^listening (127\.0\.0\.1):(\d+)\s*$", line)
        if not m:
            self.stop(signal.SIGKILL)
            raise RuntimeError("%s did not report its port (got %r); stderr: %s"
                               % (self.name, line, self.stderr_tail()))
        self.port = int(m.group(2))
        # Keep draining stdout so that the child can never block on a full pipe.
        threading.Thread(target=self._drain, daemon=True).start()
        return self

    def _read_line(self, timeout):
        fd = self.proc.stdout.fileno()
        buf = b""
        deadline = time.monotonic() + timeout
        while b"\n" not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                break
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            buf += chunk
        return buf.split(b"\n", 1)[0].decode("utf-8", "replace")

    def _drain(self):
        try:
            while self.proc.stdout.read(4096):
                pass
        except (OSError, ValueError):
            pass

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(sig)
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
        try:
            self.proc.stdout.close()
        except OSError:
            pass

    def stderr_tail(self, n=2000):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""


# --------------------------------------------------------------------------------------------------
# plain HTTP to the simulator (control API and MRS API) or to the gateway, no saharaclient involved

def http(port, method, path, body=None, headers=None):
    """One request to 127.0.0.1:port; returns (status, headers, parsed JSON body or None)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request("http://%s:%d%s" % (HOST, port, path), data=data, method=method,
                                 headers=dict(headers or {}))
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with _DIRECT.open(req, timeout=HTTP_TIMEOUT_S) as resp:
            raw = resp.read()
            status, hdrs = resp.status, resp.headers
    except urllib.error.HTTPError as err:
        raw = err.read()
        status, hdrs = err.code, err.headers
    return status, hdrs, (json.loads(raw) if raw else None)


def sim_http(sim, method, path, body=None, headers=None):
    status, _, parsed = http(sim.port, method, path, body, headers)
    return status, parsed


def sim_new_job(sim, state, protected=False, **extra):
    """A job of this backend's kind (POST /_sim/jobs; "api": "v2" on mrs-v2, where no job is protected)."""
    if V2:
        check(not protected, "mrs-v2 jobs cannot be protected (test bug)")
        spec = {"api": "v2", "state": state}
    else:
        spec = {"state": state, "protected": protected}
    spec.update(extra)
    status, body = sim_http(sim, "POST", "/_sim/jobs", spec)
    check(status == 201 and body and "id" in body, "simulator refused to create a %s job" % state, status, body)
    return body["id"]


def sim_state(sim):
    status, body = sim_http(sim, "GET", "/_sim/state")
    check(status == 200, "GET /_sim/state", status)
    return body


def sim_jobs(sim, project=PROJECT):
    """{id: job} of one project, as the simulator holds them now."""
    return {j["id"]: j for j in sim_state(sim)[STATE_JOBS_KEY] if j["project"] == project}


def sim_job(sim, job_id):
    for job in sim_state(sim)[STATE_JOBS_KEY]:
        if job["id"] == job_id:
            return job
    raise Failure("job %s not in /_sim/state" % job_id)


def sim_has_job(sim, job_id):
    return any(j["id"] == job_id for j in sim_state(sim)[STATE_JOBS_KEY])


def sim_stats(sim):
    status, body = sim_http(sim, "GET", "/_sim/stats")
    check(status == 200, "GET /_sim/stats", status)
    return body


def sim_reset_stats(sim):
    status, body = sim_http(sim, "POST", "/_sim/stats/reset")
    check(status == 200, "POST /_sim/stats/reset", status, body)


def mrs_calls(sim):
    """{endpoint: count} of the MRS calls since the last reset, zero counts left out."""
    return {k: v for k, v in sim_stats(sim)["by_endpoint"].items() if v}


def sim_set_faults(sim, faults):
    if faults:
        status, body = sim_http(sim, "POST", "/_sim/faults", faults)
    else:
        status, body = sim_http(sim, "DELETE", "/_sim/faults")
    check(200 <= status < 300, "setting simulator faults %r" % (faults,), status, body)


# --------------------------------------------------------------------------------------------------
# the real saharaclient

def make_session(url, token, timeout=HTTP_TIMEOUT_S):
    """sahara-api.md section 11: the admin_token-style plugin, no Keystone.  token=None: no auth plugin."""
    if token is None:
        return ks_session.Session(timeout=timeout)
    return ks_session.Session(auth=token_endpoint.Token(url, token), timeout=timeout)


def make_sahara_client(url, token, version="1.1", timeout=HTTP_TIMEOUT_S):
    return sahara_client.Client(version, session=make_session(url, token, timeout), sahara_url=url)


def _manager(c):
    """Any ResourceManager of a client; _raise_api_exception is the same on all of them."""
    return getattr(c, "job_executions", None) or c.jobs


def check_common_headers(resp):
    ctype = resp.headers.get("Content-Type", "")
    check(ctype.split(";")[0].strip().lower() == "application/json",
          "Content-Type must be application/json", repr(ctype))
    rid = resp.headers.get("x-openstack-request-id")
    check(rid is not None, "x-openstack-request-id header missing", dict(resp.headers))
    check(REQ_ID_RE.match(rid), "x-openstack-request-id is not req-<uuid4>", repr(rid))


def check_api_exception(exc, http_status, error_name, message_check=None, error_id=True, raw=""):
    """The APIException saharaclient raised (or _raise_api_exception built) for an error answer."""
    check(isinstance(exc, sahara_base.APIException), "expected saharaclient APIException", repr(exc))
    check(exc.error_code == http_status, "APIException.error_code", repr(exc.error_code),
          "expected %d" % http_status, raw[:400])
    check(exc.error_name == error_name and type(exc.error_name) is type(error_name),
          "APIException.error_name", repr(exc.error_name), "expected %r" % (error_name,), raw[:400])
    check(isinstance(exc.error_message, str) and exc.error_message, "APIException.error_message empty",
          repr(exc.error_message))
    check(str(exc) == exc.error_message, "str(APIException) is what the CLI would print", str(exc))
    if error_id:
        check(ERROR_ID_RE.search(exc.error_message), "error_message must end with Sahara's Error ID line",
              repr(exc.error_message))
    if message_check is not None:
        message_check(exc.error_message)
    return exc


def expect_api_error(c, resp, http_status, error_name, message_check=None, error_id=True):
    """Feed an error answer through saharaclient's own exception path and check the APIException."""
    check(resp.status_code == http_status, "HTTP status", resp.status_code, "expected %d" % http_status,
          resp.text[:400])
    check_common_headers(resp)
    try:
        _manager(c)._raise_api_exception(resp)
    except sahara_base.APIException as exc:
        return check_api_exception(exc, http_status, error_name, message_check, error_id, resp.text)
    raise Failure("_raise_api_exception did not raise")


def expect_client_error(call, http_status, error_name, message_check=None, error_id=True):
    """A saharaclient method call that must end in APIException (the client's own error path)."""
    try:
        result = call()
    except sahara_base.APIException as exc:
        return check_api_exception(exc, http_status, error_name, message_check, error_id)
    raise Failure("expected APIException(%d, %r), the call returned %r" % (http_status, error_name, result))


# --------------------------------------------------------------------------------------------------
# running

def start_pair(args, logdir, tag, sim_extra=(), gw_extra=(), identity=False):
    """Start mrs-sim (--seed-demo) and a gateway in front of it; returns (sim, gw), both started.

    The caller owns both Child objects and must stop them (even when this raises: the ones that started
    are in the exception's .children)."""
    sim = Child("mrs-sim-" + tag, [args.sim, "--listen", HOST + ":0", "--seed-demo"] + list(sim_extra), logdir)
    gw = None
    try:
        sim.start()
        upstream = "http://%s:%d" % (HOST, sim.port)
        argv = [args.gateway, "--listen", HOST + ":0", "--threads", "2", "--upstream", upstream,
                "--backend", args.backend]
        if identity:
            argv += ["--identity-url", upstream + "/v3"]
        gw = Child("gateway-" + tag, argv + list(gw_extra), logdir)
        gw.start()
    except Exception as exc:
        exc.children = [c for c in (sim, gw) if c is not None]
        raise
    return sim, gw


def started_pair(args, logdir, tag, tally, sim_extra=(), gw_extra=(), identity=False):
    """start_pair() that counts a failed start: returns (children, sim, gw); sim and gw are None when
    the start failed, and children are the ones to stop either way."""
    try:
        sim, gw = start_pair(args, logdir, tag, sim_extra, gw_extra, identity)
    except Exception as exc:
        tally["failed"] += 1
        print("FAIL setup (%s): %s" % (tag, exc), flush=True)
        return getattr(exc, "children", []), None, None
    return [sim, gw], sim, gw


def run_cases(env, cases, tally):
    """Runs each case, counts it, and fails the run if the gateway (env["gw"]) died meanwhile."""
    for case in cases:
        name = case.__name__[2:] if case.__name__.startswith("t_") else case.__name__
        try:
            case(env)
        except Failure as exc:
            tally["failed"] += 1
            print("FAIL %s: %s" % (name, exc), flush=True)
        except Exception:
            tally["failed"] += 1
            print("FAIL %s: unexpected exception\n%s" % (name, traceback.format_exc()), flush=True)
        else:
            tally["passed"] += 1
            print("ok   %s" % name, flush=True)
    gw = env.get("gw")
    if gw is not None and not gw.alive():
        tally["failed"] += 1
        print("FAIL gateway exited during the run (rc=%s); stderr:\n%s"
              % (gw.proc.returncode, gw.stderr_tail()), flush=True)


def run_main(description, run_phases):
    """Common command line; run_phases(args, logdir, tally) does the work.  Prints the tally line last."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--gateway", required=True, help="path of the sahara-gateway binary")
    ap.add_argument("--sim", required=True, help="path of the mrs-sim binary")
    ap.add_argument("--backend", choices=BACKENDS, default="mrs-v1.1",
                    help="the gateway's upstream backend (default mrs-v1.1)")
    ap.add_argument("--keep-logs", action="store_true", help="keep the children's stderr logs")
    ap.add_argument("--verbose", action="store_true", help="print children's stderr on failure")
    args = ap.parse_args()
    for path in (args.gateway, args.sim):
        if not os.access(path, os.X_OK):
            print("not an executable: %s" % path)
            print("0 passed, 1 failed")
            return 2

    print("# backend: %s" % args.backend, flush=True)
    tally = {"passed": 0, "failed": 0}
    logdir = tempfile.mkdtemp(prefix="sgw-conformance-")
    try:
        run_phases(args, logdir, tally)
    except Exception:
        tally["failed"] += 1
        print("FAIL harness: unexpected exception\n%s" % traceback.format_exc(), flush=True)
    finally:
        if args.keep_logs or tally["failed"]:
            print("# child logs in %s" % logdir)
        else:
            shutil.rmtree(logdir, ignore_errors=True)
    print("%d passed, %d failed" % (tally["passed"], tally["failed"]))
    return 0 if tally["failed"] == 0 else 1


def sahara_page(ids, limit, marker=None):
    """Sahara's job-execution paging (sahara-api.md section 4, db/sqlalchemy/api.job_execution_get_all):
    the page starts AT the marker; a first page's next is its own last id; with a marker at position p,
    prev = ids[p - limit] and next = ids[p + limit].  Returns (page ids, prev, next)."""
    if marker is None:
        page = ids[:limit] if limit else list(ids)
        nxt = ids[limit - 1] if limit and limit < len(ids) else None
        return page, None, nxt
    pos = ids.index(marker)
    if not limit:
        return ids[pos:], None, None
    page = ids[pos:pos + limit]
    prev = ids[pos - limit] if pos - limit >= 0 else None
    nxt = ids[pos + limit] if pos + limit < len(ids) else None
    return page, prev, nxt


def check_page(page, ids, limit, marker, what):
    """A saharaclient Page against sahara_page(ids, limit, marker)."""
    exp_ids, exp_prev, exp_next = sahara_page(ids, limit, marker)
    check(isinstance(page, sahara_base.Page), "%s: the client must return a Page" % what, type(page))
    got = [item.id for item in page]
    check(got == exp_ids, "%s: page rows" % what, "got %s" % got, "expected %s" % exp_ids)
    check(page.prev == exp_prev, "%s: Page.prev (markers.prev)" % what, repr(page.prev), "expected %r" % exp_prev)
    check(page.next == exp_next, "%s: Page.next (markers.next)" % what, repr(page.next), "expected %r" % exp_next)


# --------------------------------------------------------------------------------------------------
# the real OpenStack CLI (python3-openstackclient with the saharaclient plugin), one process per command

CLI = "/usr/bin/openstack"
CLI_TIMEOUT_S = 60            # bound on one CLI run
CLI_PARALLEL = 3              # CLI processes at once (each is ~1.7 s of CPU, mostly imports)


def cli_environment(home):
    """The CLI's environment: no OS_* variable or clouds.yaml of the caller leaks in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env.update({"HOME": home, "LC_ALL": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"})
    return env


def cli_argv(gw_port, version, args, project=PROJECT, token=TOKEN):
    """`openstack ... dataprocessing ARGS` against the gateway on gw_port: API version "1.1" on
    /v1.1/{project}, "2" on /v2 (--os-data-processing-api-version 2); admin_token auth, no Keystone
    (sahara-api.md section 11)."""
    if version == "1.1":
        endpoint, extra = "http://%s:%d/v1.1/%s" % (HOST, gw_port, project), []
    else:
        endpoint, extra = "http://%s:%d/v2" % (HOST, gw_port), ["--os-data-processing-api-version", "2"]
    return ([CLI, "--os-auth-type", "admin_token", "--os-endpoint", endpoint, "--os-token", token] + extra
            + ["dataprocessing"] + list(args))


class CliRun:
    """One CLI process; its output goes to files, so no pipe can fill up."""

    def __init__(self, name, argv, env, workdir, timeout=CLI_TIMEOUT_S):
        self.name, self.argv, self.env, self.timeout = name, argv, env, timeout
        self.out_path = os.path.join(workdir, name + ".out")
        self.err_path = os.path.join(workdir, name + ".err")
        self.proc = None
        self.t0 = None
        self.rc = self.out = self.err = self.secs = None
        self.timed_out = False

    def start(self):
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                         env=self.env, preexec_fn=die_with_parent)
        self.t0 = time.monotonic()
        return self

    def poll(self):
        """True once the process has ended (or was killed at its timeout) and its output is read."""
        if self.rc is not None:
            return True
        if self.proc.poll() is None:
            if time.monotonic() - self.t0 < self.timeout:
                return False
            self.timed_out = True
            self.kill()
        self.secs = time.monotonic() - self.t0
        self.rc = self.proc.returncode
        with open(self.out_path, "rb") as f:
            self.out = f.read().decode("utf-8", "replace")
        with open(self.err_path, "rb") as f:
            self.err = f.read().decode("utf-8", "replace")
        return True

    def wait(self):
        while not self.poll():
            time.sleep(0.05)
        return self

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass

    def describe(self):
        args = self.argv[self.argv.index("dataprocessing"):] if "dataprocessing" in self.argv else self.argv
        return "`%s` rc=%s (%.1fs)%s stdout=%r stderr=%r" % (
            " ".join(args), self.rc, self.secs or 0, " TIMED OUT" if self.timed_out else "",
            (self.out or "")[:800], (self.err or "")[-800:])

    def result(self, want_rc=0):
        """The finished run, checked: no timeout, exit code want_rc."""
        check(self.rc is not None, "CLI command %s has not finished" % self.name)
        check(not self.timed_out, "CLI command timed out", self.describe())
        check(self.rc == want_rc, "CLI exit code (expected %d)" % want_rc, self.describe())
        return self

    def json(self):
        """stdout of a `-f json` run; for execute, the JSON after its 'has been started' line."""
        text = self.out or ""
        start = min([i for i in (text.find("{"), text.find("[")) if i >= 0], default=-1)
        try:
            return json.loads(text[start:] if start >= 0 else text)
        except ValueError:
            raise Failure("CLI -f json output is not JSON: " + self.describe())


class CliBatch:
    """CLI runs started CLI_PARALLEL at a time by a background thread, so that a script can check
    other things while they run; wait() joins it, kill() stops what still runs.  PR_SET_PDEATHSIG
    (die_with_parent) follows the thread that started a process, so the thread lives until its last
    run has ended."""

    def __init__(self, runs, parallel=CLI_PARALLEL):
        self.runs = {run.name: run for run in runs}
        check(len(self.runs) == len(runs), "CLI run names must be unique (test bug)")
        self.parallel = parallel
        self._pending = list(runs)
        self._active = []
        self._stop = False
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self.t0 = time.monotonic()
        self.secs = None

    def start(self):
        self._thread.start()
        return self

    def _pump(self):
        while (self._pending or self._active) and not self._stop:
            while self._pending and len(self._active) < self.parallel:
                self._active.append(self._pending.pop(0).start())
            for run in list(self._active):
                if run.poll():
                    self._active.remove(run)
            time.sleep(0.05)
        self.secs = time.monotonic() - self.t0

    def wait(self):
        self._thread.join()
        return self

    def kill(self):
        self._stop = True
        self._thread.join(timeout=10)
        for run in self.runs.values():
            run.kill()

    def __getitem__(self, name):
        run = self.runs.get(name)
        check(run is not None, "no CLI command %s in the batch (test bug)" % name)
        return run

    def late(self):
        return [run.describe() for run in self.runs.values() if run.timed_out]
