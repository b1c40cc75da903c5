"""Score cards: the total, every dimension and every metric of each candidate.

:class:`ScoreCards` holds one column per value for a whole batch (what
:meth:`Scorer.score <storpheus.scoring.scorer.Scorer.score>` returns);
:class:`ScoreCard` is one candidate's row. Both turn into plain dicts and
cards into a DataFrame for notebooks and telemetry.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from storpheus.errors import ScoringError
from storpheus.jsontypes import JSONObject
from storpheus.scoring.batch import F64
from storpheus.scoring.params import ScoringParams


@dataclass(frozen=True)
class ScoreCard:
    """One candidate's scores.

    ``total`` is NaN (and ``error`` says why) when the candidate could not be
    read as notes. Dimension values are NaN when the dimension does not apply.
    """

    index: int
    total: float
    dimensions: Mapping[str, float]
    metrics: Mapping[str, float]
    scorer_id: str
    seed: int | None = None
    error: str | None = None

    @property
    def valid(self) -> bool:
        """Whether the candidate was scored."""
        return self.error is None

    def to_dict(self) -> JSONObject:
        """A JSON-ready dict (NaN as ``None``)."""
        return {
            "index": self.index,
            "seed": self.seed,
            "total": _json_float(self.total),
            "dimensions": {k: _json_float(v) for k, v in self.dimensions.items()},
            "metrics": {k: _json_float(v) for k, v in self.metrics.items()},
            "scorer_id": self.scorer_id,
            "error": self.error,
        }


def _json_float(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


@dataclass(frozen=True, eq=False)
class ScoreCards:
    """Scores of a batch of candidates, one array per value.

    Attributes
    ----------
    scorer_id, scorer_name:
        Which scorer produced them.
    params:
        The targets they were scored against.
    totals:
        Weighted mean of the applicable dimensions, in [0, 1] (NaN = invalid).
    dimensions, metrics:
        One array per dimension / metric, in column order.
    weights:
        The effective weight of each dimension.
    errors:
        Per candidate, why it could not be scored (``None`` when it was).
    seeds:
        Per candidate, its seed when it came from a backend.
    """

    scorer_id: str
    scorer_name: str
    params: ScoringParams
    totals: F64
    dimensions: Mapping[str, F64]
    metrics: Mapping[str, F64]
    weights: Mapping[str, float]
    errors: tuple[str | None, ...]
    seeds: tuple[int | None, ...] = field(default=())

    def __len__(self) -> int:
        return int(self.totals.shape[0])

    @property
    def valid(self) -> np.ndarray[tuple[int], np.dtype[np.bool_]]:
        """Which candidates were scored."""
        return np.array([e is None for e in self.errors], dtype=bool)

    def best_index(self) -> int:
        """Index of the highest total (ties: the lowest index); NaN totals never win.

        Raises
        ------
        ScoringError
            No candidate could be scored.
        """
        if len(self) == 0 or np.isnan(self.totals).all():
            raise ScoringError("no valid candidate to choose from")
        return int(np.nanargmax(self.totals))

    @property
    def best_total(self) -> float:
        """The highest total."""
        return float(self.totals[self.best_index()])

    def ranking(self) -> np.ndarray[tuple[int], np.dtype[np.intp]]:
        """Indices from best to worst (stable for ties; invalid candidates last)."""
        key = np.where(np.isnan(self.totals), np.inf, -self.totals)
        return np.argsort(key, kind="stable")

    def card(self, index: int) -> ScoreCard:
        """The card of candidate ``index``."""
        if not -len(self) <= index < len(self):
            raise IndexError(f"candidate {index} out of range for {len(self)} cards")
        i = index % len(self)
        return ScoreCard(
            index=i,
            total=float(self.totals[i]),
            dimensions={k: float(v[i]) for k, v in self.dimensions.items()},
            metrics={k: float(v[i]) for k, v in self.metrics.items()},
            scorer_id=self.scorer_id,
            seed=self.seeds[i] if self.seeds else None,
            error=self.errors[i],
        )

    def __iter__(self) -> Iterator[ScoreCard]:
        return (self.card(i) for i in range(len(self)))

    def to_pandas(self, *, metrics: bool = True) -> pd.DataFrame:
        """One row per candidate: candidate, seed, total, dimensions, metrics, error."""
        columns: dict[str, object] = {"candidate": np.arange(len(self))}
        columns["seed"] = pd.array(
            list(self.seeds) if self.seeds else [None] * len(self), dtype="Int64"
        )
        columns["total"] = self.totals
        columns.update(self.dimensions)
        if metrics:
            columns.update(self.metrics)
        columns["error"] = list(self.errors)
        frame = pd.DataFrame(columns)
        frame.attrs["scorer_id"] = self.scorer_id
        return frame

    def to_records(self) -> list[JSONObject]:
        """Every card as a JSON-ready dict (telemetry rows)."""
        return [self.card(i).to_dict() for i in range(len(self))]

    @classmethod
    def concat(cls, parts: Sequence[ScoreCards]) -> ScoreCards:
        """Join cards scored by the same scorer against the same params."""
        if not parts:
            raise ScoringError("nothing to concatenate")
        first = parts[0]
        for other in parts[1:]:
            if other.scorer_id != first.scorer_id or other.params != first.params:
                raise ScoringError("cannot join cards from different scorers or params")
        return cls(
            scorer_id=first.scorer_id,
            scorer_name=first.scorer_name,
            params=first.params,
            totals=np.concatenate([p.totals for p in parts]),
            dimensions={
                k: np.concatenate([p.dimensions[k] for p in parts]) for k in first.dimensions
            },
            metrics={k: np.concatenate([p.metrics[k] for p in parts]) for k in first.metrics},
            weights=first.weights,
            errors=tuple(e for p in parts for e in p.errors),
            seeds=tuple(s for p in parts for s in (p.seeds or (None,) * len(p))),
        )
