"""``nuvera_signing.httpx.NuveraAuth`` (sync and async) against a real local verifying server."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import AsyncIterator, Iterator

import pytest

httpx = pytest.importorskip("httpx")

import nuvera_signing as ns  # noqa: E402
from nuvera_signing.httpx import NuveraAuth  # noqa: E402

from conftest import Server  # noqa: E402


def test_json_post(server: Server, signer: ns.Signer) -> None:
    with httpx.Client(auth=NuveraAuth(signer)) as c:
        r = c.post(server.url + "/api/v1/customers", json={"companyName": "Acme", "x": "é"})
    assert r.status_code == 200, r.text
    assert r.json()["bodyHash"] == ns.body_hash(r.request.content)


def test_get_with_query(server: Server, signer: ns.Signer) -> None:
    with httpx.Client(auth=NuveraAuth(signer)) as c:
        r = c.get(server.url + "/api/v1/customers", params={"limit": 20, "q": "a b/é"})
    assert r.status_code == 200, r.text
    assert r.json()["uri"] == server.log[-1]["target"]


def test_multipart_files(server: Server, signer: ns.Signer, upload: Path) -> None:
    with httpx.Client(auth=NuveraAuth(signer)) as c, upload.open("rb") as f:
        r = c.post(server.url + "/api/v1/documents", data={"customerId": "c_42"},
                   files={"file": ("cert.pdf", f, "application/pdf")})
    assert r.status_code == 200, r.text
    form = ns.MultipartForm().add_field("customerId", "c_42").add_file_path("file", upload, "cert.pdf", "application/pdf")
    assert r.json()["bodyHash"] == form.body_hash()


def test_redirect_is_signed_again(server: Server, signer: ns.Signer) -> None:
    with httpx.Client(auth=NuveraAuth(signer)) as c:
        r = c.post(server.url + "/api/v1/redirect/x", content=b'{"a":1}', headers={"content-type": "application/json"})
    assert r.status_code == 200, r.text
    assert [h.status_code for h in r.history] == [307]
    first, second = server.log[-2:]
    assert (first["code"], second["code"]) == ("OK", "OK")
    assert second["target"] == "/api/v1/customers/after-redirect?hop=2" and second["method"] == "POST"
    assert second["body_hash"] == ns.body_hash(b'{"a":1}') and first["jti"] != second["jti"]


def test_a_client_following_redirects_itself_is_refused(server: Server, signer: ns.Signer) -> None:
    """httpx follows redirects before an auth sees the response, resending the old token."""
    with httpx.Client(auth=NuveraAuth(signer), follow_redirects=True) as c:
        with pytest.raises(ns.InvalidRequestError) as e:
            c.post(server.url + "/api/v1/redirect/x", content=b'{"a":1}', headers={"content-type": "application/json"})
    assert e.value.code == "INVALID_ARGUMENT" and "follow_redirects=False" in e.value.message
    codes = [(e["target"], e["code"]) for e in server.log]
    assert codes == [
        ("/api/v1/redirect/x", "OK"),
        ("/api/v1/customers/after-redirect?hop=2", "AUTH_URI_MISMATCH"),  # httpx resent the old token
    ]


def test_retry_after_503_carries_a_fresh_jti(server: Server, signer: ns.Signer) -> None:
    server.flaky_failures = 2
    with httpx.Client(auth=NuveraAuth(signer, policy=ns.ClientPolicy(retry=ns.RetryPolicy.including_post()))) as c:
        r = c.post(server.url + "/api/v1/flaky/op", json={"x": 1})
    assert r.status_code == 200, r.text
    log = server.log[-3:]
    assert [e["code"] for e in log] == ["OK", "OK", "OK"] and len({e["jti"] for e in log}) == 3


def test_async_client(server: Server, signer: ns.Signer, upload: Path) -> None:
    async def main() -> None:
        auth = NuveraAuth(signer, policy=ns.ClientPolicy(retry=ns.RetryPolicy.including_post()))
        async with httpx.AsyncClient(auth=auth) as c:
            server.flaky_failures = 1
            results = await asyncio.gather(
                c.post(server.url + "/api/v1/customers", json={"a": 1}),
                c.get(server.url + "/api/v1/customers?limit=5"),
                c.post(server.url + "/api/v1/redirect/y", json={"b": 2}),
                c.post(server.url + "/api/v1/flaky/z", json={"c": 3}),
                c.post(server.url + "/api/v1/documents", files={"file": ("a.bin", upload.read_bytes())}),
            )
        for r in results:
            assert r.status_code == 200, r.text

    asyncio.run(main())
    assert all(e["code"] == "OK" for e in server.log)


def test_streaming_body_is_refused(server: Server, signer: ns.Signer) -> None:
    def gen() -> Iterator[bytes]:
        yield b"chunk"

    with httpx.Client(auth=NuveraAuth(signer)) as c:
        with pytest.raises(ns.StreamingBodyError) as e:
            c.post(server.url + "/api/v1/customers", content=gen())
    assert e.value.code == ns.STREAMING_BODY and not server.log


def test_async_streaming_body_is_refused(server: Server, signer: ns.Signer) -> None:
    async def agen() -> AsyncIterator[bytes]:
        yield b"chunk"

    async def main() -> None:
        async with httpx.AsyncClient(auth=NuveraAuth(signer)) as c:
            await c.post(server.url + "/api/v1/customers", content=agen())

    with pytest.raises(ns.StreamingBodyError):
        asyncio.run(main())
