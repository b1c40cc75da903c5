"""The 14 MusPy metrics, vectorised over columnar notes.

Each function has MusPy's name and parameters and returns exactly MusPy
0.5's value (``muspy.metrics``) for the same music at the same resolution:
the same tick rules (a note covers the beats from ``start // resolution`` to
``end // resolution`` inclusive; the song length is the latest note offset
of any track, drums included, and counts ``length // unit + 1`` units), the
strict ``>`` of ``polyphony_rate``, NaN where MusPy returns NaN. They accept
a :class:`~storpheus.score.Score`, a :class:`~storpheus.score.Track`, a
:class:`~storpheus.notes.NoteArray` (channel 9 = drums) or a backend
:class:`~storpheus.backends.base.Candidate`.

``resolution`` (ticks per quarter note) defaults to the score's
``ticks_per_quarter`` (480 for bare notes); times are converted with
``tick = rint(beat * resolution)``. Every metric takes it, for one
signature; the pitch metrics do not depend on time and only validate it.

Deviations from MusPy, on purpose
---------------------------------
* ``pitch_range`` of music whose notes are all drums is 0 (MusPy: -127, its
  ``lowest = 127`` sentinel leaking out).
* A score with no tracks gives NaN for the time-based metrics and
  ``polyphony`` (MusPy raises ``ValueError`` from ``max()`` of nothing).
* The song length counts notes only. MusPy's MIDI reader (``read_midi``)
  also stores control changes as track annotations, so a file whose last
  event is a controller after the last note is longer for MusPy; MusPy's
  ``from_pretty_midi`` and music built from notes agree with us.
* ``pitch_in_scale_rate`` also accepts the other modes of
  :data:`storpheus.theory.MODES` (MusPy: major and minor only).
* ``measure_resolution`` defaults to one bar of the score's meter, and
  ``drum_in_pattern_rate``'s ``meter`` to ``"duple"``.

Example
-------
>>> from storpheus.notes import NoteArray
>>> notes = NoteArray([60, 64, 67, 72], 90, [0.0, 0.0, 1.0, 4.0], 1.0)
>>> pitch_range(notes), n_pitch_classes_used(notes), polyphony(notes)
(12, 3, 1.3333333333333333)
>>> round(empty_beat_rate(notes), 4)  # beat 3 of 0-5 is silent; offsets touch the next beat
0.1667
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import numpy.typing as npt

from storpheus.backends.base import Candidate
from storpheus.errors import MetricParameterError, TheoryError
from storpheus.midi_types import DRUM_CHANNEL
from storpheus.notes import NoteArray
from storpheus.score import DEFAULT_TICKS_PER_QUARTER, Score, Track
from storpheus.scoring import _single
from storpheus.scoring.batch import I64, Scorable
from storpheus.theory import Key

METRIC_NAMES: Final = (
    "pitch_range",
    "n_pitches_used",
    "n_pitch_classes_used",
    "polyphony",
    "polyphony_rate",
    "pitch_in_scale_rate",
    "scale_consistency",
    "pitch_entropy",
    "pitch_class_entropy",
    "empty_beat_rate",
    "empty_measure_rate",
    "groove_consistency",
    "drum_in_pattern_rate",
    "drum_pattern_consistency",
)
"""The 14 metrics, in MusPy's documentation order."""

_MAJOR_MINOR_MASKS: Final = np.array(
    [Key(root, mode).mask for mode in ("major", "minor") for root in range(12)]
)


def _batch_check(resolution: int | None, metric: str) -> None:
    if resolution is not None and (
        isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 1
    ):
        raise MetricParameterError(metric, "resolution", resolution, "must be an integer >= 1")


def _meter(meter: str, metric: str) -> str:
    value = meter.lower() if isinstance(meter, str) else meter
    if value not in ("duple", "triple"):
        raise MetricParameterError(metric, "meter", meter, "must be 'duple' or 'triple'")
    return str(value)


