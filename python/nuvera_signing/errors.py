"""The exception hierarchy: one class per family of the core's error codes.

Every error carries the core's stable ``code``, a ``message`` and, for a verifier's refusal
(``AUTH_*``), the ``http_status`` to answer with. Which class a code raises is the core's
``ErrorCode.family()``; the list of codes is the core's (:func:`error_codes`). Messages never
contain a private key, an API key or a token.
"""

from __future__ import annotations

from . import _native
from ._native import error_codes as error_codes

# `typing` is imported for the type checker only: importing it at run time would double the
# time `import nuvera_signing` takes (see python/README.md). mypy treats this name as True.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Final, Optional, Type

__all__ = [
    "NuveraSigningError",
    "InvalidKeyError",
    "InvalidRequestError",
    "MultipartError",
    "NuveraIOError",
    "RegistryError",
    "VerificationError",
    "ClientError",
    "StreamingBodyError",
    "RemoteSignerError",
    "InternalError",
    "STREAMING_BODY",
]

#: Code of the error raised by the HTTP-client integrations for a body they cannot hash without
#: consuming it (a generator, iterator or file object): pass bytes or a ``MultipartForm``.
STREAMING_BODY: Final = "STREAMING_BODY"


#: The class raised for each family of the core (read by the native module).
FAMILY_CLASSES: Final[Dict[str, Type[NuveraSigningError]]] = {}


class NuveraSigningError(Exception):
    """Root of every error raised by ``nuvera_signing``.

    ``code`` is stable (grep logs for it); ``message`` says what to change; ``http_status`` is
    the status a server answers with for ``AUTH_*`` codes, ``None`` for the others.
    """

    family: str = ""
    code: str
    message: str
    http_status: Optional[int]

    def __init_subclass__(cls, family: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if family:  # a family's own class; a caller's subclass keeps its parent's family
            cls.family = family
            FAMILY_CLASSES[family] = cls

    def __init__(
        self,
        code: str,
        message: str,
        http_status: Optional[int] = None,
        response_body: Optional[str] = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.http_status = http_status
        self._response_body = response_body

    @staticmethod
    def for_code(code: str, message: str) -> NuveraSigningError:
        """The exception of the class for one of the core's codes (``ValueError`` for others)."""
        return _native.error_for_code(code, message)


class InvalidKeyError(NuveraSigningError, ValueError, family="key"):
    """Family ``key``: a private or API key that cannot be used (format, type, size, passphrase)."""


class InvalidRequestError(NuveraSigningError, ValueError, family="request"):
    """Family ``request``: a request, option or argument that cannot be signed or used."""


class MultipartError(NuveraSigningError, ValueError, family="multipart"):
    """Family ``multipart``: a multipart body that cannot be parsed, encoded or is over a limit."""


class NuveraIOError(NuveraSigningError, family="io"):
    """Family ``io``: reading a key, body or file failed."""


class RegistryError(NuveraSigningError, ValueError, family="registry"):
    """Family ``registry``: a verifier registry is invalid."""


class VerificationError(NuveraSigningError, family="auth"):
    """Family ``auth``: a request refused by the verifier, with the HTTP status to answer with."""

    http_status: int

    def response_body(self) -> str:
        """The error body of contract §6, as the core writes it: ``{"errors":[{"code":…,"message":…}]}``."""
        return self._response_body or ""


class ClientError(NuveraSigningError, family="client"):
    """Family ``client``: what an HTTP-client integration refuses (streaming body, redirects…)."""


#: The name this class had before the core grouped ``STREAMING_BODY`` with the client codes.
StreamingBodyError = ClientError


class RemoteSignerError(NuveraSigningError, family="remote"):
    """Family ``remote``: a key held elsewhere (PKCS#11, KMS callback) failed or does not match."""


class InternalError(NuveraSigningError, family="internal"):
    """Family ``internal``: a bug (a caught panic), a crypto failure, or a feature not built in."""
