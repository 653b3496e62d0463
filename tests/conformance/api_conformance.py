#!/usr/bin/python3
"""Conformance test: the Sahara v1.1 and v2 job-execution API of sahara-gateway, driven by the REAL clients.

Run with Debian's interpreter (/usr/bin/python3): it is the one that has python3-saharaclient 4.0.2,
keystoneauth1 and python3-openstackclient.  The test starts its own MRS simulator and gateway on
127.0.0.1, port 0 (the gateway with --identity-url pointing at the simulator's Keystone-compatible
/v3, so that project-less URLs, i.e. all of /v2 and /v1.1/job-executions, work):

    /usr/bin/python3 api_conformance.py --gateway build/release/sahara-gateway \
                                        --sim build/release/tests/mrs_sim/mrs-sim [--backend mrs-v2]

What it drives (sahara-api.md sections 2-4, 7, 10, 11):
  1. python-saharaclient Client("1.1") on /v1.1/{project} (list with filters, limit/marker/sort_by, get,
     create, update, delete) and on the project-less /v1.1; cancel (GET .../cancel and PATCH
     info.status=cancel) and refresh-status through the client's own keystoneauth adapter, since
     saharaclient has no method for them;
  2. python-saharaclient Client("2") on /v2 (jobs.list/get/refresh_status/create/update/delete, cancel
     through the adapter), the renamed keys, and the OpenStack-API-Version negotiation;
  3. the real CLI, /usr/bin/openstack dataprocessing job list/show/update/delete --wait/execute, in v1.1 and
     with --os-data-processing-api-version 2 (admin_token auth as in sahara-api.md section 11);
  4. error cases, each parsed through saharaclient's own exception path (the client method raising
     APIException, or ResourceManager._raise_api_exception() for adapter calls), and MRS going away.

With --backend mrs-v2 the same cases run on the simulator's v2 demo jobs (execute then carries
job_configs.configs["mrs.job_type"]); cases of something only one backend has are marked per backend
(CASES_V11_ONLY, CASES_V2_ONLY), and the v2 runs add a phase with the gateway in `auth.mode = aksk`.

Expectations are derived from the simulator's own state (GET /_sim/state), read before and after each
call, so the checks hold whatever order and timing the jobs move in.

Prints one line per test case and a final "N passed, M failed"; exits 0 only if nothing failed.
"""

import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (  # noqa: E402  (harness also holds the import guard for saharaclient)
    CLUSTER_1, CLUSTER_2, DEMO_CLUSTERS, HOST, OTHER_PROJECT, OTHER_TOKEN, PROJECT, SEED_ERROR, SEED_FAILED,
    SEED_FIFTH_RUNNING, SEED_KILLED, SEED_OTHER_PROJECT, SEED_PROTECTED, SEED_RUNNING, SEED_STARTING,
    SEED_SUCCEEDED, SIM_TO_SAHARA, STATE_JOBS_KEY, TEMPLATE_SPARK, TEMPLATE_WORDCOUNT, TOKEN, UNKNOWN_JOB, V2,
    V2_JOB_TYPE_KEY, Child, CliRun, Failure, check, cli_argv, cli_environment, check_common_headers,
    expect_api_error, expect_client_error, http, make_sahara_client, mrs_calls, run_cases, run_main, check_page, sim_has_job,
    sim_http, sim_job, sim_jobs, sim_new_job, sim_reset_stats, sim_state, sim_stats, started_pair)

KILL_DELAY_MS = 400           # mrs-sim --kill-delay-ms: a cancelled job becomes KILLED after this
START_DELAY_MS = 300          # mrs-sim --start-delay-ms: an executed job is Starting (PENDING) this long
CLI_PARALLEL = 4              # CLI processes run at once (each is ~1 s of CPU, mostly imports)

# Data source ids: MRS (and the simulator) take them as opaque values; Sahara would look them up.
DS_INPUT = "d1000000-0000-4000-8000-0000000000a1"
DS_OUTPUT = "d1000000-0000-4000-8000-0000000000a2"

TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")     # Sahara's timestamps (section 6.4)
STARTED_RE = re.compile(r'^Job "([0-9a-f-]{36})" has been started successfully\.$', re.M)

# mrs-sim job state -> the Sahara info.status the gateway must report (docs/api-coverage.md, mrs_sim README)


# --------------------------------------------------------------------------------------------------
# endpoints and clients

def v11_url(gw, project=PROJECT):
    return "http://%s:%d/v1.1/%s" % (HOST, gw.port, project)


def v11_noproject_url(gw):
    return "http://%s:%d/v1.1" % (HOST, gw.port)


def v2_url(gw):
    return "http://%s:%d/v2" % (HOST, gw.port)


# --------------------------------------------------------------------------------------------------
# expectations

def allowed_statuses(job):
    """The statuses the gateway may report for one /_sim/state job."""
    ok = {SIM_TO_SAHARA[job["status"]]}
    if job.get("kill_pending"):
        ok.add("TOBEKILLED")   # what a cancel answers while MRS kills
    return ok


def check_statuses(got, before, after, what):
    """got: {id: status}; before/after: /_sim/state snapshots around the call (jobs move on with time)."""
    for job_id, status in got.items():
        ok = set()
        for snap in (before, after):
            if job_id in snap:
                ok |= allowed_statuses(snap[job_id])
        check(status in ok, "%s: status of %s" % (what, job_id), repr(status), "expected one of %s" % sorted(ok),
              "sim: %s" % (after.get(job_id) or before.get(job_id),))


def check_v11_object(je, job_id=None, project=PROJECT):
    check(isinstance(je, dict), "job_execution must be an object", repr(je)[:300])
    if job_id is not None:
        check(je.get("id") == job_id, "job_execution.id", je.get("id"), job_id)
    check(je.get("tenant_id") == project, "job_execution.tenant_id", je.get("tenant_id"), project)
    check("job_id" in je, "job_execution.job_id missing (the CLI dereferences it)", sorted(je))
    check("oozie_job_id" in je, "v1.1 carries oozie_job_id (alias of engine_job_id)", sorted(je))
    for key in ("project_id", "job_template_id"):
        check(key not in je, "v1.1 object must not carry the v2 key %s" % key, sorted(je))
    check(isinstance(je.get("info"), dict) and isinstance(je["info"].get("status"), str),
          "job_execution.info.status", je.get("info"))
    for key in ("is_public", "is_protected"):
        check(isinstance(je.get(key), bool), "job_execution.%s must be a bool" % key, repr(je.get(key)))
    for key in ("start_time", "end_time", "created_at", "updated_at"):
        v = je.get(key)
        check(v is None or (isinstance(v, str) and TIME_RE.match(v)), "%s must be YYYY-MM-DDTHH:MM:SS" % key,
              repr(v))
    return je


def check_v2_object(job, job_id=None, project=PROJECT):
    check(isinstance(job, dict), "job must be an object", repr(job)[:300])
    if job_id is not None:
        check(job.get("id") == job_id, "job.id", job.get("id"), job_id)
    check(job.get("project_id") == project, "v2 renames tenant_id to project_id", job.get("project_id"), project)
    check("job_template_id" in job, "v2 renames job_id to job_template_id", sorted(job))
    for key in ("tenant_id", "job_id", "oozie_job_id"):
        check(key not in job, "v2 object must not carry %s" % key, sorted(job))
    check(isinstance(job.get("info"), dict) and isinstance(job["info"].get("status"), str), "job.info.status",
          job.get("info"))
    return job


def check_v2_headers(resp, version="2.0"):
    got = resp.headers.get("OpenStack-API-Version")
    check(got == "data-processing " + version, "OpenStack-API-Version header", repr(got),
          "expected 'data-processing %s'" % version)
    vary = [v.strip().lower() for v in resp.headers.get("Vary", "").split(",")]
    check("openstack-api-version" in vary, "Vary must name OpenStack-API-Version", repr(resp.headers.get("Vary")))


def not_found_msg(job_id):
    def m(msg):
        check(msg.startswith("Object with {'id': '%s'} not found" % job_id), "NOT_FOUND message", repr(msg))
    return m


def body_of(resp, key):
    check_common_headers(resp)
    body = resp.json()
    check(isinstance(body, dict) and list(body.keys()) == [key], "answer must be {%r: {...}}" % key,
          resp.text[:400])
    return body[key]


def check_gone_from_mrs(sim, job, was_running):
    """After a Sahara DELETE.  mrs-v1.1: MRS deleted the job.  mrs-v2: MRS refuses to delete a running job
    (0183), so the gateway kills it and deletes it once it has ended within upstream.cancel_wait_ms
    (0 here): a job that was running may still be in MRS, but then MRS must be killing it."""
    if V2 and was_running and sim_has_job(sim, job):
        state = sim_job(sim, job)
        check(state["kill_pending"] or state["status"] == "killed", "a deleted running job must be killed in MRS",
              state)
        return
    check(not sim_has_job(sim, job), "the job must be gone from MRS", job)


