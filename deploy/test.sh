#!/usr/bin/env bash
# Installs what is missing, builds the optimised release, the sanitizer (ASan + UBSan) and the
# clang builds, and runs the test tiers: every tier on release and asan, the unit tier on clang
# (which is there to prove the code builds clean with a second compiler). Warnings are errors
# in all three. Extra arguments go to ctest (e.g. -L unit).
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/install-deps.sh
jobs=$(nproc)
for preset in release asan clang; do
  echo "== $preset: configure and build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "== $preset: tests"
  if [ "$preset" = clang ]; then
    ctest --preset "$preset" -L unit "$@"
  else
    ctest --preset "$preset" "$@"
  fi
done
