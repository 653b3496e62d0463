#!/usr/bin/python3
"""Conformance test: Sahara clusters, job templates and data sources (read-only) through sahara-gateway.

Run with Debian's interpreter (/usr/bin/python3): it has python3-saharaclient 4.0.2, keystoneauth1 and
python3-openstackclient.  The test starts its own MRS simulator (--seed-demo) and gateway on 127.0.0.1,
port 0 (the gateway with --identity-url pointing at the simulator's /v3, for the project-less /v2 URLs,
and with a configuration file that defines fallback job templates, [[job_templates]]):

    /usr/bin/python3 resources_conformance.py --gateway build/release/sahara-gateway \\
                                              --sim build/release/tests/mrs_sim/mrs-sim [--backend mrs-v2]

What it drives (sahara-clusters-and-templates.md, "the reference" below: §1 what the clients send and
need, §2.5 list semantics, §5 the MRS -> Sahara mapping), on both backends, which serve these
resources from the same MRS v1.1 calls (cluster_infos, job objects, data sources):
  1. python-saharaclient Client("1.1") and Client("2"): clusters, job templates (v1.1 `jobs`, v2
     `job-templates`) and data sources, list and get, compared field by field with what the simulator's
     own MRS API holds; the v1.1 and v2 filters, sort_by, limit and the EXCLUSIVE marker with Sahara's
     markers (§2.5); unknown, terminated and other projects' ids (404); writes refused with 405; the v2
     version-negotiation errors (406 / 400 without an Error ID); execute answers carrying
     job_configs.job_execution_info;
  2. the real CLI, /usr/bin/openstack dataprocessing cluster|job template|data source list/show/delete
     and job execute/show, with --os-data-processing-api-version 1.1 and 2, run a few at a time in the
     background while the client cases run; above all `job execute --job-template NAME --cluster NAME
     [--input NAME --output NAME]` ending in a RUNNING job;
  3. the fallback job templates of the gateway's configuration when MRS's job-object API is gone
     (simulator switch job_object_api: reads-gone, then gone): list, show, and execute by a fallback
     template's name, which MRS's execute still runs.

The simulator's demo data is extended first (POST /_sim/clusters, /_sim/job-objects,
/_sim/data-sources): a cluster in each MRS state (§5.3), a terminated cluster carrying a live cluster's
name, a second cluster named like a live one (the CLI's "Multiple matches found."), a job object of an
MRS-only type and one more data source.  Expectations are read back from the simulator's MRS API
(cluster_infos, jobs, data-sources, job-executions), so a printed value is compared with what MRS
holds, not with a constant.

Prints one line per test case and a final "N passed, M failed"; exits 0 only if nothing failed.
"""

import os
import re
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (  # noqa: E402  (harness also holds the import guard for saharaclient)
    CLUSTER_1, CLUSTER_2, CLUSTER_3, HOST, PROJECT, SIM_TO_SAHARA, TEMPLATE_SPARK, TEMPLATE_WORDCOUNT, TOKEN,
    UNKNOWN_JOB, V2, V2_JOB_TYPE_KEY, CliBatch, CliRun, check, check_api_exception, check_common_headers, cli_argv,
    cli_environment, expect_api_error, expect_client_error, http, make_sahara_client, run_cases, run_main,
    sim_http, sim_job, sim_jobs, sim_state, started_pair)
from saharaclient.api import base as sahara_base  # noqa: E402

START_DELAY_MS = 4000         # mrs-sim --start-delay-ms: an executed job is PENDING this long, then RUNNING
RUNNING_WAIT_S = 30           # bound on waiting (through `job show`) for an executed job to run

# --seed-demo ids beyond harness.py's (tests/mrs_sim/sim_state.hpp, namespace demo; README "Demo data")
OTHER_CLUSTER = "c2000000-0000-4000-8000-000000000001"         # the other project's
OTHER_TERMINATED = "c2000000-0000-4000-8000-000000000003"      # the other project's, terminated
TEMPLATE_DISTCP = "b1000000-0000-4000-8000-000000000003"        # distcp-import, DistCp (MRS only)
TEMPLATE_SPARK_SCRIPT = "b1000000-0000-4000-8000-000000000004"  # spark-script-report, SparkScript (MRS only)
OTHER_TEMPLATE = "b2000000-0000-4000-8000-000000000001"
DS_INPUT = "f1000000-0000-4000-8000-000000000001"               # demo-input, hdfs
DS_OUTPUT = "f1000000-0000-4000-8000-000000000002"              # demo-output, hdfs
DS_OBS = "f1000000-0000-4000-8000-000000000003"                 # demo-obs-logs, obs
OTHER_DS = "f2000000-0000-4000-8000-000000000001"
UNKNOWN_ID = UNKNOWN_JOB                                       # no resource has it
DEMO_VERSION = "MRS 3.1.2-LTS.3"
PLUGIN = "mrs"                # the gateway's plugin_name for every MRS cluster (§5.2)

# §5.3: MRS clusterState -> Sahara status; terminated clusters are not shown at all.
STATUS_OF = {"running": "Active", "starting": "Spawning", "scaling-out": "Scaling", "scaling-in": "Decommissioning",
             "terminating": "Deleting", "failed": "Error", "abnormal": "Error", "frozen": "Error"}

# Added to the demo project before the cases run (POST /_sim/clusters).
CUSTOM_CLUSTER = "c9000000-0000-4000-8000-000000000002"
CUSTOM_NAME = "state-scaling-out"
RETIRED_TWIN = "c9000000-0000-4000-8000-000000000008"           # terminated, named like CLUSTER_2
RETIRED = "c9000000-0000-4000-8000-000000000009"                # terminated, a name of its own
DUPLICATE_NAME = "cluster-4"                                   # the demo cluster-4 and c9...0a
EXTRA_CLUSTERS = [
    {"id": "c9000000-0000-4000-8000-000000000001", "name": "state-starting", "state": "starting"},
    {"id": CUSTOM_CLUSTER, "name": CUSTOM_NAME, "state": "scaling-out", "version": "MRS 3.2.0-LTS.1",
     "master_nodes": 1, "core_nodes": 7},
    {"id": "c9000000-0000-4000-8000-000000000003", "name": "state-scaling-in", "state": "scaling-in"},
    {"id": "c9000000-0000-4000-8000-000000000004", "name": "state-terminating", "state": "terminating"},
    {"id": "c9000000-0000-4000-8000-000000000005", "name": "state-failed", "state": "failed"},
    {"id": "c9000000-0000-4000-8000-000000000006", "name": "state-abnormal", "state": "abnormal"},
    {"id": "c9000000-0000-4000-8000-000000000007", "name": "state-frozen", "state": "frozen"},
    {"id": RETIRED_TWIN, "name": "demo-cluster-2", "state": "terminated"},
    {"id": RETIRED, "name": "retired-demo", "state": "terminated"},
    {"id": "c9000000-0000-4000-8000-00000000000a", "name": DUPLICATE_NAME, "state": "running"},
]
EXTRA_JOB_OBJECT = {"id": "b9000000-0000-4000-8000-000000000001", "name": "nightly-export", "type": "SparkSql",
                    "description": "Exports the day to OBS", "mains": ["s3a://mrs-sim/program/export.sql"]}
EXTRA_DATA_SOURCE = {"id": "f9000000-0000-4000-8000-000000000001", "name": "click-logs", "type": "obs",
                     "url": "s3a://mrs-sim/clicks/", "description": "Raw click logs"}

# The gateway's fallback templates (configuration [[job_templates]], sahara-clusters-and-templates.md
# §4.4), served when MRS's job-object API is gone.  The first has the id of the simulator's wordcount
# job object, so that MRS's execute (still there with reads-gone) runs it.
FALLBACK_TEMPLATES = [
    {"id": TEMPLATE_WORDCOUNT, "name": "fallback-wordcount", "type": "MapReduce",
     "description": "Word count, from the gateway configuration",
     "mains": [], "libs": [{"id": "e1000000-0000-4000-8000-000000000001", "name": "hadoop-mapreduce-examples.jar"}]},
    {"id": "0fa11bac-0000-4000-8000-000000000002", "name": "fallback-distcp", "type": "DistCp",
     "description": None, "mains": [], "libs": []},
    {"id": "0fa11bac-0000-4000-8000-000000000003", "name": "fallback-hive", "type": "Hive",
     "description": "Hive report",
     "mains": [{"id": "0fa11bac-0000-4000-8000-0000000000b3", "name": "report.sql"}], "libs": []},
]

STARTED_RE = re.compile(r'^Job "([0-9a-f-]{36})" has been started successfully\.$', re.M)
READ_ONLY_RE = re.compile(r"read-only", re.I)   # the 405's message says the gateway serves these read-only
V2_VERSION_HDR = "OpenStack-API-Version"


# --------------------------------------------------------------------------------------------------
# what MRS (the simulator's MRS API, with the demo token) holds: the expectations

def mrs_get(sim, path):
    status, body = sim_http(sim, "GET", "/v1.1/%s%s" % (PROJECT, path), headers={"X-Auth-Token": TOKEN})
    check(status == 200, "simulator MRS GET %s" % path, status, body)
    return body


def mrs_clusters(sim):
    """{id: MRS cluster} of the demo project, terminated ones included."""
    body = mrs_get(sim, "/cluster_infos?pageSize=1000")
    return {c["clusterId"]: c for c in body["clusters"]}


