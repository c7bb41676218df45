#!/usr/bin/env bash
# Java signing benchmark (not a test; not in CI): in one run on this machine,
#   - sign/s of our Signer vs nimbus-jose-jwt and jjwt (JDK RSA), preloaded keys, 1 and 2 threads;
#   - the binding's per-call overhead: Java Signer.sign vs the Rust core's own sign/s (bench_probe).
#   bash bench/java/run.sh [SECONDS]     (default 5 per measurement)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
SECONDS_PER=${1:-5}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PEM="$ROOT/testdata/keys/test-rsa2048-pkcs8.pem"

echo "==> building the jar (mvn install -DskipTests) and the core's probe" >&2
(cd java && mvn -B -q -ntp install -DskipTests)
cargo build -q --release --locked -p nuvera-signing --example bench_probe
(cd bench/java && mvn -B -q -ntp compile dependency:build-classpath -Dmdep.outputFile=target/classpath)
CP="bench/java/target/classes:$(cat bench/java/target/classpath)"

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
core_before=$("$CARGO_TARGET_DIR/release/examples/bench_probe" sign-rate "$PEM" "$SECONDS_PER")
out=$(java -cp "$CP" SignBench "$PEM" "$SECONDS_PER")
core_after=$("$CARGO_TARGET_DIR/release/examples/bench_probe" sign-rate "$PEM" "$SECONDS_PER")
echo "$out" | grep -v '^OURS_1T'
ours=$(echo "$out" | sed -n 's/^OURS_1T //p')
python3 - "$ours" "$core_before" "$core_after" <<'PYEOF'
import sys
ours, before, after = (float(x) for x in sys.argv[1:])
core = (before + after) / 2
print(f"Rust core (bench_probe, before/after): {before:.0f}/s, {after:.0f}/s")
print(f"RATIO java/core: {ours / core:.3f} (per-call overhead of the binding: {1e6 / ours - 1e6 / core:+.1f} us per sign)")
PYEOF
