"""Many candidates' notes in one set of columns, so scoring is one vectorised pass.

A :class:`CandidateBatch` concatenates the notes of ``size`` candidates
(scores, tracks, note arrays or backend candidates) into flat numpy columns
with a ``seg`` column giving each note's candidate index. Kernels reduce
per candidate with ``np.bincount(seg, ...)`` and friends instead of looping
in Python. Vectorised dimensions (see :mod:`storpheus.scoring.dimensions`)
receive a batch.

Drums: a :class:`~storpheus.score.Score` marks drum tracks with
``is_drum``; a bare :class:`~storpheus.notes.NoteArray` (or a candidate's
notes) marks notes on channel 9 as drums.

Ticks: time-based metrics work on integer ticks at a resolution (ticks per
quarter note): ``tick = rint(beat * resolution)`` for onsets and offsets.
The resolution of a score defaults to its ``ticks_per_quarter``, so a score
read from a MIDI file is measured on exactly the file's ticks.

Example
-------
>>> from storpheus.notes import NoteArray
>>> a = NoteArray([60, 64], 90, [0.0, 1.0], 1.0)
>>> b = NoteArray([36], 100, [0.0], 0.25, channel=9)
>>> batch = CandidateBatch.from_items([a, b])
>>> batch.size, batch.seg.tolist(), batch.is_drum.tolist()
(2, [0, 0, 1], [False, False, True])
>>> batch.end_tick.tolist()
[480, 960, 120]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from storpheus.backends.base import Candidate
from storpheus.midi_types import DRUM_CHANNEL
from storpheus.notes import NoteArray
from storpheus.score import DEFAULT_TICKS_PER_QUARTER, Score, Track

Scorable = Score | Track | NoteArray | Candidate
"""What a batch (and every metric and scorer) accepts as one candidate."""

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B1 = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class CandidateBatch:
    """Flat note columns of ``size`` candidates (see the module docstring).

    Attributes
    ----------
    size:
        Number of candidates.
    offsets:
        ``(size + 1,)`` start of each candidate's notes in the columns.
    seg:
        Candidate index of each note (non-decreasing).
    pitch, velocity, channel:
        ``int64`` columns.
    start_beat, duration_beats:
        ``float64`` columns, in beats.
    is_drum:
        Whether each note is a drum hit.
    resolution:
        ``(size,)`` ticks per quarter note used for each candidate's ticks.
    has_tracks:
        ``(size,)`` false for a score with no tracks at all.
    beats_per_bar:
        ``(size,)`` bar length of each candidate (4.0 unless a score says otherwise).
    compound:
        ``(size,)`` true for compound meters (6/8, 9/8, 12/8, 3/8...), whose
        beats divide in three.
    """

    size: int
    offsets: I64
    seg: I64
    pitch: I64
    velocity: I64
    channel: I64
    start_beat: F64
    duration_beats: F64
    is_drum: B1
    resolution: I64
    has_tracks: B1
    beats_per_bar: F64
    compound: B1

    # ---------------------------------------------------------------- build
    @classmethod
    def from_items(
        cls,
        items: Sequence[Scorable],
        *,
        resolution: int | None = None,
    ) -> CandidateBatch:
        """Concatenate candidates; ``resolution`` overrides every source resolution."""
        columns: list[dict[str, npt.NDArray[np.generic]]] = []
        part_lengths: list[int] = []
        part_drum: list[int] = []  # 1 drum track, 0 pitched track, -1 decide by channel
        lengths = np.zeros(len(items), dtype=np.int64)
        res = np.full(len(items), resolution or DEFAULT_TICKS_PER_QUARTER, dtype=np.int64)
        has_tracks = np.ones(len(items), dtype=bool)
        bar = np.full(len(items), 4.0)
        compound = np.zeros(len(items), dtype=bool)
        for i, item in enumerate(items):
            if isinstance(item, Candidate):
                item = item.notes
            if isinstance(item, NoteArray):
                parts: Sequence[tuple[NoteArray, int]] = ((item, -1),)
            elif isinstance(item, Score):
                parts = [(t.notes, int(t.is_drum)) for t in item.tracks]
                has_tracks[i] = bool(item.tracks)
                meter = item.time_signature
                bar[i] = meter.beats_per_bar
                compound[i] = meter.denominator >= 8 and meter.numerator % 3 == 0
                if resolution is None:
                    res[i] = item.ticks_per_quarter
            elif isinstance(item, Track):
                parts = ((item.notes, int(item.is_drum)),)
            else:
                raise TypeError(
                    f"candidate {i} is {type(item).__name__}; expected a Score, Track, "
                    "NoteArray or Candidate"
                )
            for notes, flag in parts:
                cols = notes._columns
                n = cols["pitch"].shape[0]
                if n:
                    lengths[i] += n
                    columns.append(cols)
                    part_lengths.append(n)
                    part_drum.append(flag)
        offsets = np.zeros(len(items) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        channel = _cat_i64([c["channel"] for c in columns])
        flags = np.repeat(np.asarray(part_drum, dtype=np.int8), part_lengths)
        return cls(
            size=len(items),
            offsets=offsets,
            seg=np.repeat(np.arange(len(items), dtype=np.int64), lengths),
            pitch=_cat_i64([c["pitch"] for c in columns]),
            velocity=_cat_i64([c["velocity"] for c in columns]),
            channel=channel,
            start_beat=_cat_f64([c["start_beat"] for c in columns]),
            duration_beats=_cat_f64([c["duration_beats"] for c in columns]),
            is_drum=np.where(flags < 0, channel == DRUM_CHANNEL, flags > 0),
            resolution=res,
            has_tracks=has_tracks,
            beats_per_bar=bar,
            compound=compound,
        )

    # ---------------------------------------------------------- derived
    @property
    def n_notes(self) -> int:
        """Total number of notes in the batch."""
        return int(self.seg.shape[0])

    @cached_property
    def counts(self) -> I64:
        """Number of notes of each candidate."""
        return np.diff(self.offsets)

    @cached_property
    def note_resolution(self) -> I64:
        """The resolution of each note's candidate."""
        return self.resolution[self.seg]

    @cached_property
    def start_tick(self) -> I64:
        """Onsets in ticks."""
        return np.rint(self.start_beat * self.note_resolution).astype(np.int64)

    @cached_property
    def end_tick(self) -> I64:
        """Offsets in ticks (``rint((start + duration) * resolution)``)."""
        end = self.start_beat + self.duration_beats
        return np.rint(end * self.note_resolution).astype(np.int64)

    @cached_property
    def end_beat(self) -> F64:
        """Offsets in beats."""
        return self.start_beat + self.duration_beats

    @cached_property
    def length_ticks(self) -> I64:
        """Each candidate's length in ticks: its latest note offset (drums included)."""
        return segment_max(self.end_tick, self, empty=0)

    @cached_property
    def order(self) -> npt.NDArray[np.intp]:
        """Indices putting notes in canonical order within each candidate.

        Sorted by candidate, onset, pitch, channel, duration, velocity, so
        every order-dependent dimension is independent of the input order.
        Inputs already in that order (as :meth:`NoteArray.sort` leaves them)
        are detected without sorting.
        """
        keys = (
            self.seg,
            self.start_beat,
            self.pitch,
            self.channel,
            self.duration_beats,
            self.velocity,
        )
        if _rows_sorted(keys):
            return np.arange(self.n_notes, dtype=np.intp)
        return np.lexsort(keys[::-1])

    def notes(self, index: int) -> NoteArray:
        """Candidate ``index``'s notes as a :class:`NoteArray` (canonical order)."""
        lo, hi = int(self.offsets[index]), int(self.offsets[index + 1])
        rows = self.order[lo:hi]
        return NoteArray._from_valid(
            {
                "pitch": self.pitch[rows],
                "velocity": self.velocity[rows],
                "channel": self.channel[rows],
                "start_beat": self.start_beat[rows],
                "duration_beats": self.duration_beats[rows],
            }
        )