def mrs_job_objects(sim):
    return {j["id"]: j for j in mrs_get(sim, "/jobs")["jobs"]}


def mrs_data_sources(sim):
    return {d["id"]: d for d in mrs_get(sim, "/data-sources")["data_sources"]}


def visible(clusters):
    """§5.3: terminated clusters are not listed."""
    return {i: c for i, c in clusters.items() if c["clusterState"] != "terminated"}


def expected_cluster(mc, v2):
    """§5.2 and docs/api-coverage.md: the Sahara cluster for one MRS cluster."""
    return {
        "id": mc["clusterId"], "name": mc["clusterName"], "plugin_name": PLUGIN,
        "plugin_version" if v2 else "hadoop_version": mc["clusterVersion"],
        "project_id" if v2 else "tenant_id": PROJECT,
        "status": STATUS_OF[mc["clusterState"]], "description": mc.get("remark") or None,
        "default_image_id": None, "anti_affinity": [], "is_public": False, "is_protected": False,
        "is_transient": False, "provision_progress": [],
    }


def node_groups_of(mc):
    return [(g["groupName"], g["nodeNum"]) for g in mc["nodeGroups"]]


def check_cluster(obj, mc, v2, what):
    check(isinstance(obj, dict), "%s: a cluster object" % what, repr(obj)[:300])
    for key, want in expected_cluster(mc, v2).items():
        check(key in obj, "%s: key %s missing (§1.4 / §5.2)" % (what, key), sorted(obj))
        check(obj[key] == want and type(obj[key]) is type(want), "%s: %s" % (what, key), repr(obj[key]),
              "expected %r" % (want,))
    for key in (("tenant_id", "hadoop_version") if v2 else ("project_id", "plugin_version")):
        check(key not in obj, "%s: the %s object must not carry %s (§2.2)" % (what, "v2" if v2 else "v1.1", key),
              sorted(obj))
    groups = obj.get("node_groups")
    check(isinstance(groups, list) and all(isinstance(g, dict) and "name" in g and "count" in g for g in groups),
          "%s: node_groups must be a list of {name, count, ...} (§1.4)" % what, repr(groups)[:300])
    check([(g["name"], g["count"]) for g in groups] == node_groups_of(mc), "%s: node_groups from MRS nodeGroups"
          % what, [(g["name"], g["count"]) for g in groups], node_groups_of(mc))
    check(isinstance(obj.get("info"), dict) and isinstance(obj["info"].get("MRS"), dict),
          "%s: info must be {\"MRS\": {...}}" % what, repr(obj.get("info"))[:300])


def expected_template(jo, v2):
    """§5.4: MRS job object -> Sahara template; binaries without `extra`, v2 renames tenant_id (§2.3)."""
    proj = "project_id" if v2 else "tenant_id"
    t = {k: jo[k] for k in ("id", "name", "type", "description", "created_at", "updated_at")}
    t[proj] = jo["tenant_id"]
    t.update({"is_public": False, "is_protected": False, "interface": []})
    return t


def check_binaries(got, want, v2, what):
    """mains / libs: a list of binaries with name and id, in MRS's order, no `extra` (§1.4, §2.3)."""
    check(isinstance(got, list), "%s must be a list" % what, repr(got)[:300])
    check([(b.get("name"), b.get("id")) for b in got] == [(b["name"], b["id"]) for b in want],
          "%s: binaries (name, id)" % what, got, want)
    for b in got:
        check("extra" not in b, "%s: a binary must not carry extra (§5.4)" % what, b)
        if v2:
            check("tenant_id" not in b, "%s: a v2 binary renames tenant_id to project_id (§2.3)" % what, b)


def check_template(obj, jo, v2, what):
    check(isinstance(obj, dict), "%s: a template object" % what, repr(obj)[:300])
    for key, want in expected_template(jo, v2).items():
        check(key in obj and obj[key] == want, "%s: %s" % (what, key), repr(obj.get(key, "<missing>")),
              "expected %r" % (want,))
    check(("tenant_id" if v2 else "project_id") not in obj, "%s: wrong project key for the API version" % what,
          sorted(obj))
    for key in ("mains", "libs"):
        check_binaries(obj.get(key), jo[key], v2, "%s: %s" % (what, key))


def check_fallback_template(obj, ft, v2, what):
    proj = "project_id" if v2 else "tenant_id"
    for key in ("id", "name", "type"):
        check(obj.get(key) == ft[key], "%s: %s" % (what, key), repr(obj.get(key)), "expected %r" % ft[key])
    check(obj.get("description") in ((ft["description"],) if ft["description"] else (None, "")),
          "%s: description" % what, repr(obj.get("description")), repr(ft["description"]))
    check(obj.get(proj) == PROJECT, "%s: %s" % (what, proj), repr(obj.get(proj)))
    for key in ("mains", "libs"):
        check_binaries(obj.get(key), ft[key], v2, "%s: %s" % (what, key))
    check(obj.get("is_public") is False and obj.get("is_protected") is False, "%s: flags" % what, obj)


def check_data_source(obj, ds, v2, what):
    """Data sources pass through with v2's project_id (§5.4)."""
    check(isinstance(obj, dict), "%s: a data source object" % what, repr(obj)[:300])
    for key, want in ds.items():
        if key == "tenant_id" and v2:
            key = "project_id"
        check(key in obj and obj[key] == want, "%s: %s" % (what, key), repr(obj.get(key, "<missing>")),
              "expected %r" % (want,))
    if v2:
        check("tenant_id" not in obj, "%s: v2 renames tenant_id to project_id" % what, sorted(obj))


# --------------------------------------------------------------------------------------------------
# Sahara's list semantics (§2.5): filters, sorting, EXCLUSIVE markers

def sahara_filter(rows, regex_fields, **filters):
    """rows: {id: Sahara object}; regex fields match anywhere (MySQL REGEXP), the others exactly."""
    out = []
    for row in rows.values():
        ok = True
        for key, value in filters.items():
            have = row.get(key)
            if key in regex_fields:
                ok = ok and have is not None and re.search(value, str(have)) is not None
            else:
                ok = ok and have is not None and str(have) == value
        if ok:
            out.append(row["id"])
    return sorted(out)


def exclusive_page(ids, limit, marker):
    """Sahara's paginate_query + _get_prev_and_next_objects (§2.5): the page starts AFTER the marker;
    next = objects[pos + limit] (first page: objects[limit - 1]) when more may follow; prev =
    objects[pos - limit] when that is >= 0; both null without limit."""
    if marker is None:
        page = list(ids[:limit]) if limit else list(ids)
        nxt = ids[limit - 1] if limit and limit < len(ids) else None
        return page, None, nxt
    pos = ids.index(marker)
    if not limit:
        return list(ids[pos + 1:]), None, None
    page = list(ids[pos + 1:pos + 1 + limit])
    prev = ids[pos - limit] if pos - limit >= 0 else None
    nxt = ids[pos + limit] if pos + limit < len(ids) else None
    return page, prev, nxt


def check_exclusive_page(page, ids, limit, marker, what):
    want, prev, nxt = exclusive_page(ids, limit, marker)
    check(isinstance(page, sahara_base.Page), "%s: the client must return a Page" % what, type(page))
    got = [item.id for item in page]
    check(got == want, "%s: rows (limit=%s, marker=%s)" % (what, limit, marker), "got %s" % got, "expected %s" % want)
    check(page.prev == prev, "%s: markers.prev (limit=%s, marker=%s)" % (what, limit, marker), repr(page.prev),
          "expected %r" % prev)
    check(page.next == nxt, "%s: markers.next (limit=%s, marker=%s)" % (what, limit, marker), repr(page.next),
          "expected %r" % nxt)


def limit_msg(m):
    check(m.startswith("'limit' must be positive integer"), "limit message", repr(m))


def not_found_msg(obj_id):
    def m(msg):
        check(msg.startswith("Object with {'id': '%s'} not found" % obj_id), "NOT_FOUND message", repr(msg))
    return m


def check_paging(list_fn, ids, what):
    """Walk the list with limit=2 by Page.next to its end, and the marker edge cases (§2.5)."""
    check(len(ids) >= 4, "%s: paging needs at least 4 rows (test bug)" % what, ids)
    got, marker = [], None
    for _ in range(len(ids) + 2):
        page = list_fn(limit=2, marker=marker)
        check_exclusive_page(page, ids, 2, marker, what)
        got += [item.id for item in page]
        if page.next is None:
            break
        marker = page.next
    check(got == list(ids), "%s: walking Page.next with limit=2 gives the whole list once" % what, got, ids)
    check_exclusive_page(list_fn(limit=3, marker=ids[2]), ids, 3, ids[2], what)
    check_exclusive_page(list_fn(limit=1, marker=ids[-1]), ids, 1, ids[-1], what)     # empty page after the last
    check_exclusive_page(list_fn(marker=ids[1]), ids, None, ids[1], what)             # marker without limit
    check_exclusive_page(list_fn(limit=len(ids)), ids, len(ids), None, what)          # exactly all: no next
    expect_client_error(lambda: list_fn(limit=2, marker=UNKNOWN_ID), 404, "NOT_FOUND", not_found_msg(UNKNOWN_ID))
    expect_client_error(lambda: list_fn(limit=0), 400, 400, limit_msg)


