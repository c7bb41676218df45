"""``httpx`` integration: ``NuveraAuth`` signs the final request, sync and async.

>>> httpx.Client(auth=NuveraAuth(signer)).post(url, json=payload)     # doctest: +SKIP

It signs exactly what httpx sends: the target is the request's ``url.raw_path`` (the bytes httpx
writes on the request line) and the body is the request's content, read in full
(``requires_request_body``); ``multipart/form-data`` bodies (``files=``) are hashed through the
core's canonical object. Streaming bodies (generators, iterators) raise
:class:`~nuvera_signing.StreamingBodyError`: pass bytes or a ``MultipartForm``'s ``to_bytes()``.

Redirects: keep the client's ``follow_redirects=False`` (httpx's default); ``NuveraAuth`` follows
them itself and signs each same-origin hop again with a fresh ``jti`` (a hop to another origin is
sent without the Nuvera headers). With ``follow_redirects=True`` httpx resends the old token to the
new location itself; when that answers 401, ``NuveraAuth`` signs the final request and sends it
once more (one wasted round trip: prefer the default). Retries: ``retries=N`` re-sends, signed again, after a status in
``retry_statuses``.
"""

from __future__ import annotations

import time
from typing import AsyncGenerator, Collection, Generator, Optional, Tuple, Union

import httpx

from ._native import Signer, is_multipart_form_data, request_uri
from .errors import STREAMING_BODY, NuveraSigningError

__all__ = ["NuveraAuth"]

_IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"})
_PORTS = {"http": 80, "https": 443}
_Step = Union[httpx.Request, float]


def _read(request: httpx.Request) -> httpx.Request:
    """A request whose body is loaded (a request built by the client for a redirect is not)."""
    try:
        request.content
    except httpx.RequestNotRead:
        request.read()
    return request


def _origin(url: httpx.URL) -> Tuple[str, str, Optional[int]]:
    return (url.scheme, url.host, url.port or _PORTS.get(url.scheme))


