"""Segmented numpy kernels behind the MusPy-compatible metrics.

Every kernel takes a :class:`~storpheus.scoring.batch.CandidateBatch` and
returns one value per candidate, computing exactly what MusPy 0.5 computes
(see ``muspy/metrics/metrics.py``) but without a pianoroll or a Python loop
per note:

* the pianoroll metrics (polyphony, polyphony rate) merge each pitch's
  intervals and sweep over their start/end events;
* the empty-beat/measure rates count the union of the integer ranges
  ``[start // unit, end // unit]`` covered by each note;
* groove consistency counts the onset positions shared by neighbouring
  measures instead of building the measure x position matrix.

Counts are integers until the final division, which is the same division
MusPy performs, so results are bit-identical to MusPy's.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from storpheus.scoring.batch import B1, F64, I64, CandidateBatch, segment_sum, sorted_unique

NAN = np.nan


# ------------------------------------------------------------------- pitches
def pitch_counts(batch: CandidateBatch) -> I64:
    """``(size, 128)`` note counts per pitch, drums excluded."""
    keep = ~batch.is_drum
    key = batch.seg[keep] * 128 + batch.pitch[keep]
    counts: I64 = np.bincount(key, minlength=batch.size * 128).reshape(batch.size, 128)
    return counts


def pitch_class_counts(batch: CandidateBatch) -> I64:
    """``(size, 12)`` note counts per pitch class, drums excluded."""
    keep = ~batch.is_drum
    key = batch.seg[keep] * 12 + batch.pitch[keep] % 12
    counts: I64 = np.bincount(key, minlength=batch.size * 12).reshape(batch.size, 12)
    return counts


def pitch_range(counts: I64) -> I64:
    """Highest minus lowest pitch; 0 without pitched notes (MusPy: -127 for drums only)."""
    used = counts > 0
    any_used = used.any(axis=1)
    lowest = np.argmax(used, axis=1)
    highest = 127 - np.argmax(used[:, ::-1], axis=1)
    return np.where(any_used, highest - lowest, 0).astype(np.int64)


def n_used(counts: I64) -> I64:
    """Number of distinct pitches (or pitch classes) used."""
    used: I64 = (counts > 0).sum(axis=1, dtype=np.int64)
    return used


def entropy(counts: I64) -> F64:
    """Shannon entropy (bits) of each row's normalised histogram; NaN for empty rows."""
    total = counts.sum(axis=1)
    rows, cols = np.nonzero(counts)
    prob = counts[rows, cols] / total[rows]
    result = -_sum_by(rows, prob * np.log2(prob), counts.shape[0])
    return np.where(total < 1, NAN, result)


def in_scale_rate(pc_counts: I64, masks: B1) -> F64:
    """Ratio of notes in each scale (``masks``: ``(n_scales, 12)``) -> ``(size, n_scales)``."""
    total = pc_counts.sum(axis=1)
    inside = pc_counts.astype(np.float64) @ masks.T.astype(np.float64)  # BLAS; exact integers
    with np.errstate(divide="ignore", invalid="ignore"):
        rate: F64 = inside / total[:, None]
    return np.where(total[:, None] < 1, NAN, rate)


# -------------------------------------------------------------- tick helpers
def covered_units(batch: CandidateBatch, unit: I64, *, drums: bool = True) -> F64:
    """Distinct ``unit``-long time steps touched by notes, per candidate.

    A note covers steps ``start // unit`` to ``end // unit`` inclusive (MusPy
    counts the step its offset falls in). ``unit`` is per candidate.
    """
    keep = slice(None) if drums else ~batch.is_drum
    seg = batch.seg[keep]
    if seg.size == 0:
        return np.zeros(batch.size, dtype=np.float64)
    per_note = unit[seg]
    n_units = batch.length_ticks // unit + 1
    return union_count(
        seg,
        batch.start_tick[keep] // per_note,
        batch.end_tick[keep] // per_note,
        batch.size,
        n_units=n_units,
    )


DENSE_LIMIT: Final = 1 << 24
"""Most time steps counted with a dense difference array; beyond, intervals are merged."""


