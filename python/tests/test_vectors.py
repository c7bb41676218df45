"""Every public vector of testdata/vectors/signing-vectors.json, byte for byte, through the Python API."""

from __future__ import annotations

from typing import Any, Dict

import pytest

import nuvera_signing as ns

from conftest import KEYS, TESTDATA, b64


def test_uri_vectors(vectors: Dict[str, Any]) -> None:
    assert vectors["uri"]
    for case in vectors["uri"]:
        assert ns.request_uri(case["url"]) == case["uri"], case


def test_multipart_wire_vectors(vectors: Dict[str, Any]) -> None:
    assert vectors["multipart"]
    for case in vectors["multipart"]:
        body = b64(case["bodyBase64"])
        assert ns.multipart_canonical(case["contentType"], body) == case["canonical"], case["name"]
        assert ns.multipart_body_hash(case["contentType"], body) == case["bodyHash"], case["name"]
        assert ns.received_body_hash(case["contentType"], body) == case["bodyHash"], case["name"]


def _structured(case: Dict[str, Any]) -> ns.MultipartForm:
    form = ns.MultipartForm()
    for name, value in case["fields"]:
        form.add_field(name, value)
    for field, file_name, mime, content in case["files"]:
        form.add_file_bytes(field, file_name, b64(content), mime)
    return form


def test_multipart_structured_vectors(vectors: Dict[str, Any]) -> None:
    for case in vectors["multipart"]:
        form = _structured(case)
        assert form.canonical_json() == case["canonical"], case["name"]
        assert form.body_hash() == case["bodyHash"], case["name"]
        # The form's own encoding hashes the same through the wire parser.
        assert ns.multipart_body_hash(form.content_type, form.to_bytes()) == case["bodyHash"]


def test_multipart_structured_from_files(vectors: Dict[str, Any], tmp_path: Any) -> None:
    for i, case in enumerate(vectors["multipart"]):
        form = ns.MultipartForm()
        for name, value in case["fields"]:
            form.add_field(name, value)
        for j, (field, file_name, mime, content) in enumerate(case["files"]):
            path = tmp_path / f"{i}-{j}.bin"
            path.write_bytes(b64(content))
            form.add_file_path(field, path, file_name, mime)
        assert form.body_hash() == case["bodyHash"], case["name"]
        out = tmp_path / f"{i}.multipart"
        assert form.write_to(out) == case["canonical"]
        assert ns.multipart_body_hash_file(form.content_type, out) == case["bodyHash"]


def test_jwt_vectors_whole_tokens(vectors: Dict[str, Any]) -> None:
    assert vectors["jwt"]
    key = ns.PrivateKey.from_file(TESTDATA / vectors["key"])
    for case in vectors["jwt"]:
        signer = ns.Signer(key, case["apiKey"], lifetime=case["lifetime"])
        body = b64(case["bodyBase64"])
        signed = signer.sign(case["method"], case["url"], body or None, iat=case["iat"], jti=case["jti"])
        assert signed.token == case["token"], case["name"]
        assert signed.claims.uri == case["uri"]
        assert signed.claims.body_hash == case["bodyHash"]
        assert ns.body_hash(body) == case["bodyHash"]
        import json

        assert json.dumps(signed.claims.as_dict(), separators=(",", ":"), ensure_ascii=False) == case["payload"]
        assert signed.headers == {"x-api-key": case["apiKey"], "Authorization": "Bearer " + case["token"]}
        # The same token from a precomputed hash.
        again = signer.sign(case["method"], case["url"], body_hash=case["bodyHash"], iat=case["iat"], jti=case["jti"])
        assert again.token == case["token"]


@pytest.mark.parametrize(
    "load",
    [
        lambda: ns.PrivateKey.from_file(KEYS / "test-rsa2048-pkcs8.pem"),
        lambda: ns.PrivateKey.from_file(KEYS / "test-rsa2048-pkcs1.pem"),
        lambda: ns.PrivateKey.from_file(KEYS / "test-rsa2048-encrypted-pkcs8.pem", "correct horse battery staple"),
        lambda: ns.PrivateKey.from_pem((KEYS / "test-rsa2048-pkcs8-escaped-newlines.txt").read_text()),
        lambda: ns.PrivateKey.from_pem((KEYS / "test-rsa2048-pkcs8.pem").read_bytes()),
    ],
    ids=["pkcs8", "pkcs1", "encrypted", "escaped-newlines", "pem-bytes"],
)
def test_every_key_form_gives_the_vector_token(load: Any, vectors: Dict[str, Any]) -> None:
    case = vectors["jwt"][0]
    signer = ns.Signer(load(), case["apiKey"], lifetime=case["lifetime"])
    signed = signer.sign(case["method"], case["url"], b64(case["bodyBase64"]), iat=case["iat"], jti=case["jti"])
    assert signed.token == case["token"]
