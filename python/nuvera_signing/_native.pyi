"""
The native part of ``nuvera_signing``; import the package, not this module.
"""

from _typeshed import SupportsGetItem, SupportsRead
from asyncio import AbstractEventLoop, Future
from collections.abc import Awaitable, Callable, Iterable, Mapping
from nuvera_signing.errors import NuveraSigningError
from os import PathLike
from typing import Any, Literal, SupportsFloat, SupportsIndex, final

__all__ = ["Action", "Attempt", "Claims", "ClientPolicy", "Exchange", "Finding", "MultipartForm", "PrivateKey", "RemoteKey", "Report", "RetryPolicy", "SignedRequest", "Signer", "Verified", "Verifier", "body_hash", "body_hash_file", "error_codes", "error_for_code", "explain", "is_multipart_form_data", "multipart_body_hash", "multipart_body_hash_file", "multipart_canonical", "now_unix_ms", "public_key_fingerprint", "received_body_hash", "request_uri", "sendable_url", "support_bundle", "support_bundle_json"]

@final
class Action:
    """
    The exchange's answer to a response: ``kind`` is ``"send"`` (wait ``delay_ms``, then sign and
    send ``attempt``; ``reason`` is ``redirect``, ``retry`` or ``clock-correction``) or ``"done"``
    (hand the response to the caller). A failure is raised by :meth:`Exchange.on_response`.
    """
    def __repr__(self, /) -> str: ...
    @property
    def attempt(self, /) -> Attempt | None:
        """
        What to send (``None`` when done).
        """
    @property
    def delay_ms(self, /) -> int:
        """
        Milliseconds to wait before sending (0 when done).
        """
    @property
    def kind(self, /) -> str:
        """
        ``"send"`` or ``"done"``.
        """
    @property
    def reason(self, /) -> str | None:
        """
        ``redirect``, ``retry``, ``clock-correction``, or ``None`` when done.
        """

@final
class Attempt:
    """
    One send the exchange asks for: sign it afresh (unless ``credentials`` is false) and send it.
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def credentials(self, /) -> bool:
        """
        Sign and send ``x-api-key``/``Authorization`` (``False`` after a hop to another origin).
        """
    @property
    def method(self, /) -> str:
        """
        The method to send and sign.
        """
    @property
    def send_body(self, /) -> bool:
        """
        Send the caller's body (``False``: no body and no ``Content-Type``/``Content-Length``).
        """
    @property
    def url(self, /) -> str:
        """
        The absolute URL to send (no fragment).
        """

@final
class Claims:
    """
    The nine signed claims. ``sub`` is the API key: ``repr`` hides it.
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self, /) -> int: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    def as_dict(self, /) -> "dict[str, str | int]":
        """
        The claims with their JWT names (``bodyHash``), in the signed order.
        """
    @property
    def aud(self, /) -> str:
        """
        Audience (``nuvera-rest-api`` by default).
        """
    @property
    def body_hash(self, /) -> str:
        """
        The ``bodyHash`` claim.
        """
    @property
    def exp(self, /) -> int:
        """
        Expiry, Unix seconds.
        """
    @property
    def iat(self, /) -> int:
        """
        Issued at, Unix seconds.
        """
    @property
    def iss(self, /) -> str:
        """
        Issuer (``nuvera-api`` by default).
        """
    @property
    def jti(self, /) -> str:
        """
        The token id.
        """
    @property
    def method(self, /) -> str:
        """
        The upper-cased HTTP method.
        """
    @property
    def sub(self, /) -> str:
        """
        The API key sent in ``x-api-key``: a secret, do not log it.
        """
    @property
    def uri(self, /) -> str:
        """
        The request target (``pathname + search``).
        """

