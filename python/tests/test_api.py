"""The Pythonic API: errors by family with their codes, secrets kept out of repr/str, the
verifier, explain, files and threads."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any, Dict, List

import pytest

import nuvera_signing as ns

from conftest import API_KEY, KEYS, b64, registry_json

URL = "https://api.nuvera.global/api/v1/customers"


def test_bad_key_text() -> None:
    with pytest.raises(ns.InvalidKeyError) as e:
        ns.PrivateKey.from_pem("not a key")
    assert e.value.code == "INVALID_PRIVATE_KEY"
    assert isinstance(e.value, ns.NuveraSigningError) and isinstance(e.value, ValueError)
    assert e.value.message and e.value.code in str(e.value)


@pytest.mark.parametrize(
    "file,code",
    [
        ("weak-rsa1024-pkcs8.pem", "KEY_TOO_SMALL"),
        ("not-rsa-p256.pem", "UNSUPPORTED_KEY_TYPE"),
        ("test-rsa2048-public.pem", "INVALID_PRIVATE_KEY"),
        ("test-rsa2048-encrypted-pkcs8.pem", "PASSPHRASE_REQUIRED"),
    ],
)
def test_refused_keys(file: str, code: str) -> None:
    with pytest.raises(ns.InvalidKeyError) as e:
        ns.PrivateKey.from_file(KEYS / file)
    assert e.value.code == code


def test_wrong_passphrase() -> None:
    with pytest.raises(ns.InvalidKeyError) as e:
        ns.PrivateKey.from_file(KEYS / "test-rsa2048-encrypted-pkcs8.pem", "Tr0ub4dor&3")
    assert e.value.code == "WRONG_PASSPHRASE"
    assert "Tr0ub4dor" not in str(e.value)


def test_missing_key_file(tmp_path: Path) -> None:
    with pytest.raises(ns.NuveraIOError) as e:
        ns.PrivateKey.from_file(tmp_path / "nope.pem")
    assert e.value.code == "IO_ERROR"


def test_bad_url(signer: ns.Signer) -> None:
    with pytest.raises(ns.InvalidRequestError) as e:
        signer.sign("GET", "not a url")
    assert e.value.code == "INVALID_URL"
    with pytest.raises(ns.InvalidRequestError) as e:
        ns.request_uri("http://[::1")
    assert e.value.code == "INVALID_URL"


def test_bad_method(signer: ns.Signer) -> None:
    with pytest.raises(ns.InvalidRequestError) as e:
        signer.sign("GE T", URL)
    assert e.value.code == "INVALID_METHOD"


@pytest.mark.parametrize("lifetime", [0, 61, -1])
def test_lifetime_out_of_range(key: ns.PrivateKey, lifetime: int) -> None:
    with pytest.raises(ns.InvalidRequestError) as e:
        ns.Signer(key, API_KEY, lifetime=lifetime)
    assert e.value.code == "INVALID_LIFETIME"


def test_lifetime_60_is_fine(key: ns.PrivateKey) -> None:
    c = ns.Signer(key, API_KEY, lifetime=60).sign("GET", URL).claims
    assert c.exp - c.iat == 60


def test_bad_api_key(key: ns.PrivateKey) -> None:
    # INVALID_API_KEY is in the core's key family (it was a request error before the core
    # grouped its codes).
    with pytest.raises(ns.InvalidKeyError) as e:
        ns.Signer(key, " padded ")
    assert e.value.code == "INVALID_API_KEY"


def test_bad_precomputed_hash(signer: ns.Signer) -> None:
    with pytest.raises(ns.InvalidRequestError) as e:
        signer.sign("POST", URL, body_hash="ABC")
    assert e.value.code == "INVALID_BODY_HASH"


def test_malformed_multipart() -> None:
    with pytest.raises(ns.MultipartError) as e:
        ns.multipart_body_hash("multipart/form-data; boundary=b", b"--b\r\nnot closed")
    assert e.value.code == "MULTIPART_MALFORMED"
    with pytest.raises(ns.MultipartError) as e:
        ns.MultipartForm().add_field("bad\r\nname", "x")
    assert e.value.code == "INVALID_FORM_PART"


def test_secrets_stay_out_of_repr(key: ns.PrivateKey) -> None:
    pem = (KEYS / "test-rsa2048-pkcs8.pem").read_text()
    secret_api_key = "nv_live_supersecret_9f8e"
    signer = ns.Signer(key, secret_api_key)
    signed = signer.sign("POST", URL, b"{}")
    body_lines = [line for line in pem.splitlines() if line and not line.startswith("-----")]
    texts = [repr(key), str(key), repr(signer), repr(signed), str(signed), repr(signed.claims),
             signed.proof_json()]
    for text in texts:
        assert secret_api_key not in text
        assert signed.token not in text
        assert signed.token.split(".")[2] not in text
        for line in body_lines:
            assert line not in text
    assert key.fingerprint in repr(key)
    assert signed.proof()["uri"] == "/api/v1/customers"
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(key)


def test_key_properties(key: ns.PrivateKey) -> None:
    assert key.bits == 2048
    assert key.public_key_pem.strip() == (KEYS / "test-rsa2048-public.pem").read_text().strip()
    assert key.fingerprint.startswith("SHA256:") and len(key.fingerprint) == 7 + 64


def test_body_hash_file_matches_bytes(tmp_path: Path) -> None:
    data = bytes(range(256)) * 1000
    p = tmp_path / "body.bin"
    p.write_bytes(data)
    assert ns.body_hash_file(p) == ns.body_hash(data)
    assert ns.body_hash("é") == ns.body_hash("é".encode())


def test_sign_file_and_multipart(signer: ns.Signer, upload: Path) -> None:
    a = signer.sign_file("PUT", URL, upload)
    assert a.claims.body_hash == ns.body_hash(upload.read_bytes())
    form = ns.MultipartForm().add_field("customerId", "c_42").add_file("file", upload, mime_type="application/pdf")
    signed = signer.sign_multipart("POST", URL, form)
    assert signed.claims.body_hash == form.body_hash()
    assert signer.sign("POST", URL, form).claims.body_hash == form.body_hash()
    wire = signer.sign_multipart_wire("POST", URL, form.content_type, form.to_bytes())
    assert wire.claims.body_hash == form.body_hash()
    assert form.canonical()["files"][0]["fileName"] == "cert.pdf"


def test_fresh_jti_each_sign(signer: ns.Signer) -> None:
    jtis = {signer.sign("GET", URL).claims.jti for _ in range(50)}
    assert len(jtis) == 50


def test_verifier_accepts_then_refuses_replay(signer: ns.Signer) -> None:
    verifier = ns.Verifier.from_json(registry_json())
    body = b'{"companyName":"Acme"}'
    signed = signer.sign("POST", URL, body)
    ok = verifier.verify("POST", "/api/v1/customers", api_key=API_KEY,
                         authorization=signed.authorization, body_hash=ns.body_hash(body))
    assert ok.application == "Python tests" and ok.permission == "CUSTOMERS_WRITE"
    assert ok.claims == signed.claims
    with pytest.raises(ns.VerificationError) as e:
        verifier.verify("POST", "/api/v1/customers", api_key=API_KEY,
                        authorization=signed.authorization, body_hash=ns.body_hash(body))
    assert e.value.code == "AUTH_REPLAYED_JTI" and e.value.http_status == 401
    assert json.loads(e.value.response_body())["errors"][0]["code"] == "AUTH_REPLAYED_JTI"


@pytest.mark.parametrize(
    "mutate,code,status",
    [
        (lambda s, h: ("GET", "/api/v1/customers", API_KEY, s.authorization, h), "AUTH_METHOD_MISMATCH", 401),
        (lambda s, h: ("POST", "/api/v1/customers?x=1", API_KEY, s.authorization, h), "AUTH_URI_MISMATCH", 401),
        (lambda s, h: ("POST", "/api/v1/customers", API_KEY, s.authorization, ns.body_hash(b"x")), "AUTH_BODY_HASH_MISMATCH", 401),
        (lambda s, h: ("POST", "/api/v1/customers", None, s.authorization, h), "AUTH_MISSING_HEADER", 401),
        (lambda s, h: ("POST", "/api/v1/customers", "nv_unknown", s.authorization, h), "AUTH_INVALID_API_KEY", 401),
        (lambda s, h: ("POST", "/api/v1/customers", API_KEY, "Bearer x", h), "AUTH_INVALID_HEADER", 401),
    ],
)
def test_verifier_codes(signer: ns.Signer, mutate: Any, code: str, status: int) -> None:
    verifier = ns.Verifier.from_json(registry_json())
    body = b"{}"
    signed = signer.sign("POST", URL, body)
    method, target, api_key, auth, h = mutate(signed, ns.body_hash(body))
    with pytest.raises(ns.VerificationError) as e:
        verifier.verify(method, target, api_key=api_key, authorization=auth, body_hash=h)
    assert (e.value.code, e.value.http_status) == (code, status)


def test_verifier_permission_denied_is_403(signer: ns.Signer) -> None:
    verifier = ns.Verifier.from_json(registry_json())
    signed = signer.sign("POST", "/api/v1/payouts")
    with pytest.raises(ns.VerificationError) as e:
        verifier.verify("POST", "/api/v1/payouts", api_key=API_KEY,
                        authorization=signed.authorization, body_hash=ns.body_hash(b""))
    assert (e.value.code, e.value.http_status) == ("AUTH_PERMISSION_DENIED", 403)


def test_verifier_from_files_and_toml(tmp_path: Path, signer: ns.Signer) -> None:
    toml = (
        '[[applications]]\nname = "T"\npermissions = ["CUSTOMERS_READ"]\n'
        f'apiKeys = [{{ key = "{API_KEY}" }}]\n'
        'publicKeys = [{ file = "test-rsa2048-public.pem" }]\n'
    )
    path = tmp_path / "registry.toml"
    path.write_text(toml)
    (tmp_path / "test-rsa2048-public.pem").write_bytes((KEYS / "test-rsa2048-public.pem").read_bytes())
    for verifier in (ns.Verifier.from_file(path), ns.Verifier.from_toml(toml, base_dir=tmp_path)):
        signed = signer.sign("GET", URL + "?limit=2")
        v = verifier.verify_request("GET", "/api/v1/customers?limit=2", signed.headers)
        assert v.application == "T"
    with pytest.raises(ns.RegistryError) as e:
        ns.Verifier.from_json("{")
    assert e.value.code == "INVALID_REGISTRY"


def test_verifier_pinned_clock_expiry(signer: ns.Signer, vectors: Dict[str, Any]) -> None:
    case = vectors["jwt"][1]
    verifier = ns.Verifier.from_json(
        registry_json().replace(API_KEY, case["apiKey"]), now=case["iat"] + 10_000
    )
    with pytest.raises(ns.VerificationError) as e:
        verifier.verify(case["method"].upper(), case["uri"], api_key=case["apiKey"],
                        authorization="Bearer " + case["token"], body_hash=case["bodyHash"])
    assert e.value.code == "AUTH_TOKEN_EXPIRED"


def test_explain_names_the_broken_rule(signer: ns.Signer, key: ns.PrivateKey) -> None:
    signed = signer.sign("POST", URL, b'{"a":1}')
    ok = ns.explain("POST", URL, token=signed.token, api_key=API_KEY, body=b'{"a":1}',
                    public_key_pem=key.public_key_pem, now=signed.claims.iat)
    assert ok.ok and ok.verdict is None and not ok.findings
    bad = ns.explain("POST", URL, token=signed.token, api_key=API_KEY, body=b'{"a": 1}',
                     content_type="application/json")
    assert not bad.ok and bad.verdict == "AUTH_BODY_HASH_MISMATCH"
    f = bad.findings[0]
    assert (f.code, f.area) == ("AUTH_BODY_HASH_MISMATCH", "body-hash")
    assert f.diagnosis and f.fix and f.signed == signed.claims.body_hash
    assert "AUTH_BODY_HASH_MISMATCH" in bad.text and str(bad) == bad.text
    assert json.loads(bad.json)["verdict"] == "AUTH_BODY_HASH_MISMATCH"
    assert API_KEY not in bad.text and signed.token not in bad.json


def test_threads_share_a_signer(signer: ns.Signer) -> None:
    verifier = ns.Verifier.from_json(registry_json())
    errors: List[BaseException] = []
    jtis: List[str] = []
    lock = threading.Lock()

    def work(i: int) -> None:
        try:
            for j in range(25):
                body = f'{{"i":{i},"j":{j}}}'.encode()
                s = signer.sign("POST", URL, body)
                verifier.verify("POST", "/api/v1/customers", api_key=API_KEY,
                                authorization=s.authorization, body_hash=ns.body_hash(body))
                with lock:
                    jtis.append(s.claims.jti)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(set(jtis)) == 100


def test_iat_defaults_to_now(signer: ns.Signer) -> None:
    c = signer.sign("GET", URL).claims
    assert abs(c.iat - int(time.time())) <= 2 and c.exp == c.iat + 55
    assert (c.iss, c.aud, c.sub) == ("nuvera-api", "nuvera-rest-api", API_KEY)


def test_vector_multipart_signs_with_wire_hash(signer: ns.Signer, vectors: Dict[str, Any]) -> None:
    case = vectors["multipart"][2]
    signed = signer.sign_multipart_wire("POST", URL, case["contentType"], b64(case["bodyBase64"]))
    assert signed.claims.body_hash == case["bodyHash"]


def test_out_of_range_integers_are_invalid_arguments(signer: ns.Signer) -> None:
    token = signer.sign("GET", URL).token
    for call in (
        lambda: ns.support_bundle("GET", URL, token=token, status=70_000),
        lambda: ns.support_bundle("GET", URL, token=token, status=401, now=-5),
        lambda: ns.explain("GET", URL, token=token, now=-1),
        lambda: ns.Verifier.from_json(registry_json(), now=-1),
    ):
        with pytest.raises(ns.InvalidRequestError) as e:
            call()
        assert e.value.code == "INVALID_ARGUMENT" and isinstance(e.value, ValueError)
    with pytest.raises(ns.InvalidRequestError) as e:
        ns.Verifier.from_json(registry_json(), clock_skew=61)
    assert e.value.code == "INVALID_CLAIM"


def test_public_key_fingerprint(key: ns.PrivateKey) -> None:
    pem = (KEYS / "test-rsa2048-public.pem").read_text()
    assert ns.public_key_fingerprint(pem) == key.fingerprint == ns.public_key_fingerprint(pem.encode())
    with pytest.raises(ns.InvalidKeyError):
        ns.public_key_fingerprint("not a key")
