#!/usr/bin/python3
"""Conformance test: Sahara v1.1 cancel through sahara-gateway, driven by the REAL python-saharaclient.

Run with Debian's interpreter (/usr/bin/python3): it is the one that has python3-saharaclient and
python3-keystoneauth1.  The test starts its own MRS simulator and gateway on 127.0.0.1, port 0:

    /usr/bin/python3 cancel_conformance.py --gateway build/release/sahara-gateway \
                                           --sim build/release/tests/mrs_sim/mrs-sim

The client is set up the way sahara-api.md section 11 describes (admin_token-style auth plugin, literal
project id in the endpoint, no Keystone).  saharaclient has no cancel method, so cancels go through the
client's own keystoneauth adapter (c.job_executions.api.get(".../cancel")), successes are also read through
ResourceManager._get(), and error answers are fed through ResourceManager._raise_api_exception(), i.e. the
exact path saharaclient uses to turn an error body into APIException(error_code, error_name, error_message).

The OpenStack CLI is not exercised: `openstack command list` (OSC 6.0.0 + saharaclient plugin) offers
`dataprocessing job delete|execute|list|show|update` and no cancel/suspend/refresh command (as
sahara-api.md section 10.2 says), and none of those routes is implemented by the gateway yet (the gateway
answers 404 for them), so there is no cancel-relevant CLI command to run.

Prints one line per test case and a final "N passed, M failed"; exits 0 only if nothing failed.
"""

import argparse
import ctypes
import json
import os
import re
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

# --seed-demo job executions (see GET /_sim/state)
SEED_RUNNING = "a1000000-0000-4000-8000-000000000002"
SEED_STARTING = "a1000000-0000-4000-8000-000000000003"
SEED_SUCCEEDED = "a1000000-0000-4000-8000-000000000004"
SEED_FAILED = "a1000000-0000-4000-8000-000000000005"
SEED_KILLED = "a1000000-0000-4000-8000-000000000006"
SEED_PROTECTED = "a1000000-0000-4000-8000-000000000007"
SEED_OTHER_PROJECT = "a2000000-0000-4000-8000-000000000001"
UNKNOWN_JOB = "deadbeef-0000-4000-8000-00000000beef"

KILL_DELAY_MS = 400           # mrs-sim --kill-delay-ms: a cancelled job becomes KILLED after this
UPSTREAM_TIMEOUT_MS = 1500    # gateway --upstream-request-timeout-ms (the 504 case waits this long)
HTTP_TIMEOUT_S = 10           # bound on every HTTP exchange made by this test
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


def _die_with_parent():
    # PR_SET_PDEATHSIG = 1: the child gets SIGKILL if this test is killed before its finally ran.
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
        log = open(self.log_path, "wb")
        try:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=log, preexec_fn=_die_with_parent)
        finally:
            log.close()
        line = self._read_line(START_TIMEOUT_S)
        m = re.match(r"^listening (127\.0\.0\.1):(\d+)\s*$", line)
        if not m:
            raise RuntimeError("%s did not report its port (got %r); stderr: %s"
                               % (self.name, line, self.stderr_tail()))
        self.port = int(m.group(2))
        # Keep draining stdout so that the child can never block on a full pipe.
        threading.Thread(target=self._drain, daemon=True).start()
        return self

    def _read_line(self, timeout):
        import select
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
# plain HTTP to the simulator (control API and MRS API), never through the gateway

