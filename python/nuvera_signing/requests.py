"""``requests`` integration: ``NuveraAuth`` signs every send and carries out the core's §8 policy.

>>> session.post(url, json=payload, auth=NuveraAuth(signer))          # doctest: +SKIP
>>> NuveraAuth(signer, policy=ClientPolicy(retry=RetryPolicy()))      # doctest: +SKIP

It signs exactly what ``requests`` sends: the prepared URL's target (through the core's
``request_uri``, checked against the target urllib3 writes on the wire) and the prepared body's
bytes (``multipart/form-data`` from ``files=`` hashed through the core's canonical object).

Every decision after a response is the core's :class:`~nuvera_signing.Exchange`
(:class:`~nuvera_signing.ClientPolicy`, contract §8); this module only carries it out:

- redirects are followed here, not by ``requests`` (which would resend the old token): up to
  ``max_redirects`` hops, 301/302 after POST and 303 become GET without a body, 307/308 keep
  method and body, a hop to another origin goes without ``x-api-key``/``Authorization``, https→http
  raises ``INSECURE_REDIRECT``; every signed hop gets a fresh token;
- retries (off unless the policy has a ``retry``) wait as the core says (backoff with jitter or
  ``Retry-After``, with ``time.sleep``) and send again, signed afresh;
- a 401 ``AUTH_TOKEN_EXPIRED``/``AUTH_TOKEN_NOT_YET_VALID`` with a ``Date`` corrects the signer's
  clock offset (shared by all its users) and sends once more, signed afresh.

Streaming bodies (generators, iterators, file objects) raise
:class:`~nuvera_signing.StreamingBodyError`: their bytes cannot be known before sending. Do not
configure urllib3 *status* retries on the adapter: urllib3 would resend the same token
(``AUTH_REPLAYED_JTI``); give a :class:`~nuvera_signing.RetryPolicy` to the policy instead.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Optional

from requests.auth import AuthBase
from requests.cookies import extract_cookies_to_jar
from requests.models import PreparedRequest, Response

from ._native import Attempt, ClientPolicy, Exchange, Signer, now_unix_ms, request_uri, sendable_url
from .errors import STREAMING_BODY, NuveraSigningError

_urllib3_target: Optional[Callable[[str], str]]
try:  # the function urllib3 applies to the target before writing it
    from urllib3.util.url import _encode_target as _urllib3_target
except ImportError:  # pragma: no cover - other urllib3 versions
    _urllib3_target = None

__all__ = ["NuveraAuth"]

_CREDENTIAL_HEADERS = ("x-api-key", "Authorization")
_BODY_HEADERS = ("Content-Length", "Content-Type", "Transfer-Encoding")


def _known_body(request: PreparedRequest) -> Optional[bytes]:
    """The body's bytes, or ``None`` for none; ``STREAMING_BODY`` when they are not known."""
    body = request.body
    if body is None:
        return None
    if isinstance(body, str):
        # urllib3 2 sends str bodies as UTF-8; make the bytes explicit so they are what we hash.
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    raise NuveraSigningError.for_code(
        STREAMING_BODY,
        f"cannot sign a streaming request body ({type(body).__name__}): its bytes are "
        "not known before sending. Pass the body as bytes (data=…/json=…), use files=…, "
        "or encode a nuvera_signing.MultipartForm with to_bytes()",
    )


class NuveraAuth(AuthBase):
    """Signs every request of a ``requests`` session or call with a :class:`~nuvera_signing.Signer`
    and follows the core's client ``policy`` (default :class:`~nuvera_signing.ClientPolicy`:
    10 redirects, no retries, clock correction on)."""

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

    def sign(self, request: PreparedRequest) -> PreparedRequest:
        """Signs ``request`` in place (fresh ``jti``) and returns it."""
        body = _known_body(request)
        if body is not None:
            request.body = body
        if request.url is None or request.method is None:
            raise NuveraSigningError.for_code("INVALID_URL", "the request has no URL or method")
        request.url = sendable_url(request.url)
        uri = request_uri(request.url)
        if _urllib3_target is not None:
            wire = _urllib3_target(request.path_url)
            if wire != uri:
                raise NuveraSigningError.for_code(
                    "INVALID_URL",
                    f"requests would send the target {wire!r} but the URL's uri is {uri!r}; "
                    "write the URL as the server expects it (e.g. upper-case %-escapes)",
                )
        # The core decides how the bytes are hashed for their Content-Type (multipart/form-data
        # through its canonical object).
        signed = self.signer.sign(
            request.method, request.url, body, content_type=request.headers.get("Content-Type")
        )
        request.headers.update(signed.headers)
        return request

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        body = _known_body(r)
        if r.url is None or r.method is None:
            raise NuveraSigningError.for_code("INVALID_URL", "the request has no URL or method")
        exchange = Exchange(self.policy, self.signer, r.method, r.url, has_body=body is not None)
        self.sign(r)

        def carry_out(response: Response, **kwargs: Any) -> Response:
            return self._carry_out(exchange, body, response, **kwargs)

        r.register_hook("response", carry_out)  # type: ignore[no-untyped-call]
        return r

    # -- the exchange ----------------------------------------------------------------------------

    def _carry_out(
        self, exchange: Exchange, body: Optional[bytes], response: Response, **kwargs: Any
    ) -> Response:
        """Runs from the ``response`` hook, before ``requests`` looks at redirects: the response
        it returns is the exchange's last, so ``requests`` has no redirect left to follow."""
        received_at = now_unix_ms()
        # requests measured the first send itself (from sending to the response's headers).
        sent_at = received_at - int(response.elapsed.total_seconds() * 1000)
        while True:
            status = response.status_code
            try:
                action = exchange.on_response(
                    status,
                    list(response.headers.items()),
                    response.content if status == 401 else None,
                    sent_at_ms=sent_at,
                    received_at_ms=received_at,
                )
            except BaseException:
                response.close()
                raise
            attempt = action.attempt
            if action.kind != "send" or attempt is None:
                return response
            if action.delay_ms > 0:
                time.sleep(action.delay_ms / 1000)
            request = self._next_request(response, attempt, body)
            sent_at = now_unix_ms()
            response = self._resend(response, request, **kwargs)
            received_at = now_unix_ms()

    def _next_request(
        self, previous: Response, attempt: Attempt, body: Optional[bytes]
    ) -> PreparedRequest:
        """The request the exchange's ``attempt`` describes, signed when it carries credentials."""
        assert previous.request is not None  # a response from an adapter always has its request
        request = previous.request.copy()
        request.method = attempt.method
        request.prepare_url(attempt.url, None)
        for name in (*_CREDENTIAL_HEADERS, "Cookie"):
            request.headers.pop(name, None)
        if attempt.send_body:
            request.body = body
        else:
            for name in _BODY_HEADERS:
                request.headers.pop(name, None)
            request.body = None
        if previous.raw is not None:
            jar = getattr(request, "_cookies", None)
            if jar is not None:
                extract_cookies_to_jar(jar, previous.request, previous.raw)  # type: ignore[no-untyped-call]
                request.prepare_cookies(jar)
        if attempt.credentials:
            self.sign(request)
        return request

    @staticmethod
    def _resend(previous: Response, request: PreparedRequest, **kwargs: Any) -> Response:
        previous.content  # noqa: B018 - drain so the connection can be reused
        previous.close()
        if previous.connection is None:  # pragma: no cover - responses always carry it
            return previous
        kwargs.pop("allow_redirects", None)  # hooks get Session.send's kwargs; adapters refuse it
        response: Response = previous.connection.send(request, **kwargs)
        response.history = [*previous.history, previous]
        response.request = request
        return response
