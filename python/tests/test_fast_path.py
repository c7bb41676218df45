"""The per-request signing path (`nuvera_signing_fast_sign`, one native call with borrowed bytes)
gives exactly what the generated uniffi path gives. No timing here: the benchmark measures speed."""

from __future__ import annotations

import base64
import json
import threading
from typing import Any, Dict, List

import pytest

import nuvera_signing as ns
from nuvera_signing import _api

from conftest import API_KEY, registry_json

URL = "https://api.nuvera.global/api/v1/customers?page=2"


def payload(token: str) -> Dict[str, Any]:
    part = token.split(".")[1]
    data: Dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return data


def test_fast_path_is_active() -> None:
    # If a uniffi upgrade renamed the internals it relies on, signing still works (generated
    # path) but this fails, so the slowdown does not go unnoticed.
    assert _api._fast_sign is not None


@pytest.mark.parametrize("body", [None, b"", b'{"companyName":"Acme"}', "caf\u00e9", bytearray(b"xy"),
                                  memoryview(b"mv")])
def test_fast_path_matches_the_generated_path(signer: ns.Signer, body: Any) -> None:
    fast = signer.sign("POST", URL, body)
    native = fast._native  # the SignedRequest the core made, read through the generated path
    assert fast.token == native.token()
    assert fast.authorization == native.authorization() == "Bearer " + fast.token
    assert fast.headers == {h.name: h.value for h in native.headers()}
    assert list(fast.headers) == ["x-api-key", "Authorization"]
    c = fast.claims
    p = payload(fast.token)
    assert (c.method, c.uri, c.sub, c.jti, c.iat, c.exp) == (
        p["method"], p["uri"], p["sub"], p["jti"], p["iat"], p["exp"])
    raw = b"" if body is None else (body.encode() if isinstance(body, str) else bytes(body))
    assert c.body_hash == ns.body_hash(raw)
    proof = fast.proof()
    assert proof["uri"] == "/api/v1/customers?page=2"
    # the same request through the generated path (pinned jti/iat) gives the same claims
    slow = signer.sign("POST", URL, body, iat=c.iat, jti=c.jti)
    assert slow.claims == c and slow.token == fast.token


def test_fast_path_tokens_verify(signer: ns.Signer) -> None:
    verifier = ns.Verifier.from_json(registry_json())
    body = b'{"companyName":"Acme"}'
    signed = signer.sign("POST", "/api/v1/customers", body)
    ok = verifier.verify("POST", "/api/v1/customers", api_key=API_KEY,
                         authorization=signed.authorization, body_hash=ns.body_hash(body))
    assert ok.claims == signed.claims


def test_fast_path_errors_carry_codes(signer: ns.Signer) -> None:
    with pytest.raises(ns.InvalidRequestError) as e:
        signer.sign("PO ST", URL)
    assert e.value.code == "INVALID_METHOD"
    with pytest.raises(ns.InvalidRequestError) as e:
        signer.sign("POST", "ftp://example.com/x")
    assert e.value.code == "INVALID_URL"
    assert API_KEY not in str(e.value)
    with pytest.raises(TypeError):
        signer.sign("POST", URL, 42)  # type: ignore[arg-type]
    with pytest.raises(UnicodeEncodeError):
        signer.sign("POST", "/x\ud800")


def test_token_longer_than_the_fast_buffer(signer: ns.Signer) -> None:
    url = "/api/v1/customers?q=" + "a" * 6000
    signed = signer.sign("GET", url)
    assert len(signed.token) > _api._FAST_OUT
    assert signed.claims.uri == url
    assert signed.headers["Authorization"] == "Bearer " + signed.token


def test_fast_path_threads(signer: ns.Signer) -> None:
    tokens: List[str] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(20):
            t = signer.sign("POST", URL, b"{}").token
            with lock:
                tokens.append(t)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(tokens)) == 80
    assert {payload(t)["sub"] for t in tokens} == {API_KEY}


def test_fast_path_repr_has_no_secret(signer: ns.Signer) -> None:
    signed = signer.sign("POST", URL, b"{}")
    for text in (repr(signed), str(signed), repr(signer), repr(signed.claims)):
        assert API_KEY not in text and signed.token not in text
