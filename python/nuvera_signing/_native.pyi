# Types of the PyO3 extension module (bindings/python). Hand-written; `python -m mypy.stubtest
# nuvera_signing._native` in scripts/test-python keeps it equal to the compiled module.
import asyncio
import os
from typing import (
    Any,
    Awaitable,
    Callable,
    Dict,
    Final,
    List,
    Literal,
    Mapping,
    Optional,
    Protocol,
    Tuple,
    TypedDict,
    Union,
    final,
)

from typing_extensions import Unpack

from .errors import NuveraSigningError

__all__ = [
    "error_codes",
    "error_for_code",
    "PrivateKey",
    "public_key_fingerprint",
    "RemoteKey",
    "Claims",
    "SignedRequest",
    "Signer",
    "body_hash",
    "body_hash_file",
    "request_uri",
    "sendable_url",
    "MultipartForm",
    "multipart_body_hash",
    "multipart_body_hash_file",
    "multipart_canonical",
    "is_multipart_form_data",
    "Verified",
    "Verifier",
    "received_body_hash",
    "Finding",
    "Report",
    "explain",
    "support_bundle_json",
    "support_bundle",
    # the §8 client policy (bindings/python/src/client.rs)
    "RetryPolicy",
    "ClientPolicy",
    "Attempt",
    "Action",
    "Exchange",
    "now_unix_ms",
]

_StrPath = Union[str, os.PathLike[str]]
_Bytes = Union[bytes, bytearray, memoryview, str]

class _BinaryReader(Protocol):
    def read(self, n: int = ..., /) -> bytes: ...

@final
class PrivateKey:
    @staticmethod
    def from_pem(pem: _Bytes, passphrase: Optional[_Bytes] = None) -> PrivateKey: ...
    @staticmethod
    def from_file(path: _StrPath, passphrase: Optional[_Bytes] = None) -> PrivateKey: ...
    public_key_pem: Final[str]
    fingerprint: Final[str]
    bits: Final[int]

def public_key_fingerprint(pem: _Bytes) -> str: ...

# RemoteKey (bindings/python/src/remote.rs)
_Signature = Union[bytes, bytearray, memoryview]
_SignCallable = Union[
    Callable[[bytes], _Signature], Callable[[bytes], Awaitable[_Signature]]
]

@final
class RemoteKey:
    @staticmethod
    def from_callback(
        sign: _SignCallable,
        *,
        public_key_pem: Optional[_Bytes] = None,
        public_key_der: Optional[_Bytes] = None,
        input: Literal["digest", "message"] = "digest",
        timeout_ms: Optional[int] = None,
        loop: Optional[asyncio.AbstractEventLoop] = None,
    ) -> RemoteKey: ...
    @staticmethod
    def from_pkcs11(
        module: _StrPath,
        *,
        token_label: Optional[str] = None,
        slot: Optional[int] = None,
        key_label: Optional[str] = None,
        key_id: Optional[str] = None,
        pin_env: Optional[str] = None,
        pin_file: Optional[_StrPath] = None,
    ) -> RemoteKey: ...
    def check(self) -> None: ...
    public_key_pem: Final[str]
    fingerprint: Final[str]
    bits: Final[int]
    input: Final[Literal["digest", "message"]]

@final
class Claims:
    iss: Final[str]
    aud: Final[str]
    sub: Final[str]
    method: Final[str]
    uri: Final[str]
    body_hash: Final[str]
    iat: Final[int]
    exp: Final[int]
    jti: Final[str]
    def as_dict(self) -> Dict[str, Union[str, int]]: ...

@final
class SignedRequest:
    headers: Final[Dict[str, str]]
    token: Final[str]
    authorization: Final[str]
    claims: Final[Claims]
    def proof_json(self) -> str: ...
    def proof(self) -> Dict[str, Any]: ...

