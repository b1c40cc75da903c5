"""One-piece kernels of the time-based metrics (no candidate index, fewer numpy calls).

The same rules as :mod:`storpheus.scoring._kernels`, specialised for a
single score so a notebook call costs microseconds; the batched kernels
serve the scorer. Tests hold both to MusPy's values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from storpheus.backends.base import Candidate
from storpheus.midi_types import DRUM_CHANNEL
from storpheus.notes import NoteArray
from storpheus.score import DEFAULT_TICKS_PER_QUARTER, Score, Track

I64 = npt.NDArray[np.int64]
B1 = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Ticks:
    """Every note of one piece in ticks: onset, offset, pitch, drum flag."""

    start: I64
    end: I64
    pitch: I64
    drum: B1
    resolution: int
    beats_per_bar: float
    has_tracks: bool
    compound: bool = False

    @property
    def length(self) -> int:
        """Latest offset (0 without notes)."""
        return int(self.end.max()) if self.end.size else 0

    @property
    def defined(self) -> bool:
        """MusPy's length test: some event ends after tick 0 (and there are tracks)."""
        return self.has_tracks and self.length >= 1


def ticks_of(music: Score | Track | NoteArray | Candidate, resolution: int | None) -> Ticks:
    """Collect one piece's notes as ticks (``rint(beat * resolution)``)."""
    if isinstance(music, Candidate):
        music = music.notes
    res = resolution or DEFAULT_TICKS_PER_QUARTER
    bar, has_tracks, compound = 4.0, True, False
    if isinstance(music, Score):
        res = resolution or music.ticks_per_quarter
        meter = music.time_signature
        bar, has_tracks = meter.beats_per_bar, bool(music.tracks)
        compound = meter.denominator >= 8 and meter.numerator % 3 == 0
        parts = [(t.notes, t.is_drum) for t in music.tracks if len(t.notes)]
    elif isinstance(music, Track):
        parts = [(music.notes, music.is_drum)] if len(music.notes) else []
    elif isinstance(music, NoteArray):
        parts = [(music, None)] if len(music) else []  # type: ignore[list-item]
    else:
        raise TypeError(
            f"expected a Score, Track, NoteArray or Candidate, got {type(music).__name__}"
        )
    if not parts:
        empty = np.empty(0, dtype=np.int64)
        return Ticks(empty, empty, empty, np.empty(0, dtype=bool), res, bar, has_tracks, compound)
    if len(parts) == 1:
        notes, flag = parts[0]
        start, dur, pitch = notes.start_beat, notes.duration_beats, notes.pitch
        drum = notes.channel == DRUM_CHANNEL if flag is None else np.full(len(notes), flag)
    else:
        start = np.concatenate([n.start_beat for n, _ in parts])
        dur = np.concatenate([n.duration_beats for n, _ in parts])
        pitch = np.concatenate([n.pitch for n, _ in parts])
        drum = np.concatenate([np.full(len(n), f) for n, f in parts])
    return Ticks(
        np.rint(start * res).astype(np.int64),
        np.rint((start + dur) * res).astype(np.int64),
        pitch.astype(np.int64),
        drum,
        res,
        bar,
        has_tracks,
        compound,
    )


def empty_rate(t: Ticks, unit: int) -> float:
    """1 - covered units / (length // unit + 1); NaN for an empty piece."""
    if not t.defined:
        return math.nan
    n_units = t.length // unit + 1
    change = np.bincount(t.start // unit, minlength=n_units + 1) - np.bincount(
        t.end // unit + 1, minlength=n_units + 1
    )
    covered = int(np.count_nonzero(np.cumsum(change[:n_units])))
    return 1 - covered / n_units


def pianoroll(t: Ticks, threshold: int) -> tuple[int, int, int]:
    """Pianoroll cells, active steps and steps with more than ``threshold`` pitches."""
    keep = ~t.drum & (t.end > t.start)
    if not keep.any():
        return 0, 0, 0
    start, end, pitch = t.start[keep], t.end[keep], t.pitch[keep]
    span = int(end.max()) + 1
    bits = span.bit_length()
    if (128 * span) << bits < 1 << 62:
        packed = np.sort(((pitch * span + start) << bits) | end)
        start_g, end = packed >> bits, packed & ((1 << bits) - 1)
    else:  # pragma: no cover - pieces longer than ~2**27 ticks
        order = np.lexsort((end, start, pitch))
        start_g, end = pitch[order] * span + start[order], end[order]
    shift = (start_g // span) * span
    end_g = end + shift
    if not (start_g[1:] < end_g[:-1]).any():  # no same-pitch overlap: nothing to merge
        m_start, m_end = start_g - shift, end
        return _sweep(m_start, m_end, threshold)
    new = np.empty(start_g.size, dtype=bool)
    new[0] = True
    new[1:] = start_g[1:] > np.maximum.accumulate(end_g)[:-1]
    firsts = np.flatnonzero(new)
    m_start = start_g[firsts] - shift[firsts]
    m_end = np.maximum.reduceat(end_g, firsts) - shift[firsts]
    return _sweep(m_start, m_end, threshold)


def _sweep(m_start: I64, m_end: I64, threshold: int) -> tuple[int, int, int]:
    cells = int((m_end - m_start).sum())
    events = np.sort(np.concatenate([m_start << 1, (m_end << 1) | 1]))
    level = np.cumsum(1 - 2 * (events & 1))[:-1]
    step = np.diff(events >> 1)
    return cells, int(step[level > 0].sum()), int(step[level > threshold].sum())


def groove(t: Ticks, measure: int) -> float:
    """1 - mean Hamming distance of neighbouring measures' onset patterns."""
    if not t.has_tracks:
        return math.nan
    n_measures = t.length // measure + 1
    if n_measures < 2:
        return math.nan
    onsets = np.sort(t.start)
    keep = np.empty(onsets.size, dtype=bool)
    keep[:1] = True
    np.not_equal(onsets[1:], onsets[:-1], out=keep[1:])
    onsets = onsets[keep]
    m = onsets // measure
    weight = int(np.count_nonzero(m >= 1) + np.count_nonzero(m <= n_measures - 2))
    target = onsets + measure
    pos = np.minimum(np.searchsorted(onsets, target), onsets.size - 1)
    shared = int(np.count_nonzero(onsets[pos] == target))
    return 1 - (weight - 2 * shared) / (measure * (n_measures - 1))
