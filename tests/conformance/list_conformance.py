#!/usr/bin/python3
"""Conformance test: job-execution lists over a long history, driven by the REAL python-saharaclient.

Run with Debian's interpreter (/usr/bin/python3), which has python3-saharaclient 4.0.2:

    /usr/bin/python3 list_conformance.py --gateway build/release/sahara-gateway \
                                         --sim build/release/tests/mrs_sim/mrs-sim [--jobs 50000] \
                                         [--backend mrs-v2]

It starts its own MRS simulator (--seed-demo) and gateway on 127.0.0.1, port 0, seeds the demo
project up to --jobs job executions over 5 clusters in one control call (POST /_sim/jobs with
"count"), and lists them through saharaclient Client("1.1") and Client("2") in every shape a
script uses (sahara-api.md section 4): pages by limit and marker in id order and in reverse,
each sort key, the status and cluster_id filters, a marker the filter leaves out, the whole
list, and walking Page.next with limit=1000 to the end. Each expected answer is computed here
from the simulator's own state (GET /_sim/state) with Sahara's algorithm: filter, order by the
sort key with ties by id (descending is the exact reverse), page from the marker itself.

With --backend mrs-v2 the history is of v2 jobs ("api": "v2"), 5,000 by default: mrs-v2 reads every
page of every cluster for any list (docs/api-coverage.md, "Lists on mrs-v2"), so its cost per list
follows the history, not the page.  The call counts checked differ per backend: MRS v1.1's pushed-down
id-ordered pages, or mrs-v2's P + sum over clusters of ceil(jobs / 100).

Prints one line per case (with its time and the MRS calls it cost, from /_sim/stats) and a
final "N passed, M failed"; exits 0 only if nothing failed.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (  # noqa: E402  (harness also holds the import guard for saharaclient)
    CLUSTER_1, HOST, PROJECT, SIM_JOB_API, SIM_TO_SAHARA, STATE_JOBS_KEY, TOKEN, V2, check, check_page,
    make_sahara_client, run_cases, run_main, sahara_page, sim_http, sim_state, started_pair)

JOBS = 5000 if V2 else 50000
CLUSTERS = 5
# The seeded states, by weight; jobs that hold their state, so expectations do not move.
STATES = {"running": 3, "succeeded": 10, "failed": 2, "killed": 2, "starting": 1, "abnormal": 1}
LIST_TIMEOUT_S = 300      # one list call through the client (the whole history is read for some)


def _jobs_arg():
    ap = argparse.ArgumentParser(add_help=False)
    ap.add_argument("--jobs", type=int, default=JOBS)
    known, rest = ap.parse_known_args()
    sys.argv = [sys.argv[0]] + rest
    return known.jobs


def sort_key(field):
    """The value Sahara orders by, for each sort_by name (sahara-api.md section 4)."""
    return {"id": lambda j: j["id"], "cluster": lambda j: j["cluster_id"] or "",
            "job_template": lambda j: j["job_id"], "status": lambda j: j["sahara_status"]}[field]


def ordered(jobs, sort_by="id", reverse=False, status=None, cluster=None):
    """Sahara's filtered, ordered id list: ascending by the key then id; descending reverses it."""
    rows = [j for j in jobs
            if (status is None or j["sahara_status"].lower() == status.lower())
            and (cluster is None or j["cluster_id"] == cluster)]
    key = sort_key(sort_by)
    rows.sort(key=lambda j: (key(j), j["id"]))
    ids = [j["id"] for j in rows]
    return ids[::-1] if reverse else ids


class Tracker:
    """Times a case and counts the MRS calls it made (GET /_sim/stats by_endpoint)."""

    def __init__(self, sim):
        self.sim = sim

    def __enter__(self):
        sim_http(self.sim, "POST", "/_sim/stats/reset")
        self.t0 = time.monotonic()
        return self

    def __exit__(self, *exc):
        self.seconds = time.monotonic() - self.t0
        _, stats = sim_http(self.sim, "GET", "/_sim/stats")
        self.calls = {k: v for k, v in stats["by_endpoint"].items() if v}
        return False

    def note(self, what):
        print("#   %s: %.2f s, MRS calls %s" % (what, self.seconds, self.calls), flush=True)


def check_rows(env, page, what):
    """Every row carries the status the simulator holds for it, and its cluster."""
    for item in page:
        job = env["by_id"].get(item.id)
        check(job is not None, "%s: %s is a job of the project" % (what, item.id))
        check(item.info.get("status") == job["sahara_status"], "%s: status of %s" % (what, item.id),
              item.info.get("status"), job["sahara_status"])
        check(item.cluster_id == job["cluster_id"], "%s: cluster of %s" % (what, item.id))


