"""Support bundles (contract §7) from Python: what support needs, and no secret in them."""

from __future__ import annotations

import json

import pytest

import nuvera_signing as ns

from conftest import API_KEY, KEYS

URL = "https://api.nuvera.global/api/v1/documents"


def test_support_bundle_holds_no_secret(key: ns.PrivateKey) -> None:
    secret_api_key = "nv_live_bundle_secret_7c1d"
    signer = ns.Signer(key, secret_api_key)
    file_bytes = b"TOP-SECRET-FILE-CONTENT-" * 100
    form = (
        ns.MultipartForm()
        .add_field("customerId", "c_42")
        .add_file_bytes("file", "passport.pdf", file_bytes, "application/pdf")
    )
    wire = form.to_bytes()
    signed = signer.sign_multipart("POST", URL, form)
    response = b'{"errors":[{"code":"AUTH_BODY_HASH_MISMATCH","message":"bodyHash differs"}]}'
    text = ns.support_bundle_json(
        "POST",
        URL,
        token=signed.token,
        status=401,
        headers={"Content-Type": form.content_type, "Cookie": "session=abc123secret",
                 **signed.headers},
        api_key=secret_api_key,
        content_type=form.content_type,
        body=wire,
        response_body=response,
        application="Python tests",
        now=1_800_000_000,
    )
    pem = (KEYS / "test-rsa2048-pkcs8.pem").read_text()
    secrets = [secret_api_key, signed.token, signed.token.split(".")[2], "abc123secret",
               "TOP-SECRET-FILE-CONTENT"]
    secrets += [line for line in pem.splitlines() if line and not line.startswith("-----")]
    for secret in secrets:
        assert secret not in text
    bundle = json.loads(text)
    assert bundle == ns.support_bundle(
        "POST", URL, token=signed.token, status=401,
        headers={"Content-Type": form.content_type, "Cookie": "session=abc123secret",
                 **signed.headers},
        api_key=secret_api_key, content_type=form.content_type, body=wire,
        response_body=response, application="Python tests", now=1_800_000_000)
    assert bundle["format"] == "nuvera-support-bundle/1"
    assert bundle["application"] == "Python tests"
    assert bundle["response"]["status"] == 401
    assert bundle["response"]["code"] == "AUTH_BODY_HASH_MISMATCH"
    assert bundle["request"]["uri"] == "/api/v1/documents"
    assert bundle["request"]["bodyHash"] == signed.claims.body_hash
    assert bundle["request"]["multipart"]["files"][0]["fileName"] == "passport.pdf"
    headers = dict(bundle["request"]["headers"])
    assert headers["x-api-key"].endswith(secret_api_key[-4:])
    assert bundle["token"]["claims"]["uri"] == "/api/v1/documents"


def test_support_bundle_adds_the_signing_headers(signer: ns.Signer) -> None:
    signed = signer.sign("GET", "/api/v1/customers")
    bundle = ns.support_bundle("GET", "/api/v1/customers", token=signed.authorization, status=403,
                               api_key=API_KEY, now=1_800_000_000)
    names = [h[0] for h in bundle["request"]["headers"]]
    assert names == ["x-api-key", "Authorization"]
    assert API_KEY not in json.dumps(bundle) and signed.token not in json.dumps(bundle)
    with pytest.raises(ns.InvalidKeyError):
        ns.support_bundle("GET", "/x", token=signed.token, status=401, public_key_pem="nope")
