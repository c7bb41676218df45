"""The exception hierarchy: every error carries the core's stable ``code`` and a ``message``.

Messages never contain a private key, an API key or a token (the Rust core writes them that way,
and this layer adds none of its own secrets).
"""

from __future__ import annotations

from typing import Dict, Optional, Type

__all__ = [
    "NuveraSigningError",
    "InvalidKeyError",
    "InvalidRequestError",
    "StreamingBodyError",
    "MultipartError",
    "NuveraIOError",
    "RegistryError",
    "VerificationError",
    "STREAMING_BODY",
]

#: Code of the error raised by the HTTP-client integrations for a body they cannot hash without
#: consuming it (a generator, iterator or file object): pass bytes or a ``MultipartForm``.
STREAMING_BODY = "STREAMING_BODY"


class NuveraSigningError(Exception):
    """Root of every error raised by ``nuvera_signing``.

    ``code`` is stable (grep logs for it); ``message`` says what to change.
    """

    code: str
    message: str

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class InvalidKeyError(NuveraSigningError, ValueError):
    """The private or public key cannot be used (format, type, size, passphrase)."""


class InvalidRequestError(NuveraSigningError, ValueError):
    """A request or option that cannot be signed (URL, method, lifetime, API key, claims, hash)."""


class StreamingBodyError(InvalidRequestError):
    """An HTTP client's body is a stream whose bytes cannot be hashed before sending."""


class MultipartError(NuveraSigningError, ValueError):
    """A multipart body cannot be parsed, is over a limit, or a part cannot be encoded."""


class NuveraIOError(NuveraSigningError):
    """Reading a key, body or file failed."""


class RegistryError(NuveraSigningError, ValueError):
    """A verifier registry is invalid."""


class VerificationError(NuveraSigningError):
    """A request refused by the verifier: an ``AUTH_*`` code and the HTTP status to answer with."""

    http_status: int

    def __init__(self, code: str, message: str, http_status: int, response_body: str) -> None:
        super().__init__(code, message)
        self.http_status = http_status
        self._response_body = response_body

    def response_body(self) -> str:
        """The error body of contract §6, as the core writes it: ``{"errors":[{"code":…,"message":…}]}``."""
        return self._response_body


_BY_CODE: Dict[str, Type[NuveraSigningError]] = {
    "INVALID_PRIVATE_KEY": InvalidKeyError,
    "PEM_LABEL_MISMATCH": InvalidKeyError,
    "UNSUPPORTED_KEY_TYPE": InvalidKeyError,
    "KEY_TOO_SMALL": InvalidKeyError,
    "KEY_TOO_LARGE": InvalidKeyError,
    "PASSPHRASE_REQUIRED": InvalidKeyError,
    "WRONG_PASSPHRASE": InvalidKeyError,
    "UNSUPPORTED_KEY_ENCRYPTION": InvalidKeyError,
    "INVALID_API_KEY": InvalidRequestError,
    "INVALID_URL": InvalidRequestError,
    "INVALID_METHOD": InvalidRequestError,
    "INVALID_LIFETIME": InvalidRequestError,
    "INVALID_CLAIM": InvalidRequestError,
    "INVALID_BODY_HASH": InvalidRequestError,
    STREAMING_BODY: StreamingBodyError,
    "MULTIPART_MALFORMED": MultipartError,
    "MULTIPART_TOO_LARGE": MultipartError,
    "INVALID_FORM_PART": MultipartError,
    "IO_ERROR": NuveraIOError,
    "INVALID_REGISTRY": RegistryError,
}


def error_for(
    code: str, message: str, http_status: Optional[int] = None, response_body: str = ""
) -> NuveraSigningError:
    """The exception of the right family for ``code``."""
    if http_status is not None:
        return VerificationError(code, message, http_status, response_body)
    return _BY_CODE.get(code, NuveraSigningError)(code, message)