def check_sort(list_fn, rows, field, what, key_of=None):
    """sort_by=field and -field: by the field's value (ties in any order); with distinct values also
    the exact order and a page after a marker in that order."""
    key_of = key_of or (lambda row: row[field])
    values = [key_of(r) for r in rows.values()]
    distinct = len(set(values)) == len(values) and None not in values
    for reverse in (False, True):
        page = list_fn(sort_by=field, reverse=reverse)
        got = [item.id for item in page]
        check(sorted(got) == sorted(rows), "%s sort_by=%s%s: the same rows" % (what, "-" if reverse else "", field),
              got, sorted(rows))
        # Where nulls go is the database's choice (MySQL first, PostgreSQL last): only the others are ordered.
        keys = [k for k in (key_of(rows[i]) for i in got) if k is not None]
        check(keys == sorted(keys, reverse=reverse), "%s sort_by=%s%s: order" % (what, "-" if reverse else "", field),
              keys)
        if distinct:
            ids = [r["id"] for r in sorted(rows.values(), key=key_of, reverse=reverse)]
            check(got == ids, "%s sort_by=%s%s: exact order" % (what, "-" if reverse else "", field), got, ids)
            check_exclusive_page(list_fn(sort_by=field, reverse=reverse, limit=2, marker=ids[1]), ids, 2, ids[1],
                                 "%s sort_by=%s%s" % (what, "-" if reverse else "", field))


def sort_msg(field):
    def m(msg):
        check(msg.startswith("Unknown field for sorting %s" % field), "sort message", repr(msg))
    return m


def invalid_params_msg(function, allowed):
    want = "The only valid params for %s are %s and ['marker', 'limit', 'sort_by']" % (function, allowed)

    def m(msg):
        check(msg == want, "INVALID_PARAMS_ON_REQUEST message (no Error ID line)", repr(msg), repr(want))
    return m


def ids_of(page):
    return sorted(item.id for item in page)


def v11_url(gw):
    return "http://%s:%d/v1.1/%s" % (HOST, gw.port, PROJECT)


def v2_url(gw):
    return "http://%s:%d/v2" % (HOST, gw.port)


def check_v2_headers(resp):
    got = resp.headers.get(V2_VERSION_HDR)
    check(got == "data-processing 2.0", "OpenStack-API-Version header", repr(got))
    vary = [v.strip().lower() for v in resp.headers.get("Vary", "").split(",")]
    check("openstack-api-version" in vary, "Vary must name OpenStack-API-Version", repr(resp.headers.get("Vary")))


def sahara_clusters(env, v2):
    """{id: expected Sahara cluster} of the visible clusters, from MRS now."""
    return {i: expected_cluster(mc, v2) for i, mc in visible(mrs_clusters(env["sim"])).items()}


def resources_snapshot(sim):
    state = sim_state(sim)
    return {k: sorted(map(repr, state[k])) for k in ("clusters", "job_objects", "data_sources")}


# --------------------------------------------------------------------------------------------------
# 0. the extra simulator data

def t_seed_extra_data(env):
    sim = env["sim"]
    for spec in EXTRA_CLUSTERS:
        status, body = sim_http(sim, "POST", "/_sim/clusters", dict(spec, project=PROJECT))
        check(status == 201 and body.get("id") == spec["id"], "POST /_sim/clusters", spec, status, body)
    status, body = sim_http(sim, "POST", "/_sim/job-objects", dict(EXTRA_JOB_OBJECT, project=PROJECT))
    check(status == 201, "POST /_sim/job-objects", status, body)
    status, body = sim_http(sim, "POST", "/_sim/data-sources", dict(EXTRA_DATA_SOURCE, project=PROJECT))
    check(status == 201, "POST /_sim/data-sources", status, body)
    clusters = mrs_clusters(sim)
    check(len(clusters) == 15 and clusters[CUSTOM_CLUSTER]["clusterState"] == "scaling-out"
          and node_groups_of(clusters[CUSTOM_CLUSTER]) == [("master_node_default_group", 1),
                                                           ("core_node_analysis_group", 7)],
          "sanity: the simulator holds the clusters the cases expect", sorted(clusters))
    check(len(mrs_job_objects(sim)) == 6 and len(mrs_data_sources(sim)) == 4,
          "sanity: 6 job objects and 4 data sources in the demo project")
    env["batch_a"] = CliBatch(batch_a_runs(env)).start()


# --------------------------------------------------------------------------------------------------
# 1. saharaclient: clusters

def _clusters(env, v2):
    c = env["c2" if v2 else "c11"]
    mrs = mrs_clusters(env["sim"])
    shown = visible(mrs)
    page = c.clusters.list()
    got = {item.id: item.to_dict() for item in page}
    check(sorted(got) == sorted(shown), "list: every cluster of the project but the terminated ones (§5.3)",
          sorted(got), sorted(shown))
    check([item.id for item in page] == sorted(shown), "list: default order is id (§2.5)", [i.id for i in page])
    check(page.prev is None and page.next is None, "list without limit: no markers", page.prev, page.next)
    for cid, mc in shown.items():
        check_cluster(got[cid], mc, v2, "list item %s" % cid)
        one = c.clusters.get(cid).to_dict()
        check_cluster(one, mc, v2, "get %s" % cid)
        missing = sorted(set(one) - set(got[cid]))
        check(not missing, "list item %s lacks keys the get has (the CLI shows list items, §1.4)" % cid, missing)
    one = c.clusters.get(CLUSTER_1, show_progress=True).to_dict()
    check_cluster(one, mrs[CLUSTER_1], v2, "get ?show_progress=True")
    statuses = {got[i]["status"] for i in got}
    check(statuses == set(STATUS_OF.values()), "every mapped status appears", sorted(statuses))
    for cid in (RETIRED, RETIRED_TWIN, UNKNOWN_ID, OTHER_CLUSTER, OTHER_TERMINATED):
        expect_client_error(lambda: c.clusters.get(cid), 404, "NOT_FOUND", not_found_msg(cid))
    if v2:
        resp = c.clusters.api.get("/clusters")
        check(resp.status_code == 200, "GET /v2/clusters", resp.status_code)
        check_v2_headers(resp)
        check_common_headers(resp)
        check(list(resp.json()) == ["clusters"], "v2 list envelope without markers", list(resp.json()))
        # §2.1: v2's cluster show takes show_progress and nothing else (validate_request_params).
        expect_api_error(c, c.clusters.api.get("/clusters/%s?show_progress=False&foo=1" % CLUSTER_1), 400,
                         "INVALID_PARAMS_ON_REQUEST", error_id=False)


def t_py_clusters_v11(env):
    _clusters(env, False)


def t_py_clusters_v2(env):
    _clusters(env, True)


CLUSTER_REGEX_V11 = ("name", "description", "plugin_name", "tenant_id")


def t_py_cluster_filters_v11(env):
    c = env["c11"]
    rows = sahara_clusters(env, False)
    cases = [
        {"name": "cluster-"}, {"name": "^demo-"}, {"name": "-[45]$"}, {"name": "state-s"}, {"name": "nothing-like-it"},
        {"description": "anything"},
        {"plugin_name": "mr"}, {"plugin_name": "^mrs$"}, {"plugin_name": "vanilla"},
        {"tenant_id": PROJECT[:6]}, {"tenant_id": "^0f1e2d"},
        {"hadoop_version": DEMO_VERSION}, {"hadoop_version": "MRS 3.2.0-LTS.1"}, {"hadoop_version": "3.1.2"},
        {"status": "Active"}, {"status": "Error"}, {"status": "Activ"},
        {"id": CLUSTER_1}, {"id": CLUSTER_1[:8]}, {"id": RETIRED},
        {"name": "cluster", "status": "Error"}, {"plugin_name": PLUGIN, "hadoop_version": DEMO_VERSION},
    ]
    for opts in cases:
        want = sahara_filter(rows, CLUSTER_REGEX_V11, **opts)
        got = ids_of(c.clusters.list(search_opts=opts))
        check(got == want, "v1.1 cluster filter %s" % opts, got, want)
    check(len(sahara_filter(rows, CLUSTER_REGEX_V11, hadoop_version=DEMO_VERSION)) >= 10
          and sahara_filter(rows, CLUSTER_REGEX_V11, hadoop_version="3.1.2") == [],
          "sanity: the filter cases discriminate")
    ids = sahara_filter(rows, CLUSTER_REGEX_V11, name="cluster")
    check_paging(lambda **kw: c.clusters.list(search_opts={"name": "cluster"}, **kw), ids,
                 "v1.1 clusters name=cluster")


def t_py_cluster_filters_v2(env):
    c = env["c2"]
    rows = sahara_clusters(env, True)
    for opts in ({"name": "^demo-"}, {"name": "state-"}, {"plugin_name": PLUGIN}, {"plugin_name": "vanilla"},
                 {"plugin_version": DEMO_VERSION}, {"plugin_version": "3.1.2"},
                 {"plugin_name": "mrs", "plugin_version": "MRS 2.1.0"}):
        want = sahara_filter(rows, ("name", "plugin_name"), **opts)
        got = ids_of(c.clusters.list(search_opts=opts))
        check(got == want, "v2 cluster filter %s" % opts, got, want)
    msg = invalid_params_msg("clusters_list", "['plugin_name', 'plugin_version', 'name']")
    for opts in ({"status": "Active"}, {"hadoop_version": DEMO_VERSION}, {"description": "x"}):
        expect_client_error(lambda: c.clusters.list(search_opts=opts), 400, "INVALID_PARAMS_ON_REQUEST", msg,
                            error_id=False)