def v2_submitted_name(template):
    """The MRS job name of an execute: mrs-v1.1 runs the template's job object; mrs-v2 names the job
    after the template id (no mrs.job_name given)."""
    return template if V2 else {TEMPLATE_WORDCOUNT: "wordcount", TEMPLATE_SPARK: "spark-pi"}[template]


def template_read_back(template):
    """The job_id (v2: job_template_id) a read shows for a job executed with `template`.  MRS v2 has no
    job templates: execute's answer echoes the id, but MRS does not keep it, so later reads on mrs-v2
    show "" (docs/api-coverage.md: `job_id` is "" when MRS does not know the template).  Sahara keeps
    the template id in its row; see the conformance report for this difference."""
    return "" if V2 else template


def wait_status(read, want, what, timeout=5.0):
    """Poll read() -> status until it equals want (bounded)."""
    deadline = time.monotonic() + timeout
    while True:
        status = read()
        if status == want or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    check(status == want, "%s: status after the kill delay" % what, status, "expected %s" % want)


# --------------------------------------------------------------------------------------------------
# 1. python-saharaclient, APIv1.1

def t_v11_list(env):
    c, sim = env["c11"], env["sim"]
    before = sim_jobs(sim)
    page = c.job_executions.list()
    after = sim_jobs(sim)
    check(set(before) == set(after), "sanity: no job appeared or vanished during the call")
    got = [je.id for je in page]
    check(got == sorted(after), "list(): every job of the project, ordered by id (Sahara's default)",
          "got %s" % got, "expected %s" % sorted(after))
    for je in page:
        check_v11_object(je.to_dict(), je.id)
        check(hasattr(je, "job_id"), "JobExecution.job_id attribute", je)
        check("status" in je.info, "JobExecution.info['status']", je.info)
    check_statuses({je.id: je.info["status"] for je in page}, before, after, "list()")
    seeds = [(SEED_SUCCEEDED, "SUCCEEDED"), (SEED_FAILED, "FAILED"), (SEED_KILLED, "KILLED"),
             (SEED_STARTING, "PENDING"), (SEED_RUNNING, "RUNNING")]
    seeds += [(SEED_ERROR, "FAILED"), (SEED_FIFTH_RUNNING, "RUNNING")] if V2 else [(SEED_PROTECTED, "RUNNING")]
    for seed, status in seeds:
        check({je.id: je.info["status"] for je in page}.get(seed) == status, "seeded job %s" % seed, status)
    if V2:
        check(not any(je.is_protected for je in page), "no v2 job is protected")
    else:
        check({je.id: je.is_protected for je in page}.get(SEED_PROTECTED) is True, "the protected job is_protected")
    check(page.prev is None and page.next is None, "no markers without limit", page.prev, page.next)
    # The raw answer: no "markers" key at all without limit/marker (section 2), and no v2 headers.
    resp = c.job_executions.api.get("/job-executions")
    check(resp.status_code == 200, "raw list status", resp.status_code)
    check_common_headers(resp)
    check("markers" not in resp.json(), "markers must be absent without limit/marker", list(resp.json()))
    check("OpenStack-API-Version" not in resp.headers, "v1.1 answers carry no OpenStack-API-Version",
          dict(resp.headers))


def t_v11_list_status_filter(env):
    c, sim = env["c11"], env["sim"]
    for value in ("killed", "KILLED"):   # Sahara compares case-insensitively
        before = sim_jobs(sim)
        page = c.job_executions.list(search_opts={"status": value})
        after = sim_jobs(sim)
        lo = {i for i, j in before.items() if SIM_TO_SAHARA[j["status"]] == "KILLED"}
        hi = {i for i, j in after.items() if SIM_TO_SAHARA[j["status"]] == "KILLED"}
        got = {je.id for je in page}
        check(SEED_KILLED in got, "status=%s must list the seeded killed job" % value, sorted(got))
        check(lo <= got <= hi, "status=%s: exactly the killed jobs" % value, "got %s" % sorted(got),
              "expected %s" % sorted(hi))
        check(all(je.info["status"] == "KILLED" for je in page), "status=%s: every row KILLED" % value,
              [je.info["status"] for je in page])
        check([je.id for je in page] == sorted(got), "filtered rows ordered by id")


def t_v11_list_paging(env):
    c, sim = env["c11"], env["sim"]
    ids = sorted(sim_jobs(sim))
    check(len(ids) >= 6, "need at least 6 jobs for the paging checks", ids)
    p1 = c.job_executions.list(limit=2)
    check_page(p1, ids, 2, None, "list(limit=2)")
    check(p1.limit == 2, "Page.limit", p1.limit)
    # Walking next: Sahara's page starts AT the marker, so the first row repeats page 1's last row.
    p2 = c.job_executions.list(marker=p1.next, limit=2)
    check_page(p2, ids, 2, p1.next, "list(marker=page1.next, limit=2)")
    check(p2[0].id == p1[-1].id, "the marker row itself starts the page (sahara-api.md section 4)",
          p2[0].id, p1[-1].id)
    check_page(c.job_executions.list(marker=ids[3], limit=2), ids, 2, ids[3], "list(marker=ids[3], limit=2)")
    check_page(c.job_executions.list(marker=ids[-2], limit=2), ids, 2, ids[-2], "list(marker=ids[-2], limit=2)")
    check_page(c.job_executions.list(limit=len(ids)), ids, len(ids), None, "list(limit=len)")
    # With a filter, pagination runs over the filtered rows.
    killed = sorted(i for i, j in sim_jobs(sim).items() if j["status"] == "killed")
    check_page(c.job_executions.list(search_opts={"status": "killed"}, limit=1), killed, 1, None,
               "list(status=killed, limit=1)")


def t_v11_list_marker_without_limit(env):
    # Sahara: `marker` alone still starts the page at the marker (res[n:]); markers present (both null)
    # because a marker was given (sahara-api.md sections 2 and 4).
    c, sim = env["c11"], env["sim"]
    ids = sorted(sim_jobs(sim))
    marker = ids[2]
    resp = c.job_executions.api.get("/job-executions?marker=%s" % marker)
    check(resp.status_code == 200, "status", resp.status_code, resp.text[:300])
    body = resp.json()
    check(body.get("markers") == {"prev": None, "next": None}, "markers with a marker and no limit",
          body.get("markers"))
    check_page(c.job_executions.list(marker=marker), ids, None, marker, "list(marker=ids[2]) without limit")


def t_v11_list_sort(env):
    c, sim = env["c11"], env["sim"]
    asc = sorted(sim_jobs(sim))
    desc = asc[::-1]
    check_page(c.job_executions.list(sort_by="id"), asc, None, None, "list(sort_by='id')")
    check_page(c.job_executions.list(sort_by="id", reverse=True), desc, None, None,
               "list(sort_by='id', reverse=True) i.e. sort_by=-id")
    check_page(c.job_executions.list(sort_by="id", reverse=True, limit=2), desc, 2, None,
               "list(sort_by=-id, limit=2)")
    check_page(c.job_executions.list(sort_by="id", reverse=True, limit=2, marker=desc[1]), desc, 2, desc[1],
               "list(sort_by=-id, limit=2, marker=desc[1])")


def t_v11_get(env):
    c, sim = env["c11"], env["sim"]
    for job_id, status in ((SEED_RUNNING, "RUNNING"), (SEED_SUCCEEDED, "SUCCEEDED"), (SEED_FAILED, "FAILED"),
                           (SEED_STARTING, "PENDING")):
        je = c.job_executions.get(job_id)
        d = check_v11_object(je.to_dict(), job_id)
        check(je.info["status"] == status, "get(%s).info.status" % job_id, je.info, status)
        check(d.get("cluster_id") == sim_job(sim, job_id)["cluster_id"], "cluster_id as MRS has it",
              d.get("cluster_id"))
        if status in ("SUCCEEDED", "FAILED"):
            check(d.get("end_time"), "a finished job carries end_time", d.get("end_time"))
    # Every rule is also routed with a .json suffix (section 1).
    resp = c.job_executions.api.get("/job-executions/%s.json" % SEED_RUNNING)
    check(resp.status_code == 200, "GET .../{id}.json", resp.status_code, resp.text[:300])
    check_v11_object(body_of(resp, "job_execution"), SEED_RUNNING)


