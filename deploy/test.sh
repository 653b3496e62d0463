#!/usr/bin/env bash
# Installs what is missing, builds the optimised release, the sanitizer (ASan + UBSan) and the
# fuzz (clang 14, libFuzzer, ASan + UBSan) builds, and runs the test tiers: every tier on release
# and asan; on fuzz the unit tier and the fuzz tier (each fuzz target for SGW_FUZZ_SECONDS,
# default 30). The fuzz build is also the one that proves the code builds clean with a second
# compiler. Warnings are errors in all three. Extra arguments go to ctest (e.g. -L unit).
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/install-deps.sh
jobs=$(nproc)
for preset in release asan fuzz; do
  echo "== $preset: configure and build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "== $preset: tests"
  if [ "$preset" = fuzz ]; then
    ctest --preset "$preset" -L 'unit|fuzz' "$@"
  else
    ctest --preset "$preset" "$@"
  fi
done
