"""The Pythonic layer over the native module. Glue only: every rule is in the Rust core."""

from __future__ import annotations

import ctypes
import importlib
import json
import os
import struct
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Protocol, Tuple, TypeVar, Union

from .errors import InvalidRequestError, NuveraSigningError, error_for

# The uniffi-generated module is untyped; it is kept behind this typed layer.
_native: Any = importlib.import_module("nuvera_signing._native")

__all__ = [
    "Claims",
    "Finding",
    "MultipartForm",
    "PrivateKey",
    "Report",
    "SignedRequest",
    "Signer",
    "Verified",
    "Verifier",
    "body_hash",
    "body_hash_file",
    "explain",
    "is_multipart_form_data",
    "multipart_body_hash",
    "multipart_body_hash_file",
    "multipart_canonical",
    "received_body_hash",
    "request_uri",
    "sendable_url",
    "support_bundle",
    "support_bundle_json",
]

StrPath = Union[str, "os.PathLike[str]"]
BytesLike = Union[bytes, bytearray, memoryview]


class BinaryReader(Protocol):
    """A binary file object: ``read(n)`` returns at most ``n`` bytes, ``b""`` at the end."""

    def read(self, n: int = -1, /) -> bytes: ...

_T = TypeVar("_T")
_MAX_I32 = 0x7FFF_FFFF  # the native layer takes signed integers (for Java); see bindings/uniffi
_MAX_I64 = 0x7FFF_FFFF_FFFF_FFFF


def _convert(exc: BaseException) -> NuveraSigningError:
    if isinstance(exc, _native.NuveraError.Verification):
        return error_for(exc.code, exc.detail, int(exc.http_status), str(exc.response_body))
    if isinstance(exc, _native.NuveraError):
        return error_for(exc.code, exc.detail)
    # uniffi's InternalError: a Rust panic caught at the FFI boundary.
    return NuveraSigningError("INTERNAL_ERROR", f"unexpected failure in the native core: {exc}")


def _call(fn: Callable[..., _T], *args: Any) -> _T:
    try:
        return fn(*args)
    except (_native.NuveraError, _native.InternalError) as exc:
        raise _convert(exc) from None


def _bytes(value: Union[BytesLike, str], what: str) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"{what} must be bytes or str, not {type(value).__name__}")


def _opt_bytes(value: Union[BytesLike, str, None], what: str) -> Optional[bytes]:
    return None if value is None else _bytes(value, what)


def _path(path: StrPath) -> str:
    return os.fspath(path)


def _uint(value: Optional[int], limit: int, code: str, what: str) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    if not 0 <= value <= limit:
        raise InvalidRequestError(code, f"{what} {value} is out of range")
    return value


# ------------------------------------------------------------------------------------------------
# Keys


class PrivateKey:
    """A parsed RSA private key (PKCS#8, PKCS#1 or encrypted PKCS#8). Parse once, reuse.

    ``repr`` shows the size and fingerprint, never key material.
    """

    __slots__ = ("_native",)

    def __init__(self, native: Any) -> None:
        self._native = native

    @classmethod
    def from_pem(
        cls, pem: Union[str, BytesLike], passphrase: Union[str, BytesLike, None] = None
    ) -> "PrivateKey":
        """Parses PEM text; an encrypted key needs ``passphrase``."""
        return cls(
            _call(
                _native.PrivateKey.from_pem,
                _bytes(pem, "pem"),
                _opt_bytes(passphrase, "passphrase"),
            )
        )

    @classmethod
    def from_file(
        cls, path: StrPath, passphrase: Union[str, BytesLike, None] = None
    ) -> "PrivateKey":
        """Reads and parses a PEM file."""
        return cls(
            _call(_native.PrivateKey.from_file, _path(path), _opt_bytes(passphrase, "passphrase"))
        )

    @property
    def public_key_pem(self) -> str:
        """The SPKI public key PEM, to register with Nuvera."""
        return str(self._native.public_key_pem())

    @property
    def fingerprint(self) -> str:
        """``SHA256:`` + hex SHA-256 of the SPKI DER."""
        return str(self._native.fingerprint())

    @property
    def bits(self) -> int:
        """Modulus size in bits."""
        return int(self._native.bits())

    def __repr__(self) -> str:
        return f"PrivateKey(bits={self.bits}, fingerprint={self.fingerprint!r})"

    def __reduce__(self) -> Any:
        raise TypeError("a PrivateKey cannot be pickled")