@final
class Signer:
    def __new__(
        cls,
        key: Union[PrivateKey, RemoteKey],
        api_key: str,
        *,
        lifetime: Optional[int] = None,
        issuer: Optional[str] = None,
        audience: Optional[str] = None,
        clock_offset: Optional[int] = None,
    ) -> Signer: ...
    clock_offset: Final[int]
    key: Final[Union[PrivateKey, RemoteKey]]
    def sign(
        self,
        method: str,
        url: str,
        body: Union[_Bytes, MultipartForm, _BinaryReader, None] = None,
        *,
        body_hash: Optional[str] = None,
        content_type: Optional[str] = None,
        iat: Optional[int] = None,
        jti: Optional[str] = None,
    ) -> SignedRequest: ...
    def sign_file(
        self,
        method: str,
        url: str,
        path: _StrPath,
        *,
        iat: Optional[int] = None,
        jti: Optional[str] = None,
    ) -> SignedRequest: ...
    def sign_multipart(
        self,
        method: str,
        url: str,
        form: MultipartForm,
        *,
        iat: Optional[int] = None,
        jti: Optional[str] = None,
    ) -> SignedRequest: ...
    def sign_multipart_wire(
        self,
        method: str,
        url: str,
        content_type: str,
        body: _Bytes,
        *,
        iat: Optional[int] = None,
        jti: Optional[str] = None,
    ) -> SignedRequest: ...
    def sign_async(
        self,
        method: str,
        url: str,
        body: Union[_Bytes, MultipartForm, _BinaryReader, None] = None,
        **kwargs: Any,
    ) -> asyncio.Future[SignedRequest]: ...

@final
class MultipartForm:
    def __new__(cls, boundary: Optional[str] = None) -> MultipartForm: ...
    def add_field(self, name: str, value: str) -> MultipartForm: ...
    def add_file_path(
        self,
        field_name: str,
        path: _StrPath,
        file_name: Optional[str] = None,
        mime_type: Optional[str] = None,
    ) -> MultipartForm: ...
    def add_file_bytes(
        self,
        field_name: str,
        file_name: str,
        data: _Bytes,
        mime_type: Optional[str] = None,
    ) -> MultipartForm: ...
    def add_file_reader(
        self,
        field_name: str,
        fileobj: _BinaryReader,
        file_name: Optional[str] = None,
        mime_type: Optional[str] = None,
    ) -> MultipartForm: ...
    def add_file(
        self,
        field_name: str,
        source: Union[_StrPath, bytes, bytearray, memoryview, _BinaryReader],
        file_name: Optional[str] = None,
        mime_type: Optional[str] = None,
    ) -> MultipartForm: ...
    content_type: Final[str]
    boundary: Final[str]
    def canonical_json(self) -> str: ...
    def canonical(self) -> Dict[str, Any]: ...
    def body_hash(self) -> str: ...
    def to_bytes(self) -> bytes: ...
    def write_to(self, path: _StrPath) -> str: ...

@final
class Verified:
    application: Final[str]
    claims: Final[Claims]
    permission: Final[str]
    key_fingerprint: Final[str]

class _VerifierOptions(TypedDict, total=False):
    issuer: Optional[str]
    audience: Optional[str]
    clock_skew: Optional[int]
    now: Optional[int]
    replay_cache: Optional[str]
    replay_cache_prefix: Optional[str]
    replay_cache_timeout_ms: Optional[int]
    replay_cache_max_connections: Optional[int]

@final
class Verifier:
    @staticmethod
    def from_file(path: _StrPath, **options: Unpack[_VerifierOptions]) -> Verifier: ...
    @staticmethod
    def from_json(
        text: str, *, base_dir: Optional[_StrPath] = None, **options: Unpack[_VerifierOptions]
    ) -> Verifier: ...
    @staticmethod
    def from_toml(
        text: str, *, base_dir: Optional[_StrPath] = None, **options: Unpack[_VerifierOptions]
    ) -> Verifier: ...
    def verify(
        self,
        method: str,
        target: str,
        *,
        api_key: Optional[str],
        authorization: Optional[str],
        body_hash: str,
    ) -> Verified: ...
    def verify_request(
        self,
        method: str,
        target: str,
        headers: Mapping[str, str],
        body: Optional[_Bytes] = None,
    ) -> Verified: ...

