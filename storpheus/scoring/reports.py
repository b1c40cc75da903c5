"""Fulfilment reports and A/B comparison of candidates.

:func:`fulfillment_report` says how well one candidate met its
:class:`~storpheus.scoring.params.ScoringParams` targets, in numbers (goal
scores) and in words (violations); :func:`compare_generations` scores two
candidates alike and names the winner. Both are re-exported by
:mod:`storpheus.sampling`.

Example
-------
>>> from storpheus.notes import NoteArray
>>> from storpheus.scoring import ScoringParams
>>> params = ScoringParams(bars=2, target_key="C major", expected_channels=1)
>>> report = fulfillment_report(NoteArray([60, 64, 67], 90, [0, 1, 2], 1.0), params)
>>> report.constraint_violations
('silent bars: 2',)
>>> compare_generations(NoteArray([60, 64], 90, [0, 4], 4.0),
...                     NoteArray([61, 66], 90, [0, 4], 4.0), params).winner
'a'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from storpheus.backends.base import Candidate
from storpheus.jsontypes import JSONObject
from storpheus.notes import NoteArray
from storpheus.scoring.batch import CandidateBatch
from storpheus.scoring.cards import ScoreCard, ScoreCards
from storpheus.scoring.params import ScoringParams
from storpheus.scoring.scorer import CandidateInput, Scorer, as_scorable


@dataclass(frozen=True)
class FulfillmentReport:
    """How well a candidate met its targets.

    ``goal_scores`` holds every applicable dimension (0-1), ``score`` the
    scorer's total, ``constraint_violations`` plain-language findings and
    ``coverage_pct`` the percentage of expected channels used.
    """

    goal_scores: Mapping[str, float]
    constraint_violations: tuple[str, ...]
    coverage_pct: float
    score: float

    @property
    def satisfied(self) -> bool:
        """No constraint is violated."""
        return not self.constraint_violations

    def to_dict(self) -> JSONObject:
        """Snake_case JSON: goal scores, violations, coverage, ``satisfied`` and ``score``."""
        return {
            "goal_scores": dict(self.goal_scores),
            "constraint_violations": list(self.constraint_violations),
            "coverage_pct": self.coverage_pct,
            "satisfied": self.satisfied,
            "score": self.score,
        }


def fulfillment_report(
    candidate: CandidateInput,
    params: ScoringParams,
    *,
    scorer: Scorer | None = None,
    min_key_compliance: float = 0.9,
    density_tolerance: float = 0.5,
) -> FulfillmentReport:
    """Check one candidate against its targets and say what it misses.

    Violations name concrete facts: pitched notes outside the register,
    velocities outside the range, silent bars, missing channels, a density
    off the target by more than ``density_tolerance`` (relative), key
    compliance below ``min_key_compliance``. Values and thresholds are printed
    with as many decimals as it takes to tell them apart (see
    :func:`format_pair`).
    """
    card = (scorer or Scorer()).score_one(candidate, params)
    batch = CandidateBatch.from_items([as_scorable(candidate)])
    notes = batch.notes(0)
    pitched = notes[~batch.is_drum[batch.order]] if len(notes) else notes
    violations: list[str] = []
    if len(notes) == 0:
        violations.append("the candidate has no notes")
    key_fit = card.dimensions.get("key_compliance", math.nan)
    if params.key is not None and not math.isnan(key_fit) and key_fit < min_key_compliance:
        outside = int((~params.key.contains(pitched.pitch)).sum()) if len(pitched) else 0
        value, limit = format_pair(key_fit, min_key_compliance)
        violations.append(
            f"key compliance {value} is below the minimum {limit} for {params.key.name} "
            f"({outside} of {len(pitched)} pitched notes outside the scale)"
        )
    if params.register_center is not None and len(pitched):
        spread = 12 if params.register_spread is None else params.register_spread
        low, high = params.register_center - spread, params.register_center + spread
        out = int(((pitched.pitch < low) | (pitched.pitch > high)).sum())
        if out:
            violations.append(f"{out} of {len(pitched)} notes outside the register {low}-{high}")
    floor, ceiling = params.velocity_floor, params.velocity_ceiling
    if (floor is not None or ceiling is not None) and len(notes):
        lo, hi = floor or 0, 127 if ceiling is None else ceiling
        out = int(((notes.velocity < lo) | (notes.velocity > hi)).sum())
        if out:
            violations.append(f"{out} of {len(notes)} velocities outside {lo}-{hi}")
    if params.target_density is not None:
        density = len(notes) / params.total_beats
        if abs(density / params.target_density - 1.0) > density_tolerance:
            value, target = format_pair(density, params.target_density)
            violations.append(
                f"density {value} notes/beat is off the target {target} by more than "
                f"{density_tolerance:.0%}"
            )
    silent = _silent_bars(notes, params)
    if silent:
        violations.append(f"silent bars: {', '.join(str(b + 1) for b in silent)}")
    used = len(np.unique(notes.channel))
    if used < params.expected_channels:
        violations.append(f"{used} of {params.expected_channels} expected channels used")
    return FulfillmentReport(
        goal_scores={k: v for k, v in card.dimensions.items() if not math.isnan(v)},
        constraint_violations=tuple(violations),
        coverage_pct=100.0 * min(1.0, used / params.expected_channels),
        score=card.total,
    )


def format_pair(value: float, reference: float, *, decimals: int = 2) -> tuple[str, str]:
    """Both numbers with the fewest decimals (at least ``decimals``) that tell them apart.

    >>> format_pair(0.4999, 0.5)
    ('0.4999', '0.5000')
    >>> format_pair(0.31, 0.5)
    ('0.31', '0.50')
    """
    for places in range(decimals, 10):
        a, b = f"{value:.{places}f}", f"{reference:.{places}f}"
        if a != b or value == reference:
            return a, b
    return repr(value), repr(reference)


def _silent_bars(notes: NoteArray, params: ScoringParams) -> list[int]:
    bpb, bars = params.beats_per_bar, params.bars
    first = np.floor(notes.start_beat / bpb + 1e-9).astype(np.int64)
    last = np.ceil(notes.end_beat / bpb - 1e-9).astype(np.int64) - 1
    inside = first < bars
    change = np.zeros(bars + 1, dtype=np.int64)
    np.add.at(change, first[inside], 1)
    np.add.at(change, np.minimum(np.maximum(last, first), bars - 1)[inside] + 1, -1)
    silent: list[int] = np.flatnonzero(np.cumsum(change)[:bars] == 0).tolist()
    return silent


# -------------------------------------------------------------- comparison
@dataclass(frozen=True)
class GenerationComparison:
    """Result of comparing two candidates.

    ``generation_a`` / ``generation_b`` hold each candidate's total,
    applicable dimensions and defined metrics; ``confidence`` is the
    difference of the totals relative to the larger (0 = identical, 1 = one
    of them scored 0).
    """

    generation_a: Mapping[str, float]
    generation_b: Mapping[str, float]
    winner: Literal["a", "b", "tie"]
    confidence: float

    def to_dict(self) -> JSONObject:
        """Snake_case JSON: both candidates' values, the winner and the confidence."""
        return {
            "generation_a": dict(self.generation_a),
            "generation_b": dict(self.generation_b),
            "winner": self.winner,
            "confidence": self.confidence,
        }


