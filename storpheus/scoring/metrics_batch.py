"""The 14 metrics for many pieces at once: one vectorised pass over a batch.

:func:`batch_metrics` computes every metric for every candidate of a
:class:`~storpheus.scoring.batch.CandidateBatch` (what the scorer puts in
every score card); :func:`metrics_frame` does the same for a list of pieces
and returns a DataFrame. Values equal the one-piece functions of
:mod:`storpheus.scoring.metrics` (and MusPy's).

Example
-------
>>> from storpheus.notes import NoteArray
>>> frame = metrics_frame([NoteArray([60, 64], 90, [0, 1], 1.0), NoteArray.empty()])
>>> frame["n_pitches_used"].tolist()
[2.0, 0.0]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from storpheus.errors import MetricParameterError
from storpheus.scoring import _kernels as k
from storpheus.scoring.batch import F64, I64, CandidateBatch, Scorable
from storpheus.scoring.metrics import _MAJOR_MINOR_MASKS, METRIC_NAMES, _meter
from storpheus.theory import Key


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
    duple, triple = k.drum_pattern_rates(batch)
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
