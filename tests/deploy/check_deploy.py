#!/usr/bin/python3
"""Checks the deployment files against each other, against the gateway, and with the tools
that read them.

    check_deploy.py systemd    --root SRC --gateway BIN
    check_deploy.py docker     --root SRC --gateway BIN
    check_deploy.py kubernetes --root SRC --gateway BIN
    check_deploy.py package    --root SRC --gateway BIN --build-dir BUILD

systemd: deploy/systemd/sahara-gateway.service passes `systemd-analyze verify` (with BIN in
place of /usr/bin/sahara-gateway) without a word, sets every hardening option it must, and
its stop timeout outlasts the drain; the check its ExecStartPre runs passes on the example
configuration.

docker: deploy/docker/Dockerfile read statically (Docker itself is not needed): every COPY
source exists and is not left out by .dockerignore, stages and paths agree with each other
and with CMakePresets.json, the runtime stage installs the package of every shared library
BIN needs, and the health check script answers 0 for 200 and 1 for anything else, against a
local HTTP server.

kubernetes: `yamllint -s` on deploy/kubernetes, then the manifests read with a small YAML
reader (the standard library has none): the ConfigMap's TOML passes `BIN --check-config`, the
probes, ports and Service match its listeners, the pod runs as the image's user with the
required security settings, and the grace period outlasts the shutdown delay and the drain.

package: `cpack -G DEB` from BUILD into a temporary folder; the package lists the binary,
the configuration under /etc (a conffile), the unit, the man page and a Depends line, and
nothing of the tests; its binary, configuration and unit work together once extracted; the
man page renders without warnings (groff); `cmake --install` to another prefix writes that
prefix into the unit.

Python 3.11 standard library only. Prints one line per check, then "N passed, M failed";
exits 1 when a check failed.
"""

import argparse
import fnmatch
import http.server
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import tomllib

UNIT = "deploy/systemd/sahara-gateway.service"
EXAMPLE_CONFIG = "deploy/sahara-gateway.example.toml"
DOCKERFILE = "deploy/docker/Dockerfile"
KUBERNETES = "deploy/kubernetes"
INSTALLED_BINARY = "/usr/bin/sahara-gateway"
INSTALLED_CONFIG = "/etc/sahara-gateway/sahara-gateway.toml"
# Packages of libraries every Debian image has (the C and C++ runtimes that apt itself needs).
BASE_PACKAGES = {"libc6", "libgcc-s1", "libstdc++6"}


class Checks:
    def __init__(self, quiet=False):
        self.passed = 0
        self.failed = 0
        self.quiet = quiet

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        if not self.quiet:
            print(f"ok    {name}" if ok else f"FAIL  {name}" + (f": {detail}" if detail else ""))
        return ok

    def note(self, text):
        print(f"      {text}")


def run(cmd, timeout=120, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)


def read(root, rel):
    with open(os.path.join(root, rel), encoding="utf-8") as f:
        return f.read()


def port_of(address):
    return int(address.rsplit(":", 1)[1])


def check_config(checks, name, gateway, config_path):
    r = run([gateway, "--config", config_path, "--check-config"])
    checks.check(name, r.returncode == 0 and "configuration OK" in r.stdout,
                 f"exit {r.returncode}: {(r.stdout + r.stderr).strip()}")


# ---------------------------------------------------------------------------------------
# systemd


def unit_settings(text):
    """[section] -> key -> list of values, in order (a key may repeat)."""
    sections, current = {}, None
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        i += 1
        while line.endswith("\\") and i < len(lines):
            line = line[:-1] + " " + lines[i].strip()
            i += 1
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def seconds(value):
    """A systemd time span such as 30s, 1min 30s, 500ms, or a bare number of seconds."""
    units = {"ms": 0.001, "s": 1, "sec": 1, "min": 60, "m": 60, "h": 3600}
    total = 0.0
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)\s*([a-z]*)", value):
        total += float(number) * units[unit or "s"]
    return total


# Hardening the unit must keep: key -> the value it must have (for repeated keys, one of them).
REQUIRED_SERVICE_SETTINGS = {
    "DynamicUser": "yes",
    "NoNewPrivileges": "yes",
    "CapabilityBoundingSet": "",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "ProtectKernelTunables": "yes",
    "ProtectKernelModules": "yes",
    "ProtectKernelLogs": "yes",
    "ProtectControlGroups": "yes",
    "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
    "RestrictNamespaces": "yes",
    "LockPersonality": "yes",
    "MemoryDenyWriteExecute": "yes",
    "SystemCallFilter": "@system-service",
    "ExecReload": "/bin/kill -HUP $MAINPID",
    "KillSignal": "SIGTERM",
    "Restart": "on-failure",
    "ConfigurationDirectory": "sahara-gateway",
}