@final
class ClientPolicy:
    """
    What an HTTP-client integration does between sending and answering (contract §8).

    ``max_redirects`` hops followed (default 10; the next is ``TOO_MANY_REDIRECTS``); ``retry``
    off unless given (``True`` = a default :class:`RetryPolicy`); ``correct_clock`` (default on):
    learn the clock offset from ``Date`` on a clock refusal and send once more, signed afresh.
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __new__(cls, /, *, max_redirects: SupportsIndex | None = None, retry: bool | RetryPolicy | None = None, correct_clock: bool | None = None) -> ClientPolicy: ...
    def __repr__(self, /) -> str: ...
    @property
    def correct_clock(self, /) -> bool:
        """
        Whether a clock refusal corrects the signer's offset and sends once more.
        """
    @property
    def max_redirects(self, /) -> int:
        """
        Redirect hops followed.
        """
    @property
    def retry(self, /) -> RetryPolicy | None:
        """
        The retry policy, or ``None`` (retries off).
        """

@final
class Exchange:
    """
    One caller's request through redirects, retries and clock correction, decided by the core.

    Sign and send :attr:`first`; give each response to :meth:`on_response` and carry out the
    :class:`Action` it returns. The exchange reads and corrects ``signer``'s clock offset (shared
    by every user of that signer). ``jitter`` pins the backoff's random fractions (tests).
    """
    def __new__(cls, /, policy: ClientPolicy, signer: Signer, method: str, url: str, *, has_body: bool, jitter: SupportsGetItem[int, SupportsFloat | SupportsIndex] | None = None) -> Exchange: ...
    def __repr__(self, /) -> str: ...
    @property
    def first(self, /) -> Attempt:
        """
        The first send: the caller's request.
        """
    def on_response(self, /, status: SupportsIndex, headers: Mapping[str, str] | Iterable[tuple[str, str]], body: bytes | bytearray | memoryview | str | None = None, *, sent_at_ms: SupportsIndex, received_at_ms: SupportsIndex) -> Action:
        """
        Decides what follows a response to the last send. ``headers`` are (name, value) pairs or
        a mapping; ``body`` is needed only for a 401 (``None`` otherwise); ``sent_at_ms`` and
        ``received_at_ms`` are the local Unix times (:func:`now_unix_ms`) of the send and of the
        response's arrival. A failure (``TOO_MANY_REDIRECTS``, ``INSECURE_REDIRECT``,
        ``CLOCK_SKEW_TOO_LARGE``, …) is raised as the exception of its family.
        """
    @property
    def redirects(self, /) -> int:
        """
        Redirect hops followed so far.
        """

@final
class Finding:
    """
    One broken rule: its code and area, the signed and the sent value, why, and the fix.
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self, /) -> int: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def area(self, /) -> str:
        """
        ``api-key``, ``jwt-claims``, ``permission`` or ``body-hash``.
        """
    @property
    def code(self, /) -> str:
        """
        The ``AUTH_*`` code Nuvera answers with.
        """
    @property
    def diagnosis(self, /) -> str:
        """
        What went wrong.
        """
    @property
    def fix(self, /) -> str:
        """
        What to change.
        """
    @property
    def sent(self, /) -> str | None:
        """
        The value derived from the request as sent, if there is one.
        """
    @property
    def signed(self, /) -> str | None:
        """
        The value in the token, if there is one.
        """

