"""The verifier's shared replay cache (contract §9) against a real redis-server started by the
test on a free loopback port in a temp dir (scripts/install-tools installs redis-server)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest

import nuvera_signing as ns

from conftest import API_KEY, registry_json

URL = "https://api.nuvera.global/api/v1/customers"
TARGET = "/api/v1/customers"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class Redis:
    def __init__(self, directory: Path) -> None:
        server = shutil.which("redis-server")
        assert server, "redis-server is needed (scripts/install-tools installs it)"
        self.port = _free_port()
        self.process = subprocess.Popen(
            [server, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(directory),
             "--save", "", "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL,
        )
        # Readiness, not timing: poll until it answers or the process ends.
        while not _answers_ping(self.port):
            assert self.process.poll() is None, "redis-server exited"
            time.sleep(0.02)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)


@pytest.fixture()
def redis(tmp_path: Path) -> Iterator[Redis]:
    server = Redis(tmp_path)
    try:
        yield server
    finally:
        server.stop()


def _verify(verifier: ns.Verifier, signed: ns.SignedRequest) -> ns.Verified:
    return verifier.verify_request("POST", TARGET, signed.headers, b"{}")


def _instance(url: str, prefix: str) -> ns.Verifier:
    return ns.Verifier.from_json(registry_json(), replay_cache=url, replay_cache_prefix=prefix,
                                 replay_cache_timeout_ms=1000, replay_cache_max_connections=4)


def test_two_instances_share_one_redis(redis: Redis, signer: ns.Signer) -> None:
    first, second = _instance(redis.url, "py-test:"), _instance(redis.url, "py-test:")
    signed = signer.sign("POST", URL, b"{}")
    assert _verify(first, signed).application == "Python tests"
    with pytest.raises(ns.VerificationError) as raised:
        _verify(second, signed)
    assert raised.value.code == "AUTH_REPLAYED_JTI"
    # Another token is fresh for both.
    assert _verify(second, signer.sign("POST", URL, b"{}")).application == "Python tests"
    # Another prefix is another namespace in the same store.
    assert _verify(_instance(redis.url, "other-service:"), signed).application == "Python tests"


def test_instances_without_the_option_do_not_share(signer: ns.Signer) -> None:
    first, second = ns.Verifier.from_json(registry_json()), ns.Verifier.from_json(registry_json())
    signed = signer.sign("POST", URL, b"{}")
    _verify(first, signed)
    _verify(second, signed)
    with pytest.raises(ns.VerificationError) as raised:
        _verify(first, signed)
    assert raised.value.code == "AUTH_REPLAYED_JTI"


def test_redis_down_is_503(redis: Redis, signer: ns.Signer) -> None:
    verifier = ns.Verifier.from_json(registry_json(), replay_cache=redis.url, replay_cache_timeout_ms=200)
    _verify(verifier, signer.sign("POST", URL, b"{}"))
    redis.stop()
    with pytest.raises(ns.VerificationError) as raised:
        _verify(verifier, signer.sign("POST", URL, b"{}"))
    assert raised.value.code == "AUTH_REPLAY_CACHE_UNAVAILABLE"
    assert raised.value.http_status == 503
    # Never started: the same answer, not a crash.
    nowhere = ns.Verifier.from_json(registry_json(), replay_cache=f"redis://127.0.0.1:{_free_port()}")
    with pytest.raises(ns.VerificationError) as raised:
        _verify(nowhere, signer.sign("POST", URL, b"{}"))
    assert raised.value.code == "AUTH_REPLAY_CACHE_UNAVAILABLE"


@pytest.mark.parametrize(
    "options",
    [
        {"replay_cache": "http://127.0.0.1:6379"},
        {"replay_cache": "redis://127.0.0.1:6379", "replay_cache_timeout_ms": 0},
        {"replay_cache": "redis://127.0.0.1:6379", "replay_cache_timeout_ms": -1},
        {"replay_cache": "redis://127.0.0.1:6379", "replay_cache_max_connections": 0},
        {"replay_cache": "redis://127.0.0.1:6379#insecure"},
        {"replay_cache_prefix": "no-url:"},
    ],
)
def test_bad_options(options: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(ns.InvalidRequestError) as raised:
        ns.Verifier.from_json(registry_json(), **options)
    assert raised.value.code == "INVALID_ARGUMENT"


def test_the_password_never_shows(signer: ns.Signer) -> None:
    with pytest.raises(ns.InvalidRequestError) as raised:
        ns.Verifier.from_json(registry_json(), replay_cache="ftp://user:s3cret-pw@127.0.0.1:6379")
    assert "s3cret-pw" not in str(raised.value)
    nowhere = ns.Verifier.from_json(registry_json(), replay_cache=f"redis://:s3cret-pw@127.0.0.1:{_free_port()}")
    with pytest.raises(ns.VerificationError) as unavailable:
        _verify(nowhere, signer.sign("POST", URL, b"{}"))
    assert "s3cret-pw" not in str(unavailable.value) and "s3cret-pw" not in repr(nowhere)
