#!/usr/bin/env bash
# sahara-gateway against nginx and HAProxy, each in front of the same MRS simulator: throughput,
# latency, CPU per request of every process, memory, upstream connections, idle connections,
# and 1 vs. 2 threads. Builds nothing.
#
# Fronts, all on 127.0.0.1 with free ports, their configuration files generated for the run in
# a temporary folder:
#   direct   wrk straight at mrs-sim (the ceiling: one MRS call per request, nothing in front);
#   nginx    a plain reverse proxy: worker_processes 1, upstream keepalive 64, access_log off;
#   haproxy  a plain reverse proxy: nbthread 1, http-reuse always, no logging;
#   gateway  sahara-gateway --threads 1, upstream.backend mrs-v1.1 or mrs-v2.
# nginx, HAProxy and mrs-sim are asked for the MRS call that the gateway makes first for the
# Sahara call (exactly one MRS call per request); the gateway is asked the Sahara call itself.
# Each measured run starts its front afresh (mrs-sim stays up, its state seeded once).
#
# Routes (project 6b2a9f0c1d3e4f5a8b7c6d5e4f3a2b1c, token demo-token, from mrs-sim --seed-demo),
# as the gateway's Sahara path -> the MRS path given to the other fronts:
#   mrs-v1.1 show        GET /v1.1/{p}/job-executions/{a…06}         -> the same path (MRS B)
#                        (the gateway: B and H, 2 MRS calls)
#   mrs-v1.1 cancel      GET /v1.1/{p}/job-executions/{a…06}/cancel  -> the same path (MRS C);
#                        the demo job is already KILLED: idempotent, 200 every time (C and H,
#                        2 MRS calls)
#   mrs-v1.1 list        GET /v1.1/{p}/job-executions, no limit: BENCH_LIST_JOBS jobs
#                        -> GET /v1.1/{p}/job-executions?limit=1000&sort_by=id (MRS A, one page)
#   mrs-v1.1 empty-page  GET /v1.1/{e}/job-executions?limit=20 for a project with no job
#                        -> GET /v1.1/{e}/job-executions?limit=21&sort_by=id (MRS A; 1 call each)
#   mrs-v2 show          GET /v1.1/{p}/job-executions/{d…05}, warm (the gateway knows the job's
#                        cluster after the check request): MRS K, 1 call
#                        -> GET /v2/{p}/clusters/{c}/job-executions/{d…05} (MRS answers 202)
#   mrs-v2 cancel        GET /v1.1/{p}/job-executions/{d…05}/cancel, a job that has ended
#                        (KILLED), warm: L and K, 2 calls
#                        -> POST /v2/{p}/clusters/{c}/job-executions/{d…05}/kill (202)
#   mrs-v2 list          GET /v1.1/{p}/job-executions, no limit: BENCH_LIST_JOBS v2 jobs
#                        -> GET /v2/{p}/clusters/{c}/job-executions?limit=100&offset=1 (MRS J)
# One-call routes, where the gateway and the proxies make the same number of MRS calls:
# mrs-v1.1 empty-page and mrs-v2 show. show, cancel and empty-page are driven by wrk; list by
# a fixed count of requests (BENCH_LIST_REQUESTS, BENCH_LIST_CONNECTIONS at a time, with
# curl), because a list costs the gateway milliseconds of CPU: a timed run would leave
# requests half done when it stops, whose CPU would be counted without the request (see
# bench_core.sh).
#
# Each run, for each route and front: the check (one request: the status MRS or the gateway
# must answer, and a plausible body: the job's id and state, the number of jobs listed), a
# warm-up, the MRS calls of one request (mrs-sim's POST /_sim/stats/reset, one request,
# GET /_sim/stats), then the measured run. Rounds alternate the fronts (direct, nginx, haproxy,
# gateway, then again) so that the machine's drift falls on all; the tables show medians.
# Recorded per run: req/s; p50 and p99 (wrk --latency; for list, of the requests' times);
# CPU per request of the front and of mrs-sim, each its own utime + stime from
# /proc/PID/stat (nginx: master and workers) over the measured run, divided by the requests
# completed; the front's VmRSS after the run (nginx: master and workers added); upstream
# connections, the most TCP connections to mrs-sim's port in state ESTABLISHED, sampled with
# `ss` every 0.2 s during the run (direct: wrk's own). A non-2xx answer, a socket error, a
# wrong body or a process that died fails the whole script.
#
# Sections (BENCH_SECTIONS, any of):
#   routes   the routes above, plain HTTP to mrs-sim;
#   tls      the same over TLS to mrs-sim (mrs-sim --tls-cert/--tls-key with a certificate for
#            localhost and 127.0.0.1 from a throwaway CA made by openssl; the gateway trusts it
#            with upstream.ca_file, nginx with proxy_ssl_verify and session reuse, HAProxy with
#            `ssl verify required ca-file`). Clients speak plain HTTP to nginx, HAProxy and the
#            gateway; direct is HTTPS (wrk to mrs-sim);
#   idle     BENCH_IDLE_CONNECTIONS keep-alive connections to each of gateway, nginx and haproxy,
#            each sending one GET / (the gateway answers its versions document, 300, no MRS
#            call; nginx and HAProxy answer 200 themselves) and then idle
#            (tests/load/idle_clients.py); (VmRSS with them - VmRSS before) / N, in KiB;
#   scaling  mrs-v1.1 show and cancel through nginx, haproxy and gateway with 1 and 2 threads
#            (worker_processes, nbthread, --threads), plain HTTP: req/s and CPU per request;
#   plots    gnuplot PNGs from the routes (and tls) medians: bench-throughput.png (req/s per
#            route and front) and bench-latency.png (p50, p90, p99 per front for show and cancel).
#
# Environment (all optional):
#   SGW_GATEWAY             sahara-gateway binary  (default: build/release/sahara-gateway)
#   SGW_MRS_SIM             mrs-sim binary         (default: build/release/tests/mrs_sim/mrs-sim)
#                           Both are copied into the temporary folder first, so a rebuild
#                           during the run changes nothing.
#   BENCH_NGINX, BENCH_HAPROXY  the proxies (default: nginx and haproxy from PATH or /usr/sbin)
#   BENCH_PYTHON            python3 for idle_clients.py (default: /usr/bin/python3)
#   BENCH_SECTIONS          what to run (default: "routes tls idle scaling plots")
#   BENCH_ROUNDS            rounds (default: 2)
#   BENCH_DURATION          wrk -d of each measured run (default: 3s)
#   BENCH_WARMUP            wrk -d of the warm-up before it (default: 1s; 0 = none)
#   BENCH_THREADS           wrk -t (default: 1)
#   BENCH_CONNECTIONS       wrk -c (default: 16)
#   BENCH_TIMEOUT           wrk --timeout (default: 10s)
#   BENCH_LIST_REQUESTS     list requests per measured run (default: 100)
#   BENCH_LIST_CONNECTIONS  list requests at a time (default: 2)
#   BENCH_LIST_WARMUP       unmeasured list requests before (default: 4)
#   BENCH_LIST_JOBS         jobs in the list, v1.1 and v2 each (default: 1000; 8 to 5000)
#   BENCH_FRONT_THREADS     threads of every front in routes, tls and idle (default: 1)
#   BENCH_SCALING_THREADS   thread counts of the scaling section (default: "1 2")
#   BENCH_IDLE_CONNECTIONS  idle connections per front (default: 10000; raises `ulimit -n`)
#   SIM_THREADS             mrs-sim --threads (default: 1)
#   BENCH_OUT               folder for results.md and runs.tsv (default: build/bench)
#   BENCH_PLOTS             folder for the PNGs (default: docs)
# A full default run takes about 10 minutes on 2 cores. Everything listens on 127.0.0.1; every
# wait, wrk, curl and client run is bounded in time and count; every process started here is
# stopped on exit, Ctrl-C included. The Markdown tables go to stdout and to results.md,
# progress to stderr.
#
# Example (a short run of the routes only):
#   BENCH_SECTIONS=routes BENCH_ROUNDS=1 BENCH_DURATION=2s tests/load/bench.sh
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/tests/load
GATEWAY_SRC=${SGW_GATEWAY:-$ROOT/build/release/sahara-gateway}
SIM_SRC=${SGW_MRS_SIM:-$ROOT/build/release/tests/mrs_sim/mrs-sim}
find_sbin() { command -v "$1" 2>/dev/null || { [[ -x /usr/sbin/$1 ]] && echo "/usr/sbin/$1"; } || echo "$1"; }
NGINX=${BENCH_NGINX:-$(find_sbin nginx)}
HAPROXY=${BENCH_HAPROXY:-$(find_sbin haproxy)}
PYTHON=${BENCH_PYTHON:-/usr/bin/python3}
[[ -x $PYTHON ]] || PYTHON=$(command -v python3 || echo python3)
SECTIONS=${BENCH_SECTIONS:-routes tls idle scaling plots}
ROUNDS=${BENCH_ROUNDS:-2}
DURATION=${BENCH_DURATION:-3s}
WARMUP=${BENCH_WARMUP:-1s}
WRK_THREADS=${BENCH_THREADS:-1}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
WRK_TIMEOUT=${BENCH_TIMEOUT:-10s}
LIST_REQUESTS=${BENCH_LIST_REQUESTS:-100}
LIST_CONNECTIONS=${BENCH_LIST_CONNECTIONS:-2}
LIST_WARMUP=${BENCH_LIST_WARMUP:-4}
LIST_JOBS=${BENCH_LIST_JOBS:-1000}
FRONT_THREADS=${BENCH_FRONT_THREADS:-1}
SCALING_THREADS=${BENCH_SCALING_THREADS:-1 2}
IDLE=${BENCH_IDLE_CONNECTIONS:-10000}
SIM_THREADS=${SIM_THREADS:-1}
OUT=${BENCH_OUT:-$ROOT/build/bench}
PLOTS=${BENCH_PLOTS:-$ROOT/docs}