@final
class MultipartForm:
    """
    A ``multipart/form-data`` body described by parts. Thread-safe (calls are serialized).

    Files given by path or file object are streamed by the core whenever the form is hashed or
    encoded, never loaded whole.
    """
    def __new__(cls, /, boundary: str | None = None) -> MultipartForm:
        """
        An empty form with a random boundary, or ``boundary`` when given.
        """
    def __repr__(self, /) -> str: ...
    def add_field(self, /, name: str, value: str) -> MultipartForm:
        """
        Adds a text field (repeated names are kept). Returns the form.
        """
    def add_file(self, /, field_name: str, source: str | PathLike[str] | bytes | bytearray | memoryview | str | SupportsRead[bytes], file_name: str | None = None, mime_type: str | None = None) -> MultipartForm:
        """
        Adds a file from a path (``str`` or ``os.PathLike``), from bytes (bytes need a
        ``file_name``) or from a binary file object (see :meth:`add_file_reader`).
        """
    def add_file_bytes(self, /, field_name: str, file_name: str, data: bytes | bytearray | memoryview | str, mime_type: str | None = None) -> MultipartForm:
        """
        Adds a file from memory (``mime_type`` defaults to ``application/octet-stream``).
        """
    def add_file_path(self, /, field_name: str, path: str | PathLike[str], file_name: str | None = None, mime_type: str | None = None) -> MultipartForm:
        """
        Adds a file by path; ``file_name`` defaults to the path's last component.
        """
    def add_file_reader(self, /, field_name: str, fileobj: SupportsRead[bytes], file_name: str | None = None, mime_type: str | None = None) -> MultipartForm:
        """
        Adds a file read from a binary file object (``read(n) -> bytes``), in chunks of at most
        64 KiB whenever the form is hashed or encoded, never whole. ``file_name`` defaults to the
        last component of ``fileobj.name``. It is read once: encode first (``to_bytes()`` /
        ``write_to()``), then sign (the form keeps what it read). Its failures are ``IO_ERROR``.
        """
    def body_hash(self, /) -> str:
        """
        The multipart ``bodyHash``.
        """
    @property
    def boundary(self, /) -> str:
        """
        The boundary used when encoding.
        """
    def canonical(self, /) -> dict[str, Any]:
        """
        The canonical object as a dict.
        """
    def canonical_json(self, /) -> str:
        """
        The canonical object (contract §5) as compact JSON.
        """
    @property
    def content_type(self, /) -> str:
        """
        ``multipart/form-data; boundary=…``: the Content-Type to send.
        """
    def to_bytes(self, /) -> bytes:
        """
        The encoded body (in memory; for large files prefer :meth:`write_to`).
        """
    def write_to(self, /, path: str | PathLike[str]) -> str:
        """
        Encodes the body into the file at ``path`` (created or truncated), streaming; returns the
        canonical JSON of exactly the bytes written.
        """

@final
class PrivateKey:
    """
    A parsed RSA private key (PKCS#8, PKCS#1 or encrypted PKCS#8). Parse once, reuse; thread-safe.

    ``repr`` shows the size and fingerprint, never key material; it cannot be pickled.
    """
    def __reduce__(self, /) -> str: ...
    def __repr__(self, /) -> str: ...
    @property
    def bits(self, /) -> int:
        """
        Modulus size in bits.
        """
    @property
    def fingerprint(self, /) -> str:
        """
        ``SHA256:`` + hex SHA-256 of the SPKI DER.
        """
    @staticmethod
    def from_file(path: str | PathLike[str], passphrase: bytes | bytearray | memoryview | str | None = None) -> PrivateKey:
        """
        Reads and parses a PEM file (``str`` or ``os.PathLike``).
        """
    @staticmethod
    def from_pem(pem: bytes | bytearray | memoryview | str, passphrase: bytes | bytearray | memoryview | str | None = None) -> PrivateKey:
        """
        Parses PEM text (``str`` or bytes; literal ``\\n`` accepted); an encrypted key needs
        ``passphrase``.
        """
    @property
    def public_key_pem(self, /) -> str:
        """
        The SPKI public key PEM, to register with Nuvera.
        """

