"""Note-level and event-level three-way merge of region contents.

For every region that both sides changed, :func:`merge_notes` matches the
base notes with ours and with theirs (:func:`~muse_duckdb.diff.matching.match_notes`)
and decides per base note:

==================  ==================  ==========================================
ours                theirs              result
==================  ==================  ==========================================
unchanged           unchanged           the base note
modified            unchanged           ours (and symmetrically)
removed             unchanged           removed (and symmetrically)
removed             removed             removed
modified            modified            the note if both made it identical, else
                                        conflict ``note_modify_modify``
removed             modified            conflict ``note_remove_modify``
==================  ==================  ==========================================

Added notes from both sides are kept; identical additions once. A
``note_add_add`` conflict is raised when one side *adds* a note and the
other side adds, or moves an existing note to, a different note at the same
pitch and channel with an onset within the matching tolerance. Edits to
disjoint existing notes therefore never conflict, whatever they do. All
regions are merged in one vectorised pass.

Controller events (CC, pitch bends, aftertouch) merge as multisets:
removals from either side apply, additions from both sides are kept
(identical ones once), and two different additions at the same slot (same
controller and tick; same tick for bends; same key and tick for aftertouch)
conflict as ``event_add_add``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from muse_duckdb.diff.matching import Ints, NoteTable, group_ids, match_notes, pair_equal
from muse_duckdb.merge.conflicts import Conflict, ConflictKind, Resolver
from muse_duckdb.model.commit import JSONValue
from muse_duckdb.model.ids import TPQ, beats_to_ticks
from storpheus.columnar import ColumnarArray
from storpheus.notes import NoteArray

_SAME, _MOD, _GONE = 0, 1, 2
E = TypeVar("E", bound=ColumnarArray)


@dataclass(frozen=True)
class NoteJob:
    """One region to merge at note level."""

    region_id: str
    track_id: str
    start_tick: int
    base: NoteArray
    ours: NoteArray
    theirs: NoteArray


def merge_notes(
    jobs: Sequence[NoteJob], resolver: Resolver, tolerance: int
) -> dict[str, NoteArray]:
    """Merge the notes of every job in one pass; conflicts go to ``resolver``."""
    if not jobs:
        return {}
    b = NoteTable.build({i: j.base for i, j in enumerate(jobs)})
    o = NoteTable.build({i: j.ours for i, j in enumerate(jobs)})
    t = NoteTable.build({i: j.theirs for i, j in enumerate(jobs)})
    mo, mt = match_notes(b, o, tolerance), match_notes(b, t, tolerance)
    po, pt = mo.partner_of_a(len(b)), mt.partner_of_a(len(b))
    so, st = _states(mo.a_index, mo.exact, po), _states(mt.a_index, mt.exact, pt)
    ctx = _Context(jobs, b, o, t, resolver)

    keep_b = np.flatnonzero((so == _SAME) & (st == _SAME))
    take_o = np.flatnonzero((so == _MOD) & (st == _SAME))
    take_t = np.flatnonzero((so == _SAME) & (st == _MOD))
    both = np.flatnonzero((so == _MOD) & (st == _MOD))
    same = _rows_equal(o, po[both], t, pt[both])
    agreed, clash = both[same], both[~same]
    rm_o = np.flatnonzero((so == _GONE) & (st == _MOD))  # ours removed, theirs modified
    rm_t = np.flatnonzero((so == _MOD) & (st == _GONE))

    picks: list[tuple[NoteTable, Ints]] = [(b, keep_b), (o, po[agreed])]
    for i in clash.tolist():
        ctx.note_conflict("note_modify_modify", i, po[i], pt[i])
    for i in rm_o.tolist():
        ctx.note_conflict("note_remove_modify", i, -1, pt[i])
    for i in rm_t.tolist():
        ctx.note_conflict("note_remove_modify", i, po[i], -1)
    if resolver.strategy == "theirs":
        picks += [(t, pt[clash]), (t, pt[rm_o])]
    else:
        picks += [(o, po[clash]), (o, po[rm_t])]

    # Additions, identical ones once.
    add_o, add_t = mo.unmatched_b(len(o)), mt.unmatched_b(len(t))
    ia, ib = pair_equal(_key(o, add_o), _key(t, add_t))
    picks.append((o, add_o[ia]))
    add_o, add_t = np.delete(add_o, ia), np.delete(add_t, ib)

    # Collisions between the notes each side placed (added, or moved by a modification).
    mask_o = _moved(b, take_o, o, po[take_o])
    mask_t = _moved(b, take_t, t, pt[take_t])
    moved_o, moved_t = take_o[mask_o], take_t[mask_t]
    picks += [(o, po[take_o[~mask_o]]), (t, pt[take_t[~mask_t]])]
    x_rows = np.concatenate([add_o, po[moved_o]])
    x_base = np.concatenate([np.full(len(add_o), -1), moved_o])
    y_rows = np.concatenate([add_t, pt[moved_t]])
    y_base = np.concatenate([np.full(len(add_t), -1), moved_t])
    xs, ys = _collisions(o, x_rows, t, y_rows, tolerance)
    involves_addition = (x_base[xs] < 0) | (y_base[ys] < 0)
    xs, ys = xs[involves_addition], ys[involves_addition]  # two edited notes never collide
    identical = _rows_equal(o, x_rows[xs], t, y_rows[ys])
    drop_x = np.zeros(len(x_rows), dtype=bool)
    drop_y = np.zeros(len(y_rows), dtype=bool)
    drop_x[xs[identical & (x_base[xs] < 0)]] = True  # the same note twice: keep one
    for xi, yi in zip(xs[~identical].tolist(), ys[~identical].tolist(), strict=True):
        base_i = int(x_base[xi]) if x_base[xi] >= 0 else int(y_base[yi])
        ctx.note_conflict("note_add_add", base_i, int(x_rows[xi]), int(y_rows[yi]))
        if resolver.strategy == "theirs":
            drop_x[xi] = True
        else:
            drop_y[yi] = True
    _place(picks, o, x_rows, x_base, drop_x, b)
    _place(picks, t, y_rows, y_base, drop_y, b)
    return _collect(jobs, picks)


def merge_events(
    base: E,
    ours: E,
    theirs: E,
    slot: Sequence[str],
    where: tuple[str, str, int],
    resolver: Resolver,
) -> E:
    """Three-way multiset merge of one region's controller events of one kind."""
    kind = type(base)
    cb, co, ct = _event_cols(base), _event_cols(ours), _event_cols(theirs)
    kb_o, ko = pair_equal(cb, co)
    kb_t, kt = pair_equal(cb, ct)
    kept = np.intersect1d(kb_o, kb_t)
    add_o = np.setdiff1d(np.arange(len(ours)), ko)
    add_t = np.setdiff1d(np.arange(len(theirs)), kt)
    _, ib = pair_equal([c[add_o] for c in co], [c[add_t] for c in ct])
    add_t = np.delete(add_t, ib)
    names = [s.name for s in base.COLUMNS]
    slot_idx = [names.index(s) for s in slot]
    xs, ys = pair_equal([co[k][add_o] for k in slot_idx], [ct[k][add_t] for k in slot_idx])
    region_id, track_id, start_tick = where
    lose_o = np.zeros(len(add_o), dtype=bool)
    lose_t = np.zeros(len(add_t), dtype=bool)
    for xi, yi in zip(xs.tolist(), ys.tolist(), strict=True):
        tick = int(co[names.index(base.TIME_COLUMN)][add_o[xi]])
        resolver.add(
            Conflict(
                kind="event_add_add",
                path=f"regions.{region_id}.{kind.__name__}",
                ours=_event_dict(ours, int(add_o[xi])),
                theirs=_event_dict(theirs, int(add_t[yi])),
                region_id=region_id,
                track_id=track_id,
                beat=(start_tick + tick) / TPQ,
            )
        )
        if resolver.strategy == "theirs":
            lose_o[xi] = True
        else:
            lose_t[yi] = True
    return kind.concat([base[kept], ours[add_o[~lose_o]], theirs[add_t[~lose_t]]])


