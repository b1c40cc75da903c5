"""Compare two sets of pieces feature by feature: :func:`compare_sets`.

For every feature of :mod:`~storpheus.evaluation.features` the comparison
holds each set's feature values, the intra-set distances of both sets and
the inter-set distances between them, and summarises them in one row:
means and standard deviations of the features and of the distances, the
overlapping area and KL divergence of each set's intra-set distribution
against the inter-set one (``overlap_a``, ``kl_a``, ``overlap_b``,
``kl_b``), and of the two intra-set distributions against each other
(``overlap_intra``, ``kl_intra``). A set compared with itself has
``overlap_intra == 1`` and ``kl_intra == 0``; two sets that differ have
inter-set distances larger than their intra-set ones, so ``overlap_a`` falls
and ``kl_a`` rises.

Example
-------
>>> from storpheus.notes import NoteArray
>>> a = [NoteArray([60 + i, 64, 67 + i % 3], 80, [0, 1, 2], 1.0) for i in range(6)]
>>> b = [NoteArray([48 + i, 50, 53, 55 + i], 80, [0, 0.5, 1, 1.5], 0.5) for i in range(6)]
>>> table = compare_sets(a, b, bars=1).summary()
>>> float(table.loc["pitch_range", "inter_mean"]) > float(table.loc["pitch_range", "intra_a_mean"])
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from storpheus.evaluation.distances import (
    DEFAULT_GRID,
    F64,
    GaussianKDE,
    entropy,
    feature_grid,
    inter_set_distances,
    intra_set_distances,
)
from storpheus.evaluation.features import (
    DEFAULT_BARS,
    FEATURE_NAMES,
    PieceSet,
    as_batch,
    extract_features,
)

SUMMARY_COLUMNS = (
    "feature",
    "mean_a",
    "std_a",
    "mean_b",
    "std_b",
    "intra_a_mean",
    "intra_a_std",
    "intra_b_mean",
    "intra_b_std",
    "inter_mean",
    "inter_std",
    "overlap_a",
    "kl_a",
    "overlap_b",
    "kl_b",
    "overlap_intra",
    "kl_intra",
)


@dataclass(frozen=True)
class FeatureComparison:
    """One feature of a :class:`SetComparison`: values, distances and their statistics."""

    feature: str
    values_a: F64
    values_b: F64
    intra_a: F64
    intra_b: F64
    inter: F64
    grid: int = DEFAULT_GRID

    @cached_property
    def _densities(self) -> tuple[F64, dict[str, F64 | None]]:
        samples = {"intra_a": self.intra_a, "intra_b": self.intra_b, "inter": self.inter}
        kdes = {name: _fit(sample) for name, sample in samples.items()}
        widths = [k.bandwidth for k in kdes.values() if k is not None]
        x = feature_grid(list(samples.values()), self.grid, max(widths, default=0.0))
        return x, {name: None if k is None else k(x) for name, k in kdes.items()}

    def overlap(self, first: str, second: str) -> float:
        """Overlapping area of two of ``"intra_a"``, ``"intra_b"``, ``"inter"`` (NaN if flat)."""
        return self._measure(first, second, kl=False)

    def kl(self, first: str, second: str) -> float:
        """``KL(first || second)`` of two distance distributions (NaN if either is flat)."""
        return self._measure(first, second, kl=True)

    def _measure(self, first: str, second: str, *, kl: bool) -> float:
        names = ("intra_a", "intra_b", "inter")
        if first not in names or second not in names:
            raise ValueError(f"distributions are {names}, got {first!r} and {second!r}")
        x, densities = self._densities
        p, q = densities[first], densities[second]
        if p is None or q is None:
            return math.nan
        if kl:
            return entropy(p, q)
        return float(np.trapezoid(np.minimum(p, q), x))

    def summary(self) -> dict[str, float | str]:
        """The feature's row of :meth:`SetComparison.summary`."""
        return {
            "feature": self.feature,
            "mean_a": _mean(self.values_a),
            "std_a": _std(self.values_a),
            "mean_b": _mean(self.values_b),
            "std_b": _std(self.values_b),
            "intra_a_mean": _mean(self.intra_a),
            "intra_a_std": _std(self.intra_a),
            "intra_b_mean": _mean(self.intra_b),
            "intra_b_std": _std(self.intra_b),
            "inter_mean": _mean(self.inter),
            "inter_std": _std(self.inter),
            "overlap_a": self.overlap("intra_a", "inter"),
            "kl_a": self.kl("intra_a", "inter"),
            "overlap_b": self.overlap("intra_b", "inter"),
            "kl_b": self.kl("intra_b", "inter"),
            "overlap_intra": self.overlap("intra_a", "intra_b"),
            "kl_intra": self.kl("intra_a", "intra_b"),
        }

    def distances(self) -> pd.DataFrame:
        """Long table of every distance: ``kind`` (intra_a, intra_b, inter) and ``distance``."""
        kinds = np.repeat(
            ["intra_a", "intra_b", "inter"], [self.intra_a.size, self.intra_b.size, self.inter.size]
        )
        values = np.concatenate([self.intra_a, self.intra_b, self.inter])
        return pd.DataFrame({"feature": self.feature, "kind": kinds, "distance": values})