def v2_list_cost(env):
    """mrs-v2: every list reads the cluster list (one page: fewer than 100 clusters) and every page of 100
    of every cluster, at least one per cluster."""
    per_cluster = {}
    for j in env["jobs"]:
        per_cluster[j["cluster_id"]] = per_cluster.get(j["cluster_id"], 0) + 1
    clusters = [cl["id"] for cl in sim_state(env["sim"])["clusters"]
                if cl["project"] == PROJECT and cl["state"] != "terminated"]
    return {"cluster_list": 1, "v2_list": sum(max(1, -(-per_cluster.get(cl, 0) // 100)) for cl in clusters)}


def t_first_page(env):
    c, ids = env["c11"], env["ids"]
    with Tracker(env["sim"]) as t:
        page = c.job_executions.list(limit=20)
    t.note("?limit=20")
    check_page(page, ids, 20, None, "list(limit=20)")
    check_rows(env, page, "list(limit=20)")
    if V2:
        check(t.calls == v2_list_cost(env), "mrs-v2: a 20-row page reads every page of every cluster", t.calls,
              "expected %s" % v2_list_cost(env))
        with Tracker(env["sim"]) as t:
            second = c.job_executions.list(limit=20, marker=page.next)
        t.note("?limit=20&marker=<next>")
        check_page(second, ids, 20, page.next, "list(limit=20, marker=page.next)")
        check(t.calls == v2_list_cost(env), "mrs-v2: a marker page costs the same", t.calls)
        return
    check(t.calls.get("list") == 1 and t.calls.get("exe_show") == 20 and sum(t.calls.values()) == 21,
          "a 20-row page costs MRS's own page and 20 state reads", t.calls)
    with Tracker(env["sim"]) as t:
        second = c.job_executions.list(limit=20, marker=page.next)
    t.note("?limit=20&marker=<next>")
    check_page(second, ids, 20, page.next, "list(limit=20, marker=page.next)")
    check(sum(t.calls.values()) == 23, "a marker page costs the marker's row, two MRS pages and 20 reads",
          t.calls)


def t_reverse_pages(env):
    c, ids = env["c11"], env["ids"][::-1]
    page = c.job_executions.list(limit=500, sort_by="id", reverse=True)
    check_page(page, ids, 500, None, "list(limit=500, sort_by=-id)")
    deep = ids[len(ids) // 2]
    page = c.job_executions.list(limit=500, sort_by="id", reverse=True, marker=deep)
    check_page(page, ids, 500, deep, "list(limit=500, sort_by=-id, marker=middle)")
    check_rows(env, page, "sort_by=-id")


def t_walk_next_to_the_end(env):
    """Page.next with limit=1000 until it is None: every job once, in order; Sahara's quirk repeats
    the first page's last row at the top of the second page, and only there."""
    c, ids = env["c11"], env["ids"]
    seen, pages, marker = [], 0, None
    with Tracker(env["sim"]) as t:
        while True:
            page = c.job_executions.list(limit=1000, marker=marker)
            pages += 1
            exp, _, exp_next = sahara_page(ids, 1000, marker)
            check([i.id for i in page] == exp, "page %d rows" % pages)
            check(page.next == exp_next, "page %d next" % pages, page.next, exp_next)
            rows = [i.id for i in page]
            if seen and rows and rows[0] == seen[-1]:
                check(pages == 2, "only the second page repeats a row", pages)
                rows = rows[1:]
            seen.extend(rows)
            if page.next is None:
                break
            marker = page.next
            check(pages <= len(ids) // 1000 + 2, "the walk ends", pages)
    t.note("walking next, limit=1000, %d pages" % pages)
    check(seen == ids, "every job seen once and in order", len(seen), len(ids))


def t_status_filter(env):
    c, jobs = env["c11"], env["jobs"]
    for status, limit in (("killed", 50), ("RUNNING", 1000), ("pending", 7)):
        ids = ordered(jobs, status=status)
        with Tracker(env["sim"]) as t:
            page = c.job_executions.list(search_opts={"status": status}, limit=limit)
        t.note("?status=%s&limit=%d" % (status, limit))
        check_page(page, ids, limit, None, "list(status=%s, limit=%d)" % (status, limit))
        check_rows(env, page, "status=%s" % status)
        marker = ids[len(ids) // 3]
        page = c.job_executions.list(search_opts={"status": status}, limit=limit, marker=marker)
        check_page(page, ids, limit, marker, "list(status=%s, limit=%d, marker)" % (status, limit))


def t_marker_left_out_by_the_filter(env):
    """A visible job the filter leaves out is not a 404: the first page, both markers null."""
    c, jobs = env["c11"], env["jobs"]
    ids = ordered(jobs, status="killed")
    outsider = next(j["id"] for j in jobs if j["sahara_status"] != "KILLED")
    page = c.job_executions.list(search_opts={"status": "killed"}, limit=10, marker=outsider)
    check([i.id for i in page] == ids[:10], "the page starts at the beginning", [i.id for i in page][:3])
    check(page.prev is None and page.next is None, "both markers null", page.prev, page.next)


def t_sorts(env):
    c, jobs = env["c11"], env["jobs"]
    for sort_by in ("cluster", "job_template", "status"):
        for reverse in (False, True):
            ids = ordered(jobs, sort_by=sort_by, reverse=reverse)
            what = "list(sort_by=%s%s, limit=100)" % ("-" if reverse else "", sort_by)
            with Tracker(env["sim"]) as t:
                page = c.job_executions.list(sort_by=sort_by, reverse=reverse, limit=100)
            t.note(what)
            check_page(page, ids, 100, None, what)
            marker = ids[len(ids) - 150]
            page = c.job_executions.list(sort_by=sort_by, reverse=reverse, limit=100, marker=marker)
            check_page(page, ids, 100, marker, what + " from a marker near the end")
            check_rows(env, page, what)


def t_cluster_filter(env):
    c, jobs = env["c11"], env["jobs"]
    ids = ordered(jobs, cluster=CLUSTER_1)
    page = c.job_executions.list(search_opts={"cluster_id": CLUSTER_1}, limit=10, marker=ids[5])
    check_page(page, ids, 10, ids[5], "list(cluster_id=C1, limit=10, marker)")


def t_whole_list(env):
    c, ids = env["c11"], env["ids"]
    with Tracker(env["sim"]) as t:
        page = c.job_executions.list()
    t.note("the whole list (%d jobs)" % len(ids))
    if V2:
        check(t.calls == v2_list_cost(env), "mrs-v2: the whole list's MRS calls", t.calls, v2_list_cost(env))
    check([i.id for i in page] == ids, "every job, in id order", len(page), len(ids))
    check(page.prev is None and page.next is None, "no markers without limit")
    check_rows(env, page, "list()")


def t_v2_pages(env):
    c, jobs = env["c2"], env["jobs"]
    ids = ordered(jobs, status="running")
    page = c.jobs.list(search_opts={"status": "running"}, limit=1000)
    check_page(page, ids, 1000, None, "v2 jobs.list(status=running, limit=1000)")
    check_rows(env, page, "v2 status=running")
    desc = ordered(jobs, reverse=True)
    page = c.jobs.list(limit=300, sort_by="id", reverse=True, marker=desc[1000])
    check_page(page, desc, 300, desc[1000], "v2 jobs.list(limit=300, sort_by=-id, marker)")


CASES = [t_first_page, t_reverse_pages, t_walk_next_to_the_end, t_status_filter, t_marker_left_out_by_the_filter,
         t_sorts, t_cluster_filter, t_whole_list, t_v2_pages]


def run_phases(args, logdir, tally):
    print("# phase: lists over %d jobs, %d clusters" % (TARGET, CLUSTERS), flush=True)
    children = []
    try:
        children, sim, gw = started_pair(args, logdir, "lists", tally, (), ("--upstream-request-timeout-ms", "240000"),
                                         identity=True)
        if sim is None:
            return
        present = sum(1 for j in sim_state(sim)[STATE_JOBS_KEY] if j["project"] == PROJECT)
        t0 = time.monotonic()
        status, body = sim_http(sim, "POST", "/_sim/jobs", {"api": SIM_JOB_API, "count": TARGET - present,
                                                             "clusters": CLUSTERS, "states": STATES})
        check(status == 201 and body["created"] == TARGET - present, "bulk seed", status, body)
        print("#   seeded %d jobs in %.2f s" % (body["created"], time.monotonic() - t0), flush=True)
        jobs = [j for j in sim_state(sim)[STATE_JOBS_KEY] if j["project"] == PROJECT]
        check(len(jobs) == TARGET, "the project holds the target", len(jobs))
        for j in jobs:
            j["sahara_status"] = SIM_TO_SAHARA[j["status"]]
        if V2:
            # MRS v2 jobs carry no Sahara template: job_id is "" on every row, so sort_by=job_template
            # orders by id (ties by id).
            for j in jobs:
                j["job_id"] = ""
        else:
            objects = {o["id"]: o for o in sim_http(sim, "GET", "/v1.1/%s/job-executions" % PROJECT,
                                                    headers={"X-Auth-Token": TOKEN})[1]["job_executions"]}
            for j in jobs:
                j["job_id"] = objects[j["id"]]["job_id"]
        env = {"sim": sim, "gw": gw, "jobs": jobs, "by_id": {j["id"]: j for j in jobs},
               "ids": sorted(j["id"] for j in jobs),
               "c11": make_sahara_client("http://%s:%d/v1.1/%s" % (HOST, gw.port, PROJECT), TOKEN, "1.1",
                                         LIST_TIMEOUT_S),
               "c2": make_sahara_client("http://%s:%d/v2" % (HOST, gw.port), TOKEN, "2", LIST_TIMEOUT_S)}
        run_cases(env, CASES, tally)
    finally:
        for child in reversed(children):
            child.stop()


TARGET = _jobs_arg()

if __name__ == "__main__":
    sys.exit(run_main(__doc__.split("\n")[0], run_phases))
