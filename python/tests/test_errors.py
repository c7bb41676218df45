"""The package's error codes are the core's: the same list as testdata/error-codes.json (which a
core test keeps equal to ErrorCode::ALL), each raising the class of its family."""

from __future__ import annotations

import json
from typing import Any, Dict, List

import pytest

import nuvera_signing as ns

from conftest import TESTDATA

FAMILY_CLASS = {
    "key": ns.InvalidKeyError,
    "request": ns.InvalidRequestError,
    "multipart": ns.MultipartError,
    "io": ns.NuveraIOError,
    "registry": ns.RegistryError,
    "auth": ns.VerificationError,
    "client": ns.ClientError,
    "remote": ns.RemoteSignerError,
    "internal": ns.InternalError,
}


def core_list() -> List[Dict[str, Any]]:
    data: List[Dict[str, Any]] = json.loads((TESTDATA / "error-codes.json").read_text("utf-8"))
    return data


def test_the_package_lists_the_core_codes() -> None:
    expected = [(c["code"], c["family"], c["httpStatus"]) for c in core_list()]
    assert ns.error_codes() == expected


@pytest.mark.parametrize("entry", core_list(), ids=lambda e: e["code"])
def test_each_code_raises_its_family_class(entry: Dict[str, Any]) -> None:
    error = ns.NuveraSigningError.for_code(entry["code"], "why")
    assert type(error) is FAMILY_CLASS[entry["family"]]
    assert (error.code, error.message, error.http_status) == (entry["code"], "why", entry["httpStatus"])
    assert str(error) == f"{entry['code']}: why"
    if isinstance(error, ns.VerificationError):
        assert json.loads(error.response_body()) == {"errors": [{"code": entry["code"], "message": "why"}]}


def test_no_code_is_invented() -> None:
    with pytest.raises(ValueError):
        ns.NuveraSigningError.for_code("INTERNAL_PANIC", "not a core code")
    assert ns.STREAMING_BODY in {c["code"] for c in core_list()}
    assert ns.StreamingBodyError is ns.ClientError