# ------------------------------------------------------------------------------------------------
# Signing


@dataclass(frozen=True, repr=False)
class Claims:
    """The nine signed claims. ``sub`` is the API key: ``repr`` hides it."""

    iss: str
    aud: str
    sub: str
    method: str
    uri: str
    body_hash: str
    iat: int
    exp: int
    jti: str

    @classmethod
    def _from_native(cls, c: Any) -> "Claims":
        return cls(
            iss=c.iss,
            aud=c.aud,
            sub=c.sub,
            method=c.method,
            uri=c.uri,
            body_hash=c.body_hash,
            iat=int(c.iat),
            exp=int(c.exp),
            jti=c.jti,
        )

    def as_dict(self) -> Dict[str, Union[str, int]]:
        """The claims with their JWT names (``bodyHash``), in the signed order."""
        return {
            "iss": self.iss,
            "aud": self.aud,
            "sub": self.sub,
            "method": self.method,
            "uri": self.uri,
            "bodyHash": self.body_hash,
            "iat": self.iat,
            "exp": self.exp,
            "jti": self.jti,
        }

    def __repr__(self) -> str:
        return (
            f"Claims(iss={self.iss!r}, aud={self.aud!r}, sub=<redacted>, method={self.method!r}, "
            f"uri={self.uri!r}, body_hash={self.body_hash!r}, iat={self.iat}, exp={self.exp}, "
            f"jti={self.jti!r})"
        )


# ------------------------------------------------------------------------------------------------
# The per-request signing path
#
# Through the uniffi-generated Python, each `str`/`Optional` argument is built into a native
# buffer and each string/record result is read back the same way; measured on the reference
# machine, that was about 190 µs per `Signer.sign` (16 native calls), against about 830 µs for the
# RSA signature itself. `nuvera_signing_fast_sign` (bindings/uniffi/src/lib.rs) takes borrowed
# bytes and writes the new SignedRequest handle and the token into a buffer owned here: one native
# call, no buffer building. Anything unexpected here falls back to the generated `sign`.

_FAST_OUT = 4096  # token bytes that fit; longer tokens (very long URLs) take the generated path


def _load_fast_sign() -> Optional[Callable[..., Any]]:
    try:
        lib = _native.nuvera_signing_uniffi._UniffiLib
        fn = lib.nuvera_signing_fast_sign
        make_request = _native.SignedRequest._uniffi_make_instance
    except AttributeError:  # pragma: no cover - a uniffi upgrade renamed an internal
        return None
    fn.argtypes = (
        ctypes.c_uint64,
        ctypes.c_char_p,
        ctypes.c_size_t,
        ctypes.c_char_p,
        ctypes.c_size_t,
        ctypes.c_char_p,
        ctypes.c_size_t,
        ctypes.c_uint8,
        ctypes.c_void_p,
        ctypes.c_size_t,
    )
    fn.restype = ctypes.c_int32
    string_at = ctypes.string_at
    addressof = ctypes.addressof
    unpack_from = struct.Struct("=QQ").unpack_from
    new_out = ctypes.c_char * _FAST_OUT

    def fast_sign(
        native_signer: Any, method: str, url: str, body: Union[BytesLike, str, None]
    ) -> Optional[Tuple[Any, str]]:
        m = method.encode("utf-8")
        u = url.encode("utf-8")
        data = b"" if body is None else _bytes(body, "body")
        out = new_out()
        status = fn(
            native_signer._handle, m, len(m), u, len(u), data, len(data), body is not None,
            out, _FAST_OUT,
        )
        if status == 0:
            handle, n = unpack_from(out)
            return make_request(handle), string_at(addressof(out) + 16, n).decode("ascii")
        if status == 1:
            code, _, message = out.value.decode("utf-8", "replace").partition("\n")
            raise error_for(code, message)
        if status == 3:
            raise NuveraSigningError(
                "INTERNAL_ERROR", f"unexpected failure in the native core: {out.value.decode()}"
            )
        return None  # the token did not fit: sign through the generated path

    return fast_sign


_fast_sign = _load_fast_sign()