HOST=127.0.0.1
PROJECT=6b2a9f0c1d3e4f5a8b7c6d5e4f3a2b1c      # --seed-demo project
TOKEN=demo-token
JOB1=a1000000-0000-4000-8000-000000000006      # --seed-demo v1.1 job "wordcount-stopped", KILLED
JOB2=d1000000-0000-4000-8000-000000000005      # --seed-demo v2 job "v2-hive-stopped", KILLED
JOB2_CLUSTER=c36b2a9f-0c1d-3e4f-5a8b-7c6d00000003
LIST_CLUSTER=c1000000-0000-4000-8000-000000000001
EMPTY_PROJECT=0123456789abcdef0123456789abcdef  # made by --token: one cluster, no job
EMPTY_TOKEN=bench-empty-token
FRONTS=(direct nginx haproxy gateway)
ROUTES=(v1.1:show v1.1:cancel v1.1:list v1.1:empty-page v2:show v2:cancel v2:list)
SCALING_ROUTES=(v1.1:show v1.1:cancel)

die() { echo "bench: $*" >&2; exit 1; }
say() { echo "$*" >&2; }

# ---------------------------------------------------------------------------------------------
# Arguments, tools.

[[ $# == 0 ]] || { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; [[ $1 == -h || $1 == --help ]] && exit 0; exit 2; }
has() { [[ " $SECTIONS " == *" $1 "* ]]; }
for s in $SECTIONS; do
    case $s in routes|tls|idle|scaling|plots) ;; *) die "BENCH_SECTIONS: unknown section '$s' (routes tls idle scaling plots)" ;; esac
done
[[ $ROUNDS =~ ^[1-9]$ ]] || die "BENCH_ROUNDS: 1 to 9 (got '$ROUNDS')"
[[ $DURATION =~ ^[1-9][0-9]?s$ ]] || die "BENCH_DURATION: 1s to 99s (got '$DURATION')"
[[ $WARMUP == 0 || $WARMUP =~ ^[1-9][0-9]?s$ ]] || die "BENCH_WARMUP: 0, or 1s to 99s (got '$WARMUP')"
[[ $WRK_TIMEOUT =~ ^[1-9][0-9]?s$ ]] || die "BENCH_TIMEOUT: 1s to 99s (got '$WRK_TIMEOUT')"
for v in "$WRK_THREADS" "$CONNECTIONS" "$LIST_REQUESTS" "$LIST_CONNECTIONS"; do
    [[ $v =~ ^[1-9][0-9]*$ && $v -le 1000 ]] || die "thread, connection and request counts: 1 to 1000 (got '$v')"
done
(( WRK_THREADS <= CONNECTIONS )) || die "BENCH_THREADS must not exceed BENCH_CONNECTIONS"
[[ $LIST_WARMUP =~ ^[0-9]+$ && $LIST_WARMUP -le 1000 ]] || die "BENCH_LIST_WARMUP: 0 to 1000"
[[ $LIST_JOBS =~ ^[1-9][0-9]*$ && $LIST_JOBS -ge 8 && $LIST_JOBS -le 5000 ]] || die "BENCH_LIST_JOBS: 8 to 5000"
[[ $IDLE =~ ^[1-9][0-9]*$ && $IDLE -le 60000 ]] || die "BENCH_IDLE_CONNECTIONS: 1 to 60000"
for v in $FRONT_THREADS $SCALING_THREADS $SIM_THREADS; do
    [[ $v =~ ^[1-9]$|^1[0-6]$ ]] || die "thread counts: 1 to 16 (got '$v')"
done
[[ $FRONT_THREADS =~ ^[0-9]+$ ]] || die "BENCH_FRONT_THREADS: one number"

for bin in "$GATEWAY_SRC" "$SIM_SRC"; do [[ -x $bin && -f $bin ]] || die "not an executable: $bin (build it first)"; done
for tool in wrk curl timeout ss ps awk; do command -v "$tool" >/dev/null || die "$tool not found (deploy/install-deps.sh)"; done
if has routes || has tls || has idle || has scaling; then
    [[ -x $(command -v "$NGINX" || true) ]] || die "nginx not found (Debian package nginx; or set BENCH_NGINX)"
    [[ -x $(command -v "$HAPROXY" || true) ]] || die "haproxy not found (Debian package haproxy; or set BENCH_HAPROXY)"
fi
if has tls; then command -v openssl >/dev/null || die "openssl not found"; fi
if has idle; then "$PYTHON" -c 'import asyncio' 2>/dev/null || die "no usable python3 for idle_clients.py ($PYTHON)"; fi
if has plots; then command -v gnuplot >/dev/null || die "gnuplot not found (Debian package gnuplot-nox)"; fi

