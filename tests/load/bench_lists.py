#!/usr/bin/python3
"""Lists at 500, 5,000 and 50,000 jobs: MRS calls, time and gateway CPU per list shape.

    tests/load/bench_lists.py --gateway build/release/sahara-gateway \
                              --sim build/release/tests/mrs_sim/mrs-sim [--sizes 500,5000,50000] \
                              [--backend mrs-v1.1|mrs-v2]

Starts mrs-sim (--seed-demo) and one gateway (1 worker thread) on 127.0.0.1, grows the demo
project to each size over 5 clusters in one control call (POST /_sim/jobs with "count"), and
for each list shape prints the MRS calls (GET /_sim/stats), the median wall time of a few
runs, the gateway's CPU time per request (utime + stime from /proc) and its RSS afterwards.
Prints a Markdown table; asserts nothing.
"""

import argparse
import json
import os
import statistics
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "conformance"))

from harness import HOST, PROJECT, TOKEN, Child, http  # noqa: E402

SHAPES = [
    ("`?limit=20`", "?limit=20"),
    ("`?limit=20&marker=…`", "?limit=20&marker={marker}"),
    ("`?status=killed&limit=20`", "?status=killed&limit=20"),
    ("`?sort_by=cluster&limit=20`", "?sort_by=cluster&limit=20"),
    ("whole list", ""),
]
RUNS = 3


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def get(port, path, timeout=600):
    req = urllib.request.Request("http://%s:%d%s" % (HOST, port, path), headers={"X-Auth-Token": TOKEN})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return resp.status, resp.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gateway", required=True)
    ap.add_argument("--sim", required=True)
    ap.add_argument("--sizes", default="500,5000,50000")
    ap.add_argument("--backend", default="mrs-v1.1", choices=("mrs-v1.1", "mrs-v2"))
    args = ap.parse_args()
    v2 = args.backend == "mrs-v2"
    logdir = "/tmp" if os.path.isdir("/tmp") else "."
    sim = Child("mrs-sim", [args.sim, "--listen", HOST + ":0", "--seed-demo"], logdir)
    sim.start()
    gw = Child("gateway", [args.gateway, "--listen", HOST + ":0", "--threads", "1", "--upstream",
                           "http://%s:%d" % (HOST, sim.port), "--upstream-request-timeout-ms", "600000",
                           "--backend", args.backend], logdir)
    gw.start()
    try:
        print("| jobs | list | MRS calls | time (median of %d) | gateway CPU | gateway RSS after |" % RUNS)
        print("|---|---|---|---|---|---|")
        for size in (int(s) for s in args.sizes.split(",")):
            _, _, state = http(sim.port, "GET", "/_sim/state")
            have = sum(1 for j in state["v2_jobs" if v2 else "jobs"] if j["project"] == PROJECT)
            if size > have:
                seed = {"count": size - have, "clusters": 5, "states": {"running": 2, "succeeded": 3, "killed": 1}}
                if v2:
                    seed["api"] = "v2"
                status, _, _ = http(sim.port, "POST", "/_sim/jobs", seed)
                assert status == 201, status
            path = "/v1.1/%s/job-executions" % PROJECT
            _, first = get(gw.port, path + "?limit=20")
            marker = json.loads(first)["markers"]["next"]
            for name, query in SHAPES:
                target = path + query.format(marker=marker)
                walls, cpus, calls = [], [], None
                for _ in range(RUNS):
                    http(sim.port, "POST", "/_sim/stats/reset")
                    c0, t0 = cpu_seconds(gw.proc.pid), time.monotonic()
                    status, body = get(gw.port, target)
                    walls.append(time.monotonic() - t0)
                    cpus.append(cpu_seconds(gw.proc.pid) - c0)
                    assert status == 200, (status, body[:200])
                    _, _, stats = http(sim.port, "GET", "/_sim/stats")
                    calls = sum(stats["by_endpoint"].values())
                print("| %d | %s | %d | %.0f ms | %.0f ms | %.1f MiB |"
                      % (size, name, calls, statistics.median(walls) * 1000, statistics.median(cpus) * 1000,
                         rss_mib(gw.proc.pid)), flush=True)
    finally:
        gw.stop()
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
