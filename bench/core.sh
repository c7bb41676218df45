#!/usr/bin/env bash
# Compares the core's headline figures with `openssl speed` on this machine and checks the
# streaming multipart hash's peak memory. Manual tool, not part of CI: figures depend on the
# machine and on whatever else it is running.
#
#   bench/core.sh                 # from the repository root (or anywhere: it cd's there)
#   BENCH_SECONDS=5 bench/core.sh # longer runs per figure (default 3)
#   BENCH_ROUNDS=5 bench/core.sh  # more interleaved rounds, best of each kept (default 3)
#   BENCH_RSS_MIB=256 bench/core.sh  # smaller multipart file for the memory check (default 1024)
#
# Needs cargo, python3 and openssl on PATH. Honours CARGO_TARGET_DIR. Builds the bench_probe
# example twice (aws-lc-rs, then ring) and copies both binaries to a temp dir, which also holds
# the generated multipart file; the temp dir is removed on exit.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

SECS=${BENCH_SECONDS:-3}
ROUNDS=${BENCH_ROUNDS:-3}
RSS_MIB=${BENCH_RSS_MIB:-1024}
KEY=testdata/keys/test-rsa2048-pkcs8.pem
OPENSSL=${OPENSSL:-openssl}

for tool in cargo python3 "$OPENSSL"; do
  command -v "$tool" >/dev/null || { echo "core.sh: $tool not found" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/nuvera-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# Builds the bench_probe example with the given extra cargo arguments and copies it to $1.
build_probe() {
  local dest=$1
  shift
  local exe
  exe=$(cargo build --release -p nuvera-signing --example bench_probe \
      --message-format=json-render-diagnostics "$@" |
    python3 -c '
import json, sys
exe = None
for line in sys.stdin:
    msg = json.loads(line)
    if msg.get("reason") == "compiler-artifact" and msg["target"]["name"] == "bench_probe":
        exe = msg.get("executable") or exe
if not exe:
    sys.exit("no bench_probe executable in cargo output")
print(exe)')
  cp "$exe" "$dest"
}

echo "== building bench_probe (aws-lc-rs, then ring)" >&2
build_probe "$WORK/probe-aws-lc-rs"
build_probe "$WORK/probe-ring" --no-default-features --features ring

# Runs an openssl command, failing loudly with its stderr.
run_openssl() {
  local out
  if ! out=$("$OPENSSL" "$@" 2>"$WORK/openssl.err"); then
    echo "core.sh: $OPENSSL $* failed:" >&2
    cat "$WORK/openssl.err" >&2
    exit 1
  fi
  printf '%s\n' "$out"
}

# ratio NUM DEN -> NUM/DEN with 3 decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
# verdict VALUE GOAL ge|lt -> PASS/MISS
verdict() {
  awk -v v="$1" -v g="$2" -v op="$3" \
    'BEGIN { ok = (op == "ge") ? (v >= g) : (v < g); print ok ? "PASS" : "MISS" }'
}

CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)
SHA_NI=$(grep -qw sha_ni /proc/cpuinfo 2>/dev/null && echo yes || echo no)
echo "== machine: $CPU, $(nproc) cores, sha_ni=$SHA_NI, load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# Each figure is measured ROUNDS times, ours and openssl's interleaved, and the best of each is
# kept: on a shared machine interference only ever slows a run down, so the maximum is the
# figure least disturbed by it.
best() { sort -g | tail -n 1; }
openssl_sign() {
  # openssl prints a header line naming the columns ("sign verify sign/s verify/s", and more
  # columns in 3.2+) and a row "rsa 2048 bits <numbers>": take the column headed sign/s.
  local v
  v=$(run_openssl "${OPENSSL_RSA_CMD[@]:1}" | awk '
    /sign\/s/ && !col { for (i = 1; i <= NF; i++) if ($i == "sign/s") col = i }
    /^rsa +2048 +bits/ && col { print $(3 + col); exit }')
  [[ -n $v ]] || { echo "core.sh: could not parse openssl rsa2048 sign/s" >&2; exit 1; }
  echo "$v"
}
openssl_verify() {
  local v
  v=$(run_openssl "${OPENSSL_RSA_CMD[@]:1}" | awk '
    /verify\/s/ && !col { for (i = 1; i <= NF; i++) if ($i == "verify/s") col = i }
    /^rsa +2048 +bits/ && col { print $(3 + col); exit }')
  [[ -n $v ]] || { echo "core.sh: could not parse openssl rsa2048 verify/s" >&2; exit 1; }
  echo "$v"
}
openssl_sha256() {
  # Last line: "sha256  1519227.09k", in thousands of bytes per second.
  local v
  v=$(run_openssl "${OPENSSL_SHA_CMD[@]:1}" | awk '
    tolower($1) == "sha256" && $NF ~ /k$/ { v = $NF; sub(/k$/, "", v); printf "%.3f\n", v * 1000 / 1e9 }' |
    tail -n 1)
  [[ -n $v ]] || { echo "core.sh: could not parse openssl sha256 throughput" >&2; exit 1; }
  echo "$v"
}

# --- RSA-2048 signing -------------------------------------------------------------------------
OPENSSL_RSA_CMD=("$OPENSSL" speed -seconds "$SECS" rsa2048)
echo "== RSA-2048 sign: $ROUNDS rounds of ${SECS}s each (single thread)" >&2
OUR_SIGNS=() RING_SIGNS=() PEER_SIGNS=()
for ((r = 1; r <= ROUNDS; r++)); do
  OUR_SIGNS+=("$("$WORK/probe-aws-lc-rs" sign-rate "$KEY" "$SECS")")
  RING_SIGNS+=("$("$WORK/probe-ring" sign-rate "$KEY" "$SECS")")
  PEER_SIGNS+=("$(openssl_sign)")
  echo "   round $r: aws-lc-rs ${OUR_SIGNS[-1]}  ring ${RING_SIGNS[-1]}  openssl ${PEER_SIGNS[-1]}" >&2
done
OUR_SIGN=$(printf '%s\n' "${OUR_SIGNS[@]}" | best)

# --- RSA-2048 verification (whole Verifier::verify) ------------------------------------------
echo "== RSA-2048 verify: $ROUNDS rounds of ${SECS}s each (single thread)" >&2
OUR_VERIFIES=() PEER_VERIFIES=()
for ((r = 1; r <= ROUNDS; r++)); do
  OUR_VERIFIES+=("$("$WORK/probe-aws-lc-rs" verify-rate "$KEY" "$SECS")")
  PEER_VERIFIES+=("$(openssl_verify)")
  echo "   round $r: ours ${OUR_VERIFIES[-1]}  openssl ${PEER_VERIFIES[-1]}" >&2
done
OUR_VERIFY=$(printf '%s\n' "${OUR_VERIFIES[@]}" | best)
PEER_VERIFY=$(printf '%s\n' "${PEER_VERIFIES[@]}" | best)
RING_SIGN=$(printf '%s\n' "${RING_SIGNS[@]}" | best)
PEER_SIGN=$(printf '%s\n' "${PEER_SIGNS[@]}" | best)

# --- SHA-256 body hash ------------------------------------------------------------------------
OPENSSL_SHA_CMD=("$OPENSSL" speed -seconds "$SECS" -bytes 16384 -evp sha256)
# 64 MiB buffers: about 1.5 GB/s with SHA-NI, so 64 rounds take about 3 seconds.
HASH_ROUNDS=$(( SECS * 64 / 3 > 0 ? SECS * 64 / 3 : 1 ))
echo "== SHA-256 body hash: $ROUNDS rounds of ~${SECS}s each" >&2
OUR_HASHES=() PEER_HASHES=()
for ((r = 1; r <= ROUNDS; r++)); do
  OUR_HASHES+=("$("$WORK/probe-aws-lc-rs" hash-rate 64 "$HASH_ROUNDS")")
  PEER_HASHES+=("$(openssl_sha256)")
  echo "   round $r: ours ${OUR_HASHES[-1]} GB/s  openssl ${PEER_HASHES[-1]} GB/s" >&2
done
OUR_HASH=$(printf '%s\n' "${OUR_HASHES[@]}" | best)
PEER_HASH=$(printf '%s\n' "${PEER_HASHES[@]}" | best)

# --- Peak RSS of a streamed multipart hash ----------------------------------------------------
echo "== peak RSS: generating a ${RSS_MIB} MiB multipart file in $WORK" >&2
BOUNDARY="----NuveraBench$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
CONTENT_TYPE="multipart/form-data; boundary=$BOUNDARY"
# The file content is all zero bytes, so it cannot contain the boundary.
write_multipart() { # $1 = path, $2 = file content bytes
  {
    printf -- '--%s\r\nContent-Disposition: form-data; name="customerId"\r\n\r\nc_42\r\n' "$BOUNDARY"
    printf -- '--%s\r\nContent-Disposition: form-data; name="document"; filename="big.bin"\r\n' "$BOUNDARY"
    printf -- 'Content-Type: application/octet-stream\r\n\r\n'
    head -c "$2" /dev/zero
    printf -- '\r\n--%s--\r\n' "$BOUNDARY"
  } >"$1"
}
RSS_BYTES=$(( RSS_MIB * 1024 * 1024 ))
write_multipart "$WORK/big.multipart" "$RSS_BYTES"
write_multipart "$WORK/tiny.multipart" 16
EXPECTED_SHA=$(head -c "$RSS_BYTES" /dev/zero | "$OPENSSL" dgst -sha256 -r | cut -d' ' -f1)

# Runs the probe's hash-multipart-file under python3 and prints one line:
#   <peak RSS MiB from getrusage> <wall s> <probe's own VmHWM MiB> <bodyHash>
# then the canonical object on a second line. RUSAGE_CHILDREN's ru_maxrss is in KiB on Linux.
# Caveat: when a child execs, Linux folds the parent's peak RSS into the child's ru_maxrss, so
# this figure can never be below python3's own RSS (about 14 MiB); the probe's VmHWM (read from
# /proc/self/status as it exits) is the probe alone.
measure_rss() { # $1 = multipart file
  python3 - "$WORK/probe-aws-lc-rs" "$CONTENT_TYPE" "$1" <<'PY'
import resource, subprocess, sys, time
probe, content_type, path = sys.argv[1:4]
start = time.perf_counter()
run = subprocess.run([probe, "hash-multipart-file", content_type, path],
                     capture_output=True, text=True)
wall = time.perf_counter() - start
if run.returncode != 0:
    sys.stderr.write(run.stderr)
    sys.exit(f"bench_probe failed with status {run.returncode}")
kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
canonical, stats = run.stderr.strip().splitlines()[-2:]
hwm = dict(kv.split("=", 1) for kv in stats.split())["vmhwm_kib"]
hwm_mib = f"{int(hwm) / 1024:.2f}" if hwm.isdigit() else "n/a"
print(f"{kib / 1024:.2f} {wall:.3f} {hwm_mib} {run.stdout.strip()}")
print(canonical)
PY
}
echo "== peak RSS: hashing it (and a 16-byte one for the baseline)" >&2
BASE_OUT=$(measure_rss "$WORK/tiny.multipart")
read -r BASE_RSS BASE_WALL BASE_HWM _ <<<"$(head -n 1 <<<"$BASE_OUT")"
BIG_OUT=$(measure_rss "$WORK/big.multipart")
read -r BIG_RSS BIG_WALL BIG_HWM BIG_HASH <<<"$(head -n 1 <<<"$BIG_OUT")"
BIG_CANONICAL=$(sed -n 2p <<<"$BIG_OUT")
rm -f "$WORK/big.multipart"
if ! grep -q "\"size\":$RSS_BYTES,\"sha256\":\"$EXPECTED_SHA\"" <<<"$BIG_CANONICAL"; then
  echo "core.sh: the probe's canonical object does not match the generated file:" >&2
  echo "  $BIG_CANONICAL" >&2
  echo "  expected size $RSS_BYTES, sha256 $EXPECTED_SHA" >&2
  exit 1
fi
BIG_GBPS=$(awk -v b="$RSS_BYTES" -v t="$BIG_WALL" 'BEGIN { printf "%.3f", b / t / 1e9 }')

# --- Report -----------------------------------------------------------------------------------
SIGN_RATIO=$(ratio "$OUR_SIGN" "$PEER_SIGN")
RING_RATIO=$(ratio "$RING_SIGN" "$PEER_SIGN")
HASH_RATIO=$(ratio "$OUR_HASH" "$PEER_HASH")
VERIFY_RATIO=$(ratio "$OUR_VERIFY" "$PEER_VERIFY")

echo
echo "nuvera-signing core vs openssl ($($OPENSSL version | cut -d' ' -f1-2)), $CPU, $(nproc) cores, sha_ni=$SHA_NI"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
FMT='%-44s %14s %14s %8s %8s  %s\n'
# shellcheck disable=SC2059
{
  printf "$FMT" "figure" "ours" "openssl" "ratio" "goal" "result"
  printf "$FMT" "RSA-2048 sign/s, aws-lc-rs (default)" "$OUR_SIGN" "$PEER_SIGN" "$SIGN_RATIO" ">=0.95" \
    "$(verdict "$SIGN_RATIO" 0.95 ge)"
  printf "$FMT" "RSA-2048 sign/s, ring" "$RING_SIGN" "$PEER_SIGN" "$RING_RATIO" "(info)" ""
  printf "$FMT" "RSA-2048 verify/s, whole Verifier::verify" "$OUR_VERIFY" "$PEER_VERIFY" "$VERIFY_RATIO" "(info)" ""
  printf "$FMT" "SHA-256 body hash GB/s (64 MiB in memory)" "$OUR_HASH" "$PEER_HASH" "$HASH_RATIO" ">=0.9" \
    "$(verdict "$HASH_RATIO" 0.9 ge)"
  printf "$FMT" "peak RSS MiB, ${RSS_MIB} MiB multipart (getrusage)" "$BIG_RSS" "-" "-" "<32" \
    "$(verdict "$BIG_RSS" 32 lt)"
  printf "$FMT" "  same run, the probe's own VmHWM MiB" "$BIG_HWM" "-" "-" "(info)" ""
}
echo
echo "each of ours/openssl: best of $ROUNDS interleaved runs (per-run figures on stderr)"
echo "         sign/s: ${OUR_SIGNS[*]} (aws-lc-rs) | ${RING_SIGNS[*]} (ring) | ${PEER_SIGNS[*]} (openssl)"
echo "         verify/s: ${OUR_VERIFIES[*]} (ours) | ${PEER_VERIFIES[*]} (openssl)"
echo "         GB/s:   ${OUR_HASHES[*]} (ours) | ${PEER_HASHES[*]} (openssl)"
echo "ours:    sign/s = whole Signer::sign of a small JSON body (RSA op dominates), ${SECS}s, 1 thread"
echo "         hash   = body_hash of a 64 MiB buffer x $HASH_ROUNDS per run (GB = 10^9 bytes)"
echo "         verify = Verifier::verify of one RS256 token, every rule of contract §6, replay check stubbed"
echo "openssl: ${OPENSSL_RSA_CMD[*]}   (sign/s and verify/s columns)"
echo "         ${OPENSSL_SHA_CMD[*]}   (k = 1000 bytes/s)"
echo "rss:     bench_probe hash-multipart-file (canonicalize_wire_reader on the file), measured with"
echo "         python3 resource.getrusage(RUSAGE_CHILDREN).ru_maxrss; ${BIG_WALL}s wall, ${BIG_GBPS} GB/s;"
echo "         baseline, same probe on a 16-byte file: getrusage ${BASE_RSS} MiB, VmHWM ${BASE_HWM} MiB"
echo "         (getrusage includes python3's own RSS, which Linux folds into the child's at exec)"
echo "         bodyHash  $BIG_HASH"
echo "         canonical $BIG_CANONICAL"