def compare_generations(
    a: CandidateInput,
    b: CandidateInput,
    params: ScoringParams | None = None,
    *,
    scorer: Scorer | None = None,
    tie_margin: float = 0.02,
) -> GenerationComparison:
    """Score two candidates alike and say which is better and how decisively.

    Without ``params``, both are scored for their own length with no key,
    register, density or velocity targets. Totals closer than ``tie_margin``
    are a tie.
    """
    if params is None:
        batch = CandidateBatch.from_items([_as_items(a), _as_items(b)])
        end = float(batch.end_beat.max()) if batch.n_notes else 4.0
        params = ScoringParams(
            bars=max(1, math.ceil(end / 4.0 - 1e-9)), target_key=None, expected_channels=1
        )
    cards = (scorer or Scorer()).score([a, b], params, on_invalid="raise")
    first, second = cards.card(0), cards.card(1)
    ta, tb = first.total, second.total
    top = max(ta, tb)
    confidence = 0.0 if top <= 0 else min(1.0, abs(ta - tb) / top)
    winner: Literal["a", "b", "tie"] = (
        "tie" if abs(ta - tb) < tie_margin else ("a" if ta > tb else "b")
    )
    return GenerationComparison(
        generation_a=_quality(first),
        generation_b=_quality(second),
        winner=winner,
        confidence=confidence,
    )


