"""One writer at a time per database file: a fair queue with a busy answer past a timeout.

DuckDB lets one connection write a file at a time, and within one process
Muse cannot attach a file for reading while a writer has it attached (nor
the other way round: a read holding the file makes a writer's attach, and
so its commit, fail). The server therefore passes every operation that
opens the database (compositions, variation accepts, MCP tool calls, history
reads) through a :class:`WriterQueue`: requests wait their turn in arrival
order, and one that waits longer than the timeout gets
:class:`~maestro_lab.server.errors.WriterBusyError` (HTTP 503) instead of
hanging. A run holds the slot until its thread ends, so a cancelled run
releases it only after its rollback.

Example
-------
>>> import asyncio
>>> queue = WriterQueue(timeout=0.05)
>>> async def demo() -> str:
...     first = await queue.acquire("lab.duckdb")
...     try:
...         await queue.acquire("lab.duckdb")
...     except WriterBusyError as exc:
...         return type(exc).__name__
...     finally:
...         first.release()
...     return "not busy"
>>> asyncio.run(demo())
'WriterBusyError'
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from maestro_lab.server.errors import WriterBusyError


def db_key(db: str | os.PathLike[str]) -> str:
    """The key of a database file in the queue (its resolved path; ``:memory:`` as is)."""
    text = os.fspath(db)
    return text if text == ":memory:" else str(Path(text).resolve())


@dataclass(eq=False)
class WriterSlot:
    """A held writer slot; :meth:`release` is idempotent and thread-safe."""

    key: str
    _lock: asyncio.Lock
    _loop: asyncio.AbstractEventLoop
    _queue: WriterQueue
    _released: bool = False
    _guard: threading.Lock = field(default_factory=threading.Lock)

    def release(self) -> None:
        """Free the slot (from any thread); the next waiter gets it."""
        with self._guard:
            if self._released:
                return
            self._released = True
        if _running_loop() is self._loop:
            self._free()
        else:
            try:
                self._loop.call_soon_threadsafe(self._free)
            except RuntimeError:  # the loop is closed: nobody can wait any more
                return

    def _free(self) -> None:
        self._queue._holders.pop(self.key, None)
        self._lock.release()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class WriterQueue:
    """Per-database writer slots, handed out in arrival order.

    Parameters
    ----------
    timeout:
        Seconds a request waits for the slot before :class:`WriterBusyError`.
    """

    def __init__(self, timeout: float = 30.0) -> None:
        self.timeout = float(timeout)
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiting: dict[str, int] = {}
        self._holders: dict[str, str] = {}

    async def acquire(self, db: str | os.PathLike[str], *, holder: str = "") -> WriterSlot:
        """Wait for the writer slot of ``db``; raise :class:`WriterBusyError` after the timeout."""
        key = db_key(db)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        began = time.perf_counter()
        try:
            await asyncio.wait_for(lock.acquire(), self.timeout)
        except TimeoutError:
            raise WriterBusyError(os.fspath(db), round(time.perf_counter() - began, 3)) from None
        finally:
            self._waiting[key] -= 1
        self._holders[key] = holder
        return WriterSlot(key, lock, asyncio.get_running_loop(), self)

    @asynccontextmanager
    async def slot(self, db: str | os.PathLike[str], *, holder: str = "") -> AsyncIterator[None]:
        """``async with queue.slot(db):`` hold the writer slot for the block."""
        held = await self.acquire(db, holder=holder)
        try:
            yield
        finally:
            held.release()

    def status(self, db: str | os.PathLike[str]) -> dict[str, str | int | bool | None]:
        """``{"busy", "holder", "waiting"}`` of ``db``'s slot (for the health route)."""
        key = db_key(db)
        lock = self._locks.get(key)
        return {
            "busy": bool(lock is not None and lock.locked()),
            "holder": self._holders.get(key),
            "waiting": self._waiting.get(key, 0),
        }


__all__ = ["WriterQueue", "WriterSlot", "db_key"]
