"""Benchmark (not a test): nuvera_signing's Signer.sign against PyJWT, and the multipart hash of a
1 GiB file against hashlib.

    pip install target/wheels/nuvera_signing-*.whl pyjwt cryptography
    python bench/python/bench_sign.py [--seconds 3] [--big-file-gib 1] [--rounds 3]

It also measures the Rust core itself (``bench_probe sign-rate``, ``core/examples/bench_probe.rs``,
run as a subprocess; built with cargo when missing) in the same run, alternating with
``Signer.sign`` round by round, and prints the Python/Rust-core ratio, so that both figures come
from the same machine load.

PyJWT is measured as a partner would use it: building the same nine claims (SHA-256 of the body
with hashlib, uuid4, time) and encoding with a preloaded ``cryptography`` key, or with the PEM
given on each call (PyJWT then parses the key every time).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

ROOT = Path(__file__).resolve().parents[2]
KEY = ROOT / "testdata/keys/test-rsa2048-pkcs8.pem"
URL = "https://api.nuvera.global/api/v1/customers"
API_KEY = "nv_live_3f9a2c7d1e"
BODY = json.dumps({"companyName": "Acme Imports", "registrationNumber": "ACME-123"}).encode()


def rate(fn: Callable[[], Any], seconds: float) -> float:
    fn()
    n = 0
    start = time.perf_counter()
    while True:
        for _ in range(20):
            fn()
        n += 20
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n / elapsed


def threaded_rate(fn: Callable[[], Any], threads: int, seconds: float) -> float:
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


def pyjwt_claims() -> Dict[str, Any]:
    now = int(time.time())
    return {
        "iss": "nuvera-api", "aud": "nuvera-rest-api", "sub": API_KEY, "method": "POST",
        "uri": "/api/v1/customers", "bodyHash": hashlib.sha256(BODY).hexdigest(),
        "iat": now, "exp": now + 55, "jti": str(uuid.uuid4()),
    }


HASH_CHILD = r"""
import hashlib, resource, sys, time
mode, path = sys.argv[1], sys.argv[2]
t = time.perf_counter()
if mode == "nuvera":
    import nuvera_signing as ns
    h = ns.MultipartForm().add_file_path("file", path, "big.bin", "application/octet-stream").body_hash()
else:
    d = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            d.update(b)
    h = d.hexdigest()
dt = time.perf_counter() - t
# VmHWM is this process's own peak (ru_maxrss survives fork+exec and would show the parent's).
hwm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
except OSError:
    pass
