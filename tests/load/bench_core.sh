#!/usr/bin/env bash
# CPU time per request of one or more sahara-gateway binaries, side by side, in one run.
#
# For each route (cancel, show, list) and each gateway binary, starts that gateway
# (--threads 1, 127.0.0.1 port 0) in front of one shared MRS simulator, checks that the route
# answers 200 with the expected body, warms it up, drives it, and reads the gateway process's own
# user+system CPU time from /proc/PID/stat before and after the measured run. Gateways alternate
# within each round (A B A B for 2 rounds), each run on a freshly started process, so slow drift
# of the machine is shared; the table shows medians over the rounds and every round's CPU figure.
# Builds nothing. Everything listens on 127.0.0.1; every wait, wrk and curl run is bounded in
# time and count; all processes it started are stopped on exit (including Ctrl-C).
#
# Routes (project 6b2a9f0c1d3e4f5a8b7c6d5e4f3a2b1c, token demo-token, from mrs-sim --seed-demo):
#   cancel  GET /v1.1/{project}/job-executions/{job}/cancel on the seeded job ...0006, which is
#           already KILLED: cancel is idempotent and answers 200 every time (MRS cancel + MRS
#           job-exes detail = 2 MRS calls). Driven by wrk -t1 -c16 -d5s.
#   show    GET /v1.1/{project}/job-executions/{job} on the same job (MRS job-executions detail +
#           job-exes detail = 2 MRS calls). Driven by wrk -t1 -c16 -d5s.
#   list    GET /v1.1/{project}/job-executions: the whole list, no filter, no limit. Driven by a
#           fixed count of requests (30, 2 at a time, with curl --parallel), because one list
#           request costs the gateway a few hundred ms of CPU: a timed wrk run completes only a
#           few dozen and leaves up to -c requests half done when it stops, whose CPU would be
#           counted without the request. Every answer's status is checked.
#
# The list workload. The v1.1 list translation (translators/mrs_v1_1/list.cpp) reads MRS's
# job-executions list in pages of 1000 rows (at most 50 pages), then each cluster's job-exes
# list, 100 records a page, at most 20 pages (2000 records) per cluster, then at most 100
# job-exes detail reads for the jobs those pages missed; more missing jobs answer 502. The
# simulator has no API to create clusters: the demo project has exactly two, so one list covers
# at most 2 x 2000 + 100 = 4100 jobs and cannot come near 50 list pages (5,000 jobs on one
# project answer 502, and so do 2 x 2051). The default is the largest workload that answers 200,
# which is also the one with the most MRS calls: 2050 jobs on each of the two demo clusters (the
# 7 seeded jobs plus 4093 made through POST /_sim/jobs with fixed ids, in the states running,
# succeeded, failed, killed in turn), 4100 jobs in all. One list request then makes 145 MRS
# calls: 5 job-executions list pages (4 x 1000 + 100 rows) + 2 x 20 job-exes pages + 100
# job-exes detail reads (the 50 oldest jobs of each cluster) = 45 MRS pages and 100 single
# reads, and answers the 4100 job executions (about 2 MB). BENCH_LIST_JOBS_PER_CLUSTER=2000 gives
# 4000 jobs and 44 MRS calls, all of them pages (4 list pages + 40 job-exes pages). The MRS calls
# of one request of every route are counted on every run with the simulator's counters
# (POST /_sim/stats/reset, GET /_sim/stats) and shown as "MRS calls per request"; the list
# answer must hold every job.
#
# CPU per request = (utime + stime of the gateway process after the run - before) / requests
# completed (wrk's count for cancel and show, the 200 answers for list). /proc counts in clock
# ticks (usually 10 ms), so each run must consume a few hundred ticks (the progress lines on
# stderr show them). A run with a non-2xx answer, a socket or transfer error, or a gateway that
# died is not a measurement: the table marks it INVALID and the script exits 1.
#
# Usage:
#   tests/load/bench_core.sh --gateway NAME=BINARY [--gateway NAME=BINARY ...]
#                            [--mrs-sim BINARY] [--rounds N] [--routes cancel,show,list]
# Example: an older build (built from another checkout, OLD) against this one; the same
# binary twice under two names shows the noise level:
#   tests/load/bench_core.sh --gateway before=OLD/build/release/sahara-gateway \
#                            --gateway after=build/release/sahara-gateway \
#                            --mrs-sim OLD/build/release/tests/mrs_sim/mrs-sim
# The Markdown table goes to stdout, progress to stderr. Defaults: --rounds 2, every route,
# mrs-sim from build/release/tests/mrs_sim/mrs-sim.
#
# Environment (all optional):
#   BENCH_DURATION               wrk -d for cancel and show        (default: 5s)
#   BENCH_CONNECTIONS            wrk -c for cancel and show        (default: 16)
#   BENCH_WARMUP                 unmeasured wrk run before each cancel/show run (default: 1s; 0 = none)
#   BENCH_TIMEOUT                wrk --timeout                     (default: 10s)
#   BENCH_LIST_REQUESTS          list requests per measured run    (default: 30)
#   BENCH_LIST_CONNECTIONS       list requests at a time           (default: 2)
#   BENCH_LIST_WARMUP            unmeasured list requests before each list run (default: 2)
#   BENCH_LIST_JOBS_PER_CLUSTER  jobs on each demo cluster         (default: 2050; above that, 502)
#   SIM_THREADS                  mrs-sim --threads                 (default: 1)
# The gateway gets only --listen, --upstream and --threads 1 (no configuration file, so every
# other key has its default).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SIM=$ROOT/build/release/tests/mrs_sim/mrs-sim
ROUNDS=2
ROUTES=cancel,show,list
DURATION=${BENCH_DURATION:-5s}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
WARMUP=${BENCH_WARMUP:-1s}
LIST_REQUESTS=${BENCH_LIST_REQUESTS:-30}
LIST_CONNECTIONS=${BENCH_LIST_CONNECTIONS:-2}
LIST_WARMUP=${BENCH_LIST_WARMUP:-2}
WRK_TIMEOUT=${BENCH_TIMEOUT:-10s}
PER_CLUSTER=${BENCH_LIST_JOBS_PER_CLUSTER:-2050}
SIM_THREADS=${SIM_THREADS:-1}