def t_v11_create(env):
    c, sim = env["c11"], env["sim"]
    if V2:
        # mrs-v2: no data sources and no params; the MRS job type comes from configs (api-coverage.md).
        configs = {"configs": {V2_JOB_TYPE_KEY: "MapReduce", "mapreduce.job.reduces": "2"},
                   "args": ["alpha", "beta"]}
        ds_in = ds_out = None
    else:
        configs = {"configs": {"mapreduce.job.reduces": "2"}, "args": ["alpha", "beta"], "params": {"p1": "v1"}}
        ds_in, ds_out = DS_INPUT, DS_OUTPUT
    je = c.job_executions.create(job_id=TEMPLATE_WORDCOUNT, cluster_id=CLUSTER_1, input_id=ds_in,
                                 output_id=ds_out, configs=configs)
    d = check_v11_object(je.to_dict())
    check(je.info["status"] == "PENDING", "a new execution is PENDING (section 2)", je.info)
    for key, want in (("job_id", TEMPLATE_WORDCOUNT), ("cluster_id", CLUSTER_1), ("input_id", ds_in),
                      ("output_id", ds_out), ("is_public", False), ("is_protected", False)):
        check(d.get(key) == want, "create answer %s" % key, repr(d.get(key)), repr(want))
    jc = d.get("job_configs") or {}
    for key, want in configs.items():
        check(jc.get(key) == want, "job_configs.%s round trip" % key, jc.get(key), want)
    job = sim_job(sim, je.id)   # really started in MRS
    check(job["project"] == PROJECT and job["cluster_id"] == CLUSTER_1
          and job["job_name"] == v2_submitted_name(TEMPLATE_WORDCOUNT), "the execution MRS started", job)
    if V2:
        check(job["job_type"] == "MapReduce", "the MRS job type comes from configs[%r]" % V2_JOB_TYPE_KEY, job)
    env["created"][je.id] = TEMPLATE_WORDCOUNT
    again = c.job_executions.get(je.id)
    check(again.job_id == template_read_back(TEMPLATE_WORDCOUNT), "get() after create: job_id", repr(again.job_id))
    check(again.info["status"] in ("PENDING", "RUNNING"), "get() after create: status", again.info)


def t_v11_create_errors(env):
    c, sim = env["c11"], env["sim"]
    count = len(sim_jobs(sim))
    mgr = c.job_executions

    def msg_is(text):
        def m(msg):
            check(msg.split("\nError ID:")[0] == text, "error_message", repr(msg), "expected %r" % text)
        return m

    # _create is the client's own POST path (status must be 202, else _raise_api_exception).
    expect_client_error(lambda: mgr._create("/jobs/%s/execute" % TEMPLATE_SPARK, {}, "job_execution"),
                        400, "VALIDATION_ERROR", msg_is("'cluster_id' is a required property"))
    expect_client_error(lambda: mgr.create(job_id=TEMPLATE_SPARK, cluster_id="demo"),
                        400, "VALIDATION_ERROR", msg_is("cluster_id: 'demo' is not a 'uuid'"))
    expect_client_error(lambda: mgr._create("/jobs/%s/execute" % TEMPLATE_SPARK,
                                            {"cluster_id": CLUSTER_1, "name": "x"}, "job_execution"),
                        400, "VALIDATION_ERROR",
                        msg_is("Additional properties are not allowed ('name' was unexpected)"))
    typed = {"configs": {V2_JOB_TYPE_KEY: "SparkSubmit"}} if V2 else None
    expect_client_error(lambda: mgr.create(job_id=TEMPLATE_SPARK, cluster_id=UNKNOWN_JOB, configs=typed),
                        400, "INVALID_REFERENCE", msg_is("Cluster with id '%s' doesn't exist" % UNKNOWN_JOB))
    if V2:
        # MRS v2 has no templates (any id is echoed); the job type is required and must be MRS's.
        def names_job_type(m):
            check(V2_JOB_TYPE_KEY in m, "INVALID_DATA message names %s" % V2_JOB_TYPE_KEY, repr(m))
        expect_client_error(lambda: mgr.create(job_id=TEMPLATE_SPARK, cluster_id=CLUSTER_1), 400, "INVALID_DATA",
                            names_job_type)
        expect_client_error(lambda: mgr.create(job_id=TEMPLATE_SPARK, cluster_id=CLUSTER_1,
                                               configs={"configs": {V2_JOB_TYPE_KEY: "Pig"}}),
                            400, "INVALID_DATA", names_job_type)
        expect_client_error(lambda: mgr.create(job_id=TEMPLATE_SPARK, cluster_id=CLUSTER_1, input_id=DS_INPUT,
                                               output_id=DS_OUTPUT, configs=typed), 400, "INVALID_DATA")
    else:
        expect_client_error(lambda: mgr.create(job_id=UNKNOWN_JOB, cluster_id=CLUSTER_1),
                            404, "NOT_FOUND", not_found_msg(UNKNOWN_JOB))
    check(len(sim_jobs(sim)) == count, "a refused execute must not start anything in MRS", count,
          len(sim_jobs(sim)))


def t_v11_update(env):
    c, sim = env["c11"], env["sim"]
    res = c.job_executions.update(SEED_RUNNING)            # PATCH {} -> 202
    check(hasattr(res, "job_execution"), "update() wraps the whole body: .job_execution", res)
    check_v11_object(res.job_execution, SEED_RUNNING)
    check(res.job_execution["info"]["status"] == "RUNNING", "status after a no-op update", res.job_execution)
    res = c.job_executions.update(SEED_RUNNING, is_public=False, is_protected=False)   # the values MRS has
    check_v11_object(res.job_execution, SEED_RUNNING)
    check(not sim_job(sim, SEED_RUNNING)["kill_pending"], "a flag update must not cancel anything")


def t_v11_update_refused(env):
    c, sim = env["c11"], env["sim"]

    def msg(m):
        check("MRS cannot store" in m, "UPDATE_FAILED message", repr(m))

    expect_client_error(lambda: c.job_executions.update(SEED_RUNNING, is_public=True), 400, "UPDATE_FAILED", msg)
    expect_client_error(lambda: c.job_executions.update(SEED_RUNNING, is_protected=True), 400, "UPDATE_FAILED",
                        msg)
    check(not sim_job(sim, SEED_RUNNING).get("is_protected"), "refused update left MRS alone")
    # Sahara's own PATCH validation (section 2), through the client's _patch path (202 expected).
    expect_client_error(lambda: c.job_executions._patch("/job-executions/%s" % SEED_RUNNING,
                                                        {"info": {"status": "cancel"}, "is_public": False}),
                        400, "INVALID_JOB_STATUS")
    expect_client_error(lambda: c.job_executions._patch("/job-executions/%s" % SEED_RUNNING,
                                                        {"info": {"status": "stop"}}),
                        400, "VALIDATION_ERROR",
                        lambda m: check(m.startswith("info[status]: 'stop' is not one of ['suspend', 'cancel']"),
                                        "message", repr(m)))
    check(not sim_job(sim, SEED_RUNNING)["kill_pending"], "refused PATCHes must not cancel")


def t_v11_delete(env):
    c, sim = env["c11"], env["sim"]
    for state in ("running", "succeeded"):
        job = sim_new_job(sim, state)
        check(c.job_executions.delete(job) is None, "delete() returns None on 204")
        check_gone_from_mrs(sim, job, state == "running")
        expect_client_error(lambda: c.job_executions.get(job), 404, "NOT_FOUND", not_found_msg(job))
        # A repeated DELETE of the id just deleted is still a success (the gateway's documented choice;
        # Sahara too answers 204 while the row is being torn down).
        c.job_executions.delete(job)
    # The raw answer: 204, empty body, Sahara's headers.
    job = sim_new_job(sim, "failed")
    resp = c.job_executions.api.delete("/job-executions/%s" % job)
    check(resp.status_code == 204, "DELETE status", resp.status_code, resp.text[:300])
    check(resp.content == b"", "DELETE answers an empty body", resp.content[:200])
    check_common_headers(resp)


def check_v11_cancelled(env, resp, job, status, what):
    """A v1.1 cancel answer (`status`: 200 for GET …/cancel, 202 for PATCH) and MRS asked to kill."""
    check(resp.status_code == status, what + " status", resp.status_code, resp.text[:300])
    je = check_v11_object(body_of(resp, "job_execution"), job)
    # Sahara answers the row read before the cancel (RUNNING), the gateway what MRS says after it.
    check(je["info"]["status"] in ("RUNNING", "TOBEKILLED", "KILLED"), what + " answer status", je["info"])
    state = sim_job(env["sim"], job)
    check(state["kill_pending"] or state["status"] == "killed", "MRS must have been asked to kill", state)
    env["cancelled_v11"].append(job)


def t_v11_cancel_adapter(env):
    c, sim = env["c11"], env["sim"]
    job = sim_new_job(sim, "running")
    resp = c.job_executions.api.get("/job-executions/%s/cancel" % job)
    check_v11_cancelled(env, resp, job, 200, "cancel")


def t_v11_cancel_patch(env):
    c, sim = env["c11"], env["sim"]
    job = sim_new_job(sim, "running")
    resp = c.job_executions.api.patch("/job-executions/%s" % job, json={"info": {"status": "cancel"}})
    check_v11_cancelled(env, resp, job, 202, "PATCH info.status=cancel")


