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
``tick = rint(beat * resolution)``.

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

from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd

from storpheus.errors import MetricParameterError, TheoryError
from storpheus.scoring import _kernels as k
from storpheus.scoring.batch import F64, I64, CandidateBatch, Scorable
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


def _batch(music: Scorable, resolution: int | None, metric: str) -> CandidateBatch:
    if resolution is not None and (
        isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 1
    ):
        raise MetricParameterError(metric, "resolution", resolution, "must be an integer >= 1")
    return CandidateBatch.from_items([music], resolution=resolution)


def _measure(batch: CandidateBatch, measure_resolution: int | None, metric: str) -> I64:
    if measure_resolution is None:
        return np.maximum(1, np.rint(batch.beats_per_bar * batch.resolution)).astype(np.int64)
    if (
        isinstance(measure_resolution, bool)
        or not isinstance(measure_resolution, int | np.integer)
        or measure_resolution < 1
    ):
        raise MetricParameterError(
            metric, "measure_resolution", measure_resolution, "must be a positive integer"
        )
    return np.full(batch.size, int(measure_resolution), dtype=np.int64)


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


def _scalar(values: F64) -> float:
    return float(values[0])


# ------------------------------------------------------------ pitch metrics
def pitch_range(music: Scorable) -> int:
    """Highest minus lowest pitch, drums ignored; 0 without pitched notes."""
    return int(k.pitch_range(k.pitch_counts(_batch(music, None, "pitch_range")))[0])


def n_pitches_used(music: Scorable) -> int:
    """Number of distinct pitches, drums ignored."""
    return int(k.n_used(k.pitch_counts(_batch(music, None, "n_pitches_used")))[0])


def n_pitch_classes_used(music: Scorable) -> int:
    """Number of distinct pitch classes, drums ignored."""
    return int(k.n_used(k.pitch_class_counts(_batch(music, None, "n_pitch_classes_used")))[0])


def pitch_entropy(music: Scorable) -> float:
    """Entropy (bits) of the pitch histogram, drums ignored; NaN without pitched notes."""
    return _scalar(k.entropy(k.pitch_counts(_batch(music, None, "pitch_entropy"))))


def pitch_class_entropy(music: Scorable) -> float:
    """Entropy (bits) of the pitch-class histogram, drums ignored; NaN without pitched notes."""
    return _scalar(k.entropy(k.pitch_class_counts(_batch(music, None, "pitch_class_entropy"))))


def pitch_in_scale_rate(music: Scorable, root: int, mode: str) -> float:
    """Ratio of pitched notes in the scale on ``root`` (0-11) in ``mode``; NaN without notes.

    >>> from storpheus.notes import NoteArray
    >>> pitch_in_scale_rate(NoteArray([60, 61, 62, 64], 90, [0, 1, 2, 3], 1.0), 0, "major")
    0.75
    """
    mask = _scale_mask(root, mode, "pitch_in_scale_rate")
    counts = k.pitch_class_counts(_batch(music, None, "pitch_in_scale_rate"))
    return float(k.in_scale_rate(counts, mask[None, :])[0, 0])


def scale_consistency(music: Scorable) -> float:
    """Largest ``pitch_in_scale_rate`` over the 24 major and minor scales; NaN without notes."""
    counts = k.pitch_class_counts(_batch(music, None, "scale_consistency"))
    return float(k.in_scale_rate(counts, _MAJOR_MINOR_MASKS).max(axis=1)[0])


# ------------------------------------------------------------- time metrics
def polyphony(music: Scorable, resolution: int | None = None) -> float:
    """Mean number of pitches sounding at the time steps where any sounds (drums ignored).

    NaN when no pitched note has a positive length in ticks.
    """
    return _scalar(k.polyphony(_batch(music, resolution, "polyphony")))


def polyphony_rate(music: Scorable, threshold: int = 2, resolution: int | None = None) -> float:
    """Ratio of time steps where more than ``threshold`` pitches sound (strict ``>``).

    Drums are ignored in the count but not in the song length. NaN when the
    length is 0.
    """
    if isinstance(threshold, bool) or not isinstance(threshold, int | np.integer):
        raise MetricParameterError("polyphony_rate", "threshold", threshold, "must be an integer")
    return _scalar(k.polyphony_rate(_batch(music, resolution, "polyphony_rate"), int(threshold)))


def empty_beat_rate(music: Scorable, resolution: int | None = None) -> float:
    """Ratio of beats where no note (drums included) sounds; NaN when the length is 0."""
    batch = _batch(music, resolution, "empty_beat_rate")
    return _scalar(k.empty_rate(batch, batch.resolution))


def empty_measure_rate(
    music: Scorable, measure_resolution: int | None = None, resolution: int | None = None
) -> float:
    """Ratio of measures (``measure_resolution`` ticks long) with no note; NaN when empty."""
    batch = _batch(music, resolution, "empty_measure_rate")
    return _scalar(k.empty_rate(batch, _measure(batch, measure_resolution, "empty_measure_rate")))


