"""Sign a JSON request and a multipart upload, check them with the verifier, and explain a mistake.

    python examples/python/sign_request.py            # uses the project's test key
    NUVERA_API_KEY=… NUVERA_PRIVATE_KEY_FILE=key.pem python examples/python/sign_request.py

With NUVERA_BASE_URL set, the JSON request is also sent there with ``requests`` (if installed).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import nuvera_signing as ns

ROOT = Path(__file__).resolve().parents[2]
URL = "https://api.nuvera.global/api/v1/customers"


def main() -> int:
    key_file = os.environ.get("NUVERA_PRIVATE_KEY_FILE", str(ROOT / "testdata/keys/test-rsa2048-pkcs8.pem"))
    api_key = os.environ.get("NUVERA_API_KEY", "nv_test_0000")
    key = ns.PrivateKey.from_file(key_file, os.environ.get("NUVERA_KEY_PASSPHRASE"))
    signer = ns.Signer(key, api_key)
    print(f"key: {key!r}")

    body = json.dumps({"companyName": "Acme Imports"}, separators=(",", ":")).encode()
    signed = signer.sign("POST", URL, body)
    print(f"signed: {signed!r}")
    print(json.dumps(signed.proof(), indent=2))

    with tempfile.TemporaryDirectory() as tmp:
        doc = Path(tmp) / "cert.pdf"
        doc.write_bytes(b"%PDF-1.4 example")
        form = ns.MultipartForm().add_field("customerId", "c_42").add_file_path("file", doc, mime_type="application/pdf")
        upload = signer.sign_multipart("POST", "https://api.nuvera.global/api/v1/documents", form)
        print(f"multipart bodyHash {upload.claims.body_hash} of {form.canonical_json()}")

    registry = json.dumps({"applications": [{
        "name": "Example", "permissions": ["CUSTOMERS_WRITE"], "apiKeys": [{"key": api_key}],
        "publicKeys": [{"pem": key.public_key_pem}],
    }]})
    verifier = ns.Verifier.from_json(registry)
    verified = verifier.verify_request("POST", "/api/v1/customers", signed.headers, body)
    print(f"verified: application {verified.application!r}, permission {verified.permission}")

    pretty = json.dumps({"companyName": "Acme Imports"}, indent=2).encode()
    report = ns.explain("POST", URL, token=signed.token, api_key=api_key, body=pretty,
                        content_type="application/json")
    print(f"explain of a pretty-printed body: {report.verdict}")
    for finding in report.findings:
        print(f"  {finding.code} [{finding.area}]: {finding.fix}")

    try:
        ns.Signer(key, api_key, lifetime=61)
    except ns.InvalidRequestError as e:
        print(f"lifetime 61 refused: {e.code}")

    base = os.environ.get("NUVERA_BASE_URL")
    if base:
        import requests

        from nuvera_signing.requests import NuveraAuth

        r = requests.post(base.rstrip("/") + "/api/v1/customers", data=body,
                          headers={"Content-Type": "application/json"}, auth=NuveraAuth(signer), timeout=30)
        print(f"sent: HTTP {r.status_code}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
