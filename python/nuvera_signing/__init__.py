"""Request signing for the Nuvera partner API, backed by the Rust core.

>>> key = PrivateKey.from_file("private-key.pem")                      # doctest: +SKIP
>>> signer = Signer(key, "nv_live_3f9a2c7d1e")                          # doctest: +SKIP
>>> signed = signer.sign("POST", "https://api.nuvera.global/api/v1/customers", b'{"a":1}')  # doctest: +SKIP
>>> signed.headers                                                      # doctest: +SKIP
{'x-api-key': '…', 'Authorization': 'Bearer eyJ…'}

Every class and function is the native module's (``nuvera_signing._native``, PyO3): types and
docstrings are defined once, in Rust. HTTP clients: :mod:`nuvera_signing.requests` and
:mod:`nuvera_signing.httpx` (optional extras).
"""

from ._native import (
    Claims,
    Finding,
    MultipartForm,
    PrivateKey,
    Report,
    SignedRequest,
    Signer,
    Verified,
    Verifier,
    body_hash,
    body_hash_file,
    explain,
    is_multipart_form_data,
    multipart_body_hash,
    multipart_body_hash_file,
    multipart_canonical,
    public_key_fingerprint,
    received_body_hash,
    request_uri,
    sendable_url,
    support_bundle,
    support_bundle_json,
)
from ._native import (  # the §8 client policy, which the HTTP integrations carry out
    Action,
    Attempt,
    ClientPolicy,
    Exchange,
    RetryPolicy,
    now_unix_ms,
)
from .errors import (
    STREAMING_BODY,
    ClientError,
    InternalError,
    InvalidKeyError,
    InvalidRequestError,
    MultipartError,
    NuveraIOError,
    NuveraSigningError,
    RegistryError,
    RemoteSignerError,
    StreamingBodyError,
    VerificationError,
    error_codes,
)

__version__ = "0.1.0"

__all__ = [
    # the §8 client policy
    "Action",
    "Attempt",
    "ClientPolicy",
    "Exchange",
    "RetryPolicy",
    "now_unix_ms",
    "Claims",
    "ClientError",
    "Finding",
    "InternalError",
    "InvalidKeyError",
    "InvalidRequestError",
    "MultipartError",
    "MultipartForm",
    "NuveraIOError",
    "NuveraSigningError",
    "PrivateKey",
    "RegistryError",
    "RemoteSignerError",
    "Report",
    "STREAMING_BODY",
    "SignedRequest",
    "Signer",
    "StreamingBodyError",
    "VerificationError",
    "Verified",
    "Verifier",
    "body_hash",
    "body_hash_file",
    "error_codes",
    "explain",
    "is_multipart_form_data",
    "multipart_body_hash",
    "multipart_body_hash_file",
    "multipart_canonical",
    "public_key_fingerprint",
    "received_body_hash",
    "request_uri",
    "sendable_url",
    "support_bundle",
    "support_bundle_json",
]