def t_v11_refresh_status(env):
    c, sim = env["c11"], env["sim"]
    check(env["cancelled_v11"], "depends on the cancel cases")
    for job in env["cancelled_v11"]:
        def read(job=job):
            # ResourceManager._get: the client's own success path (200 + response key).
            return c.job_executions._get("/job-executions/%s/refresh-status" % job, "job_execution").info["status"]
        wait_status(read, "KILLED", "refresh-status of cancelled %s" % job)
        check(sim_job(sim, job)["status"] == "killed", "MRS agrees", sim_job(sim, job))
    resp = c.job_executions.api.get("/job-executions/%s/refresh-status" % SEED_SUCCEEDED)
    check(resp.status_code == 200, "refresh-status status", resp.status_code, resp.text[:300])
    je = check_v11_object(body_of(resp, "job_execution"), SEED_SUCCEEDED)
    check(je["info"]["status"] == "SUCCEEDED", "refresh-status of a succeeded job", je["info"])


def t_v11_projectless_endpoint(env):
    gw, sim = env["gw"], env["sim"]
    c = make_sahara_client(v11_noproject_url(gw), TOKEN, "1.1")
    page = c.job_executions.list()
    check([je.id for je in page] == sorted(sim_jobs(sim)), "project-less list: the token's project",
          [je.id for je in page])
    for je in page:
        check_v11_object(je.to_dict(), je.id)
    check_v11_object(c.job_executions.get(SEED_RUNNING).to_dict(), SEED_RUNNING)
    other = make_sahara_client(v11_noproject_url(gw), OTHER_TOKEN, "1.1")
    page = other.job_executions.list()
    check([je.id for je in page] == sorted(sim_jobs(sim, OTHER_PROJECT)), "other token: its own project only",
          [je.id for je in page])
    for je in page:
        check_v11_object(je.to_dict(), je.id, OTHER_PROJECT)
    bad = make_sahara_client(v11_noproject_url(gw), "not-a-valid-token", "1.1")
    expect_client_error(lambda: bad.job_executions.list(), 401, "UNAUTHORIZED")


# --------------------------------------------------------------------------------------------------
# 2. python-saharaclient, APIv2

def t_v2_list(env):
    c, sim = env["c2"], env["sim"]
    before = sim_jobs(sim)
    page = c.jobs.list()
    after = sim_jobs(sim)
    got = [j.id for j in page]
    check(got == sorted(after), "jobs.list(): every job of the project by id", "got %s" % got)
    for j in page:
        check_v2_object(j.to_dict(), j.id)
    check_statuses({j.id: j.info["status"] for j in page}, before, after, "jobs.list()")
    for job_id, template in env["created"].items():
        row = {j.id: j for j in page}.get(job_id)
        check(row is not None and row.job_template_id == template_read_back(template),
              "job_template_id of %s" % job_id,
              getattr(row, "job_template_id", None), template)
    killed = c.jobs.list(search_opts={"status": "killed"})
    check(SEED_KILLED in [j.id for j in killed] and all(j.info["status"] == "KILLED" for j in killed),
          "jobs.list(status=killed)", [(j.id, j.info["status"]) for j in killed])
    ids = sorted(sim_jobs(sim))
    p1 = c.jobs.list(limit=2)
    check_page(p1, ids, 2, None, "jobs.list(limit=2)")
    check_page(c.jobs.list(marker=p1.next, limit=2), ids, 2, p1.next, "jobs.list(marker=page1.next, limit=2)")
    check_page(c.jobs.list(sort_by="id", reverse=True), ids[::-1], None, None, "jobs.list(sort_by=-id)")


def t_v2_get_and_refresh(env):
    c, sim = env["c2"], env["sim"]
    j = c.jobs.get(SEED_RUNNING)
    d = check_v2_object(j.to_dict(), SEED_RUNNING)
    check(j.info["status"] == "RUNNING" and d.get("cluster_id") == sim_job(sim, SEED_RUNNING)["cluster_id"],
          "jobs.get()", d)
    # saharaclient's only refresh call sends ?refresh_status=True (Sahara 16 itself rejects it; section 3).
    j = c.jobs.refresh_status(SEED_SUCCEEDED)
    check_v2_object(j.to_dict(), SEED_SUCCEEDED)
    check(j.info["status"] == "SUCCEEDED", "jobs.refresh_status()", j.info)


def t_v2_create(env):
    c, sim = env["c2"], env["sim"]
    typed = {"configs": {V2_JOB_TYPE_KEY: "SparkSubmit"}} if V2 else None
    j = c.jobs.create(job_template_id=TEMPLATE_SPARK, cluster_id=CLUSTER_2, configs=typed)
    d = check_v2_object(j.to_dict())
    check(j.info["status"] == "PENDING", "a new job is PENDING", j.info)
    check(d["job_template_id"] == TEMPLATE_SPARK and d.get("cluster_id") == CLUSTER_2, "jobs.create() answer", d)
    job = sim_job(sim, j.id)
    check(job["project"] == PROJECT and job["cluster_id"] == CLUSTER_2
          and job["job_name"] == v2_submitted_name(TEMPLATE_SPARK), "the job MRS started", job)
    env["created"][j.id] = TEMPLATE_SPARK
    check(c.jobs.get(j.id).job_template_id == template_read_back(TEMPLATE_SPARK),
          "jobs.get() after create: job_template_id", repr(c.jobs.get(j.id).job_template_id))
    # v2 POST errors (section 3): template id required; an unknown one is INVALID_REFERENCE, not 404.
    count = len(sim_jobs(sim))
    resp = c.jobs.api.post("/jobs", json={"cluster_id": CLUSTER_2})
    check_v2_headers(resp)
    expect_api_error(c, resp, 400, "VALIDATION_ERROR",
                     lambda m: check(m.startswith("'job_template_id' is a required property"), "message", repr(m)))
    if V2:
        expect_client_error(lambda: c.jobs.create(job_template_id=TEMPLATE_SPARK, cluster_id=CLUSTER_2), 400,
                            "INVALID_DATA")
    else:   # MRS v2 has no templates to look up
        expect_client_error(lambda: c.jobs.create(job_template_id=UNKNOWN_JOB, cluster_id=CLUSTER_2),
                            400, "INVALID_REFERENCE",
                            lambda m: check(m.startswith("Job template with id '%s' doesn't exist" % UNKNOWN_JOB),
                                            "message", repr(m)))
    check(len(sim_jobs(sim)) == count, "refused POSTs must not start anything")


def t_v2_update(env):
    c = env["c2"]
    res = c.jobs.update(SEED_RUNNING)
    check(hasattr(res, "job"), "jobs.update() wraps the whole body: .job", res)
    check_v2_object(res.job, SEED_RUNNING)
    expect_client_error(lambda: c.jobs.update(SEED_RUNNING, is_public=True), 400, "UPDATE_FAILED")


def t_v2_delete(env):
    c, sim = env["c2"], env["sim"]
    job = sim_new_job(sim, "running")
    check(c.jobs.delete(job) is None, "jobs.delete() returns None on 204")
    check_gone_from_mrs(sim, job, True)
    expect_client_error(lambda: c.jobs.get(job), 404, "NOT_FOUND", not_found_msg(job))
    job = sim_new_job(sim, "succeeded")
    resp = c.jobs.api.delete("/jobs/%s" % job)
    check(resp.status_code == 204 and resp.content == b"", "raw DELETE /v2/jobs/{id}", resp.status_code,
          resp.content[:200])
    check_common_headers(resp)
    check_v2_headers(resp)


def t_v2_cancel_patch(env):
    c, sim = env["c2"], env["sim"]
    job = sim_new_job(sim, "running")
    resp = c.jobs.api.patch("/jobs/%s" % job, json={"info": {"status": "cancel"}})
    check(resp.status_code == 202, "PATCH /v2/jobs/{id} info.status=cancel", resp.status_code, resp.text[:300])
    check_v2_headers(resp)
    j = check_v2_object(body_of(resp, "job"), job)
    check(j["info"]["status"] in ("RUNNING", "TOBEKILLED", "KILLED"), "cancel answer status", j["info"])
    state = sim_job(sim, job)
    check(state["kill_pending"] or state["status"] == "killed", "MRS must have been asked to kill", state)
    wait_status(lambda: c.jobs.refresh_status(job).info["status"], "KILLED", "v2 cancelled %s" % job)


def t_v2_headers(env):
    c = env["c2"]
    resp = c.jobs.api.get("/jobs")
    check(resp.status_code == 200, "GET /v2/jobs", resp.status_code)
    check_common_headers(resp)
    check_v2_headers(resp)
    check(list(resp.json()) == ["jobs"], "v2 list envelope without markers", list(resp.json()))
    resp = c.jobs.api.get("/jobs/%s" % UNKNOWN_JOB)
    check_v2_headers(resp)   # also on errors of v2 routes (section 3)
    expect_api_error(c, resp, 404, "NOT_FOUND", not_found_msg(UNKNOWN_JOB))