def t_py_cluster_sort_page_v11(env):
    c = env["c11"]
    rows = sahara_clusters(env, False)
    check_paging(lambda **kw: c.clusters.list(**kw), sorted(rows), "v1.1 clusters")
    for field in ("id", "name", "plugin_name", "hadoop_version", "status"):
        check_sort(lambda **kw: c.clusters.list(**kw), rows, field, "v1.1 clusters")
    for field in ("description", "created_at", "tenant_id"):
        expect_client_error(lambda: c.clusters.list(sort_by=field), 400, 400, sort_msg(field))


def t_py_cluster_sort_page_v2(env):
    c = env["c2"]
    rows = sahara_clusters(env, True)
    check_paging(lambda **kw: c.clusters.list(**kw), sorted(rows), "v2 clusters")
    for field in ("id", "name", "status"):
        check_sort(lambda **kw: c.clusters.list(**kw), rows, field, "v2 clusters")
    # The sort fields are the model's columns in v2 too: hadoop_version, shown as plugin_version.
    check_sort(lambda **kw: c.clusters.list(**kw), rows, "hadoop_version", "v2 clusters",
               key_of=lambda row: row["plugin_version"])
    expect_client_error(lambda: c.clusters.list(sort_by="description"), 400, 400, sort_msg("description"))


# --------------------------------------------------------------------------------------------------
# 1. saharaclient: job templates

def _templates(env, v2):
    c = env["c2" if v2 else "c11"]
    mgr = c.job_templates if v2 else c.jobs
    mrs = mrs_job_objects(env["sim"])
    page = mgr.list()
    got = {item.id: item.to_dict() for item in page}
    check([item.id for item in page] == sorted(mrs), "list: every job object, in id order", [i.id for i in page],
          sorted(mrs))
    for jid, jo in mrs.items():
        check_template(got[jid], jo, v2, "list item %s" % jid)
        one = mgr.get(jid).to_dict()
        check_template(one, jo, v2, "get %s" % jid)
        missing = sorted(set(one) - set(got[jid]))
        check(not missing, "list item %s lacks keys the get has" % jid, missing)
    check(got[TEMPLATE_DISTCP]["type"] == "DistCp" and got[EXTRA_JOB_OBJECT["id"]]["type"] == "SparkSql",
          "MRS-only types pass through (§5.4)", got[TEMPLATE_DISTCP]["type"])
    for jid in (UNKNOWN_ID, OTHER_TEMPLATE):
        expect_client_error(lambda: mgr.get(jid), 404, "NOT_FOUND", not_found_msg(jid))
    if v2:
        resp = mgr.api.get("/job-templates/%s" % TEMPLATE_WORDCOUNT)
        check(resp.status_code == 200 and list(resp.json()) == ["job_template"], "GET /v2/job-templates/{id}",
              resp.status_code, resp.text[:300])
        check_v2_headers(resp)
    else:
        resp = mgr.api.get("/jobs/%s" % TEMPLATE_WORDCOUNT)
        check(resp.status_code == 200 and list(resp.json()) == ["job"], "GET /v1.1/{p}/jobs/{id}",
              resp.status_code, resp.text[:300])


def t_py_templates_v11(env):
    _templates(env, False)


def t_py_templates_v2(env):
    _templates(env, True)


def _template_rows(env, v2):
    return {i: expected_template(jo, v2) for i, jo in mrs_job_objects(env["sim"]).items()}


def t_py_template_filters(env):
    rows = _template_rows(env, False)
    c11, c2 = env["c11"], env["c2"]
    for opts in ({"type": "Spark"}, {"type": "DistCp"}, {"type": "SparkScript"}, {"type": "Spar"},
                 {"type": "MapReduce"}, {"name": "spark"}, {"name": "^hive"}, {"name": "report", "type": "Hive"},
                 {"description": "words"}, {"description": "OBS$"}, {"id": TEMPLATE_SPARK}):
        want = sahara_filter(rows, ("name", "description"), **opts)
        got = ids_of(c11.jobs.list(search_opts=opts))
        check(got == want, "v1.1 template filter %s" % opts, got, want)
    check(sahara_filter(rows, ("name", "description"), type="Spark") == [TEMPLATE_SPARK],
          "sanity: type=Spark must not match SparkScript/SparkSql")
    for opts in ({"type": "Spark"}, {"type": "SparkSql"}, {"name": "report"}, {"name": "-"},
                 {"type": "Hive", "name": "x"}):
        want = sahara_filter(rows, ("name",), **opts)
        got = ids_of(c2.job_templates.list(search_opts=opts))
        check(got == want, "v2 template filter %s" % opts, got, want)
    msg = invalid_params_msg("job_templates_list", "['type', 'name']")
    for opts in ({"description": "words"}, {"id": TEMPLATE_SPARK}):
        expect_client_error(lambda: c2.job_templates.list(search_opts=opts), 400, "INVALID_PARAMS_ON_REQUEST", msg,
                            error_id=False)


def t_py_template_sort_page(env):
    for v2 in (False, True):
        tag = "v2 templates" if v2 else "v1.1 templates"
        mgr = env["c2"].job_templates if v2 else env["c11"].jobs
        rows = _template_rows(env, v2)
        check_paging(lambda **kw: mgr.list(**kw), sorted(rows), tag)
        for field in ("id", "name", "type", "created_at", "updated_at"):
            check_sort(lambda **kw: mgr.list(**kw), rows, field, tag)
        for field in ("description", "tenant_id"):
            expect_client_error(lambda: mgr.list(sort_by=field), 400, 400, sort_msg(field))


# --------------------------------------------------------------------------------------------------
# 1. saharaclient: data sources

def _data_sources(env, v2):
    c = env["c2" if v2 else "c11"]
    mrs = mrs_data_sources(env["sim"])
    page = c.data_sources.list()
    got = {item.id: item.to_dict() for item in page}
    check([item.id for item in page] == sorted(mrs), "list: every data source, in id order", [i.id for i in page],
          sorted(mrs))
    for did, ds in mrs.items():
        check_data_source(got[did], ds, v2, "list item %s" % did)
        check_data_source(c.data_sources.get(did).to_dict(), ds, v2, "get %s" % did)
    for did in (UNKNOWN_ID, OTHER_DS):
        expect_client_error(lambda: c.data_sources.get(did), 404, "NOT_FOUND", not_found_msg(did))
    resp = c.data_sources.api.get("/data-sources/%s" % DS_INPUT)
    check(resp.status_code == 200 and list(resp.json()) == ["data_source"], "GET data-sources/{id} envelope",
          resp.status_code, resp.text[:300])
    if v2:
        check_v2_headers(resp)


def t_py_data_sources_v11(env):
    _data_sources(env, False)


def t_py_data_sources_v2(env):
    _data_sources(env, True)


def t_py_data_source_filters_sort_page(env):
    c11, c2 = env["c11"], env["c2"]
    rows = mrs_data_sources(env["sim"])
    for opts in ({"name": "demo-"}, {"name": "logs$"}, {"url": "^s3a://"}, {"url": "/user/sim/"},
                 {"description": "OBS"}, {"description": "click"}, {"type": "hdfs"}, {"type": "hd"},
                 {"type": "obs", "name": "demo"}):
        want = sahara_filter(rows, ("name", "description", "url"), **opts)
        got = ids_of(c11.data_sources.list(search_opts=opts))
        check(got == want, "v1.1 data source filter %s" % opts, got, want)
    for opts in ({"type": "obs"}, {"type": "hdfs"}, {"type": "swift"}):
        want = sahara_filter(rows, (), **opts)
        got = ids_of(c2.data_sources.list(search_opts=opts))
        check(got == want, "v2 data source filter %s" % opts, got, want)
    msg = invalid_params_msg("data_sources_list", "['type']")
    for opts in ({"name": "demo"}, {"url": "/user"}):
        expect_client_error(lambda: c2.data_sources.list(search_opts=opts), 400, "INVALID_PARAMS_ON_REQUEST", msg,
                            error_id=False)
    for v2 in (False, True):
        tag = "v2 data sources" if v2 else "v1.1 data sources"
        c = c2 if v2 else c11
        check_paging(lambda **kw: c.data_sources.list(**kw), sorted(rows), tag)
        for field in ("id", "name", "type", "created_at", "updated_at"):
            check_sort(lambda **kw: c.data_sources.list(**kw), rows, field, tag)
        for field in ("url", "description"):
            expect_client_error(lambda: c.data_sources.list(sort_by=field), 400, 400, sort_msg(field))


