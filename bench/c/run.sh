#!/usr/bin/env bash
# FFI overhead of the C API: RS256 signs per second through libnuvera_signing (bench/c/sign_rate.c)
# against the Rust core called directly (core/examples/bench_probe.rs, same workload), in one run.
# Manual tool, not a test: figures depend on the machine and what else it runs.
#
#   bench/c/run.sh                   # from anywhere; BENCH_SECONDS (default 3) per figure,
#   BENCH_ROUNDS=5 bench/c/run.sh    # BENCH_ROUNDS interleaved rounds (default 3), best of each kept
#
# Needs cargo and a C compiler. Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

SECS=${BENCH_SECONDS:-3}
ROUNDS=${BENCH_ROUNDS:-3}
KEY=testdata/keys/test-rsa2048-pkcs8.pem
TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
CC=${CC:-cc}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/nuvera-bench-c.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

cargo build -q --release --locked -p nuvera-signing-c
cargo build -q --release --locked -p nuvera-signing --example bench_probe
RUST=$TARGET_DIR/release/examples/bench_probe
"$CC" -O2 -std=c11 -Wall -Wextra -Werror -pedantic -D_POSIX_C_SOURCE=199309L -Ibindings/c/include \
  bench/c/sign_rate.c -o "$WORK/sign_rate_shared" -L"$TARGET_DIR/release" -lnuvera_signing \
  -Wl,-rpath,"$TARGET_DIR/release"
"$CC" -O2 -std=c11 -Wall -Wextra -Werror -pedantic -D_POSIX_C_SOURCE=199309L -Ibindings/c/include \
  bench/c/sign_rate.c -o "$WORK/sign_rate_static" "$TARGET_DIR/release/libnuvera_signing.a" \
  -lpthread -ldl -lm

best() { python3 -c 'import sys; print(max(float(x) for x in sys.argv[1:]))' "$@"; }
rust=() shared=() static=()
for round in $(seq "$ROUNDS"); do
  rust+=("$("$RUST" sign-rate "$KEY" "$SECS" 2>/dev/null)")
  shared+=("$("$WORK/sign_rate_shared" "$KEY" "$SECS" 2>/dev/null)")
  static+=("$("$WORK/sign_rate_static" "$KEY" "$SECS" 2>/dev/null)")
  echo "round $round: rust ${rust[-1]}  c-shared ${shared[-1]}  c-static ${static[-1]} signs/s" >&2
done
R=$(best "${rust[@]}") S=$(best "${shared[@]}") T=$(best "${static[@]}")
python3 - "$R" "$S" "$T" "$SECS" "$ROUNDS" <<'PY'
import sys
r, s, t = map(float, sys.argv[1:4])
print(f"RSA-2048 sign/s, best of {sys.argv[5]} interleaved rounds of {sys.argv[4]} s each")
print(f"  Rust core (bench_probe)          {r:10.1f}")
print(f"  C API, libnuvera_signing.so      {s:10.1f}   overhead {100 * (r - s) / r:+.2f} %")
print(f"  C API, libnuvera_signing.a       {t:10.1f}   overhead {100 * (r - t) / r:+.2f} %")
PY
