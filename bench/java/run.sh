#!/usr/bin/env bash
# Java signing benchmark (not a test; not in CI), in one run on this machine:
#   - Signer.sign against the Rust core signing the same request (bench_probe), alternating
#     rounds, median of the per-round ratios, and the per-call overhead in µs;
#   - 2 threads against 1 thread (alternating rounds, median of ratios);
#   - sign/s of our Signer vs nimbus-jose-jwt and jjwt (JDK RSA), preloaded keys, 1 and 2 threads.
#   bash bench/java/run.sh [SECONDS] [ROUNDS]     (default 3 s per measurement, 5 rounds)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
SECONDS_PER=${1:-3}
ROUNDS=${2:-5}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PEM="$ROOT/testdata/keys/test-rsa2048-pkcs8.pem"

echo "==> building the jar (mvn install -DskipTests) and the core's probe" >&2
(cd java && mvn -B -q -ntp install -DskipTests)
cargo build -q --release --locked -p nuvera-signing --example bench_probe
(cd bench/java && mvn -B -q -ntp compile dependency:build-classpath -Dmdep.outputFile=target/classpath)
CP="bench/java/target/classes:$(cat bench/java/target/classpath)"

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
java -cp "$CP" SignBench "$PEM" "$SECONDS_PER" "$ROUNDS" "$CARGO_TARGET_DIR/release/examples/bench_probe"