if has idle; then
    # The client and each front hold one descriptor per idle connection, plus their others.
    need=$((IDLE + 1100))
    if (( $(ulimit -Sn) < need )); then
        hard=$(ulimit -Hn)
        [[ $hard == unlimited || $hard -ge $need ]] ||
            die "BENCH_IDLE_CONNECTIONS=$IDLE needs a descriptor limit of $need; the hard limit is $hard"
        ulimit -Sn "$need"
    fi
fi

# shellcheck disable=SC2034  # read by procs.sh
BENCH_NAME=bench
# shellcheck source-path=SCRIPTDIR source=procs.sh
source "$HERE/procs.sh"

mkdir -p "$TMP/bin" "$OUT"
cp "$GATEWAY_SRC" "$TMP/bin/sahara-gateway"
cp "$SIM_SRC" "$TMP/bin/mrs-sim"
GATEWAY=$TMP/bin/sahara-gateway
SIM=$TMP/bin/mrs-sim
RUNS=$TMP/runs.tsv
printf 'section\ttransport\troute\tfront\tthreads\tround\trps\tp50_ms\tp90_ms\tp99_ms\trequests\tfront_ticks\tsim_ticks\tfront_cpu_us\tsim_cpu_us\trss_kib\tupstream_conns\tmrs_calls\n' >"$RUNS"
IDLE_RESULTS=$TMP/idle.tsv
: >"$IDLE_RESULTS"
T_START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

secs_of() { echo "${1%s}"; }

# alive PID... : each must still run (a crash under load is a finding, not noise).
alive() {
    local pid rc
    for pid in "$@"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            rc=0; wait "$pid" || rc=$?
            die "${NAMES[$pid]:-pid $pid} died during the run, exit status $rc"
        fi
    done
}

# ticks PID... : their utime + stime added, in clock ticks.
ticks() { local p s=0; for p in "$@"; do s=$((s + $(cpu_ticks "$p"))); done; echo "$s"; }
# rss PID... : their VmRSS added, in KiB.
rss() { local p s=0; for p in "$@"; do s=$((s + $(rss_kib "$p"))); done; echo "$s"; }

# to_ms VALUE : a wrk latency ("812.00us", "3.21ms", "1.02s", "2.00m") in milliseconds.
to_ms() {
    awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
        printf "%.3f", n }'
}

# ---------------------------------------------------------------------------------------------
# mrs-sim: started per transport, seeded once.

SIM_PID='' SIM_PORT='' SIM_URL='' SCHEME='' CURL=()
TRANSPORT=

# start_sim plain|tls
start_sim() {
    TRANSPORT=$1
    local args=(--listen "$HOST:0" --seed-demo --kill-delay-ms 1 --threads "$SIM_THREADS"
                --token "$EMPTY_TOKEN:$EMPTY_PROJECT")
    CURL=(curl -sS --noproxy '*' --max-time 60)
    SCHEME=http
    if [[ $TRANSPORT == tls ]]; then
        make_certs
        args+=(--tls-cert "$TMP/tls/sim.pem" --tls-key "$TMP/tls/sim.key")
        CURL+=(--cacert "$TMP/tls/ca.pem")
        SCHEME=https
    fi
    start "mrs-sim-$TRANSPORT" "$SIM" "${args[@]}"
    SIM_PID=$PID SIM_PORT=$PORT
    SIM_URL=$SCHEME://$HOST:$SIM_PORT
    seed_sim
}

stop_sim() { stop "$SIM_PID"; SIM_PID=; }

# make_certs : a throwaway CA and a certificate for localhost and 127.0.0.1 signed by it.
make_certs() {
    [[ -f $TMP/tls/sim.pem ]] && return 0
    mkdir -p "$TMP/tls"
    (
        cd "$TMP/tls"
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
            -keyout ca.key -out ca.pem -subj "/CN=sahara-gateway bench CA" \
            -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
            -keyout sim.key -out sim.csr -subj "/CN=localhost"
        printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' >sim.ext
        openssl x509 -req -in sim.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile sim.ext -out sim.pem
    ) >"$TMP/openssl.out" 2>"$TMP/openssl.err" || die "openssl failed: $(tail -n3 "$TMP/openssl.err")"
}

sim_reset() { "${CURL[@]}" -o /dev/null -X POST "$SIM_URL/_sim/stats/reset" || die "cannot reset mrs-sim's counters"; }
sim_requests() {
    local s
    s=$("${CURL[@]}" "$SIM_URL/_sim/stats") || die "cannot read $SIM_URL/_sim/stats"
    sed -n 's/.*"requests":\([0-9][0-9]*\).*/\1/p' <<<"$s" | grep . || die "no requests count in $s"
}

