#!/usr/bin/env bash
# A/B of `nuvera-sign serve` binaries (a benchmark, not part of CI): alternating rounds of
# `nuvera-loadgen --mode throughput` against each binary in turn, pinned as bench/server.sh pins
# (the server on SERVER_CORE, the load generator and redis-server on LOAD_CORE), one line per
# round with the µs of server CPU per verified request. Alternating makes a shared machine's load
# hit every binary alike; compare the binaries' figures of the same run, never across runs.
#
#   bench/server-ab.sh CACHE BIN...      # CACHE: memory | redis; ROUNDS=3 REQUESTS=20000 SPIN=1
#   e.g. save target/release/nuvera-sign of two commits as /tmp/serve-a and /tmp/serve-b, then
#   bench/server-ab.sh redis /tmp/serve-a /tmp/serve-b
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[[ $# -ge 2 ]] || { sed -n '7,9p' "$0" | sed 's/^# *//' >&2; exit 2; }
CACHE=$1
shift
ROUNDS=${ROUNDS:-3}
REQUESTS=${REQUESTS:-20000}
CONNECTIONS=${CONNECTIONS:-8}
SERVER_CORE=${SERVER_CORE:-0}
LOAD_CORE=${LOAD_CORE:-1}
API_KEY=nv_bench_0123456789
cargo build -q --release -p nuvera-loadgen
LOADGEN=${CARGO_TARGET_DIR:-target}/release/nuvera-loadgen
WORK=$(mktemp -d "${TMPDIR:-/tmp}/nuvera-server-ab.XXXXXX")
REDIS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
taskset -c "$LOAD_CORE" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$WORK" \
  --save '' --appendonly no --daemonize no >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
cleanup() {
  scripts/mock-server stop --env "$WORK/mock.env" 2>/dev/null || true
  kill "$REDIS_PID" 2>/dev/null || true
  wait "$REDIS_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
for _ in $(seq 100); do redis-cli -p "$REDIS_PORT" PING >/dev/null 2>&1 && break; sleep 0.05; done
echo "machine: $(nproc) cores, load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 1; r <= ROUNDS; r++)); do
  for bin in "$@"; do
    printf '#!/bin/sh\nexec taskset -c %s %s "$@"\n' "$SERVER_CORE" "$(realpath "$bin")" >"$WORK/pinned"
    chmod +x "$WORK/pinned"
    extra=()
    [[ $CACHE == redis ]] && extra=(--replay-cache "redis://127.0.0.1:$REDIS_PORT")
    scripts/mock-server start --env "$WORK/mock.env" --bin "$WORK/pinned" --api-key "$API_KEY" \
      -- --quiet "${extra[@]}" >/dev/null
    PID=$(sed -n 's/^NUVERA_MOCK_PID=//p' "$WORK/mock.env")
    ADDR=$(sed -n 's|^NUVERA_MOCK_URL=http://||p' "$WORK/mock.env")
    redis-cli -p "$REDIS_PORT" FLUSHALL >/dev/null
    OUT=$(taskset -c "$LOAD_CORE" "$LOADGEN" --addr "$ADDR" --key testdata/keys/test-rsa2048-pkcs8.pem \
      --api-key "$API_KEY" --connections "$CONNECTIONS" --mode throughput --requests "$REQUESTS" \
      --server-pid "$PID" --redis-pid "$REDIS_PID" ${SPIN:+--spin} 2>/dev/null)
    printf '%s round %d %s [%s cache]: %s; server core %s busy; %s; %s\n' "$(date +%T)" "$r" "$bin" "$CACHE" \
      "$(grep -o '[0-9.]* µs of server CPU per verified request' <<<"$OUT")" \
      "$(grep -o '[0-9]*% of its core' <<<"$OUT" | cut -d' ' -f1)" \
      "$(grep -o 'redis-server CPU [0-9.]* s ([0-9.]* µs per request)' <<<"$OUT" || echo 'no redis')" \
      "$(grep -o '[0-9]* refused 503 (fail closed), [0-9]* wrong answers' <<<"$OUT")"
    scripts/mock-server stop --env "$WORK/mock.env"
  done
done
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
