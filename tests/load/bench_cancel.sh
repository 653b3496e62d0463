#!/usr/bin/env bash
# Benchmark of Sahara v1.1 cancel: MRS simulator alone vs. sahara-gateway in front of it.
#
# Cancels an already-KILLED demo job (cancel is idempotent, so every gateway request does the full
# translation: MRS cancel + MRS job-exes detail = 2 upstream calls) with wrk, first straight at mrs-sim's
# own cancel path, then through the gateway, and prints requests/s, p50/p99 latency and the ratios.
# Builds nothing. Everything listens on 127.0.0.1, port 0.
#
# Environment (all optional):
#   SGW_GATEWAY        sahara-gateway binary   (default: build/release/sahara-gateway)
#   SGW_MRS_SIM        mrs-sim binary          (default: build/release/tests/mrs_sim/mrs-sim)
#   BENCH_DURATION     wrk duration            (default: 10s)
#   BENCH_THREADS      wrk -t                  (default: 2)
#   BENCH_CONNECTIONS  wrk -c                  (default: 50)
#   BENCH_TIMEOUT      wrk --timeout           (default: 5s)
#   GATEWAY_THREADS    sahara-gateway --threads (default: 2)
#   SIM_THREADS        mrs-sim --threads        (default: 1, the simulator's own default)
#   BENCH_PROXIES      1: also run the load through nginx and HAProxy as plain reverse proxies
#                      in front of the simulator (default: 1 when both are installed; Debian
#                      packages nginx-light and haproxy). They forward 1 call per request and
#                      translate nothing; the gateway makes 2 MRS calls and translates.
#
# Example: SIM_THREADS=2 BENCH_DURATION=10s tests/load/bench_cancel.sh
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
GATEWAY=${SGW_GATEWAY:-$ROOT/build/release/sahara-gateway}
SIM=${SGW_MRS_SIM:-$ROOT/build/release/tests/mrs_sim/mrs-sim}
DURATION=${BENCH_DURATION:-10s}
WRK_THREADS=${BENCH_THREADS:-2}
WRK_CONNECTIONS=${BENCH_CONNECTIONS:-50}
WRK_TIMEOUT=${BENCH_TIMEOUT:-5s}
GATEWAY_THREADS=${GATEWAY_THREADS:-2}
SIM_THREADS=${SIM_THREADS:-1}

HOST=127.0.0.1
PROJECT=6b2a9f0c1d3e4f5a8b7c6d5e4f3a2b1c     # --seed-demo project
TOKEN=demo-token
JOB=a1000000-0000-4000-8000-000000000006     # --seed-demo job "wordcount-stopped", already KILLED
CANCEL_PATH=/v1.1/$PROJECT/job-executions/$JOB/cancel

die() { echo "bench_cancel: $*" >&2; exit 1; }

for bin in "$GATEWAY" "$SIM"; do [[ -x $bin ]] || die "not an executable: $bin (build it first)"; done
command -v wrk >/dev/null || die "wrk not found (Debian package wrk)"
command -v curl >/dev/null || die "curl not found"

BENCH_NAME=bench_cancel
# shellcheck source=procs.sh
source "$(dirname "$0")/procs.sh"

# alive : every child must still be running (a crash under load is a finding, not noise).
alive() {
    local pid rc
    for pid in "${PIDS[@]}"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            rc=0; wait "$pid" || rc=$?
            die "${NAMES[$pid]} (pid $pid) died during the run, exit status $rc"
        fi
    done
}


CURL=(curl -sS --noproxy '*' --max-time 5)

# expect_200 URL : one request with the token; the answer must be 200.
expect_200() {
    local url=$1 code
    code=$("${CURL[@]}" -o "$TMP/probe.body" -w '%{http_code}' -H "X-Auth-Token: $TOKEN" "$url") ||
        die "curl failed on $url"
    [[ $code == 200 ]] || die "$url answered $code: $(head -c 300 "$TMP/probe.body")"
}

# to_ms VALUE : wrk latency ("812.00us", "3.21ms", "1.02s", "2.00m") -> milliseconds
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
        printf "%.3f", n }'
}

