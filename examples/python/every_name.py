"""Uses every public name of ``nuvera_signing`` once, as a user would: ``mypy --strict`` checks it
against the installed wheel (scripts/test-python), and the Python tests run it.

    python examples/python/every_name.py
"""

from __future__ import annotations

import asyncio
import io
import tempfile
from pathlib import Path
from typing import List, Optional, Tuple, Type

import nuvera_signing as ns
from nuvera_signing import (  # the §8 client policy
    Action,
    Attempt,
    ClientPolicy,
    Exchange,
    RetryPolicy,
    now_unix_ms,
)
from nuvera_signing import (
    STREAMING_BODY,
    Claims,
    ClientError,
    Finding,
    InternalError,
    InvalidKeyError,
    InvalidRequestError,
    MultipartError,
    MultipartForm,
    NuveraIOError,
    NuveraSigningError,
    PrivateKey,
    RegistryError,
    RemoteSignerError,
    Report,
    SignedRequest,
    Signer,
    StreamingBodyError,
    VerificationError,
    Verified,
    Verifier,
    body_hash,
    body_hash_file,
    error_codes,
    explain,
    is_multipart_form_data,
    multipart_body_hash,
    multipart_body_hash_file,
    multipart_canonical,
    public_key_fingerprint,
    received_body_hash,
    request_uri,
    sendable_url,
    support_bundle,
    support_bundle_json,
)

ROOT = Path(__file__).resolve().parents[2]
KEYS = ROOT / "testdata/keys"
API_KEY = "nv_test_every_name"
URL = "https://api.nuvera.global/api/v1/documents?x=1"


def registry(public_key: Path) -> str:
    return (
        '{"applications":[{"name":"Every name","permissions":["DOCUMENTS_WRITE"],'
        f'"apiKeys":[{{"key":"{API_KEY}"}}],"publicKeys":[{{"file":"{public_key}"}}]}}]}}'
    )


def main() -> None:
    key: PrivateKey = PrivateKey.from_file(KEYS / "test-rsa2048-pkcs8.pem")
    same: PrivateKey = PrivateKey.from_pem((KEYS / "test-rsa2048-pkcs8.pem").read_text())
    assert key.fingerprint == same.fingerprint == public_key_fingerprint(key.public_key_pem)
    assert key.bits == 2048
    signer = Signer(key, API_KEY, lifetime=30, issuer=None, audience=None)
    assert signer.key.public_key_pem == key.public_key_pem

    signed: SignedRequest = signer.sign("POST", URL, b'{"a":1}')
    claims: Claims = signed.claims
    assert claims.exp - claims.iat == 30 and claims.uri == request_uri(URL)
    assert signed.headers["Authorization"] == signed.authorization
    streamed = signer.sign("POST", URL, io.BytesIO(b'{"a":1}'))  # a file object, read in chunks
    assert streamed.claims.body_hash == claims.body_hash
    assert signed.proof()["uri"] == claims.uri and signed.proof_json()
    assert claims.as_dict()["bodyHash"] == body_hash(b'{"a":1}') == claims.body_hash
    assert sendable_url(URL).endswith("?x=1")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.txt"
        path.write_bytes(b"hello")
        assert signer.sign_file("PUT", URL, path).claims.body_hash == body_hash_file(path)
        form: MultipartForm = (
            MultipartForm()
            .add_field("customerId", "c_42")
            .add_file("file", path)
            .add_file_reader("memo", io.BytesIO(b"memo"), "memo.txt")
        )
        wire_path = Path(tmp) / "wire.bin"
        canonical_json = form.write_to(wire_path)
        assert multipart_body_hash_file(form.content_type, wire_path) == form.body_hash()
        wire = wire_path.read_bytes()
        assert multipart_canonical(form.content_type, wire) == canonical_json
        assert multipart_body_hash(form.content_type, wire) == form.body_hash()
        assert is_multipart_form_data(form.content_type)
        by_parts = signer.sign_multipart("POST", URL, form)
        by_wire = signer.sign_multipart_wire("POST", URL, form.content_type, wire)
        assert by_parts.claims.body_hash == by_wire.claims.body_hash
        assert received_body_hash(form.content_type, wire) == by_wire.claims.body_hash

        verifier: Verifier = Verifier.from_json(registry(KEYS / "test-rsa2048-public.pem"))
        headers = {**by_wire.headers, "Content-Type": form.content_type}
        verified: Verified = verifier.verify_request("POST", "/api/v1/documents?x=1", headers, wire)
        assert verified.application == "Every name"
        try:
            verifier.verify("POST", "/api/v1/documents?x=1", api_key=API_KEY,
                            authorization=by_wire.authorization, body_hash=by_wire.claims.body_hash)
        except VerificationError as e:
            assert e.code == "AUTH_REPLAYED_JTI" and e.http_status == 401 and e.response_body()

    report: Report = explain("POST", URL, token=signed.token, api_key=API_KEY, body=b'{"a": 1}')
    findings: List[Finding] = report.findings
    assert report.verdict == "AUTH_BODY_HASH_MISMATCH" and findings[0].area == "body-hash"
    bundle = support_bundle("POST", URL, token=signed.token, status=401, api_key=API_KEY, body=b"{}")
    assert bundle["request"]["method"] == "POST" and API_KEY not in support_bundle_json(
        "POST", URL, token=signed.token, status=401)

    async def sign_in_asyncio() -> SignedRequest:
        return await signer.sign_async("GET", URL)

    assert asyncio.run(sign_in_asyncio()).claims.method == "GET"

    classes: Tuple[Type[NuveraSigningError], ...] = (
        InvalidKeyError, InvalidRequestError, MultipartError, NuveraIOError, RegistryError,
        VerificationError, ClientError, RemoteSignerError, InternalError,
    )
    families = {family for _, family, _ in error_codes()}
    assert {c.family for c in classes} == families
    streaming = NuveraSigningError.for_code(STREAMING_BODY, "a generator body")
    assert isinstance(streaming, StreamingBodyError)
    status: Optional[int] = streaming.http_status
    assert status is None
    assert ns.__version__
    # The §8 client policy, as the requests/httpx integrations drive it.
    retry: RetryPolicy = RetryPolicy.including_post()
    policy = ClientPolicy(max_redirects=5, retry=retry, correct_clock=True)
    exchange = Exchange(policy, signer, "POST", URL, has_body=True)
    first: Attempt = exchange.first
    assert first.credentials and first.send_body
    now = now_unix_ms()
    action: Action = exchange.on_response(503, {"Retry-After": "1"}, sent_at_ms=now, received_at_ms=now)
    assert action.kind == "send" and action.reason == "retry" and action.delay_ms == 1000
    print("every public name used")


if __name__ == "__main__":
    main()