def union_count(seg: I64, lo: I64, hi: I64, size: int, *, n_units: I64 | None = None) -> F64:
    """Per candidate, how many integers the inclusive ranges ``[lo, hi]`` cover together.

    Ranges with ``hi < lo`` cover nothing. With ``n_units`` (per candidate,
    every ``lo``/``hi`` of a valid range in ``[0, n_units)``) the ranges are
    counted on a difference array, else merged after sorting.
    """
    if seg.size == 0:
        return np.zeros(size, dtype=np.float64)
    if n_units is not None and int(n_units.sum()) <= DENSE_LIMIT and (n_units >= 1).all():
        valid = hi >= lo
        base = np.zeros(size + 1, dtype=np.int64)
        np.cumsum(n_units, out=base[1:])
        total = int(base[-1])
        offset = base[seg[valid]]
        change = np.bincount(offset + lo[valid], minlength=total + 1) - np.bincount(
            offset + hi[valid] + 1, minlength=total + 1
        )
        active = (np.cumsum(change[:total]) > 0).astype(np.int64)
        return np.add.reduceat(active, base[:-1]).astype(np.float64)
    low = int(min(lo.min(), 0))
    span = int(max(hi.max(), lo.max())) - low + 2
    shift = seg * span - low
    lo_g = lo + shift
    hi_g = hi + shift
    if not _non_decreasing(lo_g):  # canonical note order already sorts it
        order = np.argsort(lo_g, kind="stable")
        seg, lo_g, hi_g = seg[order], lo_g[order], hi_g[order]
    prev = np.empty_like(hi_g)
    prev[0] = -1
    np.maximum.accumulate(hi_g[:-1], out=prev[1:])
    contrib = np.maximum(0, hi_g - np.maximum(lo_g, prev + 1) + 1)
    return _sum_by(seg, contrib, size)


def empty_rate(batch: CandidateBatch, unit: I64) -> F64:
    """1 - covered steps / (length // unit + 1); NaN when the length is 0 or no tracks."""
    length = batch.length_ticks
    n_units = length // unit + 1
    rate: F64 = 1.0 - covered_units(batch, unit) / n_units
    return np.where((length < 1) | ~batch.has_tracks, NAN, rate)


# ----------------------------------------------------------------- pianoroll
def _merged_pitch_intervals(batch: CandidateBatch) -> tuple[I64, I64, I64]:
    """Per (candidate, pitch), the union of ``[start, end)`` as disjoint intervals."""
    keep = ~batch.is_drum & (batch.end_tick > batch.start_tick)
    seg = batch.seg[keep]
    if seg.size == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    start, end = batch.start_tick[keep], batch.end_tick[keep]
    span = int(end.max()) + 1
    start_g = (seg * 128 + batch.pitch[keep]) * span + start
    start_g, end = _sort_pairs(start_g, end)
    group = start_g // span
    seg = group // 128
    shift = group * span
    end_g = end + shift
    if not (start_g[1:] < end_g[:-1]).any():  # no same-pitch overlap: nothing to merge
        return seg, start_g - shift, end
    reach = np.maximum.accumulate(end_g)
    new = np.ones(start_g.shape[0], dtype=bool)
    new[1:] = start_g[1:] > reach[:-1]
    firsts = np.flatnonzero(new)
    merged_start = start_g[firsts] - shift[firsts]
    merged_end = np.maximum.reduceat(end_g, firsts) - shift[firsts]
    return seg[firsts], merged_start, merged_end


def pianoroll_profile(batch: CandidateBatch, threshold: int) -> tuple[F64, F64, F64]:
    """Per candidate: pianoroll cell count, active steps, steps with > ``threshold`` pitches."""
    seg, start, end = _merged_pitch_intervals(batch)
    if seg.size == 0:
        zeros = np.zeros(batch.size, dtype=np.float64)
        return zeros, zeros.copy(), zeros.copy()
    cells = _sum_by(seg, end - start, batch.size)
    span = int(end.max()) + 1
    # One sort of packed events: (candidate, time) << 1 | is_end. At equal times
    # the order does not matter: only the level after the last event is used.
    # Between candidates the level is 0, so those gaps count nowhere.
    base = seg * span
    events = np.sort(np.concatenate([(base + start) << 1, ((base + end) << 1) | 1]))
    keys = events >> 1
    level = np.cumsum(1 - 2 * (events & 1))[:-1]
    on = level > 0
    step = np.diff(keys)[on]
    owner = keys[:-1][on] // span
    active = _sum_by(owner, step, batch.size)
    dense_rows = level[on] > threshold
    dense = _sum_by(owner[dense_rows], step[dense_rows], batch.size)
    return cells, active, dense