def verify_unit(checks, name, unit_text, replacements, workdir):
    """systemd-analyze verify on a copy of the unit with paths replaced; any output fails."""
    for old, new in replacements:
        unit_text = unit_text.replace(old, new)
    path = os.path.join(workdir, "sahara-gateway.service")
    with open(path, "w", encoding="utf-8") as f:
        f.write(unit_text)
    r = run(["systemd-analyze", "verify", "--man=no", path])
    out = (r.stdout + r.stderr).strip()
    return checks.check(name, r.returncode == 0 and not out, f"exit {r.returncode}: {out}")


def check_systemd(args, checks):
    if not shutil.which("systemd-analyze"):
        checks.check("systemd-analyze is installed (package systemd)", False)
        return
    text = read(args.root, UNIT)
    settings = unit_settings(text)
    service = settings.get("Service", {})
    example = os.path.join(args.root, EXAMPLE_CONFIG)
    with tempfile.TemporaryDirectory() as tmp:
        verify_unit(checks, "systemd-analyze verify: no error, no warning", text,
                    [(INSTALLED_BINARY, args.gateway), (INSTALLED_CONFIG, example)], tmp)
        # The same check must see a misspelt key: systemd only warns about it and exits 0.
        broken = text.replace("ProtectSystem=", "ProtectSytem=")
        with tempfile.TemporaryDirectory() as tmp2:
            quiet = Checks(quiet=True)
            verify_unit(quiet, "", broken, [(INSTALLED_BINARY, args.gateway)], tmp2)
        checks.check("systemd-analyze verify reports a misspelt key (the check above can fail)",
                     quiet.failed == 1)
        r = run(["systemd-analyze", "security", "--offline=true", os.path.join(tmp, "sahara-gateway.service")])
        exposure = [line for line in r.stdout.splitlines() if "Overall exposure level" in line]
        if exposure:
            checks.note("systemd-analyze security: " + exposure[-1].split(":", 1)[1].strip())

    for key, want in REQUIRED_SERVICE_SETTINGS.items():
        values = service.get(key, [])
        checks.check(f"[Service] {key}={want}", want in values, f"found {values or 'nothing'}")
    checks.check("[Service] LimitNOFILE is at least 65536",
                 int(service.get("LimitNOFILE", ["0"])[-1]) >= 65536, f"{service.get('LimitNOFILE')}")
    checks.check("[Service] runs under a user (User= with DynamicUser)", bool(service.get("User")))
    checks.check("[Install] WantedBy=multi-user.target",
                 "multi-user.target" in settings.get("Install", {}).get("WantedBy", []))

    start = shlex.split(service.get("ExecStart", [""])[-1])
    pre = [shlex.split(v) for v in service.get("ExecStartPre", [])]
    checks.check("ExecStart runs the binary with --config " + INSTALLED_CONFIG,
                 start[:3] == [INSTALLED_BINARY, "--config", INSTALLED_CONFIG], f"{start}")
    checks.check("ExecStartPre checks the same configuration with --check-config",
                 start + ["--check-config"] in pre, f"{pre}")

    with open(example, "rb") as f:
        config = tomllib.load(f)
    server = config.get("server", {})
    stop_ms = server.get("shutdown_delay_ms", 0) + server.get("drain_timeout_ms", 10000)
    timeout = seconds(service.get("TimeoutStopSec", ["90s"])[-1])
    checks.check(f"TimeoutStopSec ({timeout:g} s) exceeds shutdown delay + drain of the example "
                 f"configuration ({stop_ms / 1000:g} s)", timeout * 1000 > stop_ms)
    check_config(checks, "the example configuration passes the ExecStartPre check", args.gateway, example)


# ---------------------------------------------------------------------------------------
# Docker


def dockerfile_instructions(text):
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    out, buf = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#") or (not line and not buf):
            continue
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        word, _, rest = buf.strip().partition(" ")
        out.append((word.upper(), rest.strip()))
        buf = ""
    return out


def dockerignore_patterns(text):
    patterns = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = os.path.normpath(line.lstrip("!").lstrip("/"))
        patterns.append((negated, pattern))
    return patterns


def excluded_from_context(patterns, path):
    """Docker's rule, for the patterns used here: the last pattern that matches the path or
    one of its parent folders decides."""
    parts = path.split("/")
    excluded = False
    for negated, pattern in patterns:
        if any(fnmatch.fnmatchcase("/".join(parts[:k]), pattern) for k in range(1, len(parts) + 1)):
            excluded = not negated
    return excluded


def copy_arguments(args):
    words = json.loads(args) if args.startswith("[") else shlex.split(args)
    flags = {w.split("=", 1)[0]: w.split("=", 1)[1] for w in words if w.startswith("--")}
    rest = [w for w in words if not w.startswith("--")]
    return flags, rest[:-1], rest[-1]


def apt_packages(run_args):
    """Packages named by `apt-get install` in a RUN instruction."""
    found = []
    for command in re.split(r"&&|;", run_args):
        words = command.split()
        if "apt-get" in words and "install" in words:
            found += [w for w in words[words.index("install") + 1:] if not w.startswith("-")]
    return found