def _rows_sorted(keys: tuple[I64 | F64, ...]) -> bool:
    """Whether rows are in lexicographic order of ``keys`` (most significant first)."""
    if keys[0].shape[0] < 2:
        return True
    last = keys[-1]
    ok = last[:-1] <= last[1:]
    for key in keys[-2::-1]:
        ok = (key[:-1] < key[1:]) | ((key[:-1] == key[1:]) & ok)
    return bool(ok.all())


def sorted_unique(values: I64) -> I64:
    """Distinct values, ascending (sort-based: much faster than ``np.unique`` here)."""
    if values.size == 0:
        return values
    ordered = np.sort(values)
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def _cat_i64(parts: list[npt.NDArray[np.generic]]) -> I64:
    return np.concatenate(parts, dtype=np.int64) if parts else np.empty(0, dtype=np.int64)


def _cat_f64(parts: list[npt.NDArray[np.generic]]) -> F64:
    if not parts:
        return np.empty(0, dtype=np.float64)
    return np.concatenate(parts).astype(np.float64, copy=False)


def segment_max(values: I64, batch: CandidateBatch, *, empty: int) -> I64:
    """Per-candidate maximum of a note column, ``empty`` for candidates with no notes."""
    out = np.full(batch.size, empty, dtype=np.int64)
    nonempty = batch.counts > 0
    if batch.n_notes:
        out[nonempty] = np.maximum.reduceat(values, batch.offsets[:-1][nonempty])
    return out


def segment_sum(weights: npt.ArrayLike, batch: CandidateBatch) -> F64:
    """Per-candidate sum of a note column (``float64``)."""
    return np.bincount(batch.seg, weights=np.asarray(weights), minlength=batch.size).astype(
        np.float64, copy=False
    )
