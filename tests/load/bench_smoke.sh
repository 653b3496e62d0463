#!/usr/bin/env bash
# The load tier's smoke test: tests/load/bench.sh with tiny settings (1 round, 1 s runs, no
# warm-up, 10 list requests, 300 idle connections, every section), then checks that it
# succeeded, that results.md has a row with figures for every route and front of both
# transports, for every front and thread count of the scaling section and for every front of
# the idle test, and that both plots are PNG files. It measures nothing worth keeping: the
# figures of so short a run are noise. About a minute and a half on 2 cores.
#
# usage: tests/load/bench_smoke.sh OUT_DIR
# with SGW_GATEWAY and SGW_MRS_SIM (and optionally BENCH_NGINX, BENCH_HAPROXY) in the
# environment, as for bench.sh. Results and plots go to OUT_DIR.
set -euo pipefail

[[ $# == 1 ]] || { echo "usage: $0 OUT_DIR" >&2; exit 2; }
out=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$out"
rm -f "$out/results.md" "$out/bench-throughput.png" "$out/bench-latency.png"

BENCH_SECTIONS="routes tls idle scaling plots" BENCH_ROUNDS=1 BENCH_DURATION=1s BENCH_WARMUP=0 \
BENCH_LIST_REQUESTS=10 BENCH_LIST_WARMUP=1 BENCH_IDLE_CONNECTIONS=300 BENCH_SCALING_THREADS="1 2" \
BENCH_OUT=$out BENCH_PLOTS=$out "$here/bench.sh" >"$out/smoke.stdout"

failed=0 passed=0
ok() { passed=$((passed + 1)); }
bad() { echo "FAIL: $*" >&2; failed=$((failed + 1)); }
results=$out/results.md
[[ -s $results ]] || { echo "FAIL: no $results" >&2; echo "0 passed, 1 failed"; exit 1; }

# A figure: a number, at least one digit.
fig='[0-9][0-9.]*'
# rows ROUTE FRONT : the rows of the route tables (10 columns) for ROUTE and FRONT whose req/s,
# p50, p99, mrs-sim CPU (with or without the coarse mark), RSS, upstream connections and MRS
# calls are figures.
rows() {
    awk -F'|' -v r=" $1 " -v f=" $2 " -v fig="^ $fig( †)? \$" '
        NF == 12 && $2 == r && $3 == f && $4 ~ fig && $5 ~ fig && $6 ~ fig && $8 ~ fig && $9 ~ fig && $10 ~ fig && $11 ~ fig { n++ }
        END { print n + 0 }' "$results"
}
for route in "mrs-v1.1 show" "mrs-v1.1 cancel" "mrs-v1.1 list" "mrs-v1.1 empty-page" "mrs-v2 show" "mrs-v2 cancel" "mrs-v2 list"; do
    for front in "mrs-sim direct" nginx HAProxy gateway; do
        n=$(rows "$route" "$front")
        if [[ $n == 2 ]]; then ok; else bad "results.md: $n rows with figures for '$route' through '$front', expected 2 (plain, TLS)"; fi
    done
done
for route in "mrs-v1.1 show" "mrs-v1.1 cancel"; do
    for front in nginx HAProxy gateway; do
        for t in 1 2; do
            if grep -q "^| $route | $front | $t | $fig | " "$results"; then ok; else bad "results.md: no scaling row for '$route' through '$front' with $t threads"; fi
        done
    done
done
for front in gateway nginx HAProxy; do
    if grep -q "^| $front | 300 | $fig | $fig | -\{0,1\}$fig |" "$results"; then ok; else bad "results.md: no idle row for $front"; fi
done
for png in bench-throughput.png bench-latency.png; do
    if [[ -s $out/$png ]] && [[ $(head -c 8 "$out/$png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]]; then
        ok
    else
        bad "$out/$png is not a PNG file"
    fi
done
echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
