"""Helpers of ``RemoteKey.from_callback`` (bindings/python/src/remote.rs): the caller's signing
callable, ``async`` or not, as the plain function the core calls."""

import asyncio
import inspect
from typing import Any, Awaitable, Callable, Optional, TypeVar

T = TypeVar("T")


async def as_coroutine(awaitable: Awaitable[T]) -> T:
    """A coroutine awaiting ``awaitable`` (a Future, a Task…), for ``asyncio.run`` and
    ``asyncio.run_coroutine_threadsafe``, which take coroutines only."""
    return await awaitable


def synchronous(
    sign: Callable[[bytes], Any], loop: Optional[asyncio.AbstractEventLoop]
) -> Callable[[bytes], bytes]:
    """``sign`` as the function the core calls (on its helper thread, or on the signing thread
    without a timeout), returning the signature's bytes. A coroutine or other awaitable it
    returns runs on ``loop`` when given (``run_coroutine_threadsafe``, so a client bound to that
    loop works; the caller must not block that loop, hence ``Signer.sign_async``), else on a
    fresh event loop of the calling thread."""

    def call(data: bytes) -> bytes:
        result = sign(data)
        if inspect.isawaitable(result):
            coroutine = result if inspect.iscoroutine(result) else as_coroutine(result)
            if loop is None:
                result = asyncio.run(coroutine)
            elif _running_loop() is loop:
                # Waiting here would block the very loop that must run the coroutine, forever
                # without a timeout: refuse instead.
                coroutine.close()
                raise RuntimeError(
                    "the key's event loop is running on the signing thread; "
                    "sign with `await signer.sign_async(...)`"
                )
            else:
                result = asyncio.run_coroutine_threadsafe(coroutine, loop).result()
        if isinstance(result, (bytes, bytearray, memoryview)):  # a str is refused, not encoded
            return bytes(result)
        raise TypeError(f"the callable returned {type(result).__name__}, not the signature bytes")

    return call


def _running_loop() -> Optional[asyncio.AbstractEventLoop]:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