@final
class RemoteKey:
    """
    A key whose signatures come from ``sign``, a callable (or an ``async`` one) given bytes and
    returning the raw RSASSA-PKCS1-v1_5 signature bytes. Thread-safe; ``repr`` names the
    provider and the public key, never a secret.

    Every signature is verified against the public key before it goes into a token: a callable
    that signs with another key raises ``RemoteSignerError`` ``REMOTE_KEY_MISMATCH``; one that
    raises, returns something that is not a signature, or runs past the timeout raises
    ``RemoteSignerError`` ``REMOTE_SIGNER_FAILED`` with its message.
    """
    def __reduce__(self, /) -> str: ...
    def __repr__(self, /) -> str: ...
    @property
    def bits(self, /) -> int:
        """
        Modulus size in bits.
        """
    def check(self, /) -> None:
        """
        Signs a probe and verifies it: call at start-up to fail then rather than on a first
        request (``REMOTE_KEY_MISMATCH``, ``REMOTE_SIGNER_FAILED``).
        """
    @property
    def fingerprint(self, /) -> str:
        """
        ``SHA256:`` + hex SHA-256 of the SPKI DER.
        """
    @staticmethod
    def from_callback(sign: Callable[[bytes], bytes | bytearray | memoryview | Awaitable[bytes | bytearray | memoryview]], *, public_key_pem: bytes | bytearray | memoryview | str | None = None, public_key_der: bytes | bytearray | memoryview | str | None = None, input: Literal["digest", "message"] = ..., timeout_ms: SupportsIndex | None = None, loop: AbstractEventLoop | None = None) -> RemoteKey:
        """
        A key whose signatures come from ``sign(data: bytes) -> bytes``.

        ``data`` is the SHA-256 digest of the JWS signing input (``input="digest"``, the default:
        AWS KMS ``MessageType="DIGEST"``) or the signing input itself (``input="message"``). The
        public half is ``public_key_pem`` (SPKI or PKCS#1) or ``public_key_der`` (SPKI).
        ``timeout_ms`` bounds one call (default 10 s; 0: none, the callable runs on the signing
        thread). An ``async`` ``sign`` runs on ``loop`` when given (then sign with
        :meth:`Signer.sign_async` from that loop), else on a new event loop.
        """
    @staticmethod
    def from_pkcs11(module: str | PathLike[str], *, token_label: str | None = None, slot: SupportsIndex | None = None, key_label: str | None = None, key_id: str | None = None, pin_env: str | None = None, pin_file: str | PathLike[str] | None = None) -> RemoteKey:
        """
        A key in a PKCS#11 token (an HSM) of the library ``module``: the token by ``token_label``
        or ``slot``, the key by ``key_label`` or ``key_id`` (``CKA_ID`` as hex), the PIN from the
        environment variable ``pin_env`` or the file ``pin_file`` — one of each. Failures are
        ``REMOTE_SIGNER_FAILED`` with the module's ``CKR_…`` answer.
        """
    @property
    def input(self, /) -> Literal["digest", "message"]:
        """
        ``"digest"`` or ``"message"``: what the callable is given.
        """
    @property
    def public_key_pem(self, /) -> str:
        """
        The SPKI public key PEM, to register with Nuvera.
        """

@final
class Report:
    """
    What :func:`explain` found. ``verdict`` is the code Nuvera would answer with, if any;
    ``str(report)`` is the text for humans.
    """
    def __repr__(self, /) -> str: ...
    def __str__(self, /) -> str: ...
    @property
    def findings(self, /) -> list[Finding]:
        """
        Broken rules, in the order Nuvera checks them.
        """
    @property
    def json(self, /) -> str:
        """
        The report as JSON (claims with ``sub`` masked).
        """
    @property
    def notes(self, /) -> list[str]:
        """
        Remarks that are not failures.
        """
    @property
    def ok(self, /) -> bool:
        """
        True when no rule fails.
        """
    @property
    def text(self, /) -> str:
        """
        The report for humans.
        """
    @property
    def verdict(self, /) -> str | None:
        """
        The code Nuvera would answer with, if any rule fails.
        """

