"""The native module's signing path: tokens that agree with their claims and verify, borrowed
arguments of every accepted type, errors with the core's codes, threads (the GIL is released
while signing) and asyncio. No timing here: bench/python measures speed."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
from typing import Any, Dict, List

import pytest

import nuvera_signing as ns

from conftest import API_KEY, registry_json

URL = "https://api.nuvera.global/api/v1/customers?page=2"


def payload(token: str) -> Dict[str, Any]:
    part = token.split(".")[1]
    data: Dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return data


@pytest.mark.parametrize("body", [None, b"", b'{"companyName":"Acme"}', "caf\u00e9", bytearray(b"xy"),
                                  memoryview(b"mv")])
def test_token_matches_its_claims(signer: ns.Signer, body: Any) -> None:
    signed = signer.sign("POST", URL, body)
    assert signed.authorization == "Bearer " + signed.token
    assert signed.headers == {"x-api-key": API_KEY, "Authorization": signed.authorization}
    assert list(signed.headers) == ["x-api-key", "Authorization"]
    c = signed.claims
    p = payload(signed.token)
    assert c.as_dict() == p
    assert list(c.as_dict()) == list(p)  # the signed order
    raw = b"" if body is None else (body.encode() if isinstance(body, str) else bytes(body))
    assert c.body_hash == ns.body_hash(raw)
    assert signed.proof()["uri"] == "/api/v1/customers?page=2"
    # the same request with pinned jti/iat gives the same token
    again = signer.sign("POST", URL, body, iat=c.iat, jti=c.jti)
    assert again.claims == c and again.token == signed.token


def test_tokens_verify(signer: ns.Signer) -> None:
    verifier = ns.Verifier.from_json(registry_json())
    body = b'{"companyName":"Acme"}'
    signed = signer.sign("POST", "/api/v1/customers", body)
    ok = verifier.verify("POST", "/api/v1/customers", api_key=API_KEY,
                         authorization=signed.authorization, body_hash=ns.body_hash(body))
    assert ok.claims == signed.claims


def test_errors_carry_codes(signer: ns.Signer) -> None:
    with pytest.raises(ns.InvalidRequestError) as e:
        signer.sign("PO ST", URL)
    assert e.value.code == "INVALID_METHOD" and e.value.http_status is None
    with pytest.raises(ns.InvalidRequestError) as e:
        signer.sign("POST", "ftp://example.com/x")
    assert e.value.code == "INVALID_URL"
    assert API_KEY not in str(e.value)
    with pytest.raises(TypeError):
        signer.sign("POST", URL, 42)  # type: ignore[arg-type]
    with pytest.raises(UnicodeEncodeError):
        signer.sign("POST", "/x\ud800")
    with pytest.raises(ns.InvalidRequestError) as e:
        signer.sign("POST", URL, iat=-1)
    assert e.value.code == "INVALID_CLAIM"
    with pytest.raises(TypeError):
        signer.sign("POST", URL, b"x", body_hash=ns.body_hash(b"x"))


def test_content_type_chooses_the_hash(signer: ns.Signer) -> None:
    form = ns.MultipartForm().add_field("a", "1").add_file_bytes("f", "x.txt", b"hello")
    wire = form.to_bytes()
    multipart = signer.sign("POST", URL, wire, content_type=form.content_type)
    assert multipart.claims.body_hash == form.body_hash() != ns.body_hash(wire)
    plain = signer.sign("POST", URL, wire, content_type="application/octet-stream")
    assert plain.claims.body_hash == ns.body_hash(wire)


def test_long_token(signer: ns.Signer) -> None:
    url = "/api/v1/customers?q=" + "a" * 6000
    signed = signer.sign("GET", url)
    assert len(signed.token) > 6000
    assert signed.claims.uri == url
    assert signed.headers["Authorization"] == "Bearer " + signed.token


def test_threads_share_one_signer(signer: ns.Signer) -> None:
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


def test_other_threads_run_while_one_signs(signer: ns.Signer) -> None:
    # The GIL is released during RSA: a pure-Python thread makes progress while the main thread
    # signs. Counted, not timed: the counter moves only if the GIL was given up.
    stop = threading.Event()
    ticks = [0]

    def spin() -> None:
        while not stop.is_set():
            ticks[0] += 1

    t = threading.Thread(target=spin)
    t.start()
    try:
        before = ticks[0]
        for _ in range(50):
            signer.sign("POST", URL, b"{}")
        assert ticks[0] > before
    finally:
        stop.set()
        t.join()


def test_sign_async(signer: ns.Signer) -> None:
    async def main() -> List[ns.SignedRequest]:
        return list(await asyncio.gather(
            *(signer.sign_async("POST", URL, b"{}", jti=f"jti-{i}") for i in range(8))
        ))

    results = asyncio.run(main())
    assert [r.claims.jti for r in results] == [f"jti-{i}" for i in range(8)]
    assert all(r.claims.body_hash == ns.body_hash(b"{}") for r in results)

    async def fails() -> ns.SignedRequest:
        return await signer.sign_async("GE T", URL)

    with pytest.raises(ns.InvalidRequestError):
        asyncio.run(fails())


def test_repr_has_no_secret(signer: ns.Signer) -> None:
    signed = signer.sign("POST", URL, b"{}")
    for text in (repr(signed), str(signed), repr(signer), repr(signed.claims)):
        assert API_KEY not in text and signed.token not in text
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(signer)


def test_value_objects_compare_and_hash(signer: ns.Signer) -> None:
    a = signer.sign("POST", URL, b"{}", iat=1_767_225_600, jti="j-1")
    b = signer.sign("POST", URL, b"{}", iat=1_767_225_600, jti="j-1")
    assert a.claims == b.claims and hash(a.claims) == hash(b.claims)
    assert len({a.claims, b.claims, signer.sign("GET", URL).claims}) == 2
    report = ns.explain("POST", URL, token=a.token, api_key=API_KEY, body=b"{ }")
    again = ns.explain("POST", URL, token=a.token, api_key=API_KEY, body=b"{ }")
    assert report.findings == again.findings and len(set(report.findings)) == len(report.findings)
