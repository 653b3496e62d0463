#!/usr/bin/python3
"""The deploy suite: the shipped nginx and HAProxy configurations in front of two gateway replicas.

    deploy_suite.py --gateway build/release/sahara-gateway --sim build/release/tests/mrs_sim/mrs-sim
                    [--only nginx,haproxy] [--checks abcdef] [--keep-logs]

For each proxy in turn it starts, all on 127.0.0.1 with free ports: mrs-sim (--seed-demo), a
redis-server of its own, two gateway replicas A and B (admin listener, `jobs.store` in that Redis,
access log on, `server.trust_forwarded`, a shutdown delay) and the proxy, with the repository's
configuration rendered for the test: deploy/nginx/sahara-gateway.conf included from a generated
nginx.conf (daemon off, pid, logs and temporary files in a temporary folder), or
deploy/haproxy/sahara-gateway.cfg loaded after a generated global section (`haproxy -f … -db`).
Only the replicas' addresses, the listening ports, the certificate paths and the errorfile folder
are substituted; every other line is the shipped one. The certificate is self-signed, made with
`openssl req` here, and every client verifies it. Through each proxy, over TLS:

  a. clients: every call python-saharaclient (v1.1 and v2) and `openstack dataprocessing job`
     make (list, show, refresh-status, execute, cancel, update, delete) succeeds with the right
     content; the versions document's links are the proxy's (forwarded headers, a client's own
     Forwarded header ignored); a gateway 5xx reaches the client as the gateway wrote it, once;
  b. replicas agree: cancel then show answers TOBEKILLED, and delete then delete answers 204 both
     times, including for every pair whose two calls the replicas' access logs show were served
     by different replicas (both must serve some); a control pair of replicas without the store,
     called directly, must disagree (RUNNING, 404), which shows the check can fail;
  e. metrics: `promtool check metrics` passes on both replicas' /metrics, and their
     sahara_gateway_requests_total went up by exactly the requests sent;
  c. drain: client threads send reads and state changes while replica B gets SIGTERM: no request
     fails, B's /readyz turns 503 at once, B exits 0 within its shutdown delay plus its drain
     timeout, and A serves everything sent after B has gone;
  d. readiness (HAProxy): a replica whose MRS is down and whose circuit breaker is open answers
     /readyz 503, HAProxy takes it out of the rotation, and then every request is served by A;
  f. retries: state changes are never resent once a replica may have seen them (a stub replica
     that reads the request and closes the connection: the proxy answers its own Sahara-shaped
     502, and MRS never sees the call), reads are resent by nginx, and a replica that refuses
     connections costs no request at all (everything is resent to A).

Prints the checks, a Markdown table per proxy with the figures, and "N passed, M failed"; exits 1
when a check failed. Needs nginx, haproxy, redis-server, promtool and openssl, and the clients
the conformance tests use (run it with /usr/bin/python3). A gateway built without a feature the
suite needs (admin listener, jobs.store, shutdown delay) fails the checks that need it, naming it.
"""

import argparse
import concurrent.futures
import http.client
import json
import os
import re
import select
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "conformance"))

from harness import (  # noqa: E402  (the conformance tests' process handling and the saharaclient guard)
    CLUSTER_1, CLUSTER_2, HOST, OTHER_PROJECT, OTHER_TOKEN, PROJECT, SEED_RUNNING, SEED_SUCCEEDED, TEMPLATE_SPARK, TEMPLATE_WORDCOUNT, TOKEN,
    UNKNOWN_JOB, Child, Failure, check, die_with_parent, sim_http, sim_job, sim_jobs, sim_new_job)
from keystoneauth1 import session as ks_session  # noqa: E402
from keystoneauth1 import token_endpoint  # noqa: E402
from saharaclient import client as sahara_client  # noqa: E402
from saharaclient.api import base as sahara_base  # noqa: E402

SITE_NGINX = os.path.join(REPO, "deploy", "nginx", "sahara-gateway.conf")
SITE_HAPROXY = os.path.join(REPO, "deploy", "haproxy", "sahara-gateway.cfg")
HAPROXY_ERRORS = os.path.join(REPO, "deploy", "haproxy", "errors")
CLI = "/usr/bin/openstack"

SHUTDOWN_DELAY_MS = 2000      # server.shutdown_delay_ms of the replicas
DRAIN_TIMEOUT_MS = 5000       # server.drain_timeout_ms of the replicas
KILL_DELAY_MS = 120000        # mrs-sim: a cancelled job stays running (kill pending) this long
START_TIMEOUT_S = 10
HTTP_TIMEOUT_S = 15
CLI_TIMEOUT_S = 60
CLI_PARALLEL = 4
AGREE_ROUNDS = 12             # cancel/show and delete/delete pairs per proxy
METRICS_REQUESTS = 40         # requests of the counted window
LOAD_THREADS = 6
LOAD_SECONDS = 6.0            # the drain check's load; SIGTERM at a third of it
LOAD_PACE_S = 0.02
READINESS_REQUESTS = 30

