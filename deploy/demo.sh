#!/usr/bin/env bash
# Installs what is missing, builds, and runs the gateway in front of the MRS simulator
# (seeded with demo jobs) on loopback, until Ctrl-C. Prints commands to try.
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target sahara-gateway mrs-sim

sim_port=${SIM_PORT:-9000}
gw_port=${GATEWAY_PORT:-8386}
project=6b2a9f0c1d3e4f5a8b7c6d5e4f3a2b1c
token=demo-token
running=a1000000-0000-4000-8000-000000000001
finished=a1000000-0000-4000-8000-000000000004
protected=a1000000-0000-4000-8000-000000000007
logs=$(mktemp -d)

build/release/tests/mrs_sim/mrs-sim --listen "127.0.0.1:$sim_port" --seed-demo \
  >"$logs/sim.out" 2>"$logs/sim.log" &
sim=$!
build/release/sahara-gateway --config deploy/demo.toml --listen "127.0.0.1:$gw_port" \
  --upstream "http://127.0.0.1:$sim_port" --identity-url "http://127.0.0.1:$sim_port/v3" >"$logs/gateway.out" 2>"$logs/gateway.log" &
gw=$!
trap 'kill $gw $sim 2>/dev/null; wait 2>/dev/null; echo; echo "stopped (logs in $logs)"' EXIT
for _ in $(seq 50); do
  grep -q listening "$logs/gateway.out" 2>/dev/null && grep -q listening "$logs/sim.out" 2>/dev/null && break
  sleep 0.1
done
grep -q listening "$logs/gateway.out" || { cat "$logs/gateway.log" "$logs/sim.log"; exit 1; }

base="http://127.0.0.1:$gw_port/v1.1/$project"
cat <<MSG

sahara-gateway listens on http://127.0.0.1:$gw_port, in front of the MRS simulator on
127.0.0.1:$sim_port (project $project, token $token).
Logs: $logs/gateway.log (JSON lines) and $logs/sim.log.

Cancel a running job (TOBEKILLED now, KILLED once MRS has killed it, about 2 s later):
  curl -s -H 'X-Auth-Token: $token' $base/job-executions/$running/cancel

Cancel it again: cancel is idempotent and now answers KILLED:
  curl -s -H 'X-Auth-Token: $token' $base/job-executions/$running/cancel

Cancel a finished job (200, SUCCEEDED), and a protected one (400 CANCELING_FAILED):
  curl -s -H 'X-Auth-Token: $token' $base/job-executions/$finished/cancel
  curl -s -H 'X-Auth-Token: $token' $base/job-executions/$protected/cancel

The same through python-saharaclient (it has no cancel method; its adapter does it):
  /usr/bin/python3 -c "from keystoneauth1 import session, token_endpoint; from saharaclient import client; \\
url='$base'; c=client.Client('1.1', session=session.Session(auth=token_endpoint.Token(url, '$token')), sahara_url=url); \\
print(c.job_executions.api.get('/job-executions/$running/cancel').json())"

The real CLI, Sahara v1.1 and v2 (export HOME if it is not set):
  openstack --os-auth-type admin_token --os-token $token --os-endpoint $base dataprocessing job list
  openstack --os-auth-type admin_token --os-token $token --os-endpoint $base dataprocessing job show $finished
  openstack --os-auth-type admin_token --os-token $token --os-endpoint http://127.0.0.1:$gw_port/v2 \
            --os-data-processing-api-version 2 dataprocessing job list --long
  openstack --os-auth-type admin_token --os-token $token --os-endpoint $base dataprocessing job execute \
            --job-template b1000000-0000-4000-8000-000000000001 --cluster c1000000-0000-4000-8000-000000000001

The jobs the simulator holds:  curl -s http://127.0.0.1:$sim_port/_sim/state
Press Ctrl-C to stop.
MSG
wait $gw