def t_v2_version_negotiation(env):
    c = env["c2"]
    hdr = "OpenStack-API-Version"
    for value in ("data-processing 2.0", "data-processing latest"):
        resp = c.jobs.api.get("/jobs", headers={hdr: value})
        check(resp.status_code == 200, "%s: %s" % (hdr, value), resp.status_code, resp.text[:300])
        check_v2_headers(resp)
    resp = c.jobs.api.get("/jobs", headers={hdr: "data-processing 2.1"})
    check_v2_headers(resp, "2.1")
    expect_api_error(c, resp, 406, "NOT_ACCEPTABLE",
                     lambda m: check(m.startswith("Version 2.1 is not supported by the API. Minimum is 2.0 and "
                                                  "maximum is 2.0."), "406 message", repr(m)),
                     error_id=False)
    body = resp.json()
    check(body.get("min_version") == "2.0" and body.get("max_version") == "2.0", "406 min/max_version", body)
    resp = c.jobs.api.get("/jobs", headers={hdr: "data-processing abc"})
    check(resp.headers.get("Vary") and "openstack-api-version" in resp.headers["Vary"].lower(), "Vary on 400")
    expect_api_error(c, resp, 400, "BAD_REQUEST", error_id=False)


def t_v2_bad_query_param(env):
    c = env["c2"]

    def msg(m):
        check(m == "The only valid params for jobs_list are ['status'] and ['marker', 'limit', 'sort_by']",
              "INVALID_PARAMS_ON_REQUEST message (no Error ID line)", repr(m))

    expect_client_error(lambda: c.jobs.list(search_opts={"cluster_id": CLUSTER_1}), 400,
                        "INVALID_PARAMS_ON_REQUEST", msg, error_id=False)


def t_versions_document(env):
    gw = env["gw"]
    status, headers, body = http(gw.port, "GET", "/")
    check(status == 300, "GET / status", status, body)
    check(headers.get("Content-Type", "").startswith("application/json"), "GET / Content-Type",
          headers.get("Content-Type"))
    versions = {v.get("id"): v for v in (body or {}).get("versions", [])}
    check(set(versions) == {"v1.0", "v1.1", "v2"}, "version ids", sorted(versions))
    check(versions["v2"].get("status") == "CURRENT" and versions["v2"].get("min_version") == "2.0"
          and versions["v2"].get("max_version") == "2.0", "v2 entry", versions["v2"])
    for vid, v in versions.items():
        href = (v.get("links") or [{}])[0].get("href")
        check(href == "http://%s:%d/%s/" % (HOST, gw.port, vid), "self link of %s" % vid, href)


# --------------------------------------------------------------------------------------------------
# 3. the OpenStack CLI

def run_cli_batch(env, commands):
    """commands: [(name, version, args)]; runs them, CLI_PARALLEL at a time; stores CliRun objects."""
    runs = [CliRun(name, cli_argv(env["gw"].port, version, ["job"] + list(args)), env["cli_env"], env["cli_dir"])
            for name, version, args in commands]
    pending, active = list(runs), []
    env["cli_active"] = active          # so that the phase's finally can kill leftovers
    while pending or active:
        while pending and len(active) < CLI_PARALLEL:
            run = pending.pop(0)
            run.start()
            active.append(run)
        for run in list(active):
            if run.poll():
                active.remove(run)
        time.sleep(0.05)
    for run in runs:
        env["cli"][run.name] = run
    return runs


def cli_result(env, name, want_rc=0):
    run = env["cli"].get(name)
    check(run is not None, "CLI command %s did not run (see the batch case)" % name)
    check(not run.timed_out, "CLI command timed out", run.describe())
    check(run.rc == want_rc, "CLI exit code", run.describe())
    return run


def cli_json(run):
    try:
        return json.loads(run.out)
    except ValueError:
        raise Failure("CLI -f json output is not JSON: " + run.describe())


def t_cli_batch_read(env):
    """Read-only CLI commands of both API versions, run concurrently; the cases below check them."""
    sim = env["sim"]
    env["cli_before"] = sim_jobs(sim)
    cmds = []
    for v, tag in (("1.1", "v11"), ("2", "v2")):
        cmds += [
            (tag + "_list", v, ["list", "-f", "json"]),
            (tag + "_list_long", v, ["list", "--long", "-f", "json"]),
            (tag + "_list_killed", v, ["list", "--status", "killed", "-f", "value", "-c", "Id", "-c", "Status"]),
            (tag + "_show", v, ["show", SEED_SUCCEEDED, "-f", "json"]),
            (tag + "_update", v, ["update", SEED_RUNNING, "-f", "json"]),
            (tag + "_show_unknown", v, ["show", UNKNOWN_JOB]),
            (tag + "_update_public", v, ["update", SEED_RUNNING, "--public"]),
        ]
    t0 = time.monotonic()
    runs = run_cli_batch(env, cmds)
    print("#   %d CLI runs in %.1f s" % (len(runs), time.monotonic() - t0), flush=True)
    env["cli_after"] = sim_jobs(sim)
    check(set(env["cli_before"]) == set(env["cli_after"]), "sanity: no job appeared/vanished during the batch")
    late = [r.describe() for r in runs if r.timed_out]
    check(not late, "CLI commands timed out", *late)


def _cli_list(env, tag):
    run = cli_result(env, tag + "_list")
    rows = cli_json(run)
    before, after = env["cli_before"], env["cli_after"]
    check(isinstance(rows, list) and rows and all(isinstance(r, dict) for r in rows), "list -f json rows",
          run.describe())
    tcol = "Job id" if tag == "v11" else "Job template id"
    cols = {"Id", "Cluster id", tcol, "Status"}
    check(all(set(r) == cols for r in rows), "list columns", sorted(rows[0]), "expected %s" % sorted(cols))
    check(sorted(r["Id"] for r in rows) == sorted(after), "CLI list shows every job of the project",
          sorted(r["Id"] for r in rows), sorted(after))
    check_statuses({r["Id"]: r["Status"] for r in rows}, before, after, "CLI %s list" % tag)
    for r in rows:
        check(r["Cluster id"] == after[r["Id"]]["cluster_id"], "Cluster id of %s" % r["Id"], r)
        if r["Id"] in env["created"]:
            check(r[tcol] == template_read_back(env["created"][r["Id"]]), "%s of %s" % (tcol, r["Id"]), r)

    run = cli_result(env, tag + "_list_long")
    rows = cli_json(run)
    check(all(set(r) == cols | {"Start time", "End time"} for r in rows), "list --long columns",
          sorted(rows[0]) if rows else rows)
    check(sorted(r["Id"] for r in rows) == sorted(after), "list --long ids")
    ended = {r["Id"]: r["End time"] for r in rows}
    check(ended.get(SEED_SUCCEEDED) and TIME_RE.match(ended[SEED_SUCCEEDED]), "End time of a finished job",
          ended.get(SEED_SUCCEEDED))

    run = cli_result(env, tag + "_list_killed")
    got = {}
    for line in run.out.splitlines():
        if line.strip():
            parts = line.split()
            check(len(parts) == 2, "list --status killed -f value line", repr(line))
            got[parts[0]] = parts[1]
    lo = {i for i, j in before.items() if j["status"] == "killed"}
    hi = {i for i, j in after.items() if j["status"] == "killed"}
    check(SEED_KILLED in got and lo <= set(got) <= hi, "list --status killed: exactly the killed jobs",
          sorted(got), sorted(hi))
    check(set(got.values()) == {"KILLED"}, "list --status killed statuses", got)


def _cli_show_update(env, tag):
    run = cli_result(env, tag + "_show")
    d = cli_json(run)
    check(d.get("Id") == SEED_SUCCEEDED and d.get("Status") == "SUCCEEDED", "job show", d)
    check(d.get("Cluster id") == env["cli_after"][SEED_SUCCEEDED]["cluster_id"], "job show: Cluster id", d)
    for field in ("Job template id", "Start time", "End time", "Is public", "Is protected"):
        check(field in d, "job show prints %s" % field, sorted(d))
    check(d["Is public"] is False and d["Is protected"] is False, "job show flags", d)

    run = cli_result(env, tag + "_update")
    d = cli_json(run)
    check(d.get("Id") == SEED_RUNNING and d.get("Status") == "RUNNING", "job update (no flags)", d)

    run = cli_result(env, tag + "_show_unknown", want_rc=1)
    check("Object with {'id': '%s'} not found" % UNKNOWN_JOB in run.err, "job show of an unknown id prints "
          "the server's error_message", run.describe())
    run = cli_result(env, tag + "_update_public", want_rc=1)
    check("MRS cannot store" in run.err, "job update --public prints the UPDATE_FAILED message", run.describe())
    running = env["cli_after"][SEED_RUNNING]
    check(not running.get("is_protected") and not running["kill_pending"], "sim unchanged", running)