class SignedRequest:
    """A signed request: the two headers to send, the token, the claims and a proof.

    ``repr`` shows neither the token nor the API key.
    """

    __slots__ = ("_native", "_claims", "_token", "_api_key")

    def __init__(
        self, native: Any, token: Optional[str] = None, api_key: Optional[str] = None
    ) -> None:
        # ``token``/``api_key`` come with the fast signing path, so that ``headers`` needs no
        # further native call; the claims are fetched on first use.
        self._native = native
        self._claims: Optional[Claims] = None
        self._token = token
        self._api_key = api_key

    @property
    def headers(self) -> Dict[str, str]:
        """``{"x-api-key": …, "Authorization": "Bearer …"}``."""
        if self._token is not None and self._api_key is not None:
            return {"x-api-key": self._api_key, "Authorization": "Bearer " + self._token}
        return {h.name: h.value for h in self._native.headers()}

    @property
    def token(self) -> str:
        """The compact JWT."""
        if self._token is None:
            self._token = str(self._native.token())
        return self._token

    @property
    def authorization(self) -> str:
        """``Bearer <token>``."""
        return "Bearer " + self.token

    @property
    def claims(self) -> Claims:
        """The signed claims."""
        if self._claims is None:
            self._claims = Claims._from_native(self._native.claims())
        return self._claims

    def proof_json(self) -> str:
        """The proof artifact (contract §7) as pretty JSON; it holds no secret."""
        return str(self._native.proof_json())

    def proof(self) -> Dict[str, Any]:
        """The proof artifact as a dict."""
        result: Dict[str, Any] = json.loads(self.proof_json())
        return result

    def __repr__(self) -> str:
        c = self.claims
        return f"SignedRequest(method={c.method!r}, uri={c.uri!r}, jti={c.jti!r}, token=<redacted>)"


class Signer:
    """Signs requests for one API key. Thread-safe: share one per application.

    ``lifetime`` is the token lifetime in seconds (default 55, 1..=60); ``issuer`` and ``audience``
    default to ``nuvera-api`` / ``nuvera-rest-api``.
    """

    __slots__ = ("_native", "_key", "_api_key")

    def __init__(
        self,
        key: PrivateKey,
        api_key: str,
        *,
        lifetime: Optional[int] = None,
        issuer: Optional[str] = None,
        audience: Optional[str] = None,
    ) -> None:
        if not isinstance(key, PrivateKey):
            raise TypeError("key must be a nuvera_signing.PrivateKey")
        self._key = key
        # Kept (never shown: no repr, no pickling) to build the x-api-key header of each request
        # without a native call; the core checks it and sends it unchanged.
        self._api_key = api_key
        self._native = _call(
            _native.Signer,
            key._native,
            api_key,
            _uint(lifetime, _MAX_I32, "INVALID_LIFETIME", "lifetime"),
            issuer,
            audience,
        )

    @property
    def key(self) -> PrivateKey:
        """The signing key."""
        return self._key

    def sign(
        self,
        method: str,
        url: str,
        body: Union[BytesLike, str, "MultipartForm", None] = None,
        *,
        body_hash: Optional[str] = None,
        iat: Optional[int] = None,
        jti: Optional[str] = None,
    ) -> SignedRequest:
        """Signs a request.

        ``url`` is an absolute URL or a target starting with ``/``. ``body`` is the exact bytes to
        send (``str`` is sent as UTF-8), ``None`` for no body, or a :class:`MultipartForm`; or give
        a precomputed ``body_hash`` instead. ``iat``/``jti`` pin the clock and token id (tests,
        reproducing a token).
        """
        iat_ = _uint(iat, _MAX_I64, "INVALID_CLAIM", "iat")
        if body_hash is not None:
            if body is not None:
                raise TypeError("give either body or body_hash, not both")
            return SignedRequest(
                _call(self._native.sign_precomputed, method, url, body_hash, iat_, jti)
            )
        if isinstance(body, MultipartForm):
            return self.sign_multipart(method, url, body, iat=iat, jti=jti)
        if (
            _fast_sign is not None
            and iat_ is None
            and jti is None
            and type(method) is str
            and type(url) is str
        ):
            fast = _fast_sign(self._native, method, url, body)
            if fast is not None:
                return SignedRequest(fast[0], fast[1], self._api_key)
        return SignedRequest(
            _call(self._native.sign, method, url, _opt_bytes(body, "body"), iat_, jti)
        )

    def sign_file(
        self,
        method: str,
        url: str,
        path: StrPath,
        *,
        iat: Optional[int] = None,
        jti: Optional[str] = None,
    ) -> SignedRequest:
        """Signs a request whose body is the file at ``path`` (streamed by the core)."""
        iat_ = _uint(iat, _MAX_I64, "INVALID_CLAIM", "iat")
        return SignedRequest(_call(self._native.sign_file, method, url, _path(path), iat_, jti))

    def sign_multipart(
        self,
        method: str,
        url: str,
        form: "MultipartForm",
        *,
        iat: Optional[int] = None,
        jti: Optional[str] = None,
    ) -> SignedRequest:
        """Signs a multipart request described by ``form`` (send ``form.to_bytes()`` with
        ``form.content_type``)."""
        iat_ = _uint(iat, _MAX_I64, "INVALID_CLAIM", "iat")
        return SignedRequest(
            _call(self._native.sign_multipart, method, url, form._native, iat_, jti)
        )

    def sign_multipart_wire(
        self,
        method: str,
        url: str,
        content_type: str,
        body: BytesLike,
        *,
        iat: Optional[int] = None,
        jti: Optional[str] = None,
    ) -> SignedRequest:
        """Signs an already encoded multipart body (hashed through its canonical object)."""
        iat_ = _uint(iat, _MAX_I64, "INVALID_CLAIM", "iat")
        return SignedRequest(
            _call(
                self._native.sign_multipart_wire,
                method,
                url,
                content_type,
                _bytes(body, "body"),
                iat_,
                jti,
            )
        )

    def __repr__(self) -> str:
        return f"Signer(key={self._key!r}, api_key=<redacted>)"

    def __reduce__(self) -> Any:
        raise TypeError("a Signer cannot be pickled")