def _scale_mask(root: int, mode: str, metric: str) -> np.ndarray[tuple[int], np.dtype[np.bool_]]:
    if isinstance(root, bool) or not isinstance(root, int | np.integer):
        raise MetricParameterError(metric, "root", root, "must be an integer pitch class")
    try:
        return Key(int(root) % 12, mode).mask
    except TheoryError as exc:
        raise MetricParameterError(metric, "mode", mode, f"is not a mode ({exc})") from None


# ------------------------------------------------------------ pitch metrics
def _pitches(music: Scorable, metric: str, resolution: int | None = None) -> npt.NDArray[np.uint8]:
    """Pitches of the pitched notes (drums excluded), without building a batch."""
    _batch_check(resolution, metric)
    if isinstance(music, Candidate):
        music = music.notes
    if isinstance(music, NoteArray):
        drums = music.channel == DRUM_CHANNEL
        return music.pitch[~drums] if drums.any() else music.pitch
    if isinstance(music, Track):
        return music.notes.pitch[:0] if music.is_drum else music.notes.pitch
    if isinstance(music, Score):
        parts = [t.notes.pitch for t in music.tracks if not t.is_drum]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.uint8)
    raise TypeError(
        f"{metric}: expected a Score, Track, NoteArray or Candidate, got {type(music).__name__}"
    )


def _entropy(counts: I64) -> float:
    total = int(counts.sum())
    if total < 1:
        return math.nan
    prob = counts[counts > 0] / total
    return float(-(prob * np.log2(prob)).sum())


def pitch_range(music: Scorable, resolution: int | None = None) -> int:
    """Highest minus lowest pitch, drums ignored; 0 without pitched notes."""
    pitch = _pitches(music, "pitch_range", resolution)
    return int(pitch.max()) - int(pitch.min()) if pitch.size else 0


def n_pitches_used(music: Scorable, resolution: int | None = None) -> int:
    """Number of distinct pitches, drums ignored."""
    return int(
        np.count_nonzero(np.bincount(_pitches(music, "n_pitches_used", resolution), minlength=128))
    )


def n_pitch_classes_used(music: Scorable, resolution: int | None = None) -> int:
    """Number of distinct pitch classes, drums ignored."""
    pcs = _pitches(music, "n_pitch_classes_used", resolution) % 12
    return int(np.count_nonzero(np.bincount(pcs, minlength=12)))


def pitch_entropy(music: Scorable, resolution: int | None = None) -> float:
    """Entropy (bits) of the pitch histogram, drums ignored; NaN without pitched notes."""
    return _entropy(np.bincount(_pitches(music, "pitch_entropy", resolution), minlength=128))


def pitch_class_entropy(music: Scorable, resolution: int | None = None) -> float:
    """Entropy (bits) of the pitch-class histogram, drums ignored; NaN without pitched notes."""
    return _entropy(
        np.bincount(_pitches(music, "pitch_class_entropy", resolution) % 12, minlength=12)
    )


def pitch_in_scale_rate(
    music: Scorable, root: int, mode: str, resolution: int | None = None
) -> float:
    """Ratio of pitched notes in the scale on ``root`` (0-11) in ``mode``; NaN without notes.

    >>> from storpheus.notes import NoteArray
    >>> pitch_in_scale_rate(NoteArray([60, 61, 62, 64], 90, [0, 1, 2, 3], 1.0), 0, "major")
    0.75
    """
    mask = _scale_mask(root, mode, "pitch_in_scale_rate")
    pcs = _pitches(music, "pitch_in_scale_rate", resolution) % 12
    if not pcs.size:
        return math.nan
    return int(np.count_nonzero(mask[pcs])) / int(pcs.size)


