"""``nuvera_signing.requests.NuveraAuth`` against a real local server that verifies every request."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import pytest

requests = pytest.importorskip("requests")
from urllib3.util import Retry  # noqa: E402

import nuvera_signing as ns  # noqa: E402
from nuvera_signing.requests import NuveraAuth  # noqa: E402

from conftest import Server  # noqa: E402


def test_json_post(server: Server, signer: ns.Signer) -> None:
    payload = {"companyName": "Acme Imports", "note": "é ☃"}
    r = requests.post(server.url + "/api/v1/customers", json=payload, auth=NuveraAuth(signer), timeout=10)
    assert r.status_code == 200, r.text
    sent = r.request.body
    assert isinstance(sent, bytes)
    assert r.json()["bodyHash"] == ns.body_hash(sent)
    assert server.log[-1]["code"] == "OK"


def test_str_body_is_signed_as_utf8(server: Server, signer: ns.Signer) -> None:
    r = requests.put(server.url + "/api/v1/customers/c_1", data="naïve ☃", auth=NuveraAuth(signer), timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["bodyHash"] == ns.body_hash("naïve ☃".encode())


def test_get_with_query(server: Server, signer: ns.Signer) -> None:
    with requests.Session() as s:
        s.auth = NuveraAuth(signer)
        r = s.get(server.url + "/api/v1/customers", params={"limit": 20, "q": "a b/é"}, timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["uri"] == server.log[-1]["target"]
    assert "?limit=20&q=" in r.json()["uri"]


def test_multipart_files(server: Server, signer: ns.Signer, upload: Path) -> None:
    with upload.open("rb") as f:
        r = requests.post(
            server.url + "/api/v1/documents",
            data={"customerId": "c_42", "type": "INCORPORATION"},
            files={"file": ("cert.pdf", f, "application/pdf")},
            auth=NuveraAuth(signer),
            timeout=10,
        )
    assert r.status_code == 200, r.text
    form = (ns.MultipartForm().add_field("customerId", "c_42").add_field("type", "INCORPORATION")
            .add_file_path("file", upload, "cert.pdf", "application/pdf"))
    assert r.json()["bodyHash"] == form.body_hash()


def test_multipart_form_object(server: Server, signer: ns.Signer, upload: Path) -> None:
    form = ns.MultipartForm().add_field("customerId", "c_42").add_file_path("file", upload)
    r = requests.post(server.url + "/api/v1/documents", data=form.to_bytes(),
                      headers={"Content-Type": form.content_type}, auth=NuveraAuth(signer), timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["bodyHash"] == form.body_hash()


def test_redirect_is_signed_again(server: Server, signer: ns.Signer) -> None:
    body = json.dumps({"a": 1}).encode()
    r = requests.post(server.url + "/api/v1/redirect/here", data=body,
                      headers={"Content-Type": "application/json"}, auth=NuveraAuth(signer), timeout=10)
    assert r.status_code == 200, r.text
    assert [h.status_code for h in r.history] == [307]
    first, second = server.log[-2:]
    assert first["code"] == "OK" and first["target"] == "/api/v1/redirect/here"
    assert second["code"] == "OK" and second["target"] == "/api/v1/customers/after-redirect?hop=2"
    assert second["method"] == "POST" and second["body_hash"] == ns.body_hash(body)
    assert first["jti"] != second["jti"]


def test_retry_after_503_carries_a_fresh_jti(server: Server, signer: ns.Signer) -> None:
    server.flaky_failures = 2
    policy = ns.ClientPolicy(retry=ns.RetryPolicy.including_post())
    r = requests.post(server.url + "/api/v1/flaky/op", json={"x": 1}, auth=NuveraAuth(signer, policy=policy), timeout=10)
    assert r.status_code == 200, r.text
    assert [h.status_code for h in r.history] == [503, 503]
    log = server.log[-3:]
    assert [e["code"] for e in log] == ["OK", "OK", "OK"]  # each attempt verified (no replay)
    assert len({e["jti"] for e in log}) == 3


def test_urllib3_status_retry_would_replay(server: Server, signer: ns.Signer) -> None:
    """Why retries belong to NuveraAuth: urllib3 re-sends the same token."""
    server.flaky_failures = 1
    with requests.Session() as s:
        s.mount("http://", requests.adapters.HTTPAdapter(
            max_retries=Retry(total=2, status_forcelist=[503], allowed_methods=None, backoff_factor=0)))
        r = s.post(server.url + "/api/v1/flaky/op", json={}, auth=NuveraAuth(signer), timeout=10)
    assert r.status_code == 401 and server.log[-1]["code"] == "AUTH_REPLAYED_JTI"


def test_streaming_body_is_refused(server: Server, signer: ns.Signer) -> None:
    def gen() -> Iterator[bytes]:
        yield b"chunk"

    with pytest.raises(ns.StreamingBodyError) as e:
        requests.post(server.url + "/api/v1/customers", data=gen(), auth=NuveraAuth(signer), timeout=10)
    assert e.value.code == ns.STREAMING_BODY
    assert isinstance(e.value, ns.ClientError)  # STREAMING_BODY is in the core's client family
    assert not server.log


def test_bad_url_through_requests(signer: ns.Signer) -> None:
    # requests refuses this URL itself at prepare time; a PreparedRequest edited afterwards
    # reaches the core, which refuses it with its own code.
    with pytest.raises(requests.exceptions.InvalidURL):
        requests.Request("GET", "http://example.invalid:99999/x").prepare()
    req = requests.Request("GET", "http://example.invalid/x").prepare()
    req.url = "http://example.invalid:99999/x"
    with pytest.raises(ns.InvalidRequestError) as e:
        NuveraAuth(signer)(req)
    assert e.value.code == "INVALID_URL"
    with pytest.raises(ns.InvalidRequestError) as e:
        signer.sign("GET", "http://example.invalid:99999/x")
    assert e.value.code == "INVALID_URL"
