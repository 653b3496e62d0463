#!/usr/bin/python3
"""Compares our AK/SK signatures with those of Huawei's Node SDK, request by request.

Runs `aksk_vectors` (our signer over a deterministic set of requests), feeds its lines to
`sdk_sign.js` (the SDK's own signer, under node), and compares the Authorization values.
On a difference it prints the first few requests that differ with both canonical requests,
and exits 1. Exits 77 (ctest: skipped) when node or the SDK package is not installed:
deploy/install-deps.sh installs both.

Python 3 standard library only.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
PACKAGE = os.path.join("@huaweicloud", "huaweicloud-sdk-core")
SHOWN = 5


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--vectors", required=True, help="the aksk_vectors program")
    p.add_argument("--script", required=True, help="sdk_sign.js")
    p.add_argument("--node-modules", required=True, help="the node_modules folder that holds the SDK")
    p.add_argument("--count", type=int, default=300)
    p.add_argument("--seed", type=int, default=20240611)
    a = p.parse_args()

    node = shutil.which("node") or shutil.which("nodejs")
    if not node:
        print("signer_sdk: SKIPPED: node is not on PATH (deploy/install-deps.sh installs it)")
        return SKIP
    package_json = os.path.join(a.node_modules, PACKAGE, "package.json")
    if not os.path.isfile(package_json):
        print(f"signer_sdk: SKIPPED: {PACKAGE} is not installed in {a.node_modules} "
              "(deploy/install-deps.sh installs it)")
        return SKIP
    with open(package_json, encoding="utf-8") as f:
        version = json.load(f).get("version", "?")

    ours = subprocess.run([a.vectors, "--count", str(a.count), "--seed", str(a.seed)],
                          check=True, capture_output=True, text=True).stdout
    requests = [json.loads(line) for line in ours.splitlines() if line.strip()]
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as f:
        f.write(ours)
        f.seek(0)
        sdk = subprocess.run([node, a.script, "--node-modules", a.node_modules],
                             stdin=f, capture_output=True, text=True)
    if sdk.returncode != 0:
        print(f"signer_sdk: sdk_sign.js failed ({sdk.returncode}):\n{sdk.stderr}")
        return 1
    theirs = {r["n"]: r for r in (json.loads(line) for line in sdk.stdout.splitlines() if line.strip())}

    differing = []
    for req in requests:
        other = theirs.get(req["n"])
        if other is None:
            differing.append((req, {"problems": ["no answer from sdk_sign.js"]}))
        elif other["problems"] or other["authorization"] != req["authorization"]:
            differing.append((req, other))

    for req, other in differing[:SHOWN]:
        print(f"--- request {req['n']}: {req['method']} {req['target']}")
        print("    host:", req["host"], " headers:", json.dumps(req["headers"], ensure_ascii=False),
              " content-type:", req["content_type"], " project:", req["project_id"])
        for problem in other.get("problems") or []:
            print("    vector problem:", problem)
        print("    ours:", req["authorization"])
        print("    SDK: ", other.get("authorization"))
        if other.get("canonical_request") != req["canonical_request"]:
            print("    our canonical request:\n" + indent(req["canonical_request"]))
            print("    the SDK's canonical request:\n" + indent(other.get("canonical_request") or "(none)"))
    if len(differing) > SHOWN:
        print(f"... and {len(differing) - SHOWN} more")

    compared = len(requests)
    print(f"signer_sdk: compared {compared} requests with @huaweicloud/huaweicloud-sdk-core {version} "
          f"(seed {a.seed}): {compared - len(differing)} identical, {len(differing)} different")
    if compared < a.count:
        print(f"signer_sdk: expected {a.count} requests, got {compared}")
        return 1
    return 1 if differing else 0


def indent(text):
    return "\n".join("      | " + line for line in text.split("\n"))


if __name__ == "__main__":
    sys.exit(main())
