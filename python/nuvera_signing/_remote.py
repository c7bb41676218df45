"""Helper of ``RemoteKey`` (bindings/python/src/remote.rs) for ``async`` signing callables."""

from typing import Awaitable, TypeVar

T = TypeVar("T")


async def as_coroutine(awaitable: Awaitable[T]) -> T:
    """A coroutine awaiting ``awaitable`` (a Future, a Task…), for ``asyncio.run`` and
    ``asyncio.run_coroutine_threadsafe``, which take coroutines only."""
    return await awaitable
