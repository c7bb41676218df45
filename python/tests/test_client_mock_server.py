"""The §8 client policy as the integrations carry it out (``requests``, ``httpx`` sync, ``httpx``
async), against the project's real mock server (``nuvera-sign serve`` through
``scripts/mock-server``) over loopback: a server clock 600 s ahead and behind, redirects and 503s
from ``--test-routes``, and a second server for a hop to another origin.

Each send is recorded on the way out by the clients' own transports (subclasses that note the
request and then send it for real), to count round trips and read the tokens sent."""

from __future__ import annotations

import asyncio
import base64
import json
import ssl
import subprocess
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple
from urllib.parse import quote

import pytest

requests = pytest.importorskip("requests")
httpx = pytest.importorskip("httpx")

import nuvera_signing as ns  # noqa: E402
from nuvera_signing.httpx import NuveraAuth as HttpxAuth  # noqa: E402
from nuvera_signing.requests import NuveraAuth as RequestsAuth  # noqa: E402

from conftest import ROOT  # noqa: E402

CLIENTS = ["requests", "httpx", "httpx-async"]
CUSTOMER = json.dumps({"companyName": "Acme Imports", "registrationNumber": "ACME-123"}).encode()


@dataclass
class Mock:
    url: str
    api_key: str
    key_file: str

    def signer(self) -> ns.Signer:
        return ns.Signer(ns.PrivateKey.from_file(self.key_file), self.api_key)


def start_mock(tmp: Path, *serve_args: str) -> Iterator[Mock]:
    env = tmp / "mock.env"
    subprocess.run(
        ["bash", str(ROOT / "scripts/mock-server"), "start", "--env", str(env), "--", *serve_args],
        check=True, stdout=subprocess.DEVNULL,
    )
    try:
        values = dict(line.split("=", 1) for line in env.read_text().splitlines() if "=" in line)
        yield Mock(values["NUVERA_MOCK_URL"], values["NUVERA_API_KEY"], values["NUVERA_PRIVATE_KEY_FILE"])
    finally:
        subprocess.run(["bash", str(ROOT / "scripts/mock-server"), "stop", "--env", str(env)], check=False)


@pytest.fixture(scope="module")
def routes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mock]:
    yield from start_mock(tmp_path_factory.mktemp("routes"), "--test-routes")


@pytest.fixture(scope="module")
def other(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mock]:
    yield from start_mock(tmp_path_factory.mktemp("other"), "--test-routes")


@pytest.fixture(scope="module", params=[600, -600], ids=["server-ahead", "server-behind"])
def skewed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[int, Mock]]:
    offset: int = request.param
    for mock in start_mock(tmp_path_factory.mktemp("skew"), "--clock-offset", str(offset)):
        yield offset, mock


# -- one call through each integration, every send recorded ----------------------------------------


@dataclass
class Sent:
    method: str
    url: str
    headers: Dict[str, str]
    body: bytes

    @property
    def claims(self) -> Optional[Dict[str, Any]]:
        auth = self.headers.get("authorization")
        if auth is None:
            return None
        payload = auth.removeprefix("Bearer ").split(".")[1]
        parsed: Dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return parsed


@dataclass
class Outcome:
    status: int
    history: List[int]
    sends: List[Sent]


class RecordingAdapter(requests.adapters.HTTPAdapter):  # type: ignore[misc]
    def __init__(self, sends: List[Sent]) -> None:
        super().__init__()
        self.sends = sends

    def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        body = request.body or b""
        self.sends.append(Sent(request.method, request.url,
                               {k.lower(): v for k, v in request.headers.items()},
                               body.encode() if isinstance(body, str) else body))
        return super().send(request, *args, **kwargs)


def _note(sends: List[Sent], request: Any) -> None:
    sends.append(Sent(request.method, str(request.url),
                      {k.lower(): v for k, v in request.headers.items()}, request.content))


class RecordingTransport(httpx.HTTPTransport):  # type: ignore[misc]
    def __init__(self, sends: List[Sent], verify: Any = True) -> None:
        super().__init__(verify=verify)
        self.sends = sends

    def handle_request(self, request: Any) -> Any:
        _note(self.sends, request)
        return super().handle_request(request)