print(f"{dt:.3f} {hwm} {h}")
"""


def big_file_hash(gib: float) -> None:
    size = int(gib * (1 << 30))
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMPDIR")) as tmp:
        path = Path(tmp) / "big.bin"
        chunk = os.urandom(1 << 20)
        with path.open("wb") as f:
            for _ in range(size // len(chunk)):
                f.write(chunk)
        for mode in ("hashlib", "nuvera"):
            # warm the page cache first, then measure
            subprocess.run([sys.executable, "-c", HASH_CHILD, mode, str(path)], check=True, capture_output=True)
            out = subprocess.run([sys.executable, "-c", HASH_CHILD, mode, str(path)],
                                 check=True, capture_output=True, text=True).stdout.split()
            secs, rss_kib = float(out[0]), int(out[1])
            label = "hashlib.sha256 of the file (1 MiB reads)" if mode == "hashlib" else \
                "MultipartForm.add_file_path(...).body_hash()"
            print(f"{gib:g} GiB {label:48s} {secs:6.2f} s  {size / secs / 1e6:7.0f} MB/s  "
                  f"peak RSS {rss_kib / 1024:6.1f} MiB")


def probe_binary(explicit: Optional[str]) -> Optional[Path]:
    """The bench_probe binary: given, found in the target dir, or built with cargo."""
    if explicit:
        return Path(explicit)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    exe = target / "release" / "examples" / "bench_probe"
    if not exe.exists():
        print(f"building {exe} (cargo build --release -p nuvera-signing --example bench_probe)",
              file=sys.stderr)
        try:
            subprocess.run(["cargo", "build", "--quiet", "--release", "-p", "nuvera-signing",
                            "--example", "bench_probe"], cwd=ROOT, check=True,
                           env={**os.environ, "CARGO_TARGET_DIR": str(target)})
        except (OSError, subprocess.CalledProcessError) as e:
            print(f"cannot build bench_probe ({e}); skipping the Rust-core comparison",
                  file=sys.stderr)
            return None
    return exe


def core_rate(exe: Path, seconds: float) -> float:
    out = subprocess.run([str(exe), "sign-rate", str(KEY), str(seconds)], check=True,
                         capture_output=True, text=True).stdout
    return float(out.strip())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--big-file-gib", type=float, default=1.0)
    ap.add_argument("--rounds", type=int, default=3,
                    help="alternating Signer.sign / Rust-core rounds (0 skips the core comparison)")
    ap.add_argument("--probe", help="path of the bench_probe binary (default: find or build it)")
    args = ap.parse_args()

    import jwt
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    import nuvera_signing as ns

    pem = KEY.read_bytes()
    signer = ns.Signer(ns.PrivateKey.from_pem(pem), API_KEY)
    crypto_key = load_pem_private_key(pem, password=None)

    def ours() -> Any:
        return signer.sign("POST", URL, BODY).headers

    def pyjwt_preloaded() -> Any:
        return jwt.encode(pyjwt_claims(), crypto_key, algorithm="RS256")  # type: ignore[arg-type]

    def pyjwt_pem() -> Any:
        return jwt.encode(pyjwt_claims(), pem, algorithm="RS256")

    import cryptography

    print(f"python {sys.version.split()[0]}, PyJWT {jwt.__version__}, cryptography "
          f"{cryptography.__version__}, nuvera_signing {ns.__version__}, {os.cpu_count()} CPUs")
    s = args.seconds
    results = {
        "nuvera_signing Signer.sign, 1 thread": rate(ours, s),
        "PyJWT + preloaded cryptography key, 1 thread": rate(pyjwt_preloaded, s),
        "PyJWT given the PEM each call, 1 thread": rate(pyjwt_pem, s),
        "nuvera_signing Signer.sign, 2 threads": threaded_rate(ours, 2, s),
        "PyJWT + preloaded cryptography key, 2 threads": threaded_rate(pyjwt_preloaded, 2, s),
    }
    base = results["PyJWT + preloaded cryptography key, 1 thread"]
    for name, r in results.items():
        print(f"{name:48s} {r:8.0f} sign/s  ({r / base:4.2f}x PyJWT preloaded)")
    exe = probe_binary(args.probe) if args.rounds > 0 else None
    if exe is not None:
        # Same process load for both: alternate Python and the Rust core, one round each.
        py_rates: List[float] = []
        core_rates: List[float] = []
        for i in range(args.rounds):
            # ABBA order, so that a load drift on a shared machine favours neither side
            if i % 2 == 0:
                py_rates.append(rate(ours, s))
                core_rates.append(core_rate(exe, s))
            else:
                core_rates.append(core_rate(exe, s))
                py_rates.append(rate(ours, s))
            print(f"round {i + 1}: Signer.sign {py_rates[-1]:8.0f} sign/s, Rust core "
                  f"{core_rates[-1]:8.0f} sign/s ({py_rates[-1] / core_rates[-1]:4.2f}x)")
        py_med = sorted(py_rates)[len(py_rates) // 2]
        core_med = sorted(core_rates)[len(core_rates) // 2]
        ratios = sorted(p / c for p, c in zip(py_rates, core_rates))
        print(f"{'median: Signer.sign / Rust core (bench_probe)':48s} {py_med:8.0f} / "
              f"{core_med:.0f} sign/s  ({py_med / core_med:4.2f}x the Rust core; "
              f"median of the round ratios {ratios[len(ratios) // 2]:4.2f}x)")
    if args.big_file_gib > 0:
        big_file_hash(args.big_file_gib)


if __name__ == "__main__":
    main()
