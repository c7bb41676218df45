#!/usr/bin/env bash
# Load test of `nuvera-sign serve` on loopback (a benchmark, not part of CI), in one run:
#   1. reference: `openssl speed -seconds 3 rsa2048` verify/s on the server's core alone;
#   2. throughput, in-memory replay cache, then Redis (`--replay-cache`): pre-signed GETs (a fresh
#      jti each) over keep-alive connections as fast as the server answers; verified requests/s,
#      p50/p99 latency, and the ratio to OpenSSL's bare verify/s on one core;
#   3. soak: SOAK_SECONDS of unique-jti traffic (5 s tokens, so keys expire during the run) against
#      each cache, sampling the server's resident memory and Redis's `used_memory` every 5 s.
# Pinning (taskset): the server on SERVER_CORE, the load generator and redis-server on LOAD_CORE,
# so the server's figures are those of one core. A third core would be better for Redis; this
# machine has two. The load generator also reports the CPU time the server, redis-server and itself
# used while firing: when the server's core was not busy all the time (a shared machine, or the
# load core saturated), "verified requests per server CPU-second" is what its one core sustains.
#
#   bench/server.sh        # REQUESTS=40000 CONNECTIONS=8 ROUNDS=2 SOAK_SECONDS=60 SOAKS="memory redis"
#                          # GENERATORS="sleeping spinning"
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

REQUESTS=${REQUESTS:-40000}
CONNECTIONS=${CONNECTIONS:-8}
SOAK_SECONDS=${SOAK_SECONDS:-60}
SOAKS=${SOAKS-memory redis}  # set but empty (SOAKS=""): no soak
GENERATORS=${GENERATORS:-sleeping spinning}
ROUNDS=${ROUNDS:-2}
SERVER_CORE=${SERVER_CORE:-0}
LOAD_CORE=${LOAD_CORE:-1}
KEY=testdata/keys/test-rsa2048-pkcs8.pem
API_KEY=nv_bench_0123456789

for tool in taskset openssl redis-server redis-cli; do
  command -v "$tool" >/dev/null || { echo "bench/server.sh needs $tool" >&2; exit 1; }
done

echo "== building nuvera-sign and the load generator (release)" >&2
cargo build -q --release -p nuvera-sign -p nuvera-loadgen
TARGET=${CARGO_TARGET_DIR:-target}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/nuvera-server-bench.XXXXXX")
REDIS_PID=
# The server starts through scripts/mock-server (the project's one start-up of `serve`), with a
# wrapper that pins it to SERVER_CORE before it starts: tokio sizes its worker pool from the cores
# the process may use.
PINNED="$WORK/nuvera-sign-pinned"
printf '#!/bin/sh\nexec taskset -c %s %s "$@"\n' "$SERVER_CORE" "$(cd "$TARGET/release" && pwd)/nuvera-sign" >"$PINNED"
chmod +x "$PINNED"
stop_server() { scripts/mock-server stop --env "$WORK/mock.env"; }
cleanup() {
  stop_server
  if [[ -n $REDIS_PID ]]; then kill "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

REDIS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
taskset -c "$LOAD_CORE" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$WORK" \
  --save '' --appendonly no --daemonize no >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
for _ in $(seq 100); do redis-cli -p "$REDIS_PORT" PING >/dev/null 2>&1 && break; sleep 0.05; done
REDIS_URL="redis://127.0.0.1:$REDIS_PORT"

# start_server <cache>: memory | redis
start_server() {
  local extra=()
  [[ $1 == redis ]] && extra=(--replay-cache "$REDIS_URL")
  scripts/mock-server start --env "$WORK/mock.env" --bin "$PINNED" --api-key "$API_KEY" \
    -- --quiet "${extra[@]}" >/dev/null
  SERVER_PID=$(sed -n 's/^NUVERA_MOCK_PID=//p' "$WORK/mock.env")
  ADDR=$(sed -n 's|^NUVERA_MOCK_URL=http://||p' "$WORK/mock.env")
}

loadgen() {
  taskset -c "$LOAD_CORE" "$TARGET/release/nuvera-loadgen" --addr "$ADDR" --key "$KEY" \
    --api-key "$API_KEY" --connections "$CONNECTIONS" "$@"
}

echo "machine: $(nproc) cores, load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
OPENSSL_CMD=(taskset -c "$SERVER_CORE" openssl speed -seconds 3 rsa2048)
PEER=$("${OPENSSL_CMD[@]}" 2>/dev/null | awk '
  /verify\/s/ && !col { for (i = 1; i <= NF; i++) if ($i == "verify/s") col = i }
  /^rsa +2048 +bits/ && col { v = $(3 + col) } END { print v }')
echo "openssl verify/s (one core): $PEER   (${OPENSSL_CMD[*]})"

# Alternating rounds: other processes' load on a shared machine hits every variant alike. Each
# cache is measured with the load generator sleeping in epoll between responses (tokio), and
# spinning on non-blocking sockets (`--spin`): on loopback the server's send wakes a sleeping load
# generator, and the server's core pays for that wake-up (`sock_def_readable` in a profile), which
# a server answering remote clients does not.
for cache in $(for ((r = 0; r < ROUNDS; r++)); do echo memory redis; done); do
  for generator in $GENERATORS; do
    start_server "$cache"
    redis-cli -p "$REDIS_PORT" FLUSHALL >/dev/null
    spin=()
    [[ $generator == spinning ]] && spin=(--spin)
    OUT=$(loadgen --mode throughput --requests "$REQUESTS" --server-pid "$SERVER_PID" --redis-pid "$REDIS_PID" "${spin[@]}")
    OURS=$(sed -n 's/.*= \([0-9.]*\) verified req\/s.*/\1/p' <<<"$OUT")
    PER_CPU=$(sed -n 's/.*: \([0-9.]*\) verified requests per server CPU-second.*/\1/p' <<<"$OUT")
    label="$cache cache, load generator $generator"
    sed "s/^/[$label] /" <<<"$OUT"
    awk -v a="$OURS" -v p="$PER_CPU" -v b="$PEER" -v c="$label" \
      'BEGIN { printf "[%s] ratio verified requests/s (server on one core) / openssl verify/s (one core): %.3f; per server CPU-second: %.3f\n", c, a / b, p / b }'
    stop_server
  done
done

for cache in $SOAKS; do
  start_server "$cache"
  redis-cli -p "$REDIS_PORT" FLUSHALL >/dev/null
  echo "== soak, $cache cache: ${SOAK_SECONDS}s of unique jtis" >&2
  (
    for ((t = 0; t < SOAK_SECONDS; t += 5)); do
      printf '%ss:%s/%skeys ' "$t" \
        "$(redis-cli -p "$REDIS_PORT" INFO memory | sed -n 's/^used_memory_human:\(.*\)\r$/\1/p')" \
        "$(redis-cli -p "$REDIS_PORT" DBSIZE)"
      sleep 5
    done
  ) >"$WORK/redis-memory" &
  SAMPLER=$!
  OUT=$(loadgen --mode soak --seconds "$SOAK_SECONDS" --server-pid "$SERVER_PID")
  wait "$SAMPLER" || true
  sed "s/^/[$cache cache] /" <<<"$OUT"
  [[ $cache == redis ]] && echo "[redis cache] Redis used_memory/keys over the soak: $(cat "$WORK/redis-memory")"
  stop_server
done
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