# ------------------------------------------------------------------ helpers
class _Context:
    def __init__(
        self, jobs: Sequence[NoteJob], b: NoteTable, o: NoteTable, t: NoteTable, r: Resolver
    ) -> None:
        self.jobs, self.b, self.o, self.t, self.resolver = jobs, b, o, t, r

    def note_conflict(self, kind: ConflictKind, base_i: int, ours_i: int, theirs_i: int) -> None:
        if base_i >= 0:
            code = int(self.b.region[base_i])
        elif ours_i >= 0:
            code = int(self.o.region[ours_i])
        else:
            code = int(self.t.region[theirs_i])
        job = self.jobs[code]
        ref = self.b if base_i >= 0 else (self.o if ours_i >= 0 else self.t)
        ref_i = base_i if base_i >= 0 else (ours_i if ours_i >= 0 else theirs_i)
        self.resolver.add(
            Conflict(
                kind=kind,
                path=f"regions.{job.region_id}",
                base=_note_dict(self.b, base_i),
                ours=_note_dict(self.o, ours_i),
                theirs=_note_dict(self.t, theirs_i),
                region_id=job.region_id,
                track_id=job.track_id,
                pitch=int(ref.pitch[ref_i]),
                beat=(job.start_tick + int(ref.start[ref_i])) / TPQ,
            )
        )