# bench LABEL URL : runs wrk, prints a summary, sets RPS P50 P99 (ms) and TOTAL.
bench() {
    local label=$1 url=$2 out="$TMP/wrk.$1.txt"
    wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$DURATION" --timeout "$WRK_TIMEOUT" --latency \
        -H "X-Auth-Token: $TOKEN" "$url" >"$out"
    RPS=$(awk '/^Requests\/sec:/ {print $2}' "$out")
    P50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")
    P99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
    TOTAL=$(awk '/requests in/ {print $1}' "$out")
    local non2xx errors
    non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out"); non2xx=${non2xx:-0}
    errors=$(sed -n 's/^ *Socket errors: *//p' "$out"); errors=${errors:-none}
    [[ -n $RPS && -n $TOTAL ]] || { cat "$out"; die "could not parse wrk output for $label"; }
    printf '%-8s %10s req/s   p50 %8s ms   p99 %8s ms   requests %s   non-2xx %s   socket errors: %s\n' \
        "$label" "$RPS" "$P50" "$P99" "$TOTAL" "$non2xx" "$errors"
    [[ $non2xx == 0 ]] || BAD=1
    alive
}

start mrs-sim "$SIM" --listen "$HOST:0" --seed-demo --kill-delay-ms 1 --threads "$SIM_THREADS"
SIM_PORT=$PORT
start gateway "$GATEWAY" --listen "$HOST:0" --upstream "http://$HOST:$SIM_PORT" --threads "$GATEWAY_THREADS"
GW_PORT=$PORT

SIM_URL=http://$HOST:$SIM_PORT$CANCEL_PATH
GW_URL=http://$HOST:$GW_PORT$CANCEL_PATH

expect_200 "$SIM_URL"
expect_200 "$GW_URL"
grep -q '"status":"KILLED"' "$TMP/probe.body" || die "gateway answer is not KILLED: $(head -c 300 "$TMP/probe.body")"

echo "wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d$DURATION --timeout $WRK_TIMEOUT --latency" \
     "-H 'X-Auth-Token: $TOKEN' <target>$CANCEL_PATH"
echo "mrs-sim --threads $SIM_THREADS --kill-delay-ms 1; sahara-gateway --threads $GATEWAY_THREADS; $(nproc) CPUs (wrk, simulator and gateway share them)"

SIM_PID=${PIDS[0]} GW_PID=${PIDS[1]}
BAD=0
s0=$(cpu_ticks "$SIM_PID")
bench mrs-sim "$SIM_URL"
SIM_RPS=$RPS SIM_P50=$P50 SIM_P99=$P99 SIM_TOTAL=$TOTAL SIM_CPU=$(($(cpu_ticks "$SIM_PID") - s0))

"${CURL[@]}" -o /dev/null -X POST "http://$HOST:$SIM_PORT/_sim/stats/reset"
s0=$(cpu_ticks "$SIM_PID") g0=$(cpu_ticks "$GW_PID")
bench gateway "$GW_URL"
GW_RPS=$RPS GW_P50=$P50 GW_P99=$P99 GW_TOTAL=$TOTAL
SIM_CPU_GW=$(($(cpu_ticks "$SIM_PID") - s0)) GW_CPU=$(($(cpu_ticks "$GW_PID") - g0))

STATS=$("${CURL[@]}" "http://$HOST:$SIM_PORT/_sim/stats")
stat() { sed -n "s/.*\"$1\":\([0-9][0-9]*\).*/\1/p" <<<"$STATS"; }
MRS_CANCEL=$(stat cancel) MRS_EXE=$(stat exe_show) MRS_CONN=$(stat connections) MRS_REQ=$(stat requests)

awk -v gr="$GW_RPS" -v sr="$SIM_RPS" -v g50="$GW_P50" -v s50="$SIM_P50" -v g99="$GW_P99" -v s99="$SIM_P99" \
    'BEGIN { printf "ratio    gateway/mrs-sim: throughput %.3f   p50 latency x%.2f   p99 latency x%.2f\n",
             gr / sr, (s50 > 0 ? g50 / s50 : 0), (s99 > 0 ? g99 / s99 : 0) }'
