#!/bin/bash
# Container health check without curl: GET http://ADDRESS/PATH through bash's /dev/tcp.
# Exits 0 on a 200 answer, 1 otherwise (refused, no answer within 2 s, any other status).
# usage: healthcheck [HOST:PORT] [PATH]   (default 127.0.0.1:9386 /healthz)
set -u
address=${1:-127.0.0.1:9386}
path=${2:-/healthz}
host=${address%:*}
port=${address##*:}
exec 3<>"/dev/tcp/$host/$port" 2>/dev/null || exit 1
printf 'GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$path" "$address" >&3 || exit 1
IFS= read -r -t 2 status <&3 || exit 1
case $status in
  "HTTP/1."[01]" 200 "* | "HTTP/1."[01]" 200"$'\r') exit 0 ;;
esac
exit 1