def scale_consistency(music: Scorable, resolution: int | None = None) -> float:
    """Largest ``pitch_in_scale_rate`` over the 24 major and minor scales; NaN without notes."""
    pcs = _pitches(music, "scale_consistency", resolution) % 12
    if not pcs.size:
        return math.nan
    counts = np.bincount(pcs, minlength=12)
    return int((_MAJOR_MINOR_MASKS @ counts).max()) / int(pcs.size)


# ------------------------------------------------------------- time metrics
def _ticks(music: Scorable, resolution: int | None, metric: str) -> _single.Ticks:
    _batch_check(resolution, metric)
    try:
        return _single.ticks_of(music, resolution)
    except TypeError as exc:
        raise TypeError(f"{metric}: {exc}") from None


def _bar_ticks(t: _single.Ticks, measure_resolution: int | None, metric: str) -> int:
    if measure_resolution is None:
        return max(1, round(t.beats_per_bar * t.resolution))
    if (
        isinstance(measure_resolution, bool)
        or not isinstance(measure_resolution, int | np.integer)
        or measure_resolution < 1
    ):
        raise MetricParameterError(
            metric, "measure_resolution", measure_resolution, "must be a positive integer"
        )
    return int(measure_resolution)


def polyphony(music: Scorable, resolution: int | None = None) -> float:
    """Mean number of pitches sounding at the time steps where any sounds (drums ignored).

    NaN when no pitched note has a positive length in ticks.
    """
    cells, active, _ = _single.pianoroll(_ticks(music, resolution, "polyphony"), 0)
    return cells / active if active >= 1 else math.nan


def polyphony_rate(music: Scorable, threshold: int = 2, resolution: int | None = None) -> float:
    """Ratio of time steps where more than ``threshold`` pitches sound (strict ``>``).

    Drums are ignored in the count but not in the song length. NaN when the
    length is 0.
    """
    if isinstance(threshold, bool) or not isinstance(threshold, int | np.integer):
        raise MetricParameterError("polyphony_rate", "threshold", threshold, "must be an integer")
    t = _ticks(music, resolution, "polyphony_rate")
    if not t.defined:
        return math.nan
    return _single.pianoroll(t, int(threshold))[2] / t.length


def empty_beat_rate(music: Scorable, resolution: int | None = None) -> float:
    """Ratio of beats where no note (drums included) sounds; NaN when the length is 0."""
    t = _ticks(music, resolution, "empty_beat_rate")
    return _single.empty_rate(t, t.resolution)


def empty_measure_rate(
    music: Scorable, measure_resolution: int | None = None, resolution: int | None = None
) -> float:
    """Ratio of measures (``measure_resolution`` ticks long) with no note; NaN when empty."""
    t = _ticks(music, resolution, "empty_measure_rate")
    return _single.empty_rate(t, _bar_ticks(t, measure_resolution, "empty_measure_rate"))


def groove_consistency(
    music: Scorable, measure_resolution: int | None = None, resolution: int | None = None
) -> float:
    """1 - mean Hamming distance between neighbouring measures' onset patterns.

    All notes count (drums included). NaN with fewer than two measures.
    """
    t = _ticks(music, resolution, "groove_consistency")
    return _single.groove(t, _bar_ticks(t, measure_resolution, "groove_consistency"))


def drum_in_pattern_rate(
    music: Scorable, meter: str = "duple", resolution: int | None = None
) -> float:
    """Ratio of drum notes on the duple (quarters, eighths, sixteenths) or triple grid.

    Only drums count; NaN without drum notes.
    """
    value = _meter(meter, "drum_in_pattern_rate")
    pos, res = _drum_positions(music, resolution, "drum_in_pattern_rate")
    return _on_grid_rate(pos, res, value)


def drum_pattern_consistency(music: Scorable, resolution: int | None = None) -> float:
    """Larger of the duple and triple ``drum_in_pattern_rate``; NaN without drum notes."""
    pos, res = _drum_positions(music, resolution, "drum_pattern_consistency")
    return max(_on_grid_rate(pos, res, "duple"), _on_grid_rate(pos, res, "triple"))