awk -v c="$MRS_CANCEL" -v e="$MRS_EXE" -v r="$MRS_REQ" -v n="$MRS_CONN" -v t="$GW_TOTAL" \
    'BEGIN { printf "upstream during the gateway run: %d MRS requests (cancel %d, job-exes %d) = %.2f per completed gateway request, %d MRS connections opened\n",
             r, c, e, (t > 0 ? r / t : 0), n }'

awk -v hz="$HZ" -v sc="$SIM_CPU" -v st="$SIM_TOTAL" -v gc="$GW_CPU" -v sg="$SIM_CPU_GW" -v gt="$GW_TOTAL" \
    'BEGIN { us = 1e6 / hz
             printf "cpu      mrs-sim run: simulator %.1f us/request\n", (st > 0 ? sc * us / st : 0)
             printf "cpu      gateway run: gateway %.1f us/request, simulator %.1f us/gateway request\n",
                    (gt > 0 ? gc * us / gt : 0), (gt > 0 ? sg * us / gt : 0) }'

# free_port : a port nothing listens on now (for the proxies, which cannot report theirs).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_proxy NAME PORT CMD... : runs a proxy that prints nothing, waits until PORT answers.
start_proxy() {
    local name=$1 port=$2; shift 2
    "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
    PIDS+=("$!")
    NAMES[$!]=$name
    for _ in $(seq 100); do
        "${CURL[@]}" -o /dev/null "http://$HOST:$port/" 2>/dev/null && return 0
        kill -0 "$!" 2>/dev/null || die "$name exited early: $(tail -n5 "$TMP/$name.err")"
        sleep 0.1
    done
    die "$name did not answer on port $port within 10 s"
}

PROXIES=${BENCH_PROXIES:-}
if [[ -z $PROXIES ]]; then
    PROXIES=0
    command -v nginx >/dev/null && command -v haproxy >/dev/null && PROXIES=1
fi
if [[ $PROXIES == 1 ]]; then
    NGX_PORT=$(free_port)
    cat >"$TMP/nginx.conf" <<NGINX
worker_processes $GATEWAY_THREADS;
pid $TMP/nginx.pid;
error_log $TMP/nginx.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    upstream mrs { server $HOST:$SIM_PORT; keepalive 64; }
    server {
        listen $HOST:$NGX_PORT;
        location / { proxy_pass http://mrs; proxy_http_version 1.1; proxy_set_header Connection ""; }
    }
}
NGINX
    start_proxy nginx "$NGX_PORT" nginx -p "$TMP" -c "$TMP/nginx.conf" -g 'daemon off;'
    HAP_PORT=$(free_port)
    cat >"$TMP/haproxy.cfg" <<HAPROXY
global
    nbthread $GATEWAY_THREADS
    maxconn 4096
defaults
    mode http
    timeout connect 3s
    timeout client 30s
    timeout server 30s
    http-reuse always
frontend sahara
    bind $HOST:$HAP_PORT
    default_backend mrs
backend mrs
    server sim $HOST:$SIM_PORT
HAPROXY
    start_proxy haproxy "$HAP_PORT" haproxy -db -f "$TMP/haproxy.cfg"
    expect_200 "http://$HOST:$NGX_PORT$CANCEL_PATH"
    expect_200 "http://$HOST:$HAP_PORT$CANCEL_PATH"
    echo "nginx (worker_processes $GATEWAY_THREADS, keepalive 64) and HAProxy (nbthread $GATEWAY_THREADS, http-reuse always)" \
         "as plain reverse proxies in front of the same simulator: 1 MRS call per request, no translation"
    bench nginx "http://$HOST:$NGX_PORT$CANCEL_PATH"
    NGX_RPS=$RPS
    bench haproxy "http://$HOST:$HAP_PORT$CANCEL_PATH"
    HAP_RPS=$RPS
    awk -v g="$GW_RPS" -v n="$NGX_RPS" -v h="$HAP_RPS" \
        'BEGIN { printf "ratio    gateway/nginx %.3f   gateway/haproxy %.3f   (the gateway makes 2 MRS calls per request, the proxies 1)\n", g / n, g / h }'
fi

[[ $BAD == 0 ]] || die "some answers were not 2xx (see above)"
