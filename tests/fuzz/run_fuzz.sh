#!/usr/bin/env bash
# Runs one libFuzzer target as a ctest test (tests/fuzz/CMakeLists.txt):
#   run_fuzz.sh FUZZER SEEDS REGRESSIONS WORK [DICT]
# 1. replays every input directly in REGRESSIONS (each is a crash that was fixed; the open/
#    subfolder holds reproducers of findings not fixed yet, which are not replayed);
# 2. fuzzes for SGW_FUZZ_SECONDS seconds (default 30; 0 runs each seed once) over a fresh copy
#    of SEEDS in WORK, so the source tree is never written to; what the run finds is left in
#    WORK/artifacts.
# Exits non-zero on any crash, leak, timeout (10 s per input) or RSS above 2 GiB.
set -euo pipefail

fuzzer=$1 seeds=$2 regressions=$3 work=$4 dict=${5:-}
seconds=${SGW_FUZZ_SECONDS:-30}
case $seconds in
  '' | *[!0-9]*) echo "run_fuzz: SGW_FUZZ_SECONDS must be a whole number of seconds, not '$seconds'" >&2; exit 2 ;;
esac

rm -rf "$work/corpus"  # a fresh copy of the seeds; artifacts of earlier runs stay
mkdir -p "$work/corpus" "$work/artifacts"
cp -R "$seeds/." "$work/corpus/"

opts=(-rss_limit_mb=2048 -timeout=10 -artifact_prefix="$work/artifacts/")
if [ -n "$dict" ]; then opts+=(-dict="$dict"); fi

if [ -d "$regressions" ]; then
  mapfile -t known < <(find "$regressions" -maxdepth 1 -type f ! -name '*.md' | sort)
  if [ ${#known[@]} -gt 0 ]; then
    echo "run_fuzz: replaying ${#known[@]} regression inputs"
    "$fuzzer" "${opts[@]}" "${known[@]}"
  fi
fi

if [ "$seconds" -eq 0 ]; then
  # No fuzzing: each seed runs once (libFuzzer would read -max_total_time=0 as no limit).
  echo "run_fuzz: SGW_FUZZ_SECONDS=0: running the seeds once"
  exec "$fuzzer" "${opts[@]}" -runs=0 "$work/corpus"
fi
echo "run_fuzz: fuzzing for $seconds s over a copy of $(find "$work/corpus" -type f | wc -l) seeds"
# libFuzzer stops itself at -max_total_time; the outer bound only catches a stuck process.
timeout --signal=KILL $((seconds + 300)) \
  "$fuzzer" "${opts[@]}" -max_total_time="$seconds" -print_final_stats=1 "$work/corpus"
