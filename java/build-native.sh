#!/usr/bin/env bash
# Builds the Rust side of the jar, called by Maven in `generate-sources` (see pom.xml):
#   1. the uniffi cdylib (bindings/uniffi, release) and the workspace's pinned uniffi-bindgen (debug);
#   2. the Kotlin bindings generated from that library into $1 (compiled by kotlin-maven-plugin;
#      bindings/uniffi/uniffi.toml names their package, read by uniffi-bindgen in library mode);
#   3. the library copied to $2/linux-x86-64/, the path where JNA finds it on the classpath;
#   4. the `nuvera-sign` CLI (debug), whose mock server the tests send requests to.
# Honours CARGO_TARGET_DIR (default: the workspace's target/).
set -euo pipefail
generated="$1"
resources="$2"
root="$(cd "$(dirname "$0")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) jna_dir=linux-x86-64 lib=libnuvera_signing_uniffi.so ;;
  Linux-aarch64) jna_dir=linux-aarch64 lib=libnuvera_signing_uniffi.so ;;
  Darwin-x86_64) jna_dir=darwin-x86-64 lib=libnuvera_signing_uniffi.dylib ;;
  Darwin-arm64) jna_dir=darwin-aarch64 lib=libnuvera_signing_uniffi.dylib ;;
  *) echo "build-native.sh: no JNA resource path known for $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac

# Built one package at a time, as maturin does, so that cargo's feature unification gives the same
# artifacts and a build after the Python wheel's reuses them (the generator needs no optimizing).
(cd "$root" && cargo build --release --locked -p nuvera-signing-uniffi)
(cd "$root" && cargo build --locked -p nuvera-uniffi-bindgen)
(cd "$root" && cargo build --locked -p nuvera-sign)

rm -rf "$generated"
mkdir -p "$generated" "$resources/$jna_dir"
"$target/debug/uniffi-bindgen" generate --no-format \
  --library "$target/release/$lib" \
  --language kotlin \
  --out-dir "$generated"
cp "$target/release/$lib" "$resources/$jna_dir/$lib"
echo "build-native.sh: Kotlin bindings in $generated, $lib in $resources/$jna_dir"
