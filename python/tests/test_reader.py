"""MultipartForm parts from Python file objects: streamed through the FFI in chunks of at most
64 KiB, the same hash as bytes or a path, and every failure of the file object as IO_ERROR."""

from __future__ import annotations

import io
from pathlib import Path
from typing import List

import pytest

import nuvera_signing as ns

from conftest import registry_json

URL = "https://api.nuvera.global/api/v1/documents"
CHUNK_LIMIT = 64 * 1024


class Recording(io.RawIOBase):
    """A binary reader that records the sizes asked for."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)
        self.asked: List[int] = []

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        self.asked.append(n)
        return self._data.read(n)


def form_with(source: object, boundary: str = "nv-test-boundary") -> ns.MultipartForm:
    return (
        ns.MultipartForm(boundary=boundary)
        .add_field("customerId", "c_42")
        .add_file("file", source, "doc.bin", "application/octet-stream")  # type: ignore[arg-type]
    )


def test_reader_hashes_like_bytes_and_path(tmp_path: Path) -> None:
    data = bytes(range(256)) * 9000  # 2.2 MiB
    path = tmp_path / "doc.bin"
    path.write_bytes(data)
    expected = form_with(data).body_hash()
    assert form_with(path).body_hash() == expected
    reader = Recording(data)
    assert form_with(reader).body_hash() == expected
    # streamed: many reads, none larger than the core's chunk, never the whole file at once
    assert len(reader.asked) > 30
    assert max(reader.asked) <= CHUNK_LIMIT and -1 not in reader.asked


def test_open_file_takes_its_name(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4 fake")
    with path.open("rb") as f:
        form = ns.MultipartForm(boundary="b1").add_file_reader("file", f, mime_type="application/pdf")
        canonical = form.canonical()
    assert canonical["files"][0]["fileName"] == "report.pdf"
    same = ns.MultipartForm(boundary="b1").add_file_path("file", path, mime_type="application/pdf")
    assert form.body_hash() == same.body_hash()  # the summary is kept after the one read


def test_reader_encode_then_sign_verifies(signer: ns.Signer) -> None:
    data = b"scan " * 50000
    form = form_with(io.BytesIO(data))
    wire = form.to_bytes()  # the one read: encodes and keeps size + hash
    signed = signer.sign_multipart("POST", URL, form)
    assert signed.claims.body_hash == ns.multipart_body_hash(form.content_type, wire)
    verifier = ns.Verifier.from_json(registry_json())
    ok = verifier.verify_request("POST", "/api/v1/documents",
                                 {**signed.headers, "Content-Type": form.content_type}, wire)
    assert ok.claims == signed.claims


def test_reader_cannot_be_encoded_twice() -> None:
    form = form_with(io.BytesIO(b"once"))
    form.to_bytes()
    with pytest.raises(ns.NuveraSigningError) as e:
        form.to_bytes()
    assert e.value.code == "INVALID_FORM_PART"


class Failing(io.RawIOBase):
    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        raise OSError("disk on fire")


class Text:
    def read(self, n: int = -1) -> str:
        return "text, not bytes"


class TooMuch:
    def read(self, n: int = -1) -> bytes:
        return b"x" * (n + 1)


class Weird:
    def read(self, n: int = -1) -> int:
        return 7


@pytest.mark.parametrize(
    "source,words",
    [
        (Failing(), "OSError: disk on fire"),
        (Text(), "binary mode"),
        (TooMuch(), "bytes when"),
        (Weird(), "returned int"),
    ],
)
def test_reader_errors_are_io_errors(signer: ns.Signer, source: object, words: str) -> None:
    form = form_with(source)
    with pytest.raises(ns.NuveraIOError) as e:
        form.body_hash()
    assert e.value.code == "IO_ERROR"
    assert words in e.value.message and "field `file`" in e.value.message
    with pytest.raises(ns.NuveraIOError):
        signer.sign_multipart("POST", URL, form_with(source))


def test_reader_needs_read_and_a_name() -> None:
    with pytest.raises(TypeError):
        ns.MultipartForm().add_file_reader("file", object())  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ns.MultipartForm().add_file_reader("file", io.BytesIO(b"x"))


def test_hashes_of_file_objects_are_streamed() -> None:
    data = bytes(range(256)) * 2000
    reader = Recording(data)
    assert ns.body_hash(reader) == ns.body_hash(data)
    assert max(reader.asked) <= CHUNK_LIMIT and len(reader.asked) > 5
    form = ns.MultipartForm(boundary="nv-b").add_field("a", "1").add_file_bytes("f", "x.bin", data)
    wire = form.to_bytes()
    wire_reader = Recording(wire)
    assert ns.multipart_body_hash(form.content_type, wire_reader) == form.body_hash()
    assert max(wire_reader.asked) <= CHUNK_LIMIT


def test_a_failing_file_object_is_an_io_error() -> None:
    class Broken(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def read(self, n: int = -1) -> bytes:
            raise OSError("disk on fire")

    with pytest.raises(ns.NuveraIOError) as e:
        ns.body_hash(Broken())
    assert e.value.code == "IO_ERROR" and "disk on fire" in e.value.message


def test_signer_signs_a_file_object_as_its_bytes(tmp_path: Path) -> None:
    from conftest import KEYS

    signer = ns.Signer(ns.PrivateKey.from_file(KEYS / "test-rsa2048-pkcs8.pem"), "nv_test_reader")
    data = bytes(range(256)) * 3000
    reader = Recording(data)
    signed = signer.sign("PUT", URL, reader)
    assert signed.claims.body_hash == ns.body_hash(data)
    assert max(reader.asked) <= CHUNK_LIMIT and -1 not in reader.asked
    path = tmp_path / "body.bin"
    path.write_bytes(data)
    with path.open("rb") as f:
        assert signer.sign("PUT", URL, f).claims.body_hash == signer.sign_file("PUT", URL, path).claims.body_hash