def t_cli_mutating_batch(env):
    """delete --wait (once per version, it is the slow one) and execute, run concurrently."""
    sim = env["sim"]
    env["cli_doomed"] = {"v11": sim_new_job(sim, "running"), "v2": sim_new_job(sim, "succeeded")}
    env["cli_jobs_before_execute"] = set(sim_jobs(sim))
    cmds = []
    for v, tag in (("1.1", "v11"), ("2", "v2")):
        cmds += [
            (tag + "_delete_wait", v, ["delete", env["cli_doomed"][tag], "--wait"]),
            (tag + "_execute", v, ["execute", "--job-template", TEMPLATE_SPARK, "--cluster", CLUSTER_1,
                                   "-f", "json"] + (["--configs", V2_JOB_TYPE_KEY + ":SparkSubmit"] if V2 else [])),
        ]
    t0 = time.monotonic()
    runs = run_cli_batch(env, cmds)
    print("#   %d CLI runs in %.1f s (%s)" % (len(runs), time.monotonic() - t0,
                                            ", ".join("%s %.1f s" % (r.name, r.secs or 0) for r in runs)), flush=True)
    late = [r.describe() for r in runs if r.timed_out]
    check(not late, "CLI commands timed out", *late)


def _cli_delete_wait(env, tag):
    run = cli_result(env, tag + "_delete_wait")
    job = env["cli_doomed"][tag]
    text = run.out + run.err
    check('Job "%s" deletion has been started.' % job in text, "delete --wait: start line", run.describe())
    check('Job "%s" has been removed successfully.' % job in text, "delete --wait: must see the 404 and finish",
          run.describe())
    check_gone_from_mrs(env["sim"], job, tag == "v11")


def _cli_execute(env, tag):
    run = cli_result(env, tag + "_execute")
    m = STARTED_RE.search(run.out + run.err)
    check(m, 'execute prints Job "<id>" has been started successfully.', run.describe())
    job_id = m.group(1)
    check(job_id not in env["cli_jobs_before_execute"], "execute must report a new id", job_id)
    job = sim_job(env["sim"], job_id)
    check(job["project"] == PROJECT and job["cluster_id"] == CLUSTER_1
          and job["job_name"] == v2_submitted_name(TEMPLATE_SPARK), "the job MRS started for the CLI", job)
    shown = json.loads(run.out[run.out.index("{"):]) if "{" in run.out else {}
    check(shown.get("Id") == job_id and shown.get("Status") == "PENDING"
          and shown.get("Job template id") == TEMPLATE_SPARK, "execute's table", shown)
    env["created"][job_id] = TEMPLATE_SPARK


def _cli_case(name, fn, tag):
    def case(env):
        fn(env, tag)
    case.__name__ = "t_" + name
    return case


# --------------------------------------------------------------------------------------------------
# 4. errors

def t_err_unknown_id(env):
    c, c2 = env["c11"], env["c2"]
    nf = not_found_msg(UNKNOWN_JOB)
    expect_client_error(lambda: c.job_executions.get(UNKNOWN_JOB), 404, "NOT_FOUND", nf)
    expect_client_error(lambda: c.job_executions.delete(UNKNOWN_JOB), 404, "NOT_FOUND", nf)
    expect_client_error(lambda: c.job_executions.update(UNKNOWN_JOB), 404, "NOT_FOUND", nf)
    expect_api_error(c, c.job_executions.api.get("/job-executions/%s/cancel" % UNKNOWN_JOB), 404, "NOT_FOUND", nf)
    expect_api_error(c, c.job_executions.api.get("/job-executions/%s/refresh-status" % UNKNOWN_JOB), 404,
                     "NOT_FOUND", nf)
    expect_api_error(c, c.job_executions.api.patch("/job-executions/%s" % UNKNOWN_JOB,
                                                   json={"info": {"status": "cancel"}}), 404, "NOT_FOUND", nf)
    expect_client_error(lambda: c2.jobs.get(UNKNOWN_JOB), 404, "NOT_FOUND", nf)
    expect_client_error(lambda: c2.jobs.delete(UNKNOWN_JOB), 404, "NOT_FOUND", nf)
    resp = c2.jobs.api.patch("/jobs/%s" % UNKNOWN_JOB, json={"info": {"status": "cancel"}})
    check_v2_headers(resp)
    expect_api_error(c2, resp, 404, "NOT_FOUND", nf)


def t_err_other_token_on_demo_url(env):
    gw, sim = env["gw"], env["sim"]
    c = make_sahara_client(v11_url(gw), OTHER_TOKEN, "1.1")   # valid token, other project, demo URL
    expect_client_error(lambda: c.job_executions.list(), 401, "UNAUTHORIZED")
    expect_client_error(lambda: c.job_executions.get(SEED_RUNNING), 401, "UNAUTHORIZED")
    expect_api_error(c, c.job_executions.api.get("/job-executions/%s/cancel" % SEED_RUNNING), 401, "UNAUTHORIZED")
    check(not sim_job(sim, SEED_RUNNING)["kill_pending"], "a refused token must not cancel")
    own = make_sahara_client(v11_url(gw, OTHER_PROJECT), OTHER_TOKEN, "1.1")
    got = [je.id for je in own.job_executions.list()]
    check(got == sorted(sim_jobs(sim, OTHER_PROJECT)), "other token on its own project URL", got)


def t_err_other_token_v2(env):
    gw, sim = env["gw"], env["sim"]
    c = make_sahara_client(v2_url(gw), OTHER_TOKEN, "2")
    page = c.jobs.list()
    check([j.id for j in page] == sorted(sim_jobs(sim, OTHER_PROJECT)) and SEED_OTHER_PROJECT in
          [j.id for j in page], "/v2 with the other token: only its own project's jobs", [j.id for j in page])
    for j in page:
        check_v2_object(j.to_dict(), j.id, OTHER_PROJECT)
    for demo in (SEED_RUNNING, SEED_SUCCEEDED):
        expect_client_error(lambda: c.jobs.get(demo), 404, "NOT_FOUND", not_found_msg(demo))
    expect_client_error(lambda: c.jobs.delete(SEED_SUCCEEDED), 404, "NOT_FOUND", not_found_msg(SEED_SUCCEEDED))
    expect_api_error(c, c.jobs.api.patch("/jobs/%s" % SEED_RUNNING, json={"info": {"status": "cancel"}}), 404,
                     "NOT_FOUND", not_found_msg(SEED_RUNNING))
    check(sim_has_job(sim, SEED_SUCCEEDED), "the demo job must survive another project's delete")
    check(not sim_job(sim, SEED_RUNNING)["kill_pending"], "the demo job must survive another project's cancel")


def t_err_protected(env):
    c, c2, sim = env["c11"], env["c2"], env["sim"]
    for job in (SEED_PROTECTED, sim_new_job(sim, "running", protected=True)):
        expect_api_error(c, c.job_executions.api.get("/job-executions/%s/cancel" % job), 400, "CANCELING_FAILED")
        expect_client_error(lambda: c.job_executions.delete(job), 400, "DELETION_FAILED")
        expect_client_error(lambda: c2.jobs.delete(job), 400, "DELETION_FAILED")
        expect_client_error(lambda: c.job_executions._patch("/job-executions/%s" % job,
                                                            {"info": {"status": "cancel"}}), 400, "UPDATE_FAILED")
        resp = c2.jobs.api.patch("/jobs/%s" % job, json={"info": {"status": "cancel"}})
        check_v2_headers(resp)
        expect_api_error(c2, resp, 400, "UPDATE_FAILED")
        state = sim_job(sim, job)
        check(state["status"] == "running" and not state["kill_pending"] and state["is_protected"],
              "a protected job survives cancel and delete", state)


def t_err_bad_list_params(env):
    c, c2 = env["c11"], env["c2"]

    def limit_msg(m):
        check(m.startswith("'limit' must be positive integer"), "limit message", repr(m))

    # error_name is the integer 400 for the limit/sort validators (section 7.1).
    expect_client_error(lambda: c.job_executions.list(limit=0), 400, 400, limit_msg)
    expect_client_error(lambda: c.job_executions.list(limit="abc"), 400, 400, limit_msg)
    expect_client_error(lambda: c2.jobs.list(limit=0), 400, 400, limit_msg)
    expect_client_error(lambda: c.job_executions.list(sort_by="name"), 400, 400,
                        lambda m: check(m.startswith("Unknown field for sorting name"), "sort message", repr(m)))
    expect_client_error(lambda: c.job_executions.list(marker=UNKNOWN_JOB, limit=2), 404, "NOT_FOUND",
                        not_found_msg(UNKNOWN_JOB))