def library_packages(binary):
    """Debian packages of the shared libraries the binary loads."""
    r = run(["ldd", binary])
    packages = {}
    for line in r.stdout.splitlines():
        m = re.search(r"=>\s+(/\S+)", line) or re.match(r"\s*(/\S+)", line)
        if not m:
            continue
        path = os.path.realpath(m.group(1))
        candidates = [path, path[4:] if path.startswith("/usr/") else "/usr" + path]
        for candidate in candidates:
            q = run(["dpkg-query", "-S", candidate])
            if q.returncode == 0:
                packages[q.stdout.split(":")[0].strip()] = m.group(1)
                break
        else:
            packages["(no package for " + path + ")"] = path
    return packages


class _StubAdmin(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        status = {"/healthz": 200, "/readyz": 503}.get(self.path, 404)
        body = b"ok\n" if status == 200 else b"no\n"
        try:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except ConnectionError:
            pass  # the check script reads the status line and leaves

    def log_message(self, *args):
        pass


def check_healthcheck_script(checks, script):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _StubAdmin)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    address = f"127.0.0.1:{server.server_address[1]}"
    try:
        for path, want in (("/healthz", 0), ("/readyz", 1), ("/missing", 1)):
            r = run(["/bin/bash", script, address, path], timeout=10)
            checks.check(f"healthcheck {path} against an answer of "
                         f"{ {'/healthz': 200, '/readyz': 503}.get(path, 404) } exits {want}",
                         r.returncode == want, f"exit {r.returncode} {r.stderr.strip()}")
    finally:
        server.shutdown()
        server.server_close()
    r = run(["/bin/bash", script, address, "/healthz"], timeout=10)
    checks.check("healthcheck exits 1 when nothing listens", r.returncode == 1, f"exit {r.returncode}")


def check_docker(args, checks):
    root = args.root
    instructions = dockerfile_instructions(read(root, DOCKERFILE))
    patterns = dockerignore_patterns(read(root, ".dockerignore"))
    stages, stage = [], None
    for word, rest in instructions:
        if word == "FROM":
            words = rest.split()
            stage = {"image": words[0], "name": words[2] if len(words) > 2 else None,
                     "workdir": "/", "run": [], "copy": []}
            stages.append(stage)
        elif word == "WORKDIR":
            stage["workdir"] = os.path.join(stage["workdir"], rest)
        elif word == "RUN":
            stage["run"].append(rest)
        elif word in ("COPY", "ADD"):
            stage["copy"].append(copy_arguments(rest))
        elif stage is not None:
            stage.setdefault(word, []).append(rest)
    checks.check("two stages: debian:12, then debian:12-slim",
                 [s["image"] for s in stages] == ["debian:12", "debian:12-slim"],
                 f"{[s['image'] for s in stages]}")
    if len(stages) != 2:
        return
    build, final = stages

    # Every file the context must give.
    for s in stages:
        for flags, sources, dest in s["copy"]:
            if "--from" in flags:
                continue
            for src in sources:
                rel = os.path.normpath(src)
                path = os.path.join(root, rel)
                ok = os.path.exists(path)
                files = [rel]
                if os.path.isdir(path):
                    files = [os.path.relpath(os.path.join(d, f), root)
                             for d, _, fs in os.walk(path) for f in fs if "__pycache__" not in d]
                left_out = [f for f in files if excluded_from_context(patterns, f)]
                checks.check(f"COPY {src}: in the repository and in the build context",
                             ok and files and not left_out,
                             "missing" if not ok else f"left out by .dockerignore: {left_out[:3]}")
    # .dockerignore keeps the build folders and the repository's history out.
    for path in ("build/release/sahara-gateway", ".git/config", "tests/CMakeLists.txt"):
        checks.check(f".dockerignore leaves out {path}", excluded_from_context(patterns, path))

    # The build stage builds the release preset's binary where the final stage takes it.
    with open(os.path.join(root, "CMakePresets.json"), encoding="utf-8") as f:
        presets = json.load(f)
    release = next(p for p in presets["configurePresets"] if p["name"] == "release")
    binary_dir = release["binaryDir"].replace("${sourceDir}", build["workdir"].rstrip("/"))
    built = os.path.join(binary_dir, "sahara-gateway")
    runs = " ".join(build["run"])
    checks.check("the build stage builds the release preset's sahara-gateway target only",
                 "--preset release" in runs and "--target sahara-gateway" in runs, runs)
    from_build = [(src, dest) for flags, sources, dest in final["copy"]
                  if flags.get("--from") == build["name"] for src in sources]
    checks.check(f"the final stage copies {built} from the build stage",
                 any(src == built for src, _ in from_build), f"{from_build}")
    binary_dest = next((dest for src, dest in from_build if src == built), None)

    copied = {}
    for flags, sources, dest in final["copy"]:
        for src in sources:
            copied[os.path.normpath(src)] = dest
    entrypoint = json.loads(final.get("ENTRYPOINT", ["[]"])[-1])
    cmd = json.loads(final.get("CMD", ["[]"])[-1])
    checks.check("ENTRYPOINT runs the copied binary with --config",
                 entrypoint[:2] == [binary_dest, "--config"], f"{entrypoint}")
    config_dest = entrypoint[2] if len(entrypoint) > 2 else None
    checks.check("--config names the example configuration the image holds",
                 config_dest is not None and copied.get(EXAMPLE_CONFIG) == config_dest,
                 f"{config_dest} vs {copied.get(EXAMPLE_CONFIG)}")

    with open(os.path.join(root, EXAMPLE_CONFIG), "rb") as f:
        example = tomllib.load(f)
    admin = cmd[cmd.index("--admin-listen") + 1] if "--admin-listen" in cmd else \
        example.get("admin", {}).get("listen", "")
    exposed = {int(p.split("/")[0]) for e in final.get("EXPOSE", []) for p in e.split()}
    client_port = port_of(example["listen"])
    checks.check(f"EXPOSE {client_port} (listen) and 9386 (admin)",
                 {client_port, 9386} <= exposed, f"{sorted(exposed)}")
    checks.check("the admin listener is on port 9386 on every address",
                 admin == "0.0.0.0:9386", f"{admin!r}")

    user = final.get("USER", ["root"])[-1].split(":")[0]
    checks.check("USER is a numeric uid other than 0", user.isdigit() and int(user) != 0, user)
    checks.check("EXPOSE, USER, ENTRYPOINT, CMD and HEALTHCHECK are in the final stage",
                 all(k in final for k in ("EXPOSE", "USER", "ENTRYPOINT", "CMD", "HEALTHCHECK")))
    health = final.get("HEALTHCHECK", [""])[-1]
    m = re.search(r"\bCMD\s+(\[.*\])", health)
    health_cmd = json.loads(m.group(1)) if m else []
    checks.check("HEALTHCHECK runs the copied check script on the admin port",
                 bool(health_cmd) and copied.get("deploy/docker/healthcheck.sh") == health_cmd[0]
                 and len(health_cmd) > 1 and port_of(health_cmd[1]) == port_of(admin or ":0"),
                 f"{health_cmd}")

    # The runtime stage has the package of every library the binary loads.
    runtime = set(p for r in final["run"] for p in apt_packages(r))
    needed = library_packages(args.gateway)
    missing = sorted(p for p in needed if p not in runtime and p not in BASE_PACKAGES
                     and not re.match(r"lib(a|ub|t)san\d", p))
    checks.check("the runtime stage installs the package of every library the binary loads",
                 not missing and needed, f"missing {missing}; needed {sorted(needed)}")
    checks.check("the runtime stage installs ca-certificates", "ca-certificates" in runtime)
    deps = read(root, "deploy/install-deps.sh")
    build_packages = [p for r in build["run"] for p in apt_packages(r)]
    checks.check("the build stage's packages are those deploy/install-deps.sh installs",
                 all(re.search(r"(^|\s)" + re.escape(p) + r"(\s|$)", deps, re.M) for p in build_packages),
                 f"{build_packages}")

    script = os.path.join(root, "deploy/docker/healthcheck.sh")
    checks.check("healthcheck.sh is executable", os.access(script, os.X_OK))
    check_healthcheck_script(checks, script)


