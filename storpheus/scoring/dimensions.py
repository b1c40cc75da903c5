"""Score dimensions: how well candidates fit their targets, each in [0, 1].

A :class:`Dimension` is a named function with a weight. Built-in dimensions
are vectorised: they take a whole
:class:`~storpheus.scoring.batch.CandidateBatch` and the
:class:`~storpheus.scoring.params.ScoringParams` and return one value per
candidate. A dimension returns NaN for a candidate when it does not apply
(no target was given); the scorer then leaves it out of the total.

The built-in constraint-fit dimensions of the candidate scorer (version 2
of the definitions: every one is graded against a target the planner sets,
so it separates candidates instead of saturating at 1):

==========================  ====================================================
``key_compliance``          ``0.95 * inside + 0.05 * tonal``: ``inside`` is the
                            duration-weighted share of pitched notes whose pitch
                            class is in the target key's scale (drums excluded);
                            ``tonal`` the Pearson correlation of the pitch-class
                            histogram with the key's profile, clipped to [0, 1]
                            (it only orders parts that are equally in the
                            scale). A fully diatonic part scores >= 0.95; 0
                            without pitched notes. Not applicable without a key.
``density_fit``             notes per beat ``d`` against ``target_density``
                            ``t``: ``min(d, t) / max(d, t)``.
``register_fit``            mean of ``centre`` (``1 - |mean pitch - register_center|
                            / spread``, clipped) and ``inside`` (mean over pitched
                            notes of ``1 - excess / 12``, ``excess`` how far a
                            pitch lies beyond ``register_center ± spread``);
                            spread 12 when not given.
``velocity_fit``            mean of ``level`` (``1 - |mean velocity - goal| /
                            half range``, clipped; ``goal`` is
                            ``target_velocity`` or the middle of the range) and
                            ``inside`` (mean over notes of ``1 - distance / 20``,
                            the distance outside ``[velocity_floor,
                            velocity_ceiling]``).
``pitch_pair_diversity``    distinct consecutive pitch pairs / (notes - 1), notes
                            in onset order, scored against ``target_diversity``
                            with :func:`closeness` (the raw share without a
                            target; 0 with fewer than 2 notes).
``coverage_fit``            share of the span during which a note sounds,
                            against ``target_coverage`` (:func:`closeness`),
                            times the share of ``expected_channels`` used.
``silence_fit``             share of the onset grid's steps (``subdivision`` per
                            beat) with no onset, against ``target_silence``
                            (:func:`closeness`), times the share of bars in which
                            a note sounds (silent bars lower it).
==========================  ====================================================

:func:`closeness` of a value ``x`` to a target ``t`` in [0, 1] is
``1 - |x - t| / max(t, 1 - t)``: 1 on target, 0 at the farthest possible value.

Version 1 definitions (``channel_coverage``, ``bar_coverage``, the profile
correlation as ``key_compliance``, the saturating register and velocity
fits) stay importable as :data:`V1_DIMENSIONS`; a scorer built from them
keeps its old :attr:`~storpheus.scoring.scorer.Scorer.scorer_id`.

Users add their own with :func:`dimension`, from a plain function of one
candidate's notes::

    @dimension(weight=2.0)
    def brightness(notes, params):
        return float(notes.pitch.mean() / 127) if len(notes) else 0.0
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, overload

import numpy as np
import numpy.typing as npt

from storpheus.errors import DimensionError
from storpheus.notes import NoteArray
from storpheus.scoring import _kernels as k
from storpheus.scoring.batch import F64, CandidateBatch, sorted_unique
from storpheus.scoring.params import ScoringParams
from storpheus.theory import key_fit

BatchFunction = Callable[[CandidateBatch, ScoringParams], npt.NDArray[np.float64]]
NotesFunction = Callable[[NoteArray, ScoringParams], float]

REGISTER_FALLOFF: Final = 12.0
"""Semitones beyond the register at which a note's register fit reaches 0."""
VELOCITY_FALLOFF: Final = 20.0
"""Velocity steps outside the range at which a note's velocity fit reaches 0."""
DEFAULT_SPREAD: Final = 12


