"""RemoteKey.from_pkcs11 against a real SoftHSM2 token (scripts/install-tools installs softhsm2),
set up as core/tests/softhsm/mod.rs does: a private token directory, a token initialised by
softhsm2-util and the public vectors' key imported into it.

A PKCS#11 module reads its configuration once per process (the core loads it once and never
finalises it), so every test here shares one token, named by SOFTHSM2_CONF before the first use."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest

import nuvera_signing as ns

from conftest import KEYS, TESTDATA, b64

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN = "nuvera-py-test"
KEY_LABEL = "signing"
KEY_ID = "01"
PIN = "pin-4711-user"
PIN_ENV = "NUVERA_PY_TEST_PKCS11_PIN"


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    util = shutil.which("softhsm2-util")
    assert util and Path(MODULE).exists(), "softhsm2 is needed (scripts/install-tools installs it)"
    directory = tmp_path_factory.mktemp("softhsm")
    tokens = directory / "tokens"
    tokens.mkdir()
    conf = directory / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    env = dict(os.environ, SOFTHSM2_CONF=str(conf))
    for args in (
        ["--init-token", "--free", "--label", TOKEN, "--so-pin", "pin-0815-so", "--pin", PIN],
        ["--import", str(KEYS / "test-rsa2048-pkcs8.pem"), "--token", TOKEN, "--label", KEY_LABEL,
         "--id", KEY_ID, "--pin", PIN],
    ):
        subprocess.run([util, *args], env=env, check=True, capture_output=True)
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    os.environ[PIN_ENV] = PIN
    try:
        yield directory
    finally:
        os.environ.pop(PIN_ENV, None)
        if previous is None:
            os.environ.pop("SOFTHSM2_CONF", None)
        else:
            os.environ["SOFTHSM2_CONF"] = previous


def test_vectors_through_the_token(token: Path, vectors: Dict[str, Any]) -> None:
    key = ns.RemoteKey.from_pkcs11(MODULE, token_label=TOKEN, key_label=KEY_LABEL, pin_env=PIN_ENV)
    key.check()
    assert key.fingerprint == ns.PrivateKey.from_file(TESTDATA / vectors["key"]).fingerprint
    assert key.input == "message"
    assert PIN not in repr(key) and TOKEN in repr(key)
    for case in vectors["jwt"]:
        signer = ns.Signer(key, case["apiKey"], lifetime=case["lifetime"])
        body = b64(case["bodyBase64"])
        signed = signer.sign(case["method"], case["url"], body or None, iat=case["iat"], jti=case["jti"])
        assert signed.token == case["token"], case["name"]


def test_key_by_id_and_pin_from_a_file(token: Path) -> None:
    pin_file = token / "pin"
    pin_file.write_text(PIN + "\n")
    key = ns.RemoteKey.from_pkcs11(MODULE, token_label=TOKEN, key_id=KEY_ID, pin_file=pin_file)
    assert key.public_key_pem.strip() == (KEYS / "test-rsa2048-public.pem").read_text().strip()


def test_token_failures_are_remote_signer_failed(token: Path) -> None:
    wrong_pin = token / "wrong-pin"
    wrong_pin.write_text("not-the-pin-123")
    for kwargs in (
        {"token_label": TOKEN, "key_label": KEY_LABEL, "pin_file": wrong_pin},
        {"token_label": TOKEN, "key_label": "no-such-key", "pin_env": PIN_ENV},
        {"token_label": "no-such-token", "key_label": KEY_LABEL, "pin_env": PIN_ENV},
    ):
        with pytest.raises(ns.RemoteSignerError) as raised:
            ns.RemoteKey.from_pkcs11(MODULE, **kwargs)  # type: ignore[arg-type]
        assert raised.value.code == "REMOTE_SIGNER_FAILED", kwargs
        assert "not-the-pin-123" not in str(raised.value) and PIN not in str(raised.value)
    with pytest.raises(ns.RemoteSignerError) as raised:
        ns.RemoteKey.from_pkcs11(token / "no-module.so", token_label=TOKEN, key_label=KEY_LABEL, pin_env=PIN_ENV)
    assert raised.value.code == "REMOTE_SIGNER_FAILED"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"key_label": KEY_LABEL, "pin_env": PIN_ENV},
        {"token_label": TOKEN, "slot": 0, "key_label": KEY_LABEL, "pin_env": PIN_ENV},
        {"token_label": TOKEN, "pin_env": PIN_ENV},
        {"token_label": TOKEN, "key_label": KEY_LABEL, "key_id": KEY_ID, "pin_env": PIN_ENV},
        {"token_label": TOKEN, "key_id": "0x1", "pin_env": PIN_ENV},
        {"token_label": TOKEN, "key_label": KEY_LABEL},
        {"token_label": TOKEN, "key_label": KEY_LABEL, "pin_env": "NUVERA_PY_TEST_UNSET_PIN"},
        {"slot": -1, "key_label": KEY_LABEL, "pin_env": PIN_ENV},
    ],
)
def test_bad_arguments_are_invalid_argument(token: Path, kwargs: Dict[str, Any]) -> None:
    with pytest.raises(ns.InvalidRequestError) as raised:
        ns.RemoteKey.from_pkcs11(MODULE, **kwargs)
    assert raised.value.code == "INVALID_ARGUMENT"
