#!/usr/bin/env bash
# Installs what is missing, then builds and tests four ways, warnings as errors in each:
#   release  optimised build: every tier;
#   asan     ASan + UBSan: every tier but deploy (whose tests check the release binary and files)
#            and load (a benchmark of a sanitizer build measures the sanitizer);
#   tsan     ThreadSanitizer: the integration tier (the gateway runs several worker threads,
#            and one test drives four of them at once), against the release build's simulator;
#   fuzz     clang 14 with libFuzzer, ASan and UBSan: the fuzz tier, each target for
#            SGW_FUZZ_SECONDS seconds (default 30) after replaying its regressions. The targets
#            link every library of the gateway, so this build is also the proof that they build
#            clean with a second compiler; the unit tier already runs under ASan on asan.
# Extra arguments go to every ctest run (e.g. -R integration).
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/install-deps.sh
jobs=$(nproc)
for preset in release asan tsan fuzz; do
  echo "== $preset: configure and build ($(date -u +%T))"
  cmake --preset "$preset" >/dev/null
  case "$preset" in
    # Only what the tiers of these stages run: TSan and clang's instrumentation make every
    # file slow to compile.
    tsan) cmake --build --preset "$preset" -j "$jobs" --target sahara-gateway integration_tests ;;
    fuzz) cmake --build --preset "$preset" -j "$jobs" --target \
            fuzz_http_session fuzz_router fuzz_translators fuzz_config ;;
    *) cmake --build --preset "$preset" -j "$jobs" ;;
  esac
  echo "== $preset: tests ($(date -u +%T))"
  case "$preset" in
    # The gateway under ThreadSanitizer, in front of the release build's simulator.
    tsan) SGW_SIM_BIN="$PWD/build/release/tests/mrs_sim/mrs-sim" ctest --preset "$preset" -L integration "$@" ;;
    fuzz) ctest --preset "$preset" -L fuzz "$@" ;;
    # The fault suite under ASan with fewer requests per fault: memory errors show at any
    # count, and the release stage runs the full load.
    asan) SGW_FAULT_REQUESTS="${SGW_FAULT_REQUESTS:-120}" ctest --preset "$preset" -LE load "$@" ;;
    *) ctest --preset "$preset" "$@" ;;
  esac
done
echo "== done ($(date -u +%T))"