def t_py_unknown_ids_sahara_style_mrs(env):
    """The same 404s when the simulator answers unknown ids the Sahara way (--resource-not-found sahara)."""
    sim, c11, c2 = env["sim"], env["c11"], env["c2"]
    status, body = sim_http(sim, "POST", "/_sim/switches", {"resource_not_found": "sahara"})
    check(status == 200, "POST /_sim/switches", status, body)
    try:
        for jid in (UNKNOWN_ID, OTHER_TEMPLATE):
            expect_client_error(lambda: c11.jobs.get(jid), 404, "NOT_FOUND", not_found_msg(jid))
            expect_client_error(lambda: c2.job_templates.get(jid), 404, "NOT_FOUND", not_found_msg(jid))
        for did in (UNKNOWN_ID, OTHER_DS):
            expect_client_error(lambda: c11.data_sources.get(did), 404, "NOT_FOUND", not_found_msg(did))
            expect_client_error(lambda: c2.data_sources.get(did), 404, "NOT_FOUND", not_found_msg(did))
        expect_client_error(lambda: c11.jobs.list(limit=1, marker=UNKNOWN_ID), 404, "NOT_FOUND",
                            not_found_msg(UNKNOWN_ID))
        expect_client_error(lambda: c11.data_sources.list(limit=1, marker=UNKNOWN_ID), 404, "NOT_FOUND",
                            not_found_msg(UNKNOWN_ID))
    finally:
        sim_http(sim, "POST", "/_sim/switches", {"resource_not_found": "mrs"})


# --------------------------------------------------------------------------------------------------
# 1. writes refused, version negotiation, execute answers

WRITES = [
    # (API, method, path, body): Sahara's write routes of these resources (§1.2, §2.1)
    ("1.1", "POST", "/clusters", {"name": "new", "plugin_name": PLUGIN, "hadoop_version": DEMO_VERSION}),
    ("1.1", "POST", "/clusters/multiple", {"name": "new", "count": 2}),
    ("1.1", "PUT", "/clusters/" + CLUSTER_1, {"add_node_groups": []}),
    ("1.1", "PATCH", "/clusters/" + CLUSTER_1, {"name": "renamed"}),
    ("1.1", "DELETE", "/clusters/" + CLUSTER_1, None),
    ("1.1", "POST", "/jobs", {"name": "new-template", "type": "MapReduce"}),
    ("1.1", "PATCH", "/jobs/" + TEMPLATE_WORDCOUNT, {"name": "renamed"}),
    ("1.1", "DELETE", "/jobs/" + TEMPLATE_WORDCOUNT, None),
    ("1.1", "POST", "/data-sources", {"name": "new", "type": "hdfs", "url": "/user/new"}),
    ("1.1", "PUT", "/data-sources/" + DS_INPUT, {"name": "renamed"}),
    ("1.1", "DELETE", "/data-sources/" + DS_INPUT, None),
    ("2", "POST", "/clusters", {"name": "new", "plugin_name": PLUGIN, "plugin_version": DEMO_VERSION}),
    ("2", "PUT", "/clusters/" + CLUSTER_1, {"add_node_groups": []}),
    ("2", "PATCH", "/clusters/" + CLUSTER_1, {"name": "renamed"}),
    ("2", "DELETE", "/clusters/" + CLUSTER_1, None),
    ("2", "POST", "/job-templates", {"name": "new-template", "type": "MapReduce"}),
    ("2", "PATCH", "/job-templates/" + TEMPLATE_WORDCOUNT, {"name": "renamed"}),
    ("2", "DELETE", "/job-templates/" + TEMPLATE_WORDCOUNT, None),
    ("2", "POST", "/data-sources", {"name": "new", "type": "hdfs", "url": "/user/new"}),
    ("2", "PATCH", "/data-sources/" + DS_INPUT, {"name": "renamed"}),
    ("2", "DELETE", "/data-sources/" + DS_INPUT, None),
]


def check_read_only_message(msg):
    check(READ_ONLY_RE.search(msg), "the 405 message must say the gateway serves these resources read-only",
          repr(msg))


def t_writes_refused_405(env):
    sim, gw = env["sim"], env["gw"]
    before = resources_snapshot(sim)
    for version, method, path, body in WRITES:
        prefix = "/v1.1/%s" % PROJECT if version == "1.1" else "/v2"
        status, hdrs, got = http(gw.port, method, prefix + path, body, {"X-Auth-Token": TOKEN})
        what = "%s %s%s" % (method, prefix, path)
        check(status == 405, "%s: status" % what, status, got)
        check(hdrs.get("Content-Type", "").split(";")[0].strip() == "application/json", "%s: Content-Type" % what,
              hdrs.get("Content-Type"))
        check(isinstance(got, dict) and got.get("error_code") == 405 and got.get("error_name") == "METHOD_NOT_ALLOWED"
              and isinstance(got.get("error_message"), str), "%s: Sahara error body" % what, got)
        check_read_only_message(got["error_message"])
    # The same through saharaclient's own methods: APIException(405, METHOD_NOT_ALLOWED, message).
    c11, c2 = env["c11"], env["c2"]
    for call in (lambda: c11.clusters.delete(CLUSTER_2), lambda: c11.jobs.delete(TEMPLATE_SPARK),
                 lambda: c11.data_sources.delete(DS_OUTPUT), lambda: c2.clusters.delete(CLUSTER_2),
                 lambda: c2.job_templates.delete(TEMPLATE_SPARK), lambda: c2.data_sources.delete(DS_OUTPUT),
                 lambda: c11.jobs.create("new-template", "MapReduce"),
                 lambda: c11.data_sources.update(DS_OUTPUT, {"name": "renamed"}),
                 lambda: c2.job_templates.update(TEMPLATE_SPARK, name="renamed")):
        expect_client_error(call, 405, "METHOD_NOT_ALLOWED", check_read_only_message, error_id=False)
    check(resources_snapshot(sim) == before, "a refused write must change nothing in MRS")


def t_v2_version_fidelity(env):
    """Sahara's microversion errors on /v2 (api/microversion.py, utils/api.py): 406 for a version out of
    range, 400 for a string its regex ^([1-9]\\d*).([1-9]\\d*|0)$ refuses; neither has an Error ID line."""
    gw, c2 = env["gw"], env["c2"]
    cases = [
        ("data-processing 2.1", 406, "NOT_ACCEPTABLE",
         "Version 2.1 is not supported by the API. Minimum is 2.0 and maximum is 2.0."),
        ("data-processing 2.x1", 400, "BAD_REQUEST",
         "API Version String 2.x1 is of invalid format. Must be of format MajorNum.MinorNum."),
        ("data-processing 2.01", 400, "BAD_REQUEST",
         "API Version String 2.01 is of invalid format. Must be of format MajorNum.MinorNum."),
    ]
    for header, status_want, name, message in cases:
        for path in ("/v2/clusters", "/v2/job-templates", "/v2/data-sources/" + DS_INPUT, "/v2/jobs"):
            status, hdrs, body = http(gw.port, "GET", path, None, {"X-Auth-Token": TOKEN, V2_VERSION_HDR: header})
            what = "%s with %s: %s" % (path, V2_VERSION_HDR, header)
            check(status == status_want, "%s: status" % what, status, body)
            check(isinstance(body, dict), "%s: JSON body" % what, body)
            for key, want in (("error_code", status_want), ("error_name", name), ("error_message", message),
                              ("max_version", "2.0"), ("min_version", "2.0")):
                check(body.get(key) == want, "%s: %s" % (what, key), repr(body.get(key)), "expected %r" % (want,))
            check("Error ID" not in body["error_message"], "%s: no Error ID line" % what, body["error_message"])
        resp = c2.clusters.api.get("/clusters", headers={V2_VERSION_HDR: header})

        def exact(m, message=message):
            check(m == message, "error_message", repr(m), repr(message))
        expect_api_error(c2, resp, status_want, name, exact, error_id=False)


def _execute_info(je, what):
    configs = je.get("job_configs")
    check(isinstance(configs, dict) and configs.get("job_execution_info") == {},
          "%s: job_configs.job_execution_info must be {}" % what, repr(configs)[:400])


def t_py_execute_job_execution_info(env):
    c11, c2, sim = env["c11"], env["c2"], env["sim"]
    if V2:
        configs = {"configs": {V2_JOB_TYPE_KEY: "MapReduce"}}
        io = {}
    else:
        configs = {"configs": {}, "args": [], "params": {}}
        io = {"input_id": DS_INPUT, "output_id": DS_OUTPUT}
    je = c11.job_executions.create(TEMPLATE_WORDCOUNT, CLUSTER_1, configs=configs, **io).to_dict()
    _execute_info(je, "v1.1 execute")
    job = c2.jobs.create(TEMPLATE_WORDCOUNT, CLUSTER_1, configs=configs, **io).to_dict()
    _execute_info(job, "v2 execute")
    for jid in (je["id"], job["id"]):
        env["py_executed"].add(jid)
        check(sim_job(sim, jid)["cluster_id"] == CLUSTER_1, "the executed job is in MRS on cluster 1", jid)


# --------------------------------------------------------------------------------------------------
# 2. the OpenStack CLI

def execute_args(template, with_data_sources):
    args = ["job", "execute", "--job-template", template, "--cluster", "demo-cluster-1"]
    if with_data_sources:
        args += ["--input", "demo-input", "--output", "demo-output"]
    if V2:
        args += ["--configs", V2_JOB_TYPE_KEY + ":MapReduce"]   # the CLI's --configs takes name:value
    return args + ["-f", "json"]


