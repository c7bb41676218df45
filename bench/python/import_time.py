"""Measures ``import nuvera_signing`` (not a test): the median, over fresh interpreters, of the
cumulative time ``python -X importtime`` reports for the package, and of the wall time of
``python -c "import nuvera_signing"`` minus ``python -c "pass"``.

    python bench/python/import_time.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def importtime_us() -> int:
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", "import nuvera_signing"],
                         check=True, capture_output=True, text=True).stderr
    for line in err.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 3 and parts[2] == "nuvera_signing":
            return int(parts[1])
    raise RuntimeError("nuvera_signing not in the -X importtime output")


def wall(code: str) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    cumulative = statistics.median(importtime_us() for _ in range(args.runs)) / 1000
    deltas = []
    for _ in range(args.runs):
        deltas.append(wall("import nuvera_signing") - wall("pass"))
    print(f"python {sys.version.split()[0]}: import nuvera_signing, median of {args.runs} fresh "
          f"interpreters: -X importtime cumulative {cumulative:.1f} ms; wall time over an empty "
          f"interpreter {statistics.median(deltas) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
