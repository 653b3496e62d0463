#!/usr/bin/python3
"""How long a list holds the gateway's worker: the latency a cheap request sees meanwhile.

    tests/load/stall_probe.py --gateway build/release/sahara-gateway \
                              --sim build/release/tests/mrs_sim/mrs-sim [--sizes 1000,50000] \
                              [--seconds 5] [--gateway NAME=BINARY ...]

Starts mrs-sim (--seed-demo) on 127.0.0.1 and, for each gateway binary, one gateway with a
single worker thread (--threads 1) in front of it. For each history size (jobs over 5
clusters, grown with one POST /_sim/jobs), one client asks for the whole v1.1 list (no limit,
so every row is read, rendered and sent) again and again for --seconds, while a second client
on its own connection asks GET / (the versions document: no MRS call, a few microseconds of
work) one request after another and records each latency. A worker busy with one piece of the
list for X ms delays the probe that arrives meanwhile by up to X ms, so the probe's maximum and
99th percentile bound the longest time the list held the worker (plus the machine's own
noise, shown by the same probe against an idle gateway first). Prints a Markdown table;
asserts nothing.
"""

import argparse
import http.client as httpclient
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "conformance"))

from harness import HOST, PROJECT, TOKEN, Child, http  # noqa: E402


def probe(port, latencies, stop):
    conn = httpclient.HTTPConnection(HOST, port, timeout=30)
    while not stop.is_set():
        t0 = time.perf_counter()
        conn.request("GET", "/")
        resp = conn.getresponse()
        resp.read()
        latencies.append((time.perf_counter() - t0) * 1000)
    conn.close()


def quantiles(values):
    v = sorted(values)
    return v[len(v) // 2], v[min(len(v) - 1, int(len(v) * 0.99))], v[-1]


def probe_while(port, seconds, work=None):
    """Probe latencies while `work` (a function called repeatedly) runs, or idle."""
    latencies, stop = [], threading.Event()
    t = threading.Thread(target=probe, args=(port, latencies, stop))
    t.start()
    runs = 0
    end = time.monotonic() + seconds
    try:
        while time.monotonic() < end:
            if work:
                work()
                runs += 1
            else:
                time.sleep(0.05)
    finally:
        stop.set()
        t.join()
    return runs, latencies


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gateway", action="append", required=True,
                    help="BINARY or NAME=BINARY; repeat to compare builds in one run")
    ap.add_argument("--sim", required=True)
    ap.add_argument("--sizes", default="1000,50000")
    ap.add_argument("--seconds", type=float, default=5.0)
    args = ap.parse_args()
    gateways = [(g.split("=", 1) if "=" in g else ("gateway", g)) for g in args.gateway]
    logdir = "/tmp" if os.path.isdir("/tmp") else "."
    sim = Child("mrs-sim", [args.sim, "--listen", HOST + ":0", "--seed-demo"], logdir)
    sim.start()
    try:
        print("| gateway | jobs | lists answered | answer | probes | probe p50 ms | p99 ms | max ms |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for size in (int(s) for s in args.sizes.split(",")):
            _, _, state = http(sim.port, "GET", "/_sim/state")
            have = sum(1 for j in state["jobs"] if j["project"] == PROJECT)
            if size > have:
                seed = {"count": size - have, "clusters": 5, "states": {"running": 2, "succeeded": 3, "killed": 1}}
                status, _, _ = http(sim.port, "POST", "/_sim/jobs", seed)
                assert status == 201, status
            for name, binary in gateways:
                gw = Child(name, [binary, "--listen", HOST + ":0", "--threads", "1", "--upstream",
                                  "http://%s:%d" % (HOST, sim.port), "--upstream-request-timeout-ms", "600000"],
                           logdir)
                gw.start()
                try:
                    _, idle = probe_while(gw.port, 1.0)
                    p50, p99, top = quantiles(idle)
                    print("| %s | idle | – | – | %d | %.2f | %.2f | %.2f |" % (name, len(idle), p50, p99, top))
                    conn = httpclient.HTTPConnection(HOST, gw.port, timeout=600)
                    sizes = set()

                    def one_list():
                        conn.request("GET", "/v1.1/%s/job-executions" % PROJECT, headers={"X-Auth-Token": TOKEN})
                        resp = conn.getresponse()
                        body = resp.read()
                        assert resp.status == 200, (resp.status, body[:200])
                        sizes.add(len(body))

                    runs, busy = probe_while(gw.port, args.seconds, one_list)
                    conn.close()
                    p50, p99, top = quantiles(busy)
                    print("| %s | %d | %d | %.1f MB | %d | %.2f | %.2f | %.2f |"
                          % (name, size, runs, max(sizes) / 1e6, len(busy), p50, p99, top), flush=True)
                finally:
                    gw.stop()
    finally:
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