def batch_a_runs(env):
    """Read-only CLI commands, the errors, the refused deletes and the executes: run in the background
    while the saharaclient cases run (none of those changes what these commands read)."""
    cmds = []
    for v, tag in (("1.1", "v11"), ("2", "v2")):
        cmds += [
            (tag + "_cluster_list", v, ["cluster", "list", "-f", "json"]),
            (tag + "_cluster_list_long", v, ["cluster", "list", "--long", "-f", "json"]),
            (tag + "_cluster_list_plugin", v, ["cluster", "list", "--plugin", PLUGIN, "--plugin-version", DEMO_VERSION,
                                               "-f", "json"]),
            (tag + "_cluster_list_plugin_none", v, ["cluster", "list", "--plugin", "vanilla", "-f", "json"]),
            (tag + "_cluster_show_id", v, ["cluster", "show", CLUSTER_1, "-f", "json"]),
            (tag + "_cluster_show_name", v, ["cluster", "show", CUSTOM_NAME if v == "1.1" else "demo-cluster-2",
                                             "-f", "json"]),
            (tag + "_cluster_show_unknown_name", v, ["cluster", "show", "no-such-cluster"]),
            (tag + "_cluster_show_duplicate", v, ["cluster", "show", DUPLICATE_NAME]),
            (tag + "_cluster_delete", v, ["cluster", "delete", "demo-cluster-1" if v == "1.1" else "cluster-5"]),
            (tag + "_template_list", v, ["job", "template", "list", "-f", "json"]),
            (tag + "_template_list_type", v, ["job", "template", "list", "--type", "MapReduce", "-f", "json"]),
            (tag + "_template_show_id", v, ["job", "template", "show", TEMPLATE_WORDCOUNT, "-f", "json"]),
            (tag + "_template_show_name", v, ["job", "template", "show",
                                              "distcp-import" if v == "1.1" else "spark-script-report", "-f", "json"]),
            (tag + "_ds_list", v, ["data", "source", "list", "-f", "json"]),
            (tag + "_ds_show_id", v, ["data", "source", "show", DS_INPUT, "-f", "json"]),
            (tag + "_ds_show_name", v, ["data", "source", "show", "demo-output" if v == "1.1" else "demo-obs-logs",
                                        "-f", "json"]),
            (tag + "_execute", v, execute_args("wordcount", not V2)),
        ]
    cmds += [
        ("v11_cluster_show_unknown_id", "1.1", ["cluster", "show", UNKNOWN_ID]),
        ("v2_cluster_show_terminated_id", "2", ["cluster", "show", RETIRED]),
        ("v11_template_show_unknown_id", "1.1", ["job", "template", "show", UNKNOWN_ID]),
        ("v2_template_show_unknown_name", "2", ["job", "template", "show", "no-such-template"]),
        ("v11_ds_show_unknown_name", "1.1", ["data", "source", "show", "no-such-source"]),
        ("v2_ds_show_unknown_id", "2", ["data", "source", "show", UNKNOWN_ID]),
        ("v11_template_delete", "1.1", ["job", "template", "delete", "wordcount"]),
        ("v2_ds_delete", "2", ["data", "source", "delete", "demo-input"]),
    ]
    if V2:   # MRS v2 has no data sources: the v2 execute refuses --input/--output
        cmds.append(("v11_execute_with_data_sources", "1.1", execute_args("wordcount", True)))
    env["jobs_before_batch_a"] = set(sim_jobs(env["sim"]))
    return [CliRun(name, cli_argv(env["gw"].port, v, args), env["cli_env"], env["cli_dir"]) for name, v, args in cmds]


def t_cli_batch_a_done(env):
    batch = env["batch_a"]
    batch.wait()
    print("#   %d CLI runs in %.1f s" % (len(batch.runs), batch.secs or 0), flush=True)
    late = batch.late()
    check(not late, "CLI commands timed out", *late)


def _cli_cluster_lists(env, tag):
    batch = env["batch_a"]
    mrs = visible(mrs_clusters(env["sim"]))
    rows = batch[tag + "_cluster_list"].result().json()
    cols = {"Name", "Id", "Plugin name", "Plugin version", "Status"}
    check(isinstance(rows, list) and all(set(r) == cols for r in rows), "cluster list columns",
          rows[:2] if isinstance(rows, list) else rows)
    check(sorted(r["Id"] for r in rows) == sorted(mrs), "cluster list: the non-terminated clusters",
          sorted(r["Id"] for r in rows), sorted(mrs))
    for r in rows:
        mc = mrs[r["Id"]]
        want = {"Name": mc["clusterName"], "Id": mc["clusterId"], "Plugin name": PLUGIN,
                "Plugin version": mc["clusterVersion"], "Status": STATUS_OF[mc["clusterState"]]}
        check(r == want, "cluster list row", r, want)
    rows = batch[tag + "_cluster_list_long"].result().json()
    check(all(set(r) == cols | {"Description", "Image"} for r in rows), "cluster list --long columns", rows[:1])
    check(sorted(r["Id"] for r in rows) == sorted(mrs), "cluster list --long ids")
    check(all(r["Image"] is None and r["Description"] == (mrs[r["Id"]].get("remark") or None) for r in rows),
          "cluster list --long: Image null, Description = remark or null", rows[:2])
    rows = batch[tag + "_cluster_list_plugin"].result().json()
    want = sorted(i for i, mc in mrs.items() if mc["clusterVersion"] == DEMO_VERSION)
    check(sorted(r["Id"] for r in rows) == want and CLUSTER_3 not in want and CUSTOM_CLUSTER not in want,
          "cluster list --plugin mrs --plugin-version '%s' (server-side filters, §1.2)" % DEMO_VERSION,
          sorted(r["Id"] for r in rows), want)
    rows = batch[tag + "_cluster_list_plugin_none"].result().json()
    check(rows == [], "cluster list --plugin vanilla: nothing", rows)


def _show_rows_cluster(d, mc, what):
    want = {"Id": mc["clusterId"], "Name": mc["clusterName"], "Status": STATUS_OF[mc["clusterState"]],
            "Plugin name": PLUGIN, "Plugin version": mc["clusterVersion"], "Image": None,
            "Node groups": ", ".join("%s:%s" % g for g in node_groups_of(mc)), "Anti affinity": "",
            "Description": mc.get("remark") or None, "Is public": False, "Is protected": False,
            "Is transient": False}
    for label, value in want.items():
        check(label in d, "%s prints %s" % (what, label), sorted(d))
        check(d[label] == value, "%s: %s" % (what, label), repr(d[label]), "expected %r" % (value,))
    check(isinstance(d.get("Info"), dict) and "MRS" in d["Info"], "%s: Info" % what, repr(d.get("Info"))[:200])


def _cli_cluster_shows(env, tag):
    batch = env["batch_a"]
    mrs = mrs_clusters(env["sim"])
    _show_rows_cluster(batch[tag + "_cluster_show_id"].result().json(), mrs[CLUSTER_1], "cluster show ID")
    named = CUSTOM_CLUSTER if tag == "v11" else CLUSTER_2
    _show_rows_cluster(batch[tag + "_cluster_show_name"].result().json(), mrs[named],
                       "cluster show %s" % mrs[named]["clusterName"])
    run = batch[tag + "_cluster_show_unknown_name"].result(1)
    check("No matches found." in run.err, "cluster show of an unknown name", run.describe())
    run = batch[tag + "_cluster_show_duplicate"].result(1)
    check("Multiple matches found." in run.err, "cluster show of a name two clusters have", run.describe())


def _cli_templates(env, tag):
    batch, mrs = env["batch_a"], mrs_job_objects(env["sim"])
    rows = batch[tag + "_template_list"].result().json()
    want = sorted(({"Name": jo["name"], "Id": i, "Type": jo["type"]} for i, jo in mrs.items()), key=lambda r: r["Id"])
    check(sorted(rows, key=lambda r: r["Id"]) == want, "job template list rows (MRS types as they are)", rows, want)
    rows = batch[tag + "_template_list_type"].result().json()
    want = sorted(i for i, jo in mrs.items() if jo["type"] == "MapReduce")
    check(sorted(r["Id"] for r in rows) == want, "job template list --type MapReduce", rows, want)

    def show_rows(d, jo, what):
        fmt = lambda binaries: ", ".join(sorted("%s:%s" % (b["name"], b["id"]) for b in binaries))  # noqa: E731
        want = {"Name": jo["name"], "Id": jo["id"], "Type": jo["type"], "Mains": fmt(jo["mains"]),
                "Libs": fmt(jo["libs"]), "Description": jo["description"], "Is public": False, "Is protected": False}
        check(d == want, what, d, want)
    show_rows(batch[tag + "_template_show_id"].result().json(), mrs[TEMPLATE_WORDCOUNT], "job template show ID")
    named = TEMPLATE_DISTCP if tag == "v11" else TEMPLATE_SPARK_SCRIPT
    show_rows(batch[tag + "_template_show_name"].result().json(), mrs[named],
              "job template show %s" % mrs[named]["name"])