# ---------------------------------------------------------------------------------------
# A small YAML reader for the manifests: block mappings and sequences, plain and quoted
# scalars, `|` literal blocks, flow sequences of scalars, comments and `---`. Anything else
# (anchors, tags, folded or multi-line scalars, flow mappings) is refused, so a manifest the
# reader does not understand fails the check instead of being misread.


class YamlError(Exception):
    pass


# A mapping entry: a quoted or plain key (a plain one may not start with an indicator), a
# colon, then a value after a space or nothing.
_KEY = re.compile(
    r"""^(?P<key>"[^"]*"|'[^']*'|[^\s'"\[\]{}#&*!|>%@`-][^:#]*?|-[^\s:#][^:#]*?)"""
    r"""\s*:(?:\s+(?P<value>.*))?$""")


def _strip_comment(line):
    quote = None
    for i, c in enumerate(line):
        if quote:
            if c == quote:
                quote = None
        elif c in "\"'" and (i == 0 or line[i - 1] in " :[,-"):
            quote = c
        elif c == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i].rstrip()
    return line.rstrip()


def _indent(line):
    return len(line) - len(line.lstrip(" "))


def _scalar(text):
    text = text.strip()
    if text.startswith('"'):
        return json.loads(text)
    if text.startswith("'"):
        if not text.endswith("'") or len(text) < 2:
            raise YamlError(f"unterminated string {text}")
        return text[1:-1].replace("''", "'")
    if text.startswith("["):
        if not text.endswith("]"):
            raise YamlError(f"flow sequence over several lines: {text}")
        inner = text[1:-1].strip()
        return [_scalar(part) for part in inner.split(",")] if inner else []
    if text == "{}":
        return {}
    if text[:1] in "{&*!>|%@`":
        raise YamlError(f"YAML this reader does not handle: {text}")
    if text in ("true", "false"):
        return text == "true"
    if text in ("null", "~"):
        return None
    if re.fullmatch(r"[-+]?\d+", text):
        return int(text)
    return text