def sim_http(sim, method, path, body=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request("http://%s:%d%s" % (HOST, sim.port, path), data=data, method=method,
                                 headers=dict(headers or {}))
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with _DIRECT.open(req, timeout=HTTP_TIMEOUT_S) as resp:
            raw = resp.read()
            status = resp.status
    except urllib.error.HTTPError as err:
        raw = err.read()
        status = err.code
    return status, (json.loads(raw) if raw else None)


def sim_new_job(sim, state, protected=False):
    status, body = sim_http(sim, "POST", "/_sim/jobs", {"state": state, "protected": protected})
    check(status == 201 and body and "id" in body, "simulator refused to create a %s job" % state, status, body)
    return body["id"]


def sim_job(sim, job_id):
    status, body = sim_http(sim, "GET", "/_sim/state")
    check(status == 200, "GET /_sim/state", status)
    for job in body["jobs"]:
        if job["id"] == job_id:
            return job
    raise Failure("job %s not in /_sim/state" % job_id)


def sim_set_faults(sim, faults):
    if faults:
        status, body = sim_http(sim, "POST", "/_sim/faults", faults)
    else:
        status, body = sim_http(sim, "DELETE", "/_sim/faults")
    check(200 <= status < 300, "setting simulator faults %r" % (faults,), status, body)


# --------------------------------------------------------------------------------------------------
# the real saharaclient

def endpoint(gw, project=PROJECT):
    return "http://%s:%d/v1.1/%s" % (HOST, gw.port, project)


def make_client(gw, token=TOKEN, project=PROJECT):
    url = endpoint(gw, project)
    if token is None:
        # No auth plugin at all: saharaclient then sends no X-Auth-Token header.
        sess = ks_session.Session(timeout=HTTP_TIMEOUT_S)
    else:
        sess = ks_session.Session(auth=token_endpoint.Token(url, token), timeout=HTTP_TIMEOUT_S)
    return sahara_client.Client("1.1", session=sess, sahara_url=url)


SEEN_REQUEST_IDS = []


def cancel(c, job_id):
    """One cancel through saharaclient's adapter; returns the requests.Response."""
    resp = c.job_executions.api.get("/job-executions/%s/cancel" % job_id)
    rid = resp.headers.get("x-openstack-request-id")
    if rid is not None:
        SEEN_REQUEST_IDS.append(rid)
    return resp


def check_common_headers(resp):
    ctype = resp.headers.get("Content-Type", "")
    check(ctype.split(";")[0].strip().lower() == "application/json",
          "Content-Type must be application/json", repr(ctype))
    rid = resp.headers.get("x-openstack-request-id")
    check(rid is not None, "x-openstack-request-id header missing", dict(resp.headers))
    check(REQ_ID_RE.match(rid), "x-openstack-request-id is not req-<uuid4>", repr(rid))


def check_cancel_ok(resp, job_id, statuses):
    """200 + Sahara envelope; returns the job_execution object."""
    check(resp.status_code == 200, "cancel %s: HTTP status" % job_id, resp.status_code, resp.text[:400])
    check_common_headers(resp)
    body = resp.json()
    check(isinstance(body, dict) and list(body.keys()) == ["job_execution"],
          "answer must be {\"job_execution\": {...}}", resp.text[:400])
    je = body["job_execution"]
    check(isinstance(je, dict), "job_execution must be an object", je)
    check(je.get("id") == job_id, "job_execution.id", je.get("id"), job_id)
    check("job_id" in je, "job_execution.job_id missing (the CLI dereferences it)", sorted(je))
    check(je.get("tenant_id") == PROJECT, "job_execution.tenant_id", je.get("tenant_id"))
    check(isinstance(je.get("info"), dict), "job_execution.info must be an object", je.get("info"))
    check(je["info"].get("status") in statuses, "info.status of %s" % job_id, je["info"].get("status"),
          "expected one of %s" % (statuses,))
    return je


def expect_api_error(c, resp, http_status, error_name, message_check=None):
    """Feed an error answer through saharaclient's own exception path and check the APIException."""
    check(resp.status_code == http_status, "HTTP status", resp.status_code, "expected %d" % http_status,
          resp.text[:400])
    check_common_headers(resp)
    try:
        c.job_executions._raise_api_exception(resp)
    except sahara_base.APIException as exc:
        check(exc.error_code == http_status, "APIException.error_code", repr(exc.error_code),
              "expected %d" % http_status, resp.text[:400])
        check(exc.error_name == error_name, "APIException.error_name", repr(exc.error_name),
              "expected %r" % error_name)
        check(isinstance(exc.error_message, str) and exc.error_message, "APIException.error_message empty",
              repr(exc.error_message))
        check(str(exc) == exc.error_message, "str(APIException) is what the CLI would print", str(exc))
        check(ERROR_ID_RE.search(exc.error_message), "error_message must end with Sahara's Error ID line",
              repr(exc.error_message))
        if message_check is not None:
            message_check(exc.error_message)
        return exc
    raise Failure("_raise_api_exception did not raise")


# --------------------------------------------------------------------------------------------------
# test cases

def t_running_job_is_being_killed(env):
    c, sim = env["client"], env["sim"]
    job = sim_new_job(sim, "running")
    resp = cancel(c, job)
    je = check_cancel_ok(resp, job, ("TOBEKILLED", "KILLED"))
    check(je.get("cluster_id"), "cluster_id of a job on a live cluster", je.get("cluster_id"))
    state = sim_job(sim, job)
    check(state["kill_pending"] or state["status"] == "killed",
          "the gateway must really have cancelled the job in MRS", state)
    env["cancelled_job"] = job
    env["cancelled_at"] = time.monotonic()


def t_running_job_killed_after_delay(env):
    c, job = env["client"], env.get("cancelled_job")
    check(job is not None, "depends on the previous case")
    # Wait out the kill delay, then poll (cancel is idempotent) for a bounded time.
    time.sleep(max(0.0, KILL_DELAY_MS / 1000.0 - (time.monotonic() - env["cancelled_at"])))
    deadline = time.monotonic() + 5
    status = None
    while True:
        je = check_cancel_ok(cancel(c, job), job, ("TOBEKILLED", "KILLED"))
        status = je["info"]["status"]
        if status == "KILLED" or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    check(status == "KILLED", "status after the kill delay", status)
    check(je.get("end_time"), "a KILLED job should carry end_time", je.get("end_time"))
    check(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$", je["end_time"]),
          "end_time must be Sahara's YYYY-MM-DDTHH:MM:SS", je["end_time"])


def t_client_resource_path(env):
    # ResourceManager._get(): the client's own success path (status 200 + response key).
    c = env["client"]
    res = c.job_executions._get("/job-executions/%s/cancel" % SEED_RUNNING, "job_execution")
    check(res.id == SEED_RUNNING, "JobExecution.id", res.id)
    check(hasattr(res, "job_id"), "JobExecution.job_id attribute")
    check(res.info["status"] in ("TOBEKILLED", "KILLED"), "JobExecution.info['status']", res.info)


def t_starting_job(env):
    c = env["client"]
    check_cancel_ok(cancel(c, SEED_STARTING), SEED_STARTING, ("TOBEKILLED", "KILLED"))


def _finished(env, seed_id, sim_state, expected):
    c, sim = env["client"], env["sim"]
    for job in (seed_id, sim_new_job(sim, sim_state)):
        for _ in (1, 2):  # twice: cancelling a finished job changes nothing
            je = check_cancel_ok(cancel(c, job), job, (expected,))
            check(je.get("end_time"), "a finished job carries end_time", job, je.get("end_time"))
        check(sim_job(sim, job)["status"] == sim_state, "cancel must not alter a finished job",
              sim_job(sim, job))


def t_finished_succeeded(env):
    _finished(env, SEED_SUCCEEDED, "succeeded", "SUCCEEDED")


def t_finished_failed(env):
    _finished(env, SEED_FAILED, "failed", "FAILED")


def t_finished_killed(env):
    _finished(env, SEED_KILLED, "killed", "KILLED")


def t_unknown_job_404(env):
    c = env["client"]

    def msg(m):
        check(m.startswith("Object with {'id': '%s'} not found" % UNKNOWN_JOB), "NOT_FOUND message", repr(m))

    expect_api_error(c, cancel(c, UNKNOWN_JOB), 404, "NOT_FOUND", msg)


def t_other_projects_job_404(env):
    # Sahara shows another project's (non-public) job as not found.
    c = env["client"]
    expect_api_error(c, cancel(c, SEED_OTHER_PROJECT), 404, "NOT_FOUND")
    check(sim_job(env["sim"], SEED_OTHER_PROJECT)["status"] == "running", "other project's job untouched")


def t_protected_job_400(env):
    c, sim = env["client"], env["sim"]
    for job in (SEED_PROTECTED, sim_new_job(sim, "running", protected=True)):
        # What MRS itself says when asked to cancel this job:
        st, mrs = sim_http(sim, "GET", "/v1.1/%s/job-executions/%s/cancel" % (PROJECT, job),
                           headers={"X-Auth-Token": TOKEN})
        check(st == 400 and isinstance(mrs, dict) and mrs.get("error_msg"), "MRS refusal (direct)", st, mrs)

        def msg(m, mrs=mrs):
            check(mrs["error_msg"] in m, "CANCELING_FAILED message must contain MRS's message",
                  repr(mrs["error_msg"]), repr(m))

        expect_api_error(c, cancel(c, job), 400, "CANCELING_FAILED", msg)
        check(sim_job(sim, job)["status"] == "running", "a refused cancel leaves the job running",
              sim_job(sim, job))


def t_wrong_token_401(env):
    c = make_client(env["gw"], token="not-a-valid-token")
    expect_api_error(c, cancel(c, SEED_RUNNING), 401, "UNAUTHORIZED")


def t_other_projects_token_401(env):
    # A valid token of another project, used on this project's URL.
    c = make_client(env["gw"], token=OTHER_TOKEN)
    expect_api_error(c, cancel(c, SEED_RUNNING), 401, "UNAUTHORIZED")


def t_missing_token_401(env):
    c = make_client(env["gw"], token=None)
    resp = cancel(c, SEED_RUNNING)
    check("X-Auth-Token" not in resp.request.headers, "the client should have sent no token",
          dict(resp.request.headers))
    expect_api_error(c, resp, 401, "UNAUTHORIZED")


def t_mrs_stall_504(env):
    c, sim = env["client"], env["sim"]
    job = sim_new_job(sim, "running")
    sim_set_faults(sim, {"stall": True})
    try:
        t0 = time.monotonic()
        resp = cancel(c, job)
        took = time.monotonic() - t0
    finally:
        sim_set_faults(sim, None)
    expect_api_error(c, resp, 504, "GATEWAY_TIMEOUT")
    check(took < UPSTREAM_TIMEOUT_MS / 1000.0 + 2.0, "504 must come after about the upstream budget", took)
    # Recovery: with the fault gone the same cancel must work (no stalled pooled connection reused).
    check_cancel_ok(cancel(c, job), job, ("TOBEKILLED", "KILLED"))


def t_mrs_5xx_502(env):
    c, sim = env["client"], env["sim"]
    sim_set_faults(sim, {"error_status": 500})
    try:
        resp = cancel(c, SEED_SUCCEEDED)
    finally:
        sim_set_faults(sim, None)
    expect_api_error(c, resp, 502, "BAD_GATEWAY")


def t_request_ids_unique(env):
    check(len(SEEN_REQUEST_IDS) >= 10, "collected request ids", len(SEEN_REQUEST_IDS))
    dups = len(SEEN_REQUEST_IDS) - len(set(SEEN_REQUEST_IDS))
    check(dups == 0, "x-openstack-request-id must be fresh on every answer", "%d duplicates" % dups)


def t_mrs_down_502(env):
    c, sim = env["client"], env["sim"]
    sim.stop(signal.SIGKILL)
    check(not sim.alive(), "simulator should be dead")
    t0 = time.monotonic()
    resp = cancel(c, SEED_RUNNING)
    check(time.monotonic() - t0 < UPSTREAM_TIMEOUT_MS / 1000.0 + 2.0, "502 should not wait long")
    expect_api_error(c, resp, 502, "BAD_GATEWAY")
    check(env["gw"].alive(), "the gateway must survive MRS going away")


# With `mrs-sim --cancel-finished refuse` MRS answers 400 0160 for a finished job; the gateway must
# still answer 200 with the terminal status (Sahara does).
def t_refuse_finished_still_200(env):
    c = env["client"]
    for job, expected in ((SEED_SUCCEEDED, "SUCCEEDED"), (SEED_FAILED, "FAILED"), (SEED_KILLED, "KILLED")):
        check_cancel_ok(cancel(c, job), job, (expected,))


def t_refuse_protected_still_400(env):
    c = env["client"]
    expect_api_error(c, cancel(c, SEED_PROTECTED), 400, "CANCELING_FAILED")


def t_refuse_unknown_still_404(env):
    c = env["client"]
    expect_api_error(c, cancel(c, UNKNOWN_JOB), 404, "NOT_FOUND")


PHASES = [
    ("default MRS", [],
     [t_running_job_is_being_killed, t_running_job_killed_after_delay, t_client_resource_path, t_starting_job,
      t_finished_succeeded, t_finished_failed, t_finished_killed, t_unknown_job_404, t_other_projects_job_404,
      t_protected_job_400, t_wrong_token_401, t_other_projects_token_401, t_missing_token_401, t_mrs_stall_504,
      t_mrs_5xx_502, t_request_ids_unique, t_mrs_down_502]),
    ("MRS refusing cancel of finished jobs", ["--cancel-finished", "refuse"],
     [t_refuse_finished_still_200, t_refuse_protected_still_400, t_refuse_unknown_still_404]),
]


def run_phase(args, logdir, title, sim_extra, cases, tally):
    tag = re.sub(r"[^a-z]+", "-", title.lower()).strip("-")
    sim = Child("mrs-sim-" + tag, [args.sim, "--listen", HOST + ":0", "--seed-demo",
                                   "--kill-delay-ms", str(KILL_DELAY_MS)] + sim_extra, logdir)
    gw = Child("gateway-" + tag, [args.gateway, "--listen", HOST + ":0", "--threads", "2",
                                  "--upstream-request-timeout-ms", str(UPSTREAM_TIMEOUT_MS),
                                  "--upstream-connect-timeout-ms", "1000"], logdir)
    print("# phase: %s" % title, flush=True)
    try:
        try:
            sim.start()
            gw.argv[1:1] = ["--upstream", "http://%s:%d" % (HOST, sim.port)]
            gw.start()
        except Exception as exc:
            tally["failed"] += 1
            print("FAIL setup (%s): %s" % (title, exc), flush=True)
            return
        env = {"sim": sim, "gw": gw, "client": make_client(gw)}
        for case in cases:
            name = case.__name__[2:]
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
        if not gw.alive():
            tally["failed"] += 1
            print("FAIL gateway exited during the phase (rc=%s); stderr:\n%s"
                  % (gw.proc.returncode, gw.stderr_tail()), flush=True)
    finally:
        gw.stop()
        sim.stop()
        if tally["failed"] and args.verbose:
            for child in (sim, gw):
                print("# %s stderr (tail):\n%s" % (child.name, child.stderr_tail()), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gateway", required=True, help="path of the sahara-gateway binary")
    ap.add_argument("--sim", required=True, help="path of the mrs-sim binary")
    ap.add_argument("--keep-logs", action="store_true", help="keep the children's stderr logs")
    ap.add_argument("--verbose", action="store_true", help="print children's stderr on failure")
    args = ap.parse_args()
    for path in (args.gateway, args.sim):
        if not os.access(path, os.X_OK):
            print("not an executable: %s" % path)
            print("0 passed, 1 failed")
            return 2

    tally = {"passed": 0, "failed": 0}
    logdir = tempfile.mkdtemp(prefix="sgw-conformance-")
    try:
        for title, sim_extra, cases in PHASES:
            run_phase(args, logdir, title, sim_extra, cases, tally)
    finally:
        if args.keep_logs or tally["failed"]:
            print("# child logs in %s" % logdir)
        else:
            for f in os.listdir(logdir):
                os.unlink(os.path.join(logdir, f))
            os.rmdir(logdir)
    print("%d passed, %d failed" % (tally["passed"], tally["failed"]))
    return 0 if tally["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
