"""The example in examples/python runs and does what it says."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT


def test_example_runs() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUVERA_")}
    out = subprocess.run(
        [sys.executable, str(ROOT / "examples/python/sign_request.py")],
        capture_output=True, text=True, env=env, timeout=120, check=True,
    ).stdout
    assert "verified: application 'Example', permission CUSTOMERS_WRITE" in out
    assert "explain of a pretty-printed body: AUTH_BODY_HASH_MISMATCH" in out
    assert "lifetime 61 refused: INVALID_LIFETIME" in out
    assert "nv_test_0000" not in out  # the API key never printed


def test_every_public_name_is_used_by_the_typed_user_script() -> None:
    import nuvera_signing as ns

    script = ROOT / "examples/python/every_name.py"
    text = script.read_text("utf-8")
    missing = [name for name in ns.__all__ if name not in text]
    assert not missing, f"examples/python/every_name.py does not use {missing}"
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert "every public name used" in out
