"""Turning state differences into phrases, and phrases back into states.

:func:`variation_from_states` stages the difference between HEAD and a
proposed state as a READY variation: note and controller changes cut into
phrases per region (or per bar window), structural differences kept as a
change set. :func:`apply_phrases` applies accepted phrases to a state with
exact matching (see :mod:`muse_duckdb.variations`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from muse_duckdb.diff.matching import pair_equal
from muse_duckdb.diff.states import EventChanges, RegionDiff, diff_states
from muse_duckdb.errors import (
    PhraseNotFoundError,
    ProjectStateError,
)
from muse_duckdb.model.ids import TPQ, beats_to_ticks
from muse_duckdb.project import ProjectState, RegionState
from muse_duckdb.variations.changes import (
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
from muse_duckdb.variations.model import Phrase, Variation, VariationStore
from storpheus.columnar import ColumnarArray
from storpheus.events import AftertouchArray, ControlChangeArray, PitchBendArray
from storpheus.notes import NoteArray

C = TypeVar("C", bound=ColumnarArray)


# --------------------------------------------------------------- proposing
def variation_from_states(
    store: VariationStore,
    base: ProjectState,
    target: ProjectState,
    intent: str,
    base_commit_id: str | None,
    explanation: str | None = None,
    phrase_bars: int | None = None,
    variation_id: str | None = None,
) -> Variation:
    """A READY variation turning ``base`` into ``target`` (phrases per region / bar window).

    Phrase ids derive from the variation id, so the same id, states and
    phrase size give the same phrases (saved variations are rebuilt so).
    """
    diff = diff_states(base, target)
    v = store.create(
        base_commit_id,
        intent,
        explanation=explanation,
        variation_id=variation_id,
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