# ------------------------------------------------------------------------------------------------
# Multipart


class _FileSource(_native.ByteSource):  # type: ignore[misc]
    """A binary file object as the core's chunked byte source (``read(max_len) -> bytes``).

    The core asks for at most 64 KiB at a time, so a large file never crosses the FFI whole. Any
    failure of the file object surfaces as a ``NuveraIOError`` (code ``IO_ERROR``).
    """

    def __init__(self, fileobj: BinaryReader) -> None:
        super().__init__()
        self._file = fileobj

    @staticmethod
    def _fail(message: str) -> BaseException:
        return _native.NuveraError.Signing("IO_ERROR", message)  # type: ignore[no-any-return]

    def read(self, max_len: int) -> bytes:
        try:
            chunk = self._file.read(max_len)
        except Exception as exc:  # the reader's own failure, reported with its type
            raise self._fail(f"reading the file object failed: {type(exc).__name__}: {exc}") from None
        if chunk is None:
            raise self._fail(
                "the file object returned None (a non-blocking stream with no data ready); "
                "give a blocking binary file object"
            )
        if isinstance(chunk, str):
            raise self._fail("the file object returned str: open the file in binary mode ('rb')")
        if not isinstance(chunk, (bytes, bytearray, memoryview)):
            raise self._fail(f"the file object's read() returned {type(chunk).__name__}, not bytes")
        data = bytes(chunk)
        if len(data) > max_len:
            raise self._fail(f"the file object returned {len(data)} bytes when {max_len} were asked")
        return data


