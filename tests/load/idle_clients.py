#!/usr/bin/python3
"""Idle keep-alive clients: N connections, one small request each, then held open, idle.

    tests/load/idle_clients.py --port PORT [--host 127.0.0.1] [--connections 10000]
                               [--path /] [--expect-status 200] [--hold-s 300]

Opens N HTTP/1.1 connections to HOST:PORT (at most --parallel connects at a time), sends
one request on each (GET PATH, with Connection: keep-alive) and reads its whole answer
(Content-Length framing). Once every connection has its answer, prints one line

    ready N

on stdout and keeps them all open without sending anything, until SIGTERM or SIGINT, or
until --hold-s seconds have passed. Then prints

    closed_by_server K

(the connections the server ended while they were idle) and closes the rest. Exit status
0 when every connection got the expected status and none was closed by the server; 1
otherwise; 2 when the connections could not be opened in --connect-timeout-s.

Used by tests/load/bench.sh to measure the memory of idle connections in each front.
Python standard library only; loopback only (the host must be a 127.x.y.z address).
"""

import argparse
import asyncio
import ipaddress
import resource
import signal
import sys


async def read_answer(reader):
    """Reads one HTTP/1.1 answer framed by Content-Length; returns its status code."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
        raise ValueError("not an HTTP answer: %r" % lines[0][:80])
    status = int(parts[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
        elif name.strip().lower() == "transfer-encoding":
            raise ValueError("chunked answers are not expected here")
    if length:
        await reader.readexactly(length)
    return status


class Clients:
    def __init__(self, args):
        self.args = args
        self.request = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: keep-alive\r\n"
                        "User-Agent: idle_clients\r\n\r\n" % (args.path, args.host, args.port)).encode()
        self.open = []          # (reader, writer) of every connection that got its answer
        self.statuses = {}
        self.failures = 0
        self.first_error = None
        self.closed_by_server = 0

    async def one(self, gate):
        async with gate:
            try:
                reader, writer = await asyncio.open_connection(self.args.host, self.args.port)
                writer.write(self.request)
                await writer.drain()
                status = await read_answer(reader)
            except (OSError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as e:
                self.failures += 1
                self.first_error = self.first_error or repr(e)
                return
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.open.append((reader, writer))

    async def watch(self, reader):
        """Ends when the server closes the connection (or sends anything)."""
        try:
            await reader.read(1)
        except OSError:
            pass
        self.closed_by_server += 1

    async def run(self):
        gate = asyncio.Semaphore(self.args.parallel)
        try:
            await asyncio.wait_for(
                asyncio.gather(*(self.one(gate) for _ in range(self.args.connections))),
                self.args.connect_timeout_s)
        except asyncio.TimeoutError:
            print("idle_clients: %d of %d connections answered within %d s"
                  % (len(self.open), self.args.connections, self.args.connect_timeout_s), file=sys.stderr)
            return 2
        if self.failures:
            print("idle_clients: %d connections failed, the first: %s" % (self.failures, self.first_error),
                  file=sys.stderr)
        bad = sum(n for s, n in self.statuses.items() if s != self.args.expect_status)
        if bad:
            print("idle_clients: statuses %s, expected %d" % (self.statuses, self.args.expect_status),
                  file=sys.stderr)
        watchers = [asyncio.ensure_future(self.watch(r)) for r, _ in self.open]
        print("ready %d" % len(self.open), flush=True)

        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        try:
            await asyncio.wait_for(stop.wait(), self.args.hold_s)
        except asyncio.TimeoutError:
            pass
        closed = self.closed_by_server
        print("closed_by_server %d" % closed, flush=True)
        for w in watchers:
            w.cancel()
        for _, writer in self.open:
            writer.close()
        await asyncio.gather(*watchers, return_exceptions=True)
        return 0 if not (self.failures or bad or closed) else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--connections", type=int, default=10000)
    ap.add_argument("--path", default="/")
    ap.add_argument("--expect-status", type=int, default=200)
    ap.add_argument("--parallel", type=int, default=200, help="connects in progress at once")
    ap.add_argument("--connect-timeout-s", type=int, default=120)
    ap.add_argument("--hold-s", type=int, default=300, help="longest time the connections are held")
    args = ap.parse_args()
    if not ipaddress.ip_address(args.host).is_loopback:
        ap.error("--host must be a loopback address")
    if not 1 <= args.connections <= 100000 or not 1 <= args.hold_s <= 3600 or args.parallel < 1:
        ap.error("--connections 1..100000, --hold-s 1..3600, --parallel at least 1")
    # One descriptor per connection, and a few more for the interpreter.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = args.connections + 64
    if soft < need:
        if hard != resource.RLIM_INFINITY and hard < need:
            sys.exit("idle_clients: the descriptor limit is %d; %d connections need %d" % (hard, args.connections, need))
        resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))
    return asyncio.run(Clients(args).run())


if __name__ == "__main__":
    sys.exit(main())