@dataclass(frozen=True)
class Dimension:
    """One named score dimension.

    Parameters
    ----------
    name:
        Column name in the score cards.
    fn:
        ``fn(batch, params) -> array`` when ``vectorised``, else
        ``fn(notes, params) -> float`` called once per candidate.
    weight:
        Weight in the total (>= 0; 0 records the dimension without using it).
    vectorised:
        Whether ``fn`` takes a whole batch.
    version:
        Identity of the function for :attr:`Scorer.scorer_id
        <storpheus.scoring.scorer.Scorer.scorer_id>`. When ``None`` the
        function's bytecode and constants are hashed instead, so editing the
        function in a notebook changes the scorer id.
    description:
        One line for tables and ``help``.
    """

    name: str
    fn: BatchFunction | NotesFunction
    weight: float = 1.0
    vectorised: bool = False
    version: str | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if not self.name or not self.name.isidentifier():
            raise DimensionError(self.name, "name must be a non-empty identifier")
        if not isinstance(self.weight, int | float) or not math.isfinite(self.weight):
            raise DimensionError(self.name, f"weight={self.weight!r} must be a finite number")
        if self.weight < 0:
            raise DimensionError(self.name, f"weight={self.weight} must be >= 0")
        if not callable(self.fn):
            raise DimensionError(self.name, "fn must be callable")
        object.__setattr__(self, "weight", float(self.weight))

    @property
    def fingerprint(self) -> str:
        """What identifies the function: its version, else a hash of its code."""
        if self.version is not None:
            return f"v:{self.version}"
        return f"code:{_code_hash(self.fn)}"

    def with_weight(self, weight: float) -> Dimension:
        """The same dimension with another weight."""
        return Dimension(
            self.name, self.fn, weight, self.vectorised, self.version, self.description
        )

    def evaluate(self, batch: CandidateBatch, params: ScoringParams) -> F64:
        """Values for every candidate; raises :class:`DimensionError` on bad output."""
        if self.vectorised:
            try:
                raw = self.fn(batch, params)  # type: ignore[arg-type]
            except DimensionError:
                raise
            except Exception as exc:
                raise DimensionError(self.name, f"{type(exc).__name__}: {exc}") from exc
            values = np.asarray(raw, dtype=np.float64)
            if values.shape != (batch.size,):
                raise DimensionError(
                    self.name, f"returned shape {values.shape}, expected ({batch.size},)"
                )
        else:
            values = np.empty(batch.size)
            for i in range(batch.size):
                try:
                    values[i] = float(self.fn(batch.notes(i), params))  # type: ignore[arg-type]
                except Exception as exc:
                    raise DimensionError(self.name, f"{type(exc).__name__}: {exc}", i) from exc
        if values.size and not (values.min() >= 0.0 and values.max() <= 1.0):  # NaN lands here
            bad = ~np.isnan(values) & ((values < 0) | (values > 1))
            if bad.any():
                i = int(np.argmax(bad))
                raise DimensionError(self.name, f"value {values[i]!r} is outside [0, 1]", i)
        return values


def _code_hash(fn: object) -> str:
    code = getattr(fn, "__code__", None)
    if code is None:  # a callable object: hash its class's method and its repr
        method = type(fn).__dict__.get("__call__")
        return _code_hash(method) + hashlib.sha256(repr(fn).encode()).hexdigest()[:8]
    digest = hashlib.sha256()
    digest.update(code.co_code)
    digest.update(repr([c for c in code.co_consts if not hasattr(c, "co_code")]).encode())
    digest.update(repr(code.co_names).encode())
    for const in code.co_consts:
        if hasattr(const, "co_code"):  # nested functions and lambdas
            digest.update(const.co_code)
    return digest.hexdigest()[:16]


@overload
def dimension(fn: NotesFunction, /) -> Dimension: ...
@overload
def dimension(
    *,
    name: str | None = None,
    weight: float = 1.0,
    version: str | None = None,
    vectorised: bool = False,
    description: str = "",
) -> Callable[[NotesFunction | BatchFunction], Dimension]: ...
def dimension(
    fn: NotesFunction | None = None,
    /,
    *,
    name: str | None = None,
    weight: float = 1.0,
    version: str | None = None,
    vectorised: bool = False,
    description: str = "",
) -> Dimension | Callable[[NotesFunction | BatchFunction], Dimension]:
    """Turn a plain function into a :class:`Dimension` (usable as a decorator).

    >>> @dimension(weight=2.0)
    ... def loud(notes, params):
    ...     return float((notes.velocity > 100).mean()) if len(notes) else 0.0
    >>> loud.name, loud.weight
    ('loud', 2.0)
    """

    def wrap(f: NotesFunction | BatchFunction) -> Dimension:
        doc = (getattr(f, "__doc__", None) or "").strip().splitlines()
        return Dimension(
            name or str(getattr(f, "__name__", "dimension")),
            f,
            weight,
            vectorised,
            version,
            description or (doc[0] if doc else ""),
        )

    return wrap(fn) if fn is not None else wrap