def groove_consistency(
    music: Scorable, measure_resolution: int | None = None, resolution: int | None = None
) -> float:
    """1 - mean Hamming distance between neighbouring measures' onset patterns.

    All notes count (drums included). NaN with fewer than two measures.
    """
    batch = _batch(music, resolution, "groove_consistency")
    return _scalar(
        k.groove_consistency(batch, _measure(batch, measure_resolution, "groove_consistency"))
    )


def drum_in_pattern_rate(
    music: Scorable, meter: str = "duple", resolution: int | None = None
) -> float:
    """Ratio of drum notes on the duple (quarters, eighths, sixteenths) or triple grid.

    Only drums count; NaN without drum notes.
    """
    value = _meter(meter, "drum_in_pattern_rate")
    return _scalar(k.drum_in_pattern_rate(_batch(music, resolution, "drum_in_pattern_rate"), value))


def drum_pattern_consistency(music: Scorable, resolution: int | None = None) -> float:
    """Larger of the duple and triple ``drum_in_pattern_rate``; NaN without drum notes."""
    batch = _batch(music, resolution, "drum_pattern_consistency")
    return _scalar(
        np.fmax(k.drum_in_pattern_rate(batch, "duple"), k.drum_in_pattern_rate(batch, "triple"))
    )


# ------------------------------------------------------------------ batched
def batch_metrics(
    batch: CandidateBatch,
    *,
    key: Key | None = None,
    threshold: int = 2,
    measure_resolution: int | None = None,
    meter: str | None = None,
) -> dict[str, F64]:
    """All 14 metrics for every candidate of a batch, in one vectorised pass.

    ``pitch_in_scale_rate`` uses ``key`` (NaN when ``None``). The measure is
    ``measure_resolution`` ticks, else one bar per candidate; ``meter``
    defaults per candidate to ``"triple"`` for compound meters (6/8, 9/8,
    12/8) and ``"duple"`` otherwise.
    """
    pcs = k.pitch_class_counts(batch)
    counts = k.pitch_counts(batch)
    measure = _measure(batch, measure_resolution, "batch_metrics")
    duple = k.drum_in_pattern_rate(batch, "duple")
    triple = k.drum_in_pattern_rate(batch, "triple")
    if meter is None:
        drum_rate = np.where(batch.compound, triple, duple)
    else:
        drum_rate = triple if _meter(meter, "batch_metrics") == "triple" else duple
    cells, active, dense = k.pianoroll_profile(batch, threshold)
    length = batch.length_ticks
    bad_length = (length < 1) | ~batch.has_tracks
    with np.errstate(divide="ignore", invalid="ignore"):
        poly = np.where(active < 1, np.nan, cells / active)
        poly_rate = np.where(bad_length, np.nan, dense / length)
    in_key = (
        k.in_scale_rate(pcs, key.mask[None, :])[:, 0]
        if key is not None
        else np.full(batch.size, np.nan)
    )
    return {
        "pitch_range": k.pitch_range(counts).astype(np.float64),
        "n_pitches_used": k.n_used(counts).astype(np.float64),
        "n_pitch_classes_used": k.n_used(pcs).astype(np.float64),
        "polyphony": poly,
        "polyphony_rate": poly_rate,
        "pitch_in_scale_rate": in_key,
        "scale_consistency": k.in_scale_rate(pcs, _MAJOR_MINOR_MASKS).max(axis=1),
        "pitch_entropy": k.entropy(counts),
        "pitch_class_entropy": k.entropy(pcs),
        "empty_beat_rate": k.empty_rate(batch, batch.resolution),
        "empty_measure_rate": k.empty_rate(batch, measure),
        "groove_consistency": k.groove_consistency(batch, measure),
        "drum_in_pattern_rate": drum_rate,
        "drum_pattern_consistency": np.fmax(duple, triple),
    }


def compute_metrics(
    music: Scorable,
    *,
    resolution: int | None = None,
    key: Key | str | None = None,
    threshold: int = 2,
    measure_resolution: int | None = None,
    meter: str | None = None,
) -> dict[str, float]:
    """All 14 metrics of one piece as a dict (see :func:`batch_metrics` for the parameters).

    ``key`` defaults to the score's own key when it has one.
    """
    from storpheus.score import Score
    from storpheus.theory import as_key

    if key is None and isinstance(music, Score) and music.key:
        key = music.key
    batch = _batch(music, resolution, "compute_metrics")
    values = batch_metrics(
        batch,
        key=None if key is None else as_key(key),
        threshold=threshold,
        measure_resolution=measure_resolution,
        meter=meter,
    )
    return {name: float(values[name][0]) for name in METRIC_NAMES}


def metrics_frame(
    items: Sequence[Scorable],
    *,
    resolution: int | None = None,
    key: Key | str | None = None,
    threshold: int = 2,
    measure_resolution: int | None = None,
    meter: str | None = None,
) -> pd.DataFrame:
    """The 14 metrics of many pieces, one row each, computed in one batch."""
    from storpheus.theory import as_key

    batch = CandidateBatch.from_items(items, resolution=resolution)
    values = batch_metrics(
        batch,
        key=None if key is None else as_key(key),
        threshold=threshold,
        measure_resolution=measure_resolution,
        meter=meter,
    )
    return pd.DataFrame({name: values[name] for name in METRIC_NAMES})
