"""RemoteKey signing through the real boto3 KMS client against local-kms on loopback (an AWS KMS
emulator, built by scripts/local-kms when missing): the key never leaves the "KMS", the token
verifies with the package's Verifier under the public key the KMS gave."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from pathlib import Path
from typing import Any, Iterator

import boto3
import pytest

import nuvera_signing as ns

from conftest import ROOT

REGION = "eu-west-1"
API_KEY = "nv_test_kms_0001"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def kms(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    binary = subprocess.run(
        ["bash", str(ROOT / "scripts" / "local-kms")], check=True, capture_output=True, text=True
    ).stdout.strip()
    port = _free_port()
    data = tmp_path_factory.mktemp("local-kms")
    env = dict(os.environ, PORT=str(port), KMS_DATA_PATH=str(data), KMS_REGION=REGION)
    process = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # Readiness, not timing: poll until it accepts or the process ends.
        while not _accepts(port):
            assert process.poll() is None, "local-kms exited"
            time.sleep(0.02)
        yield boto3.client(
            "kms",
            endpoint_url=f"http://127.0.0.1:{port}",
            region_name=REGION,
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
    finally:
        process.terminate()
        process.wait(30)


def _registry(public_key_pem: str) -> str:
    return json.dumps(
        {
            "applications": [
                {
                    "name": "KMS tests",
                    "enabled": True,
                    "permissions": ["CUSTOMERS_WRITE"],
                    "apiKeys": [{"key": API_KEY}],
                    "publicKeys": [{"pem": public_key_pem}],
                }
            ]
        }
    )


def test_sign_with_aws_kms_through_boto3(kms: Any) -> None:
    key_id = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    public_der = kms.get_public_key(KeyId=key_id)["PublicKey"]

    calls = []

    def sign(digest: bytes) -> bytes:
        calls.append(digest)
        answer = kms.sign(
            KeyId=key_id,
            Message=digest,
            MessageType="DIGEST",
            SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256",
        )
        signature: bytes = answer["Signature"]
        return signature

    key = ns.RemoteKey.from_callback(sign, public_key_der=public_der)
    key.check()
    signer = ns.Signer(key, API_KEY)
    signed = signer.sign("POST", "https://api.nuvera.global/api/v1/customers", b'{"name":"Ada"}')
    assert len(calls) == 2 and all(len(d) == 32 for d in calls)

    verifier = ns.Verifier.from_json(_registry(key.public_key_pem))
    verified = verifier.verify_request(
        "POST", "/api/v1/customers", signed.headers, b'{"name":"Ada"}'
    )
    assert verified.application == "KMS tests"
    assert verified.key_fingerprint == key.fingerprint
    assert verified.claims.jti == signed.claims.jti


def test_kms_with_the_wrong_message_type_is_a_mismatch(kms: Any) -> None:
    key_id = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    public_der = kms.get_public_key(KeyId=key_id)["PublicKey"]

    def sign(digest: bytes) -> bytes:
        # MessageType RAW makes KMS hash the digest again: a valid signature of the wrong bytes.
        signature: bytes = kms.sign(
            KeyId=key_id, Message=digest, MessageType="RAW", SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256"
        )["Signature"]
        return signature

    with pytest.raises(ns.RemoteSignerError) as raised:
        ns.RemoteKey.from_callback(sign, public_key_der=public_der).check()
    assert raised.value.code == "REMOTE_KEY_MISMATCH"


def test_kms_refusing_is_a_signer_failure(kms: Any) -> None:
    key_id = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    public_der = kms.get_public_key(KeyId=key_id)["PublicKey"]
    kms.disable_key(KeyId=key_id)

    def sign(digest: bytes) -> bytes:
        signature: bytes = kms.sign(
            KeyId=key_id, Message=digest, MessageType="DIGEST", SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256"
        )["Signature"]
        return signature

    with pytest.raises(ns.RemoteSignerError) as raised:
        ns.Signer(ns.RemoteKey.from_callback(sign, public_key_der=public_der), API_KEY).sign(
            "GET", "https://api.nuvera.global/api/v1/customers"
        )
    assert raised.value.code == "REMOTE_SIGNER_FAILED"
    assert "DisabledException" in raised.value.message
