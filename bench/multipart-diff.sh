#!/usr/bin/env bash
# The longer run of the multipart differential test (tests/multipart-diff/run): more forms, and a
# seed of your choice (default: a new one each run, printed so a failure can be replayed).
# Usage: bench/multipart-diff.sh [FORMS] [SEED]
set -euo pipefail
forms="${1:-5000}"
seed="${2:-$(date +%s)}"
echo "seed $seed, $forms forms (replay: bench/multipart-diff.sh $forms $seed)"
exec bash "$(dirname "$0")/../tests/multipart-diff/run" --seed "$seed" --forms "$forms"