# ------------------------------------------------------------ built-ins
KEY_TONAL_SHARE: Final = 0.05
"""Share of ``key_compliance`` given to the key-profile correlation."""


def closeness(values: F64, target: float) -> F64:
    """``1 - |values - target| / max(target, 1 - target)``: 1 on target, 0 farthest away.

    >>> closeness(np.array([0.25, 0.5, 1.0]), 0.25).tolist()
    [1.0, 0.6666666666666667, 0.0]
    """
    reach = max(target, 1.0 - target)
    out: F64 = np.clip(1.0 - np.abs(values - target) / reach, 0.0, 1.0)
    return out


def _pitched_histogram(batch: CandidateBatch) -> tuple[F64, npt.NDArray[np.intp]]:
    order = batch.order
    pitched = order[~batch.is_drum[order]]
    bins = batch.seg[pitched] * 12 + batch.pitch[pitched] % 12
    hist: F64 = (
        np.bincount(bins, weights=batch.duration_beats[pitched], minlength=batch.size * 12)
        .reshape(batch.size, 12)
        .astype(np.float64)
    )
    return hist, pitched


def key_compliance(batch: CandidateBatch, params: ScoringParams) -> F64:
    """Duration-weighted share of pitched notes in the key's scale (plus a tonal tie-break)."""
    key = params.key
    if key is None:
        return np.full(batch.size, np.nan)
    hist, _ = _pitched_histogram(batch)
    total = hist.sum(axis=1)
    inside_weight = hist[:, key.mask].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = np.where(total > 0, inside_weight / np.where(total > 0, total, 1.0), 0.0)
    tonal = np.clip(np.nan_to_num(key_fit(hist, key), nan=0.0), 0.0, 1.0)
    value = (1.0 - KEY_TONAL_SHARE) * inside + KEY_TONAL_SHARE * tonal
    return np.where(total > 0, value, 0.0)


def key_profile_fit(batch: CandidateBatch, params: ScoringParams) -> F64:
    """Version 1 ``key_compliance``: profile correlation, clipped to [0, 1]."""
    key = params.key
    if key is None:
        return np.full(batch.size, np.nan)
    hist, _ = _pitched_histogram(batch)
    fit = key_fit(hist, key)
    return np.clip(np.nan_to_num(fit, nan=0.0), 0.0, 1.0)


def density_fit(batch: CandidateBatch, params: ScoringParams) -> F64:
    """Notes per beat against ``target_density`` (ratio of the smaller to the larger)."""
    if params.target_density is None:
        return np.full(batch.size, np.nan)
    density = batch.counts / params.total_beats
    target = params.target_density
    return np.minimum(density, target) / np.maximum(density, target)


def _register_inside(batch: CandidateBatch, params: ScoringParams, center: int) -> F64:
    spread = DEFAULT_SPREAD if params.register_spread is None else params.register_spread
    order = batch.order  # sums in canonical order: independent of the input order
    pitched = order[~batch.is_drum[order]]
    excess = np.maximum(0, np.abs(batch.pitch[pitched] - center) - spread)
    closeness_ = np.clip(1.0 - excess / REGISTER_FALLOFF, 0.0, 1.0)
    return _mean_by(batch.seg[pitched], closeness_, batch.size)


def register_fit(batch: CandidateBatch, params: ScoringParams) -> F64:
    """Closeness of the mean pitch to ``register_center`` and of every pitch to the range."""
    center = params.register_center
    if center is None:
        return np.full(batch.size, np.nan)
    spread = DEFAULT_SPREAD if params.register_spread is None else params.register_spread
    order = batch.order
    pitched = order[~batch.is_drum[order]]
    mean = _mean_by(batch.seg[pitched], batch.pitch[pitched].astype(np.float64), batch.size)
    has = np.bincount(batch.seg[pitched], minlength=batch.size) > 0
    centre = np.clip(1.0 - np.abs(mean - center) / max(spread, 1), 0.0, 1.0)
    inside = _register_inside(batch, params, center)
    return np.where(has, 0.5 * centre + 0.5 * inside, 0.0)