REQ_ID = re.compile(r"^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
ERROR_NAMES = {413: "REQUEST_ENTITY_TOO_LARGE", 502: "BAD_GATEWAY", 503: "SERVICE_UNAVAILABLE",
               504: "GATEWAY_TIMEOUT"}
# How the error pages the proxies write themselves begin (deploy/nginx, deploy/haproxy/errors).
PROXY_MESSAGES = {502: "No Sahara gateway could answer the request", 504: "The Sahara gateway did not answer in time"}
# The operation label of Sahara requests (docs/operations.md, Logs); admin-port requests are not counted.
SAHARA_OPS = {"list", "show", "refresh_status", "cancel", "update", "delete", "execute", "versions", "-"}
METRIC_LINE = re.compile(r'^sahara_gateway_requests_total(\{[^}]*\})?\s+([0-9.eE+-]+)\s*$')
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')

RUNNING_PREFIX = "e1000000-0000-4000-8000-"   # jobs the drain load cancels
DELETE_PREFIX = "f1000000-0000-4000-8000-"    # jobs the drain load deletes, each once
DELETE_POOL = 600


# ------------------------------------------------------------------------------------------------
# the gateway's flags: what this binary has

class Features:
    """The flags of features the suite needs, read from `sahara-gateway --help`."""

    NEEDED = {
        "admin": ("--admin-listen", "the admin listener ([admin] listen: /healthz, /readyz, /metrics)"),
        "store": ("--jobs-store", "shared job memory between replicas (jobs.store)"),
        "delay": ("--server-shutdown-delay-ms", "the shutdown delay (server.shutdown_delay_ms)"),
        "access_path": ("--log-access-path", "the access log file (log.access_path)"),
    }

    def __init__(self, gateway):
        out = subprocess.run([gateway, "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             timeout=10).stdout.decode("utf-8", "replace")
        self.have = {key: re.search(re.escape(flag) + r"(?![\w-])", out) is not None
                     for key, (flag, _) in self.NEEDED.items()}

    def need(self, *keys):
        missing = [k for k in keys if not self.have[k]]
        check(not missing, "this sahara-gateway lacks " + "; ".join(
            "%s (no %s flag)" % (self.NEEDED[k][1], self.NEEDED[k][0]) for k in missing))


# ------------------------------------------------------------------------------------------------
# processes

def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_port(port, proc, what, timeout=START_TIMEOUT_S):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("%s exited with %s before listening" % (what, proc.returncode))
        try:
            socket.create_connection((HOST, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("%s did not listen on %d within %d s" % (what, port, timeout))


def term_with_parent_new_group():
    """preexec_fn for nginx: SIGTERM (nginx's fast shutdown, which stops its workers too) if the
    suite dies before its finally ran. The process group lets the finally reach the workers."""
    import ctypes
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)
    except OSError:
        pass


class Gateway(Child):
    """A replica: harness.Child, reading the 'admin listening HOST:PORT' line too when asked."""

    def __init__(self, name, argv, logdir, admin):
        super().__init__(name, argv, logdir)
        self.admin = admin
        self.admin_port = None
        self.access_path = None
        self.exit_seconds = None

    def start(self):
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=log, preexec_fn=die_with_parent)
        lines = self._read_lines(2 if self.admin else 1, START_TIMEOUT_S)
        m = re.match(r"^listening 127\.0\.0\.1:(\d+)\s*$", lines[0] if lines else "")
        a = re.match(r"^admin listening 127\.0\.0\.1:(\d+)\s*$", lines[1] if len(lines) > 1 else "")
        if not m or (self.admin and not a):
            self.stop(signal.SIGKILL)
            raise RuntimeError("%s did not report its port%s (got %r); stderr: %s"
                               % (self.name, "s" if self.admin else "", lines, self.stderr_tail()))
        self.port = int(m.group(1))
        self.admin_port = int(a.group(1)) if a else None
        threading.Thread(target=self._drain, daemon=True).start()
        return self

    def _read_lines(self, n, timeout):
        fd = self.proc.stdout.fileno()
        buf = b""
        deadline = time.monotonic() + timeout
        while buf.count(b"\n") < n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                break
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            buf += chunk
        return [line.decode("utf-8", "replace") for line in buf.split(b"\n")[:n] if line]

    def records(self):
        """The replica's request log records (access log file, else the stderr log), by request id."""
        path = self.access_path or self.log_path
        out = {}
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                for line in f:
                    try:
                        rec = json.loads(line)
                    except ValueError:
                        continue
                    if isinstance(rec, dict) and "rid" in rec and "status" in rec:
                        out[rec["rid"]] = rec
        except OSError:
            pass
        return out


class Redis:
    def __init__(self, workdir, name):
        self.port = free_port()
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir, exist_ok=True)
        self.log_path = os.path.join(self.dir, "redis.log")
        self.proc = None

    def start(self):
        argv = ["redis-server", "--port", str(self.port), "--bind", HOST, "--save", "", "--appendonly", "no",
                "--dir", self.dir, "--daemonize", "no"]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                         preexec_fn=die_with_parent)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                with socket.create_connection((HOST, self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(64).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not answer PING on %d" % self.port)

    def url(self):
        return "redis://%s:%d/0" % (HOST, self.port)

    def keys(self):
        """DBSIZE of database 0: how many keys the replicas have written."""
        with socket.create_connection((HOST, self.port), timeout=5) as s:
            s.sendall(b"DBSIZE\r\n")
            reply = s.recv(64)
        m = re.match(rb"^:(\d+)\r\n", reply)
        return int(m.group(1)) if m else None

    def stop(self):
        stop_proc(self.proc)


def stop_proc(proc, sig=signal.SIGTERM, group=False):
    if proc is None:
        return
    if proc.poll() is None:
        try:
            proc.send_signal(sig)
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
    if group:
        try:
            os.killpg(proc.pid, signal.SIGKILL)   # leftover nginx workers, if any
        except (ProcessLookupError, PermissionError):
            pass


# ------------------------------------------------------------------------------------------------
# the proxies, rendered from the repository's files

def substitute(text, pattern, repl, what, flags=re.M):
    """re.sub that must match exactly once: a changed shipped file breaks the renderer loudly."""
    new, n = re.subn(pattern, repl, text, flags=flags)
    if n != 1:
        raise RuntimeError("rendering: %s matched %d times in the shipped file (expected once)" % (what, n))
    return new


def replace_lines(text, pattern, lines):
    """The shipped server lines (all matches of pattern) replaced by `lines`, where the first one was."""
    first = re.search(pattern, text, re.M)
    rest = text[first.end():]
    return text[:first.start()] + lines + re.sub(pattern, "", rest, flags=re.M)


def merge_params(shipped, extra):
    """nginx server parameters: the shipped ones, with a test's key=value taking the place of the same key."""
    keys = {p.split("=", 1)[0] for p in extra}
    return [p for p in shipped if p.split("=", 1)[0] not in keys] + extra


class Proxy:
    kind = None

    def __init__(self, workdir, name, certdir):
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(self.dir, 0o755)
        self.certdir = certdir
        self.port = free_port()
        self.proc = None
        self.stopped = False
        self.log_path = os.path.join(self.dir, "proxy.log")

    def url(self, path=""):
        return "https://%s:%d%s" % (HOST, self.port, path)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, n=3000):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""

    def request_log(self):
        return self.log_path

    def log_offset(self):
        try:
            return os.path.getsize(self.request_log())
        except OSError:
            return 0

    def resends(self, offset=0):
        """(requests, requests passed to more than one replica) in the proxy's request log after offset."""
        try:
            with open(self.request_log(), "rb") as f:
                f.seek(offset)
                lines = f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return 0, 0
        requests = resent = 0
        for line in lines:
            tried = self.tries(line)
            if tried is not None:
                requests += 1
                resent += tried > 1
        return requests, resent


class Nginx(Proxy):
    kind = "nginx"

    def __init__(self, workdir, name, certdir, servers):
        """servers: [(host:port, extra parameters or "")]; each keeps the shipped parameters."""
        super().__init__(workdir, name, certdir)
        with open(SITE_NGINX) as f:
            site = f.read()
        pattern = r"^([ \t]*)server[ \t]+192\.0\.2\.\d+:\d+([^;\n]*);[ \t]*\n"
        shipped = re.findall(pattern, site, re.M)
        if not shipped:
            raise RuntimeError("rendering: no server line in the shipped upstream")
        indent, params = shipped[0][0], shipped[0][1].split()
        lines = "".join("%sserver %s %s;\n" % (indent, addr, " ".join(merge_params(params, extra.split())))
                        for addr, extra in servers)
        site = replace_lines(site, pattern, lines)
        site = substitute(site, r"^(\s*)listen 443 ssl;", r"\1listen %s:%d ssl;" % (HOST, self.port), "listen 443")
        site = substitute(site, r"/etc/ssl/sahara-gateway/fullchain\.pem", os.path.join(certdir, "cert.pem"),
                          "ssl_certificate")
        site = substitute(site, r"/etc/ssl/sahara-gateway/privkey\.pem", os.path.join(certdir, "key.pem"),
                          "ssl_certificate_key")
        self.site_path = os.path.join(self.dir, "sahara-gateway.conf")
        with open(self.site_path, "w") as f:
            f.write(site)
        self.access_log = os.path.join(self.dir, "access.log")
        self.conf_path = os.path.join(self.dir, "nginx.conf")
        d = self.dir
        with open(self.conf_path, "w") as f:
            f.write("\n".join([
                "# generated by deploy_suite.py: the host's part of an nginx installation",
                "daemon off;",
                "worker_processes 2;",
                "pid %s/nginx.pid;" % d,
                "error_log %s/error.log info;" % d,
                "events { worker_connections 512; }",
                "http {",
                "    log_format upstreams '$request_id $status \"$request\" [$upstream_addr] [$upstream_status]';",
                "    access_log %s upstreams;" % self.access_log,
                "    client_body_temp_path %s/client_body;" % d,
                "    proxy_temp_path %s/proxy;" % d,
                "    fastcgi_temp_path %s/fastcgi;" % d,
                "    uwsgi_temp_path %s/uwsgi;" % d,
                "    scgi_temp_path %s/scgi;" % d,
                "    include %s;" % self.site_path,
                "}", ""]))

    def start(self):
        argv = ["nginx", "-c", self.conf_path, "-p", self.dir + "/", "-e", os.path.join(self.dir, "error.log")]
        t = subprocess.run(argv + ["-t"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=20)
        if t.returncode != 0:
            raise RuntimeError("nginx -t refused the rendered configuration: %s" % t.stdout.decode()[-1500:])
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                         preexec_fn=term_with_parent_new_group)
        wait_port(self.port, self.proc, "nginx")
        return self

    def request_log(self):
        return self.access_log

    @staticmethod
    def tries(line):
        # log_format upstreams: '$request_id $status "$request" [$upstream_addr] [$upstream_status]';
        # attempts are separated by ", " (proxy_next_upstream) or " : " (error_page)
        m = re.match(r'^[0-9a-f]{32} \d+ "[^"]*" \[([^]]*)\]', line)
        if not m:
            return None
        return len(re.split(r", | : ", m.group(1)))

    def stop(self):
        if self.proc is not None and not self.stopped:
            self.stopped = True
            stop_proc(self.proc, signal.SIGQUIT, group=True)

    def log_tail(self, n=3000):
        try:
            with open(os.path.join(self.dir, "error.log"), "rb") as f:
                return f.read()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""


class HAProxy(Proxy):
    kind = "haproxy"

    def __init__(self, workdir, name, certdir, servers):
        """servers: [(name, host:port, admin port or None, extra parameters)]."""
        super().__init__(workdir, name, certdir)
        self.stats_port = free_port()
        self.socket_path = os.path.join(self.dir, "admin.sock")
        with open(SITE_HAPROXY) as f:
            site = f.read()
        pattern = r"^([ \t]*)server[ \t]+\S+[ \t]+192\.0\.2\.\d+:\d+.*\n"
        shipped = re.findall(pattern, site, re.M)
        if not shipped:
            raise RuntimeError("rendering: no server line in the shipped backend")
        lines = "".join("%sserver %s %s%s%s\n" % (shipped[0], name, addr, (" check port %d" % admin) if admin else "",
                                                 (" " + extra) if extra else "")
                        for name, addr, admin, extra in servers)
        site = replace_lines(site, pattern, lines)
        pem = os.path.join(certdir, "both.pem")
        site = substitute(site, r"^(\s*)bind :443 ssl crt /etc/haproxy/certs/sahara-gateway\.pem",
                          r"\1bind %s:%d ssl crt %s" % (HOST, self.port, pem), "bind :443")
        site, n = re.subn(r"/etc/haproxy/errors/sahara-gateway/", HAPROXY_ERRORS + "/", site)
        if n != 3:
            raise RuntimeError("rendering: %d errorfile paths (expected 3)" % n)
        site = substitute(site, r"^(\s*)bind 127\.0\.0\.1:8404$", r"\1bind %s:%d" % (HOST, self.stats_port),
                          "the stats bind")
        self.site_path = os.path.join(self.dir, "sahara-gateway.cfg")
        with open(self.site_path, "w") as f:
            f.write(site)
        self.global_path = os.path.join(self.dir, "global.cfg")
        with open(self.global_path, "w") as f:
            f.write("\n".join([
                "# generated by deploy_suite.py: the host's part of an HAProxy installation",
                "global",
                "    log stderr format raw local0 info",
                "    stats socket %s mode 600 level admin" % self.socket_path,
                "    pidfile %s/haproxy.pid" % self.dir,
                ""]))

    def start(self):
        argv = ["haproxy", "-f", self.global_path, "-f", self.site_path]
        t = subprocess.run(argv + ["-c"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=20)
        if t.returncode != 0:
            raise RuntimeError("haproxy -c refused the rendered configuration: %s" % t.stdout.decode()[-1500:])
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(argv + ["-db"], stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                         preexec_fn=die_with_parent)
        wait_port(self.port, self.proc, "haproxy")
        return self

    def stop(self):
        stop_proc(self.proc, signal.SIGTERM)

    @staticmethod
    def tries(line):
        # option httplog: ".../srv_conn/retries" ("+" when redispatched) before the queues
        m = re.search(r' \d+/\d+/\d+/\d+/(\+?)(\d+) \d+/\d+ "', line)
        return None if not m else 1 + int(m.group(2))

    def command(self, cmd):
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(5)
            s.connect(self.socket_path)
            s.sendall(cmd.encode() + b"\n")
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        return data.decode("utf-8", "replace")

    def server_states(self):
        """{server name: operational state} (0 down, 2 up) from `show servers state`."""
        out = {}
        for line in self.command("show servers state sahara_gateways").splitlines():
            parts = line.split()
            if len(parts) > 5 and parts[1] == "sahara_gateways":
                out[parts[3]] = int(parts[5])
        return out

    def wait_state(self, server, state, timeout):
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if self.server_states().get(server) == state:
                return time.monotonic() - t0
            time.sleep(0.05)
        raise Failure("HAProxy did not mark %s %s within %.0f s (states %s)"
                      % (server, "UP" if state == 2 else "DOWN", timeout, self.server_states()))


class StubReplica:
    """A 'replica' that reads one request, records it and closes the connection without answering."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind((HOST, 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.requests = []
        self.lock = threading.Lock()
        self.stopped = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn):
        try:
            conn.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            m = re.search(rb"\r\ncontent-length:\s*(\d+)", head, re.I)
            want = int(m.group(1)) if m else 0
            while len(body) < want:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                body += chunk
            line = head.split(b"\r\n", 1)[0].decode("latin-1")
            with self.lock:
                self.requests.append(line)
        except OSError:
            pass
        finally:
            conn.close()

    def seen(self):
        with self.lock:
            return list(self.requests)

    def stop(self):
        self.stopped = True
        self.sock.close()


# ------------------------------------------------------------------------------------------------
# HTTP through a proxy (TLS, verified) or straight to a replica

class Answer:
    __slots__ = ("status", "headers", "raw", "body", "rid", "t_sent", "t_done")

    def __init__(self, status, headers, raw, t_sent, t_done):
        self.status, self.headers, self.raw = status, headers, raw
        self.t_sent, self.t_done = t_sent, t_done
        try:
            self.body = json.loads(raw) if raw else None
        except ValueError:
            self.body = None
        self.rid = headers.get("x-openstack-request-id") if headers is not None else None

    def __repr__(self):
        return "<%s %s %r>" % (self.status, self.rid, self.raw[:300])


class Client:
    """One keep-alive connection: HTTPS to a proxy (certificate verified) or HTTP to a replica."""

    def __init__(self, port, ctx=None, token=TOKEN, timeout=HTTP_TIMEOUT_S):
        self.port, self.ctx, self.token, self.timeout = port, ctx, token, timeout
        self.conn = None

    def _connect(self):
        if self.ctx is not None:
            return http.client.HTTPSConnection(HOST, self.port, context=self.ctx, timeout=self.timeout)
        return http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)

    def call(self, method, path, body=None, headers=None):
        hdrs = {"X-Auth-Token": self.token} if self.token else {}
        hdrs.update(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body)
            hdrs["Content-Type"] = "application/json"
        if self.conn is None:
            self.conn = self._connect()
        t0 = time.monotonic()
        try:
            self.conn.request(method, path, body=data, headers=hdrs)
            resp = self.conn.getresponse()
            raw = resp.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        if resp.will_close:
            self.close()
        return Answer(resp.status, resp.headers, raw, t0, time.monotonic())

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def v11(path, project=PROJECT):
    return "/v1.1/%s%s" % (project, path)


def check_sahara_error(a, status, what, proxy_made=None):
    """An error answer in Sahara's shape; proxy_made: True = the proxy's own, False = a gateway's."""
    check(a.status == status, what + ": status", a.status, "expected %d" % status, a.raw[:300])
    ctype = (a.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    check(ctype == "application/json", what + ": Content-Type", repr(ctype))
    b = a.body
    check(isinstance(b, dict) and b.get("error_code") == status and b.get("error_name") == ERROR_NAMES[status]
          and isinstance(b.get("error_message"), str) and b["error_message"], what + ": Sahara error body",
          a.raw[:300])
    if proxy_made is False:
        check(a.rid and REQ_ID.match(a.rid), what + ": the gateway's x-openstack-request-id", a.rid)
    elif proxy_made:
        check(b["error_message"].startswith(PROXY_MESSAGES[status]), what + ": the proxy's own error page",
              b["error_message"])


# ------------------------------------------------------------------------------------------------
# the replicas' metrics

def scrape(gw):
    conn = http.client.HTTPConnection(HOST, gw.admin_port, timeout=HTTP_TIMEOUT_S)
    try:
        conn.request("GET", "/metrics")
        resp = conn.getresponse()
        text = resp.read().decode("utf-8", "replace")
    finally:
        conn.close()
    check(resp.status == 200, "GET /metrics on %s" % gw.name, resp.status, text[:200])
    return text


def requests_counted(text, need_series=True):
    """The sum of sahara_gateway_requests_total over Sahara operations (no series yet: 0)."""
    total, series = 0.0, 0
    for line in text.splitlines():
        m = METRIC_LINE.match(line)
        if not m:
            continue
        labels = dict(LABEL.findall(m.group(1) or ""))
        if labels.get("operation", "-") in SAHARA_OPS:
            total += float(m.group(2))
            series += 1
    check(series > 0 or not need_series, "no sahara_gateway_requests_total series for Sahara operations in /metrics",
          text[:400])
    return total


def promtool_check(text, what):
    p = subprocess.run(["promtool", "check", "metrics"], input=text.encode(), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=30)
    out = p.stdout.decode("utf-8", "replace").strip()
    check(p.returncode == 0 and not out, "promtool check metrics on %s" % what, "rc=%d" % p.returncode, out[:800])


def readyz(gw, with_body=False):
    conn = http.client.HTTPConnection(HOST, gw.admin_port, timeout=5)
    try:
        conn.request("GET", "/readyz")
        resp = conn.getresponse()
        body = resp.read().decode("utf-8", "replace").strip()
        return (resp.status, body) if with_body else resp.status
    finally:
        conn.close()


# ------------------------------------------------------------------------------------------------
# a run: the topology behind one proxy

class Run:
    def __init__(self, suite, kind):
        self.suite, self.kind = suite, kind
        self.args, self.features = suite.args, suite.features
        self.workdir = os.path.join(suite.workdir, kind)
        os.makedirs(self.workdir, exist_ok=True)
        os.chmod(self.workdir, 0o755)
        self.children = []      # stopped in reverse order at the end
        self.rows = []          # (check, result, figures) for the table
        self.sim = self.redis = self.a = self.b = self.proxy = None
        self.ctx = ssl.create_default_context(cafile=suite.cafile)

    # -- processes

    def start_sim(self, tag):
        sim = Child("mrs-sim-%s-%s" % (self.kind, tag),
                    [self.args.sim, "--listen", HOST + ":0", "--seed-demo", "--threads", "2",
                     "--kill-delay-ms", str(KILL_DELAY_MS), "--start-delay-ms", "300"], self.workdir).start()
        self.children.append(sim)
        return sim

    def start_gateway(self, tag, sim, store=True, listen=None, admin_listen=None, extra=(), delay=True):
        f = self.features
        upstream = "http://%s:%d" % (HOST, sim.port)
        argv = [self.args.gateway, "--listen", listen or HOST + ":0", "--threads", "2", "--upstream", upstream,
                "--backend", "mrs-v1.1", "--identity-url", upstream + "/v3", "--log-access", "true",
                "--server-trust-forwarded", "true", "--server-drain-timeout-ms", str(DRAIN_TIMEOUT_MS),
                "--upstream-connect-timeout-ms", "1000"]
        if f.have["admin"]:
            argv += ["--admin-listen", admin_listen or HOST + ":0"]
        if store and f.have["store"] and self.redis is not None:
            argv += ["--jobs-store", self.redis.url()]
        if f.have["delay"] and delay:
            argv += ["--server-shutdown-delay-ms", str(SHUTDOWN_DELAY_MS)]
        access = None
        if f.have["access_path"]:
            access = os.path.join(self.workdir, "access-%s.jsonl" % tag)
            argv += ["--log-access-path", access]
        gw = Gateway("gateway-%s-%s" % (self.kind, tag), argv + list(extra), self.workdir, f.have["admin"])
        gw.access_path = access
        self.children.append(gw)
        return gw.start()

    def start_proxy(self, name, replicas):
        """replicas: [(gateway or port, extra parameters)]; the proxy of this run's kind."""
        if self.kind == "nginx":
            servers = [("%s:%d" % (HOST, r if isinstance(r, int) else r.port), extra) for r, extra in replicas]
            p = Nginx(self.workdir, name, self.suite.certdir, servers)
        else:
            servers = []
            for i, (r, extra) in enumerate(replicas):
                if isinstance(r, int):
                    servers.append(("gw%d" % (i + 1), "%s:%d" % (HOST, r), None, extra))
                else:
                    servers.append(("gw%d" % (i + 1), "%s:%d" % (HOST, r.port), r.admin_port, extra))
            p = HAProxy(self.workdir, name, self.suite.certdir, servers)
        self.children.append(p)
        return p.start()

    def stop_all(self):
        for c in reversed(self.children):
            try:
                c.stop()
            except Exception:   # keep stopping the others
                traceback.print_exc()

    # -- helpers

    def client(self, proxy=None):
        return Client((proxy or self.proxy).port, self.ctx)

    def direct(self, gw):
        return Client(gw.port)

    def served_by(self, rids, replicas, wait_s=2.0):
        """{rid: replica name or None}; waits a little for log lines still being written."""
        deadline = time.monotonic() + wait_s
        while True:
            logs = [(gw.name, gw.records()) for gw in replicas]
            out = {}
            for rid in rids:
                owners = [name for name, recs in logs if rid in recs]
                check(len(owners) <= 1, "request id %s logged by two replicas" % rid, owners)
                out[rid] = owners[0] if owners else None
            if all(out.values()) or time.monotonic() > deadline:
                return out
            time.sleep(0.1)

    def record(self, name, fn):
        if name[0] not in self.args.checks:
            return True
        t0 = time.monotonic()
        try:
            figures = fn() or ""
        except Failure as exc:
            self.suite.failed += 1
            self.rows.append((name, "FAIL", str(exc)))
            print("FAIL %s/%s: %s" % (self.kind, name, exc), flush=True)
            return False
        except Exception:
            self.suite.failed += 1
            tb = traceback.format_exc()
            self.rows.append((name, "FAIL", "unexpected exception: " + tb.strip().splitlines()[-1]))
            print("FAIL %s/%s: unexpected exception\n%s" % (self.kind, name, tb), flush=True)
            return False
        self.suite.passed += 1
        self.rows.append((name, "ok", figures))
        print("ok   %s/%s (%.1f s) %s" % (self.kind, name, time.monotonic() - t0, figures), flush=True)
        return True

    # -- the run

    def run(self):
        print("# %s" % self.kind, flush=True)
        try:
            self.sim = self.start_sim("main")
            if self.features.have["store"]:
                self.redis = Redis(self.workdir, "redis")
                self.redis.start()
                self.children.append(self.redis)
            self.a = self.start_gateway("A", self.sim)
            self.b = self.start_gateway("B", self.sim)
            self.proxy = self.start_proxy("proxy", [(self.a, ""), (self.b, "")])
            if self.kind == "haproxy" and self.features.have["admin"]:
                self.proxy.wait_state("gw1", 2, 10)
                self.proxy.wait_state("gw2", 2, 10)
        except Exception as exc:
            self.suite.failed += 1
            self.rows.append(("setup", "FAIL", str(exc)))
            print("FAIL %s/setup: %s" % (self.kind, exc), flush=True)
            return
        self.record("a. saharaclient v1.1", self.t_client_v11)
        self.record("a. saharaclient v2", self.t_client_v2)
        self.record("a. openstack CLI", self.t_cli)
        self.record("a. versions and forwarded headers", self.t_versions)
        self.record("a. a gateway 5xx passes through once", self.t_gateway_error)
        self.record("b. replicas agree", self.t_agree)
        if self.kind == "nginx":
            self.record("b. control: replicas without the store disagree", self.t_control)
        self.record("e. metrics", self.t_metrics)
        self.record("c. drain on SIGTERM", self.t_drain)
        if self.kind == "haproxy":
            self.record("d. readiness takes a replica out", self.t_readiness)
        self.record("f. retries: nothing resent once sent", self.t_no_resend)
        self.record("f. retries: refused connects cost nothing", self.t_refused)
        for c in (self.proxy, self.a):
            if c is not None and not c.alive():
                self.suite.failed += 1
                print("FAIL %s: %s exited during the run" % (self.kind, getattr(c, "name", c.kind)), flush=True)

    # -- a. the real clients

    def sahara(self, version, url):
        sess = ks_session.Session(auth=token_endpoint.Token(url, TOKEN), verify=self.suite.cafile,
                                  timeout=HTTP_TIMEOUT_S)
        return sahara_client.Client(version, session=sess, sahara_url=url)

    def t_client_v11(self):
        sim = self.sim
        c = self.sahara("1.1", self.proxy.url("/v1.1/" + PROJECT))
        ids = [je.id for je in c.job_executions.list()]
        check(ids == sorted(sim_jobs(sim)), "list(): every job of the project by id", ids)
        je = c.job_executions.get(SEED_SUCCEEDED)
        check(je.id == SEED_SUCCEEDED and je.info["status"] == "SUCCEEDED", "get(succeeded)", je.to_dict())
        check(c.job_executions.get(SEED_RUNNING).info["status"] == "RUNNING", "get(running)")
        new = c.job_executions.create(job_id=TEMPLATE_WORDCOUNT, cluster_id=CLUSTER_1,
                                      configs={"configs": {"mapreduce.job.reduces": "2"}, "args": ["in", "out"]})
        check(new.info["status"] == "PENDING", "create(): PENDING", new.to_dict())
        job = sim_job(sim, new.id)
        check(job["cluster_id"] == CLUSTER_1, "create(): started in MRS on the cluster", job)
        res = c.job_executions.update(SEED_RUNNING)
        check(res.job_execution["id"] == SEED_RUNNING and res.job_execution["info"]["status"] == "RUNNING",
              "update(): PATCH answer", res.job_execution)
        # cancel is a GET through the client's adapter (saharaclient has no method for it)
        target = sim_new_job(sim, "running")
        resp = c.job_executions.api.get("/job-executions/%s/cancel" % target)
        check(resp.status_code == 200 and resp.json()["job_execution"]["id"] == target, "GET …/cancel",
              resp.status_code, resp.text[:300])
        check(sim_job(sim, target)["kill_pending"], "cancel reached MRS", sim_job(sim, target))
        check(c.job_executions.get(target).info["status"] == "TOBEKILLED",
              "get() after cancel: TOBEKILLED, whichever replica answers (jobs.store)")
        target2 = sim_new_job(sim, "running")
        resp = c.job_executions.api.patch("/job-executions/%s" % target2, json={"info": {"status": "cancel"}})
        check(resp.status_code == 202 and sim_job(sim, target2)["kill_pending"], "PATCH info.status=cancel",
              resp.status_code, resp.text[:300])
        je = c.job_executions._get("/job-executions/%s/refresh-status" % SEED_SUCCEEDED, "job_execution")
        check(je.info["status"] == "SUCCEEDED", "refresh-status", je.to_dict())
        doomed = sim_new_job(sim, "succeeded")
        check(c.job_executions.delete(doomed) is None and doomed not in sim_jobs(sim), "delete(): gone from MRS")
        c.job_executions.delete(doomed)   # a repeat is 204 too, on whichever replica
        try:
            c.job_executions.get(UNKNOWN_JOB)
            raise Failure("get(unknown) must raise APIException")
        except sahara_base.APIException as exc:
            check(exc.error_code == 404 and exc.error_name == "NOT_FOUND" and "Error ID:" in exc.error_message,
                  "the gateway's 404 reaches the client as Sahara's", exc.error_code, exc.error_name,
                  exc.error_message)
        return "list %d jobs, get, create, update, cancel (GET and PATCH), refresh-status, delete twice, 404" % len(ids)

    def t_client_v2(self):
        sim = self.sim
        c = self.sahara("2", self.proxy.url("/v2"))
        ids = [j.id for j in c.jobs.list()]
        check(ids == sorted(sim_jobs(sim)), "jobs.list(): every job by id", ids)
        j = c.jobs.get(SEED_RUNNING)
        check(j.info["status"] == "RUNNING" and j.project_id == PROJECT, "jobs.get()", j.to_dict())
        check(c.jobs.refresh_status(SEED_SUCCEEDED).info["status"] == "SUCCEEDED", "jobs.refresh_status()")
        new = c.jobs.create(job_template_id=TEMPLATE_SPARK, cluster_id=CLUSTER_2)
        check(new.info["status"] == "PENDING" and sim_job(sim, new.id)["cluster_id"] == CLUSTER_2, "jobs.create()",
              new.to_dict())
        res = c.jobs.update(SEED_RUNNING)
        check(res.job["id"] == SEED_RUNNING, "jobs.update()", res.job)
        target = sim_new_job(sim, "running")
        resp = c.jobs.api.patch("/jobs/%s" % target, json={"info": {"status": "cancel"}})
        check(resp.status_code == 202 and sim_job(sim, target)["kill_pending"], "PATCH /v2/jobs cancel",
              resp.status_code, resp.text[:300])
        check(c.jobs.get(target).info["status"] == "TOBEKILLED",
              "v2 get after cancel: TOBEKILLED, whichever replica answers (jobs.store)")
        doomed = sim_new_job(sim, "failed")
        check(c.jobs.delete(doomed) is None and doomed not in sim_jobs(sim), "jobs.delete()")
        return "list %d, get, refresh, create, update, cancel, delete" % len(ids)

    def t_cli(self):
        sim = self.sim
        home = os.path.join(self.workdir, "cli-home")
        os.makedirs(home, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        env.update({"HOME": home, "LC_ALL": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"})
        doomed = {"v11": sim_new_job(sim, "succeeded"), "v2": sim_new_job(sim, "failed")}
        before = set(sim_jobs(sim))
        cmds = []
        for version, tag in (("1.1", "v11"), ("2", "v2")):
            cmds += [(tag + "_list", version, ["list", "-f", "json"]),
                     (tag + "_show", version, ["show", SEED_SUCCEEDED, "-f", "json"]),
                     (tag + "_update", version, ["update", SEED_RUNNING, "-f", "json"]),
                     (tag + "_execute", version, ["execute", "--job-template", TEMPLATE_SPARK, "--cluster", CLUSTER_1,
                                                  "-f", "json"]),
                     (tag + "_delete", version, ["delete", doomed[tag]])]
        runs = {}          # name -> (exit code, stdout, stderr)
        pending = list(cmds)
        active = []
        t0 = time.monotonic()
        try:
            while pending or active:
                while pending and len(active) < CLI_PARALLEL:
                    name, version, args = pending.pop(0)
                    if version == "1.1":
                        base = ["--os-endpoint", self.proxy.url("/v1.1/" + PROJECT)]
                    else:
                        base = ["--os-endpoint", self.proxy.url("/v2"), "--os-data-processing-api-version", "2"]
                    argv = [CLI, "--os-auth-type", "admin_token", "--os-token", TOKEN, "--os-cacert",
                            self.suite.cafile] + base + ["dataprocessing", "job"] + args
                    out = open(os.path.join(self.workdir, "cli-%s.out" % name), "w+b")
                    err = open(os.path.join(self.workdir, "cli-%s.err" % name), "w+b")
                    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env,
                                            preexec_fn=die_with_parent)
                    active.append((name, proc, out, err, time.monotonic()))
                for item in list(active):
                    name, proc, out, err, started = item
                    if proc.poll() is None and time.monotonic() - started < CLI_TIMEOUT_S:
                        continue
                    if proc.poll() is None:
                        proc.kill()
                        proc.wait()
                    texts = []
                    for f in (out, err):
                        f.seek(0)
                        texts.append(f.read().decode("utf-8", "replace"))
                        f.close()
                    runs[name] = (proc.returncode, texts[0], texts[1])
                    active.remove(item)
                time.sleep(0.05)
        finally:
            for name, proc, out, err, _ in active:
                proc.kill()
                proc.wait()
                out.close()
                err.close()
        secs = time.monotonic() - t0

        def result(name):
            rc, out, err = runs[name]
            check(rc == 0, "CLI %s exit code" % name, rc, out[-400:], err[-800:])
            return out, err

        def as_json(name):
            out, err = result(name)
            start = min([i for i in (out.find("{"), out.find("[")) if i >= 0] or [0])
            try:
                return json.loads(out[start:])
            except ValueError:
                raise Failure("CLI %s: output is not JSON: %r %r" % (name, out[-600:], err[-300:]))

        after = set(sim_jobs(sim))
        for tag in ("v11", "v2"):
            rows = as_json(tag + "_list")
            got = {r["Id"] for r in rows}
            check(before - set(doomed.values()) <= got <= before | after, "CLI %s list: the project's jobs" % tag,
                  sorted(got ^ before))
            shown = as_json(tag + "_show")
            check(shown.get("Id") == SEED_SUCCEEDED and shown.get("Status") == "SUCCEEDED", "CLI %s show" % tag,
                  shown)
            upd = as_json(tag + "_update")
            check(upd.get("Id") == SEED_RUNNING and upd.get("Status") == "RUNNING", "CLI %s update" % tag, upd)
            text = "".join(result(tag + "_execute"))
            m = re.search(r'Job "([0-9a-f-]{36})" has been started successfully\.', text)
            check(m and m.group(1) in after and m.group(1) not in before, "CLI %s execute: a new job in MRS" % tag,
                  text[-600:])
            result(tag + "_delete")
            check(doomed[tag] not in after, "CLI %s delete: gone from MRS" % tag)
        return "%d CLI runs in %.1f s" % (len(runs), secs)

    def t_versions(self):
        c = self.client()
        spoof = {"Forwarded": "for=192.0.2.1;host=evil.example;proto=http", "X-Forwarded-Host": "evil.example",
                 "X-Forwarded-Proto": "http"}
        for headers in ({}, spoof):
            a = c.call("GET", "/", headers=headers)
            check(a.status == 300, "GET / through the proxy", a.status, a.raw[:300])
            hrefs = sorted(v["links"][0]["href"] for v in a.body["versions"])
            want = sorted("https://%s:%d/%s/" % (HOST, self.proxy.port, v) for v in ("v1.0", "v1.1", "v2"))
            check(hrefs == want, "versions links name the proxy (headers sent: %s)" % (sorted(headers) or "none"),
                  hrefs, want)
        c.close()
        return "links https://%s:%d/…, spoofed Forwarded/X-Forwarded-* ignored" % (HOST, self.proxy.port)

    def t_gateway_error(self):
        job = sim_new_job(self.sim, "running")
        c = self.client()
        status, body = sim_http(self.sim, "POST", "/_sim/faults", {"error_status": 503, "error_rate": 1.0})
        check(status == 200, "setting the simulator fault", status, body)
        try:
            a = c.call("GET", v11("/job-executions/%s" % job))
        finally:
            sim_http(self.sim, "DELETE", "/_sim/faults")
        c.close()
        check(a.status in (502, 503), "a 503 from MRS gives a gateway 5xx", a.status, a.raw[:300])
        check_sahara_error(a, a.status, "the gateway's error", proxy_made=False)
        owners = self.served_by([a.rid], [self.a, self.b])
        check(owners[a.rid], "the answer's request id is a replica's", a.rid)
        # Resent by the proxy, the call would have reached a replica a second time.
        path = v11("/job-executions/%s" % job)
        records = [r for gw in (self.a, self.b) for r in gw.records().values()]
        check(any("path" in r for r in records), "the replicas' request logs carry no path", records[:1])
        hits = [r for r in records if r.get("path") == path]
        check(len(hits) == 1, "the gateway's %d was not resent by the proxy" % a.status, len(hits), hits)
        return "%d %s from %s, not resent" % (a.status, a.body["error_name"], owners[a.rid])

    # -- b. the replicas agree

    def t_agree(self):
        self.features.need("store")
        sim = self.sim
        # two projects, each with its own token
        clients = {PROJECT: self.client(), OTHER_PROJECT: Client(self.proxy.port, self.ctx, token=OTHER_TOKEN)}
        pairs = {"cancel/show": [], "delete/delete": []}
        for i in range(AGREE_ROUNDS):
            project = PROJECT if i % 3 else OTHER_PROJECT
            c = clients[project]
            job = sim_new_job(sim, "running", project=project)
            first = c.call("GET", v11("/job-executions/%s/cancel" % job, project))
            check(first.status == 200, "cancel", first.status, first.raw[:300])
            second = c.call("GET", v11("/job-executions/%s" % job, project))
            check(second.status == 200, "show after cancel", second.status, second.raw[:300])
            pairs["cancel/show"].append((first.rid, second.rid, second.body["job_execution"]["info"]["status"]))
            job = sim_new_job(sim, "succeeded", project=project)
            first = c.call("DELETE", v11("/job-executions/%s" % job, project))
            second = c.call("DELETE", v11("/job-executions/%s" % job, project))
            pairs["delete/delete"].append((first.rid, second.rid, (first.status, second.status)))
        for c in clients.values():
            c.close()
        rids = [r for kind in pairs.values() for p in kind for r in p[:2]]
        owners = self.served_by(rids, [self.a, self.b])
        check(all(owners.values()), "every answer's request id is in a replica's access log",
              [r for r, o in owners.items() if not o][:3])
        figures = []
        keys = self.redis.keys()
        for kind, rows in pairs.items():
            want = "TOBEKILLED" if kind == "cancel/show" else (204, 204)
            bad = [(owners[r1], owners[r2], got) for r1, r2, got in rows if got != want]
            check(not bad, "%s: every pair answers %s (%d of %d pairs did not; Redis holds %s keys%s)"
                  % (kind, want, len(bad), len(rows), keys, ": the replicas wrote nothing to jobs.store" if keys == 0
                     else ""), bad[:4])
            cross = sum(1 for r1, r2, _ in rows if owners[r1] != owners[r2])
            check(cross >= 3, "%s: at least 3 of %d pairs must be split between the replicas" % (kind, len(rows)),
                  cross)
            figures.append("%s %d/%d split, all %s" % (kind, cross, len(rows), want))
        served = {gw.name: sum(1 for o in owners.values() if o == gw.name) for gw in (self.a, self.b)}
        check(all(served.values()), "both replicas must serve", served)
        return "; ".join(figures) + "; served A %d, B %d" % tuple(served.values())

    def t_control(self):
        """Replicas without the store, called directly: the check above must be able to fail."""
        self.features.need("store")
        c_ = self.start_gateway("C-nostore", self.sim, store=False, delay=False)
        d_ = self.start_gateway("D-nostore", self.sim, store=False, delay=False)
        out = []
        for (first, second, what, want) in ((c_, d_, "no store", ("RUNNING", 404)),
                                             (self.a, self.b, "store", ("TOBEKILLED", 204))):
            x, y = self.direct(first), self.direct(second)
            job = sim_new_job(self.sim, "running")
            check(x.call("GET", v11("/job-executions/%s/cancel" % job)).status == 200, "cancel via " + first.name)
            shown = y.call("GET", v11("/job-executions/%s" % job))
            status = shown.body["job_execution"]["info"]["status"] if shown.status == 200 else shown.status
            job = sim_new_job(self.sim, "succeeded")
            check(x.call("DELETE", v11("/job-executions/%s" % job)).status == 204, "delete via " + first.name)
            again = y.call("DELETE", v11("/job-executions/%s" % job)).status
            x.close()
            y.close()
            check((status, again) == want, "%s: cancel via %s then show via %s, delete then delete"
                  % (what, first.name, second.name), (status, again), "expected %s" % (want,))
            out.append("%s: %s, %s" % (what, status, again))
        c_.stop()
        d_.stop()
        return "; ".join(out)

    # -- e. metrics

    def t_metrics(self):
        self.features.need("admin")
        before = {gw.name: requests_counted(scrape(gw), need_series=False) for gw in (self.a, self.b)}
        c = self.client()
        rids = []
        paths = [("GET", v11("/job-executions/%s" % SEED_RUNNING), 200),
                 ("GET", v11("/job-executions?limit=3"), 200),
                 ("GET", v11("/job-executions/%s/refresh-status" % SEED_SUCCEEDED), 200),
                 ("PATCH", v11("/job-executions/%s" % SEED_RUNNING), 202),
                 ("GET", v11("/job-executions/%s" % UNKNOWN_JOB), 404)]
        for i in range(METRICS_REQUESTS):
            method, path, want = paths[i % len(paths)]
            a = c.call(method, path, body={} if method == "PATCH" else None)
            check(a.status == want, "%s %s" % (method, path), a.status, a.raw[:200])
            rids.append(a.rid)
        c.close()
        owners = self.served_by(rids, [self.a, self.b])
        texts = {gw.name: scrape(gw) for gw in (self.a, self.b)}
        for name, text in texts.items():
            promtool_check(text, name)
        after = {name: requests_counted(text) for name, text in texts.items()}
        delta = {name: after[name] - before[name] for name in after}
        logged = {gw.name: sum(1 for o in owners.values() if o == gw.name) for gw in (self.a, self.b)}
        check(sum(delta.values()) == METRICS_REQUESTS, "requests_total went up by the requests sent",
              delta, "sent %d" % METRICS_REQUESTS)
        check(delta == logged, "each replica's counter went up by the requests its access log shows", delta, logged)
        check(all(delta.values()), "both replicas must have served some", delta)
        return "sent %d; counted A +%d, B +%d; promtool ok on both" % (
            METRICS_REQUESTS, delta[self.a.name], delta[self.b.name])

    # -- c. drain

    def t_drain(self):
        self.features.need("admin", "delay")
        sim = self.sim
        status, body = sim_http(sim, "POST", "/_sim/jobs", {"count": 24, "states": {"running": 1},
                                                             "id_prefix": RUNNING_PREFIX})
        check(status == 201, "seeding running jobs", status, body)
        status, body = sim_http(sim, "POST", "/_sim/jobs", {"count": DELETE_POOL, "states": {"succeeded": 1},
                                                             "id_prefix": DELETE_PREFIX})
        check(status == 201, "seeding jobs to delete", status, body)
        running = [RUNNING_PREFIX + "%012d" % n for n in range(1, 25)]
        deletes = [DELETE_PREFIX + "%012d" % n for n in range(1, DELETE_POOL + 1)]
        lock = threading.Lock()
        results = []      # (op, answer or None, error text or "")
        stop_at = [time.monotonic() + LOAD_SECONDS]
        ops = ["show", "list", "cancel", "show_v2", "update", "execute", "delete", "show", "cancel", "delete"]

        def one(c, n):
            op = ops[n % len(ops)]
            if op == "delete":
                with lock:
                    job = deletes.pop() if deletes else None
                if job is None:
                    op = "show"
            if op == "show":
                return op, 200, c.call("GET", v11("/job-executions/%s" % SEED_SUCCEEDED))
            if op == "list":
                return op, 200, c.call("GET", v11("/job-executions?limit=5"))
            if op == "cancel":
                return op, 200, c.call("GET", v11("/job-executions/%s/cancel" % running[n % len(running)]))
            if op == "show_v2":
                return op, 200, c.call("GET", "/v2/jobs/%s" % SEED_RUNNING)
            if op == "update":
                return op, 202, c.call("PATCH", v11("/job-executions/%s" % SEED_RUNNING), body={})
            if op == "execute":
                return op, 202, c.call("POST", v11("/jobs/%s/execute" % TEMPLATE_WORDCOUNT),
                                       body={"cluster_id": CLUSTER_1})
            return op, 204, c.call("DELETE", v11("/job-executions/%s" % job))

        def worker(k):
            c = self.client()
            n = k
            while time.monotonic() < stop_at[0]:
                t_sent = time.monotonic()
                try:
                    op, want, a = one(c, n)
                    ok = a.status == want and a.rid and (want == 204 or isinstance(a.body, dict))
                    why = "" if ok else "%s answered %s: %r" % (op, a.status, a.raw[:200])
                    with lock:
                        results.append((op, a, why))
                except (OSError, http.client.HTTPException) as exc:
                    with lock:
                        results.append((ops[n % len(ops)], Answer(0, {}, b"", t_sent, time.monotonic()),
                                        "no answer: %r" % exc))
                n += LOAD_THREADS
                time.sleep(LOAD_PACE_S)
            c.close()

        b = self.b
        ready_after = None
        log_offset = self.proxy.log_offset()
        with concurrent.futures.ThreadPoolExecutor(LOAD_THREADS) as pool:
            futures = [pool.submit(worker, k) for k in range(LOAD_THREADS)]
            time.sleep(LOAD_SECONDS / 3)
            t_term = time.monotonic()
            b.proc.send_signal(signal.SIGTERM)
            time.sleep(0.2)
            try:
                ready_after = readyz(b)
            except OSError as exc:
                ready_after = repr(exc)
            try:
                rc = b.proc.wait(timeout=(SHUTDOWN_DELAY_MS + DRAIN_TIMEOUT_MS) / 1000.0 + 5)
            except subprocess.TimeoutExpired:
                rc = None
            t_exit = time.monotonic()
            # keep the load going on A alone for a while after B has gone
            stop_at[0] = max(stop_at[0], t_exit + 1.5)
            for f in futures:
                f.result()
        b.exit_seconds = t_exit - t_term
        failures = [why for _, _, why in results if why]
        rids = [a.rid for _, a, why in results if not why]
        owners = self.served_by(rids, [self.a, b])
        by_status = {}
        for _, a, _ in results:
            by_status[a.status] = by_status.get(a.status, 0) + 1
        before = [a for _, a, why in results if not why and a.t_done < t_term]
        during = [a for _, a, why in results if not why and a.t_sent >= t_term and a.t_done <= t_exit]
        later = [a for _, a, why in results if not why and a.t_sent > t_exit]
        count = lambda answers, gw: sum(1 for a in answers if owners.get(a.rid) == gw.name)  # noqa: E731
        time.sleep(0.2)
        _, resent = self.proxy.resends(log_offset)
        figures = ("%d requests (%s), %d failed, %d resent by the proxy; served before SIGTERM A %d / B %d, "
                   "between SIGTERM and B's exit A %d / B %d, after B's exit A %d / B %d; B's /readyz %s 0.2 s "
                   "after SIGTERM; B exited %s after %.2f s"
                   % (len(results), ", ".join("%s: %d" % (s or "none", n) for s, n in sorted(by_status.items())),
                      len(failures), resent, count(before, self.a), count(before, b), count(during, self.a),
                      count(during, b), count(later, self.a), count(later, b), ready_after, rc, b.exit_seconds))
        print("#   %s: %s" % (self.kind, figures), flush=True)
        self.suite.drain_figures[self.kind] = figures
        check(not failures, "%d of %d requests failed" % (len(failures), len(results)), *failures[:5])
        check(ready_after == 503, "B's /readyz right after SIGTERM", ready_after)
        check(rc == 0, "B's exit code", rc, b.stderr_tail(800))
        bound = (SHUTDOWN_DELAY_MS + DRAIN_TIMEOUT_MS) / 1000.0 + 1.0
        check(SHUTDOWN_DELAY_MS / 1000.0 - 0.1 <= b.exit_seconds <= bound,
              "B must serve through its shutdown delay and exit within delay + drain timeout + 1 s",
              "%.2f s" % b.exit_seconds, "bound %.1f s" % bound)
        check(later and count(later, self.a) == len(later), "A serves everything sent after B's exit",
              len(later), count(later, self.a))
        check(count(before, b) > 0, "B served before its SIGTERM")
        return figures

    # -- d. readiness (HAProxy)

    def t_readiness(self):
        self.features.need("admin")
        check(self.b.exit_seconds is not None and not self.b.alive(), "needs B stopped by the drain check")
        # B comes back on its ports, in front of its own simulator (the same demo data).
        sim2 = self.start_sim("B2")
        b2 = self.start_gateway("B2", sim2, listen="%s:%d" % (HOST, self.b.port),
                                admin_listen="%s:%d" % (HOST, self.b.admin_port),
                                extra=["--upstream-reconnect-window-ms", "0"])
        up_s = self.proxy.wait_state("gw2", 2, 15)
        sim2.stop(signal.SIGKILL)
        t_kill = time.monotonic()
        direct = 0
        while readyz(b2) != 503:
            check(time.monotonic() - t_kill < 20, "B2's /readyz did not turn 503 with its MRS down", direct)
            c = self.direct(b2)    # a new connection each time, so that every worker thread meets MRS down
            a = c.call("GET", v11("/job-executions/%s" % SEED_RUNNING))
            c.close()
            check(a.status in (502, 503, 504), "B2 with its MRS down", a.status, a.raw[:200])
            direct += 1
        t_unready = time.monotonic()
        status, why = readyz(b2, with_body=True)
        down_s = self.proxy.wait_state("gw2", 0, 15)
        c = self.client()
        rids = []
        for i in range(READINESS_REQUESTS):
            a = c.call("GET", v11("/job-executions/%s" % (SEED_RUNNING if i % 2 else SEED_SUCCEEDED)))
            check(a.status == 200, "request through HAProxy with B2 out", a.status, a.raw[:200])
            rids.append(a.rid)
        c.close()
        owners = self.served_by(rids, [self.a, b2])
        on_a = sum(1 for o in owners.values() if o == self.a.name)
        check(on_a == READINESS_REQUESTS, "every request served by A", on_a, READINESS_REQUESTS)
        return ("B2 up in HAProxy after %.1f s; its MRS killed, %d direct calls (%.2f s) until /readyz said %d "
                "(%s); HAProxy marked it down %.1f s later; %d/%d requests then served by A"
                % (up_s, direct, t_unready - t_kill, status, why, down_s, on_a, READINESS_REQUESTS))

    # -- f. retries

    def t_no_resend(self):
        """A stub that reads each request and closes: state changes must never reach A."""
        stub = StubReplica()
        try:
            if self.kind == "nginx":
                # every request meets the stub first (backup: A only after it failed; max_fails=0:
                # the stub is never taken out)
                p = self.start_proxy("proxy-stub", [(stub.port, "max_fails=0"), (self.a, "backup")])
            else:
                # no check on the stub: it stays in the rotation; A is the backup
                p = self.start_proxy("proxy-stub", [(stub.port, ""), (self.a, "backup")])
            sim, c = self.sim, self.client(p)
            cancel_job = sim_new_job(sim, "running")
            delete_job = sim_new_job(sim, "succeeded")
            patch_job = sim_new_job(sim, "running")
            count = len(sim_jobs(sim))
            calls = [("cancel", "GET", v11("/job-executions/%s/cancel" % cancel_job), None),
                     ("cancel.json", "GET", v11("/job-executions/%s/cancel.json" % cancel_job), None),
                     ("delete", "DELETE", v11("/job-executions/%s" % delete_job), None),
                     ("execute", "POST", v11("/jobs/%s/execute" % TEMPLATE_WORDCOUNT), {"cluster_id": CLUSTER_1}),
                     ("cancel by PATCH", "PATCH", v11("/job-executions/%s" % patch_job), {"info": {"status": "cancel"}}),
                     ("v2 delete", "DELETE", "/v2/jobs/%s" % delete_job, None)]
            for what, method, path, body in calls:
                a = c.call(method, path, body=body)
                check_sahara_error(a, 502, "%s through a replica that drops it" % what, proxy_made=True)
            seen = stub.seen()
            check(len(seen) == len(calls), "the stub saw each state change once", seen)
            check(not sim_job(sim, cancel_job)["kill_pending"] and not sim_job(sim, patch_job)["kill_pending"],
                  "no cancel reached MRS")
            check(delete_job in sim_jobs(sim) and len(sim_jobs(sim)) == count, "no delete or execute reached MRS")
            a = c.call("GET", v11("/job-executions/%s" % SEED_SUCCEEDED))
            c.close()
            if self.kind == "nginx":
                check(a.status == 200 and a.rid, "a read is resent to A", a.status, a.raw[:200])
                read = "read resent to A (200)"
            else:
                check_sahara_error(a, 502, "HAProxy resends nothing that was sent, reads included", proxy_made=True)
                read = "read not resent either (502; retry-on conn-failure only)"
            p.stop()
            return "%d state changes: %d reached the stub, 502 JSON each, none reached MRS; %s" % (
                len(calls), len(seen), read)
        finally:
            stub.stop()

    def t_refused(self):
        """A replica that refuses connections: every call, state changes included, goes to A."""
        dead = free_port()
        # Both in the rotation, the dead one first and never taken out (nginx: max_fails=0;
        # HAProxy: no check), so that round robin sends about every other call to it first.
        p = self.start_proxy("proxy-refused", [(dead, "max_fails=0" if self.kind == "nginx" else ""), (self.a, "")])
        sim, c = self.sim, self.client(p)
        jobs = [sim_new_job(sim, "running") for _ in range(3)]
        doomed = [sim_new_job(sim, "succeeded") for _ in range(3)]
        answers = []
        for i in range(3):
            answers.append(("cancel", 200, c.call("GET", v11("/job-executions/%s/cancel" % jobs[i]))))
            answers.append(("delete", 204, c.call("DELETE", v11("/job-executions/%s" % doomed[i]))))
            answers.append(("execute", 202, c.call("POST", v11("/jobs/%s/execute" % TEMPLATE_WORDCOUNT),
                                                   body={"cluster_id": CLUSTER_1})))
            answers.append(("update", 202, c.call("PATCH", v11("/job-executions/%s" % SEED_RUNNING), body={})))
            answers.append(("show", 200, c.call("GET", v11("/job-executions/%s" % SEED_SUCCEEDED))))
        c.close()
        bad = [(op, a.status, a.raw[:120]) for op, want, a in answers if a.status != want]
        check(not bad, "every call succeeds through a proxy with one replica refusing", *bad[:4])
        check(all(sim_job(sim, j)["kill_pending"] for j in jobs), "the cancels reached MRS")
        check(not any(j in sim_jobs(sim) for j in doomed), "the deletes reached MRS")
        p.stop()   # flushes the proxy's log
        logged, resent = p.resends()
        check(logged == len(answers) and resent >= len(answers) // 2,
              "round robin must send many calls to the refusing replica first (the proxy's log: requests, resent)",
              logged, resent)
        tried = "; %d of them met the refusing replica first and were resent" % resent
        return "%d calls (cancel, delete, execute, update, show), all answered by A%s" % (len(answers), tried)


# ------------------------------------------------------------------------------------------------
# the suite

class Suite:
    def __init__(self, args):
        self.args = args
        self.passed = 0
        self.failed = 0
        self.runs = []
        self.drain_figures = {}
        self.workdir = tempfile.mkdtemp(prefix="sgw-deploy-")
        os.chmod(self.workdir, 0o755)
        self.certdir = os.path.join(self.workdir, "certs")
        os.makedirs(self.certdir)
        os.chmod(self.certdir, 0o755)
        self.cafile = os.path.join(self.certdir, "cert.pem")
        self.features = None

    def make_certificate(self):
        d = self.certdir
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                        "-keyout", os.path.join(d, "key.pem"), "-out", self.cafile],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        with open(os.path.join(d, "both.pem"), "w") as out:
            for name in ("cert.pem", "key.pem"):
                with open(os.path.join(d, name)) as f:
                    out.write(f.read())

    def table(self):
        lines = []
        for run in self.runs:
            lines += ["", "### %s" % run.kind, "", "| check | result | figures |", "|---|---|---|"]
            for name, result, figures in run.rows:
                lines.append("| %s | %s | %s |" % (name, result, figures.replace("|", "/").replace("\n", " ")))
        return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gateway", required=True, help="the sahara-gateway binary")
    ap.add_argument("--sim", required=True, help="the mrs-sim binary")
    ap.add_argument("--only", default="nginx,haproxy", help="proxies to run: nginx, haproxy (default both)")
    ap.add_argument("--checks", default="abcdef", help="the checks to run, by letter (default abcdef; c before d)")
    ap.add_argument("--keep-logs", action="store_true", help="keep the temporary folder")
    args, _ = ap.parse_known_args()
    kinds = [k for k in args.only.split(",") if k]
    if set(kinds) - {"nginx", "haproxy"} or not kinds:
        print("--only takes nginx and/or haproxy")
        return 2
    missing = [tool for tool in ("nginx", "haproxy", "redis-server", "promtool", "openssl") if not shutil.which(tool)]
    missing += [p for p in (args.gateway, args.sim, CLI) if not os.access(p, os.X_OK)]
    if missing:
        print("missing: %s (deploy/install-deps.sh installs the tools)" % ", ".join(missing))
        print("0 passed, 1 failed")
        return 2
    suite = Suite(args)
    started = time.monotonic()
    try:
        suite.make_certificate()
        suite.features = Features(args.gateway)
        absent = [Features.NEEDED[k][0] for k, v in suite.features.have.items() if not v]
        if absent:
            print("# this gateway has no %s: the checks that need them fail" % ", ".join(absent), flush=True)
        for kind in kinds:
            run = Run(suite, kind)
            suite.runs.append(run)
            try:
                run.run()
            finally:
                run.stop_all()
    except Exception:
        suite.failed += 1
        print("FAIL suite: unexpected exception\n%s" % traceback.format_exc(), flush=True)
    finally:
        print(suite.table())
        print("# %.1f s in all" % (time.monotonic() - started))
        if args.keep_logs or suite.failed:
            print("# logs, configurations and certificates in %s" % suite.workdir)
        else:
            shutil.rmtree(suite.workdir, ignore_errors=True)
        print("%d passed, %d failed" % (suite.passed, suite.failed))
    return 0 if suite.failed == 0 and suite.passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
