#!/usr/bin/env bash
# Installs every Debian 12 package the build, the demo and the tests need, then the one npm
# package the signer_sdk test compares our AK/SK signatures with.
# A no-op when they are all present. Run as root.
set -euo pipefail

packages=(
  # build
  g++ clang cmake ninja-build pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-test1.81-dev
  libssl-dev libtomlplusplus-dev libhiredis-dev
  # the fuzz build: clang 14 with libFuzzer and the sanitizer runtimes
  clang-14 libfuzzer-14-dev libclang-rt-14-dev
  # tests, demo and benchmarks (tests/load/bench.sh draws its plots with gnuplot; perf and
  # valgrind are for profiling the gateway by hand)
  openssl curl wrk procps gnuplot-nox linux-perf valgrind
  # the shared job store's tests start their own redis-server on a loopback port; the
  # package's own service is not used (stop it if the machine should not run one)
  redis-server
  python3 python3-saharaclient python3-openstackclient
  # packaging: the man page, the .deb and the deploy tests (tests/deploy)
  help2man dpkg-dev groff-base systemd yamllint
  # the front proxy tests (tests/deploy/deploy_suite.py): nginx, HAProxy, redis-server for the
  # replicas' shared job memory, and promtool (in Debian's prometheus package). Debian may start
  # these packages' own services; the tests use none of them (own ports and configuration files,
  # processes started and stopped by the test)
  nginx haproxy redis-server prometheus
)
# The signer_sdk test runs Huawei's Node SDK. A node or npm already on PATH (from another
# source) is used as it is: Debian's packages would conflict with it.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

# Where the SDK goes; tests/signer/CMakeLists.txt (SGW_NODE_MODULES) looks for it there.
sdk_prefix=/usr/local/lib/sahara-gateway
sdk_package=@huaweicloud/huaweicloud-sdk-core
sdk_version=3.1.211

missing=()
for p in "${packages[@]}"; do
  if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)" != "installed" ]; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages: ${missing[*]}; run as root to install them" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

installed_sdk=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' \
  "$sdk_prefix/node_modules/$sdk_package/package.json" 2>/dev/null | head -n 1 || true)
if [ "$installed_sdk" != "$sdk_version" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: $sdk_package $sdk_version is not in $sdk_prefix/node_modules; run as root" \
         "to install it (the signer_sdk test is skipped without it)" >&2
  else
    echo "install-deps: installing $sdk_package@$sdk_version into $sdk_prefix"
    mkdir -p "$sdk_prefix"
    npm install --prefix "$sdk_prefix" --no-audit --no-fund --no-save --loglevel=error \
      "$sdk_package@$sdk_version"
  fi
fi