def register_range_fit(batch: CandidateBatch, params: ScoringParams) -> F64:
    """Version 1 ``register_fit``: mean closeness of pitched notes to the range."""
    if params.register_center is None:
        return np.full(batch.size, np.nan)
    return _register_inside(batch, params, params.register_center)


def _velocity_bounds(params: ScoringParams) -> tuple[int, int]:
    floor = 0 if params.velocity_floor is None else params.velocity_floor
    ceiling = 127 if params.velocity_ceiling is None else params.velocity_ceiling
    return floor, ceiling


def _velocity_inside(batch: CandidateBatch, params: ScoringParams) -> F64:
    floor, ceiling = _velocity_bounds(params)
    order = batch.order
    v = batch.velocity[order]
    distance = np.maximum(0, np.maximum(floor - v, v - ceiling))
    closeness_ = np.clip(1.0 - distance / VELOCITY_FALLOFF, 0.0, 1.0)
    return _mean_by(batch.seg[order], closeness_, batch.size)


def velocity_fit(batch: CandidateBatch, params: ScoringParams) -> F64:
    """Closeness of the mean velocity to its goal and of every velocity to the range."""
    goal = params.velocity_goal
    if goal is None:
        return np.full(batch.size, np.nan)
    floor, ceiling = _velocity_bounds(params)
    half = max((ceiling - floor) / 2.0, 1.0)
    order = batch.order
    mean = _mean_by(batch.seg[order], batch.velocity[order].astype(np.float64), batch.size)
    level = np.clip(1.0 - np.abs(mean - goal) / half, 0.0, 1.0)
    value = 0.5 * level + 0.5 * _velocity_inside(batch, params)
    return np.where(batch.counts > 0, value, 0.0)


def velocity_range_fit(batch: CandidateBatch, params: ScoringParams) -> F64:
    """Version 1 ``velocity_fit``: mean closeness of velocities to the range."""
    if params.velocity_floor is None and params.velocity_ceiling is None:
        return np.full(batch.size, np.nan)
    return _velocity_inside(batch, params)