def polyphony(batch: CandidateBatch) -> F64:
    """Mean number of pitches on over the steps where at least one is on; NaN if none."""
    cells, active, _ = pianoroll_profile(batch, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        value: F64 = cells / active
    return np.where(active < 1, NAN, value)


def polyphony_rate(batch: CandidateBatch, threshold: int) -> F64:
    """Ratio of steps with more than ``threshold`` pitches on; NaN if the length is 0."""
    _, _, dense = pianoroll_profile(batch, threshold)
    length = batch.length_ticks
    with np.errstate(divide="ignore", invalid="ignore"):
        value: F64 = dense / length
    return np.where((length < 1) | ~batch.has_tracks, NAN, value)


# -------------------------------------------------------------------- rhythm
def groove_consistency(batch: CandidateBatch, measure: I64) -> F64:
    """1 - mean Hamming distance of neighbouring measures' onset patterns; NaN if < 2 measures."""
    length = batch.length_ticks
    n_measures = length // measure + 1
    result = np.full(batch.size, NAN)
    ok = (n_measures >= 2) & batch.has_tracks
    if not ok.any():
        return result
    seg, onset = batch.seg, batch.start_tick
    span = int(length.max()) + int(measure.max()) + 1
    unique = sorted_unique(seg * span + onset)
    useg = unique // span
    uonset = unique - useg * span
    umeasure = measure[useg]
    m = uonset // umeasure
    last = n_measures[useg] - 1
    weight = (m >= 1).astype(np.int64) + (m <= last - 1)
    # Both runs are sorted: a stable sort merges them; an equal neighbour is a
    # position with an onset in a measure and in the next one.
    merged = np.sort(np.concatenate([unique, unique + umeasure]), kind="stable")
    shared = merged[1:][merged[1:] == merged[:-1]] // span
    hamming = _sum_by(useg, weight, batch.size) - 2 * _sum_by(
        shared, np.ones(shared.size), batch.size
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        value = 1.0 - hamming / (measure * (n_measures - 1))
    return np.where(ok, value, NAN)


def drum_pattern_rates(batch: CandidateBatch) -> tuple[F64, F64]:
    """Per candidate, the ratios of drum notes on the duple and on the triple grid.

    NaN without drum notes.
    """
    keep = batch.is_drum
    if not keep.any():
        nan = np.full(batch.size, NAN)
        return nan, nan.copy()
    seg = batch.seg[keep]
    res = batch.resolution[seg]
    pos = batch.start_tick[keep] % res
    on_beat = pos == 0

    def grid(parts: int) -> B1:
        step = res // parts
        hit: B1 = (res % parts == 0) & (step > 0) & (pos % np.maximum(step, 1) == 0)
        return hit

    duple = on_beat | grid(4) | grid(2)
    triple = on_beat | grid(3)
    total = _sum_by(seg, np.ones(seg.size), batch.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = (_sum_by(seg, duple, batch.size) / total, _sum_by(seg, triple, batch.size) / total)
    empty = total < 1
    return np.where(empty, NAN, rates[0]), np.where(empty, NAN, rates[1])


def drum_in_pattern_rate(batch: CandidateBatch, meter: str) -> F64:
    """Ratio of drum notes on the duple or triple grid; NaN without drum notes."""
    duple, triple = drum_pattern_rates(batch)
    return duple if meter == "duple" else triple


def _non_decreasing(values: I64) -> bool:
    return bool((values[1:] >= values[:-1]).all())


def _sort_pairs(major: I64, minor: I64) -> tuple[I64, I64]:
    """Sort pairs by ``major`` (then ``minor``); both non-negative.

    Packs each pair into one ``int64`` when it fits (a plain sort is several
    times faster than an argsort and two gathers), else falls back to argsort.
    """
    bits = max(1, int(minor.max()).bit_length())
    if int(major.max()) < (1 << (62 - bits)):
        packed = np.sort((major << bits) | minor)
        return packed >> bits, packed & ((1 << bits) - 1)
    order = np.lexsort((minor, major))
    return major[order], minor[order]


def _sum_by(seg: I64, weights: npt.ArrayLike, size: int) -> F64:
    """Per-candidate sums of ``weights`` (exact for integer weights below 2**53)."""
    return np.bincount(seg, weights=np.asarray(weights, dtype=np.float64), minlength=size).astype(
        np.float64, copy=False
    )


def note_density(batch: CandidateBatch) -> F64:
    """Notes per candidate as floats (helper for dimensions)."""
    return segment_sum(np.ones(batch.n_notes), batch)


def as_int_array(values: npt.ArrayLike, size: int) -> I64:
    """Broadcast a scalar or per-candidate value to an ``int64`` array of ``size``."""
    return np.broadcast_to(np.asarray(values, dtype=np.int64), (size,)).copy()
