"""``httpx`` integration: ``NuveraAuth`` signs every send, sync and async, and carries out the
core's §8 policy.

>>> httpx.Client(auth=NuveraAuth(signer)).post(url, json=payload)     # doctest: +SKIP
>>> NuveraAuth(signer, policy=ClientPolicy(retry=RetryPolicy()))      # doctest: +SKIP

It signs exactly what httpx sends: the target is the request's ``url.raw_path`` (the bytes httpx
writes on the request line) and the body is the request's content, read in full
(``requires_request_body``); ``multipart/form-data`` bodies (``files=``) are hashed through the
core's canonical object.

Every decision after a response is the core's :class:`~nuvera_signing.Exchange`
(:class:`~nuvera_signing.ClientPolicy`, contract §8); this module only carries it out:

- redirects are followed here: up to ``max_redirects`` hops, 301/302 after POST and 303 become GET
  without a body, 307/308 keep method and body, a hop to another origin goes without
  ``x-api-key``/``Authorization``, https→http raises ``INSECURE_REDIRECT``; each signed hop gets a
  fresh token. Keep the client's ``follow_redirects=False`` (httpx's default): httpx follows
  redirects *before* an auth sees the response and would resend the old token (and the API key)
  to the new location; when NuveraAuth gets a response httpx reached by a redirect of its own it
  raises ``INVALID_ARGUMENT`` rather than hand it on;
- retries (off unless the policy has a ``retry``) wait as the core says (``time.sleep`` in a
  ``Client``, ``anyio.sleep`` — ``asyncio.sleep`` under asyncio — in an ``AsyncClient``) and send
  again, signed afresh;
- a 401 ``AUTH_TOKEN_EXPIRED``/``AUTH_TOKEN_NOT_YET_VALID`` with a ``Date`` corrects the signer's
  clock offset (shared by all its users) and sends once more, signed afresh.

Streaming bodies (generators, iterators) raise :class:`~nuvera_signing.StreamingBodyError`: pass
bytes or a ``MultipartForm``'s ``to_bytes()``.
"""

from __future__ import annotations

import time
from typing import AsyncGenerator, Generator, Optional, Union

import httpx

from ._native import (
    Attempt,
    ClientPolicy,
    Exchange,
    Signer,
    is_multipart_form_data,
    now_unix_ms,
    request_uri,
)
from .errors import STREAMING_BODY, NuveraSigningError

__all__ = ["NuveraAuth"]

_CREDENTIAL_HEADERS = ("x-api-key", "authorization")


class _Wait:
    """A step of the flow: wait this long before the next send."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


_Step = Union[httpx.Request, _Wait]


class NuveraAuth(httpx.Auth):
    """Signs every request of an ``httpx.Client`` / ``httpx.AsyncClient`` with a
    :class:`~nuvera_signing.Signer` and follows the core's client ``policy`` (default
    :class:`~nuvera_signing.ClientPolicy`: 10 redirects, no retries, clock correction on)."""

    requires_request_body = True

    def __init__(self, signer: Signer, *, policy: Optional[ClientPolicy] = None) -> None:
        if not isinstance(signer, Signer):
            raise TypeError("signer must be a nuvera_signing.Signer")
        if policy is not None and not isinstance(policy, ClientPolicy):
            raise TypeError("policy must be a nuvera_signing.ClientPolicy")
        self.signer = signer
        self.policy = policy if policy is not None else ClientPolicy()

    def __repr__(self) -> str:
        return f"NuveraAuth(signer={self.signer!r}, policy={self.policy!r})"

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

    # -- the exchange, shared by sync and async --------------------------------------------------

    @staticmethod
    def _next_request(first: httpx.Request, attempt: Attempt) -> httpx.Request:
        """The request the exchange's ``attempt`` describes, built from the caller's request."""
        headers = httpx.Headers(first.headers)
        for name in ("host", *_CREDENTIAL_HEADERS):
            headers.pop(name, None)
        if not attempt.credentials:
            headers.pop("cookie", None)  # the caller's cookies stay with the caller's origin
        content: Optional[bytes] = None
        if attempt.send_body:
            content = first.content
        else:
            for name in ("content-length", "content-type", "transfer-encoding"):
                headers.pop(name, None)
        request = httpx.Request(
            attempt.method,
            attempt.url,
            headers=headers,
            content=content,
            extensions=first.extensions,
        )
        request.read()
        return request

    def _flow(self, request: httpx.Request) -> Generator[_Step, Optional[httpx.Response], None]:
        """Yields the requests to send (receiving each response, its body read when it is a 401)
        and the waits between them; the caller's drivers do the I/O and the sleeping."""
        exchange = Exchange(
            self.policy, self.signer, request.method, str(request.url),
            has_body=bool(request.content),
        )
        self.sign(request)
        send: httpx.Request = request
        while True:
            sent_at = now_unix_ms()
            response = yield send
            received_at = now_unix_ms()
            assert response is not None
            if response.request is not send:
                # httpx's own redirect handling built the request this response answers.
                raise NuveraSigningError.for_code(
                    "INVALID_ARGUMENT",
                    "httpx followed a redirect itself (the client has follow_redirects=True) and "
                    "resent the old token to the new location; create the client with "
                    "follow_redirects=False: NuveraAuth follows redirects under the client policy",
                )
            status = response.status_code
            action = exchange.on_response(
                status,
                list(response.headers.multi_items()),
                response.content if status == 401 else None,
                sent_at_ms=sent_at,
                received_at_ms=received_at,
            )
            attempt = action.attempt
            if action.kind != "send" or attempt is None:
                return
            if action.delay_ms > 0:
                yield _Wait(action.delay_ms / 1000)
            send = self._next_request(request, attempt)
            if attempt.credentials:
                self.sign(send)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """The flow without waits or body reads (httpx calls ``sync_auth_flow``/``async_auth_flow``,
        which do both); kept for callers that drive an ``httpx.Auth`` by hand."""
        flow = self._flow(request)
        try:
            step = next(flow)
            while True:
                if isinstance(step, _Wait):
                    step = next(flow)
                    continue
                response = yield step
                if response.status_code == 401:
                    response.read()
                step = flow.send(response)
        except StopIteration:
            return

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        self._check_stream(request)
        request.read()
        flow = self._flow(request)
        try:
            step = next(flow)
            while True:
                if isinstance(step, _Wait):
                    time.sleep(step.seconds)
                    step = next(flow)
                    continue
                response = yield step
                if response.status_code == 401:
                    response.read()  # the core reads a refusal's §6 code
                step = flow.send(response)
        except StopIteration:
            return

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        self._check_stream(request)
        await request.aread()
        flow = self._flow(request)
        try:
            step = next(flow)
            while True:
                if isinstance(step, _Wait):
                    await _async_sleep(step.seconds)
                    step = next(flow)
                    continue
                response = yield step
                if response.status_code == 401:
                    await response.aread()  # the core reads a refusal's §6 code
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