class AsyncRecordingTransport(httpx.AsyncHTTPTransport):  # type: ignore[misc]
    def __init__(self, sends: List[Sent], verify: Any = True) -> None:
        super().__init__(verify=verify)
        self.sends = sends

    async def handle_async_request(self, request: Any) -> Any:
        _note(self.sends, request)
        return await super().handle_async_request(request)


def call(client: str, signer: ns.Signer, method: str, url: str, body: Optional[bytes] = None,
         policy: Optional[ns.ClientPolicy] = None, ca: Optional[str] = None) -> Outcome:
    """One request through ``client``; ``ca`` is a CA file to trust for https."""
    sends: List[Sent] = []
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if client == "requests":
        with requests.Session() as session:
            session.mount("http://", RecordingAdapter(sends))
            session.mount("https://", RecordingAdapter(sends))
            r = session.request(method, url, data=body, headers=headers, verify=ca or True,
                                auth=RequestsAuth(signer, policy=policy), timeout=30)
            return Outcome(r.status_code, [h.status_code for h in r.history], sends)
    verify = ssl.create_default_context(cafile=ca) if ca else True
    if client == "httpx":
        with httpx.Client(transport=RecordingTransport(sends, verify), auth=HttpxAuth(signer, policy=policy)) as c:
            x = c.request(method, url, content=body, headers=headers)
            return Outcome(x.status_code, [h.status_code for h in x.history], sends)

    async def run() -> Outcome:
        async with httpx.AsyncClient(transport=AsyncRecordingTransport(sends, verify),
                                     auth=HttpxAuth(signer, policy=policy)) as c:
            x = await c.request(method, url, content=body, headers=headers)
            return Outcome(x.status_code, [h.status_code for h in x.history], sends)

    return asyncio.run(run())


def redirect(mock: Mock, status: int, to: str) -> str:
    return f"{mock.url}/__test/redirect?status={status}&to={quote(to, safe='')}"


# -- clock correction --------------------------------------------------------------------------------


@pytest.mark.parametrize("client", CLIENTS)
def test_a_skewed_server_costs_one_extra_round_trip_per_signer(client: str, skewed: Tuple[int, Mock]) -> None:
    offset, mock = skewed
    signer = mock.signer()
    first = call(client, signer, "GET", mock.url + "/api/v1/customers?limit=1")
    assert first.status == 200 and first.history == [401]
    assert len(first.sends) == 2
    # The offset is learnt from Date (whole seconds, the round trip's midpoint): within 2 s.
    assert abs(signer.clock_offset - offset) <= 2
    later = [
        call(client, signer, "POST", mock.url + "/api/v1/customers", CUSTOMER),
        call(client, signer, "GET", mock.url + "/api/v1/customers?limit=2"),
    ]
    assert [(o.status, len(o.sends)) for o in later] == [(201, 1), (200, 1)]
    tokens = [s.claims for o in (first, *later) for s in o.sends]
    assert all(t is not None for t in tokens)
    jtis = [t["jti"] for t in tokens if t is not None]
    assert len(set(jtis)) == len(jtis) == 4
    # Signed afresh with the learnt offset; the lifetime (55 s by default) never changes.
    assert {t["exp"] - t["iat"] for t in tokens if t is not None} == {55}
    refused, corrected = first.sends[0].claims, first.sends[1].claims
    assert refused is not None and corrected is not None
    assert abs((corrected["iat"] - refused["iat"]) - offset) <= 3


def test_concurrent_requests_of_a_corrected_signer_need_no_extra_round_trip(skewed: Tuple[int, Mock]) -> None:
    offset, mock = skewed
    signer = mock.signer()
    assert len(call("httpx-async", signer, "GET", mock.url + "/api/v1/customers").sends) == 2
    sends: List[Sent] = []

    async def run() -> List[int]:
        async with httpx.AsyncClient(transport=AsyncRecordingTransport(sends), auth=HttpxAuth(signer)) as c:
            answers = await asyncio.gather(
                *(c.post(mock.url + "/api/v1/customers", content=CUSTOMER,
                         headers={"Content-Type": "application/json"}) for _ in range(8)))
            return [a.status_code for a in answers]

    assert asyncio.run(run()) == [201] * 8
    assert len(sends) == 8  # one send each: the offset learnt once serves every later request
    jtis = {s.claims["jti"] for s in sends if s.claims is not None}
    assert len(jtis) == 8