# seed_sim : the demo project grows to LIST_JOBS v1.1 jobs and LIST_JOBS v2 jobs, on its first two
# clusters, in one control call each.
seed_sim() {
    local state v1 v2 api have code
    state=$("${CURL[@]}" "$SIM_URL/_sim/state") || die "cannot read mrs-sim's state"
    read -r v1 v2 < <("$PYTHON" -c 'import json, sys
s = json.load(sys.stdin)
p = sys.argv[1]
print(sum(j["project"] == p for j in s["jobs"]), sum(j["project"] == p for j in s["v2_jobs"]))' "$PROJECT" <<<"$state")
    for api in v1.1 v2; do
        have=$v1; [[ $api == v2 ]] && have=$v2
        (( have <= LIST_JOBS )) || die "the demo project already holds $have $api jobs, more than BENCH_LIST_JOBS=$LIST_JOBS"
        (( have < LIST_JOBS )) || continue
        local body="{\"project\":\"$PROJECT\",\"count\":$((LIST_JOBS - have)),\"clusters\":2,\"states\":{\"running\":1,\"succeeded\":1,\"failed\":1,\"killed\":1}"
        [[ $api == v2 ]] && body+=',"api":"v2"'
        code=$("${CURL[@]}" -o "$TMP/seed.body" -w '%{http_code}' -X POST -d "$body}" "$SIM_URL/_sim/jobs") ||
            die "seeding $api jobs failed"
        [[ $code == 201 ]] || die "seeding $api jobs: $code $(head -c 300 "$TMP/seed.body")"
    done
    say "mrs-sim ($TRANSPORT, pid $SIM_PID, port $SIM_PORT): $LIST_JOBS v1.1 and $LIST_JOBS v2 jobs in project $PROJECT"
}

# ---------------------------------------------------------------------------------------------
# Configuration files of the fronts, generated for the run.

# nginx_conf NAME PORT THREADS MAXCONN : $TMP/NAME/nginx.conf
nginx_conf() {
    local name=$1 port=$2 threads=$3 maxconn=$4 dir=$TMP/$1 upstream_tls=''
    mkdir -p "$dir"
    if [[ $TRANSPORT == tls ]]; then
        upstream_tls="
            proxy_ssl_verify on;
            proxy_ssl_trusted_certificate $TMP/tls/ca.pem;
            proxy_ssl_name localhost;
            proxy_ssl_server_name on;
            proxy_ssl_session_reuse on;"
    fi
    cat >"$dir/nginx.conf" <<NGINX
# Generated by tests/load/bench.sh: a plain reverse proxy in front of mrs-sim.
worker_processes $threads;
worker_rlimit_nofile $((maxconn + 1024));
pid $dir/nginx.pid;
error_log stderr warn;

events {
    worker_connections $((maxconn + 512));
}

http {
    access_log off;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;

    # Client connections: kept open as long as the benchmark's.
    keepalive_timeout 600s;
    keepalive_requests 1000000;

    upstream mrs_sim {
        server $HOST:$SIM_PORT;
        # Idle connections kept to mrs-sim, per worker.
        keepalive 64;
    }

    server {
        listen $HOST:$port backlog=4096;

        # The idle-connection test's request, answered here.
        location = / {
            default_type text/plain;
            return 200 "ok\n";
        }

        location / {
            proxy_pass $SCHEME://mrs_sim;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            # Large answers (lists) stay in memory buffers, never in temporary files.
            proxy_max_temp_file_size 0;$upstream_tls
        }
    }
}
NGINX
}

# haproxy_cfg NAME PORT THREADS MAXCONN : $TMP/NAME/haproxy.cfg
haproxy_cfg() {
    local name=$1 port=$2 threads=$3 maxconn=$4 dir=$TMP/$1 server_tls=''
    mkdir -p "$dir"
    [[ $TRANSPORT == tls ]] && server_tls=" ssl verify required ca-file $TMP/tls/ca.pem sni str(localhost) verifyhost localhost"
    cat >"$dir/haproxy.cfg" <<HAPROXY
# Generated by tests/load/bench.sh: a plain reverse proxy in front of mrs-sim, no logging.
global
    nbthread $threads
    maxconn $maxconn
    # HAProxy reserves a descriptor per connection for each side; where the hard limit is
    # lower than that, it warns and goes on (idle client connections need none to mrs-sim).
    no strict-limits

defaults
    mode http
    timeout connect 3s
    timeout client 600s
    timeout server 30s
    timeout http-request 10s
    timeout http-keep-alive 600s
    # Any idle connection to mrs-sim may carry any client's request.
    http-reuse always

frontend bench
    bind $HOST:$port
    # The idle-connection test's request, answered here.
    http-request return status 200 content-type text/plain string "ok" if { path / }
    default_backend mrs_sim

backend mrs_sim
    server sim $HOST:$SIM_PORT$server_tls
HAPROXY
}

# gateway_toml NAME BACKEND THREADS MAXCONN : $TMP/NAME/gateway.toml (MAXCONN 0: derived)
gateway_toml() {
    local name=$1 backend=$2 threads=$3 maxconn=$4 dir=$TMP/$1
    mkdir -p "$dir"
    {
        echo "# Generated by tests/load/bench.sh."
        echo "listen = \"$HOST:0\""
        echo "threads = $threads"
        echo
        echo "[server]"
        echo "idle_timeout_ms = 600000      # idle clients stay connected through the idle test"
        (( maxconn == 0 )) || echo "max_connections = $maxconn"
        echo
        echo "[upstream]"
        echo "url = \"$SIM_URL\""
        echo "backend = \"$backend\""
        [[ $TRANSPORT == tls ]] && echo "ca_file = \"$TMP/tls/ca.pem\""
        echo
        echo "[log]"
        echo "level = \"warn\""
    } >"$dir/gateway.toml"
}

# ---------------------------------------------------------------------------------------------
# Fronts: start_front sets FRONT_PIDS (the processes whose CPU and memory count), FRONT_PID (the
# one to stop) and FRONT_URL.

FRONT_PIDS=() FRONT_PID='' FRONT_URL=''

# start_front FRONT BACKEND THREADS MAXCONN
start_front() {
    local front=$1 backend=$2 threads=$3 maxconn=$4 port name
    case $front in
        direct)
            FRONT_PIDS=("$SIM_PID") FRONT_PID='' FRONT_URL=$SIM_URL ;;
        nginx)
            (( maxconn > 0 )) || maxconn=4096
            name=nginx-$TRANSPORT-$threads-$maxconn
            port=$(free_port)
            nginx_conf "$name" "$port" "$threads" "$maxconn"
            start_quiet "$name" "$port" "$NGINX" -p "$TMP/$name" -c "$TMP/$name/nginx.conf" -e stderr -g 'daemon off;'
            FRONT_PID=$PID FRONT_URL=http://$HOST:$port
            local kids=() k
            for _ in $(seq 50); do
                mapfile -t kids < <(child_pids "$PID")
                (( ${#kids[@]} >= threads )) && break
                sleep 0.1
            done
            (( ${#kids[@]} >= threads )) || die "nginx started ${#kids[@]} of $threads workers"
            FRONT_PIDS=("$PID")
            for k in "${kids[@]}"; do FRONT_PIDS+=("$k"); done ;;
        haproxy)
            (( maxconn > 0 )) || maxconn=4096
            name=haproxy-$TRANSPORT-$threads-$maxconn
            port=$(free_port)
            haproxy_cfg "$name" "$port" "$threads" "$maxconn"
            start_quiet "$name" "$port" "$HAPROXY" -db -f "$TMP/$name/haproxy.cfg"
            FRONT_PIDS=("$PID") FRONT_PID=$PID FRONT_URL=http://$HOST:$port ;;
        gateway)
            name=gateway-$backend-$TRANSPORT-$threads-$maxconn
            gateway_toml "$name" "mrs-$backend" "$threads" "$maxconn"
            start "$name" "$GATEWAY" --config "$TMP/$name/gateway.toml"
            FRONT_PIDS=("$PID") FRONT_PID=$PID FRONT_URL=http://$HOST:$PORT ;;
    esac
}

stop_front() { [[ -z $FRONT_PID ]] || stop "$FRONT_PID"; FRONT_PID=; }

# ---------------------------------------------------------------------------------------------
# Routes: route_setup ROUTE FRONT sets R_PATH, R_METHOD, R_TOKEN, R_STATUS (what the front must
# answer) and R_LIST (1: driven by a fixed count).

route_setup() {
    local key=$1 front=$2 backend=${1%%:*} route=${1#*:}
    R_METHOD=GET R_TOKEN=$TOKEN R_LIST=0 R_STATUS=200
    [[ $route == list ]] && R_LIST=1
    if [[ $front == gateway ]]; then
        case $route in
            show) R_PATH=/v1.1/$PROJECT/job-executions/$([[ $backend == v2 ]] && echo "$JOB2" || echo "$JOB1") ;;
            cancel) R_PATH=/v1.1/$PROJECT/job-executions/$([[ $backend == v2 ]] && echo "$JOB2" || echo "$JOB1")/cancel ;;
            list) R_PATH=/v1.1/$PROJECT/job-executions ;;
            empty-page) R_PATH="/v1.1/$EMPTY_PROJECT/job-executions?limit=20" R_TOKEN=$EMPTY_TOKEN ;;
            *) die "unknown route $key" ;;
        esac
        return 0
    fi
    case $key in
        v1.1:show) R_PATH=/v1.1/$PROJECT/job-executions/$JOB1 ;;
        v1.1:cancel) R_PATH=/v1.1/$PROJECT/job-executions/$JOB1/cancel ;;
        v1.1:list) R_PATH="/v1.1/$PROJECT/job-executions?limit=1000&sort_by=id" ;;
        v1.1:empty-page) R_PATH="/v1.1/$EMPTY_PROJECT/job-executions?limit=21&sort_by=id" R_TOKEN=$EMPTY_TOKEN ;;
        v2:show) R_PATH=/v2/$PROJECT/clusters/$JOB2_CLUSTER/job-executions/$JOB2 R_STATUS=202 ;;
        v2:cancel) R_PATH=/v2/$PROJECT/clusters/$JOB2_CLUSTER/job-executions/$JOB2/kill R_METHOD=POST R_STATUS=202 ;;
        v2:list) R_PATH="/v2/$PROJECT/clusters/$LIST_CLUSTER/job-executions?limit=100&offset=1" R_STATUS=202 ;;
        *) die "unknown route $key" ;;
    esac
}

