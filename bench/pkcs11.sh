#!/usr/bin/env bash
# Signing with the key in a PKCS#11 token (SoftHSM2) vs the same key in memory, in one run: the
# whole Signer::sign of a small JSON body, as signatures per second and as a ratio to the
# in-memory figure measured in the same rounds. Also: the token behind `p11-kit server` (the key
# in another process, reached over a socket), and a callback key whose callback signs in memory
# (what the RemoteKey machinery itself costs: helper thread, timeout, verification of each
# signature). Manual tool, not part of CI: figures depend on the machine and what else it runs.
#
#   bench/pkcs11.sh                  # from anywhere (it cd's to the repository root)
#   BENCH_SECONDS=5 bench/pkcs11.sh  # longer runs per figure (default 2)
#   BENCH_ROUNDS=5 bench/pkcs11.sh   # more interleaved rounds, best of each kept (default 3)
#
# Needs cargo, python3, softhsm2-util (Debian softhsm2) and, for the p11-kit line, p11-kit and
# p11-kit-modules. Builds the remote_bench_probe example (release). Token and socket live in a temp
# dir removed on exit.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

SECS=${BENCH_SECONDS:-2}
ROUNDS=${BENCH_ROUNDS:-3}
KEY=testdata/keys/test-rsa2048-pkcs8.pem
MODULE=${SOFTHSM_MODULE:-/usr/lib/softhsm/libsofthsm2.so}

for tool in cargo python3 softhsm2-util; do
  command -v "$tool" >/dev/null || { echo "pkcs11.sh: $tool not found" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/nuvera-bench-pkcs11.XXXXXX")
SERVER_PID=
cleanup() {
  if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== building remote_bench_probe (release)" >&2
PROBE=$(cargo build --release -p nuvera-signing --features pkcs11 --example remote_bench_probe \
    --message-format=json-render-diagnostics |
  python3 -c '
import json, sys
exe = None
for line in sys.stdin:
    msg = json.loads(line)
    if msg.get("reason") == "compiler-artifact" and msg["target"]["name"] == "remote_bench_probe":
        exe = msg.get("executable") or exe
if not exe:
    sys.exit("no remote_bench_probe executable in cargo output")
print(exe)')

echo "== a SoftHSM2 token in $WORK with the test key" >&2
mkdir "$WORK/tokens"
cat >"$WORK/softhsm2.conf" <<CONF
directories.tokendir = $WORK/tokens
objectstore.backend = file
log.level = ERROR
CONF
export SOFTHSM2_CONF=$WORK/softhsm2.conf
export NUVERA_PKCS11_TOKEN=bench NUVERA_PKCS11_KEY=signing NUVERA_PKCS11_PIN=bench-pin-1234
softhsm2-util --init-token --free --label bench --so-pin bench-so-5678 --pin "$NUVERA_PKCS11_PIN" >/dev/null
softhsm2-util --import "$KEY" --token bench --label signing --id 01 --pin "$NUVERA_PKCS11_PIN" >/dev/null

P11KIT_CLIENT=$(ls /usr/lib/*/pkcs11/p11-kit-client.so 2>/dev/null | head -n 1 || true)
if command -v p11-kit >/dev/null && [[ -n $P11KIT_CLIENT ]]; then
  p11-kit server -f -n "$WORK/p11kit.sock" --provider "$MODULE" "pkcs11:token=bench" >/dev/null 2>&1 &
  SERVER_PID=$!
  while [[ ! -S $WORK/p11kit.sock ]]; do
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "pkcs11.sh: p11-kit server ended" >&2; exit 1; }
    sleep 0.05
  done
else
  echo "pkcs11.sh: p11-kit or p11-kit-client.so missing: no p11-kit line" >&2
fi

probe() { # $1 = place, $2 = threads, then env assignments
  local place=$1 threads=$2
  shift 2
  env "$@" "$PROBE" "$place" "$KEY" "$SECS" "$threads"
}

CASES=(
  "memory 1"
  "memory 2"
  "pkcs11 1 NUVERA_PKCS11_MODULE=$MODULE"
  "pkcs11 2 NUVERA_PKCS11_MODULE=$MODULE"
  "callback 1"
  "callback-inline 1"
)
[[ -n $SERVER_PID ]] && CASES+=("pkcs11 1 NUVERA_PKCS11_MODULE=$P11KIT_CLIENT P11_KIT_SERVER_ADDRESS=unix:path=$WORK/p11kit.sock")
LABELS=(
  "in memory, 1 thread (reference)"
  "in memory, 2 threads"
  "SoftHSM2 in-process, 1 thread"
  "SoftHSM2 in-process, 2 threads"
  "callback (10 s timeout), 1 thread"
  "callback (no timeout), 1 thread"
  "SoftHSM2 behind p11-kit server, 1 thread"
)

CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)
echo "== machine: $CPU, $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "== $ROUNDS interleaved rounds of ${SECS}s per figure" >&2
declare -A RUNS CPU_RUNS
for ((r = 1; r <= ROUNDS; r++)); do
  line="   round $r (wall, per CPU-s):"
  for i in "${!CASES[@]}"; do
    # shellcheck disable=SC2086
    read -r wall cpu <<<"$(probe ${CASES[$i]})"
    RUNS[$i]="${RUNS[$i]:-} $wall"
    CPU_RUNS[$i]="${CPU_RUNS[$i]:-} $cpu"
    line+=" $wall/$cpu"
  done
  echo "$line" >&2
done

# On a shared machine interference only slows a run down: the best of the rounds is the figure
# least disturbed by it. Wall rates on a loaded machine also depend on how the scheduler shares
# the cores (a process that starts a thread per call gets a larger share), so the signatures per
# CPU-second of the signing process are shown too; for p11-kit they leave out the server's CPU.
best() { tr ' ' '\n' | grep . | sort -g | tail -n 1; }
REF=$(best <<<"${RUNS[0]}")
CPU_REF=$(best <<<"${CPU_RUNS[0]}")
echo
echo "RSA-2048 Signer::sign of a small JSON body (best of $ROUNDS runs of ${SECS}s each)"
echo "$CPU, $(nproc) cores; load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf '%-42s %8s %9s %11s %9s\n' "key" "sign/s" "x memory" "sign/CPU-s" "x memory"
for i in "${!CASES[@]}"; do
  b=$(best <<<"${RUNS[$i]}")
  c=$(best <<<"${CPU_RUNS[$i]}")
  printf '%-42s %8s %9s %11s %9s\n' "${LABELS[$i]}" "$b" \
    "$(awk -v a="$b" -v r="$REF" 'BEGIN { printf "%.3f", a / r }')" "$c" \
    "$(awk -v a="$c" -v r="$CPU_REF" 'BEGIN { printf "%.3f", a / r }')"
done
echo
echo "runs, wall sign/s:"
for i in "${!CASES[@]}"; do printf '  %-42s%s\n' "${LABELS[$i]}" "${RUNS[$i]}"; done