HOST=127.0.0.1
PROJECT=6b2a9f0c1d3e4f5a8b7c6d5e4f3a2b1c     # --seed-demo project
TOKEN=demo-token
JOB=a1000000-0000-4000-8000-000000000006     # --seed-demo job "wordcount-stopped", already KILLED
CLUSTERS=(c1000000-0000-4000-8000-000000000001 c1000000-0000-4000-8000-000000000002)

die() { echo "bench_core: $*" >&2; exit 1; }
say() { echo "$*" >&2; }

usage() { sed -n '/^# Usage:/,/^# other key has its default/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

GW_NAMES=() GW_BINS=()
while [[ $# -gt 0 ]]; do
    case $1 in
        --gateway)
            [[ $# -ge 2 ]] || die "--gateway needs NAME=BINARY"
            [[ $2 == *=* ]] || die "--gateway $2: expected NAME=BINARY"
            name=${2%%=*} bin=${2#*=}
            [[ $name =~ ^[A-Za-z0-9._-]+$ ]] || die "--gateway $2: NAME may hold letters, digits, '.', '_', '-'"
            for n in "${GW_NAMES[@]}"; do [[ $n != "$name" ]] || die "--gateway: name $name given twice"; done
            GW_NAMES+=("$name") GW_BINS+=("$bin")
            shift 2 ;;
        --mrs-sim) [[ $# -ge 2 ]] || die "--mrs-sim needs a binary"; SIM=$2; shift 2 ;;
        --rounds) [[ $# -ge 2 && $2 =~ ^[1-9][0-9]?$ ]] || die "--rounds needs a number from 1 to 99"; ROUNDS=$2; shift 2 ;;
        --routes) [[ $# -ge 2 ]] || die "--routes needs a list"; ROUTES=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unexpected argument: $1" ;;
    esac
done
[[ ${#GW_NAMES[@]} -ge 1 ]] || { usage >&2; die "give at least one --gateway NAME=BINARY"; }
IFS=, read -r -a ROUTE_LIST <<<"$ROUTES"
for r in "${ROUTE_LIST[@]}"; do
    [[ $r == cancel || $r == show || $r == list ]] || die "--routes: unknown route '$r' (cancel, show, list)"
done
[[ $PER_CLUSTER =~ ^[1-9][0-9]*$ && $PER_CLUSTER -le 100000 ]] || die "BENCH_LIST_JOBS_PER_CLUSTER: a number from 1 to 100000"
for v in "$DURATION" "$WRK_TIMEOUT"; do
    [[ $v =~ ^[1-9][0-9]*[sm]?$ ]] || die "durations are like 5s or 1m (got '$v')"
done
[[ $WARMUP == 0 || $WARMUP =~ ^[1-9][0-9]*[sm]?$ ]] || die "BENCH_WARMUP: like 1s, or 0 (got '$WARMUP')"
for v in "$CONNECTIONS" "$LIST_CONNECTIONS" "$LIST_REQUESTS"; do
    [[ $v =~ ^[1-9][0-9]*$ && $v -le 1000 ]] || die "connection and request counts: 1 to 1000 (got '$v')"
done
[[ $LIST_WARMUP =~ ^[0-9]+$ && $LIST_WARMUP -le 1000 ]] || die "BENCH_LIST_WARMUP: 0 to 1000 (got '$LIST_WARMUP')"

for bin in "${GW_BINS[@]}" "$SIM"; do [[ -x $bin && -f $bin ]] || die "not an executable: $bin (build it first)"; done
command -v wrk >/dev/null || die "wrk not found (Debian package wrk)"
command -v curl >/dev/null || die "curl not found"
command -v timeout >/dev/null || die "timeout not found (coreutils)"

BENCH_NAME=bench_core
# shellcheck source=procs.sh
source "$(dirname "$0")/procs.sh"

# alive PID : it must still be running (a crash under load is a finding, not noise).
alive() {
    local pid=$1 rc
    if ! kill -0 "$pid" 2>/dev/null; then
        rc=0; wait "$pid" || rc=$?
        die "${NAMES[$pid]} (pid $pid) died during the run, exit status $rc"
    fi
}


CURL=(curl -sS --noproxy '*' --max-time 30)
SIM_URL=

# sim_stats : the simulator's counters as "requests connections list exe_list exe_show show cancel".
sim_stats() {
    local s
    s=$("${CURL[@]}" "$SIM_URL/_sim/stats") || die "cannot read $SIM_URL/_sim/stats"
    local k vals=()
    for k in requests connections list exe_list exe_show show cancel; do
        vals+=("$(sed -n "s/.*\"$k\":\([0-9][0-9]*\).*/\1/p" <<<"$s")")
    done
    echo "${vals[*]}"
}
sim_reset() { "${CURL[@]}" -o /dev/null -X POST "$SIM_URL/_sim/stats/reset" || die "cannot reset the simulator's counters"; }

# get_200 URL : one request with the token; the answer must be 200; the body is left in $TMP/probe.body.
get_200() {
    local url=$1 code
    code=$("${CURL[@]}" -o "$TMP/probe.body" -w '%{http_code}' -H "X-Auth-Token: $TOKEN" "$url") ||
        die "curl failed on $url"
    [[ $code == 200 ]] || die "$url answered $code: $(head -c 300 "$TMP/probe.body")"
}

# ---------------------------------------------------------------------------------------------
# The simulator, seeded with the demo set plus the list workload.

start mrs-sim "$SIM" --listen "$HOST:0" --seed-demo --kill-delay-ms 1 --threads "$SIM_THREADS"
SIM_PID=$PID
SIM_URL=http://$HOST:$PORT
MRS_BASE=$SIM_URL/v1.1/$PROJECT

# cluster_total CLUSTER : how many jobs MRS lists on that cluster (totalRecord).
cluster_total() {
    get_200 "$MRS_BASE/job-exes?cluster_id=$1&page_size=1&current_page=1"
    local n
    n=$(sed -n 's/.*"totalRecord":\([0-9][0-9]*\).*/\1/p' "$TMP/probe.body")
    [[ -n $n ]] || die "no totalRecord in $(head -c 200 "$TMP/probe.body")"
    echo "$n"
}

STATES=(running succeeded failed killed)
: >"$TMP/seed.curl"
ADDED=0
for ci in "${!CLUSTERS[@]}"; do
    have=$(cluster_total "${CLUSTERS[$ci]}")
    (( have <= PER_CLUSTER )) || die "cluster ${CLUSTERS[$ci]} already holds $have jobs, more than $PER_CLUSTER"
    for ((i = have; i < PER_CLUSTER; i++)); do
        # ids d<cluster>......-0000-4000-8000-<n>: lower-case UUIDs the simulator accepts, fixed run to run
        (( ADDED == 0 )) || echo next >>"$TMP/seed.curl"   # one curl, one connection, one transfer per job
        printf 'url = "%s/_sim/jobs"\ndata = {"cluster_id":"%s","id":"d%07d-0000-4000-8000-%012d","state":"%s","job_name":"bench-%d"}\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' \
            "$SIM_URL" "${CLUSTERS[$ci]}" "$((ci + 1))" "$i" "${STATES[$((i % 4))]}" "$i" >>"$TMP/seed.curl"
        ADDED=$((ADDED + 1))
    done
done
if (( ADDED > 0 )); then
    say "seeding $ADDED jobs through POST /_sim/jobs ..."
    curl -sS --noproxy '*' --max-time 120 -K "$TMP/seed.curl" >"$TMP/seed.codes" || die "seeding failed"
    created=$(grep -c '^201$' "$TMP/seed.codes" || true)
    [[ $created == "$ADDED" ]] || die "seeding: $created of $ADDED jobs created ($(sort "$TMP/seed.codes" | uniq -c | tr '\n' ' '))"
fi
LIST_JOBS=0
for c in "${CLUSTERS[@]}"; do
    n=$(cluster_total "$c")
    [[ $n == "$PER_CLUSTER" ]] || die "cluster $c holds $n jobs, not $PER_CLUSTER"
    LIST_JOBS=$((LIST_JOBS + n))
done
get_200 "$MRS_BASE/job-executions"
n=$(grep -o '"id":"' "$TMP/probe.body" | wc -l)
[[ $n == "$LIST_JOBS" ]] || die "MRS lists $n jobs in the project, expected $LIST_JOBS"

# ---------------------------------------------------------------------------------------------
# One measurement: a fresh gateway, a check, a warm-up, a measured wrk run.

route_path() {
    case $1 in
        cancel) echo "/v1.1/$PROJECT/job-executions/$JOB/cancel" ;;
        show) echo "/v1.1/$PROJECT/job-executions/$JOB" ;;
        list) echo "/v1.1/$PROJECT/job-executions" ;;
    esac
}

# check_body ROUTE : the probe body must be the expected answer, not just any 200.
check_body() {
    case $1 in
        cancel|show)
            if ! grep -q "\"id\":\"$JOB\"" "$TMP/probe.body" || ! grep -q '"status":"KILLED"' "$TMP/probe.body"; then
                die "$1 answer is not job $JOB KILLED: $(head -c 300 "$TMP/probe.body")"
            fi ;;
        list)
            local n
            n=$(grep -o '"id":"' "$TMP/probe.body" | wc -l)
            [[ $n == "$LIST_JOBS" ]] || die "list answered $n job executions, expected $LIST_JOBS" ;;
    esac
}

# wrk_run OUT C D URL : one bounded wrk run (cancel, show).
wrk_run() {
    local out=$1 c=$2 d=$3 url=$4 secs
    secs=$(awk -v d="$d" 'BEGIN { n = d + 0; if (d ~ /m$/) n *= 60; print n }')
    timeout -k 5 "$((secs + 60))" wrk -t1 -c"$c" -d"$d" --timeout "$WRK_TIMEOUT" \
        -H "X-Auth-Token: $TOKEN" "$url" >"$out" 2>&1 || { cat "$out" >&2; die "wrk failed or overran on $url"; }
}

# list_run OUT N C URL : exactly N requests, at most C at a time, each on its own -o; one line
# "HTTP-status connects" per request in OUT, the wall time in ns in OUT.ns. Returns curl's status.
list_run() {
    local out=$1 n=$2 c=$3 url=$4 args=() i t0 t1 rc=0
    for ((i = 0; i < n; i++)); do args+=(-o /dev/null "$url"); done
    t0=$(date +%s%N)
    timeout -k 5 "$((n * 60 / c + 60))" curl -sS --no-progress-meter --noproxy '*' --max-time 60 \
        -Z --parallel-max "$c" --parallel-immediate -w '%{http_code} %{num_connects}\n' \
        -H "X-Auth-Token: $TOKEN" "${args[@]}" >"$out" 2>"$out.err" || rc=$?
    t1=$(date +%s%N)
    echo "$((t1 - t0))" >"$out.ns"
    return "$rc"
}

# measure ROUTE INDEX ROUND : one run; appends "req/s cpu-us-per-request requests bad calls
# connects-per-request ticks mrs-calls-per-request-in-the-run non-2xx" to $TMP/result.ROUTE.INDEX
measure() {
    local route=$1 gi=$2 round=$3
    local name=${GW_NAMES[$gi]} bin=${GW_BINS[$gi]}

    start "gw-$name" "$bin" --listen "$HOST:0" --upstream "$SIM_URL" --threads 1
    local gw_pid=$PID url path
    path=$(route_path "$route")
    url=http://$HOST:$PORT$path

    # The route answers 200 with the right body; the MRS calls of that one request.
    sim_reset
    get_200 "$url"
    check_body "$route"
    local s calls
    read -r -a s <<<"$(sim_stats)"
    calls=${s[0]}

    local out=$TMP/run.$route.$name.$round
    if [[ $route == list ]]; then
        (( LIST_WARMUP == 0 )) || list_run "$out.warmup" "$LIST_WARMUP" "$LIST_CONNECTIONS" "$url" ||
            die "list warm-up failed on $name: $(head -c 300 "$out.warmup.err")"
    elif [[ $WARMUP != 0 ]]; then
        wrk_run "$out.warmup" "$CONNECTIONS" "$WARMUP" "$url"
    fi
    alive "$gw_pid"

    sim_reset
    local t0 t1 s0 s1 rps total non2xx errors='' bad=0 rc=0
    s0=$(cpu_ticks "$SIM_PID")
    t0=$(cpu_ticks "$gw_pid")
    if [[ $route == list ]]; then
        list_run "$out" "$LIST_REQUESTS" "$LIST_CONNECTIONS" "$url" || rc=$?
    else
        wrk_run "$out" "$CONNECTIONS" "$DURATION" "$url"
    fi
    t1=$(cpu_ticks "$gw_pid")
    s1=$(cpu_ticks "$SIM_PID")
    alive "$gw_pid"
    read -r -a s <<<"$(sim_stats)"
    stop "$gw_pid"

    if [[ $route == list ]]; then
        total=$(awk '$1 == 200' "$out" | wc -l)
        non2xx=$(awk '$1 !~ /^2/' "$out" | wc -l)
        [[ $rc == 0 ]] || errors="curl exit status $rc: $(head -c 200 "$out.err")"
        [[ $(wc -l <"$out") == "$LIST_REQUESTS" ]] || errors="${errors:-$(wc -l <"$out") of $LIST_REQUESTS requests answered}"
        rps=$(awk -v n="$total" -v ns="$(<"$out.ns")" 'BEGIN { printf "%.2f", n * 1e9 / ns }')
    else
        rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
        total=$(awk '/ requests in / { print $1 }' "$out")
        [[ -n $rps && -n $total ]] || { cat "$out" >&2; die "could not parse wrk output ($route, $name)"; }
        non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out"); non2xx=${non2xx:-0}
        errors=$(sed -n 's/^ *Socket errors: *//p' "$out")
    fi
    [[ $non2xx == 0 && -z $errors && $total -gt 0 ]] || bad=1
    awk -v hz="$HZ" -v dt="$((t1 - t0))" -v n="$total" -v rps="$rps" -v bad="$bad" -v calls="$calls" \
        -v conns="${s[1]}" -v mrs="${s[0]}" -v non2xx="$non2xx" \
        'BEGIN { printf "%s %.1f %d %d %d %.3f %d %.2f %d\n", rps, (n > 0 ? dt * 1e6 / hz / n : 0), n, bad, calls,
                 (n > 0 ? conns / n : 0), dt, (n > 0 ? mrs / n : 0), non2xx }' >>"$TMP/result.$route.$gi"
    local cpu conns ticks mrs_per sim_cpu
    read -r rps cpu total bad calls conns ticks mrs_per non2xx < <(tail -n1 "$TMP/result.$route.$gi")
    sim_cpu=$(awk -v hz="$HZ" -v dt="$((s1 - s0))" -v n="$total" 'BEGIN { printf "%.0f", (n > 0 ? dt * 1e6 / hz / n : 0) }')
    say "$(printf '  %-6s round %d  %-10s %9s req/s %9s CPU us/req (%d ticks) %7d requests  MRS calls/req %s (%s in the run)  MRS connects/req %s  mrs-sim CPU us/req %s  non-2xx %s%s' \
        "$route" "$round" "$name" "$rps" "$cpu" "$ticks" "$total" "$calls" "$mrs_per" "$conns" "$sim_cpu" "$non2xx" \
        "${errors:+  errors: $errors}")"
}

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
say "mrs-sim --threads $SIM_THREADS (pid $SIM_PID); list workload: $LIST_JOBS jobs on ${#CLUSTERS[@]} clusters ($PER_CLUSTER each)"
say "cancel, show: wrk -t1 -c$CONNECTIONS -d$DURATION --timeout $WRK_TIMEOUT after a warm-up of $WARMUP;" \
    "list: $LIST_REQUESTS requests, $LIST_CONNECTIONS at a time, after $LIST_WARMUP unmeasured; $(nproc) CPUs shared by load generator, simulator and gateway"
for route in "${ROUTE_LIST[@]}"; do
    for ((round = 1; round <= ROUNDS; round++)); do
        for gi in "${!GW_NAMES[@]}"; do
            measure "$route" "$gi" "$round"
        done
    done
done

# ---------------------------------------------------------------------------------------------
# The table: medians over the rounds.

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# fmt : each number on stdin with 3 significant digits at least (1.83, 24.6, 139.2, 197667), comma-separated
fmt() { awk '{ v = $1 + 0; printf "%s%s", (NR > 1 ? ", " : ""), (v < 10 ? sprintf("%.2f", v) : v < 1000 ? sprintf("%.1f", v) : sprintf("%.0f", v)) }'; }

INVALID=0
echo
echo "| route | gateway | MRS calls per request | req/s (median) | CPU µs per request (median) | vs ${GW_NAMES[0]} | CPU µs per request, each round | requests, each round | new MRS connections per request | non-2xx / errors |"
echo "|---|---|---:|---:|---:|---:|---|---|---:|---|"
for route in "${ROUTE_LIST[@]}"; do
    base_cpu=
    for gi in "${!GW_NAMES[@]}"; do
        f=$TMP/result.$route.$gi
        rps=$(awk '{ print $1 }' "$f" | median)
        cpu=$(awk '{ print $2 }' "$f" | median)
        conns=$(awk '{ print $6 }' "$f" | median)
        rounds_cpu=$(awk '{ print $2 }' "$f" | fmt)
        rounds_n=$(awk '{ printf "%s%s", (NR > 1 ? ", " : ""), $3 }' "$f")
        calls=$(awk '{ print $5 }' "$f" | sort -un | paste -sd/)
        bad=$(awk '{ s += $4 } END { print s + 0 }' "$f")
        non2xx=$(awk '{ s += $9 } END { print s + 0 }' "$f")
        [[ -n $base_cpu ]] || base_cpu=$cpu
        rel=$(awk -v a="$cpu" -v b="$base_cpu" 'BEGIN { if (b > 0) printf "%+.1f%%", (a - b) * 100 / b; else print "-" }')
        [[ $gi == 0 ]] && rel="—"
        status="$non2xx non-2xx, no errors"
        if [[ $bad != 0 ]]; then status="**INVALID**: $bad run(s) with errors, $non2xx non-2xx"; INVALID=1; fi
        printf '| %s | %s | %s | %s | %s | %s | %s | %s | %.2f | %s |\n' \
            "$route" "${GW_NAMES[$gi]}" "$calls" "$(fmt <<<"$rps")" "$(fmt <<<"$cpu")" "$rel" "$rounds_cpu" "$rounds_n" \
            "$conns" "$status"
    done
done
echo
echo "Each run: a fresh gateway process (--threads 1). CPU = its user+system time from /proc/PID/stat" \
     "($HZ ticks/s) over the measured run / requests completed. cancel and show: wrk -t1 -c$CONNECTIONS -d$DURATION" \
     "after a warm-up of $WARMUP; list: $LIST_REQUESTS requests, $LIST_CONNECTIONS at a time, after $LIST_WARMUP unmeasured" \
     "(GET of the whole list, $LIST_JOBS jobs on ${#CLUSTERS[@]} MRS clusters, $PER_CLUSTER each)." \
     "$ROUNDS round(s), gateways alternating within each round; medians over the rounds." \
     "MRS calls per request: counted by mrs-sim on one request of each run." \
     "mrs-sim --threads $SIM_THREADS; $(nproc) CPUs shared by load generator, simulator and gateway;" \
     "load average $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end" \
     "(other work on the machine inflates CPU time per request: compare gateways only within one run)."
echo
for gi in "${!GW_NAMES[@]}"; do echo "- ${GW_NAMES[$gi]}: ${GW_BINS[$gi]}"; done

[[ $INVALID == 0 ]] || die "some runs had non-2xx answers or errors: they are not measurements"
