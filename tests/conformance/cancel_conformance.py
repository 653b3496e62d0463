#!/usr/bin/python3
"""Conformance test: Sahara v1.1 cancel through sahara-gateway, driven by the REAL python-saharaclient.

Run with Debian's interpreter (/usr/bin/python3): it is the one that has python3-saharaclient and
python3-keystoneauth1.  The test starts its own MRS simulator and gateway on 127.0.0.1, port 0:

    /usr/bin/python3 cancel_conformance.py --gateway build/release/sahara-gateway \
                                           --sim build/release/tests/mrs_sim/mrs-sim [--backend mrs-v2]

With --backend mrs-v2 the gateway runs its v2 backend and the cases use the simulator's v2 demo jobs;
cases about something only one backend has are marked per backend (CASES_V11_ONLY, CASES_V2_ONLY), and
the v2 runs add the cases of the v2 job -> cluster memory (cold search, warm read, negative cache) with
the MRS calls each costs (docs/api-coverage.md, "Finding a v2 job's cluster").

The client is set up the way sahara-api.md section 11 describes (admin_token-style auth plugin, literal
project id in the endpoint, no Keystone).  saharaclient has no cancel method, so cancels go through the
client's own keystoneauth adapter (c.job_executions.api.get(".../cancel")), successes are also read through
ResourceManager._get(), and error answers are fed through ResourceManager._raise_api_exception(), i.e. the
exact path saharaclient uses to turn an error body into APIException(error_code, error_name, error_message).

The OpenStack CLI is not exercised here: `openstack command list` (OSC 6.0.0 + saharaclient plugin) offers
`dataprocessing job delete|execute|list|show|update` and no cancel/suspend/refresh command (as
sahara-api.md section 10.2 says).  Those CLI commands, and the rest of the v1.1/v2 surface, are covered
by api_conformance.py; the process/HTTP helpers both scripts use live in harness.py.

Prints one line per test case and a final "N passed, M failed"; exits 0 only if nothing failed.
"""

import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (  # noqa: E402  (harness also holds the import guard for saharaclient)
    CLUSTER_1, CLUSTER_5, DEMO_CLUSTERS, HOST, PROJECT, TOKEN, OTHER_TOKEN, SEED_RUNNING, SEED_STARTING,
    SEED_SUCCEEDED, SEED_FAILED, SEED_KILLED, SEED_PROTECTED, SEED_OTHER_PROJECT, SEED_ERROR, SEED_FIFTH_RUNNING,
    SEED_FIFTH_SUCCEEDED, UNKNOWN_JOB, V2, check, check_common_headers, expect_api_error, make_sahara_client,
    mrs_calls, run_cases, run_main, sim_http, sim_job, sim_new_job, sim_reset_stats, sim_set_faults, started_pair)

KILL_DELAY_MS = 400           # mrs-sim --kill-delay-ms: a cancelled job becomes KILLED after this
UPSTREAM_TIMEOUT_MS = 1500    # gateway --upstream-request-timeout-ms (the 504 case waits this long)


# --------------------------------------------------------------------------------------------------
# the real saharaclient

def endpoint(gw, project=PROJECT):
    return "http://%s:%d/v1.1/%s" % (HOST, gw.port, project)


def make_client(gw, token=TOKEN, project=PROJECT):
    # token=None: no auth plugin at all, saharaclient then sends no X-Auth-Token header.
    return make_sahara_client(endpoint(gw, project), token, "1.1")


SEEN_REQUEST_IDS = []


def sahara_get(c, path):
    """One GET through saharaclient's adapter, its request id noted; returns the requests.Response."""
    resp = c.job_executions.api.get(path)
    rid = resp.headers.get("x-openstack-request-id")
    if rid is not None:
        SEEN_REQUEST_IDS.append(rid)
    return resp


def cancel(c, job_id):
    return sahara_get(c, "/job-executions/%s/cancel" % job_id)


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


# mrs-v2 (docs/api-coverage.md, cancel): a job whose cluster the gateway does not know is searched for
# (1 cluster list page + a detail read on each of the demo project's 5 clusters); that read already
# shows an ended job, so no kill is sent.  Once the cluster is known, the cancel is a kill (MRS: 202,
# or 0175 with --kill-finished refuse) and one read.
V2_COLD = {"cluster_list": 1, "v2_show": len(DEMO_CLUSTERS)}
V2_COLD_ENDED_CANCEL = V2_COLD
V2_WARM_CANCEL = {"v2_kill": 1, "v2_show": 1}


