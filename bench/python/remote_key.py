"""Benchmark (not a test): what a Python callback RemoteKey costs per signed request, against the
same key in memory (PrivateKey) in the same run, rounds alternating so both see the same load.

    pip install target/wheels/nuvera_signing-*.whl cryptography   # or scripts/test-python's venv
    python bench/python/remote_key.py [--seconds 2] [--rounds 3]

Rows: the in-memory PrivateKey (the reference, 1.00); the callback alone (``cryptography``
signing the digest, no nuvera_signing: the floor any callback key pays); a RemoteKey whose
callable signs with ``cryptography`` with the default 10 s timeout (one helper thread per call)
and with ``timeout_ms=0`` (on the signing thread). The remote rows also include the core's
verification of each returned signature against the public key.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any, Callable, Dict, List

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

import nuvera_signing as ns

ROOT = Path(__file__).resolve().parents[2]
KEYS = ROOT / "testdata/keys"
URL = "https://api.nuvera.global/api/v1/customers"
BODY = b'{"companyName":"Acme Imports"}'


def rate(fn: Callable[[], Any], seconds: float) -> float:
    fn()
    n, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        fn()
        n += 1
    return n / elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    crypto_key = serialization.load_pem_private_key((KEYS / "test-rsa2048-pkcs8.pem").read_bytes(), None)
    assert isinstance(crypto_key, rsa.RSAPrivateKey)
    public_pem = (KEYS / "test-rsa2048-public.pem").read_text()
    digest = bytes(32)

    def sign_digest(d: bytes) -> bytes:
        return crypto_key.sign(d, padding.PKCS1v15(), Prehashed(hashes.SHA256()))

    memory = ns.Signer(ns.PrivateKey.from_file(KEYS / "test-rsa2048-pkcs8.pem"), "nv_bench")
    threaded = ns.Signer(ns.RemoteKey.from_callback(sign_digest, public_key_pem=public_pem), "nv_bench")
    inline = ns.Signer(ns.RemoteKey.from_callback(sign_digest, public_key_pem=public_pem, timeout_ms=0), "nv_bench")
    rows: Dict[str, Callable[[], Any]] = {
        "PrivateKey in memory (reference)": lambda: memory.sign("POST", URL, BODY),
        "the callable alone (cryptography)": lambda: sign_digest(digest),
        "RemoteKey callback, 10 s timeout": lambda: threaded.sign("POST", URL, BODY),
        "RemoteKey callback, timeout_ms=0": lambda: inline.sign("POST", URL, BODY),
    }
    rates: Dict[str, List[float]] = {name: [] for name in rows}
    for _ in range(args.rounds):
        for name, fn in rows.items():
            rates[name].append(rate(fn, args.seconds))
    reference = statistics.median(rates["PrivateKey in memory (reference)"])
    print(f"{'':38} {'ops/s (median)':>15} {'vs in-memory':>13}")
    for name, values in rates.items():
        median = statistics.median(values)
        print(f"{name:38} {median:15,.0f} {median / reference:13.3f}")


if __name__ == "__main__":
    main()
