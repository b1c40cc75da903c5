"""The StateStore: the project a run builds, changed only through tool calls.

The store holds an immutable :class:`~maestro_lab.tools.entities.StateSnapshot`
and a change log. :meth:`StateStore.apply` validates a tool call against its
schema and applies it; :meth:`StateStore.apply_all` applies a list atomically.
Transactions (:meth:`StateStore.transaction`, or
:meth:`~StateStore.begin_transaction` with explicit commit / rollback) nest;
a rolled-back or failed transaction leaves the snapshot, the version and the
change log exactly as they were. The store is thread-safe; a transaction
belongs to the thread that began it.

Example
-------
>>> from maestro_lab.tools.validation import ToolCall
>>> store = StateStore()
>>> _ = store.apply(ToolCall("stori_add_midi_track", {"name": "Bass", "gmProgram": 33}))
>>> try:
...     with store.transaction():
...         _ = store.apply(ToolCall("stori_set_tempo", {"tempo": 90}))
...         _ = store.apply(ToolCall("stori_set_track_volume", {"trackId": "nope", "volume": 1}))
... except LookupError as exc:
...     print(exc)
trackId='nope' does not exist; known: ['bass']
>>> store.snapshot.tempo, store.version
(120, 1)
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from maestro_lab.errors import TransactionError
from maestro_lab.tools.apply import Applied, apply_call, check_inside
from maestro_lab.tools.entities import ChangeKind, StateChange, StateSnapshot, ToolResult
from maestro_lab.tools.export import snapshot_from_score, snapshot_to_context, snapshot_to_score
from maestro_lab.tools.registry import ToolRegistry, get_registry
from maestro_lab.tools.validation import ToolCall, ValidatedToolCall, validate_tool_call
from maestro_lab.wire import JSONObject
from storpheus.events import AftertouchArray, ControlChangeArray, PitchBendArray
from storpheus.notes import NoteArray
from storpheus.score import Score


@dataclass(frozen=True)
class _Savepoint:
    snapshot: StateSnapshot
    n_changes: int


class Transaction:
    """A group of changes that is committed or rolled back as one.

    Created by :meth:`StateStore.begin_transaction`; finish it with
    :meth:`commit` or :meth:`rollback` (innermost first when nested).
    """

    def __init__(self, store: StateStore, savepoint: _Savepoint, depth: int) -> None:
        self._store = store
        self._savepoint = savepoint
        self._depth = depth
        self._open = True

    @property
    def active(self) -> bool:
        """Whether the transaction is neither committed nor rolled back."""
        return self._open

    @property
    def changes(self) -> tuple[StateChange, ...]:
        """The changes made inside this transaction so far."""
        return self._store.changes[self._savepoint.n_changes :]

    def commit(self) -> None:
        """Keep the changes (an outer transaction may still roll them back)."""
        self._store._finish(self, keep=True)

    def rollback(self) -> None:
        """Discard every change made since the transaction began."""
        self._store._finish(self, keep=False)


class StateStore:
    """The mutable spine of one run: current snapshot, change log, transactions.

    Parameters
    ----------
    snapshot:
        The starting state (an empty 120 BPM 4/4 project by default).
    project_id:
        Identifies the project (kept for the caller; ids inside are per project).
    registry:
        The tool registry calls are validated against (the built-in one by default).
    """

    def __init__(
        self,
        snapshot: StateSnapshot | None = None,
        *,
        project_id: str = "project",
        registry: ToolRegistry | None = None,
    ) -> None:
        self.project_id = project_id
        self._registry = registry or get_registry()
        self._snapshot = snapshot or StateSnapshot()
        self._changes: list[StateChange] = []
        self._lock = threading.RLock()
        self._stack: list[Transaction] = []

    # ------------------------------------------------------------------ view
    @property
    def registry(self) -> ToolRegistry:
        """The tool registry calls are validated against."""
        return self._registry

    @property
    def snapshot(self) -> StateSnapshot:
        """The current immutable state."""
        return self._snapshot

    def get_snapshot(self) -> StateSnapshot:
        """The current immutable state (method form of :attr:`snapshot`)."""
        return self._snapshot

    @property
    def version(self) -> int:
        """Number of changes applied (and kept) since the store was created."""
        return self._snapshot.version

    @property
    def changes(self) -> tuple[StateChange, ...]:
        """The change log, oldest first."""
        with self._lock:
            return tuple(self._changes)

    @property
    def in_transaction(self) -> bool:
        """Whether a transaction is open."""
        return bool(self._stack)

    # ----------------------------------------------------------------- apply
    def apply(self, call: ToolCall, *, allowed_tools: Iterable[str] | None = None) -> ToolResult:
        """Validate ``call`` and apply it; raises a typed error and changes nothing on failure."""
        validated = validate_tool_call(call, allowed_tools=allowed_tools, registry=self._registry)
        return self.apply_validated(validated)

    def apply_validated(self, call: ValidatedToolCall) -> ToolResult:
        """Apply an already validated call."""
        with self._lock:
            return self._commit_applied(apply_call(self._snapshot, call), call.name, call.id)

    def apply_all(
        self, calls: Iterable[ToolCall], *, allowed_tools: Iterable[str] | None = None
    ) -> list[ToolResult]:
        """Apply ``calls`` in order as one transaction: all of them, or none."""
        allowed = tuple(allowed_tools) if allowed_tools is not None else None
        with self.transaction():
            return [self.apply(call, allowed_tools=allowed) for call in calls]

    def write_notes(
        self,
        region_id: str,
        notes: NoteArray,
        *,
        replace_existing: bool = True,
        cc: ControlChangeArray | None = None,
        bends: PitchBendArray | None = None,
        aftertouch: AftertouchArray | None = None,
        call_id: str = "write-notes",
    ) -> ToolResult:
        """Write columnar events into a region (the fast path for generated parts).

        Times are relative to the region start; an onset at or after the
        region's end is refused. With ``replace_existing`` the region's notes
        (and each controller kind given) are replaced, else appended.
        """
        tool = "stori_add_notes"
        with self._lock:
            region = self._snapshot.region(region_id)
            channel = self._snapshot.project.track(region.track_id).midi_channel
            check_inside(tool, region, notes.start_beat, "notes", "startBeat")
            notes = notes.with_channel(channel) if len(notes) else notes
            new_notes = notes if replace_existing else NoteArray.concat([region.notes, notes])
            new_cc = new_bends = new_touch = None
            if cc is not None:
                check_inside(tool, region, cc.beat, "cc", "beat")
                new_cc = cc if replace_existing else ControlChangeArray.concat([region.cc, cc])
            if bends is not None:
                check_inside(tool, region, bends.beat, "bends", "beat")
                new_bends = (
                    bends if replace_existing else PitchBendArray.concat([region.bends, bends])
                )
            if aftertouch is not None:
                check_inside(tool, region, aftertouch.beat, "aftertouch", "beat")
                new_touch = (
                    aftertouch
                    if replace_existing
                    else AftertouchArray.concat([region.aftertouch, aftertouch])
                )
            updated = region.with_events(new_notes, new_cc, new_bends, new_touch)
            applied = Applied(
                self._snapshot.with_region(updated),
                ChangeKind.NOTES_WRITTEN,
                "region",
                region_id,
                False,
                f"region {region_id}: {len(updated.notes)} notes written",
            )
            return self._commit_applied(applied, tool, call_id)

    def _commit_applied(self, applied: Applied, tool: str, call_id: str) -> ToolResult:
        version = self._snapshot.version + 1
        self._snapshot = replace(applied.snapshot, version=version)
        self._changes.append(
            StateChange(
                version=version,
                kind=applied.kind,
                entity_type=applied.entity_type,
                entity_id=applied.entity_id,
                tool=tool,
                call_id=call_id,
                summary=applied.summary,
            )
        )
        return ToolResult(
            call_id=call_id,
            tool=tool,
            entity_type=applied.entity_type,
            entity_id=applied.entity_id,
            created=applied.created,
            version=version,
            summary=applied.summary,
        )

    # ---------------------------------------------------------------- export
    def to_score(self) -> Score:
        """The project as a :class:`storpheus.score.Score` (events on the absolute timeline)."""
        return snapshot_to_score(self._snapshot)

    def to_context(self, *, include_notes: bool = True) -> JSONObject:
        """The camelCase ``ProjectContext`` JSON of the current state."""
        return snapshot_to_context(
            self._snapshot, project_id=self.project_id, include_notes=include_notes
        )

    @classmethod
    def from_score(cls, score: Score, *, project_id: str = "project") -> StateStore:
        """A store starting from ``score`` (one track and one region per score track)."""
        return cls(snapshot_from_score(score), project_id=project_id)

    # ---------------------------------------------------------- transactions
    def begin_transaction(self) -> Transaction:
        """Open a (possibly nested) transaction; finish it with commit or rollback."""
        self._lock.acquire()
        tx = Transaction(self, _Savepoint(self._snapshot, len(self._changes)), len(self._stack))
        self._stack.append(tx)
        return tx

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Context manager: commit on normal exit, roll back (and re-raise) on an exception."""
        tx = self.begin_transaction()
        try:
            yield tx
        except BaseException:
            if tx.active:
                tx.rollback()
            raise
        if tx.active:
            tx.commit()

    def _finish(self, tx: Transaction, *, keep: bool) -> None:
        if not tx.active:
            raise TransactionError("the transaction is already committed or rolled back")
        if not self._stack or self._stack[-1] is not tx:
            raise TransactionError(
                "an inner transaction is still open; commit or roll back the innermost first"
            )
        self._stack.pop()
        tx._open = False
        if not keep:
            self._snapshot = tx._savepoint.snapshot
            del self._changes[tx._savepoint.n_changes :]
        self._lock.release()
