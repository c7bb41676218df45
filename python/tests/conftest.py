"""Shared fixtures: the project's test data and a real local HTTP server that verifies every
request with the binding's own Verifier."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

import nuvera_signing as ns

ROOT = Path(__file__).resolve().parents[2]
TESTDATA = ROOT / "testdata"
KEYS = TESTDATA / "keys"
API_KEY = "nv_test_py_0001"


def b64(s: str) -> bytes:
    return base64.b64decode(s)


@pytest.fixture(scope="session")
def vectors() -> Dict[str, Any]:
    data: Dict[str, Any] = json.loads((TESTDATA / "vectors" / "signing-vectors.json").read_text("utf-8"))
    return data


@pytest.fixture(scope="session")
def key() -> ns.PrivateKey:
    return ns.PrivateKey.from_file(KEYS / "test-rsa2048-pkcs8.pem")


@pytest.fixture()
def signer(key: ns.PrivateKey) -> ns.Signer:
    return ns.Signer(key, API_KEY)


def registry_json() -> str:
    return json.dumps(
        {
            "applications": [
                {
                    "name": "Python tests",
                    "enabled": True,
                    "permissions": [
                        "CUSTOMERS_READ",
                        "CUSTOMERS_WRITE",
                        "DOCUMENTS_WRITE",
                        "REDIRECT_READ",
                        "REDIRECT_WRITE",
                        "FLAKY_READ",
                        "FLAKY_WRITE",
                    ],
                    "apiKeys": [{"key": API_KEY}],
                    "publicKeys": [{"file": str(KEYS / "test-rsa2048-public.pem")}],
                }
            ]
        }
    )


class Server:
    """What the server saw: one entry per request, with the verdict."""

    def __init__(self, httpd: ThreadingHTTPServer) -> None:
        self.httpd = httpd
        self.log: List[Dict[str, Any]] = []
        self.lock = threading.Lock()
        self.flaky_failures = 0

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"


def make_handler(server: Server, verifier: ns.Verifier) -> type:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _answer(self, status: int, body: Dict[str, Any], headers: Dict[str, str]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            entry: Dict[str, Any] = {"method": self.command, "target": self.path, "size": len(body)}
            try:
                verified = verifier.verify_request(self.command, self.path, dict(self.headers.items()), body)
            except ns.VerificationError as e:
                entry.update(code=e.code, message=e.message)
                with server.lock:
                    server.log.append(entry)
                self._answer(e.http_status, json.loads(e.response_body()), {})
                return
            entry.update(code="OK", jti=verified.claims.jti, uri=verified.claims.uri,
                         body_hash=verified.claims.body_hash)
            with server.lock:
                server.log.append(entry)
                flaky = self.path.startswith("/api/v1/flaky") and server.flaky_failures > 0
                if flaky:
                    server.flaky_failures -= 1
            if self.path.startswith("/api/v1/redirect/"):
                self._answer(307, {"redirect": True},
                             {"Location": "/api/v1/customers/after-redirect?hop=2"})
                return
            if flaky:
                self._answer(503, {"errors": [{"code": "UNAVAILABLE"}]}, {"Retry-After": "0"})
                return
            self._answer(200, {"ok": True, "uri": verified.claims.uri, "jti": verified.claims.jti,
                               "bodyHash": verified.claims.body_hash, "size": len(body)}, {})

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    return Handler


@pytest.fixture()
def server() -> Iterator[Server]:
    verifier = ns.Verifier.from_json(registry_json())
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    srv = Server(httpd)
    httpd.RequestHandlerClass = make_handler(srv, verifier)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.fixture()
def upload(tmp_path: Path) -> Path:
    p = tmp_path / "cert.pdf"
    p.write_bytes(b"%PDF-1.4 fake\r\n--not-a-boundary\r\n" + bytes(range(256)) * 40)
    return p