class _Reader:
    def __init__(self, lines):
        self.lines = lines
        self.i = 0

    def peek(self):
        while self.i < len(self.lines):
            line = _strip_comment(self.lines[self.i])
            if line.strip():
                if "\t" in line[:_indent(line) + 1]:
                    raise YamlError(f"line {self.i + 1}: tab in indentation")
                return line
            self.i += 1
        return None

    def document(self):
        line = self.peek()
        if line is None:
            return None
        value = self.node(_indent(line))
        if self.peek() is not None:
            raise YamlError(f"line {self.i + 1}: unexpected indentation")
        return value

    def node(self, indent):
        rest = self.peek()[indent:]
        return self.sequence(indent) if rest == "-" or rest.startswith("- ") else self.mapping(indent)

    def nested(self, indent, allow_sequence_at_indent):
        line = self.peek()
        if line is None:
            return None
        if _indent(line) > indent:
            return self.node(_indent(line))
        if allow_sequence_at_indent and _indent(line) == indent and line[indent:].startswith("- "):
            return self.sequence(indent)
        return None

    def sequence(self, indent):
        items = []
        while (line := self.peek()) is not None and _indent(line) == indent:
            rest = line[indent:]
            if not (rest == "-" or rest.startswith("- ")):
                break
            content = rest[1:].lstrip(" ")
            if not content:
                self.i += 1
                items.append(self.nested(indent, False))
            elif _KEY.match(content):
                # "- key: value": a mapping whose keys start where this one does.
                column = len(line) - len(content)
                self.lines[self.i] = " " * column + content
                items.append(self.mapping(column))
            else:
                self.i += 1
                items.append(_scalar(content))
        return items

    def mapping(self, indent):
        result = {}
        while (line := self.peek()) is not None and _indent(line) == indent:
            rest = line[indent:]
            if rest.startswith("- "):
                break
            m = _KEY.match(rest)
            if not m:
                raise YamlError(f"line {self.i + 1}: not a key: {rest}")
            key = _scalar(m.group("key"))
            if key in result:
                raise YamlError(f"line {self.i + 1}: duplicate key {key}")
            value = (m.group("value") or "").strip()
            self.i += 1
            if value in ("|", "|-", "|+"):
                result[key] = self.literal(indent, value)
            elif value:
                result[key] = _scalar(value)
            else:
                result[key] = self.nested(indent, True)
        if (line := self.peek()) is not None and _indent(line) > indent:
            raise YamlError(f"line {self.i + 1}: unexpected indentation")
        return result

    def literal(self, indent, style):
        block = []
        while self.i < len(self.lines):
            raw = self.lines[self.i]
            if raw.strip() and _indent(raw) <= indent:
                break
            block.append(raw)
            self.i += 1
        content = [line for line in block if line.strip()]
        if not content:
            return ""
        width = _indent(content[0])
        text = "\n".join(line[width:] if line.strip() else "" for line in block)
        if style == "|+":
            return text + "\n"
        text = text.rstrip("\n")
        return text if style == "|-" else text + "\n"


def yaml_documents(text):
    documents, current = [], []
    for line in text.splitlines() + ["---"]:
        if line.rstrip() in ("---", "..."):
            value = _Reader(current).document()
            if value is not None:
                documents.append(value)
            current = []
        elif line.startswith("--- ") or line.startswith("%"):
            raise YamlError(f"YAML this reader does not handle: {line}")
        else:
            current.append(line)
    return documents


# ---------------------------------------------------------------------------------------
# Kubernetes


def dig(obj, *path, default=None):
    for key in path:
        if isinstance(obj, dict) and key in obj:
            obj = obj[key]
        elif isinstance(obj, list) and isinstance(key, int) and key < len(obj):
            obj = obj[key]
        else:
            return default
    return obj