class MultipartForm:
    """A ``multipart/form-data`` body described by parts.

    Files given by path are streamed by the core whenever they are hashed or encoded.
    """

    __slots__ = ("_native",)

    def __init__(self, boundary: Optional[str] = None) -> None:
        self._native = _call(_native.MultipartForm, boundary)

    def add_field(self, name: str, value: str) -> "MultipartForm":
        """Adds a text field (repeated names are kept)."""
        _call(self._native.add_field, name, value)
        return self

    def add_file_path(
        self,
        field_name: str,
        path: StrPath,
        file_name: Optional[str] = None,
        mime_type: Optional[str] = None,
    ) -> "MultipartForm":
        """Adds a file by path; ``file_name`` defaults to the path's last component."""
        _call(self._native.add_file_path, field_name, _path(path), file_name, mime_type)
        return self

    def add_file_bytes(
        self,
        field_name: str,
        file_name: str,
        data: BytesLike,
        mime_type: Optional[str] = None,
    ) -> "MultipartForm":
        """Adds a file from memory (``mime_type`` defaults to ``application/octet-stream``)."""
        _call(self._native.add_file_bytes, field_name, file_name, _bytes(data, "data"), mime_type)
        return self

    def add_file_reader(
        self,
        field_name: str,
        fileobj: BinaryReader,
        file_name: Optional[str] = None,
        mime_type: Optional[str] = None,
    ) -> "MultipartForm":
        """Adds a file read from a binary file object (anything with ``read(n) -> bytes``:
        ``open(path, "rb")``, ``io.BytesIO``, a socket file…), streamed in chunks of at most
        64 KiB whenever the form is hashed or encoded; it is never loaded whole.

        ``file_name`` defaults to the last component of ``fileobj.name`` when that is a string.
        A file object can be read once: hash or encode the form once. To send and sign, encode
        first (``to_bytes()`` / ``write_to()``), then sign: the form keeps the size and hash of
        what it read. The form's lock is held while the file object is read, so ``read`` must
        not use this form. Failures of the file object raise ``NuveraIOError`` (``IO_ERROR``).
        """
        if not callable(getattr(fileobj, "read", None)):
            raise TypeError(f"fileobj must have a read() method, not {type(fileobj).__name__}")
        if file_name is None:
            name = getattr(fileobj, "name", None)
            if not isinstance(name, str) or not os.path.basename(name):
                raise TypeError("a file object without a usable .name needs a file_name")
            file_name = os.path.basename(name)
        _call(self._native.add_file_source, field_name, file_name, _FileSource(fileobj), mime_type)
        return self

    def add_file(
        self,
        field_name: str,
        source: Union[StrPath, BytesLike, BinaryReader],
        file_name: Optional[str] = None,
        mime_type: Optional[str] = None,
    ) -> "MultipartForm":
        """Adds a file from a path, from bytes (bytes need a ``file_name``) or from a binary file
        object (see :meth:`add_file_reader`)."""
        if isinstance(source, (bytes, bytearray, memoryview)):
            if file_name is None:
                raise TypeError("a file given as bytes needs a file_name")
            return self.add_file_bytes(field_name, file_name, source, mime_type)
        if isinstance(source, (str, os.PathLike)):
            return self.add_file_path(field_name, source, file_name, mime_type)
        return self.add_file_reader(field_name, source, file_name, mime_type)

    @property
    def content_type(self) -> str:
        """``multipart/form-data; boundary=…``: the Content-Type to send."""
        return str(self._native.content_type())

    @property
    def boundary(self) -> str:
        """The boundary used when encoding."""
        return str(self._native.boundary())

    def canonical_json(self) -> str:
        """The canonical object (contract §5) as compact JSON."""
        return str(_call(self._native.canonical_json))

    def canonical(self) -> Dict[str, Any]:
        """The canonical object as a dict."""
        result: Dict[str, Any] = json.loads(self.canonical_json())
        return result

    def body_hash(self) -> str:
        """The multipart ``bodyHash``."""
        return str(_call(self._native.body_hash))

    def to_bytes(self) -> bytes:
        """The encoded body (in memory; for large files prefer :meth:`write_to`)."""
        return bytes(_call(self._native.encode).body)

    def write_to(self, path: StrPath) -> str:
        """Encodes the body into the file at ``path``, streaming; returns the canonical JSON of
        exactly the bytes written."""
        return str(_call(self._native.write_to_file, _path(path)))

    def __repr__(self) -> str:
        return f"MultipartForm(boundary={self.boundary!r})"


# ------------------------------------------------------------------------------------------------
# Free functions


def body_hash(body: Union[BytesLike, str]) -> str:
    """SHA-256 hex of the exact body bytes (``str`` as UTF-8)."""
    return str(_native.body_hash(_bytes(body, "body")))


def body_hash_file(path: StrPath) -> str:
    """SHA-256 hex of a file's content, streamed."""
    return str(_call(_native.body_hash_file, _path(path)))


def multipart_body_hash(content_type: str, body: BytesLike) -> str:
    """Multipart ``bodyHash`` of an encoded body and its Content-Type."""
    return str(_call(_native.multipart_body_hash, content_type, _bytes(body, "body")))


def multipart_body_hash_file(content_type: str, path: StrPath) -> str:
    """Multipart ``bodyHash`` of an encoded body stored in a file, streamed."""
    return str(_call(_native.multipart_body_hash_file, content_type, _path(path)))


def multipart_canonical(content_type: str, body: BytesLike) -> str:
    """The canonical object's compact JSON of an encoded multipart body."""
    return str(_call(_native.multipart_canonical_json, content_type, _bytes(body, "body")))


