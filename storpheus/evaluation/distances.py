"""Distance distributions between pieces, their Gaussian KDEs, overlap and KL divergence.

For one feature (one row of values per piece):

* the **intra-set** distances of a set are the Euclidean distances between
  every ordered pair of its pieces ``(i, j)``, ``i != j`` (each unordered pair
  counts twice, as the leave-one-out loop of Yang & Lerch's method counts it);
* the **inter-set** distances of two sets are those between every piece of
  one and every piece of the other;
* each distribution is smoothed with a Gaussian kernel density estimate
  whose bandwidth follows Scott's rule, exactly as
  ``scipy.stats.gaussian_kde`` does (kernel variance = the sample variance,
  ``ddof=1``, times ``n ** (-2/5)``);
* the **overlapping area** of two densities is ``∫ min(p, q)``, integrated
  with the trapezoidal rule on ``grid`` evenly spaced points from the
  smallest distance minus :data:`TAIL` bandwidths (the widest kernel's) to
  the largest plus as much, so the densities' tails are inside the integral
  and a set compared with itself overlaps by 1 (:func:`overlap_area` spans
  its two samples; a :class:`~storpheus.evaluation.SetComparison` spans all
  three distributions of a feature, so each density is evaluated once);
* the **KL divergence** ``KL(p || q)`` is ``Σ p log(p / q)`` over the same
  grid with both densities normalised to sum 1 (``inf`` where ``q``
  underflows to 0 and ``p`` does not).

Everything is vectorised: distances by broadcasting, densities as one
kernel sum per block of grid points over the *distinct* distance values
weighted by how often each occurs (intra-set distances all occur at least
twice; count features repeat many values), which gives the same density as
summing over every sample.

Example
-------
>>> import numpy as np
>>> a = np.array([0.0, 1.0, 1.0, 2.0, 3.0])
>>> round(overlap_area(a, a), 6), kl_divergence(a, a)
(1.0, 0.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]

DEFAULT_GRID: Final = 1000
"""Grid points the overlap and the KL divergence are evaluated on."""

TAIL: Final = 5.0
"""Kernel bandwidths the grid reaches beyond the samples on either side."""

_CHUNK: Final = 16
_ROW_BLOCK: Final = 4_000_000


def intra_set_distances(features: F64) -> F64:
    """Distances between every ordered pair of different pieces, row-major ``(i, j)``."""
    x = np.asarray(features, dtype=np.float64)
    n = x.shape[0]
    full = _pairwise(x, x)
    mask = ~np.eye(n, dtype=bool)
    out: F64 = full[mask]
    return out


def inter_set_distances(a: F64, b: F64) -> F64:
    """Distances between every piece of ``a`` and every piece of ``b``, row-major."""
    out: F64 = _pairwise(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))
    return out.ravel()


def _pairwise(a: F64, b: F64) -> F64:
    a2 = a.reshape(a.shape[0], -1)
    b2 = b.reshape(b.shape[0], -1)
    out = np.empty((a2.shape[0], b2.shape[0]))
    rows = max(1, _ROW_BLOCK // max(1, b2.shape[0] * max(1, b2.shape[1])))
    for i in range(0, a2.shape[0], rows):
        diff = a2[i : i + rows, None, :] - b2[None, :, :]
        out[i : i + rows] = np.sqrt(np.einsum("ijk,ijk->ij", diff, diff))
    return out


@dataclass(frozen=True)
class GaussianKDE:
    """A one-dimensional Gaussian KDE with Scott's bandwidth, over weighted distinct values.

    ``values`` are the distinct sample values, ``counts`` how often each
    occurs, ``bandwidth`` the kernel's standard deviation.
    """

    values: F64
    counts: F64
    bandwidth: float

    @property
    def n(self) -> int:
        """Number of samples (with repeats)."""
        return int(self.counts.sum())

    @classmethod
    def fit(cls, sample: F64) -> GaussianKDE:
        """Estimate from a sample; raises ``ValueError`` when it has no spread.

        Repeated values are collapsed into counts; the variance is the
        sample's own (``ddof=1``), computed in the same order as
        ``numpy.cov``, so the bandwidth equals ``scipy.stats.gaussian_kde``'s.
        """
        data = np.asarray(sample, dtype=np.float64).ravel()
        if data.size < 2:
            raise ValueError(f"a KDE needs at least 2 samples, got {data.size}")
        variance = float(np.cov(data))
        if not math.isfinite(variance) or variance <= 0.0:
            raise ValueError("the sample has no spread (every distance is the same)")
        values, counts = np.unique(data, return_counts=True)
        bandwidth = math.sqrt(variance * data.size ** (-2.0 / 5.0))
        return cls(values, counts.astype(np.float64), bandwidth)

    def __call__(self, points: F64) -> F64:
        """Density at each point."""
        x = np.asarray(points, dtype=np.float64).ravel() / self.bandwidth
        v = self.values / self.bandwidth
        out = np.empty(x.size)
        buf = np.empty((_CHUNK, v.size))
        for i in range(0, x.size, _CHUNK):
            block = buf[: min(_CHUNK, x.size - i)]
            np.subtract(x[i : i + _CHUNK, None], v[None, :], out=block)
            np.multiply(block, block, out=block)
            block *= -0.5
            np.exp(block, out=block)
            out[i : i + _CHUNK] = block @ self.counts
        norm = self.n * self.bandwidth * math.sqrt(2.0 * math.pi)
        result: F64 = out / norm
        return result


def common_grid(a: F64, b: F64, points: int = DEFAULT_GRID, bandwidth: float = 0.0) -> F64:
    """``points`` evenly spaced values over both samples, ``TAIL * bandwidth`` beyond each end."""
    lo = min(float(np.min(a)), float(np.min(b))) - TAIL * bandwidth
    hi = max(float(np.max(a)), float(np.max(b))) + TAIL * bandwidth
    grid: F64 = np.linspace(lo, hi, points)
    return grid


def feature_grid(samples: list[F64], points: int = DEFAULT_GRID, bandwidth: float = 0.0) -> F64:
    """``points`` evenly spaced values over every sample, ``TAIL * bandwidth`` beyond each end."""
    lo = min(float(np.min(s)) for s in samples) - TAIL * bandwidth
    hi = max(float(np.max(s)) for s in samples) + TAIL * bandwidth
    grid: F64 = np.linspace(lo, hi, points)
    return grid


def overlap_area(
    a: F64, b: F64, *, grid: int = DEFAULT_GRID, kde: tuple[GaussianKDE, GaussianKDE] | None = None
) -> float:
    """Overlapping area of the KDEs of samples ``a`` and ``b`` (1 for identical samples)."""
    pa, pb = kde or (GaussianKDE.fit(a), GaussianKDE.fit(b))
    x = common_grid(a, b, grid, max(pa.bandwidth, pb.bandwidth))
    return float(np.trapezoid(np.minimum(pa(x), pb(x)), x))


def kl_divergence(
    a: F64, b: F64, *, grid: int = DEFAULT_GRID, kde: tuple[GaussianKDE, GaussianKDE] | None = None
) -> float:
    """``KL(p_a || p_b)`` of the KDEs on the common grid (0 for identical samples)."""
    pa, pb = kde or (GaussianKDE.fit(a), GaussianKDE.fit(b))
    x = common_grid(a, b, grid, max(pa.bandwidth, pb.bandwidth))
    p, q = pa(x), pb(x)
    return entropy(p, q)


def entropy(p: F64, q: F64) -> float:
    """``Σ p log(p / q)`` with ``p`` and ``q`` normalised to sum 1 (as ``scipy.stats.entropy``)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        p = p / p.sum()
        q = q / q.sum()
        terms = np.where(p > 0, p * np.log(p / q), 0.0)
    return float(terms.sum())


__all__ = [
    "DEFAULT_GRID",
    "TAIL",
    "GaussianKDE",
    "common_grid",
    "entropy",
    "feature_grid",
    "inter_set_distances",
    "intra_set_distances",
    "kl_divergence",
    "overlap_area",
]
