#!/usr/bin/env bash
# FFI overhead of the C API: RS256 signs per second through libnuvera_signing (bench/c/sign_rate.c,
# shared and static library) against the Rust core called directly
# (bindings/c/examples/core_sign_rate.rs, same workload), in one run of interleaved rounds.
# Manual tool, not a test.
#
#   bench/c/run.sh                    # BENCH_SECONDS per figure (default 3),
#   BENCH_ROUNDS=7 bench/c/run.sh     # BENCH_ROUNDS interleaved rounds (default 5)
#
# Each program reports signs per second of its thread's CPU time (robust when other processes
# share the cores) and of wall time; the summary gives the median of each over the rounds.
# Needs cargo, python3 and a C compiler. Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

SECS=${BENCH_SECONDS:-3}
ROUNDS=${BENCH_ROUNDS:-5}
KEY=testdata/keys/test-rsa2048-pkcs8.pem
TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
CC=${CC:-cc}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/nuvera-bench-c.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

cargo build -q --release --locked -p nuvera-signing-c --example core_sign_rate
RUST=$TARGET_DIR/release/examples/core_sign_rate
CFLAGS=(-O2 -std=c11 -Wall -Wextra -Werror -pedantic -D_POSIX_C_SOURCE=199309L -Ibindings/c/include)
"$CC" "${CFLAGS[@]}" bench/c/sign_rate.c -o "$WORK/c_shared" -L"$TARGET_DIR/release" \
  -lnuvera_signing -Wl,-rpath,"$TARGET_DIR/release"
"$CC" "${CFLAGS[@]}" bench/c/sign_rate.c -o "$WORK/c_static" \
  "$TARGET_DIR/release/libnuvera_signing.a" -lpthread -ldl -lm

: >"$WORK/results"
for round in $(seq "$ROUNDS"); do
  for prog in rust c_shared c_static; do
    exe=$WORK/$prog
    [ "$prog" = rust ] && exe=$RUST
    echo "$prog $("$exe" "$KEY" "$SECS" 2>/dev/null)" >>"$WORK/results"
  done
  echo "round $round: $(tail -n 3 "$WORK/results" | tr '\n' ' ')" >&2
done
python3 - "$WORK/results" "$SECS" "$ROUNDS" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
med = lambda prog, col: statistics.median(float(r[col]) for r in rows if r[0] == prog)
print(f"RSA-2048 sign/s, median of {sys.argv[3]} interleaved rounds of {sys.argv[2]} s "
      f"({sys.argv[4]} cores, load average {sys.argv[5]})")
print(f"{'':34}{'per CPU-second':>16}{'per wall-second':>17}")
base_cpu, base_wall = med("rust", 1), med("rust", 2)
for prog, name in [("rust", "Rust core, direct"), ("c_shared", "C API, libnuvera_signing.so"),
                   ("c_static", "C API, libnuvera_signing.a")]:
    cpu, wall = med(prog, 1), med(prog, 2)
    note = "" if prog == "rust" else f"   overhead {100 * (base_cpu - cpu) / base_cpu:+.2f} % (CPU), {100 * (base_wall - wall) / base_wall:+.2f} % (wall)"
    print(f"  {name:32}{cpu:16.1f}{wall:17.1f}{note}")
# Rounds are interleaved (rust, c_shared, c_static): within a round the three ran under the same
# load, so the per-round ratio to the core is the figure that load affects least.
by_round = [rows[i:i + 3] for i in range(0, len(rows), 3)]
for prog, name in [("c_shared", "C API (.so)"), ("c_static", "C API (.a)")]:
    pairs = [(float(next(r for r in rnd if r[0] == "rust")[1]), float(next(r for r in rnd if r[0] == prog)[1]))
             for rnd in by_round]
    ratio = statistics.median(c / rust for rust, c in pairs)
    micros = statistics.median((1 / c - 1 / rust) * 1e6 for rust, c in pairs)
    print(f"  {name}: {ratio:.3f}x the core per CPU-second (median of per-round ratios), "
          f"{micros:+.2f} us per call")
PY