def request_uri(url: str) -> str:
    """The ``uri`` claim of a URL or request target (WHATWG ``pathname + search``)."""
    return str(_call(_native.request_uri, url))


def sendable_url(url: str) -> str:
    """The URL to give an HTTP client so that it sends exactly the signed ``uri``."""
    return str(_call(_native.sendable_url, url))


def is_multipart_form_data(content_type: str) -> bool:
    """True when ``content_type`` is ``multipart/form-data`` (hashed through its canonical object)."""
    return bool(_native.is_multipart_form_data(content_type))


def received_body_hash(content_type: Optional[str], body: BytesLike) -> str:
    """The hash a server computes of a received body (multipart through its canonical object)."""
    return str(_call(_native.received_body_hash, content_type, _bytes(body, "body")))


# ------------------------------------------------------------------------------------------------
# Verification


@dataclass(frozen=True)
class Verified:
    """A request that passed every rule."""

    application: str
    claims: Claims
    permission: Optional[str]
    key_fingerprint: str


def _verified(v: Any) -> "Verified":
    return Verified(
        application=v.application,
        claims=Claims._from_native(v.claims),
        permission=v.permission,
        key_fingerprint=v.key_fingerprint,
    )


class Verifier:
    """The server side of the contract (§6): registry, replay cache, clock skew. Thread-safe."""

    __slots__ = ("_native",)

    def __init__(self, native: Any) -> None:
        self._native = native

    @classmethod
    def from_file(
        cls,
        path: StrPath,
        *,
        issuer: Optional[str] = None,
        audience: Optional[str] = None,
        clock_skew: Optional[int] = None,
        now: Optional[int] = None,
    ) -> "Verifier":
        """From a registry file (TOML when its name ends in ``.toml``, JSON otherwise).
        ``now`` pins the clock (tests)."""
        return cls(
            _call(
                _native.Verifier.from_file,
                _path(path),
                issuer,
                audience,
                _uint(clock_skew, _MAX_I32, "INVALID_CLAIM", "clock_skew"),
                _uint(now, _MAX_I64, "INVALID_CLAIM", "now"),
            )
        )

    @classmethod
    def _from_str(
        cls,
        text: str,
        fmt: str,
        base_dir: Optional[StrPath],
        issuer: Optional[str],
        audience: Optional[str],
        clock_skew: Optional[int],
        now: Optional[int],
    ) -> "Verifier":
        return cls(
            _call(
                _native.Verifier.from_text,
                text,
                fmt,
                None if base_dir is None else _path(base_dir),
                issuer,
                audience,
                _uint(clock_skew, _MAX_I32, "INVALID_CLAIM", "clock_skew"),
                _uint(now, _MAX_I64, "INVALID_CLAIM", "now"),
            )
        )

    @classmethod
    def from_json(
        cls,
        text: str,
        *,
        base_dir: Optional[StrPath] = None,
        issuer: Optional[str] = None,
        audience: Optional[str] = None,
        clock_skew: Optional[int] = None,
        now: Optional[int] = None,
    ) -> "Verifier":
        """From registry JSON text; relative key files resolve against ``base_dir``."""
        return cls._from_str(text, "json", base_dir, issuer, audience, clock_skew, now)

    @classmethod
    def from_toml(
        cls,
        text: str,
        *,
        base_dir: Optional[StrPath] = None,
        issuer: Optional[str] = None,
        audience: Optional[str] = None,
        clock_skew: Optional[int] = None,
        now: Optional[int] = None,
    ) -> "Verifier":
        """From registry TOML text; relative key files resolve against ``base_dir``."""
        return cls._from_str(text, "toml", base_dir, issuer, audience, clock_skew, now)

    def verify(
        self,
        method: str,
        target: str,
        *,
        api_key: Optional[str],
        authorization: Optional[str],
        body_hash: str,
    ) -> Verified:
        """Applies every rule; raises :class:`VerificationError` (``code``, ``http_status``) at
        the first failing one."""
        return _verified(_call(self._native.verify, method, target, api_key, authorization, body_hash))

    def verify_request(
        self, method: str, target: str, headers: Mapping[str, str], body: BytesLike = b""
    ) -> Verified:
        """Verifies a received request from its headers (any case) and raw body bytes (hashed
        as a server must: multipart through its canonical object)."""
        header_list = [_native.Header(name=n, value=v) for n, v in headers.items()]
        return _verified(_call(self._native.verify_request, method, target, header_list, _bytes(body, "body")))

    def __repr__(self) -> str:
        return "Verifier()"