def _as_items(candidate: CandidateInput) -> Candidate | NoteArray:
    item = as_scorable(candidate)
    if isinstance(item, Candidate | NoteArray):
        return item
    return CandidateBatch.from_items([item]).notes(0)


def _quality(card: ScoreCard) -> dict[str, float]:
    values = {"total": card.total}
    values.update({k: v for k, v in card.dimensions.items() if not math.isnan(v)})
    values.update({k: v for k, v in card.metrics.items() if not math.isnan(v)})
    return values


# ------------------------------------------------------------ per generation
@dataclass(frozen=True)
class GenerationReport:
    """What one generation's choice met and how it compares with the runner-up.

    ``fulfillment`` is the chosen candidate's :class:`FulfillmentReport`;
    ``comparison`` compares the chosen candidate (``a``) with the
    second-best valid candidate (``b``), ``None`` when there is none.
    """

    chosen: int
    runner_up: int | None
    fulfillment: FulfillmentReport
    comparison: GenerationComparison | None

    def to_dict(self) -> JSONObject:
        """JSON-ready dict: chosen and runner-up positions, both reports."""
        return {
            "chosen": self.chosen,
            "runner_up": self.runner_up,
            "fulfillment": self.fulfillment.to_dict(),
            "comparison": None if self.comparison is None else self.comparison.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> GenerationReport:
        """Rebuild from :meth:`to_dict` output (as stored in telemetry)."""
        fulfil = _mapping(data.get("fulfillment"), "fulfillment")
        comp = data.get("comparison")
        goal = _mapping(fulfil.get("goal_scores"), "fulfillment.goal_scores")
        violations = fulfil.get("constraint_violations")
        if not isinstance(violations, Sequence) or isinstance(violations, str):
            raise ValueError("fulfillment.constraint_violations must be a list")
        fulfillment = FulfillmentReport(
            goal_scores={str(k): float(str(v)) for k, v in goal.items()},
            constraint_violations=tuple(str(v) for v in violations),
            coverage_pct=float(str(fulfil["coverage_pct"])),
            score=float(str(fulfil["score"])),
        )
        comparison = None
        if isinstance(comp, Mapping):
            ga = _mapping(comp.get("generation_a"), "comparison.generation_a")
            gb = _mapping(comp.get("generation_b"), "comparison.generation_b")
            winner = str(comp["winner"])
            comparison = GenerationComparison(
                generation_a={str(k): float(str(v)) for k, v in ga.items()},
                generation_b={str(k): float(str(v)) for k, v in gb.items()},
                winner="a" if winner == "a" else "b" if winner == "b" else "tie",
                confidence=float(str(comp["confidence"])),
            )
        runner = data.get("runner_up")
        return cls(
            chosen=int(str(data["chosen"])),
            runner_up=None if runner is None else int(str(runner)),
            fulfillment=fulfillment,
            comparison=comparison,
        )


def _mapping(value: object, where: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{where} must be an object, got {type(value).__name__}")
    return value


def generation_report(
    candidates: Sequence[CandidateInput],
    cards: ScoreCards,
    params: ScoringParams,
    *,
    chosen: int | None = None,
    scorer: Scorer | None = None,
) -> GenerationReport:
    """The report of one generation: the chosen candidate's fulfilment and its A/B.

    The comparison is against the runner-up (the best other valid candidate).
    ``chosen`` defaults to ``cards.best_index()``; ``scorer`` should be the
    scorer that produced ``cards``.
    """
    pick = cards.best_index() if chosen is None else chosen
    ranking = [int(i) for i in cards.ranking()]
    others = [i for i in ranking if i != pick and not np.isnan(cards.totals[i])]
    runner = others[0] if others else None
    fulfil = fulfillment_report(candidates[pick], params, scorer=scorer)
    comparison = (
        None
        if runner is None
        else compare_generations(candidates[pick], candidates[runner], params, scorer=scorer)
    )
    return GenerationReport(pick, runner, fulfil, comparison)