def pair_diversity(batch: CandidateBatch) -> F64:
    """Distinct consecutive pitch pairs over ``notes - 1`` per candidate (onset order)."""
    order = batch.order
    seg, pitch = batch.seg[order], batch.pitch[order]
    same = seg[1:] == seg[:-1]
    pairs = (seg[:-1] * 128 + pitch[:-1]) * 128 + pitch[1:]
    distinct = sorted_unique(pairs[same])
    found = np.bincount(distinct // (128 * 128), minlength=batch.size).astype(np.float64)
    possible = np.maximum(batch.counts - 1, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(possible > 0, found / np.where(possible > 0, possible, 1), 0.0)


def pitch_pair_diversity(batch: CandidateBatch, params: ScoringParams) -> F64:
    """Distinct consecutive pitch pairs against ``target_diversity`` (raw share without one)."""
    raw = pair_diversity(batch)
    if params.target_diversity is None:
        return raw
    return np.where(batch.counts > 1, closeness(raw, params.target_diversity), 0.0)


def pitch_pair_diversity_v1(batch: CandidateBatch, params: ScoringParams) -> F64:
    """Version 1 ``pitch_pair_diversity``: the raw share."""
    return pair_diversity(batch)


def channel_coverage(batch: CandidateBatch, params: ScoringParams) -> F64:
    """Distinct channels used over ``expected_channels``, capped at 1."""
    present = np.bincount(batch.seg * 16 + batch.channel, minlength=batch.size * 16)
    used = (present.reshape(batch.size, 16) > 0).sum(axis=1).astype(np.float64)
    coverage: F64 = np.minimum(1.0, used / params.expected_channels)
    return coverage


def bar_coverage(batch: CandidateBatch, params: ScoringParams) -> F64:
    """Share of the target bars in which at least one note sounds."""
    bpb = params.beats_per_bar
    first = np.floor(batch.start_beat / bpb + 1e-9).astype(np.int64)
    last = np.ceil(batch.end_beat / bpb - 1e-9).astype(np.int64) - 1
    last = np.minimum(np.maximum(last, first), params.bars - 1)
    bars = np.full(batch.size, params.bars, dtype=np.int64)
    covered = k.union_count(batch.seg, first, last, batch.size, n_units=bars)
    return covered / params.bars


def sounding_share(batch: CandidateBatch, params: ScoringParams) -> F64:
    """Share of the span ``[0, total_beats)`` during which at least one note sounds.

    Exact in beats: notes in onset order, each adds the part of its interval
    that lies beyond every earlier note's end (a running maximum per candidate).
    """
    span = params.total_beats
    order = batch.order
    seg = batch.seg[order]
    start = batch.start_beat[order]
    end = np.minimum(batch.end_beat[order], span)
    shift = seg * (span + 1.0)  # keeps each candidate's running maximum to itself
    running = np.maximum.accumulate(end + shift) if end.size else end
    before = np.empty_like(end)
    if end.size:
        before[0] = -np.inf
        before[1:] = running[:-1]
    covered = np.clip(end - np.maximum(start, before - shift), 0.0, None)
    total: F64 = np.bincount(seg, weights=covered, minlength=batch.size) / span
    return total


def rest_share(batch: CandidateBatch, params: ScoringParams) -> F64:
    """Share of the onset grid's steps (``subdivision`` per beat) with no onset."""
    n = round(params.total_beats * params.subdivision)
    step = np.rint(batch.start_beat * params.subdivision).astype(np.int64)
    keep = step < n
    occupied = sorted_unique(batch.seg[keep] * n + step[keep])
    used = np.bincount(occupied // n, minlength=batch.size).astype(np.float64)
    return 1.0 - used / n


def coverage_fit(batch: CandidateBatch, params: ScoringParams) -> F64:
    """Sounding share against ``target_coverage``, times the share of channels used."""
    channels = channel_coverage(batch, params)
    if params.target_coverage is None:
        return np.full(batch.size, np.nan)
    return closeness(sounding_share(batch, params), params.target_coverage) * channels


def silence_fit(batch: CandidateBatch, params: ScoringParams) -> F64:
    """Rest share of the onset grid against ``target_silence``, times the bars with sound."""
    if params.target_silence is None:
        return np.full(batch.size, np.nan)
    bars = bar_coverage(batch, params)
    return closeness(rest_share(batch, params), params.target_silence) * bars


def _mean_by(seg: npt.NDArray[np.int64], values: F64, size: int) -> F64:
    total = np.bincount(seg, weights=values, minlength=size)
    count = np.bincount(seg, minlength=size)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(count > 0, total / np.where(count > 0, count, 1), 0.0)


BUILTIN_DIMENSIONS: Final = (
    Dimension("key_compliance", key_compliance, 2.0, True, "2", "notes in the target key"),
    Dimension("density_fit", density_fit, 1.0, True, "1", "notes per beat vs target"),
    Dimension("register_fit", register_fit, 1.0, True, "2", "pitch centre and range vs target"),
    Dimension("velocity_fit", velocity_fit, 0.5, True, "2", "velocity level and range vs target"),
    Dimension(
        "pitch_pair_diversity", pitch_pair_diversity, 1.0, True, "2", "pitch pairs vs target"
    ),
    Dimension("coverage_fit", coverage_fit, 1.0, True, "2", "sounding time and channels"),
    Dimension("silence_fit", silence_fit, 1.5, True, "1", "rests vs target, no silent bars"),
)
"""The constraint-fit dimensions of the default scorer, with their default weights."""

V1_DIMENSIONS: Final = (
    Dimension("key_compliance", key_profile_fit, 2.0, True, "1", "fit to the target key"),
    Dimension("density_fit", density_fit, 1.0, True, "1", "notes per beat vs target"),
    Dimension("register_fit", register_range_fit, 1.0, True, "1", "pitches inside the register"),
    Dimension("velocity_fit", velocity_range_fit, 0.5, True, "1", "velocities inside the range"),
    Dimension(
        "pitch_pair_diversity", pitch_pair_diversity_v1, 1.0, True, "1", "distinct pitch pairs"
    ),
    Dimension("channel_coverage", channel_coverage, 1.0, True, "1", "expected channels used"),
    Dimension("bar_coverage", bar_coverage, 1.5, True, "1", "bars with sound (no silence)"),
)
"""The version 1 dimensions (the default scorer's before version 2), for old runs."""