def _finished(env, seed_id, sim_state, expected):
    c, sim = env["client"], env["sim"]
    for job in (seed_id, sim_new_job(sim, sim_state)):
        for n in (1, 2):  # twice: cancelling a finished job changes nothing
            sim_reset_stats(sim)
            je = check_cancel_ok(cancel(c, job), job, (expected,))
            check(je.get("end_time"), "a finished job carries end_time", job, je.get("end_time"))
            if V2:
                want = V2_COLD_ENDED_CANCEL if n == 1 else V2_WARM_CANCEL
                check(mrs_calls(sim) == want, "MRS calls of cancel #%d of ended %s" % (n, job), mrs_calls(sim),
                      "expected %s" % want)
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
    c, sim = env["client"], env["sim"]
    jobs = [(SEED_SUCCEEDED, "SUCCEEDED"), (SEED_FAILED, "FAILED"), (SEED_KILLED, "KILLED")]
    if V2:
        jobs += [(SEED_ERROR, "FAILED"), (SEED_FIFTH_SUCCEEDED, "SUCCEEDED")]
    for job, expected in jobs:
        check_cancel_ok(cancel(c, job), job, (expected,))
        if V2:
            # Now the cluster is known: the second cancel is a kill, which MRS refuses with 0175
            # (--kill-finished refuse); the gateway reads the job, sees it ended and answers 200.
            before = sim_job(sim, job)
            st, mrs = sim_http(sim, "POST", "/v2/%s/clusters/%s/job-executions/%s/kill"
                               % (PROJECT, before["cluster_id"], job), {}, headers={"X-Auth-Token": TOKEN})
            check(st == 400 and isinstance(mrs, dict) and mrs.get("error_code") == "0175",
                  "MRS itself refuses the kill of ended %s (direct)" % job, st, mrs)
            sim_reset_stats(sim)
            je = check_cancel_ok(cancel(c, job), job, (expected,))
            check(je.get("end_time"), "a finished job carries end_time", job, je.get("end_time"))
            check(mrs_calls(sim) == V2_WARM_CANCEL, "MRS calls of the refused kill of %s" % job, mrs_calls(sim),
                  "expected %s" % V2_WARM_CANCEL)
            after = sim_job(sim, job)
            check(after["status"] == before["status"] and not after["kill_pending"],
                  "a refused kill leaves the job as it was", before, after)


def t_refuse_protected_still_400(env):
    c = env["client"]
    expect_api_error(c, cancel(c, SEED_PROTECTED), 400, "CANCELING_FAILED")


def t_refuse_unknown_still_404(env):
    c = env["client"]
    expect_api_error(c, cancel(c, UNKNOWN_JOB), 404, "NOT_FOUND")


# --------------------------------------------------------------------------------------------------
# mrs-v2 only: the job -> cluster memory (docs/api-coverage.md, "Finding a v2 job's cluster")

def show(c, job_id):
    return sahara_get(c, "/job-executions/%s" % job_id)


def check_show_ok(resp, job_id, status, cluster):
    check(resp.status_code == 200, "show %s: HTTP status" % job_id, resp.status_code, resp.text[:400])
    check_common_headers(resp)
    je = resp.json().get("job_execution") or {}
    check(je.get("id") == job_id and je.get("cluster_id") == cluster, "show %s: id and cluster" % job_id,
          je.get("id"), je.get("cluster_id"), "expected cluster %s" % cluster)
    check((je.get("info") or {}).get("status") == status, "show %s: info.status" % job_id, je.get("info"),
          "expected %s" % status)
    return je


def t_v2_cold_then_warm_show(env):
    # The gateway has just started: nothing is remembered, so the first show searches.
    c, sim = env["client"], env["sim"]
    sim_reset_stats(sim)
    check_show_ok(show(c, SEED_RUNNING), SEED_RUNNING, "RUNNING", CLUSTER_1)
    check(mrs_calls(sim) == V2_COLD, "cold show: one cluster list page and a detail read on each cluster",
          mrs_calls(sim), "expected %s" % V2_COLD)
    sim_reset_stats(sim)
    check_show_ok(show(c, SEED_RUNNING), SEED_RUNNING, "RUNNING", CLUSTER_1)
    check(mrs_calls(sim) == {"v2_show": 1}, "warm show: one detail read on the remembered cluster",
          mrs_calls(sim))


def t_v2_unknown_negative_cache(env):
    c, sim = env["client"], env["sim"]
    job = "deadbeef-0000-4000-8000-0000000ca5e2"   # never used by another case: not in the negative cache
    sim_reset_stats(sim)
    expect_api_error(c, show(c, job), 404, "NOT_FOUND")
    check(mrs_calls(sim) == V2_COLD, "unknown id: one search round", mrs_calls(sim), "expected %s" % V2_COLD)
    sim_reset_stats(sim)
    expect_api_error(c, show(c, job), 404, "NOT_FOUND",
                     lambda m: check(m.startswith("Object with {'id': '%s'} not found" % job), "message", repr(m)))
    expect_api_error(c, cancel(c, job), 404, "NOT_FOUND")
    check(mrs_calls(sim) == {}, "the same id again: no MRS call at all (negative cache)", mrs_calls(sim))


