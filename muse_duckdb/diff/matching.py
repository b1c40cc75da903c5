"""Vectorised note matching: which note of one version is which note of another.

Notes of many regions are matched at once, as flat columns
(:class:`NoteTable`): one ``region`` code per note plus pitch, channel,
velocity, onset and duration in ticks. :func:`match_notes` pairs the notes
of an old version ``a`` with those of a new version ``b`` in four passes,
each over the notes still unpaired:

1. identical notes (every field equal) - *unchanged*;
2. same region, pitch, channel and onset - *modified* (velocity or length);
3. same region, pitch and channel, onsets at most ``tolerance`` ticks apart,
   nearest first - *modified* (timing);
4. same region, channel, onset and duration - *modified* (pitch).

Equal notes are paired by multiplicity (the k-th copy with the k-th copy).
Whatever stays unpaired was *removed* (in ``a``) or *added* (in ``b``).
Everything is numpy sorting and searching, no Python loop per note.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from muse_duckdb.model.ids import TPQ, beats_to_ticks
from storpheus.notes import NoteArray

DEFAULT_TOLERANCE: Final = TPQ // 16
"""Onsets closer than a 64th note (60 ticks) can be the same note, moved."""

Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class NoteTable:
    """Notes of several regions as flat int64 columns (times in ticks)."""

    region: Ints
    pitch: Ints
    channel: Ints
    velocity: Ints
    start: Ints
    duration: Ints

    @classmethod
    def build(cls, regions: Mapping[int, NoteArray]) -> NoteTable:
        """Flatten ``region code -> notes`` (codes in the caller's order)."""
        codes = list(regions)
        arrays = [regions[c] for c in codes]
        counts = np.array([len(a) for a in arrays], dtype=np.int64)
        joined = NoteArray.concat(arrays) if arrays else NoteArray.empty()
        return cls(
            region=np.repeat(np.array(codes, dtype=np.int64), counts),
            pitch=joined.pitch.astype(np.int64),
            channel=joined.channel.astype(np.int64),
            velocity=joined.velocity.astype(np.int64),
            start=beats_to_ticks(joined.start_beat),
            duration=beats_to_ticks(joined.duration_beats),
        )

    def __len__(self) -> int:
        return int(self.region.shape[0])

    def take(self, index: npt.NDArray[np.intp] | Ints) -> NoteTable:
        """Rows at ``index``."""
        return NoteTable(
            self.region[index],
            self.pitch[index],
            self.channel[index],
            self.velocity[index],
            self.start[index],
            self.duration[index],
        )

    def full_key(self) -> tuple[Ints, ...]:
        """All fields, for exact comparison."""
        return (self.region, self.pitch, self.channel, self.start, self.duration, self.velocity)

    def notes(self, index: npt.NDArray[np.intp] | Ints | None = None) -> NoteArray:
        """Rows as a :class:`NoteArray` (region-relative times)."""
        t = self if index is None else self.take(index)
        return NoteArray(
            pitch=t.pitch,
            velocity=t.velocity,
            start_beat=t.start / TPQ,
            duration_beats=t.duration / TPQ,
            channel=t.channel,
        )


@dataclass(frozen=True)
class Matching:
    """Pairs ``(a_index[i], b_index[i])``; ``exact[i]`` when the two notes are identical."""

    a_index: Ints
    b_index: Ints
    exact: npt.NDArray[np.bool_]

    def unmatched_a(self, n: int) -> Ints:
        """Indices of ``a`` with no partner (removed notes)."""
        mask = np.ones(n, dtype=bool)
        mask[self.a_index] = False
        return np.flatnonzero(mask).astype(np.int64)

    def unmatched_b(self, n: int) -> Ints:
        """Indices of ``b`` with no partner (added notes)."""
        mask = np.ones(n, dtype=bool)
        mask[self.b_index] = False
        return np.flatnonzero(mask).astype(np.int64)

    def partner_of_a(self, n: int) -> Ints:
        """For each note of ``a``, its partner in ``b`` or -1."""
        out = np.full(n, -1, dtype=np.int64)
        out[self.a_index] = self.b_index
        return out


def match_notes(a: NoteTable, b: NoteTable, tolerance: int = DEFAULT_TOLERANCE) -> Matching:
    """Pair the notes of ``a`` with those of ``b`` (see the module docstring)."""
    free_a = np.arange(len(a), dtype=np.int64)
    free_b = np.arange(len(b), dtype=np.int64)
    pairs_a: list[Ints] = []
    pairs_b: list[Ints] = []
    exact: list[npt.NDArray[np.bool_]] = []

    def record(ia: Ints, ib: Ints, is_exact: bool) -> None:
        nonlocal free_a, free_b
        pairs_a.append(free_a[ia])
        pairs_b.append(free_b[ib])
        exact.append(np.full(len(ia), is_exact))
        free_a = np.delete(free_a, ia)
        free_b = np.delete(free_b, ib)

    passes: Sequence[tuple[tuple[str, ...], bool]] = (
        (("region", "pitch", "channel", "start", "duration", "velocity"), True),
        (("region", "pitch", "channel", "start"), False),
    )
    for fields, is_exact in passes:
        if not len(free_a) or not len(free_b):
            break
        ia, ib = pair_equal(_cols(a, free_a, fields), _cols(b, free_b, fields))
        record(ia, ib, is_exact)
    for _ in range(3):
        if not len(free_a) or not len(free_b) or tolerance <= 0:
            break
        ia, ib = _pair_nearest(a.take(free_a), b.take(free_b), tolerance)
        if not len(ia):
            break
        record(ia, ib, False)
    if len(free_a) and len(free_b):
        fields = ("region", "channel", "start", "duration")
        ia, ib = pair_equal(_cols(a, free_a, fields), _cols(b, free_b, fields))
        record(ia, ib, False)
    if not pairs_a:
        empty = np.empty(0, dtype=np.int64)
        return Matching(empty, empty.copy(), np.empty(0, dtype=bool))
    return Matching(np.concatenate(pairs_a), np.concatenate(pairs_b), np.concatenate(exact))


# ------------------------------------------------------------------ helpers
def _cols(t: NoteTable, index: Ints, fields: Sequence[str]) -> list[Ints]:
    return [getattr(t, f)[index] for f in fields]


def group_ids(*columns: Sequence[Ints]) -> list[Ints]:
    """Dense ids of equal rows, consistent across several tables with the same columns.

    ``group_ids(cols_a, cols_b)`` returns one id array per table; two rows
    (in any tables) get the same id exactly when all their columns are equal.
    """
    sizes = [len(cols[0]) if cols else 0 for cols in columns]
    width = len(columns[0])
    joined = [np.concatenate([cols[k] for cols in columns]) for k in range(width)]
    total = sum(sizes)
    if total == 0:
        return [np.empty(0, dtype=np.int64) for _ in columns]
    order = np.lexsort(joined[::-1])
    changed = np.zeros(total, dtype=bool)
    changed[0] = True
    for col in joined:
        s = col[order]
        changed[1:] |= s[1:] != s[:-1]
    ids_sorted = np.cumsum(changed) - 1
    ids = np.empty(total, dtype=np.int64)
    ids[order] = ids_sorted
    out = []
    offset = 0
    for n in sizes:
        out.append(ids[offset : offset + n])
        offset += n
    return out


def occurrence_rank(ids: Ints) -> Ints:
    """For each row, how many earlier rows have the same id (0 for the first)."""
    if not len(ids):
        return np.empty(0, dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    s = ids[order]
    starts = np.flatnonzero(np.concatenate([[True], s[1:] != s[:-1]]))
    run_start = np.repeat(starts, np.diff(np.concatenate([starts, [len(s)]])))
    rank = np.empty(len(ids), dtype=np.int64)
    rank[order] = np.arange(len(s)) - run_start
    return rank


def pair_equal(cols_a: Sequence[Ints], cols_b: Sequence[Ints]) -> tuple[Ints, Ints]:
    """Pair equal rows of two tables by multiplicity; return index arrays into each."""
    if not len(cols_a[0]) or not len(cols_b[0]):
        empty = np.empty(0, dtype=np.int64)
        return empty, empty.copy()
    ga, gb = group_ids(cols_a, cols_b)
    ra, rb = occurrence_rank(ga), occurrence_rank(gb)
    width = int(max(ra.max(), rb.max())) + 1
    ka, kb = ga * width + ra, gb * width + rb
    _, ia, ib = np.intersect1d(ka, kb, assume_unique=True, return_indices=True)
    return ia.astype(np.int64), ib.astype(np.int64)


def _pair_nearest(a: NoteTable, b: NoteTable, tolerance: int) -> tuple[Ints, Ints]:
    """One greedy round: pair rows of the same region/pitch/channel by nearest onset."""
    ga, gb = group_ids(
        [a.region, a.pitch, a.channel],
        [b.region, b.pitch, b.channel],
    )
    lo = int(min(a.start.min(), b.start.min()))
    span = int(max(a.start.max(), b.start.max())) - lo + 2 * tolerance + 1
    xa = ga * span + (a.start - lo)
    xb = gb * span + (b.start - lo)
    order_b = np.argsort(xb, kind="stable")
    sb = xb[order_b]
    pos = np.searchsorted(sb, xa)
    best_b = np.full(len(a), -1, dtype=np.int64)
    best_d = np.full(len(a), np.iinfo(np.int64).max, dtype=np.int64)
    for cand in (pos - 1, pos):
        ok = (cand >= 0) & (cand < len(sb))
        c = np.clip(cand, 0, max(len(sb) - 1, 0))
        d = np.abs(sb[c] - xa)
        better = ok & (d <= tolerance) & (d < best_d)
        best_d = np.where(better, d, best_d)
        best_b = np.where(better, order_b[c], best_b)
    ia = np.flatnonzero(best_b >= 0).astype(np.int64)
    if not len(ia):
        return ia, ia.copy()
    ib = best_b[ia]
    dist = best_d[ia]
    order = np.lexsort((ia, dist))
    ia, ib = ia[order], ib[order]
    _, first = np.unique(ib, return_index=True)
    keep = np.sort(first)
    return ia[keep], ib[keep]