def _states(a_index: Ints, exact: npt.NDArray[np.bool_], partner: Ints) -> Ints:
    state = np.full(len(partner), _GONE, dtype=np.int64)
    state[a_index] = np.where(exact, _SAME, _MOD)
    return state


def _key(t: NoteTable, rows: Ints) -> list[Ints]:
    return [c[rows] for c in t.full_key()]


def _rows_equal(x: NoteTable, xi: Ints, y: NoteTable, yi: Ints) -> npt.NDArray[np.bool_]:
    same = np.ones(len(xi), dtype=bool)
    for cx, cy in zip(x.full_key(), y.full_key(), strict=True):
        same &= cx[xi] == cy[yi]
    return same


def _moved(b: NoteTable, bi: Ints, s: NoteTable, si: Ints) -> npt.NDArray[np.bool_]:
    moved: npt.NDArray[np.bool_] = (b.start[bi] != s.start[si]) | (b.pitch[bi] != s.pitch[si])
    return moved


def _collisions(
    x: NoteTable, xr: Ints, y: NoteTable, yr: Ints, tolerance: int
) -> tuple[Ints, Ints]:
    """All pairs (i, j) with x[xr[i]] and y[yr[j]] on the same key and onsets within tolerance."""
    empty = np.empty(0, dtype=np.int64)
    if not len(xr) or not len(yr):
        return empty, empty.copy()
    gx, gy = group_ids(
        [x.region[xr], x.pitch[xr], x.channel[xr]], [y.region[yr], y.pitch[yr], y.channel[yr]]
    )
    lo = int(min(x.start[xr].min(), y.start[yr].min()))
    span = int(max(x.start[xr].max(), y.start[yr].max())) - lo + 2 * tolerance + 1
    cx = gx * span + (x.start[xr] - lo)
    cy = gy * span + (y.start[yr] - lo)
    order = np.argsort(cy, kind="stable")
    sy = cy[order]
    left = np.searchsorted(sy, cx - tolerance, side="left")
    right = np.searchsorted(sy, cx + tolerance, side="right")
    counts = right - left
    total = int(counts.sum())
    if not total:
        return empty, empty.copy()
    xs = np.repeat(np.arange(len(xr), dtype=np.int64), counts)
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    ys = order[np.repeat(left, counts) + offsets].astype(np.int64)
    return xs, ys


def _place(
    picks: list[tuple[NoteTable, Ints]],
    side: NoteTable,
    rows: Ints,
    base_rows: Ints,
    drop: npt.NDArray[np.bool_],
    b: NoteTable,
) -> None:
    picks.append((side, rows[~drop]))
    picks.append((b, base_rows[drop & (base_rows >= 0)]))  # a losing move reverts to base


def _collect(jobs: Sequence[NoteJob], picks: list[tuple[NoteTable, Ints]]) -> dict[str, NoteArray]:
    parts = [table.take(rows) for table, rows in picks if len(rows)]
    out: dict[str, NoteArray] = {}
    if not parts:
        return {j.region_id: NoteArray.empty() for j in jobs}
    region = np.concatenate([p.region for p in parts])
    merged = NoteTable(
        region,
        np.concatenate([p.pitch for p in parts]),
        np.concatenate([p.channel for p in parts]),
        np.concatenate([p.velocity for p in parts]),
        np.concatenate([p.start for p in parts]),
        np.concatenate([p.duration for p in parts]),
    )
    for code, job in enumerate(jobs):
        rows = np.flatnonzero(region == code)
        out[job.region_id] = merged.notes(rows).sort() if len(rows) else NoteArray.empty()
    return out


def _note_dict(t: NoteTable, i: int) -> JSONValue:
    if i < 0:
        return None
    return {
        "pitch": int(t.pitch[i]),
        "velocity": int(t.velocity[i]),
        "channel": int(t.channel[i]),
        "startBeat": int(t.start[i]) / TPQ,
        "durationBeats": int(t.duration[i]) / TPQ,
    }


def _event_cols(events: ColumnarArray) -> list[Ints]:
    out = []
    for spec in events.COLUMNS:
        col = events.column(spec.name)
        out.append(beats_to_ticks(col) if col.dtype.kind == "f" else col.astype(np.int64))
    return out


def _event_dict(events: ColumnarArray, i: int) -> JSONValue:
    out: dict[str, JSONValue] = {}
    for spec in events.COLUMNS:
        value = events.column(spec.name)[i]
        out[spec.name] = float(value) if events.column(spec.name).dtype.kind == "f" else int(value)
    return out