def _drum_positions(
    music: Scorable, resolution: int | None, metric: str
) -> tuple[npt.NDArray[np.int64], int]:
    """Tick position within the beat of every drum note, and the resolution used."""
    _batch_check(resolution, metric)
    if isinstance(music, Candidate):
        music = music.notes
    res = resolution or DEFAULT_TICKS_PER_QUARTER
    if isinstance(music, NoteArray):
        starts = music.start_beat[music.channel == DRUM_CHANNEL]
    elif isinstance(music, Track):
        starts = music.notes.start_beat if music.is_drum else music.notes.start_beat[:0]
    elif isinstance(music, Score):
        res = resolution or music.ticks_per_quarter
        parts = [t.notes.start_beat for t in music.tracks if t.is_drum]
        starts = np.concatenate(parts) if parts else np.empty(0)
    else:
        raise TypeError(
            f"{metric}: expected a Score, Track, NoteArray or Candidate, got {type(music).__name__}"
        )
    return np.rint(starts * res).astype(np.int64) % res, res


def _on_grid_rate(pos: npt.NDArray[np.int64], res: int, meter: str) -> float:
    if not pos.size:
        return math.nan
    hit = pos == 0
    for parts in (4, 2) if meter == "duple" else (3,):
        if res % parts == 0:
            hit |= pos % (res // parts) == 0
    return int(np.count_nonzero(hit)) / int(pos.size)


# -------------------------------------------------------------- all at once
def compute_metrics(
    music: Scorable,
    *,
    resolution: int | None = None,
    key: Key | str | None = None,
    threshold: int = 2,
    measure_resolution: int | None = None,
    meter: str | None = None,
) -> dict[str, float]:
    """All 14 metrics of one piece as a dict, in one pass over shared columns.

    Parameters are those of
    :func:`~storpheus.scoring.metrics_batch.batch_metrics`.

    ``key`` defaults to the score's own key when it has one.
    """
    from storpheus.theory import as_key

    if key is None and isinstance(music, Score) and music.key:
        key = music.key
    t = _ticks(music, resolution, "compute_metrics")
    measure = _bar_ticks(t, measure_resolution, "compute_metrics")
    drum_meter = ("triple" if t.compound else "duple") if meter is None else _meter(meter, "")
    pitches = t.pitch[~t.drum]
    counts = np.bincount(pitches, minlength=128)
    pcs = np.bincount(pitches % 12, minlength=12)
    n = int(pitches.size)
    cells, active, dense = _single.pianoroll(t, threshold)
    positions = t.start[t.drum] % t.resolution
    in_key = math.nan
    if key is not None and n:
        in_key = int(pcs[as_key(key).mask].sum()) / n
    duple = _on_grid_rate(positions, t.resolution, "duple")
    triple = _on_grid_rate(positions, t.resolution, "triple")
    return {
        "pitch_range": float(pitches.max() - pitches.min()) if n else 0.0,
        "n_pitches_used": float(np.count_nonzero(counts)),
        "n_pitch_classes_used": float(np.count_nonzero(pcs)),
        "polyphony": cells / active if active >= 1 else math.nan,
        "polyphony_rate": dense / t.length if t.defined else math.nan,
        "pitch_in_scale_rate": in_key,
        "scale_consistency": int((_MAJOR_MINOR_MASKS @ pcs).max()) / n if n else math.nan,
        "pitch_entropy": _entropy(counts),
        "pitch_class_entropy": _entropy(pcs),
        "empty_beat_rate": _single.empty_rate(t, t.resolution),
        "empty_measure_rate": _single.empty_rate(t, measure),
        "groove_consistency": _single.groove(t, measure),
        "drum_in_pattern_rate": triple if drum_meter == "triple" else duple,
        "drum_pattern_consistency": max(duple, triple),
    }
