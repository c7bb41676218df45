#!/usr/bin/env bash
# Load test of `nuvera-sign serve` on loopback (a benchmark, not part of CI):
#   1. throughput: pre-signed GETs (a fresh jti each) over keep-alive connections, as fast as the
#      server verifies them; requests/s and p99 latency, and the ratio of verified requests/s to
#      `openssl speed -multi <cores> rsa2048` verify/s for the same core count;
#   2. soak: 60 s of continuous unique-jti traffic (tokens of 5 s lifetime, so the replay cache
#      reaches its steady state), sampling the server's resident memory every 5 s.
# The load generator runs on the same cores as the server, as any loopback test does.
#
#   bench/server.sh                        # REQUESTS=20000 CONNECTIONS=8 SOAK_SECONDS=60
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

REQUESTS=${REQUESTS:-20000}
CONNECTIONS=${CONNECTIONS:-8}
SOAK_SECONDS=${SOAK_SECONDS:-60}
CORES=$(nproc)
KEY=testdata/keys/test-rsa2048-pkcs8.pem
API_KEY=nv_bench_0123456789

echo "== building nuvera-sign and the load generator (release)" >&2
cargo build -q --release -p nuvera-sign -p nuvera-loadgen
TARGET=${CARGO_TARGET_DIR:-target}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/nuvera-server-bench.XXXXXX")
cleanup() { scripts/mock-server stop --env "$WORK/mock.env"; rm -rf "$WORK"; }
trap cleanup EXIT

scripts/mock-server start --env "$WORK/mock.env" --bin "$TARGET/release/nuvera-sign" \
  --api-key "$API_KEY" -- --quiet >/dev/null
SERVER_PID=$(sed -n 's/^NUVERA_MOCK_PID=//p' "$WORK/mock.env")
ADDR=$(sed -n 's|^NUVERA_MOCK_URL=http://||p' "$WORK/mock.env")
echo "== server pid $SERVER_PID on $ADDR, $CORES cores" >&2

LOADGEN=("$TARGET/release/nuvera-loadgen" --addr "$ADDR" --key "$KEY" --api-key "$API_KEY" --connections "$CONNECTIONS")
THROUGHPUT=$("${LOADGEN[@]}" --mode throughput --requests "$REQUESTS")
echo "$THROUGHPUT"
OURS=$(sed -n 's/.*= \([0-9.]*\) req\/s.*/\1/p' <<<"$THROUGHPUT")

OPENSSL_CMD=(openssl speed -seconds 3 -multi "$CORES" rsa2048)
PEER=$("${OPENSSL_CMD[@]}" 2>/dev/null | awk '
  /verify\/s/ && !col { for (i = 1; i <= NF; i++) if ($i == "verify/s") col = i }
  /^rsa +2048 +bits/ && col { v = $(3 + col) } END { print v }')
echo "openssl verify/s ($CORES cores): $PEER   (${OPENSSL_CMD[*]})"
awk -v a="$OURS" -v b="$PEER" 'BEGIN { printf "ratio verified requests/s / openssl verify/s: %.3f\n", a / b }'

echo "== soak: ${SOAK_SECONDS}s of unique jtis" >&2
"${LOADGEN[@]}" --mode soak --seconds "$SOAK_SECONDS" --server-pid "$SERVER_PID"