# request URL : one request of the route; the body in $TMP/probe.body; prints the status.
request() {
    local curl=("${CURL[@]}")
    [[ $1 == https://* ]] || curl=(curl -sS --noproxy '*' --max-time 60)
    "${curl[@]}" -X "$R_METHOD" -o "$TMP/probe.body" -w '%{http_code}' -H "X-Auth-Token: $R_TOKEN" "$1" ||
        die "curl failed on $R_METHOD $1"
}

# check ROUTE FRONT URL : the route answers R_STATUS with a plausible body through this front.
check() {
    local key=$1 front=$2 url=$3 code body n want
    code=$(request "$url")
    body=$TMP/probe.body
    [[ $code == "$R_STATUS" ]] || die "$key through $front: $R_METHOD $url answered $code, not $R_STATUS: $(head -c 300 "$body")"
    case $front:$key in
        gateway:v1.1:show|gateway:v1.1:cancel) want="\"id\":\"$JOB1\"" ;;
        gateway:v2:show|gateway:v2:cancel) want="\"id\":\"$JOB2\"" ;;
        gateway:*:list) want='"id":"' n=$LIST_JOBS ;;
        gateway:v1.1:empty-page|*:v1.1:empty-page) want='"job_executions":[]' ;;
        *:v1.1:show|*:v1.1:cancel) want="\"id\":\"$JOB1\"" ;;
        *:v1.1:list) want='"id":"' n=$((LIST_JOBS < 1000 ? LIST_JOBS : 1000)) ;;
        *:v2:show) want="\"job_id\":\"$JOB2\"" ;;
        *:v2:cancel) [[ ! -s $body ]] || die "$key through $front: a body in MRS's kill answer: $(head -c 200 "$body")"; return 0 ;;
        *:v2:list) want='"job_id":"' ;;
    esac
    grep -qF "$want" "$body" || die "$key through $front: no $want in the answer: $(head -c 300 "$body")"
    if [[ $front == gateway && ( $key == *:show || $key == *:cancel ) ]]; then
        grep -qF '"status":"KILLED"' "$body" || die "$key through $front: the job is not KILLED: $(head -c 300 "$body")"
    fi
    if [[ -n ${n:-} ]]; then
        local got
        got=$(grep -oF "$want" "$body" | wc -l)
        [[ $got == "$n" ]] || die "$key through $front: $got jobs listed, expected $n"
    fi
}

# mrs_calls URL : the MRS calls that one request of the route makes.
mrs_calls() {
    sim_reset
    local code
    code=$(request "$1")
    [[ $code == "$R_STATUS" ]] || die "$R_METHOD $1 answered $code while counting its MRS calls"
    sim_requests
}

# wrk_run OUT DURATION URL : one bounded wrk run of the route.
wrk_run() {
    local out=$1 d=$2 url=$3 script=()
    if [[ $R_METHOD == POST ]]; then
        [[ -f $TMP/post.lua ]] || echo 'wrk.method = "POST"' >"$TMP/post.lua"
        script=(-s "$TMP/post.lua")
    fi
    timeout -k 5 "$(( $(secs_of "$d") + 60 ))" wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$d" \
        --timeout "$WRK_TIMEOUT" --latency "${script[@]}" -H "X-Auth-Token: $R_TOKEN" "$url" >"$out" 2>&1 ||
        { cat "$out" >&2; die "wrk failed or overran on $url"; }
}

