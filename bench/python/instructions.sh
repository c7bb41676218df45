#!/usr/bin/env bash
# Benchmark (not a test): instructions per Signer.sign, counted by valgrind's callgrind, so the
# figure does not move with the machine's load. Two runs of the installed package (1 signature,
# then 1 + N): the difference divided by N is what one `Signer.sign(...).headers` costs in the
# whole process (interpreter, PyO3 glue, core); the inclusive cost of the core's
# `Signer::sign_with` in the same runs, differenced the same way, is what the core itself costs
# (the one-time seeding of aws-lc's entropy in the first signature cancels out).
#
#   bash bench/python/instructions.sh [python] [N]      # python defaults to target/py-venv/bin/python
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
PY="${1:-$ROOT/target/py-venv/bin/python}"
N="${2:-40}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

run() {
  valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.$1" "$PY" - "$ROOT" "$1" 2>/dev/null <<'PY'
import sys
import nuvera_signing as ns
root, n = sys.argv[1], int(sys.argv[2])
signer = ns.Signer(ns.PrivateKey.from_file(root + "/testdata/keys/test-rsa2048-pkcs8.pem"), "nv_live_3f9a2c7d1e")
body = b'{"companyName":"Acme Trading Ltd","country":"GB"}'
for _ in range(n):
    signer.sign("POST", "/api/v1/customers", body).headers
PY
  local total core
  total=$(callgrind_annotate "$OUT/cg.$1" 2>/dev/null | awk '/PROGRAM TOTALS/ && !done {gsub(",", "", $1); print $1; done = 1}')
  core=$(callgrind_annotate --inclusive=yes "$OUT/cg.$1" 2>/dev/null \
    | awk '/nuvera_signing::signer::Signer::sign_with/ && !done {gsub(",", "", $1); print $1; done = 1}')
  echo "$total ${core:-0}"
}

read -r total1 core1 < <(run 1)
read -r totaln coren < <(run $((N + 1)))
python3 - "$total1" "$core1" "$totaln" "$coren" "$N" <<'PY'
import sys
t1, c1, tn, cn, n = map(int, sys.argv[1:])
per_call = (tn - t1) / n
core = (cn - c1) / n
print(f"Signer.sign(...).headers: {per_call / 1e6:.3f} M instructions per call (whole process)")
print(f"core Signer::sign_with:   {core / 1e6:.3f} M instructions per call")
print(f"glue (interpreter + PyO3): {(per_call - core) / 1e3:.1f} k instructions per call; "
      f"core / whole = {core / per_call:.4f}x")
PY
