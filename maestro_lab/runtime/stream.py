"""The event stream: numbers events, checks their order and hands them to consumers.

An :class:`EventStream` is the single sequencer of one run. ``emit`` gives an
event the next ``seq`` number, checks the ordering invariants of
:mod:`maestro_lab.runtime.ordering` (the stream refuses an out-of-order event
rather than sending it), keeps it, calls every sink (telemetry, a log), and
wakes every live reader. Emitting is thread-safe, so parallel instrument
agents can share one stream; the numbering is the order ``emit`` was called.

Example
-------
>>> from maestro_lab.runtime.events import StateEvent, StatusEvent, CompleteEvent
>>> stream = EventStream()
>>> first = stream.emit(StateEvent(state="reasoning", intent="ask", execution_mode="reasoning"))
>>> _ = stream.emit(StatusEvent(message="thinking"))
>>> _ = stream.emit(CompleteEvent(success=True))
>>> stream.close()
>>> [e.seq for e in stream.events], first.seq
([0, 1, 2], 0)
>>> [e.type for e in stream.follow()]
['state', 'status', 'complete']
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from maestro_lab.errors import EventProtocolError, StreamClosedError
from maestro_lab.runtime.events import MaestroEvent
from maestro_lab.runtime.ordering import OrderChecker
from maestro_lab.wire import JSONObject

E = TypeVar("E", bound=MaestroEvent)

Sink = Callable[[MaestroEvent], None]
"""A consumer called with every emitted event, in order (exceptions propagate to ``emit``)."""

_CLOSED = object()


class EventStream:
    """Sequencer and fan-out of one run's events.

    Parameters
    ----------
    check_order:
        Check the ordering invariants on every ``emit`` (default ``True``).
    sinks:
        Callables given every event as it is emitted.
    """

    def __init__(self, *, check_order: bool = True, sinks: Iterable[Sink] = ()) -> None:
        self._lock = threading.RLock()
        self._events: list[MaestroEvent] = []
        self._sinks: list[Sink] = list(sinks)
        self._readers: list[queue.SimpleQueue[object]] = []
        self._checker = OrderChecker() if check_order else None
        self._closed = False

    # -------------------------------------------------------------- emitting
    def emit(self, event: E) -> E:
        """Number ``event``, check it, record it and pass it on; returns the numbered copy.

        Raises :class:`~maestro_lab.errors.EventOrderError` (nothing is recorded)
        if the event breaks an ordering invariant, and
        :class:`~maestro_lab.errors.StreamClosedError` after :meth:`close`.
        """
        if event.seq != -1:
            raise EventProtocolError(
                f"{event.type!r} event already has seq={event.seq}; emit each event once"
            )
        with self._lock:
            if self._closed:
                raise StreamClosedError(f"cannot emit {event.type!r}: the stream is closed")
            numbered = event.model_copy(update={"seq": len(self._events)})
            if self._checker is not None:
                self._checker.feed(numbered)
            self._events.append(numbered)
            for sink in self._sinks:
                sink(numbered)
            for reader in self._readers:
                reader.put(numbered)
        return numbered

    def add_sink(self, sink: Sink, *, replay: bool = True) -> None:
        """Add a consumer; with ``replay`` it first gets the events emitted so far."""
        with self._lock:
            if replay:
                for event in self._events:
                    sink(event)
            self._sinks.append(sink)

    def close(self, *, check: bool = False) -> None:
        """End the stream: live readers stop after the last event.

        With ``check=True`` also verify the stream is complete (it ends with
        ``complete`` or ``error``). Closing twice is harmless.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for reader in self._readers:
                reader.put(_CLOSED)
            if check and self._checker is not None:
                self._checker.finish()

    # -------------------------------------------------------------- reading
    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    @property
    def events(self) -> tuple[MaestroEvent, ...]:
        """Every event emitted so far, in order."""
        with self._lock:
            return tuple(self._events)

    def __len__(self) -> int:
        return len(self._events)

    def follow(self, timeout: float | None = None) -> Iterator[MaestroEvent]:
        """Iterate over the events as they happen: the past ones, then new ones until closed.

        ``timeout`` (seconds) bounds the wait for each next event; on expiry a
        :class:`TimeoutError` is raised. Safe to call from another thread than
        the emitters (a widget or the CLI progress display).
        """
        reader: queue.SimpleQueue[object] = queue.SimpleQueue()
        with self._lock:
            for event in self._events:
                reader.put(event)
            if self._closed:
                reader.put(_CLOSED)
            else:
                self._readers.append(reader)
        try:
            while True:
                try:
                    item = reader.get(timeout=timeout)
                except queue.Empty:
                    raise TimeoutError(f"no event within {timeout} s") from None
                if item is _CLOSED:
                    return
                assert isinstance(item, MaestroEvent)
                yield item
        finally:
            with self._lock:
                if reader in self._readers:
                    self._readers.remove(reader)

    def wire(self) -> list[JSONObject]:
        """Every event as its camelCase JSON object."""
        return [event.to_wire() for event in self.events]

    def to_jsonl(self) -> str:
        """Every event as one line of JSON (sorted keys), newline-terminated."""
        return "".join(event.to_json() + "\n" for event in self.events)
