"""Compositions run for a client: the request body, and a run streamed from a thread.

:class:`ComposeRequest` is the body of ``POST /maestro/stream`` (and of the
MCP ``compose`` tool): the prompt plus options. :class:`ComposeJob` runs a
prepared composition in a worker thread and hands its events to the event
loop as they are emitted (in batches: one wake-up per burst).
:meth:`ComposeJob.cancel` stops the run at its next event, as long as the
commit has not started: the runtime then emits ``error`` and
``complete(success=false)``, commits nothing and leaves HEAD where it was.
Once the commit step is active, the run finishes (the commit is one
transaction, all or nothing, so there is never half a commit).

Example
-------
>>> ComposeRequest.model_validate({"prompt": "MAESTRO PROMPT ...", "seed": 7}).seed
7
>>> ComposeRequest.model_validate({"prompt": "x", "sead": 7})
Traceback (most recent call last):
...
pydantic_core._pydantic_core.ValidationError: 1 validation error for ComposeRequest
sead
  Extra inputs are not permitted ...
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import threading
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

from pydantic import Field

from maestro_lab.runtime.events import MaestroEvent, PlanStepUpdateEvent
from maestro_lab.runtime.stream import EventStream
from maestro_lab.server.config import ServerConfig
from maestro_lab.server.errors import RunCancelledError
from maestro_lab.wire import CamelModel

if TYPE_CHECKING:
    from maestro_lab.runtime.session import PreparedRun

MAX_PROMPT_CHARS = 64_000
"""Longest prompt a request may carry."""


class ComposeRequest(CamelModel):
    """What a client asks to compose (untrusted JSON; unknown fields are refused)."""

    prompt: str = Field(min_length=1, max_length=MAX_PROMPT_CHARS, description="a MAESTRO PROMPT")
    seed: int | None = Field(default=None, ge=0, le=2**63 - 1, description="base seed")
    candidates: int | None = Field(
        default=None, ge=1, le=256, description="candidates per generation"
    )
    backend: str = Field(default="embedded", min_length=1, max_length=200)
    project: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="the Muse project (default: the server's)",
    )
    branch: str | None = Field(default=None, min_length=1, max_length=200)


def prepare_request(config: ServerConfig, request: ComposeRequest) -> PreparedRun:
    """Check and plan ``request`` against the server's database (raises on bad input)."""
    import maestro_lab

    return maestro_lab.prepare(
        request.prompt,
        seed=request.seed,
        db=config.db,
        candidates=request.candidates,
        backend=request.backend,
        branch=request.branch,
        project=request.project or config.project,
        out=config.out,
        lock_timeout=config.busy_timeout,
        classifier=config.classifier,
    )


def _is_commit_start(event: MaestroEvent) -> bool:
    return (
        isinstance(event, PlanStepUpdateEvent)
        and event.step_id == "commit"
        and event.status == "active"
    )


class ComposeJob:
    """A composition running in a worker thread whose events the event loop reads in batches.

    The worker appends each event to a buffer and wakes the loop only when the
    buffer was empty, so a burst of events costs one wake-up and the reader
    gets all of them at once (:meth:`batches`).

    Parameters
    ----------
    execute:
        Runs the composition on the given stream (``PreparedRun.execute`` bound
        to ``accept=True``); called in the worker thread.
    run_id:
        The run's id (named by the cancellation error).
    loop:
        The event loop that reads :meth:`batches` (the job must be created on it).
    on_done:
        Called in the worker thread once the run has ended (to free the writer slot).
    """

    def __init__(
        self,
        execute: Callable[[EventStream], object],
        run_id: str,
        loop: asyncio.AbstractEventLoop,
        on_done: Callable[[], None],
    ) -> None:
        self.run_id = run_id
        self._buffer: collections.deque[MaestroEvent | None] = collections.deque()
        self._buffer_lock = threading.Lock()
        self._wake = asyncio.Event()
        self._signalled = False
        self.outcome: object = None
        self.error: BaseException | None = None
        self._execute = execute
        self._loop = loop
        self._on_done = on_done
        self._cancelled = threading.Event()
        self._committing = False
        self.stream = EventStream(sinks=[self._sink])
        self._thread = threading.Thread(target=self._main, name=f"serve-{run_id}", daemon=True)

    def start(self) -> ComposeJob:
        """Start the worker thread; returns self."""
        self._thread.start()
        return self

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._cancelled.is_set()

    def cancel(self) -> None:
        """Stop the run at its next event unless its commit already started (idempotent)."""
        self._cancelled.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the worker thread; whether it has ended."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _sink(self, event: MaestroEvent) -> None:
        if event.type not in ("error", "complete") and not self._committing:
            if self._cancelled.is_set():
                raise RunCancelledError(self.run_id)
            self._committing = _is_commit_start(event)
        self._post(event)

    def _post(self, item: MaestroEvent | None) -> None:
        with self._buffer_lock:
            self._buffer.append(item)
            if self._signalled:
                return
            self._signalled = True
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is listening
            self._loop.call_soon_threadsafe(self._wake.set)

    async def batches(self) -> AsyncIterator[list[MaestroEvent]]:
        """The run's events as they come, in batches of those emitted since the last one."""
        while True:
            await self._wake.wait()
            with self._buffer_lock:
                items = list(self._buffer)
                self._buffer.clear()
                self._signalled = False
                self._wake.clear()
            events = [item for item in items if item is not None]
            if events:
                yield events
            if len(events) < len(items):  # the end marker: the run is over
                return

    def _main(self) -> None:
        try:
            self.outcome = self._execute(self.stream)
        except BaseException as exc:  # reported through the stream's error event
            self.error = exc
        finally:
            self.stream.close()
            self._post(None)
            self._on_done()


__all__ = ["MAX_PROMPT_CHARS", "ComposeJob", "ComposeRequest", "prepare_request"]