def t_mrs_down_502(env):
    c, c2, sim, gw = env["c11"], env["c2"], env["sim"], env["gw"]
    # Warm the gateway's token cache for the v2 client's (kept-alive) connection, and prove it is warm.
    for _ in range(3):
        c2.jobs.list(limit=1)
    n0 = sim_stats(sim)["by_endpoint"]["identity"]
    c2.jobs.list(limit=1)
    c2.jobs.get(SEED_RUNNING)
    n1 = sim_stats(sim)["by_endpoint"]["identity"]
    check(n1 == n0, "v2 token cache must be warm (no identity call)", n0, n1)
    sim.stop(signal.SIGKILL)
    check(not sim.alive(), "simulator should be dead")

    def mrs_msg(m):
        check(m, "502 message")

    t0 = time.monotonic()
    expect_client_error(lambda: c.job_executions.list(), 502, "BAD_GATEWAY", mrs_msg)
    expect_api_error(c, c.job_executions.api.get("/job-executions"), 502, "BAD_GATEWAY")
    # Token cached: the gateway goes straight to MRS, and MRS being down is a 502, not a 401.
    resp = c2.jobs.api.get("/jobs")
    check(resp.status_code != 401, "v2 with a cached token must not turn MRS down into 401", resp.text[:300])
    check_v2_headers(resp)
    expect_api_error(c2, resp, 502, "BAD_GATEWAY")
    expect_client_error(lambda: c2.jobs.list(), 502, "BAD_GATEWAY")
    # A token the gateway never validated cannot be checked while identity is down either: that is
    # keystonemiddleware's 503 "The Keystone service is temporarily unavailable.", again not a 401.
    cold = make_sahara_client(v2_url(gw), "never-validated-token", "2")
    expect_client_error(lambda: cold.jobs.list(), 503, "SERVICE_UNAVAILABLE")
    check(time.monotonic() - t0 < 10, "502s must come quickly (connection refused)", time.monotonic() - t0)
    check(gw.alive(), "the gateway must survive MRS going away")


# --------------------------------------------------------------------------------------------------
# 5. mrs-v2 only

def t_v2only_delete_running_then_404(env):
    """DELETE of a running v2 job: MRS refuses it (0183), the gateway kills it and answers 204; then GET
    is 404, which is what `openstack dataprocessing job delete --wait` polls for."""
    c, c2, sim = env["c11"], env["c2"], env["sim"]
    for client, path in ((c, "/job-executions/%s"), (c2, "/jobs/%s")):
        job = sim_new_job(sim, "running")
        st, mrs = sim_http(sim, "POST", "/v2/%s/clusters/%s/job-executions/batch-delete"
                           % (PROJECT, CLUSTER_1), {"job_id_list": [job]}, headers={"X-Auth-Token": TOKEN})
        check(st == 400 and (mrs or {}).get("error_code") == "0183", "MRS itself refuses (direct)", st, mrs)
        sim_reset_stats(sim)
        resp = client.job_executions.api.delete(path % job) if client is c else client.jobs.api.delete(path % job)
        check(resp.status_code == 204 and resp.content == b"", "DELETE of a running job", resp.status_code,
              resp.text[:300])
        calls = mrs_calls(sim)
        print("#   DELETE %s of a running job: MRS calls %s" % (path.split("/")[1], calls), flush=True)
        # A job the gateway has not seen: the search (1 cluster list page, a read per cluster), M refused
        # with 0183, L, then K once (upstream.cancel_wait_ms is 0: the job still runs, so no second M).
        want = {"cluster_list": 1, "v2_show": len(DEMO_CLUSTERS) + 1, "v2_delete": 1, "v2_kill": 1}
        check(calls == want, "MRS: the search, delete refused, a kill and one read", calls, "expected %s" % want)
        check_gone_from_mrs(sim, job, True)
        deadline = time.monotonic() + 5   # delete --wait: GET until 404
        while True:
            got = client.job_executions.api.get(path % job) if client is c else client.jobs.api.get(path % job)
            if got.status_code == 404 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        expect_api_error(client, got, 404, "NOT_FOUND", not_found_msg(job))


def t_v2only_execute_job_type(env):
    c, sim = env["c11"], env["sim"]
    before = set(sim_jobs(sim))
    je = c.job_executions.create(job_id=TEMPLATE_SPARK, cluster_id=CLUSTER_2,
                                 configs={"configs": {V2_JOB_TYPE_KEY: "SparkSubmit", "mrs.job_name": "pi_v2"},
                                          "args": ["--class", "Pi", "pi.jar"]})
    check(je.id not in before and je.cluster_id == CLUSTER_2, "a new job", je.to_dict())
    job = sim_job(sim, je.id)
    check(job["job_type"] == "SparkSubmit" and job["job_name"] == "pi_v2" and job["cluster_id"] == CLUSTER_2,
          "MRS got the type and name from configs", job)
    listed = {j.id for j in c.job_executions.list()}
    check(je.id in listed, "the job shows up in the list", je.id)
    shown = c.job_executions.get(je.id)
    check(shown.info["status"] in ("PENDING", "RUNNING") and shown.job_id == template_read_back(TEMPLATE_SPARK),
          "and in show",
          shown.to_dict())
    env["created"][je.id] = TEMPLATE_SPARK
    count = len(sim_jobs(sim))
    resp = c.job_executions.api.post("/jobs/%s/execute" % TEMPLATE_SPARK,
                                     json={"cluster_id": CLUSTER_2, "job_configs": {"configs": {"a": "b"}}})
    expect_api_error(c, resp, 400, "INVALID_DATA")
    check(len(sim_jobs(sim)) == count, "a refused execute starts nothing")


# --------------------------------------------------------------------------------------------------
# 6. mrs-v2 with auth.mode = aksk: MRS calls signed with the gateway's key, client tokens checked at
# identity.url for the URL's project (docs/api-coverage.md, "Signed calls")

AKSK_AK = "SIMTESTAK0000000001"
AKSK_SK = "sim-test-secret-key-0001"


def write_credentials(path, ak, sk):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write('access_key = "%s"\nsecret_key = "%s"\n' % (ak, sk))
    os.chmod(path, 0o600)
    return path


def check_all_signed(sim, what):
    """Every MRS call since the last reset was signed and held; returns the MRS call count."""
    stats = sim_stats(sim)
    mrs = sum(v for k, v in stats["by_endpoint"].items() if k != "identity")
    check(mrs > 0, "%s: MRS was called" % what, stats)
    check(stats["signed_requests"] == mrs, "%s: every MRS call signed" % what, stats)
    check(stats["signature_failures"] == 0, "%s: no signature failure" % what, stats)
    return mrs


def t_aksk_v11_calls(env):
    c, sim = env["c11"], env["sim"]
    sim_reset_stats(sim)
    check(SEED_SUCCEEDED in [je.id for je in c.job_executions.list()], "list")
    check(c.job_executions.get(SEED_RUNNING).info["status"] == "RUNNING", "show")
    job = sim_new_job(sim, "running")
    resp = c.job_executions.api.get("/job-executions/%s/cancel" % job)
    check(resp.status_code == 200 and resp.json()["job_execution"]["info"]["status"] in ("TOBEKILLED", "KILLED"),
          "cancel", resp.status_code, resp.text[:300])
    check(sim_job(sim, job)["kill_pending"] or sim_job(sim, job)["status"] == "killed", "MRS killing", job)
    done = sim_new_job(sim, "succeeded")
    check(c.job_executions.delete(done) is None and not sim_has_job(sim, done), "delete", done)
    je = c.job_executions.create(job_id=TEMPLATE_WORDCOUNT, cluster_id=CLUSTER_1,
                                 configs={"configs": {V2_JOB_TYPE_KEY: "MapReduce"}})
    check(sim_job(sim, je.id)["cluster_id"] == CLUSTER_1, "execute", je.to_dict())
    n = check_all_signed(sim, "v1.1 API")
    print("#   v1.1 API in aksk mode: %d signed MRS calls" % n, flush=True)


def t_aksk_v2_calls(env):
    c, sim = env["c2"], env["sim"]
    sim_reset_stats(sim)
    check(SEED_SUCCEEDED in [j.id for j in c.jobs.list()], "jobs.list")
    check(c.jobs.get(SEED_FAILED).info["status"] == "FAILED", "jobs.get")
    job = sim_new_job(sim, "running")
    resp = c.jobs.api.patch("/jobs/%s" % job, json={"info": {"status": "cancel"}})
    check(resp.status_code == 202, "PATCH cancel", resp.status_code, resp.text[:300])
    check(sim_job(sim, job)["kill_pending"] or sim_job(sim, job)["status"] == "killed", "MRS killing", job)
    done = sim_new_job(sim, "failed")
    check(c.jobs.delete(done) is None and not sim_has_job(sim, done), "jobs.delete", done)
    j = c.jobs.create(job_template_id=TEMPLATE_SPARK, cluster_id=CLUSTER_2,
                      configs={"configs": {V2_JOB_TYPE_KEY: "SparkSubmit"}})
    check(sim_job(sim, j.id)["cluster_id"] == CLUSTER_2, "jobs.create", j.to_dict())
    n = check_all_signed(sim, "v2 API")
    print("#   v2 API in aksk mode: %d signed MRS calls" % n, flush=True)


