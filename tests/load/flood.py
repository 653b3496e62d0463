#!/usr/bin/python3
"""Memory of a connection flood: sahara-gateway's resident set before, at the peak of, and
after N client connections that come and go.

Starts mrs-sim (--seed-demo) and the gateway (--threads T) on 127.0.0.1 port 0, serves one
request to warm up, reads VmRSS, then opens N connections in waves (all held open at once by
the end), each sending part of a request header, as a flood of idle or slow clients would.
Reads VmRSS at the peak, closes them all, waits for the gateway to see the closes, serves one
more request (which must answer 200), and reads VmRSS again. Everything is on loopback, every
wait is bounded, and both processes are stopped on exit.

usage: flood.py GATEWAY_BIN SIM_BIN [--connections N] [--threads T] [--rounds R] [-- EXTRA GATEWAY FLAGS]
"""
import argparse
import http.client
import os
import resource
import signal
import socket
import subprocess
import sys
import time

PROJECT = "6b2a9f0c1d3e4f5a8b7c6d5e4f3a2b1c"
JOB = "a1000000-0000-4000-8000-000000000006"


def start(argv):
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = p.stdout.readline()
    if not line.startswith("listening "):
        p.kill()
        sys.exit(f"{argv[0]} did not start: {line!r}")
    return p, int(line.rsplit(":", 1)[1])


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def show(port):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", f"/v1.1/{PROJECT}/job-executions/{JOB}", headers={"X-Auth-Token": "demo-token"})
    status = c.getresponse().status
    c.close()
    return status


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gateway")
    ap.add_argument("sim")
    ap.add_argument("--connections", type=int, default=10000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("extra", nargs="*")
    a = ap.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, a.connections + 256)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))

    procs = []
    try:
        sim, sim_port = start([a.sim, "--listen", "127.0.0.1:0", "--seed-demo"])
        procs.append(sim)
        gw, port = start([a.gateway, "--listen", "127.0.0.1:0", "--threads", str(a.threads),
                          "--upstream", f"http://127.0.0.1:{sim_port}", *a.extra])
        procs.append(gw)
        assert show(port) == 200
        before = rss_kib(gw.pid)

        partial = (f"GET /v1.1/{PROJECT}/job-executions/{JOB} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   "X-Auth-Token: demo-token\r\n").encode()
        status = 200
        for rnd in range(a.rounds):
            socks = []
            deadline = time.monotonic() + 120
            while len(socks) < a.connections and time.monotonic() < deadline:
                for _ in range(min(500, a.connections - len(socks))):
                    s = socket.create_connection(("127.0.0.1", port), timeout=10)
                    s.sendall(partial[: 1 + len(socks) % len(partial)])
                    socks.append(s)
                time.sleep(0.05)
            time.sleep(1.0)
            peak = rss_kib(gw.pid)
            for s in socks:
                s.close()
            time.sleep(2.0)
            status = show(port)
            after = rss_kib(gw.pid)
            print(f"round {rnd + 1}: connections {len(socks)}  threads {a.threads}  RSS KiB: before {before}  "
                  f"peak {peak}  after {after}  (serves after: {status})", flush=True)
            if status != 200:
                break
        return 0 if status == 200 else 1
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()


if __name__ == "__main__":
    sys.exit(main())
