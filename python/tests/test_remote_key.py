"""RemoteKey through a Python callable: the public vectors byte for byte when the callable signs
with the test key (through the `cryptography` package, not this package), and every failure a
provider can have, each with its code and never a token."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Dict, List, Union

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

import nuvera_signing as ns

from conftest import KEYS, TESTDATA, b64

PUBLIC_PEM = (KEYS / "test-rsa2048-public.pem").read_text()


def _load(name: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key((KEYS / name).read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


TEST_KEY = _load("test-rsa2048-pkcs8.pem")


def sign_digest(key: rsa.RSAPrivateKey, digest: bytes) -> bytes:
    assert len(digest) == 32
    return key.sign(digest, padding.PKCS1v15(), Prehashed(hashes.SHA256()))


def _check_vectors(key: Union[ns.RemoteKey, ns.PrivateKey], vectors: Dict[str, Any]) -> None:
    assert vectors["jwt"]
    for case in vectors["jwt"]:
        signer = ns.Signer(key, case["apiKey"], lifetime=case["lifetime"])
        body = b64(case["bodyBase64"])
        signed = signer.sign(case["method"], case["url"], body or None, iat=case["iat"], jti=case["jti"])
        assert signed.token == case["token"], case["name"]


def test_vectors_through_a_digest_callback(vectors: Dict[str, Any]) -> None:
    assert vectors["key"].endswith("test-rsa2048-pkcs8.pem")
    seen: List[bytes] = []

    def sign(digest: bytes) -> bytes:
        seen.append(digest)
        return sign_digest(TEST_KEY, digest)

    key = ns.RemoteKey.from_callback(sign, public_key_pem=PUBLIC_PEM)
    assert key.input == "digest"
    _check_vectors(key, vectors)
    assert len(seen) == len(vectors["jwt"]) and all(len(d) == 32 for d in seen)


def test_vectors_through_a_message_callback_and_a_der_public_key(vectors: Dict[str, Any]) -> None:
    der = TEST_KEY.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    key = ns.RemoteKey.from_callback(
        lambda message: TEST_KEY.sign(message, padding.PKCS1v15(), hashes.SHA256()),
        public_key_der=der,
        input="message",
        timeout_ms=0,
    )
    assert key.input == "message"
    assert key.fingerprint == ns.PrivateKey.from_file(TESTDATA / vectors["key"]).fingerprint
    assert key.bits == 2048
    _check_vectors(key, vectors)


def test_key_properties_and_repr() -> None:
    key = ns.RemoteKey.from_callback(lambda d: sign_digest(TEST_KEY, d), public_key_pem=PUBLIC_PEM)
    key.check()
    signer = ns.Signer(key, "nv_test_remote")
    assert signer.key is key
    assert ns.public_key_fingerprint(key.public_key_pem) == key.fingerprint
    assert repr(key) == f"RemoteKey(provider='the signing callback', bits=2048, fingerprint='{key.fingerprint}')"
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(key)


def _expect(key: ns.RemoteKey, code: str) -> ns.RemoteSignerError:
    signer = ns.Signer(key, "nv_test_remote")
    with pytest.raises(ns.RemoteSignerError) as raised:
        signer.sign("GET", "https://api.nuvera.global/api/v1/customers")
    assert raised.value.code == code
    with pytest.raises(ns.RemoteSignerError) as checked:
        key.check()
    assert checked.value.code == code
    return raised.value


def test_a_callable_that_raises() -> None:
    def sign(digest: bytes) -> bytes:
        raise RuntimeError("KMS said AccessDeniedException")

    error = _expect(ns.RemoteKey.from_callback(sign, public_key_pem=PUBLIC_PEM), "REMOTE_SIGNER_FAILED")
    assert "RuntimeError: KMS said AccessDeniedException" in error.message


def test_a_wrong_length_signature() -> None:
    key = ns.RemoteKey.from_callback(lambda d: sign_digest(TEST_KEY, d)[:-1], public_key_pem=PUBLIC_PEM)
    error = _expect(key, "REMOTE_SIGNER_FAILED")
    assert "255 bytes" in error.message


def test_a_signature_from_the_4096_bit_key() -> None:
    other = _load("test-rsa4096-pkcs8.pem")
    key = ns.RemoteKey.from_callback(lambda d: sign_digest(other, d), public_key_pem=PUBLIC_PEM)
    error = _expect(key, "REMOTE_SIGNER_FAILED")
    assert "512 bytes" in error.message


def test_a_signature_from_another_key_of_the_same_size() -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key = ns.RemoteKey.from_callback(lambda d: sign_digest(other, d), public_key_pem=PUBLIC_PEM)
    _expect(key, "REMOTE_KEY_MISMATCH")
    # The 4096-bit key with its own public half passes the same check.
    key = ns.RemoteKey.from_callback(
        lambda d: sign_digest(_load("test-rsa4096-pkcs8.pem"), d),
        public_key_pem=(KEYS / "test-rsa4096-public.pem").read_text(),
    )
    key.check()


def test_a_callable_that_hashes_the_digest_again() -> None:
    # What AWS KMS does with MessageType=RAW: a valid signature, of the wrong bytes.
    key = ns.RemoteKey.from_callback(
        lambda d: TEST_KEY.sign(d, padding.PKCS1v15(), hashes.SHA256()), public_key_pem=PUBLIC_PEM
    )
    error = _expect(key, "REMOTE_KEY_MISMATCH")
    assert "MessageType=DIGEST" in error.message


def test_a_callable_that_returns_no_bytes() -> None:
    key = ns.RemoteKey.from_callback(lambda d: sign_digest(TEST_KEY, d).hex(), public_key_pem=PUBLIC_PEM)
    error = _expect(key, "REMOTE_SIGNER_FAILED")
    assert "not the signature bytes" in error.message


def test_a_callable_that_blocks_past_its_timeout() -> None:
    release = threading.Event()

    def sign(digest: bytes) -> bytes:
        release.wait(30)
        return sign_digest(TEST_KEY, digest)

    key = ns.RemoteKey.from_callback(sign, public_key_pem=PUBLIC_PEM, timeout_ms=50)
    try:
        error = _expect(key, "REMOTE_SIGNER_FAILED")
        assert "did not return within 50 ms" in error.message
    finally:
        release.set()


def test_bad_arguments() -> None:
    sign = lambda d: sign_digest(TEST_KEY, d)  # noqa: E731
    with pytest.raises(ns.InvalidRequestError) as raised:
        ns.RemoteKey.from_callback(sign, public_key_pem=PUBLIC_PEM, timeout_ms=-1)
    assert raised.value.code == "INVALID_ARGUMENT"
    with pytest.raises(ns.InvalidRequestError):
        ns.RemoteKey.from_callback(sign, public_key_pem=PUBLIC_PEM, input="raw")  # type: ignore[arg-type]
    with pytest.raises(ns.InvalidRequestError):
        ns.RemoteKey.from_callback(sign)
    with pytest.raises(ns.InvalidKeyError):
        ns.RemoteKey.from_callback(sign, public_key_pem="not a key")
    with pytest.raises(TypeError):
        ns.RemoteKey.from_callback(b"not callable", public_key_pem=PUBLIC_PEM)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ns.Signer(object(), "nv_test_remote")  # type: ignore[arg-type]


def test_an_async_callable_on_its_own_loop(vectors: Dict[str, Any]) -> None:
    async def sign(digest: bytes) -> bytes:
        await asyncio.sleep(0)
        return sign_digest(TEST_KEY, digest)

    _check_vectors(ns.RemoteKey.from_callback(sign, public_key_pem=PUBLIC_PEM), vectors)


def test_an_async_callable_on_the_callers_loop_through_sign_async(vectors: Dict[str, Any]) -> None:
    case = vectors["jwt"][0]

    async def main() -> str:
        loop = asyncio.get_running_loop()
        loops: List[asyncio.AbstractEventLoop] = []

        async def sign(digest: bytes) -> bytes:
            loops.append(asyncio.get_running_loop())
            await asyncio.sleep(0)
            return sign_digest(TEST_KEY, digest)

        key = ns.RemoteKey.from_callback(sign, public_key_pem=PUBLIC_PEM, loop=loop)
        signer = ns.Signer(key, case["apiKey"], lifetime=case["lifetime"])
        body = b64(case["bodyBase64"])
        signed = await signer.sign_async(case["method"], case["url"], body or None, iat=case["iat"], jti=case["jti"])
        assert loops == [loop]
        return signed.token

    assert asyncio.run(main()) == case["token"]


def test_an_async_callable_that_raises() -> None:
    async def sign(digest: bytes) -> bytes:
        raise PermissionError("no kms:Sign on this key")

    error = _expect(ns.RemoteKey.from_callback(sign, public_key_pem=PUBLIC_PEM), "REMOTE_SIGNER_FAILED")
    assert "PermissionError: no kms:Sign on this key" in error.message


def test_a_sync_sign_on_the_keys_own_loop_is_refused_not_a_hang() -> None:
    async def sign(digest: bytes) -> bytes:
        return sign_digest(TEST_KEY, digest)

    async def main() -> str:
        key = ns.RemoteKey.from_callback(
            sign, public_key_pem=PUBLIC_PEM, loop=asyncio.get_running_loop(), timeout_ms=0
        )
        with pytest.raises(ns.RemoteSignerError) as raised:
            ns.Signer(key, "nv_test_remote").sign("GET", "https://api.nuvera.global/api/v1/customers")
        return raised.value.code + " " + raised.value.message

    outcome = asyncio.run(main())
    assert outcome.startswith("REMOTE_SIGNER_FAILED") and "sign_async" in outcome


class _Awaitable:
    """An awaitable that is not a coroutine (as some async clients return)."""

    def __init__(self, value: bytes) -> None:
        self.value = value

    def __await__(self) -> Any:
        yield from asyncio.sleep(0).__await__()
        return self.value


def test_a_callable_returning_another_awaitable(vectors: Dict[str, Any]) -> None:
    key = ns.RemoteKey.from_callback(lambda d: _Awaitable(sign_digest(TEST_KEY, d)), public_key_pem=PUBLIC_PEM)
    _check_vectors(key, vectors)
