#!/usr/bin/env bash
# Builds the Rust side of the jar, called by Maven in `generate-resources` (see pom.xml):
#   1. the JNI library (bindings/jni, release), copied to
#      $1/global/nuvera/signing/native/<os>-<arch>/, where NativeLibrary.java loads it from the jar;
#   2. the `nuvera-sign` CLI (debug), whose mock server the tests send requests to.
# Honours CARGO_TARGET_DIR (default: the workspace's target/).
set -euo pipefail
resources="$1"
root="$(cd "$(dirname "$0")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) platform=linux-x86-64 lib=libnuvera_signing_jni.so ;;
  Linux-aarch64) platform=linux-aarch64 lib=libnuvera_signing_jni.so ;;
  Darwin-x86_64) platform=darwin-x86-64 lib=libnuvera_signing_jni.dylib ;;
  Darwin-arm64) platform=darwin-aarch64 lib=libnuvera_signing_jni.dylib ;;
  *) echo "build-native.sh: no resource folder known for $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac

(cd "$root" && cargo build --release --locked -p nuvera-signing-jni)
(cd "$root" && cargo build --locked -p nuvera-sign)

dest="$resources/global/nuvera/signing/native/$platform"
mkdir -p "$dest"
cp "$target/release/$lib" "$dest/$lib"
echo "build-native.sh: $lib in $dest"