@final
class Finding:
    code: Final[str]
    area: Final[str]
    signed: Final[Optional[str]]
    sent: Final[Optional[str]]
    diagnosis: Final[str]
    fix: Final[str]

@final
class Report:
    ok: Final[bool]
    verdict: Final[Optional[str]]
    findings: Final[List[Finding]]
    notes: Final[List[str]]
    text: Final[str]
    json: Final[str]

def body_hash(body: Union[_Bytes, _BinaryReader]) -> str: ...
def body_hash_file(path: _StrPath) -> str: ...
def request_uri(url: str) -> str: ...
def sendable_url(url: str) -> str: ...
def multipart_body_hash(content_type: str, body: Union[_Bytes, _BinaryReader]) -> str: ...
def multipart_body_hash_file(content_type: str, path: _StrPath) -> str: ...
def multipart_canonical(content_type: str, body: _Bytes) -> str: ...
def is_multipart_form_data(content_type: str) -> bool: ...
def received_body_hash(content_type: Optional[str], body: _Bytes) -> str: ...
def explain(
    method: str,
    url: str,
    *,
    token: str,
    api_key: Optional[str] = None,
    content_type: Optional[str] = None,
    body: Optional[_Bytes] = None,
    public_key_pem: Optional[str] = None,
    now: Optional[int] = None,
) -> Report: ...

class _BundleOptions(TypedDict, total=False):
    headers: Optional[Mapping[str, str]]
    api_key: Optional[str]
    content_type: Optional[str]
    body: Optional[_Bytes]
    response_body: Optional[_Bytes]
    application: Optional[str]
    public_key_pem: Optional[str]
    now: Optional[int]

def support_bundle_json(
    method: str, url: str, *, token: str, status: int, **options: Unpack[_BundleOptions]
) -> str: ...
def support_bundle(
    method: str, url: str, *, token: str, status: int, **options: Unpack[_BundleOptions]
) -> Dict[str, Any]: ...
def error_codes() -> List[Tuple[str, str, Optional[int]]]: ...
def error_for_code(code: str, message: str) -> NuveraSigningError: ...

# -- the §8 client policy (bindings/python/src/client.rs) -----------------------------------------

@final
class RetryPolicy:
    def __new__(
        cls,
        *,
        statuses: Optional[List[int]] = None,
        methods: Optional[List[str]] = None,
        max_attempts: Optional[int] = None,
        base_delay_ms: Optional[int] = None,
        max_delay_ms: Optional[int] = None,
    ) -> RetryPolicy: ...
    @staticmethod
    def including_post() -> RetryPolicy: ...
    statuses: Final[List[int]]
    methods: Final[List[str]]
    max_attempts: Final[int]
    base_delay_ms: Final[int]
    max_delay_ms: Final[int]

@final
class ClientPolicy:
    def __new__(
        cls,
        *,
        max_redirects: Optional[int] = None,
        retry: Union[RetryPolicy, bool, None] = None,
        correct_clock: Optional[bool] = None,
    ) -> ClientPolicy: ...
    max_redirects: Final[int]
    retry: Final[Optional[RetryPolicy]]
    correct_clock: Final[bool]

@final
class Attempt:
    method: Final[str]
    url: Final[str]
    send_body: Final[bool]
    credentials: Final[bool]

@final
class Action:
    kind: Final[str]
    attempt: Final[Optional[Attempt]]
    delay_ms: Final[int]
    reason: Final[Optional[str]]

@final
class Exchange:
    def __new__(
        cls,
        policy: ClientPolicy,
        signer: Signer,
        method: str,
        url: str,
        *,
        has_body: bool,
        jitter: Optional[List[float]] = None,
    ) -> Exchange: ...
    first: Final[Attempt]
    redirects: Final[int]
    def on_response(
        self,
        status: int,
        headers: Union[Mapping[str, str], List[Tuple[str, str]]],
        body: Optional[_Bytes] = None,
        *,
        sent_at_ms: int,
        received_at_ms: int,
    ) -> Action: ...

def now_unix_ms() -> int: ...