# ------------------------------------------------------------------------------------------------
# Explain


@dataclass(frozen=True)
class Finding:
    """One broken rule: its code and area, the signed and the sent value, why, and the fix."""

    code: str
    area: str
    signed: Optional[str]
    sent: Optional[str]
    diagnosis: str
    fix: str


@dataclass(frozen=True)
class Report:
    """What ``explain`` found. ``verdict`` is the code Nuvera would answer with, if any."""

    ok: bool
    verdict: Optional[str]
    findings: List[Finding]
    notes: List[str]
    text: str
    json: str

    def __str__(self) -> str:
        return self.text


def explain(
    method: str,
    url: str,
    *,
    token: str,
    api_key: Optional[str] = None,
    content_type: Optional[str] = None,
    body: Union[BytesLike, str, None] = None,
    public_key_pem: Optional[str] = None,
    now: Optional[int] = None,
) -> Report:
    """Explains why ``token`` does (not) fit the request as sent, rule by rule.

    Never needs the private key; given ``public_key_pem`` it checks the signature too; given
    ``now`` it checks ``iat``/``exp``.
    """
    r = _call(
        _native.explain,
        method,
        url,
        api_key,
        content_type,
        b"" if body is None else _bytes(body, "body"),
        token,
        public_key_pem,
        _uint(now, _MAX_I64, "INVALID_CLAIM", "now"),
    )
    return Report(
        ok=bool(r.ok),
        verdict=r.verdict,
        findings=[
            Finding(
                code=f.code,
                area=f.area,
                signed=f.signed,
                sent=f.sent,
                diagnosis=f.diagnosis,
                fix=f.fix,
            )
            for f in r.findings
        ],
        notes=list(r.notes),
        text=r.text,
        json=r.json,
    )



def support_bundle_json(
    method: str,
    url: str,
    *,
    token: str,
    status: int,
    headers: Optional[Mapping[str, str]] = None,
    api_key: Optional[str] = None,
    content_type: Optional[str] = None,
    body: Union[BytesLike, str, None] = None,
    response_body: Union[BytesLike, str, None] = None,
    application: Optional[str] = None,
    public_key_pem: Optional[str] = None,
    now: Optional[int] = None,
) -> str:
    """A support bundle (contract §7) for a request Nuvera refused, as pretty JSON: what Nuvera
    support asks for, and no secret.

    Give the request as sent (``headers`` as sent; ``x-api-key`` from ``api_key`` and
    ``Authorization`` from ``token`` are added when missing), the ``token`` sent, Nuvera's HTTP
    ``status`` and ``response_body``. The API key is reduced to its last four characters, the
    token to its decoded header and claims (``sub`` masked) and a SHA-256, and the body to its
    size, hash and (multipart) canonical object: no API key, token, private key or file bytes.
    ``now`` pins the creation time (Unix seconds).
    """
    if not 0 <= status <= 0xFFFF:
        raise ValueError("status must be an HTTP status code")
    header_list = [_native.Header(name=n, value=v) for n, v in (headers or {}).items()]
    return str(
        _call(
            _native.support_bundle,
            method,
            url,
            header_list,
            api_key,
            content_type,
            b"" if body is None else _bytes(body, "body"),
            token,
            status,
            b"" if response_body is None else _bytes(response_body, "response_body"),
            application,
            public_key_pem,
            _uint(now, _MAX_I64, "INVALID_CLAIM", "now"),
        )
    )


def support_bundle(
    method: str,
    url: str,
    *,
    token: str,
    status: int,
    headers: Optional[Mapping[str, str]] = None,
    api_key: Optional[str] = None,
    content_type: Optional[str] = None,
    body: Union[BytesLike, str, None] = None,
    response_body: Union[BytesLike, str, None] = None,
    application: Optional[str] = None,
    public_key_pem: Optional[str] = None,
    now: Optional[int] = None,
) -> Dict[str, Any]:
    """:func:`support_bundle_json` as a dict."""
    result: Dict[str, Any] = json.loads(
        support_bundle_json(
            method,
            url,
            token=token,
            status=status,
            headers=headers,
            api_key=api_key,
            content_type=content_type,
            body=body,
            response_body=response_body,
            application=application,
            public_key_pem=public_key_pem,
            now=now,
        )
    )
    return result