def _cli_data_sources(env, tag):
    batch, mrs = env["batch_a"], mrs_data_sources(env["sim"])
    rows = batch[tag + "_ds_list"].result().json()
    want = sorted(({"Name": d["name"], "Id": i, "Type": d["type"]} for i, d in mrs.items()), key=lambda r: r["Id"])
    check(sorted(rows, key=lambda r: r["Id"]) == want, "data source list rows", rows, want)

    def show_rows(d, ds, what):
        want = {"Name": ds["name"], "Id": ds["id"], "Type": ds["type"], "Url": ds["url"],
                "Description": ds["description"], "Is public": False, "Is protected": False}
        check(d == want, what, d, want)
    show_rows(batch[tag + "_ds_show_id"].result().json(), mrs[DS_INPUT], "data source show ID")
    named = DS_OUTPUT if tag == "v11" else DS_OBS
    show_rows(batch[tag + "_ds_show_name"].result().json(), mrs[named], "data source show %s" % mrs[named]["name"])


def _cli_case(name, fn, tag):
    def case(env):
        fn(env, tag)
    case.__name__ = "t_" + name
    return case


def t_cli_unknown_ids(env):
    batch = env["batch_a"]
    for name, obj_id in (("v11_cluster_show_unknown_id", UNKNOWN_ID), ("v2_cluster_show_terminated_id", RETIRED),
                         ("v11_template_show_unknown_id", UNKNOWN_ID), ("v2_ds_show_unknown_id", UNKNOWN_ID)):
        run = batch[name].result(1)
        check("Object with {'id': '%s'} not found" % obj_id in run.err, "%s prints the gateway's 404 message" % name,
              run.describe())
    for name in ("v2_template_show_unknown_name", "v11_ds_show_unknown_name"):
        run = batch[name].result(1)
        check("No matches found." in run.err, name, run.describe())


def t_cli_writes_refused(env):
    batch, sim = env["batch_a"], env["sim"]
    for name in ("v11_cluster_delete", "v2_cluster_delete", "v11_template_delete", "v2_ds_delete"):
        run = batch[name].result(1)
        check(READ_ONLY_RE.search(run.err), "%s prints the 405's read-only message" % name, run.describe())
        check("has been started" not in run.out and "successfully" not in run.out,
              "%s must not claim success" % name, run.describe())
    check(CLUSTER_1 in mrs_clusters(sim) and TEMPLATE_WORDCOUNT in mrs_job_objects(sim)
          and DS_INPUT in mrs_data_sources(sim), "nothing was deleted in MRS")


def check_mrs_execution(env, job_id, template, with_data_sources, what):
    """What MRS started for an execute: v1.1 the job object on the cluster with the data sources; v2 a
    MapReduce job on the cluster, named (mrs.job_name unset) after the template: its id, or the name a
    configured template gives it (docs/api-coverage.md, execute on mrs-v2)."""
    sim = env["sim"]
    job = sim_job(sim, job_id)
    check(job["project"] == PROJECT and job["cluster_id"] == CLUSTER_1, "%s: the job MRS started" % what, job)
    if V2:
        names = {template} | {t["name"] for t in FALLBACK_TEMPLATES if t["id"] == template}
        check(job["job_name"] in names and job["job_type"] == "MapReduce", "%s: the v2 job" % what, job,
              "job_name one of %s" % sorted(names))
        return
    je = mrs_get(sim, "/job-executions/%s" % job_id)["job_execution"]
    want = {"job_id": template, "cluster_id": CLUSTER_1, "input_id": DS_INPUT if with_data_sources else None,
            "output_id": DS_OUTPUT if with_data_sources else None}
    got = {k: je.get(k) for k in want}
    check(got == want, "%s: MRS's job execution" % what, got, want)


def _cli_execute(env, batch, name, tag, before, template, with_data_sources):
    run = batch[name].result()
    m = STARTED_RE.search(run.out)
    check(m, 'execute prints Job "<id>" has been started successfully.', run.describe())
    job_id = m.group(1)
    check(job_id not in before, "execute must report a new job", job_id)
    shown = run.json()
    want = {"Id": job_id, "Job template id": template, "Cluster id": CLUSTER_1}
    if not V2:
        want.update({"Input id": DS_INPUT if with_data_sources else None,
                     "Output id": DS_OUTPUT if with_data_sources else None})
    check({k: shown.get(k) for k in want} == want, "execute's table", shown, want)
    # The answer is the job as MRS has it right after the start: Starting (ACCEPTED), i.e. PENDING.
    check(shown.get("Status") == "PENDING", "execute's table: Status", shown.get("Status"))
    check_mrs_execution(env, job_id, template, with_data_sources, name)
    env["executed"][name] = (tag, job_id)


def _cli_execute_case(tag):
    def case(env):
        _cli_execute(env, env["batch_a"], tag + "_execute", tag, env["jobs_before_batch_a"], TEMPLATE_WORDCOUNT,
                     not V2)
    case.__name__ = "t_cli_%s_execute_by_names" % tag
    return case


def t_cli_v2_backend_refuses_data_sources(env):
    """mrs-v2: MRS v2 has no data sources, so execute with --input/--output is refused and nothing runs."""
    run = env["batch_a"]["v11_execute_with_data_sources"].result(1)
    lines = [line for line in run.err.splitlines() if line.strip()]
    check(lines, "the refusal prints a message", run.describe())
    print("#   mrs-v2 execute with --input/--output printed: %s" % " | ".join(lines)[:300], flush=True)
    started = set(sim_jobs(env["sim"])) - env["jobs_before_batch_a"]
    mine = {j for _, j in env["executed"].values()} | env["py_executed"]
    check(not (started - mine), "no job may start for the refused execute", sorted(started - mine))


def wait_running(env, names):
    """`job show ID` through the CLI, until each executed job is RUNNING (bounded)."""
    pending = {name: env["executed"][name] for name in names}
    check(pending, "no executed job to wait for (an execute case failed)")
    deadline = time.monotonic() + RUNNING_WAIT_S
    seen = {}
    rounds = 0
    while pending and time.monotonic() < deadline:
        rounds += 1
        runs = [CliRun("%s_show_%d" % (name, rounds), cli_argv(env["gw"].port, "1.1" if tag == "v11" else "2",
                                                               ["job", "show", job_id, "-f", "json"]),
                       env["cli_env"], env["cli_dir"]) for name, (tag, job_id) in pending.items()]
        CliBatch(runs).start().wait()
        for run, (name, (tag, job_id)) in zip(runs, list(pending.items())):
            d = run.result().json()
            check(d.get("Id") == job_id, "job show Id", d)
            seen.setdefault(name, []).append(d.get("Status"))
            check(d.get("Status") in ("PENDING", "RUNNING"), "job show %s: status while starting" % job_id, d)
            if d["Status"] == "RUNNING":
                del pending[name]
        if pending:
            time.sleep(0.3)
    check(not pending, "executed jobs not RUNNING within %d s" % RUNNING_WAIT_S, seen)
    for name in names:
        job = sim_job(env["sim"], env["executed"][name][1])
        check(SIM_TO_SAHARA[job["status"]] == "RUNNING", "MRS agrees the job runs", job)
    print("#   job show statuses: %s" % seen, flush=True)


def t_cli_executed_jobs_run(env):
    wait_running(env, [n for n in ("v11_execute", "v2_execute") if n in env["executed"]])


# --------------------------------------------------------------------------------------------------
# 3. fallback templates (MRS's job-object API gone)

def set_job_object_api(sim, value):
    status, body = sim_http(sim, "POST", "/_sim/switches", {"job_object_api": value})
    check(status == 200 and body.get("job_object_api") == value, "POST /_sim/switches", status, body)


def batch_b_runs(env):
    cmds = []
    for v, tag in (("1.1", "v11"), ("2", "v2")):
        cmds += [
            ("fb_%s_template_list" % tag, v, ["job", "template", "list", "-f", "json"]),
            ("fb_%s_template_show_name" % tag, v, ["job", "template", "show",
                                                   "fallback-hive" if v == "1.1" else "fallback-wordcount",
                                                   "-f", "json"]),
            ("fb_%s_execute" % tag, v, execute_args("fallback-wordcount", not V2)),
        ]
    cmds.append(("fb_v11_template_show_mrs_name", "1.1", ["job", "template", "show", "wordcount"]))
    env["jobs_before_batch_b"] = set(sim_jobs(env["sim"]))
    return [CliRun(name, cli_argv(env["gw"].port, v, args), env["cli_env"], env["cli_dir"]) for name, v, args in cmds]


def t_fallback_reads_gone(env):
    sim = env["sim"]
    set_job_object_api(sim, "reads-gone")
    status, _ = sim_http(sim, "GET", "/v1.1/%s/jobs" % PROJECT, headers={"X-Auth-Token": TOKEN})
    check(status == 404, "sanity: MRS's job-object list is gone", status)
    env["batch_b"] = CliBatch(batch_b_runs(env)).start()


def _py_fallback(env, v2):
    c = env["c2" if v2 else "c11"]
    mgr = c.job_templates if v2 else c.jobs
    by_id = {t["id"]: t for t in FALLBACK_TEMPLATES}
    page = mgr.list()
    check([item.id for item in page] == sorted(by_id), "list: exactly the configured templates, in id order",
          [item.id for item in page], sorted(by_id))
    for item in page:
        check_fallback_template(item.to_dict(), by_id[item.id], v2, "list item %s" % item.id)
        check_fallback_template(mgr.get(item.id).to_dict(), by_id[item.id], v2, "get %s" % item.id)
    for jid in (TEMPLATE_SPARK, UNKNOWN_ID):
        expect_client_error(lambda: mgr.get(jid), 404, "NOT_FOUND", not_found_msg(jid))
    got = ids_of(mgr.list(search_opts={"type": "MapReduce"}))
    check(got == [TEMPLATE_WORDCOUNT], "type filter on the fallback templates", got)
    got = ids_of(mgr.list(search_opts={"type": "DistCp"}))
    check(got == ["0fa11bac-0000-4000-8000-000000000002"], "type=DistCp on the fallback templates", got)
    got = [item.id for item in mgr.list(sort_by="name")]
    want = [t["id"] for t in sorted(FALLBACK_TEMPLATES, key=lambda t: t["name"])]
    check(got == want, "sort_by=name on the fallback templates", got, want)
    check_exclusive_page(mgr.list(limit=1, marker=sorted(by_id)[0]), sorted(by_id), 1, sorted(by_id)[0],
                         "fallback templates")


