"""Variation records and their state machine (see :mod:`muse_duckdb.variations`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from muse_duckdb.diff.states import EventChanges
from muse_duckdb.errors import (
    PhraseNotFoundError,
    ProjectStateError,
    VariationNotFoundError,
    VariationStateError,
)
from muse_duckdb.model.commit import JSONValue
from muse_duckdb.storage.append import PhraseSummary
from muse_duckdb.variations.changes import (
    ChangeSet,
)
from storpheus.columnar import ColumnarArray
from storpheus.events import AftertouchArray, ControlChangeArray, PitchBendArray
from storpheus.notes import NoteArray

DEFAULT_TTL_US: Final = 3600 * 1_000_000
"""Variations not finished within an hour expire (see :meth:`VariationStore.expire`)."""


class VariationState(StrEnum):
    """States of a variation."""

    CREATED = "created"
    STREAMING = "streaming"
    READY = "ready"
    COMMITTED = "committed"
    DISCARDED = "discarded"
    FAILED = "failed"
    EXPIRED = "expired"


S = VariationState
TRANSITIONS: Final[dict[VariationState, frozenset[VariationState]]] = {
    S.CREATED: frozenset({S.STREAMING, S.DISCARDED, S.FAILED, S.EXPIRED}),
    S.STREAMING: frozenset({S.READY, S.DISCARDED, S.FAILED, S.EXPIRED}),
    S.READY: frozenset({S.COMMITTED, S.DISCARDED, S.EXPIRED}),
    S.COMMITTED: frozenset(),
    S.DISCARDED: frozenset(),
    S.FAILED: frozenset(),
    S.EXPIRED: frozenset(),
}
"""Allowed moves; the last four states are terminal."""
TERMINAL: Final = frozenset({S.COMMITTED, S.DISCARDED, S.FAILED, S.EXPIRED})


@dataclass(frozen=True)
class Phrase:
    """The changes of one region within ``[start_beat, end_beat)`` (project timeline).

    Note arrays hold times relative to the region start (like regions).
    ``region_start_beat`` / ``region_duration_beats`` / ``region_name``
    describe the region the phrase belongs to.
    """

    phrase_id: str
    track_id: str
    region_id: str
    start_beat: float
    end_beat: float
    added: NoteArray = field(default_factory=NoteArray.empty)
    removed: NoteArray = field(default_factory=NoteArray.empty)
    modified_before: NoteArray = field(default_factory=NoteArray.empty)
    modified_after: NoteArray = field(default_factory=NoteArray.empty)
    cc: EventChanges = field(
        default_factory=lambda: EventChanges(ControlChangeArray.empty(), ControlChangeArray.empty())
    )
    bends: EventChanges = field(
        default_factory=lambda: EventChanges(PitchBendArray.empty(), PitchBendArray.empty())
    )
    aftertouch: EventChanges = field(
        default_factory=lambda: EventChanges(AftertouchArray.empty(), AftertouchArray.empty())
    )
    label: str = ""
    tags: tuple[str, ...] = ()
    explanation: str | None = None
    region_start_beat: float = 0.0
    region_duration_beats: float = 0.0
    region_name: str = ""

    def __post_init__(self) -> None:
        if len(self.modified_before) != len(self.modified_after):
            raise ProjectStateError(
                f"phrase {self.phrase_id!r}.modified_after",
                len(self.modified_after),
                f"must pair with the {len(self.modified_before)} modified_before notes",
            )

    @property
    def n_changes(self) -> int:
        """Notes added, removed or modified, plus controller events changed."""
        return (
            len(self.added)
            + len(self.removed)
            + len(self.modified_before)
            + self.cc.n_changed
            + self.bends.n_changed
            + self.aftertouch.n_changed
        )

    def summary(self, accepted: bool) -> PhraseSummary:
        """The record stored with the commit."""
        return PhraseSummary(
            phrase_id=self.phrase_id,
            track_id=self.track_id,
            region_id=self.region_id,
            start_beat=self.start_beat,
            end_beat=self.end_beat,
            label=self.label,
            tags=self.tags,
            n_added=len(self.added),
            n_removed=len(self.removed),
            n_modified=len(self.modified_before),
            accepted=accepted,
        )

    def to_wire(self) -> dict[str, JSONValue]:
        """The phrase as camelCase JSON (``noteChanges``, each with ``before`` / ``after``)."""
        changes: list[JSONValue] = []
        for note in self.added.to_dicts(wire=True):
            changes.append({"changeType": "added", "before": None, "after": _snap(note)})
        for note in self.removed.to_dicts(wire=True):
            changes.append({"changeType": "removed", "before": _snap(note), "after": None})
        for b, a in zip(
            self.modified_before.to_dicts(wire=True),
            self.modified_after.to_dicts(wire=True),
            strict=True,
        ):
            changes.append({"changeType": "modified", "before": _snap(b), "after": _snap(a)})
        return {
            "phraseId": self.phrase_id,
            "trackId": self.track_id,
            "regionId": self.region_id,
            "startBeat": self.start_beat,
            "endBeat": self.end_beat,
            "label": self.label,
            "tags": list(self.tags),
            "explanation": self.explanation,
            "noteChanges": changes,
            "ccEvents": _events(self.cc.added),
            "pitchBends": _events(self.bends.added),
            "aftertouch": _events(self.aftertouch.added),
        }


@dataclass
class Variation:
    """A proposal under review (mutable record; change it through the store)."""

    variation_id: str
    base_commit_id: str | None
    intent: str
    explanation: str | None
    state: VariationState
    created_at_us: int
    updated_at_us: int
    phrases: list[Phrase] = field(default_factory=list)
    changeset: ChangeSet = field(default_factory=lambda: ChangeSet(()))
    error_message: str | None = None
    commit_id: str | None = None

    @property
    def affected_regions(self) -> list[str]:
        """Region ids the phrases touch, sorted."""
        return sorted({p.region_id for p in self.phrases})

    @property
    def affected_tracks(self) -> list[str]:
        """Track ids the phrases touch, sorted."""
        return sorted({p.track_id for p in self.phrases})

    def phrase(self, phrase_id: str) -> Phrase:
        """One phrase by id."""
        for p in self.phrases:
            if p.phrase_id == phrase_id:
                return p
        raise PhraseNotFoundError(self.variation_id, [phrase_id])

    def to_wire(self) -> dict[str, JSONValue]:
        """The variation as camelCase JSON: its id, status and phrases."""
        return {
            "variationId": self.variation_id,
            "baseStateId": self.base_commit_id,
            "intent": self.intent,
            "aiExplanation": self.explanation,
            "status": self.state.value,
            "affectedTracks": list(self.affected_tracks),
            "affectedRegions": list(self.affected_regions),
            "phrases": [{"sequence": i + 1, **p.to_wire()} for i, p in enumerate(self.phrases)],
            "phraseCount": len(self.phrases),
            "structuralChanges": [c.to_dict() for c in self.changeset.changes],
            "errorMessage": self.error_message,
            "commitId": self.commit_id,
        }


class VariationStore:
    """In-memory staging area: variations by id, with the state machine enforced."""

    def __init__(self, clock: Callable[[], int], ttl_us: int = DEFAULT_TTL_US) -> None:
        self._clock = clock
        self.ttl_us = ttl_us
        self._items: dict[str, Variation] = {}

    def create(
        self,
        base_commit_id: str | None,
        intent: str,
        *,
        explanation: str | None = None,
        variation_id: str | None = None,
        changeset: ChangeSet | None = None,
    ) -> Variation:
        """A new variation in state CREATED."""
        vid = variation_id or str(uuid.uuid4())
        if vid in self._items:
            raise VariationStateError(vid, self._items[vid].state.value, "create", "a new id")
        now = self._clock()
        v = Variation(
            vid, base_commit_id, intent, explanation, S.CREATED, now, now,
            changeset=changeset or ChangeSet(()),
        )  # fmt: skip
        self._items[vid] = v
        return v

    def adopt(self, variation: Variation) -> Variation:
        """Hold a variation built elsewhere (a saved one rebuilt from the database)."""
        if variation.variation_id in self._items:
            held = self._items[variation.variation_id]
            raise VariationStateError(variation.variation_id, held.state.value, "adopt", "a new id")
        self._items[variation.variation_id] = variation
        return variation

    def get(self, variation_id: str) -> Variation:
        """A variation by id."""
        try:
            return self._items[variation_id]
        except KeyError:
            raise VariationNotFoundError(variation_id) from None

    def all(self) -> list[Variation]:
        """Every variation, oldest first."""
        return sorted(self._items.values(), key=lambda v: (v.created_at_us, v.variation_id))

    def add_phrase(self, variation_id: str, phrase: Phrase) -> Variation:
        """Stream one phrase in (CREATED -> STREAMING on the first)."""
        v = self.get(variation_id)
        if v.state is S.CREATED:
            self._move(v, S.STREAMING, "add a phrase")
        if v.state is not S.STREAMING:
            raise VariationStateError(variation_id, v.state.value, "add a phrase", "streaming")
        if any(p.phrase_id == phrase.phrase_id for p in v.phrases):
            raise VariationStateError(variation_id, v.state.value, "add a duplicate phrase id", "")
        v.phrases.append(phrase)
        v.updated_at_us = self._clock()
        return v

    def finish(self, variation_id: str) -> Variation:
        """All phrases are in: -> READY (through STREAMING if no phrase came)."""
        v = self.get(variation_id)
        if v.state is S.CREATED:
            self._move(v, S.STREAMING, "finish")
        self._move(v, S.READY, "finish")
        return v

    def fail(self, variation_id: str, message: str) -> Variation:
        """Generation failed: -> FAILED with a message."""
        v = self.get(variation_id)
        self._move(v, S.FAILED, "fail")
        v.error_message = message
        return v

    def discard(self, variation_id: str) -> None:
        """Discard (idempotent: unknown, discarded, failed or expired ids are a no-op).

        Raises :class:`VariationStateError` for a committed variation.
        """
        v = self._items.get(variation_id)
        if v is None or v.state in (S.DISCARDED, S.FAILED, S.EXPIRED):
            return
        self._move(v, S.DISCARDED, "discard")

    def mark_committed(self, variation_id: str, commit_id: str) -> Variation:
        """READY -> COMMITTED, remembering the commit."""
        v = self.get(variation_id)
        self._move(v, S.COMMITTED, "commit")
        v.commit_id = commit_id
        return v

    def expire(self, now_us: int | None = None) -> list[str]:
        """Expire unfinished variations idle for longer than the TTL; return their ids."""
        now = self._clock() if now_us is None else now_us
        out = []
        for v in self.all():
            if v.state not in TERMINAL and now - v.updated_at_us > self.ttl_us:
                self._move(v, S.EXPIRED, "expire")
                out.append(v.variation_id)
        return out

    def _move(self, v: Variation, new: VariationState, operation: str) -> None:
        if new not in TRANSITIONS[v.state]:
            allowed = " or ".join(s.value for s in S if new in TRANSITIONS[s]) or "nothing"
            raise VariationStateError(v.variation_id, v.state.value, operation, allowed)
        v.state = new
        v.updated_at_us = self._clock()


def _snap(note: Mapping[str, float | int]) -> dict[str, JSONValue]:
    return {
        "pitch": int(note["pitch"]),
        "velocity": int(note["velocity"]),
        "startBeat": float(note["startBeat"]),
        "duration": float(note["durationBeats"]),
        "channel": int(note["channel"]),
    }


def _events(arr: ColumnarArray) -> list[JSONValue]:
    out: list[JSONValue] = []
    for i in range(len(arr)):
        row: dict[str, JSONValue] = {}
        for spec in arr.COLUMNS:
            v = arr.column(spec.name)[i]
            row[spec.name] = float(v) if arr.column(spec.name).dtype.kind == "f" else int(v)
        out.append(row)
    return out
