# shellcheck shell=bash disable=SC2034  # HZ, NAMES, PID and PORT are read by the sourcing script
# Shared by the load scripts: child processes on loopback, started and stopped within bounds,
# and their CPU time. The sourcing script sets BENCH_NAME and defines die() first.

TMP=$(mktemp -d "${TMPDIR:-/tmp}/$BENCH_NAME.XXXXXX")
PIDS=()
declare -A NAMES=()

# child_pids PID : the direct children of PID, one a line (nginx's worker processes).
child_pids() { ps -o pid= --ppid "$1" 2>/dev/null | tr -d ' ' || true; }

# end_pid PID : SIGTERM, a bounded wait, then SIGKILL; then SIGKILL to any child of PID that
# outlived it (an nginx worker whose master was killed).
end_pid() {
    local pid=$1 kids k
    kids=$(child_pids "$pid")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    for k in $kids; do kill -KILL "$k" 2>/dev/null || true; done
}

# stop PID : end_pid, and forgets the pid.
stop() {
    local pid=$1 keep=() p
    end_pid "$pid"
    for p in "${PIDS[@]}"; do [[ $p == "$pid" ]] || keep+=("$p"); done
    PIDS=("${keep[@]}")
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ $rc != 0 ]]; then
        local f
        for f in "$TMP"/*.err; do
            [[ -s $f ]] && { echo "--- tail of $(basename "$f")" >&2; tail -n 20 "$f" >&2; }
        done
    fi
    local pid
    for pid in "${PIDS[@]}"; do end_pid "$pid"; done
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start NAME CMD... : runs CMD in the background, waits (bounded) for "listening HOST:PORT",
# sets PORT and PID.
start() {
    local name=$1; shift
    "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
    PID=$!
    PIDS+=("$PID")
    NAMES[$PID]=$name
    for _ in $(seq 100); do
        if grep -q '^listening ' "$TMP/$name.out" 2>/dev/null; then
            PORT=$(sed -n 's/^listening 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$TMP/$name.out" | head -n1)
            [[ -n $PORT ]] || die "$name printed an unexpected address: $(head -n1 "$TMP/$name.out")"
            return 0
        fi
        kill -0 "$PID" 2>/dev/null || die "$name exited early: $(tail -n5 "$TMP/$name.err")"
        sleep 0.1
    done
    die "$name did not report 'listening' within 10 s"
}

# cpu_ticks PID : user+system CPU time of the whole process so far, in clock ticks (Linux /proc).
# Field 2 (comm) may hold spaces, so count from the closing parenthesis.
cpu_ticks() {
    local stat
    stat=$(<"/proc/$1/stat") || die "cannot read /proc/$1/stat"
    stat=${stat##*) }
    awk '{ print $12 + $13 }' <<<"$stat"   # fields 14 and 15 of the full line
}
HZ=$(getconf CLK_TCK)

# rss_kib PID : the resident set of the process (VmRSS), in KiB.
rss_kib() {
    local v
    v=$(awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null) || true
    [[ -n $v ]] || die "cannot read /proc/$1/status"
    echo "$v"
}

# free_port : a loopback port nothing listens on now, for servers that cannot report the one
# they bound (nginx, HAProxy). Another process may take it first; the server then fails to
# start and start_quiet says so.
free_port() {
    "${PYTHON:-python3}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_quiet NAME PORT CMD... : runs a server that prints no address in the background and
# waits (at most 10 s) until GET / on 127.0.0.1:PORT gets any HTTP answer; sets PID.
start_quiet() {
    local name=$1 port=$2; shift 2
    "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
    PID=$!
    PIDS+=("$PID")
    NAMES[$PID]=$name
    for _ in $(seq 100); do
        curl -s --noproxy '*' --max-time 2 -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && return 0
        kill -0 "$PID" 2>/dev/null || die "$name exited early: $(tail -n5 "$TMP/$name.err")"
        sleep 0.1
    done
    die "$name did not answer on port $port within 10 s"
}