def check_kubernetes(args, checks):
    root = args.root
    folder = os.path.join(root, KUBERNETES)
    if not shutil.which("yamllint"):
        checks.check("yamllint is installed (package yamllint)", False)
    else:
        r = run(["yamllint", "-s", "-c", os.path.join(root, ".yamllint"), folder])
        checks.check("yamllint -s deploy/kubernetes", r.returncode == 0, (r.stdout + r.stderr).strip())

    objects, files = {}, sorted(f for f in os.listdir(folder) if f.endswith((".yaml", ".yml")))
    for name in files:
        try:
            documents = yaml_documents(read(root, os.path.join(KUBERNETES, name)))
        except (YamlError, ValueError) as e:
            checks.check(f"{name} read", False, str(e))
            continue
        for doc in documents:
            kind = doc.get("kind") if isinstance(doc, dict) else None
            named = kind == "Kustomization" or dig(doc, "metadata", "name")
            checks.check(f"{name}: {kind} has apiVersion, kind and metadata.name",
                         bool(kind and doc.get("apiVersion") and named))
            if kind:
                objects.setdefault(kind, []).append(doc)

    kustomization = dig(objects, "Kustomization", 0, default={})
    listed = kustomization.get("resources", [])
    checks.check("kustomization.yaml lists every other manifest, and only those",
                 sorted(listed) == [f for f in files if f != "kustomization.yaml"], f"{listed}")

    wanted = ["ConfigMap", "Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler"]
    for kind in wanted:
        checks.check(f"one {kind}", len(objects.get(kind, [])) == 1)
    if any(len(objects.get(kind, [])) != 1 for kind in wanted):
        return
    configmap, deployment, service, pdb, hpa = (objects[k][0] for k in wanted)

    # The configuration: valid for the gateway, and the source of the ports below.
    data = configmap.get("data", {})
    checks.check("the ConfigMap holds sahara-gateway.toml", "sahara-gateway.toml" in data, f"{list(data)}")
    toml_text = data.get("sahara-gateway.toml", "")
    try:
        config = tomllib.loads(toml_text)
    except tomllib.TOMLDecodeError as e:
        checks.check("the ConfigMap's TOML parses", False, str(e))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "sahara-gateway.toml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(toml_text)
        check_config(checks, "the ConfigMap's TOML passes sahara-gateway --check-config", args.gateway, path)
    listen = config.get("listen", "127.0.0.1:8386")
    admin = dig(config, "admin", "listen", default="")
    server = config.get("server", {})
    checks.check("the ConfigMap listens on 0.0.0.0:8386 and its admin listener on 0.0.0.0:9386",
                 listen == "0.0.0.0:8386" and admin == "0.0.0.0:9386", f"{listen} {admin}")
    checks.check("the ConfigMap sets server.shutdown_delay_ms = 5000",
                 server.get("shutdown_delay_ms") == 5000, f"{server.get('shutdown_delay_ms')}")
    stop_ms = server.get("shutdown_delay_ms", 0) + server.get("drain_timeout_ms", 10000)

    # The pod.
    pod = dig(deployment, "spec", "template", "spec", default={})
    labels = dig(deployment, "spec", "template", "metadata", "labels", default={})
    containers = pod.get("containers", [])
    checks.check("one container", len(containers) == 1)
    container = containers[0] if containers else {}
    selector = dig(deployment, "spec", "selector", "matchLabels", default={})
    checks.check("the Deployment's selector matches its pods' labels",
                 bool(selector) and selector.items() <= labels.items())
    checks.check("2 replicas or more", (dig(deployment, "spec", "replicas") or 0) >= 2)
    grace = pod.get("terminationGracePeriodSeconds", 30)
    checks.check(f"terminationGracePeriodSeconds ({grace}) exceeds shutdown delay + drain ({stop_ms / 1000:g} s)",
                 grace * 1000 > stop_ms)
    checks.check("automountServiceAccountToken: false", pod.get("automountServiceAccountToken") is False)
    security = pod.get("securityContext", {})
    csecurity = container.get("securityContext", {})
    checks.check("runAsNonRoot: true", security.get("runAsNonRoot") is True or csecurity.get("runAsNonRoot") is True)
    checks.check("seccompProfile RuntimeDefault",
                 "RuntimeDefault" in (dig(security, "seccompProfile", "type"),
                                      dig(csecurity, "seccompProfile", "type")))
    checks.check("readOnlyRootFilesystem: true", csecurity.get("readOnlyRootFilesystem") is True)
    checks.check("allowPrivilegeEscalation: false", csecurity.get("allowPrivilegeEscalation") is False)
    checks.check("capabilities: drop ALL", "ALL" in dig(csecurity, "capabilities", "drop", default=[]))
    instructions = dockerfile_instructions(read(root, DOCKERFILE))
    image_user = [rest for word, rest in instructions if word == "USER"][-1:]
    run_as = csecurity.get("runAsUser", security.get("runAsUser"))
    checks.check("runAsUser is the image's USER",
                 bool(image_user) and str(run_as) == image_user[0].split(":")[0], f"{run_as} vs {image_user}")
    resources = container.get("resources", {})
    checks.check("CPU and memory requests and limits",
                 all(dig(resources, a, b) for a in ("requests", "limits") for b in ("cpu", "memory")), f"{resources}")

    ports = {p.get("name"): p.get("containerPort") for p in container.get("ports", [])}

    def resolve(port):
        return ports.get(port) if isinstance(port, str) else port

    checks.check("the container's ports are the ConfigMap's listen and admin ports",
                 sorted(ports.values()) == sorted([port_of(listen), port_of(admin or ":0")]), f"{ports}")
    for probe, path in (("startupProbe", None), ("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
        get = dig(container, probe, "httpGet", default={})
        ok = (bool(get) and resolve(get.get("port")) == port_of(admin or ":0")
              and (path is None or get.get("path") == path))
        checks.check(f"{probe}: GET {path or '(any)'} on the admin port {port_of(admin or ':0')}", ok, f"{get}")

    command = container.get("command", []) + container.get("args", [])
    config_path = command[command.index("--config") + 1] if "--config" in command else None
    mounts = {m.get("name"): m for m in container.get("volumeMounts", [])}
    volumes = {v.get("name"): v for v in pod.get("volumes", [])}
    mounted = [
        os.path.join(m["mountPath"], "sahara-gateway.toml") for name, m in mounts.items()
        if dig(volumes, name, "configMap", "name") == dig(configmap, "metadata", "name")
    ]
    checks.check("--config names the ConfigMap's file where it is mounted",
                 config_path is not None and config_path in mounted, f"{config_path} vs {mounted}")
    checks.check("the ConfigMap is mounted read-only",
                 all(m.get("readOnly") is True for m in mounts.values()))

    # Service, disruption budget, autoscaler.
    sports = {p.get("port"): p for p in dig(service, "spec", "ports", default=[])}
    sselector = dig(service, "spec", "selector", default={})
    checks.check("the Service selects the pods", bool(sselector) and sselector.items() <= labels.items())
    for port in (8386, 9386):
        p = sports.get(port, {})
        target = p.get("targetPort", port)
        want = port_of(listen) if port == 8386 else port_of(admin or ":0")
        checks.check(f"the Service's port {port} is named and reaches the container's port {want}",
                     bool(p.get("name")) and resolve(target) == want, f"{p}")
    checks.check("PodDisruptionBudget policy/v1, minAvailable 1, selecting the pods",
                 pdb.get("apiVersion") == "policy/v1" and dig(pdb, "spec", "minAvailable") == 1
                 and dig(pdb, "spec", "selector", "matchLabels", default={}).items() <= labels.items()
                 and bool(dig(pdb, "spec", "selector", "matchLabels")))
    target = dig(hpa, "spec", "scaleTargetRef", default={})
    metrics = dig(hpa, "spec", "metrics", default=[])
    checks.check("HorizontalPodAutoscaler autoscaling/v2 scales the Deployment on CPU",
                 hpa.get("apiVersion") == "autoscaling/v2" and target.get("kind") == "Deployment"
                 and target.get("name") == dig(deployment, "metadata", "name")
                 and any(dig(m, "resource", "name") == "cpu" for m in metrics), f"{target} {metrics}")
    checks.check("the autoscaler keeps 2 replicas or more",
                 2 <= (dig(hpa, "spec", "minReplicas") or 1) <= (dig(hpa, "spec", "maxReplicas") or 0))


# ---------------------------------------------------------------------------------------
# Debian package


def check_package(args, checks):
    for tool in ("cpack", "dpkg-deb", "dpkg-shlibdeps"):
        if not shutil.which(tool):
            checks.check(f"{tool} is installed", False, "deploy/install-deps.sh installs it")
            return
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        r = run(["cpack", "-G", "DEB", "--config", os.path.join(args.build_dir, "CPackConfig.cmake"), "-B", out],
                timeout=240)
        debs = [f for f in os.listdir(out) if f.endswith(".deb")] if os.path.isdir(out) else []
        if not checks.check("cpack -G DEB builds one package", r.returncode == 0 and len(debs) == 1,
                            (r.stdout + r.stderr).strip()[-2000:]):
            return
        deb = os.path.join(out, debs[0])
        checks.note(f"{debs[0]}: {os.path.getsize(deb) // 1024} KiB")

        listing = run(["dpkg-deb", "-c", deb]).stdout
        paths = {line.split()[-1].lstrip(".") for line in listing.splitlines() if line.strip()}
        for path in (INSTALLED_BINARY, INSTALLED_CONFIG, "/usr/lib/systemd/system/sahara-gateway.service",
                     "/usr/share/man/man1/sahara-gateway.1.gz", "/usr/share/doc/sahara-gateway/copyright"):
            checks.check(f"the package holds {path}", path in paths)
        strays = sorted(p for p in paths if re.search(r"mrs-sim|_tests?\b|/usr/local/|^/usr/etc/|fuzz", p))
        checks.check("nothing of the tests, and nothing under /usr/local or /usr/etc", not strays, f"{strays}")

        info = run(["dpkg-deb", "-I", deb]).stdout
        fields = dict(re.findall(r"^ (\S+): (.*)$", info, re.M))
        checks.check("Package: sahara-gateway", fields.get("Package") == "sahara-gateway", f"{fields}")
        checks.check("a Depends line with libssl3, the Boost libraries and ca-certificates",
                     all(d in fields.get("Depends", "") for d in ("libssl3", "libboost-json", "libboost-url",
                                                                  "ca-certificates")),
                     fields.get("Depends", "(none)"))
        checks.check("Section, Maintainer and Description are set",
                     all(fields.get(k) for k in ("Section", "Maintainer", "Description")))
        control = os.path.join(tmp, "control")
        run(["dpkg-deb", "-e", deb, control])
        with open(os.path.join(control, "conffiles"), encoding="utf-8") as f:
            conffiles = f.read().split()
        checks.check(f"{INSTALLED_CONFIG} is a conffile", conffiles == [INSTALLED_CONFIG], f"{conffiles}")
        for script in ("postinst", "prerm", "postrm"):
            path = os.path.join(control, script)
            ok = os.path.exists(path) and os.stat(path).st_mode & 0o777 == 0o755
            r = run(["sh", "-n", path]) if ok else None
            checks.check(f"{script}: mode 0755, valid sh", ok and r.returncode == 0)

        # Once extracted, the package's pieces work together.
        tree = os.path.join(tmp, "tree")
        run(["dpkg-deb", "-x", deb, tree])
        binary = tree + INSTALLED_BINARY
        r = run([binary, "--version"])
        checks.check("the packaged binary runs (--version)",
                     r.returncode == 0 and r.stdout.startswith("sahara-gateway "),
                     f"{r.stdout}{r.stderr}")
        check_config(checks, "the packaged configuration passes the packaged binary's --check-config",
                     binary, tree + INSTALLED_CONFIG)
        with open(tree + "/usr/lib/systemd/system/sahara-gateway.service", encoding="utf-8") as f:
            unit = f.read()
        checks.check("the packaged unit names the packaged binary and configuration",
                     f"ExecStart={INSTALLED_BINARY} --config {INSTALLED_CONFIG}" in unit)
        with tempfile.TemporaryDirectory() as work:
            verify_unit(checks, "the packaged unit passes systemd-analyze verify", unit,
                        [(INSTALLED_BINARY, binary), (INSTALLED_CONFIG, tree + INSTALLED_CONFIG)], work)

        # The man page.
        page = os.path.join(tmp, "sahara-gateway.1")
        r = run(["sh", "-c", f"gzip -dc '{tree}/usr/share/man/man1/sahara-gateway.1.gz' > '{page}'"])
        with open(page, encoding="utf-8") as f:
            roff = f.read()
        sections = re.findall(r'^\.SH "?([^"\n]+)"?$', roff, re.M)
        want = ["NAME", "SYNOPSIS", "DESCRIPTION", "ENVIRONMENT", "FILES", "SIGNALS", "EXIT STATUS", "SEE ALSO"]
        checks.check("the man page has " + ", ".join(want), all(s in sections for s in want), f"{sections}")
        checks.check("the man page lists the configuration keys' flags", "upstream\\-url" in roff)
        if shutil.which("groff"):
            r = run(["groff", "-man", "-Tutf8", "-ww", "-z", page])
            checks.check("groff renders the man page without warnings", r.returncode == 0 and not r.stderr.strip(),
                         r.stderr.strip())
        else:
            checks.note("groff is not installed: the man page's rendering is not checked")
        if shutil.which("man"):
            env = {k: v for k, v in os.environ.items() if k != "MAN_KEEP_FORMATTING"}
            r = run(["man", "--warnings", "-l", page], env=dict(env, MANWIDTH="80"))
            text = re.sub(r".\x08", "", r.stdout)  # overstrike, if the pager keeps it
            checks.check("man -l renders the man page without warnings",
                         r.returncode == 0 and not r.stderr.strip() and "SIGNALS" in text, r.stderr.strip())

        # cmake --install to a prefix other than /usr writes that prefix into the unit.
        prefix = os.path.join(tmp, "prefix")
        r = run(["cmake", "--install", args.build_dir, "--prefix", prefix])
        unit_path = os.path.join(prefix, "lib/systemd/system/sahara-gateway.service")
        if checks.check("cmake --install --prefix DIR", r.returncode == 0 and os.path.exists(unit_path),
                        (r.stdout + r.stderr).strip()[-1000:]):
            with open(unit_path, encoding="utf-8") as f:
                unit = f.read()
            expected = f"ExecStart={prefix}/bin/sahara-gateway --config {prefix}/etc/sahara-gateway/sahara-gateway.toml"
            checks.check("the installed unit names DIR/bin and DIR/etc", expected in unit and "/usr/bin/" not in unit)
            checks.check("the configuration is installed as DIR/etc/sahara-gateway/sahara-gateway.toml",
                         os.path.exists(os.path.join(prefix, "etc/sahara-gateway/sahara-gateway.toml")))
            with tempfile.TemporaryDirectory() as work:
                verify_unit(checks, "the installed unit passes systemd-analyze verify as it is", unit, [], work)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("part", choices=["systemd", "docker", "kubernetes", "package"])
    parser.add_argument("--root", required=True, help="the repository")
    parser.add_argument("--gateway", required=True, help="the sahara-gateway binary")
    parser.add_argument("--build-dir", help="the CMake build folder (package)")
    args = parser.parse_args()
    args.root = os.path.abspath(args.root)
    args.gateway = os.path.abspath(args.gateway)
    if args.part == "package" and not args.build_dir:
        parser.error("package needs --build-dir")
    checks = Checks()
    {"systemd": check_systemd, "docker": check_docker, "kubernetes": check_kubernetes,
     "package": check_package}[args.part](args, checks)
    print(f"{checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed or not checks.passed else 0


if __name__ == "__main__":
    sys.exit(main())