class NuveraAuth(httpx.Auth):
    """Signs every request of an ``httpx.Client`` / ``httpx.AsyncClient``.

    ``retries``: how many times to re-send after a status in ``retry_statuses`` (default
    502/503/504), for ``retry_methods`` (default: the idempotent methods; ``None`` = every method),
    waiting ``backoff * 2**n`` seconds or the response's ``Retry-After`` (at most
    ``max_retry_wait``). ``follow_redirects`` / ``max_redirects``: see the module doc.
    """

    requires_request_body = True

    def __init__(
        self,
        signer: Signer,
        *,
        retries: int = 0,
        retry_statuses: Collection[int] = (502, 503, 504),
        retry_methods: Optional[Collection[str]] = _IDEMPOTENT,
        backoff: float = 0.1,
        max_retry_wait: float = 30.0,
        follow_redirects: bool = True,
        max_redirects: int = 20,
    ) -> None:
        if not isinstance(signer, Signer):
            raise TypeError("signer must be a nuvera_signing.Signer")
        self.signer = signer
        self.retries = retries
        self.retry_statuses = frozenset(retry_statuses)
        self.retry_methods = None if retry_methods is None else frozenset(
            m.upper() for m in retry_methods
        )
        self.backoff = backoff
        self.max_retry_wait = max_retry_wait
        self.follow_redirects = follow_redirects
        self.max_redirects = max_redirects

    def __repr__(self) -> str:
        return f"NuveraAuth(signer={self.signer!r})"

    # -- signing ---------------------------------------------------------------------------------

    @staticmethod
    def _check_stream(request: httpx.Request) -> None:
        content_type = request.headers.get("content-type")
        if isinstance(request.stream, httpx.ByteStream):
            return
        if content_type is not None and is_multipart_form_data(content_type):
            return  # httpx's own multipart encoder (files=…): re-readable, read in full below
        if hasattr(request, "_content"):
            return  # already read
        raise NuveraSigningError.for_code(
            STREAMING_BODY,
            f"cannot sign a streaming request body ({type(request.stream).__name__}): its bytes "
            "are not known before sending. Pass the body as bytes (content=…/json=…/data=…), "
            "use files=…, or encode a nuvera_signing.MultipartForm with to_bytes()",
        )

    def sign(self, request: httpx.Request) -> httpx.Request:
        """Signs ``request`` in place (fresh ``jti``); its body must have been read."""
        target = request.url.raw_path.decode("ascii")
        uri = request_uri(target)
        body = request.content
        # The core decides how the bytes are hashed for their Content-Type (multipart/form-data
        # through its canonical object).
        signed = self.signer.sign(
            request.method,
            uri,
            body if body else None,
            content_type=request.headers.get("content-type"),
        )
        request.headers.update(signed.headers)
        return request

    # -- the flow, shared by sync and async ------------------------------------------------------

    def _retry_wait(self, response: httpx.Response, attempt: int) -> float:
        after: Optional[str] = response.headers.get("retry-after")
        if after is not None and after.strip().isdigit():
            return min(float(after.strip()), self.max_retry_wait)
        return min(self.backoff * float(2**attempt), self.max_retry_wait)

    def _redirect(self, response: httpx.Response) -> Optional[httpx.Request]:
        request = response.request
        location = response.headers.get("location")
        if not location:
            return None
        url = request.url.join(location)
        method = request.method
        status = response.status_code
        if (status in (302, 303) and method != "HEAD") or (status == 301 and method == "POST"):
            method = "GET"
        headers = httpx.Headers(request.headers)
        for name in ("host", "content-length", "transfer-encoding", "cookie"):
            headers.pop(name, None)
        for name in ("x-api-key", "authorization"):
            headers.pop(name, None)
        content: Optional[bytes] = None
        if status in (307, 308):
            content = request.content
        else:
            headers.pop("content-type", None)
        new = httpx.Request(
            method, url, headers=headers, content=content, extensions=request.extensions
        )
        new.read()
        if _origin(url) == _origin(request.url):
            self.sign(new)
        return new

    def _flow(self, request: httpx.Request) -> Generator[_Step, httpx.Response, None]:
        origin = _origin(request.url)
        self.sign(request)
        response = yield request
        attempt = 0
        hops = 0
        resigned_client_redirect = False
        while True:
            method = response.request.method.upper()
            if (
                response.history
                and response.status_code == 401
                and not resigned_client_redirect
                and _origin(response.request.url) == origin
            ):
                # The client followed a redirect itself (follow_redirects=True) and resent the old
                # token, which names the old uri: sign the final request and send it once more.
                resigned_client_redirect = True
                again = _read(response.request)
                self.sign(again)
                response = yield again
                continue
            if (
                attempt < self.retries
                and response.status_code in self.retry_statuses
                and (self.retry_methods is None or method in self.retry_methods)
            ):
                wait = self._retry_wait(response, attempt)
                attempt += 1
                if wait > 0:
                    yield wait
                again = _read(response.request)
                self.sign(again)
                response = yield again
                continue
            if self.follow_redirects and response.has_redirect_location and hops < self.max_redirects:
                nxt = self._redirect(response)
                if nxt is None:
                    return
                hops += 1
                response = yield nxt
                continue
            return

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """The flow without waiting between retries (``sync_auth_flow``/``async_auth_flow`` wait)."""
        flow = self._flow(request)
        step = next(flow)
        while True:
            try:
                if isinstance(step, float):
                    step = flow.send(None)  # type: ignore[arg-type]
                    continue
                response = yield step
                step = flow.send(response)
            except StopIteration:
                return

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        self._check_stream(request)
        request.read()
        flow = self._flow(request)
        step = next(flow)
        while True:
            try:
                if isinstance(step, float):
                    time.sleep(step)
                    step = flow.send(None)  # type: ignore[arg-type]
                    continue
                response = yield step
                step = flow.send(response)
            except StopIteration:
                return

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        self._check_stream(request)
        await request.aread()
        flow = self._flow(request)
        step = next(flow)
        while True:
            try:
                if isinstance(step, float):
                    await _async_sleep(step)
                    step = flow.send(None)  # type: ignore[arg-type]
                    continue
                response = yield step
                step = flow.send(response)
            except StopIteration:
                return


async def _async_sleep(seconds: float) -> None:
    try:
        import anyio  # httpx's own dependency: works under asyncio and trio
    except ImportError:  # pragma: no cover
        import asyncio

        await asyncio.sleep(seconds)
        return
    await anyio.sleep(seconds)