@final
class RetryPolicy:
    """
    Opt-in retries: which statuses and methods are retried, how often and how long to wait.

    Every argument left ``None`` takes the core's default: statuses 429/502/503/504, the
    idempotent methods (GET, HEAD, OPTIONS, TRACE, PUT, DELETE), ``max_attempts`` 3 (the first
    send included), backoff base 200 ms, every wait capped at 10 000 ms (``Retry-After`` too).
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __new__(cls, /, *, statuses: SupportsGetItem[int, SupportsIndex] | None = None, methods: SupportsGetItem[int, str] | None = None, max_attempts: SupportsIndex | None = None, base_delay_ms: SupportsIndex | None = None, max_delay_ms: SupportsIndex | None = None) -> RetryPolicy: ...
    def __repr__(self, /) -> str: ...
    @property
    def base_delay_ms(self, /) -> int:
        """
        Backoff base in milliseconds.
        """
    @staticmethod
    def including_post() -> RetryPolicy:
        """
        The defaults with POST retried too (for POSTs made idempotent, e.g. by an idempotency key).
        """
    @property
    def max_attempts(self, /) -> int:
        """
        Sends of one request at most, the first included.
        """
    @property
    def max_delay_ms(self, /) -> int:
        """
        Cap of every wait in milliseconds.
        """
    @property
    def methods(self, /) -> list[str]:
        """
        Upper-case methods retried.
        """
    @property
    def statuses(self, /) -> list[int]:
        """
        Statuses retried.
        """

@final
class SignedRequest:
    """
    A signed request: the two headers to send, the token, the claims and a proof.

    ``repr`` shows neither the token nor the API key.
    """
    def __repr__(self, /) -> str: ...
    @property
    def authorization(self, /) -> str:
        """
        ``Bearer <token>``.
        """
    @property
    def claims(self, /) -> Claims:
        """
        The signed claims.
        """
    @property
    def headers(self, /) -> dict[str, str]:
        """
        ``{"x-api-key": …, "Authorization": "Bearer …"}``, in that order.
        """
    def proof(self, /) -> dict[str, Any]:
        """
        The proof artifact as a dict.
        """
    def proof_json(self, /) -> str:
        """
        The proof artifact (contract §7) as pretty JSON; it holds no secret.
        """
    @property
    def token(self, /) -> str:
        """
        The compact JWT.
        """

@final
class Signer:
    """
    Signs requests for one API key. Thread-safe: share one per application; the GIL is released
    while it hashes and signs, so threads sign in parallel.

    ``lifetime`` is the token lifetime in seconds (default 55, 1..=60); ``issuer`` and
    ``audience`` default to ``nuvera-api`` / ``nuvera-rest-api``. ``clock_offset`` starts the
    signer with a known offset in seconds (``iat = now + offset``); the client policy corrects it.
    """
    def __new__(cls, /, key: PrivateKey | RemoteKey, api_key: str, *, lifetime: SupportsIndex | None = None, issuer: str | None = None, audience: str | None = None, clock_offset: SupportsIndex | None = None) -> Signer: ...
    def __reduce__(self, /) -> str: ...
    def __repr__(self, /) -> str: ...
    @property
    def clock_offset(self, /) -> int:
        """
        The clock offset in seconds (``iat = now + offset``), shared by every request of this
        signer and corrected by the client policy from a server's ``Date``.
        """
    @property
    def key(self, /) -> PrivateKey | RemoteKey:
        """
        The signing key.
        """
    def sign(self, /, method: str, url: str, body: bytes | bytearray | memoryview | str | SupportsRead[bytes] | MultipartForm | None = None, *, body_hash: str | None = None, content_type: str | None = None, iat: SupportsIndex | None = None, jti: str | None = None) -> SignedRequest:
        """
        Signs a request to ``url`` (absolute, or a target starting with ``/``).

        ``body``: the exact bytes to send (``str`` as UTF-8), a binary file object (read to its
        end in chunks: seek it back to send it), a :class:`MultipartForm`, or ``None``; or give
        its ``body_hash``. With ``content_type``, an encoded ``multipart/form-data`` body is hashed
        through its canonical object. ``iat``/``jti`` pin the clock and token id (tests).
        """
    def sign_async(self, /, method: "str", url: "str", body: bytes | bytearray | memoryview | str | SupportsRead[bytes] | MultipartForm | None = None, **kwargs: "object") -> Future[SignedRequest]:
        """
        :meth:`sign` for asyncio: runs in the event loop's default executor (the GIL is released
        while signing, so the loop keeps running) and returns a future of the signed request.
        """
    def sign_file(self, /, method: str, url: str, path: str | PathLike[str], *, iat: SupportsIndex | None = None, jti: str | None = None) -> SignedRequest:
        """
        Signs a request whose body is the file at ``path`` (streamed by the core, GIL released).
        """
    def sign_multipart(self, /, method: str, url: str, form: MultipartForm, *, iat: SupportsIndex | None = None, jti: str | None = None) -> SignedRequest:
        """
        Signs a multipart request described by ``form`` (send ``form.to_bytes()`` with
        ``form.content_type``).
        """
    def sign_multipart_wire(self, /, method: str, url: str, content_type: str, body: bytes | bytearray | memoryview | str, *, iat: SupportsIndex | None = None, jti: str | None = None) -> SignedRequest:
        """
        Signs an already encoded multipart body (hashed through its canonical object).
        """

@final
class Verified:
    """
    A request that passed every rule.
    """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __repr__(self, /) -> str: ...
    @property
    def application(self, /) -> str:
        """
        The application's name.
        """
    @property
    def claims(self, /) -> Claims:
        """
        The verified claims.
        """
    @property
    def key_fingerprint(self, /) -> str:
        """
        Fingerprint of the public key that verified the signature.
        """
    @property
    def permission(self, /) -> str:
        """
        The permission the route needed (every accepted request has one).
        """

@final
class Verifier:
    """
    The server side of the contract (§6): registry, replay cache, clock skew. Thread-safe.

    ``issuer``/``audience``/``clock_skew`` default to the contract's profile; ``now`` pins the
    clock (tests). ``replay_cache="redis://host:6379"`` (``rediss://``, ``valkey://``,
    ``redis+unix://``) shares seen token ids between instances (default: the registry's
    ``replayCache``, else in-process); a store that does not answer is
    ``AUTH_REPLAY_CACHE_UNAVAILABLE`` (HTTP 503).
    """
    def __repr__(self, /) -> str: ...
    @staticmethod
    def from_file(path: str | PathLike[str], *, issuer: str | None = None, audience: str | None = None, clock_skew: SupportsIndex | None = None, now: SupportsIndex | None = None, replay_cache: str | None = None, replay_cache_prefix: str | None = None, replay_cache_timeout_ms: SupportsIndex | None = None, replay_cache_max_connections: SupportsIndex | None = None) -> Verifier:
        """
        From a registry file (TOML when its name ends in ``.toml``, JSON otherwise).
        """
    @staticmethod
    def from_json(text: str, *, base_dir: str | PathLike[str] | None = None, issuer: str | None = None, audience: str | None = None, clock_skew: SupportsIndex | None = None, now: SupportsIndex | None = None, replay_cache: str | None = None, replay_cache_prefix: str | None = None, replay_cache_timeout_ms: SupportsIndex | None = None, replay_cache_max_connections: SupportsIndex | None = None) -> Verifier:
        """
        From registry JSON text; relative key files resolve against ``base_dir`` (default: the
        current directory).
        """
    @staticmethod
    def from_toml(text: str, *, base_dir: str | PathLike[str] | None = None, issuer: str | None = None, audience: str | None = None, clock_skew: SupportsIndex | None = None, now: SupportsIndex | None = None, replay_cache: str | None = None, replay_cache_prefix: str | None = None, replay_cache_timeout_ms: SupportsIndex | None = None, replay_cache_max_connections: SupportsIndex | None = None) -> Verifier:
        """
        From registry TOML text; relative key files resolve against ``base_dir`` (default: the
        current directory).
        """
    def verify(self, /, method: str, target: str, *, api_key: str | None, authorization: str | None, body_hash: str) -> Verified:
        """
        Applies every rule; raises :class:`VerificationError` (``code``,
        ``http_status``) at the first failing one.
        """
    def verify_request(self, /, method: str, target: str, headers: Mapping[str, str] | Iterable[tuple[str, str]], body: bytes | bytearray | memoryview | str | None = None) -> Verified:
        """
        Verifies a received request from its headers (any case) and raw body bytes
        (hashed as a server must: multipart through its canonical object).
        """

def body_hash(body: bytes | bytearray | memoryview | str | SupportsRead[bytes]) -> str:
    """
    SHA-256 hex of the exact body bytes (``str`` as UTF-8), or of what a binary file object
    reads, streamed in chunks.
    """

def body_hash_file(path: str | PathLike[str]) -> str:
    """
    SHA-256 hex of a file's content, streamed.
    """

def error_codes() -> list[tuple[str, str, int | None]]:
    """
    Every code of the core, in its order, as ``(code, family, http_status)``; ``http_status`` is
    set for the ``AUTH_*`` codes only.
    """

def error_for_code(code: str, message: str) -> NuveraSigningError:
    """
    The exception of the right class for one of the core's codes, with ``message`` (for the
    HTTP-client integrations, which report what they refuse with the core's codes). An unknown
    code is a ``ValueError``: no code is invented outside the core.
    """

def explain(method: str, url: str, *, token: str, api_key: str | None = None, content_type: str | None = None, body: bytes | bytearray | memoryview | str | None = None, public_key_pem: str | None = None, now: SupportsIndex | None = None) -> Report:
    """
    Explains why ``token`` does (not) fit the request as sent, rule by rule.

    Never needs the private key; given ``public_key_pem`` it checks the signature too; given
    ``now`` it checks ``iat``/``exp``.
    """

def is_multipart_form_data(content_type: str) -> bool:
    """
    True when ``content_type`` is ``multipart/form-data`` (hashed through its canonical object).
    """

def multipart_body_hash(content_type: str, body: bytes | bytearray | memoryview | str | SupportsRead[bytes]) -> str:
    """
    Multipart ``bodyHash`` of an encoded body (bytes, or a binary file object read in chunks)
    and its Content-Type.
    """

def multipart_body_hash_file(content_type: str, path: str | PathLike[str]) -> str:
    """
    Multipart ``bodyHash`` of an encoded body stored in a file, streamed.
    """

def multipart_canonical(content_type: str, body: bytes | bytearray | memoryview | str) -> str:
    """
    The canonical object's compact JSON of an encoded multipart body.
    """

def now_unix_ms() -> int:
    """
    The local clock now in Unix milliseconds (uncorrected): the times an exchange is given.
    """

def public_key_fingerprint(pem: bytes | bytearray | memoryview | str) -> str:
    """
    ``SHA256:`` + hex SHA-256 of the SPKI DER of a public key PEM (what Nuvera shows for a
    registered key, and what ``PrivateKey.fingerprint`` gives for its own public key).
    """

def received_body_hash(content_type: str | None, body: bytes | bytearray | memoryview | str) -> str:
    """
    The hash a server computes of a received body (multipart through its canonical object).
    """

def request_uri(url: str) -> str:
    """
    The ``uri`` claim of a URL or request target (WHATWG ``pathname + search``).
    """

def sendable_url(url: str) -> str:
    """
    The URL to give an HTTP client so that it sends exactly the signed ``uri``.
    """

def support_bundle(method: str, url: str, *, token: str, status: SupportsIndex, headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None, api_key: str | None = None, content_type: str | None = None, body: bytes | bytearray | memoryview | str | None = None, response_body: bytes | bytearray | memoryview | str | None = None, application: str | None = None, public_key_pem: str | None = None, now: SupportsIndex | None = None) -> dict[str, Any]:
    """
    :func:`support_bundle_json` as a dict.
    """

def support_bundle_json(method: str, url: str, *, token: str, status: SupportsIndex, headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None, api_key: str | None = None, content_type: str | None = None, body: bytes | bytearray | memoryview | str | None = None, response_body: bytes | bytearray | memoryview | str | None = None, application: str | None = None, public_key_pem: str | None = None, now: SupportsIndex | None = None) -> str:
    """
    A support bundle (contract §7) for a request Nuvera refused, as pretty JSON with no
    secret: give the request as sent (``headers``; the signing headers missing from them are
    completed from ``api_key`` and ``token``), Nuvera's ``status`` and ``response_body``. The
    API key is reduced to its last four characters, the token to its header, claims (``sub``
    masked) and SHA-256, the body to its size, hash and canonical object. ``now`` pins the
    creation time (Unix seconds).
    """