def t_py_fallback_v11(env):
    _py_fallback(env, False)


def t_py_fallback_v2(env):
    _py_fallback(env, True)


def t_cli_fallback_batch_done(env):
    batch = env["batch_b"]
    batch.wait()
    print("#   %d CLI runs in %.1f s" % (len(batch.runs), batch.secs or 0), flush=True)
    late = batch.late()
    check(not late, "CLI commands timed out", *late)


def t_cli_fallback_templates(env):
    batch = env["batch_b"]
    want = sorted(({"Name": t["name"], "Id": t["id"], "Type": t["type"]} for t in FALLBACK_TEMPLATES),
                  key=lambda r: r["Id"])
    for tag in ("v11", "v2"):
        rows = batch["fb_%s_template_list" % tag].result().json()
        check(sorted(rows, key=lambda r: r["Id"]) == want, "%s job template list: the fallback templates" % tag,
              rows, want)
    fmt = lambda binaries: ", ".join(sorted("%s:%s" % (b["name"], b["id"]) for b in binaries))  # noqa: E731
    for tag, ft in (("v11", FALLBACK_TEMPLATES[2]), ("v2", FALLBACK_TEMPLATES[0])):
        d = batch["fb_%s_template_show_name" % tag].result().json()
        want_row = {"Name": ft["name"], "Id": ft["id"], "Type": ft["type"], "Mains": fmt(ft["mains"]),
                    "Libs": fmt(ft["libs"]), "Description": ft["description"], "Is public": False,
                    "Is protected": False}
        check(d == want_row, "%s job template show %s" % (tag, ft["name"]), d, want_row)
    run = batch["fb_v11_template_show_mrs_name"].result(1)
    check("No matches found." in run.err, "an MRS job object's name is not a template while the API is gone",
          run.describe())


def _cli_fallback_execute_case(tag):
    def case(env):
        _cli_execute(env, env["batch_b"], "fb_%s_execute" % tag, tag, env["jobs_before_batch_b"], TEMPLATE_WORDCOUNT,
                     not V2)
    case.__name__ = "t_cli_fallback_%s_execute_by_names" % tag
    return case


def t_cli_fallback_executed_jobs_run(env):
    wait_running(env, [n for n in ("fb_v11_execute", "fb_v2_execute") if n in env["executed"]])


def t_fallback_api_gone(env):
    """job_object_api gone (every /jobs path, execute included, 404 in MRS): the same fallback list; on
    mrs-v2, whose execute never calls the job-object API, execute by a fallback template still runs."""
    sim, c11, c2 = env["sim"], env["c11"], env["c2"]
    set_job_object_api(sim, "gone")
    by_id = {t["id"]: t for t in FALLBACK_TEMPLATES}
    check(ids_of(c11.jobs.list()) == sorted(by_id), "v1.1 list with the API gone", ids_of(c11.jobs.list()))
    check(ids_of(c2.job_templates.list()) == sorted(by_id), "v2 list with the API gone")
    check_fallback_template(c11.jobs.get(TEMPLATE_WORDCOUNT).to_dict(), by_id[TEMPLATE_WORDCOUNT], False, "get")
    if V2:
        job = c2.jobs.create(TEMPLATE_WORDCOUNT, CLUSTER_1, configs={"configs": {V2_JOB_TYPE_KEY: "MapReduce"}})
        check(sim_job(sim, job.id)["cluster_id"] == CLUSTER_1, "mrs-v2 execute with the job-object API gone", job)
    else:
        try:
            je = c11.job_executions.create(TEMPLATE_WORDCOUNT, CLUSTER_1, DS_INPUT, DS_OUTPUT)
            print("#   mrs-v1.1 execute with the job-object API gone answered 202 (%s)" % je.id, flush=True)
        except sahara_base.APIException as exc:
            print("#   mrs-v1.1 execute with the job-object API gone answered %s %s: %s"
                  % (exc.error_code, exc.error_name, exc.error_message.splitlines()[0][:200]), flush=True)
            check_api_exception(exc, exc.error_code, exc.error_name, error_id=False)


# --------------------------------------------------------------------------------------------------
# running

CASES = [
    t_seed_extra_data,                                  # also starts CLI batch A in the background
    # 1. saharaclient (while batch A runs)
    t_py_clusters_v11, t_py_clusters_v2, t_py_cluster_filters_v11, t_py_cluster_filters_v2,
    t_py_cluster_sort_page_v11, t_py_cluster_sort_page_v2,
    t_py_templates_v11, t_py_templates_v2, t_py_template_filters, t_py_template_sort_page,
    t_py_data_sources_v11, t_py_data_sources_v2, t_py_data_source_filters_sort_page,
    t_py_unknown_ids_sahara_style_mrs, t_writes_refused_405, t_v2_version_fidelity, t_py_execute_job_execution_info,
    # 2. CLI batch A
    t_cli_batch_a_done,
    _cli_case("cli_v11_cluster_lists", _cli_cluster_lists, "v11"),
    _cli_case("cli_v2_cluster_lists", _cli_cluster_lists, "v2"),
    _cli_case("cli_v11_cluster_shows", _cli_cluster_shows, "v11"),
    _cli_case("cli_v2_cluster_shows", _cli_cluster_shows, "v2"),
    _cli_case("cli_v11_templates", _cli_templates, "v11"), _cli_case("cli_v2_templates", _cli_templates, "v2"),
    _cli_case("cli_v11_data_sources", _cli_data_sources, "v11"),
    _cli_case("cli_v2_data_sources", _cli_data_sources, "v2"),
    t_cli_unknown_ids, t_cli_writes_refused,
    _cli_execute_case("v11"), _cli_execute_case("v2"), t_cli_v2_backend_refuses_data_sources, t_cli_executed_jobs_run,
    # 3. fallback templates
    t_fallback_reads_gone,                              # also starts CLI batch B in the background
    t_py_fallback_v11, t_py_fallback_v2,
    t_cli_fallback_batch_done, t_cli_fallback_templates,
    _cli_fallback_execute_case("v11"), _cli_fallback_execute_case("v2"), t_cli_fallback_executed_jobs_run,
    t_fallback_api_gone,
]
CASES_V2_ONLY = {t_cli_v2_backend_refuses_data_sources}


def for_backend(cases):
    return [case for case in cases if V2 or case not in CASES_V2_ONLY]


def toml_string(s):
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


def write_fallback_config(path):
    """The gateway configuration with the fallback templates (docs/configuration.md, [[job_templates]])."""
    lines = ["# resources_conformance.py: fallback job templates (sahara-clusters-and-templates.md §4.4)"]
    for t in FALLBACK_TEMPLATES:
        lines += ["", "[[job_templates]]", "id = " + toml_string(t["id"]), "name = " + toml_string(t["name"]),
                  "type = " + toml_string(t["type"])]
        if t["description"] is not None:
            lines.append("description = " + toml_string(t["description"]))
        for key in ("mains", "libs"):
            if t[key]:
                lines.append("%s = [%s]" % (key, ", ".join("{ id = %s, name = %s }" % (toml_string(b["id"]),
                                                                                      toml_string(b["name"]))
                                                           for b in t[key])))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def run_phases(args, logdir, tally):
    print("# phase: clusters, job templates and data sources; saharaclient and CLI", flush=True)
    children, env = [], {}
    work = tempfile.mkdtemp(prefix="sgw-conformance-resources-")
    try:
        config = write_fallback_config(os.path.join(work, "gateway.toml"))
        children, sim, gw = started_pair(
            args, logdir, "resources", tally, ["--start-delay-ms", str(START_DELAY_MS)],
            ["--config", config, "--upstream-connect-timeout-ms", "1000", "--upstream-request-timeout-ms", "5000"],
            identity=True)
        if sim is None:
            return
        home = os.path.join(work, "home")
        os.mkdir(home)
        env = {"sim": sim, "gw": gw, "cli_dir": work, "cli_env": cli_environment(home), "executed": {},
               "py_executed": set(),
               "c11": make_sahara_client(v11_url(gw), TOKEN, "1.1"), "c2": make_sahara_client(v2_url(gw), TOKEN, "2")}
        run_cases(env, for_backend(CASES), tally)
    finally:
        for key in ("batch_a", "batch_b"):
            if env.get(key) is not None:
                env[key].kill()
        for child in reversed(children):
            child.stop()
        if tally["failed"] and args.verbose:
            for child in children:
                print("# %s stderr (tail):\n%s" % (child.name, child.stderr_tail()), flush=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(run_main(__doc__.split("\n")[0], run_phases))
