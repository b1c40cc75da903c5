"""Scorers as values: dimensions + weights + version, with a stable id.

A :class:`Scorer` scores many candidates in one vectorised call and returns
:class:`~storpheus.scoring.cards.ScoreCards`: per candidate, the weighted
total, every dimension and (by default) the 14 MusPy metrics. Its
:attr:`~Scorer.scorer_id` hashes its configuration (name, version, metric
settings and each dimension's name, weight and function fingerprint), so
telemetry records exactly which scorer chose a candidate.

Example
-------
>>> from storpheus.notes import NoteArray
>>> from storpheus.scoring import Scorer, ScoringParams
>>> params = ScoringParams(bars=1, target_key="C major", expected_channels=1)
>>> in_key = NoteArray([60, 64, 67, 72], 90, [0, 1, 2, 3], 1.0)
>>> out_of_key = NoteArray([61, 66, 70, 63], 90, [0, 1, 2, 3], 1.0)
>>> cards = Scorer().score([in_key, out_of_key], params)
>>> cards.best_index()
0
>>> Scorer().scorer_id == Scorer().scorer_id
True

A scorer from plain functions, in a notebook:

>>> def high(notes, params):
...     return float((notes.pitch >= 72).mean()) if len(notes) else 0.0
>>> mine = Scorer.from_functions({"high": high}, name="high-notes")
>>> float(mine.score([in_key], params).dimensions["high"][0])
0.25
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pydantic

from storpheus.backends.base import Candidate
from storpheus.errors import (
    InvalidCandidateError,
    InvalidScoringParamsError,
    ScoringError,
)
from storpheus.models import notes_from_dicts
from storpheus.notes import NoteArray
from storpheus.score import Score, Track
from storpheus.scoring.batch import F64, CandidateBatch, Scorable
from storpheus.scoring.cards import ScoreCard, ScoreCards
from storpheus.scoring.dimensions import BUILTIN_DIMENSIONS, Dimension, NotesFunction
from storpheus.scoring.metrics import METRIC_NAMES
from storpheus.scoring.metrics_batch import batch_metrics
from storpheus.scoring.params import ScoringParams

CandidateInput = Scorable | pd.DataFrame | Sequence[Mapping[str, object]]
"""Anything :meth:`Scorer.score` accepts as one candidate (frames and dicts are validated)."""


@dataclass(frozen=True)
class Scorer:
    """A set of weighted dimensions (plus the MusPy metrics) with a stable id.

    Parameters
    ----------
    dimensions:
        The dimensions, in column order (default: the built-in
        constraint-fit dimensions).
    name, version:
        Human-readable identity, part of the id.
    include_metrics:
        Compute the 14 MusPy metrics into every card (informational; they do
        not enter the total unless a dimension uses them).
    resolution:
        Ticks per quarter note for the time-based metrics (``None``: a
        score's own resolution, 480 for bare notes).
    polyphony_threshold:
        ``threshold`` of the ``polyphony_rate`` metric.
    """

    dimensions: tuple[Dimension, ...] = BUILTIN_DIMENSIONS
    name: str = "default"
    version: str = "1"
    include_metrics: bool = True
    resolution: int | None = None
    polyphony_threshold: int = 2
    _id: str = field(default="", init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        dims = tuple(self.dimensions)
        object.__setattr__(self, "dimensions", dims)
        names = [d.name for d in dims]
        if not dims:
            raise ScoringError(f"scorer {self.name!r} has no dimensions")
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ScoringError(f"scorer {self.name!r}: duplicate dimension names {duplicates}")
        clash = sorted(set(names) & {*METRIC_NAMES, "total", "candidate", "seed", "error"})
        if clash:
            raise ScoringError(f"scorer {self.name!r}: dimension names {clash} are reserved")
        if not any(d.weight > 0 for d in dims):
            raise ScoringError(f"scorer {self.name!r}: every dimension has weight 0")
        if self.resolution is not None and self.resolution < 1:
            raise ScoringError(f"scorer {self.name!r}: resolution must be >= 1")
        text = json.dumps(self.config(), sort_keys=True, separators=(",", ":"))
        object.__setattr__(self, "_id", hashlib.sha256(text.encode()).hexdigest()[:16])

    # ------------------------------------------------------------ identity
    @property
    def scorer_id(self) -> str:
        """16 hex digits of SHA-256 over :meth:`config`."""
        return self._id

    def config(self) -> dict[str, object]:
        """The configuration the id hashes (JSON-ready)."""
        return {
            "name": self.name,
            "version": self.version,
            "include_metrics": self.include_metrics,
            "resolution": self.resolution,
            "polyphony_threshold": self.polyphony_threshold,
            "dimensions": [
                {"name": d.name, "weight": d.weight, "fn": d.fingerprint} for d in self.dimensions
            ],
        }

    @property
    def weights(self) -> dict[str, float]:
        """Dimension name -> weight."""
        return {d.name: d.weight for d in self.dimensions}

    # ------------------------------------------------------------ building
    @classmethod
    def from_functions(
        cls,
        functions: Mapping[str, NotesFunction | Dimension] | Sequence[NotesFunction | Dimension],
        *,
        weights: Mapping[str, float] | None = None,
        include_builtin: bool = False,
        name: str = "custom",
        version: str = "1",
        include_metrics: bool = True,
    ) -> Scorer:
        """A scorer from plain functions ``fn(notes, params) -> float in [0, 1]``.

        ``functions`` maps names to functions (or is a list, named by
        ``__name__``); :class:`Dimension` values are used as they are.
        ``include_builtin`` keeps the built-in dimensions in front.
        """
        items: list[tuple[str | None, NotesFunction | Dimension]] = (
            list(functions.items())
            if isinstance(functions, Mapping)
            else [(None, f) for f in functions]
        )
        dims = list(BUILTIN_DIMENSIONS) if include_builtin else []
        for key, fn in items:
            if isinstance(fn, Dimension):
                dims.append(fn if key is None else replace(fn, name=key))
            else:
                dims.append(Dimension(key or str(getattr(fn, "__name__", "dimension")), fn))
        scorer = cls(tuple(dims), name=name, version=version, include_metrics=include_metrics)
        return scorer.with_weights(**weights) if weights else scorer

    def with_weights(self, **weights: float) -> Scorer:
        """A copy with some dimension weights changed (unknown names raise)."""
        unknown = sorted(set(weights) - {d.name for d in self.dimensions})
        if unknown:
            raise ScoringError(
                f"unknown dimensions {unknown}; known: {[d.name for d in self.dimensions]}"
            )
        dims = tuple(
            d.with_weight(weights[d.name]) if d.name in weights else d for d in self.dimensions
        )
        return replace(self, dimensions=dims)

    def with_dimension(self, dim: Dimension | NotesFunction, **kwargs: object) -> Scorer:
        """A copy with one more dimension (a function is wrapped with ``kwargs``)."""
        extra = (
            dim
            if isinstance(dim, Dimension)
            else Dimension(
                str(kwargs.pop("name", getattr(dim, "__name__", "dimension"))),
                dim,
                **kwargs,  # type: ignore[arg-type]
            )
        )
        return replace(self, dimensions=(*self.dimensions, extra))

    def without(self, *names: str) -> Scorer:
        """A copy without the named dimensions."""
        return replace(self, dimensions=tuple(d for d in self.dimensions if d.name not in names))

    # ------------------------------------------------------------- scoring
    def score(
        self,
        candidates: Sequence[CandidateInput],
        params: ScoringParams,
        *,
        on_invalid: str = "nan",
    ) -> ScoreCards:
        """Score every candidate in one vectorised pass.

        A candidate that cannot be read as notes (a frame or dicts with NaN
        times, out-of-range pitches...) gets a NaN total and its ``error``
        when ``on_invalid="nan"`` (the default: a batch never stops half
        way), or raises :class:`InvalidCandidateError` naming its index when
        ``on_invalid="raise"``.
        """
        if not isinstance(params, ScoringParams):
            raise InvalidScoringParamsError("params", params, "must be a ScoringParams")
        if on_invalid not in ("nan", "raise"):
            raise InvalidScoringParamsError("on_invalid", on_invalid, "must be 'nan' or 'raise'")
        items, errors, seeds = _prepare(candidates, on_invalid == "raise")
        weights = self._effective_weights(params)
        batch = CandidateBatch.from_items(items, resolution=self.resolution)
        dims = {d.name: d.evaluate(batch, params) for d in self.dimensions}
        totals = _weighted_total(dims, weights, batch.size)
        metrics: dict[str, F64] = {}
        if self.include_metrics:
            metrics = batch_metrics(batch, key=params.key, threshold=self.polyphony_threshold)
        invalid = np.array([e is not None for e in errors], dtype=bool)
        if invalid.any():
            totals[invalid] = np.nan
            for values in (*dims.values(), *metrics.values()):
                values[invalid] = np.nan
        return ScoreCards(
            scorer_id=self.scorer_id,
            scorer_name=self.name,
            params=params,
            totals=totals,
            dimensions=dims,
            metrics=metrics,
            weights=weights,
            errors=errors,
            seeds=seeds,
        )

    def score_one(self, candidate: CandidateInput, params: ScoringParams) -> ScoreCard:
        """Score a single candidate (raises if it is invalid)."""
        return self.score([candidate], params, on_invalid="raise").card(0)

    def _effective_weights(self, params: ScoringParams) -> dict[str, float]:
        weights = self.weights
        if params.weights:
            unknown = sorted(set(params.weights) - set(weights))
            if unknown:
                raise InvalidScoringParamsError(
                    "weights",
                    unknown,
                    f"are not dimensions of scorer {self.name!r}: {list(weights)}",
                )
            weights.update(params.weights)
            if not any(w > 0 for w in weights.values()):
                raise InvalidScoringParamsError("weights", params.weights, "are all zero")
        return weights


def _weighted_total(dims: Mapping[str, F64], weights: Mapping[str, float], size: int) -> F64:
    names = [n for n in dims if weights[n] > 0]
    if not names:
        return np.zeros(size)
    values = np.stack([dims[n] for n in names])
    w = np.array([weights[n] for n in names])[:, None]
    applicable = ~np.isnan(values)
    num = (np.where(applicable, values, 0.0) * w).sum(axis=0)
    den = np.where(applicable, w, 0.0).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        total = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
    return np.clip(total, 0.0, 1.0)


def _prepare(
    candidates: Sequence[CandidateInput], strict: bool
) -> tuple[list[Scorable], tuple[str | None, ...], tuple[int | None, ...]]:
    if isinstance(candidates, Candidate | NoteArray | Score | Track | pd.DataFrame):
        raise InvalidScoringParamsError(
            "candidates", type(candidates).__name__, "must be a sequence of candidates"
        )
    items: list[Scorable] = []
    errors: list[str | None] = []
    seeds: list[int | None] = []
    for index, item in enumerate(candidates):
        seed = item.seed if isinstance(item, Candidate) else None
        try:
            items.append(as_scorable(item))
            errors.append(None)
        except (ValueError, TypeError, pydantic.ValidationError) as exc:
            reason = _first_line(exc)
            if strict:
                raise InvalidCandidateError(index, reason) from exc
            items.append(NoteArray.empty())
            errors.append(reason)
        seeds.append(seed)
    return items, tuple(errors), tuple(seeds)


def as_scorable(item: object) -> Scorable:
    """A candidate as something a batch takes (frames and note dicts are validated).

    Raises ``TypeError`` for anything else, and the validation error
    (a ``ValueError``) for invalid notes.
    """
    if isinstance(item, NoteArray | Score | Track | Candidate):
        return item
    if isinstance(item, pd.DataFrame):
        return NoteArray.from_pandas(item)
    if isinstance(item, Sequence) and not isinstance(item, str | bytes):
        return notes_from_dicts(item)
    raise TypeError(
        f"{type(item).__name__} is not a candidate; expected NoteArray, Candidate, Score, "
        "Track, a DataFrame of notes or a list of note dicts"
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    lines = [line for line in text.splitlines() if line.strip()]
    return " ".join(lines[:3]) if lines else type(exc).__name__


def default_scorer() -> Scorer:
    """The built-in constraint-fit scorer with default weights."""
    return Scorer()


def load_scorer(spec: str, *, search: Sequence[str | os.PathLike[str]] = ()) -> Scorer:
    """The scorer named by ``"package.module:name"`` (for CLIs such as ``rescore``).

    ``name`` may be a :class:`Scorer` or a function of no arguments returning
    one; ``"default"`` is :func:`default_scorer`. ``search`` lists folders
    searched first for the module (a command line passes the current folder,
    as ``python -m`` would). This imports the module, so call it only with a
    spec the user gave; a spec read back from a record resolves through
    :func:`storpheus.scoring.registry.registered_scorer` instead.

    >>> load_scorer("storpheus.scoring.scorer:default_scorer").scorer_id == Scorer().scorer_id
    True

    Raises
    ------
    ScoringError
        Malformed spec, missing module or attribute, or not a scorer.
    """
    import importlib

    if spec == "default":
        return default_scorer()
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise ScoringError(f"scorer spec {spec!r} must look like 'package.module:name'")
    import sys

    added = [str(Path(folder).resolve()) for folder in search]
    added = [folder for folder in added if folder not in sys.path]
    sys.path[:0] = added
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ScoringError(f"scorer spec {spec!r}: cannot import {module_name!r} ({exc})") from exc
    finally:
        for folder in added:
            sys.path.remove(folder)
    target = getattr(module, attr, None)
    if target is None:
        raise ScoringError(f"scorer spec {spec!r}: module {module_name!r} has no {attr!r}")
    if callable(target) and not isinstance(target, Scorer):
        try:
            target = target()
        except TypeError as exc:
            raise ScoringError(
                f"scorer spec {spec!r} names a function that cannot be called without "
                f"arguments ({exc}); name a Scorer or a function of no arguments returning one"
            ) from exc
    if not isinstance(target, Scorer):
        raise ScoringError(f"scorer spec {spec!r} names a {type(target).__name__}, not a Scorer")
    return target