def t_v2_fifth_cluster_cancel(env):
    c, sim = env["client"], env["sim"]
    job = SEED_FIFTH_RUNNING
    sim_reset_stats(sim)
    je = check_cancel_ok(cancel(c, job), job, ("TOBEKILLED",))
    check(je.get("cluster_id") == CLUSTER_5, "the job's cluster is the fifth one", je.get("cluster_id"))
    want = {"cluster_list": 1, "v2_show": len(DEMO_CLUSTERS) + 1, "v2_kill": 1}
    check(mrs_calls(sim) == want, "cold cancel: the search, the kill and one read", mrs_calls(sim),
          "expected %s" % want)
    t0 = time.monotonic()
    state = sim_job(sim, job)
    check(state["kill_pending"] and state["status"] == "running", "MRS was asked to kill", state)
    time.sleep(KILL_DELAY_MS / 1000.0)
    deadline = t0 + 5
    while True:
        resp = show(c, job)
        check(resp.status_code == 200, "show after the kill", resp.status_code, resp.text[:300])
        je = resp.json()["job_execution"]
        status = je["info"]["status"]
        if status == "KILLED" or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    check(status == "KILLED", "status after the kill delay", status)
    check(je.get("cluster_id") == CLUSTER_5 and je.get("end_time"), "the KILLED job: cluster and end_time", je)
    check(sim_job(sim, job)["status"] == "killed", "MRS agrees", sim_job(sim, job))


def t_v2_finished_error(env):
    # v2's FAILED/FAILED (the simulator's "error") and a finished job on the fifth cluster.
    _finished(env, SEED_ERROR, "error", "FAILED")
    _finished(env, SEED_FIFTH_SUCCEEDED, "succeeded", "SUCCEEDED")


# Cases of something only one backend has.
CASES_V11_ONLY = {t_protected_job_400, t_refuse_protected_still_400}   # MRS v1.1's protected jobs
CASES_V2_ONLY = {t_v2_cold_then_warm_show, t_v2_unknown_negative_cache, t_v2_fifth_cluster_cancel,
                 t_v2_finished_error}

PHASES = [
    ("default MRS", [],
     [t_v2_cold_then_warm_show,   # v2: must be the phase's first call to the gateway
      t_running_job_is_being_killed, t_running_job_killed_after_delay, t_client_resource_path, t_starting_job,
      t_finished_succeeded, t_finished_failed, t_finished_killed, t_v2_finished_error, t_unknown_job_404,
      t_v2_unknown_negative_cache, t_v2_fifth_cluster_cancel, t_other_projects_job_404,
      t_protected_job_400, t_wrong_token_401, t_other_projects_token_401, t_missing_token_401, t_mrs_stall_504,
      t_mrs_5xx_502, t_request_ids_unique, t_mrs_down_502]),
    # MRS v1.1 refuses the cancel of a finished job with 0160, MRS v2 the kill with 0175.
    ("MRS refusing cancel of finished jobs", ["--kill-finished" if V2 else "--cancel-finished", "refuse"],
     [t_refuse_finished_still_200, t_refuse_protected_still_400, t_refuse_unknown_still_404]),
]


def for_backend(cases):
    skip = CASES_V11_ONLY if V2 else CASES_V2_ONLY
    return [case for case in cases if case not in skip]


def run_phase(args, logdir, title, sim_extra, cases, tally):
    tag = re.sub(r"[^a-z]+", "-", title.lower()).strip("-")
    print("# phase: %s" % title, flush=True)
    children = []
    try:
        children, sim, gw = started_pair(args, logdir, tag, tally, ["--kill-delay-ms", str(KILL_DELAY_MS)] + sim_extra,
                                         ["--upstream-request-timeout-ms", str(UPSTREAM_TIMEOUT_MS),
                                          "--upstream-connect-timeout-ms", "1000"])
        if sim is None:
            return
        env = {"sim": sim, "gw": gw, "client": make_client(gw)}
        run_cases(env, cases, tally)
    finally:
        for child in reversed(children):
            child.stop()
        if tally["failed"] and args.verbose:
            for child in children:
                print("# %s stderr (tail):\n%s" % (child.name, child.stderr_tail()), flush=True)


def run_phases(args, logdir, tally):
    for title, sim_extra, cases in PHASES:
        run_phase(args, logdir, title, sim_extra, for_backend(cases), tally)


if __name__ == "__main__":
    sys.exit(run_main(__doc__.split("\n")[0], run_phases))