# -- redirects ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("client", CLIENTS)
def test_307_keeps_the_post_and_its_body_signed_afresh(client: str, routes: Mock) -> None:
    out = call(client, routes.signer(), "POST", redirect(routes, 307, "/api/v1/customers"), CUSTOMER)
    assert out.status == 201 and out.history == [307]
    hop, final = out.sends
    assert final.method == "POST" and final.url == routes.url + "/api/v1/customers"
    assert final.body == CUSTOMER and final.headers["content-type"] == "application/json"
    assert hop.claims is not None and final.claims is not None
    assert final.claims["uri"] == "/api/v1/customers" and final.claims["method"] == "POST"
    assert final.claims["bodyHash"] == ns.body_hash(CUSTOMER)
    assert hop.claims["jti"] != final.claims["jti"]


@pytest.mark.parametrize("client", CLIENTS)
def test_303_becomes_a_get_without_a_body(client: str, routes: Mock) -> None:
    out = call(client, routes.signer(), "POST", redirect(routes, 303, "/api/v1/customers?limit=1"), CUSTOMER)
    assert out.status == 200 and out.history == [303]
    final = out.sends[1]
    assert final.method == "GET" and final.body == b""
    assert "content-type" not in final.headers and final.claims is not None
    assert final.claims["method"] == "GET" and final.claims["uri"] == "/api/v1/customers?limit=1"


@pytest.mark.parametrize("client", CLIENTS)
def test_a_hop_to_another_origin_goes_without_credentials(client: str, routes: Mock, other: Mock) -> None:
    out = call(client, routes.signer(), "GET", redirect(routes, 302, other.url + "/api/v1/customers"))
    first, hop = out.sends
    assert "authorization" in first.headers and "x-api-key" in first.headers
    assert hop.url == other.url + "/api/v1/customers"
    assert "authorization" not in hop.headers and "x-api-key" not in hop.headers
    assert out.status == 401  # the other server refuses the unsigned request


@pytest.fixture(scope="module")
def https_redirector(tmp_path_factory: pytest.TempPathFactory, routes: Mock) -> Iterator[Tuple[str, str]]:
    """An https server (a certificate from trustme's throwaway CA) that redirects every request to
    the mock server over plain http; yields its URL and the CA file to trust."""
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    ca_file = tmp_path_factory.mktemp("tls") / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))

    class Redirect(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _handle(self) -> None:
            self.send_response(302)
            self.send_header("Location", routes.url + "/api/v1/customers")
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = _handle

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{httpd.server_address[1]}", str(ca_file)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.mark.parametrize("client", CLIENTS)
def test_a_redirect_from_https_to_http_is_refused(client: str, https_redirector: Tuple[str, str]) -> None:
    url, ca = https_redirector
    with pytest.raises(ns.ClientError) as e:
        call(client, ns.Signer(ns.PrivateKey.from_file(ROOT / "testdata/keys/test-rsa2048-pkcs8.pem"), "nv_x"),
             "GET", url + "/api/v1/customers", ca=ca)
    assert e.value.code == "INSECURE_REDIRECT"


@pytest.mark.parametrize("client", CLIENTS)
def test_more_hops_than_the_policy_allows_fail(client: str, routes: Mock) -> None:
    inner = redirect(routes, 302, "/api/v1/customers")
    with pytest.raises(ns.ClientError) as e:
        call(client, routes.signer(), "GET", redirect(routes, 302, inner), policy=ns.ClientPolicy(max_redirects=1))
    assert e.value.code == "TOO_MANY_REDIRECTS"


# -- retries -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("client", CLIENTS)
def test_a_503_with_retry_after_is_retried_with_a_fresh_token(client: str, routes: Mock) -> None:
    url = f"{routes.url}/api/v1/customers?__unavailable={uuid.uuid4()}&__times=1&__retry_after=1"
    out = call(client, routes.signer(), "GET", url, policy=ns.ClientPolicy(retry=ns.RetryPolicy()))
    assert out.status == 200 and out.history == [503]
    first, retry = (s.claims for s in out.sends)
    assert first is not None and retry is not None and first["jti"] != retry["jti"]


@pytest.mark.parametrize("client", CLIENTS)
def test_without_a_retry_policy_a_503_is_the_answer(client: str, routes: Mock) -> None:
    url = f"{routes.url}/api/v1/customers?__unavailable={uuid.uuid4()}&__times=1&__retry_after=1"
    out = call(client, routes.signer(), "GET", url)
    assert out.status == 503 and len(out.sends) == 1