def _fit(sample: F64) -> GaussianKDE | None:
    try:
        return GaussianKDE.fit(sample)
    except ValueError:
        return None


def _mean(values: F64) -> float:
    return float(values.mean()) if values.size else math.nan


def _std(values: F64) -> float:
    return float(values.std()) if values.size else math.nan


@dataclass(frozen=True)
class SetComparison:
    """Two sets compared on every feature (see the module docstring)."""

    labels: tuple[str, str]
    features: Mapping[str, FeatureComparison]
    sizes: tuple[int, int]

    def __getitem__(self, feature: str) -> FeatureComparison:
        return self.features[feature]

    def summary(self) -> pd.DataFrame:
        """One row per feature (index: the feature name), columns :data:`SUMMARY_COLUMNS`.

        Feature means are over the pieces' values (for a vector feature, over
        every entry); the ``_a`` / ``_b`` columns belong to ``labels``.
        """
        rows = [self.features[name].summary() for name in self.features]
        frame = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS)).set_index("feature")
        frame.attrs["labels"] = self.labels
        frame.attrs["sizes"] = self.sizes
        return frame

    def frames(self) -> dict[str, pd.DataFrame]:
        """Feature -> its long distance table (``kind``, ``distance``)."""
        return {name: comp.distances() for name, comp in self.features.items()}

    def feature_frame(self, feature: str) -> pd.DataFrame:
        """One row per piece of both sets: ``set``, ``piece`` and the feature's values."""
        comp = self.features[feature]
        width = comp.values_a.shape[1]
        columns = [feature] if width == 1 else [f"{feature}_{i}" for i in range(width)]
        parts = []
        for label, values in zip(self.labels, (comp.values_a, comp.values_b), strict=True):
            part = pd.DataFrame(values, columns=columns)
            part.insert(0, "piece", np.arange(len(values)))
            part.insert(0, "set", label)
            parts.append(part)
        return pd.concat(parts, ignore_index=True)


def compare_sets(
    a: PieceSet,
    b: PieceSet,
    *,
    bars: int = DEFAULT_BARS,
    grid: int = DEFAULT_GRID,
    labels: tuple[str, str] = ("a", "b"),
    features: tuple[str, ...] = FEATURE_NAMES,
) -> SetComparison:
    """Compare two sets of pieces on every feature (or the named ones).

    Parameters
    ----------
    a, b:
        The sets: sequences of scores, tracks, note arrays or candidates
        (at least 2 pieces each), or :class:`~storpheus.scoring.CandidateBatch`.
    bars:
        Bars the per-bar features keep.
    grid:
        Grid points of the overlap and KL integrals.
    labels:
        Names of the two sets in tables.
    features:
        Which features to compare (default: all).

    Raises
    ------
    ValueError
        A set has fewer than 2 pieces, or a feature name is unknown.
    """
    unknown = sorted(set(features) - set(FEATURE_NAMES))
    if unknown:
        raise ValueError(f"unknown features {unknown}; features: {list(FEATURE_NAMES)}")
    batch_a, batch_b = as_batch(a), as_batch(b)
    for label, batch in zip(labels, (batch_a, batch_b), strict=True):
        if batch.size < 2:
            raise ValueError(f"set {label!r} has {batch.size} pieces; at least 2 are needed")
    fa = extract_features(batch_a, bars=bars)
    fb = extract_features(batch_b, bars=bars)
    out: dict[str, FeatureComparison] = {}
    for name in features:
        out[name] = FeatureComparison(
            feature=name,
            values_a=fa[name],
            values_b=fb[name],
            intra_a=intra_set_distances(fa[name]),
            intra_b=intra_set_distances(fb[name]),
            inter=inter_set_distances(fa[name], fb[name]),
            grid=grid,
        )
    return SetComparison(labels=labels, features=out, sizes=(batch_a.size, batch_b.size))


__all__ = ["SUMMARY_COLUMNS", "FeatureComparison", "SetComparison", "compare_sets"]