def t_aksk_other_projects_token_401(env):
    gw, sim = env["gw"], env["sim"]
    c = make_sahara_client(v11_url(gw), OTHER_TOKEN, "1.1")   # valid token, other project, demo URL
    sim_reset_stats(sim)
    expect_client_error(lambda: c.job_executions.list(), 401, "UNAUTHORIZED")
    expect_client_error(lambda: c.job_executions.get(SEED_RUNNING), 401, "UNAUTHORIZED")
    expect_api_error(c, c.job_executions.api.get("/job-executions/%s/cancel" % SEED_RUNNING), 401, "UNAUTHORIZED")
    calls = mrs_calls(sim)
    calls.pop("identity", None)
    check(calls == {}, "a token of another project must not reach MRS (the gateway's key would sign it)", calls)
    check(not sim_job(sim, SEED_RUNNING)["kill_pending"], "a refused token must not cancel")


def _expect_signature_502(env, c, what):
    sim = env["sim"]
    f0 = sim_stats(sim)["signature_failures"]
    expect_client_error(lambda: c.job_executions.get(SEED_SUCCEEDED), 502, "BAD_GATEWAY")
    expect_client_error(lambda: c.job_executions.list(), 502, "BAD_GATEWAY")
    f1 = sim_stats(sim)["signature_failures"]
    check(f1 > f0, "%s: MRS must have refused the signature" % what, f0, f1)


def t_aksk_skewed_clock_502(env):
    c, sim = env["c11"], env["sim"]
    st, body = sim_http(sim, "POST", "/_sim/clock", {"offset_s": 3600})
    check(st == 200, "POST /_sim/clock", st, body)
    try:
        _expect_signature_502(env, c, "clock skewed by an hour")
    finally:
        sim_http(sim, "POST", "/_sim/clock", {"offset_s": 0})
    sim_reset_stats(sim)
    check(c.job_executions.get(SEED_SUCCEEDED).info["status"] == "SUCCEEDED", "works again with the clock back")
    check_all_signed(sim, "clock back")


def t_aksk_wrong_secret_502(env):
    args, sim = env["args"], env["sim"]
    creds = write_credentials(os.path.join(env["cli_dir"], "wrong-sk.toml"), AKSK_AK, AKSK_SK + "-wrong")
    upstream = "http://%s:%d" % (HOST, sim.port)
    gw = Child("gateway-aksk-wrong-sk", [args.gateway, "--listen", HOST + ":0", "--threads", "2",
                                         "--upstream", upstream, "--backend", args.backend,
                                         "--identity-url", upstream + "/v3", "--auth-mode", "aksk",
                                         "--auth-credentials-file", creds], env["logdir"])
    env["extra_children"].append(gw)
    gw.start()
    c = make_sahara_client(v11_url(gw), TOKEN, "1.1")
    _expect_signature_502(env, c, "wrong secret key")
    c2 = make_sahara_client(v2_url(gw), TOKEN, "2")
    expect_client_error(lambda: c2.jobs.get(SEED_SUCCEEDED), 502, "BAD_GATEWAY")
    check(gw.alive(), "the gateway survives")


AKSK_CASES = [t_aksk_v11_calls, t_aksk_v2_calls, t_aksk_other_projects_token_401, t_aksk_skewed_clock_502,
              t_aksk_wrong_secret_502]


def run_aksk_phase(args, logdir, tally):
    print("# phase: mrs-v2 with auth.mode = aksk", flush=True)
    children, env = [], {"extra_children": []}
    work = tempfile.mkdtemp(prefix="sgw-conformance-aksk-")
    try:
        creds = write_credentials(os.path.join(work, "credentials.toml"), AKSK_AK, AKSK_SK)
        children, sim, gw = started_pair(
            args, logdir, "aksk", tally,
            ["--kill-delay-ms", str(KILL_DELAY_MS), "--start-delay-ms", str(START_DELAY_MS),
             "--aksk", "%s:%s:%s" % (AKSK_AK, AKSK_SK, PROJECT)],
            ["--upstream-connect-timeout-ms", "1000", "--upstream-request-timeout-ms", "5000",
             "--auth-mode", "aksk", "--auth-credentials-file", creds], identity=True)
        if sim is None:
            return
        env.update({"sim": sim, "gw": gw, "args": args, "logdir": logdir, "cli_dir": work,
                    "c11": make_sahara_client(v11_url(gw), TOKEN, "1.1"),
                    "c2": make_sahara_client(v2_url(gw), TOKEN, "2")})
        run_cases(env, AKSK_CASES, tally)
    finally:
        for child in reversed(children + env["extra_children"]):
            child.stop()
        if tally["failed"] and args.verbose:
            for child in children + env["extra_children"]:
                print("# %s stderr (tail):\n%s" % (child.name, child.stderr_tail()), flush=True)
        shutil.rmtree(work, ignore_errors=True)


# --------------------------------------------------------------------------------------------------
# running

CASES_V11_ONLY = {t_err_protected}   # MRS v1.1's protected jobs
CASES_V2_ONLY = {t_v2only_delete_running_then_404, t_v2only_execute_job_type}


def for_backend(cases):
    skip = CASES_V11_ONLY if V2 else CASES_V2_ONLY
    return [case for case in cases if case not in skip]


CASES = [
    # 1. v1.1 client
    t_v11_list, t_v11_list_status_filter, t_v11_list_paging, t_v11_list_marker_without_limit, t_v11_list_sort,
    t_v11_get, t_v11_create, t_v11_create_errors, t_v11_update, t_v11_update_refused, t_v11_delete,
    t_v11_cancel_adapter, t_v11_cancel_patch, t_v11_refresh_status, t_v11_projectless_endpoint,
    # 2. v2 client
    t_v2_list, t_v2_get_and_refresh, t_v2_create, t_v2_update, t_v2_delete, t_v2_cancel_patch, t_v2_headers,
    t_v2_version_negotiation, t_v2_bad_query_param, t_versions_document,
    # 3. CLI
    t_cli_batch_read,
    _cli_case("cli_v11_list", _cli_list, "v11"), _cli_case("cli_v2_list", _cli_list, "v2"),
    _cli_case("cli_v11_show_update", _cli_show_update, "v11"), _cli_case("cli_v2_show_update", _cli_show_update, "v2"),
    t_cli_mutating_batch,
    _cli_case("cli_v11_delete_wait", _cli_delete_wait, "v11"), _cli_case("cli_v2_delete_wait", _cli_delete_wait, "v2"),
    _cli_case("cli_v11_execute", _cli_execute, "v11"), _cli_case("cli_v2_execute", _cli_execute, "v2"),
    # 4. errors; MRS down must stay last
    t_err_unknown_id, t_err_other_token_on_demo_url, t_err_other_token_v2, t_err_protected, t_err_bad_list_params,
    # 5. mrs-v2 only
    t_v2only_delete_running_then_404, t_v2only_execute_job_type,
    # MRS down must stay last
    t_mrs_down_502,
]


def run_phases(args, logdir, tally):
    run_api_phase(args, logdir, tally)
    if V2:
        run_aksk_phase(args, logdir, tally)


def run_api_phase(args, logdir, tally):
    print("# phase: v1.1 + v2 API, saharaclient and CLI", flush=True)
    children, env = [], {}
    cli_dir = tempfile.mkdtemp(prefix="sgw-conformance-cli-")
    try:
        children, sim, gw = started_pair(
            args, logdir, "api", tally,
            ["--kill-delay-ms", str(KILL_DELAY_MS), "--start-delay-ms", str(START_DELAY_MS)],
            ["--upstream-connect-timeout-ms", "1000", "--upstream-request-timeout-ms", "5000"], identity=True)
        if sim is None:
            return
        home = os.path.join(cli_dir, "home")
        os.mkdir(home)
        env = {"sim": sim, "gw": gw, "created": {}, "cancelled_v11": [], "cli": {}, "cli_active": [],
               "cli_dir": cli_dir, "cli_env": cli_environment(home),
               "c11": make_sahara_client(v11_url(gw), TOKEN, "1.1"),
               "c2": make_sahara_client(v2_url(gw), TOKEN, "2")}
        check_state = sim_state(sim)   # fail early and clearly if the seed is not what the cases assume
        seeded = {j["id"] for j in check_state[STATE_JOBS_KEY]}
        for job in (SEED_RUNNING, SEED_STARTING, SEED_SUCCEEDED, SEED_FAILED, SEED_KILLED, SEED_PROTECTED,
                    SEED_OTHER_PROJECT):
            if job is not None and job not in seeded:
                raise RuntimeError("simulator seed lacks %s" % job)
        run_cases(env, for_backend(CASES), tally)
    finally:
        for run in env.get("cli_active", []):
            run.kill()
        for child in reversed(children):
            child.stop()
        if tally["failed"] and args.verbose:
            for child in children:
                print("# %s stderr (tail):\n%s" % (child.name, child.stderr_tail()), flush=True)
        shutil.rmtree(cli_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(run_main(__doc__.split("\n")[0], run_phases))