# list_run OUT N URL : exactly N requests, LIST_CONNECTIONS at a time; "status seconds" per
# request in OUT, the wall time in ns in OUT.ns.
list_run() {
    local out=$1 n=$2 url=$3 args=() i t0 t1 rc=0 curl=("${CURL[@]}")
    [[ $url == https://* ]] || curl=(curl -sS --noproxy '*')
    for ((i = 0; i < n; i++)); do args+=(-o /dev/null "$url"); done
    t0=$(date +%s%N)
    timeout -k 5 "$((n * 60 / LIST_CONNECTIONS + 60))" "${curl[@]}" --max-time 60 --no-progress-meter \
        -Z --parallel-max "$LIST_CONNECTIONS" --parallel-immediate -w '%{http_code} %{time_total}\n' \
        -H "X-Auth-Token: $R_TOKEN" "${args[@]}" >"$out" 2>"$out.err" || rc=$?
    t1=$(date +%s%N)
    echo "$((t1 - t0))" >"$out.ns"
    [[ $rc == 0 ]] || die "list requests failed (curl exit status $rc): $(head -c 300 "$out.err")"
    local ok
    ok=$(awk '$1 ~ /^2/' "$out" | wc -l)
    [[ $ok == "$n" ]] || die "list: $ok of $n answers were 2xx ($(awk '{ print $1 }' "$out" | sort | uniq -c | tr '\n' ' '))"
}

# sampler_start OUT SECONDS : samples the connections to mrs-sim's port every 0.2 s; the most
# seen so far in OUT. Sets SAMPLER.
sampler_start() {
    local out=$1 limit=$(( ($2 + 30) * 5 ))
    echo 0 >"$out"
    (
        max=0
        for ((i = 0; i < limit; i++)); do
            c=$(ss -Htn state established "( dport = :$SIM_PORT )" 2>/dev/null | wc -l) || c=0
            if (( c > max )); then max=$c; echo "$max" >"$out"; fi
            sleep 0.2
        done
    ) &
    SAMPLER=$!
    PIDS+=("$SAMPLER")
    NAMES[$SAMPLER]=ss-sampler
}

# measure SECTION ROUTE FRONT THREADS ROUND : one run; appends a line to $RUNS.
measure() {
    local section=$1 key=$2 front=$3 threads=$4 round=$5
    local backend=${key%%:*}
    route_setup "$key" "$front"
    start_front "$front" "$backend" "$threads" 0
    local url=$FRONT_URL$R_PATH tag=$section.$TRANSPORT.${key/:/-}.$front.$threads.$round
    local out=$TMP/run.$tag

    check "$key" "$front" "$url"
    if (( R_LIST )); then
        (( LIST_WARMUP == 0 )) || list_run "$out.warmup" "$LIST_WARMUP" "$url"
    elif [[ $WARMUP != 0 ]]; then
        wrk_run "$out.warmup" "$WARMUP" "$url"
    fi
    local calls
    calls=$(mrs_calls "$url")
    alive "$SIM_PID" "${FRONT_PIDS[@]}"

    local f0 f1 s0 s1 rps requests p50 p90 p99 conns rss_after
    sim_reset
    sampler_start "$out.conns" "$(( R_LIST ? LIST_REQUESTS : $(secs_of "$DURATION") ))"
    f0=$(ticks "${FRONT_PIDS[@]}"); s0=$(ticks "$SIM_PID")
    if (( R_LIST )); then
        list_run "$out" "$LIST_REQUESTS" "$url"
    else
        wrk_run "$out" "$DURATION" "$url"
    fi
    f1=$(ticks "${FRONT_PIDS[@]}"); s1=$(ticks "$SIM_PID")
    stop "$SAMPLER"
    conns=$(<"$out.conns")
    rss_after=$(rss "${FRONT_PIDS[@]}")
    alive "$SIM_PID" "${FRONT_PIDS[@]}"

    if (( R_LIST )); then
        requests=$LIST_REQUESTS
        rps=$(awk -v n="$requests" -v ns="$(<"$out.ns")" 'BEGIN { printf "%.2f", n * 1e9 / ns }')
        read -r p50 p90 p99 < <(awk '{ print $2 * 1000 }' "$out" | sort -g | awk '{ v[NR] = $1 }
            function q(p,  i) { i = int(p * NR + 0.999999); if (i < 1) i = 1; return v[i] }
            END { printf "%.3f %.3f %.3f\n", q(0.5), q(0.9), q(0.99) }')
    else
        rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
        requests=$(awk '/ requests in / { print $1 }' "$out")
        [[ -n $rps && -n $requests ]] || { cat "$out" >&2; die "could not parse wrk's output ($tag)"; }
        if grep -q 'Non-2xx or 3xx responses' "$out" || grep -q 'Socket errors' "$out"; then
            cat "$out" >&2
            die "$key through $front: non-2xx answers or socket errors in the measured run"
        fi
        p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
        p90=$(to_ms "$(awk '$1 == "90%" { print $2 }' "$out")")
        p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
    fi
    (( requests > 0 )) || die "$key through $front: no request completed"
    stop_front

    local line
    line=$(awk -v hz="$HZ" -v n="$requests" -v df="$((f1 - f0))" -v ds="$((s1 - s0))" 'BEGIN {
        printf "%.1f\t%.1f", df * 1e6 / hz / n, ds * 1e6 / hz / n }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
        "$section" "$TRANSPORT" "$key" "$front" "$threads" "$round" "$rps" "$p50" "$p90" "$p99" "$requests" \
        "$((f1 - f0))" "$((s1 - s0))" "$line" "$rss_after" "$conns" "$calls" >>"$RUNS"
    say "$(printf '  %-7s %-4s r%d %-16s %-8s t%d %10s req/s  p50 %7s ms  p99 %7s ms  CPU/req front %8s us (%d ticks)  mrs-sim %8s us  RSS %6d KiB  conns %3s  MRS calls %s' \
        "$section" "$TRANSPORT" "$round" "$key" "$front" "$threads" "$rps" "$p50" "$p99" "${line%%$'\t'*}" "$((f1 - f0))" \
        "${line#*$'\t'}" "$rss_after" "$conns" "$calls")"
}

# ---------------------------------------------------------------------------------------------
# The idle-connection test.

# idle_measure FRONT : IDLE connections, one GET / each, then idle; appends to $IDLE_RESULTS.
idle_measure() {
    local front=$1 expect=200 maxconn=$((IDLE + 1024)) rss0 rss1 est
    [[ $front == gateway ]] && expect=300
    start_front "$front" v1.1 "$FRONT_THREADS" "$maxconn"
    local port=${FRONT_URL##*:} code
    code=$(curl -sS --noproxy '*' --max-time 10 -o "$TMP/probe.body" -w '%{http_code}' "$FRONT_URL/") ||
        die "idle: GET / on $front failed"
    [[ $code == "$expect" ]] || die "idle: GET / on $front answered $code, not $expect"
    if [[ $front == gateway ]]; then
        grep -qF '"versions"' "$TMP/probe.body" || die "idle: the gateway's GET / is not its versions document"
    fi
    sleep 0.5
    rss0=$(rss "${FRONT_PIDS[@]}")

    local out=$TMP/idle.$front client rc=0
    "$PYTHON" "$HERE/idle_clients.py" --host "$HOST" --port "$port" --connections "$IDLE" \
        --path / --expect-status "$expect" --connect-timeout-s 120 --hold-s 300 >"$out.out" 2>"$out.err" &
    client=$!
    PIDS+=("$client")
    NAMES[$client]=idle_clients
    for _ in $(seq 1300); do
        grep -q '^ready ' "$out.out" 2>/dev/null && break
        kill -0 "$client" 2>/dev/null || break
        sleep 0.1
    done
    grep -q '^ready ' "$out.out" || { stop "$client"; die "idle: the clients of $front did not all connect: $(tail -n3 "$out.err")"; }
    local ready
    ready=$(sed -n 's/^ready //p' "$out.out")
    [[ $ready == "$IDLE" ]] || { stop "$client"; die "idle: $ready of $IDLE connections to $front answered: $(tail -n3 "$out.err")"; }
    sleep 1
    rss1=$(rss "${FRONT_PIDS[@]}")
    est=$(ss -Htn state established "( dport = :$port )" | wc -l)
    alive "${FRONT_PIDS[@]}" "$client"
    kill -TERM "$client" 2>/dev/null || true
    for _ in $(seq 300); do kill -0 "$client" 2>/dev/null || break; sleep 0.1; done
    wait "$client" || rc=$?
    stop "$client"
    [[ $rc == 0 ]] || die "idle: the clients of $front failed (exit status $rc): $(cat "$out.out" "$out.err" | tail -n4)"
    grep -qx 'closed_by_server 0' "$out.out" || die "idle: $front closed idle connections: $(tail -n1 "$out.out")"
    (( est >= IDLE )) || die "idle: only $est of $IDLE connections to $front were established at the measurement"
    stop_front
    printf '%s\t%s\t%s\t%s\t%s\n' "$front" "$IDLE" "$rss0" "$rss1" "$est" >>"$IDLE_RESULTS"
    say "$(awk -v f="$front" -v n="$IDLE" -v a="$rss0" -v b="$rss1" 'BEGIN {
        printf "  idle    %-8s %d connections: RSS %.1f -> %.1f MiB, %.2f KiB per connection", f, n, a / 1024, b / 1024, (b - a) / n }')"
}

# ---------------------------------------------------------------------------------------------
# The runs.

say "bench: gateway $("$GATEWAY" --version 2>/dev/null | head -n1) from $GATEWAY_SRC; $(nproc) CPUs; load $LOAD_START"
say "wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION (warm-up $WARMUP); list: $LIST_REQUESTS requests, $LIST_CONNECTIONS at a time; $ROUNDS round(s); sections: $SECTIONS"

if has routes || has idle || has scaling; then
    start_sim plain
    if has routes; then
        for ((round = 1; round <= ROUNDS; round++)); do
            for key in "${ROUTES[@]}"; do
                for front in "${FRONTS[@]}"; do measure routes "$key" "$front" "$FRONT_THREADS" "$round"; done
            done
        done
    fi
    if has scaling; then
        for ((round = 1; round <= ROUNDS; round++)); do
            for t in $SCALING_THREADS; do
                for key in "${SCALING_ROUTES[@]}"; do
                    for front in nginx haproxy gateway; do measure scaling "$key" "$front" "$t" "$round"; done
                done
            done
        done
    fi
    if has idle; then
        for front in gateway nginx haproxy; do idle_measure "$front"; done
    fi
    stop_sim
fi
if has tls; then
    start_sim tls
    for ((round = 1; round <= ROUNDS; round++)); do
        for key in "${ROUTES[@]}"; do
            for front in "${FRONTS[@]}"; do measure tls "$key" "$front" "$FRONT_THREADS" "$round"; done
        done
    done
    stop_sim
fi

# ---------------------------------------------------------------------------------------------
# Tables: medians over the rounds.

# The median of every column of $RUNS over the rounds, per section, transport, route, front and
# thread count, in MED["SECTION|TRANSPORT|ROUTE|FRONT|THREADS|COLUMN"].
declare -A MED=()
while IFS=$'\t' read -r k v; do MED[$k]=$v; done < <(awk -F'\t' '
    NR == 1 { for (i = 7; i <= NF; i++) name[i] = $i; nf = NF; next }
    { k = $1 "|" $2 "|" $3 "|" $4 "|" $5; if (!(k in n)) order[++nk] = k; n[k]++
      for (i = 7; i <= nf; i++) v[k, i, n[k]] = $i }
    END {
        for (j = 1; j <= nk; j++) {
            k = order[j]; m = n[k]
            for (i = 7; i <= nf; i++) {
                for (a = 1; a <= m; a++) s[a] = v[k, i, a] + 0
                for (a = 2; a <= m; a++) { x = s[a]; b = a - 1; while (b >= 1 && s[b] > x) { s[b + 1] = s[b]; b-- }; s[b + 1] = x }
                print k "|" name[i] "\t" ((m % 2) ? s[(m + 1) / 2] : (s[m / 2] + s[m / 2 + 1]) / 2)
            }
        }
    }' "$RUNS")
# med SECTION TRANSPORT ROUTE FRONT THREADS COLUMN : the median, empty when there was no run.
med() { echo "${MED[$1|$2|$3|$4|$5|$6]:-}"; }
num() { if [[ -z $1 ]]; then echo "–"; else printf "%.${2}f" "$1"; fi; }
route_name() { echo "mrs-${1%%:*} ${1#*:}"; }
front_name() { case $1 in direct) echo "mrs-sim direct" ;; haproxy) echo HAProxy ;; *) echo "$1" ;; esac; }
# cpu SECTION ROUTE FRONT THREADS front|sim : the median CPU µs per request, marked † when the
# runs counted fewer than 20 clock ticks of that process (a coarse figure).
cpu() {
    local v t
    v=$(med "$1" "$TRANSPORT" "$2" "$3" "$4" "$5_cpu_us")
    t=$(med "$1" "$TRANSPORT" "$2" "$3" "$4" "$5_ticks")
    if [[ -z $v ]]; then echo "–"; return; fi
    printf '%.1f' "$v"
    (( $(printf '%.0f' "$t") >= 20 )) || printf ' †'
}
# cpu_ratio SECTION ROUTE FRONT : gateway CPU per request / FRONT's, marked † when either is coarse.
cpu_ratio() {
    local g f mark=''
    g=$(cpu "$1" "$2" gateway "$FRONT_THREADS" front)
    f=$(cpu "$1" "$2" "$3" "$FRONT_THREADS" front)
    [[ $g == *†* || $f == *†* ]] && mark=' †'
    echo "$(ratio "${g% †}" "${f% †}")$mark"
}
bc_div() { awk -v a="$1" -v b="$2" 'BEGIN { print a / b }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b <= 0) print "–"; else printf "%.2f", a / b }'; }

route_table() {
    local section=$1 title=$2 key front
    echo "### $title"
    echo
    echo "| route | front | req/s | p50 ms | p99 ms | CPU µs/request, front | CPU µs/request, mrs-sim | RSS of the front, MiB | upstream connections | MRS calls per request |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    for key in "${ROUTES[@]}"; do
        for front in "${FRONTS[@]}"; do
            local fcpu rss
            fcpu=$(cpu "$section" "$key" "$front" "$FRONT_THREADS" front)
            [[ $front == direct ]] && fcpu="– (is mrs-sim)"
            rss=$(med "$section" "$TRANSPORT" "$key" "$front" "$FRONT_THREADS" rss_kib)
            if [[ -z $rss ]]; then rss="–"; else rss=$(printf '%.1f' "$(bc_div "$rss" 1024)"); fi
            printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(route_name "$key")" "$(front_name "$front")" \
                "$(num "$(med "$section" "$TRANSPORT" "$key" "$front" "$FRONT_THREADS" rps)" 0)" \
                "$(num "$(med "$section" "$TRANSPORT" "$key" "$front" "$FRONT_THREADS" p50_ms)" 2)" \
                "$(num "$(med "$section" "$TRANSPORT" "$key" "$front" "$FRONT_THREADS" p99_ms)" 2)" \
                "$fcpu" \
                "$(cpu "$section" "$key" "$front" "$FRONT_THREADS" sim)" \
                "$rss" \
                "$(num "$(med "$section" "$TRANSPORT" "$key" "$front" "$FRONT_THREADS" upstream_conns)" 0)" \
                "$(num "$(med "$section" "$TRANSPORT" "$key" "$front" "$FRONT_THREADS" mrs_calls)" 0)"
        done
    done
    echo
    echo "† fewer than 20 clock ticks of that process in the run: a coarse figure."
    echo
    echo "CPU per request, gateway against the proxies (the proxies make 1 MRS call per request):"
    echo
    echo "| route | gateway MRS calls per request | gateway/nginx | gateway/HAProxy |"
    echo "|---|---:|---:|---:|"
    for key in "${ROUTES[@]}"; do
        printf '| %s | %s | %s | %s |\n' "$(route_name "$key")" \
            "$(num "$(med "$section" "$TRANSPORT" "$key" gateway "$FRONT_THREADS" mrs_calls)" 0)" \
            "$(cpu_ratio "$section" "$key" nginx)" "$(cpu_ratio "$section" "$key" haproxy)"
    done
    echo
}

T_END=$(date +%s)
{
    echo "## sahara-gateway, nginx and HAProxy in front of mrs-sim"
    echo
    echo "$(date -u +%Y-%m-%d), gateway \`$("$GATEWAY" --version 2>/dev/null | head -n1)\`," \
         "$( (cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null) || echo "unknown commit") checked out;" \
         "$("$NGINX" -v 2>&1 | sed 's/^nginx version: //'), $("$HAPROXY" -v 2>/dev/null | head -n1 | awk '{ print "HAProxy " $3 }')," \
         "$(wrk -v 2>&1 | head -n1 | awk '{ print $1, $2 }'); $(nproc) CPUs shared by wrk, mrs-sim and the front;" \
         "load average $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end; $(( (T_END - T_START + 30) / 60 )) min."
    echo
    echo "Each figure is the median of $ROUNDS round(s), fronts alternating within each round; a fresh front per run," \
         "threads $FRONT_THREADS (nginx worker_processes, HAProxy nbthread, gateway --threads), mrs-sim --threads $SIM_THREADS." \
         "show, cancel, empty-page: wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION after a warm-up of $WARMUP." \
         "list: $LIST_REQUESTS requests, $LIST_CONNECTIONS at a time, after $LIST_WARMUP unmeasured; the gateway lists all $LIST_JOBS jobs," \
         "the others get one MRS page (v1.1: 1000 rows, v2: 100 rows)." \
         "CPU µs/request: the process's utime + stime over the measured run ($HZ ticks/s) / requests completed" \
         "(nginx: master and workers; direct: the front is mrs-sim itself)." \
         "RSS: VmRSS of the front after the run. Upstream connections: the most established TCP connections to mrs-sim's port during the run." \
         "MRS calls per request: counted by mrs-sim for one request."
    echo
    if has routes; then TRANSPORT=plain route_table routes "Plain HTTP to mrs-sim"; fi
    if has tls; then TRANSPORT=tls route_table tls "TLS to mrs-sim (clients speak plain HTTP to the fronts; direct is HTTPS)"; fi
    if has scaling; then
        echo "### Threads: 1 and more (plain HTTP, mrs-v1.1)"
        echo
        echo "| route | front | threads | req/s | vs. 1 thread | p99 ms | CPU µs/request, front | CPU µs/request, mrs-sim |"
        echo "|---|---|---:|---:|---:|---:|---:|---:|"
        for key in "${SCALING_ROUTES[@]}"; do
            for front in nginx haproxy gateway; do
                base=$(med scaling plain "$key" "$front" "${SCALING_THREADS%% *}" rps)
                for t in $SCALING_THREADS; do
                    r=$(med scaling plain "$key" "$front" "$t" rps)
                    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(route_name "$key")" "$(front_name "$front")" "$t" \
                        "$(num "$r" 0)" "$(ratio "$r" "$base")" "$(num "$(med scaling plain "$key" "$front" "$t" p99_ms)" 2)" \
                        "$(TRANSPORT=plain cpu scaling "$key" "$front" "$t" front)" \
                        "$(TRANSPORT=plain cpu scaling "$key" "$front" "$t" sim)"
                done
            done
        done
        echo
    fi
    if has idle; then
        echo "### Idle keep-alive connections (one GET / each, then idle)"
        echo
        echo "| front | connections | RSS before, MiB | RSS with them, MiB | KiB per idle connection |"
        echo "|---|---:|---:|---:|---:|"
        while IFS=$'\t' read -r front n a b _; do
            awk -v f="$(front_name "$front")" -v n="$n" -v a="$a" -v b="$b" 'BEGIN {
                printf "| %s | %d | %.1f | %.1f | %.2f |\n", f, n, a / 1024, b / 1024, (b - a) / n }'
        done <"$IDLE_RESULTS"
        echo
        echo "Threads $FRONT_THREADS; the gateway with server.max_connections $((IDLE + 1024)) and server.idle_timeout_ms 600000;" \
             "nginx (worker_connections $((IDLE + 1536))): master and worker RSS added; nginx and HAProxy (maxconn $((IDLE + 1024)))" \
             "allocate part of each connection's memory for all of them at start, which RSS before already holds."
        echo
    fi
} >"$TMP/results.md"

cp "$TMP/results.md" "$OUT/results.md"
cp "$RUNS" "$OUT/runs.tsv"
cp "$IDLE_RESULTS" "$OUT/idle.tsv"

# ---------------------------------------------------------------------------------------------
# Plots.

if has plots; then
    if ! has routes; then
        say "plots: skipped (they need the routes section)"
    else
        mkdir -p "$PLOTS"
        panels=()
        for tr in plain tls; do
            [[ $tr == plain ]] || has tls || continue
            sec=routes; [[ $tr == tls ]] && sec=tls
            {
                printf 'route'; for front in "${FRONTS[@]}"; do printf '\t%s' "$(front_name "$front")"; done; echo
                for key in "${ROUTES[@]}"; do
                    printf '%s' "$(route_name "$key")"
                    for front in "${FRONTS[@]}"; do printf '\t%s' "$(med "$sec" "$tr" "$key" "$front" "$FRONT_THREADS" rps)"; done
                    echo
                done
            } >"$TMP/throughput-$tr.dat"
            panels+=("$tr")
        done
        for key in v1.1:show v1.1:cancel v2:show v2:cancel; do
            {
                echo "front	p50	p90	p99"
                for front in "${FRONTS[@]}"; do
                    printf '%s\t%s\t%s\t%s\n' "$(front_name "$front")" "$(med routes plain "$key" "$front" "$FRONT_THREADS" p50_ms)" \
                        "$(med routes plain "$key" "$front" "$FRONT_THREADS" p90_ms)" "$(med routes plain "$key" "$front" "$FRONT_THREADS" p99_ms)"
                done
            } >"$TMP/latency-${key/:/-}.dat"
        done
        {
            echo "set terminal pngcairo size 1400,$(( 420 * ${#panels[@]} + 40 )) font 'sans,10'"
            echo "set output '$PLOTS/bench-throughput.png'"
            echo "set datafile separator tab"
            echo "set style data histograms; set style histogram clustered gap 1"
            echo "set style fill solid 0.85 border -1; set boxwidth 0.9"
            echo "set logscale y; set grid ytics; set ylabel 'requests/s (log scale)'; set key outside right top vertical"
            echo "set multiplot layout ${#panels[@]},1 title 'Throughput, medians of $ROUNDS round(s): wrk -c$CONNECTIONS, 1 thread per front'"
            for tr in "${panels[@]}"; do
                [[ $tr == plain ]] && echo "set title 'plain HTTP to mrs-sim'" || echo "set title 'TLS to mrs-sim'"
                echo "plot '$TMP/throughput-$tr.dat' using 2:xtic(1) title columnheader(2), '' using 3 title columnheader(3), '' using 4 title columnheader(4), '' using 5 title columnheader(5)"
            done
            echo "unset multiplot"
            echo "set terminal pngcairo size 1200,800 font 'sans,10'"
            echo "set output '$PLOTS/bench-latency.png'"
            echo "unset logscale y; set yrange [0:*]; set ylabel 'ms'"
            echo "set multiplot layout 2,2 title 'Latency percentiles (wrk --latency), plain HTTP to mrs-sim, medians of $ROUNDS round(s)'"
            for key in v1.1:show v1.1:cancel v2:show v2:cancel; do
                echo "set title '$(route_name "$key")'"
                echo "plot '$TMP/latency-${key/:/-}.dat' using 2:xtic(1) title columnheader(2), '' using 3 title columnheader(3), '' using 4 title columnheader(4)"
            done
            echo "unset multiplot"
        } >"$TMP/plots.gp"
        gnuplot "$TMP/plots.gp" 2>"$TMP/gnuplot.err" || die "gnuplot failed: $(tail -n5 "$TMP/gnuplot.err")"
        cp "$TMP"/*.dat "$TMP/plots.gp" "$OUT/"
        say "plots: $PLOTS/bench-throughput.png, $PLOTS/bench-latency.png"
    fi
fi

cat "$OUT/results.md"
say "results: $OUT/results.md (every run: $OUT/runs.tsv); $(( T_END - T_START )) s"
