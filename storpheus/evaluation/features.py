"""The per-piece features of set-level evaluation, computed for a whole set at once.

The features are those of Yang & Lerch's evaluation of generative music
models, measured on pitched notes (drum notes are left out). Sequences
(transitions, pitch shifts) follow each voice — the notes of one channel, in
onset order (ties broken by pitch, duration, velocity) — so a four-part
chorale is four melodic lines rather than one zig-zag through its chords;
nothing depends on the order the notes or the pieces arrive in:

=========================  =========  ==============================================
feature                    shape      definition
=========================  =========  ==============================================
``pitch_count``            1          distinct pitches in the piece
``pitch_count_per_bar``    bars       distinct pitches in each bar
``note_count``             1          notes in the piece
``note_count_per_bar``     bars       notes starting in each bar
``pitch_class_histogram``  12         share of notes per pitch class (sums to 1)
``pitch_class_histogram_`` bars x 12  the same per bar (a silent bar stays 0)
``per_bar``
``pitch_class_transition`` 12 x 12    pitch-class pairs of consecutive notes of a
``_matrix``                           voice, as a share of all pairs
``pitch_range``            1          highest minus lowest pitch
``average_pitch_shift``    1          mean absolute interval between consecutive notes
                                      of a voice
``average_ioi``            1          mean interval in beats between the piece's
                                      successive distinct onsets
``note_length_histogram``  12         share of notes per length class (nearest of
                                      whole, half, quarter, 8th, 16th, their dotted
                                      forms, and half, quarter, 8th triplets)
``note_length_transition`` 12 x 12    length-class pairs of consecutive notes of a
``_matrix``                           voice, as a share of all pairs
=========================  =========  ==============================================

Bars are counted from beat 0 in the piece's own bar length; the per-bar
features keep the first ``bars`` bars (missing bars are zero). Features of a
piece without pitched notes are 0 (one note: no pairs, no interval, no IOI).

Example
-------
>>> from storpheus.notes import NoteArray
>>> feats = extract_features([NoteArray([60, 64, 67, 60], 80, [0, 1, 2, 3], 1.0)], bars=1)
>>> feats["pitch_count"].tolist(), feats["pitch_range"].tolist()
([[3.0]], [[7.0]])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from storpheus.scoring.batch import CandidateBatch, Scorable, sorted_unique

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

NOTE_LENGTHS: Final = (4.0, 2.0, 1.0, 0.5, 0.25, 3.0, 1.5, 0.75, 0.375, 4 / 3, 2 / 3, 1 / 3)
"""Length classes in beats: whole ... 16th, dotted whole-less forms, triplets."""

DEFAULT_BARS: Final = 8
"""Bars the per-bar features keep unless told otherwise."""


@dataclass(frozen=True)
class Feature:
    """One feature: its name, whether it is per bar, its shape per bar or piece."""

    name: str
    shape: tuple[int, ...]
    per_bar: bool
    description: str


FEATURES: Final = (
    Feature("pitch_count", (1,), False, "distinct pitches"),
    Feature("pitch_count_per_bar", (1,), True, "distinct pitches per bar"),
    Feature("note_count", (1,), False, "notes"),
    Feature("note_count_per_bar", (1,), True, "notes per bar"),
    Feature("pitch_class_histogram", (12,), False, "share of notes per pitch class"),
    Feature("pitch_class_histogram_per_bar", (12,), True, "pitch-class shares per bar"),
    Feature("pitch_class_transition_matrix", (12, 12), False, "pitch-class pairs"),
    Feature("pitch_range", (1,), False, "highest minus lowest pitch"),
    Feature("average_pitch_shift", (1,), False, "mean absolute interval"),
    Feature("average_ioi", (1,), False, "mean inter-onset interval (beats)"),
    Feature("note_length_histogram", (12,), False, "share of notes per length class"),
    Feature("note_length_transition_matrix", (12, 12), False, "length-class pairs"),
)
"""Every feature, in the order results list them."""

FEATURE_NAMES: Final = tuple(f.name for f in FEATURES)

PieceSet = Sequence[Scorable] | CandidateBatch
"""A set of pieces: scores, tracks, note arrays, candidates, or a batch of them."""


def as_batch(pieces: PieceSet) -> CandidateBatch:
    """The pieces as one columnar batch (a batch is used as it is)."""
    if isinstance(pieces, CandidateBatch):
        return pieces
    return CandidateBatch.from_items(list(pieces))


def length_classes(duration_beats: F64) -> I64:
    """Index in :data:`NOTE_LENGTHS` of the nearest length class (first on a tie)."""
    lengths = np.asarray(NOTE_LENGTHS)
    distance = np.abs(duration_beats[:, None] - lengths[None, :])
    out: I64 = np.argmin(distance, axis=1).astype(np.int64)
    return out


def _normalise_rows(counts: F64) -> F64:
    total = counts.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        out: F64 = np.where(total > 0, counts / np.where(total > 0, total, 1.0), 0.0)
    return out


def _distinct_onsets(seg: I64, start: F64) -> tuple[I64, F64]:
    order = np.lexsort((start, seg))
    s, t = seg[order], start[order]
    new = np.ones(s.size, dtype=bool)
    new[1:] = (s[1:] != s[:-1]) | (t[1:] != t[:-1])
    return s[new], t[new]


def extract_features(pieces: PieceSet, *, bars: int = DEFAULT_BARS) -> dict[str, F64]:
    """Every feature of every piece: name -> array ``(pieces, values)``.

    Matrices and per-bar features are flattened row by row (a 12 x 12
    matrix gives 144 values, a per-bar histogram ``bars * 12``), so the
    distance between two pieces is the Euclidean norm of the difference of
    their rows.
    """
    if bars < 1:
        raise ValueError(f"bars={bars} must be >= 1")
    batch = as_batch(pieces)
    n = batch.size
    pitched = np.flatnonzero(~batch.is_drum)
    keep = pitched[
        np.lexsort(
            (
                batch.velocity[pitched],
                batch.duration_beats[pitched],
                batch.pitch[pitched],
                batch.start_beat[pitched],
                batch.channel[pitched],
                batch.seg[pitched],
            )
        )
    ]  # pitched notes by piece, voice, onset
    seg = batch.seg[keep]
    voice = seg * 16 + batch.channel[keep]
    pitch = batch.pitch[keep]
    start = batch.start_beat[keep]
    duration = batch.duration_beats[keep]
    bpb = batch.beats_per_bar[seg]
    bar = np.floor(start / bpb + 1e-9).astype(np.int64)
    in_bars = bar < bars
    counts = np.bincount(seg, minlength=n).astype(np.float64)
    pc = pitch % 12
    lclass = length_classes(duration)
    out: dict[str, F64] = {}

    distinct = sorted_unique(seg * 128 + pitch)
    out["pitch_count"] = np.bincount(distinct // 128, minlength=n).astype(np.float64)[:, None]
    slot = seg * bars + np.minimum(bar, bars - 1)
    bar_pitch = sorted_unique((slot * 128 + pitch)[in_bars])
    out["pitch_count_per_bar"] = (
        np.bincount(bar_pitch // 128, minlength=n * bars).astype(np.float64).reshape(n, bars)
    )
    out["note_count"] = counts[:, None]
    out["note_count_per_bar"] = (
        np.bincount(slot[in_bars], minlength=n * bars).astype(np.float64).reshape(n, bars)
    )
    pch = np.bincount(seg * 12 + pc, minlength=n * 12).astype(np.float64).reshape(n, 12)
    out["pitch_class_histogram"] = _normalise_rows(pch)
    bar_pch = np.bincount((slot * 12 + pc)[in_bars], minlength=n * bars * 12).astype(np.float64)
    out["pitch_class_histogram_per_bar"] = _normalise_rows(bar_pch.reshape(n, bars, 12)).reshape(
        n, bars * 12
    )
    same = voice[1:] == voice[:-1]  # consecutive notes of the same voice
    pair_seg = seg[:-1][same]
    pctm = np.bincount(
        pair_seg * 144 + pc[:-1][same] * 12 + pc[1:][same], minlength=n * 144
    ).astype(np.float64)
    out["pitch_class_transition_matrix"] = _normalise_rows(pctm.reshape(n, 144))
    lo = np.full(n, 128, dtype=np.int64)
    hi = np.full(n, -1, dtype=np.int64)
    np.minimum.at(lo, seg, pitch)
    np.maximum.at(hi, seg, pitch)
    out["pitch_range"] = np.where(counts > 0, hi - lo, 0).astype(np.float64)[:, None]
    shifts = np.abs(np.diff(pitch))[same].astype(np.float64)
    shift_sum = np.bincount(pair_seg, weights=shifts, minlength=n)
    pairs = np.bincount(pair_seg, minlength=n).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["average_pitch_shift"] = np.where(
            pairs > 0, shift_sum / np.where(pairs > 0, pairs, 1.0), 0.0
        )[:, None]
        # the mean of successive distinct onsets' gaps is (last - first) / (onsets - 1)
        onset_seg, onset = _distinct_onsets(seg, start)
        onsets = np.bincount(onset_seg, minlength=n).astype(np.float64)
        first = np.full(n, np.inf)
        last = np.full(n, -np.inf)
        np.minimum.at(first, onset_seg, onset)
        np.maximum.at(last, onset_seg, onset)
        out["average_ioi"] = np.where(
            onsets > 1, (last - first) / np.where(onsets > 1, onsets - 1, 1.0), 0.0
        )[:, None]
    nlh = np.bincount(seg * 12 + lclass, minlength=n * 12).astype(np.float64).reshape(n, 12)
    out["note_length_histogram"] = _normalise_rows(nlh)
    nltm = np.bincount(
        pair_seg * 144 + lclass[:-1][same] * 12 + lclass[1:][same], minlength=n * 144
    ).astype(np.float64)
    out["note_length_transition_matrix"] = _normalise_rows(nltm.reshape(n, 144))
    return {name: out[name] for name in FEATURE_NAMES}


__all__ = [
    "DEFAULT_BARS",
    "FEATURES",
    "FEATURE_NAMES",
    "NOTE_LENGTHS",
    "Feature",
    "PieceSet",
    "as_batch",
    "extract_features",
    "length_classes",
]
