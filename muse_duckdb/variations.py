"""Variations: the staging protocol (propose, stream phrases, review, commit).

A :class:`Variation` is a reviewed content change set proposed against a
base commit (HEAD when it was proposed). It holds :class:`Phrase` values -
the note changes (added / removed / modified) and controller changes of one
region within a beat span - and moves through the state machine

``CREATED -> STREAMING -> READY -> COMMITTED | DISCARDED | FAILED | EXPIRED``

(:data:`TRANSITIONS`). Committing (:meth:`muse_duckdb.Repository.commit_variation`)
accepts all phrases or some (``accepted_phrase_ids``, partial acceptance),
checks optimistic concurrency (base != HEAD raises
:class:`~muse_duckdb.errors.StaleBaseError`) and records the commit with the
variation id, accepted phrase ids and a summary of every phrase. Discard is
idempotent. Variations live in memory (:class:`VariationStore`): only
accepted work becomes history.

Structural differences in a proposal (new tracks, tempo, region moves) are
kept as the variation's :class:`~muse_duckdb.changes.ChangeSet`; they apply
on commit without review, whatever phrases are accepted.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final, TypeVar

import numpy as np
import numpy.typing as npt

from muse_duckdb.changes import (
    Change,
    ChangeSet,
    CreateRegion,
    CreateTrack,
    DeleteRegion,
    DeleteTrack,
    MoveRegion,
    RenameTrack,
    ReorderTracks,
    ResizeRegion,
    SetKey,
    SetMixer,
    SetProgram,
    SetTempo,
    SetTimeSignature,
    UpdateTrack,
)
from muse_duckdb.commit import JSONValue
from muse_duckdb.diff import EventChanges, RegionDiff, diff_states
from muse_duckdb.errors import (
    PhraseNotFoundError,
    ProjectStateError,
    VariationNotFoundError,
    VariationStateError,
)
from muse_duckdb.ids import TPQ, beats_to_ticks
from muse_duckdb.ledger import PhraseSummary
from muse_duckdb.matching import pair_equal
from muse_duckdb.project import ProjectState, RegionState
from storpheus.columnar import ColumnarArray
from storpheus.events import AftertouchArray, ControlChangeArray, PitchBendArray
from storpheus.notes import NoteArray

C = TypeVar("C", bound=ColumnarArray)

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
        """The camelCase ``PhrasePayload`` of the reference (noteChanges with before/after)."""
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
        """Camelcase status and phrases (the reference's ``GetVariationResponse`` shape)."""
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


# --------------------------------------------------------------- proposing
def variation_from_states(
    store: VariationStore,
    base: ProjectState,
    target: ProjectState,
    intent: str,
    base_commit_id: str | None,
    explanation: str | None = None,
    phrase_bars: int | None = None,
) -> Variation:
    """A READY variation turning ``base`` into ``target`` (phrases per region / bar window)."""
    diff = diff_states(base, target)
    v = store.create(
        base_commit_id,
        intent,
        explanation=explanation,
        changeset=structural_changes(base, target, diff.regions),
    )
    span = None if phrase_bars is None else phrase_bars * target.time_signature.beats_per_bar
    for region_diff in diff.regions:
        for phrase in _phrases(region_diff, span, v.variation_id):
            store.add_phrase(v.variation_id, phrase)
    return store.finish(v.variation_id)


def structural_changes(
    base: ProjectState, target: ProjectState, regions: Sequence[RegionDiff]
) -> ChangeSet:
    """The structural / global / mix part of turning ``base`` into ``target``."""
    out: list[Change] = []
    if base.bpm != target.bpm:
        out.append(SetTempo(target.bpm))
    if base.key != target.key:
        out.append(SetKey(target.key))
    if base.time_signature != target.time_signature:
        ts = target.time_signature
        out.append(SetTimeSignature(ts.numerator, ts.denominator))
    old = {t.track_id: t for t in base.tracks}
    new = {t.track_id: t for t in target.tracks}
    out.extend(DeleteTrack(t) for t in base.track_ids if t not in new)
    for position, tid in enumerate(target.track_ids):
        t = new[tid]
        if tid not in old:
            out.append(CreateTrack(t, position))
            continue
        o = old[tid]
        if o.name != t.name:
            out.append(RenameTrack(tid, t.name))
        if o.program != t.program:
            out.append(SetProgram(tid, t.program))
        if (o.role, o.is_drum, o.channel) != (t.role, t.is_drum, t.channel):
            out.append(UpdateTrack(tid, t.role, t.is_drum, t.channel))
        if o.mixer != t.mixer:
            m = t.mixer
            out.append(SetMixer(tid, m.volume, m.pan, m.mute, m.solo))
    kept_old = [t for t in base.track_ids if t in new]
    kept_new = [t for t in target.track_ids if t in old]
    if kept_old != kept_new:
        out.append(ReorderTracks(target.track_ids))
    for rd in regions:
        if rd.status == "added":
            r = rd.region_state
            out.append(
                CreateRegion(r.region_id, r.track_id, r.start_beat, r.duration_beats, r.name)
            )
        elif rd.status == "removed":
            out.append(DeleteRegion(rd.region_id))
        elif rd.placement and rd.after is not None and rd.before is not None:
            a, b = rd.after, rd.before
            if (a.start_beat, a.track_id) != (b.start_beat, b.track_id):
                out.append(MoveRegion(rd.region_id, a.start_beat, a.track_id))
            if (a.duration_beats, a.name) != (b.duration_beats, b.name):
                out.append(ResizeRegion(rd.region_id, a.duration_beats, a.name))
    return ChangeSet(tuple(out))


def _phrases(rd: RegionDiff, span: float | None, variation_id: str) -> list[Phrase]:
    if rd.status == "removed":
        return []  # removing a region is structural (region.delete)
    region = rd.region_state
    notes = rd.notes
    if not (rd.notes.n_changed + rd.cc.n_changed + rd.bends.n_changed + rd.aftertouch.n_changed):
        return []
    start = region.start_tick
    windows = [(region.start_beat, region.end_beat)]
    if span is not None:
        first = int(region.start_beat // span)
        last = int(max(region.end_beat - 1e-9, region.start_beat) // span)
        windows = [(i * span, (i + 1) * span) for i in range(first, last + 1)]

    def pick(arr: ColumnarArray, lo: float, hi: float) -> npt.NDArray[np.bool_]:
        t = (beats_to_ticks(arr.column(arr.TIME_COLUMN)) + start) / TPQ
        if len(windows) == 1:
            return np.ones(len(arr), dtype=bool)
        if (lo, hi) == windows[-1]:
            return np.asarray(t >= lo)  # the last window also takes anything after it
        if (lo, hi) == windows[0]:
            return np.asarray(t < hi)
        return np.asarray((t >= lo) & (t < hi))

    out = []
    for n, (lo, hi) in enumerate(windows):
        mod = pick(notes.modified_before, lo, hi)
        phrase = Phrase(
            phrase_id=f"{variation_id}:{region.region_id}:{n + 1}",
            track_id=region.track_id,
            region_id=region.region_id,
            start_beat=max(lo, region.start_beat),
            end_beat=min(hi, region.end_beat),
            added=notes.added[pick(notes.added, lo, hi)],
            removed=notes.removed[pick(notes.removed, lo, hi)],
            modified_before=notes.modified_before[mod],
            modified_after=notes.modified_after[mod],
            cc=_window(rd.cc, pick, lo, hi),
            bends=_window(rd.bends, pick, lo, hi),
            aftertouch=_window(rd.aftertouch, pick, lo, hi),
            label=f"{region.name or region.region_id} {max(lo, region.start_beat):g}-"
            f"{min(hi, region.end_beat):g}",
            tags=_tags(notes.modified_before[mod], notes.modified_after[mod]),
            region_start_beat=region.start_beat,
            region_duration_beats=region.duration_beats,
            region_name=region.name,
        )
        if phrase.n_changes:
            out.append(phrase)
    return out


def _window(
    changes: EventChanges,
    pick: Callable[[ColumnarArray, float, float], npt.NDArray[np.bool_]],
    lo: float,
    hi: float,
) -> EventChanges:
    return EventChanges(
        changes.added[pick(changes.added, lo, hi)], changes.removed[pick(changes.removed, lo, hi)]
    )


def _tags(before: NoteArray, after: NoteArray) -> tuple[str, ...]:
    """``pitchChange`` / ``rhythmChange`` / ``velocityChange`` / ``timingChange`` tags."""
    if not len(before):
        return ()
    tags = []
    if (before.pitch != after.pitch).any():
        tags.append("pitchChange")
    if (before.duration_beats != after.duration_beats).any():
        tags.append("rhythmChange")
    if (before.velocity != after.velocity).any():
        tags.append("velocityChange")
    if (before.start_beat != after.start_beat).any():
        tags.append("timingChange")
    return tuple(tags)


# --------------------------------------------------------------- committing
def accepted_phrases(v: Variation, accepted_phrase_ids: Sequence[str] | None) -> list[Phrase]:
    """The phrases to apply; unknown ids raise :class:`PhraseNotFoundError`."""
    if accepted_phrase_ids is None:
        return list(v.phrases)
    wanted = list(dict.fromkeys(accepted_phrase_ids))
    known = {p.phrase_id for p in v.phrases}
    missing = [p for p in wanted if p not in known]
    if missing:
        raise PhraseNotFoundError(v.variation_id, missing)
    return [p for p in v.phrases if p.phrase_id in set(wanted)]


def apply_phrases(state: ProjectState, phrases: Iterable[Phrase]) -> ProjectState:
    """``state`` with the phrases' note and controller changes applied (exact matching)."""
    by_region: dict[str, list[Phrase]] = {}
    for p in phrases:
        by_region.setdefault(p.region_id, []).append(p)
    updated: list[RegionState] = []
    for rid, items in sorted(by_region.items()):
        if not state.has_region(rid):
            first = items[0]
            region = RegionState(
                rid,
                first.track_id,
                first.region_start_beat,
                max(first.region_duration_beats, 1.0 / TPQ),
                first.region_name,
            )
        else:
            region = state.region(rid)
        notes = _apply(
            region.notes,
            NoteArray.concat([p.removed for p in items] + [p.modified_before for p in items]),
            NoteArray.concat([p.added for p in items] + [p.modified_after for p in items]),
            rid,
        )
        cc = _apply(
            region.cc,
            _cat([p.cc.removed for p in items], ControlChangeArray),
            _cat([p.cc.added for p in items], ControlChangeArray),
            rid,
        )
        bends = _apply(
            region.bends,
            _cat([p.bends.removed for p in items], PitchBendArray),
            _cat([p.bends.added for p in items], PitchBendArray),
            rid,
        )
        aftertouch = _apply(
            region.aftertouch,
            _cat([p.aftertouch.removed for p in items], AftertouchArray),
            _cat([p.aftertouch.added for p in items], AftertouchArray),
            rid,
        )
        updated.append(region.with_events(notes, cc, bends, aftertouch))
    return state.with_regions(updated)


def _cat(parts: list[ColumnarArray], kind: type[C]) -> C:
    typed = [p for p in parts if isinstance(p, kind)]
    return kind.concat(typed) if typed else kind.empty()


def _apply(current: C, remove: C, add: C, region_id: str) -> C:
    cols = [_ints(current, s.name) for s in current.COLUMNS]
    rem = [_ints(remove, s.name) for s in remove.COLUMNS]
    ic, ir = pair_equal(cols, rem)
    if len(ir) != len(remove):
        raise ProjectStateError(
            f"region {region_id!r}",
            len(remove) - len(ir),
            "events to remove or modify are not in the region (the base changed)",
        )
    keep = np.ones(len(current), dtype=bool)
    keep[ic] = False
    return type(current).concat([current[keep], add])


def _ints(arr: ColumnarArray, name: str) -> npt.NDArray[np.int64]:
    col = arr.column(name)
    return beats_to_ticks(col) if col.dtype.kind == "f" else col.astype(np.int64)


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
