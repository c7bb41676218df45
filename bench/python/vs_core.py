"""Benchmark (not a test): nuvera_signing's Signer.sign against the Rust core signing the same
request, in the same run, and Signer.sign on 2 threads against itself on 1.

    pip install target/wheels/nuvera_signing-*.whl
    python bench/python/vs_core.py [--seconds 2] [--rounds 5] [--probe PATH]

The core is ``bench_probe sign-rate`` (core/examples/bench_probe.rs: ``Signer::sign("POST",
"/api/v1/customers", Body::Bytes(…))`` in a loop; built with cargo when missing). Python signs the
same method, target and body. Rounds alternate (ABBA order, so a load drift on a shared machine
favours neither side) and the figure is the median of the per-round ratios. The per-call overhead
is ``1/python_rate - 1/core_rate`` of the median round.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[2]
KEY = ROOT / "testdata/keys/test-rsa2048-pkcs8.pem"
API_KEY = "nv_live_3f9a2c7d1e"  # what bench_probe signs with
TARGET = "/api/v1/customers"
BODY = b'{"companyName":"Acme Trading Ltd","country":"GB"}'


def rate(fn: Callable[[], Any], threads: int, seconds: float) -> float:
    """Calls per second of ``fn`` on ``threads`` threads for ``seconds`` (after a short warm-up)."""
    warm = time.perf_counter() + 0.3
    while time.perf_counter() < warm:
        fn()
    counts = [0] * threads
    stop = time.perf_counter() + seconds

    def work(i: int) -> None:
        c = 0
        while time.perf_counter() < stop:
            for _ in range(10):
                fn()
            c += 10
        counts[i] = c

    ts = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    start = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return sum(counts) / (time.perf_counter() - start)


def probe_binary(explicit: Optional[str]) -> Path:
    if explicit:
        return Path(explicit)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    exe = target / "release" / "examples" / "bench_probe"
    if not exe.exists():
        print("building bench_probe (cargo build --release -p nuvera-signing --example bench_probe)",
              file=sys.stderr)
        subprocess.run(["cargo", "build", "--quiet", "--release", "-p", "nuvera-signing",
                        "--example", "bench_probe"], cwd=ROOT, check=True,
                       env={**os.environ, "CARGO_TARGET_DIR": str(target)})
    return exe


def core_rate(exe: Path, seconds: float) -> float:
    out = subprocess.run([str(exe), "sign-rate", str(KEY), str(seconds)], check=True,
                         capture_output=True, text=True).stdout
    return float(out.strip())


def alternate(a: Callable[[], float], b: Callable[[], float], rounds: int) -> List[Tuple[float, float]]:
    pairs = []
    for i in range(rounds):
        if i % 2 == 0:
            x = a()
            y = b()
        else:
            y = b()
            x = a()
        pairs.append((x, y))
    return pairs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--probe", help="path of the bench_probe binary (default: find or build it)")
    args = ap.parse_args()

    import nuvera_signing as ns

    signer = ns.Signer(ns.PrivateKey.from_file(KEY), API_KEY)

    def sign() -> Any:
        return signer.sign("POST", TARGET, BODY).headers

    exe = probe_binary(args.probe)
    s = args.seconds
    print(f"python {sys.version.split()[0]}, nuvera_signing {ns.__version__}, {os.cpu_count()} CPUs, "
          f"{args.rounds} rounds of {s:g} s")

    pairs = alternate(lambda: rate(sign, 1, s), lambda: core_rate(exe, s), args.rounds)
    for i, (p, c) in enumerate(pairs, 1):
        print(f"  round {i}: Signer.sign {p:7.0f}/s  Rust core {c:7.0f}/s  ratio {p / c:5.3f}")
    ratios = [p / c for p, c in pairs]
    median_ratio = statistics.median(ratios)
    p_med = statistics.median(p for p, _ in pairs)
    c_med = statistics.median(c for _, c in pairs)
    overhead_us = (1 / p_med - 1 / c_med) * 1e6
    print(f"1 thread: Signer.sign / Rust core = {median_ratio:.3f}x (median of {len(ratios)} "
          f"round ratios; {p_med:.0f} vs {c_med:.0f} sign/s); per-call overhead "
          f"{overhead_us:+.1f} us")

    pairs2 = alternate(lambda: rate(sign, 2, s), lambda: rate(sign, 1, s), args.rounds)
    for i, (two, one) in enumerate(pairs2, 1):
        print(f"  round {i}: 2 threads {two:7.0f}/s  1 thread {one:7.0f}/s  ratio {two / one:5.3f}")
    scale = statistics.median(two / one for two, one in pairs2)
    print(f"2 threads: {scale:.3f}x Signer.sign's own 1-thread rate (median of round ratios)")


if __name__ == "__main__":
    main()
