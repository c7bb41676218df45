"""``requests`` integration: ``NuveraAuth`` signs the final prepared request.

>>> session.post(url, json=payload, auth=NuveraAuth(signer))          # doctest: +SKIP

It signs exactly what ``requests`` sends: the prepared URL's target (through the core's
``request_uri``, checked against the target urllib3 writes on the wire) and the prepared body's
bytes — for ``multipart/form-data`` (``files=``) the wire bytes are hashed through the core's
canonical object. It signs again, with a fresh ``jti``, on every redirect hop it follows and on
every retry. Streaming bodies (generators, iterators, file objects) raise
:class:`~nuvera_signing.StreamingBodyError`: pass bytes, or encode a
:class:`~nuvera_signing.MultipartForm` with ``to_bytes()``.

Do not configure urllib3 *status* retries on the adapter (``HTTPAdapter(max_retries=Retry(
status_forcelist=…))``): urllib3 would resend the same token and the server would answer
``AUTH_REPLAYED_JTI``. Give the ``Retry`` to ``NuveraAuth(retry=…)`` instead; it re-signs each
attempt.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Union
from urllib.parse import urljoin, urlsplit

from requests.auth import AuthBase
from requests.cookies import extract_cookies_to_jar
from requests.models import PreparedRequest, Response
from urllib3.exceptions import MaxRetryError
from urllib3.util import Retry

from ._native import Signer, request_uri, sendable_url
from .errors import STREAMING_BODY, NuveraSigningError

_urllib3_target: Optional[Callable[[str], str]]
try:  # the function urllib3 applies to the target before writing it
    from urllib3.util.url import _encode_target as _urllib3_target
except ImportError:  # pragma: no cover - other urllib3 versions
    _urllib3_target = None

__all__ = ["NuveraAuth"]

_DEFAULT_RETRY_STATUSES = (502, 503, 504)
_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> tuple:  # type: ignore[type-arg]
    s = urlsplit(url)
    scheme = s.scheme.lower()
    return (scheme, (s.hostname or "").lower(), s.port or _PORTS.get(scheme))


class NuveraAuth(AuthBase):
    """Signs every request of a ``requests`` session or call with a :class:`~nuvera_signing.Signer`.

    ``retry``: a ``urllib3.util.Retry`` (its ``status_forcelist``, ``allowed_methods``, backoff and
    ``Retry-After`` handling are used) or an ``int`` (that many retries on 502/503/504 for
    idempotent methods); each attempt is signed again with a fresh ``jti``.
    ``follow_redirects``: follow redirects here, re-signing each same-origin hop (a hop to another
    origin is sent without the Nuvera headers). ``max_redirects`` bounds the hops.
    """

    def __init__(
        self,
        signer: Signer,
        *,
        retry: Union[Retry, int, None] = None,
        follow_redirects: bool = True,
        max_redirects: int = 30,
    ) -> None:
        if not isinstance(signer, Signer):
            raise TypeError("signer must be a nuvera_signing.Signer")
        self.signer = signer
        if isinstance(retry, bool):
            raise TypeError("retry must be a urllib3 Retry, an int or None")
        if isinstance(retry, int):
            retry = Retry(total=retry, status_forcelist=_DEFAULT_RETRY_STATUSES, redirect=False)
        self.retry: Optional[Retry] = retry
        self.follow_redirects = follow_redirects
        self.max_redirects = max_redirects

    def __repr__(self) -> str:
        return f"NuveraAuth(signer={self.signer!r})"

    # -- signing ---------------------------------------------------------------------------------

    def sign(self, request: PreparedRequest) -> PreparedRequest:
        """Signs ``request`` in place (fresh ``jti``) and returns it."""
        body = request.body
        if isinstance(body, str):
            # urllib3 2 sends str bodies as UTF-8; make the bytes explicit so they are what we hash.
            body = body.encode("utf-8")
            request.body = body
        elif body is not None and not isinstance(body, (bytes, bytearray)):
            raise NuveraSigningError.for_code(
                STREAMING_BODY,
                f"cannot sign a streaming request body ({type(body).__name__}): its bytes are "
                "not known before sending. Pass the body as bytes (data=…/json=…), use files=…, "
                "or encode a nuvera_signing.MultipartForm with to_bytes()",
            )
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
            request.method,
            request.url,
            None if body is None else bytes(body),
            content_type=request.headers.get("Content-Type"),
        )
        request.headers.update(signed.headers)
        return request

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        self.sign(r)
        r.register_hook("response", self._on_response)  # type: ignore[no-untyped-call]
        return r

    # -- retries and redirects -------------------------------------------------------------------

    def _resend(self, previous: Response, request: PreparedRequest, **kwargs: Any) -> Response:
        previous.content  # noqa: B018 - drain so the connection can be reused
        previous.close()
        if previous.request is not None and previous.raw is not None:
            jar = getattr(request, "_cookies", None)
            if jar is not None:
                extract_cookies_to_jar(  # type: ignore[no-untyped-call]
                    jar, previous.request, previous.raw
                )
                request.prepare_cookies(jar)
        if previous.connection is None:  # pragma: no cover - responses always carry it
            return previous
        response: Response = previous.connection.send(request, **kwargs)
        response.history = [*previous.history, previous]
        response.request = request
        return response

    def _redirect(self, response: Response) -> Optional[PreparedRequest]:
        request = response.request
        location = response.headers.get("location")
        if request is None or request.url is None or not location:
            return None
        new = request.copy()
        url = urljoin(request.url, location)
        new.prepare_url(url, None)
        method = (request.method or "GET").upper()
        status = response.status_code
        if (status in (302, 303) and method != "HEAD") or (status == 301 and method == "POST"):
            method = "GET"
        new.method = method
        if status not in (307, 308):
            for header in ("Content-Length", "Content-Type", "Transfer-Encoding"):
                new.headers.pop(header, None)
            new.body = None
        new.headers.pop("Cookie", None)
        for header in ("x-api-key", "Authorization"):
            new.headers.pop(header, None)
        if new.url is not None and _origin(new.url) == _origin(request.url):
            self.sign(new)
        return new

    def _on_response(self, response: Response, **kwargs: Any) -> Response:
        retry = self.retry
        hops = 0
        while True:
            request = response.request
            method = (request.method or "GET") if request is not None else "GET"
            if (
                retry is not None
                and request is not None
                and retry.is_retry(method, response.status_code, "Retry-After" in response.headers)
            ):
                try:
                    retry = retry.increment(method, request.url, response=response.raw)
                except MaxRetryError:
                    return response
                retry.sleep(response.raw)
                again = request.copy()
                self.sign(again)
                response = self._resend(response, again, **kwargs)
                continue
            if self.follow_redirects and response.is_redirect and hops < self.max_redirects:
                nxt = self._redirect(response)
                if nxt is None:
                    return response
                hops += 1
                response = self._resend(response, nxt, **kwargs)
                continue
            return response
