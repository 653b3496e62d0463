"""The contract checks against a real MRS, through sahara-gateway and the real python-saharaclient.

Skipped (exit 77, which ctest reports as skipped) unless the environment names a real MRS:

  SGW_LIVE_MRS_URL       base URL of MRS, e.g. https://mrs.eu-de.otc.t-systems.com (required)
  SGW_LIVE_PROJECT       the project (32 hex) the token is scoped to (required)
  SGW_LIVE_TOKEN         an IAM token for that project (required: Sahara clients always send one)
  SGW_LIVE_BACKEND       mrs-v1.1 (default) or mrs-v2
  SGW_LIVE_IDENTITY_URL  Keystone v3 endpoint, e.g. https://iam.eu-de.otc.t-systems.com/v3: enables
                         the /v2 routes (project from the token) and, with AK/SK, auth.mode aksk
  HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK[, HUAWEICLOUD_SDK_SECURITY_TOKEN]
                         with SGW_LIVE_IDENTITY_URL: the gateway signs its MRS calls with these
                         (auth.mode aksk) instead of forwarding the token
  SGW_LIVE_CA_FILE       CA bundle for MRS, when the system store does not hold its issuer
  SGW_LIVE_CANCEL_JOB    a job id the run may cancel (off by default: the checks only read)

Run:  /usr/bin/python3 tests/live/live_contract.py --gateway build/release/sahara-gateway
The gateway listens on 127.0.0.1 only; the only non-loopback peer is the MRS named above.
"""

import argparse
import os
import sys
import tempfile
import shutil
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "conformance"))
import harness as h  # noqa: E402

SKIP = 77
STATUSES = ("DONEWITHERROR", "FAILED", "KILLED", "PENDING", "READYTORUN", "RUNNING", "SUCCEEDED", "TOBEKILLED",
            "TOBESUSPENDED", "PREP", "PREPSUSPENDED", "SUSPENDED", "SUSPENDFAILED")
JOB_KEYS = ("id", "cluster_id", "info", "start_time", "end_time", "created_at", "updated_at", "is_public",
            "is_protected", "input_id", "output_id", "job_configs")


def settings():
    env = os.environ
    missing = [k for k in ("SGW_LIVE_MRS_URL", "SGW_LIVE_PROJECT", "SGW_LIVE_TOKEN") if not env.get(k)]
    if missing:
        return None, "no real MRS configured (%s unset)" % ", ".join(missing)
    s = {
        "url": env["SGW_LIVE_MRS_URL"].rstrip("/"),
        "project": env["SGW_LIVE_PROJECT"],
        "token": env["SGW_LIVE_TOKEN"],
        "backend": env.get("SGW_LIVE_BACKEND", "mrs-v1.1"),
        "identity": env.get("SGW_LIVE_IDENTITY_URL", ""),
        "ca": env.get("SGW_LIVE_CA_FILE", ""),
        "cancel": env.get("SGW_LIVE_CANCEL_JOB", ""),
    }
    s["aksk"] = bool(s["identity"] and env.get("HUAWEICLOUD_SDK_AK") and env.get("HUAWEICLOUD_SDK_SK"))
    return s, None


def check_job(job, what):
    for key in JOB_KEYS:
        h.check(key in job, "%s: key %r missing" % (what, key), sorted(job))
    h.check(isinstance(job["info"], dict) and job["info"].get("status") in STATUSES,
            "%s: info.status not in Sahara's vocabulary" % what, job.get("info"))


def cases(s):
    def t_versions(env):
        status, body = h.http(env["gw"].port, "GET", "/")
        h.check(status == 300, "GET / is Sahara's versions document", status, body)

    def t_list_v1_1(env):
        page = env["c"].job_executions.list(limit=5)
        for j in page:
            check_job(j.to_dict(), "v1.1 list row")
        env["first"] = page[0].id if page else None

    def t_show_listed(env):
        if not env.get("first"):
            print("  (the project has no job: nothing to show)")
            return
        j = env["c"].job_executions.get(env["first"]).to_dict()
        check_job(j, "v1.1 show")
        h.check(j["id"] == env["first"], "show answers the job asked for", j["id"])

    def t_unknown_job_404(env):
        unknown = str(uuid.uuid4())
        for call in (lambda: env["c"].job_executions.get(unknown),
                     lambda: env["c"].job_executions.delete(unknown),
                     lambda: env["c"].job_executions.api.get("/job-executions/%s/cancel" % unknown)):
            try:
                resp = call()
            except h.sahara_base.APIException as exc:
                h.check_api_exception(exc, 404, "NOT_FOUND")
                continue
            h.expect_api_error(env["c"], resp, 404, "NOT_FOUND")

    def t_list_v2(env):
        if not s["identity"]:
            print("  (no SGW_LIVE_IDENTITY_URL: the /v2 routes need the token's project)")
            return
        c2 = h.make_sahara_client("http://%s:%d/v2" % (h.HOST, env["gw"].port), s["token"], "2", timeout=60)
        for j in c2.jobs.list(limit=5):
            d = j.to_dict()
            h.check("project_id" in d and "job_template_id" in d, "v2 renames", sorted(d))
            h.check(d["info"]["status"] in STATUSES, "v2 status", d["info"])

    def t_cancel_chosen_job(env):
        if not s["cancel"]:
            print("  (SGW_LIVE_CANCEL_JOB unset: nothing is cancelled)")
            return
        resp = env["c"].job_executions.api.get("/job-executions/%s/cancel" % s["cancel"])
        h.check(resp.status_code == 200, "cancel answers 200", resp.status_code, resp.text[:400])
        st = resp.json()["job_execution"]["info"]["status"]
        h.check(st in ("TOBEKILLED", "KILLED") or st in h.TERMINAL, "cancel status", st)

    return [t_versions, t_list_v1_1, t_show_listed, t_unknown_job_404, t_list_v2, t_cancel_chosen_job]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gateway", required=True)
    args = ap.parse_args()
    s, why = settings()
    if s is None:
        print("live tier skipped: " + why)
        return SKIP
    logdir = tempfile.mkdtemp(prefix="sgw-live-")
    conf = os.path.join(logdir, "gateway.toml")
    with open(conf, "w") as f:
        f.write('[upstream]\nurl = "%s"\nbackend = "%s"\nrequest_timeout_ms = 60000\n' % (s["url"], s["backend"]))
        if s["ca"]:
            f.write('ca_file = "%s"\n' % s["ca"])
        if s["identity"]:
            f.write('[identity]\nurl = "%s"\n' % s["identity"])
        if s["aksk"]:
            f.write('[auth]\nmode = "aksk"\n')  # keys from HUAWEICLOUD_SDK_* in the environment
    gw = h.Child("gateway-live", [args.gateway, "--config", conf, "--listen", h.HOST + ":0", "--threads", "1"],
                 logdir)
    tally = {"passed": 0, "failed": 0}
    try:
        gw.start()
        url = "http://%s:%d/v1.1/%s" % (h.HOST, gw.port, s["project"])
        env = {"gw": gw, "c": h.make_sahara_client(url, s["token"], timeout=60)}
        print("# %s backend, %s, MRS %s" % (s["backend"], "aksk" if s["aksk"] else "token passthrough", s["url"]))
        h.run_cases(env, cases(s), tally)
    except Exception as exc:
        tally["failed"] += 1
        print("FAIL setup: %s" % exc)
    finally:
        gw.stop()
        if tally["failed"]:
            print("# gateway log in %s" % logdir)
        else:
            shutil.rmtree(logdir, ignore_errors=True)
    print("%d passed, %d failed" % (tally["passed"], tally["failed"]))
    return 0 if tally["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
