"""Rejection sampling over a generation backend, fulfilment reports, A/B comparison.

(:class:`FulfillmentReport`, :func:`fulfillment_report`,
:class:`GenerationComparison` and :func:`compare_generations` live in
:mod:`storpheus.scoring.reports` and are re-exported here.)

:func:`rejection_sample` asks a backend for candidates, scores each batch
in one vectorised call and keeps the best:

* ``num_candidates`` per attempt, generated ``batch_size`` at a time;
* ``early_accept``: stop generating as soon as a candidate scores at least
  this much;
* ``floor``: when an attempt's best is below it, regenerate (a new attempt
  with new seeds), up to ``max_attempts``;
* ``threshold``: the result is ``accepted`` when its best score reaches it.

Seeds: attempt 0, batch 0 is the request itself, so its candidates are the
ones ``backend.generate(request)`` returns; later batches and attempts use
``derive_seed(request.seed, "attempt", a, "batch", b)``. The run is a pure
function of the request, the scorer and the parameters.

Example
-------
>>> from storpheus.backends.base import GenerationRequest
>>> from storpheus.backends.testing import SeededTestBackend
>>> request = GenerationRequest(role="bass", bars=2, seed=11, key="E minor", num_candidates=4)
>>> result = rejection_sample(SeededTestBackend(), request, threshold=0.3)
>>> result.attempts, len(result.candidates), result.accepted
(1, 4, True)
>>> result.best.seed in [c.seed for c in result.candidates]
True
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd

from storpheus.backends.base import Candidate, GenerationRequest, MusicGeneratorBackend
from storpheus.errors import BackendError, InvalidRequestError, SamplingError, StorpheusError
from storpheus.jsontypes import JSONObject
from storpheus.notes import NoteArray
from storpheus.scoring import ScoreCard, ScoreCards, Scorer, ScoringParams
from storpheus.scoring.reports import (
    FulfillmentReport,
    GenerationComparison,
    compare_generations,
    fulfillment_report,
)
from storpheus.seeding import derive_seed

StopReason = Literal["early_accept", "floor_reached", "max_attempts", "complete"]


@dataclass(frozen=True)
class SampledCandidate:
    """One candidate that rejection sampling saw, with where it came from and its card."""

    attempt: int
    batch: int
    candidate: Candidate
    card: ScoreCard

    @property
    def seed(self) -> int:
        """The candidate's own seed."""
        return self.candidate.seed

    @property
    def total(self) -> float:
        """Its total score."""
        return self.card.total


@dataclass(frozen=True)
class BestCandidate:
    """The winner of rejection sampling, with what post-processing needs (``BestCandidate``).

    The Orpheus Space's Gradio outputs (``midi_result``, ``midi_path``,
    ``parsed``) are not kept: a candidate carries its notes and controller
    events directly. ``batch_idx`` is the candidate's index within
    its backend call; ``position`` its index among everything sampled.
    """

    candidate: Candidate
    card: ScoreCard
    attempt: int
    batch: int
    batch_idx: int
    position: int

    @property
    def notes(self) -> NoteArray:
        """The winning notes."""
        return self.candidate.notes

    @property
    def flat_notes(self) -> list[dict[str, float | int]]:
        """The notes as snake_case dicts, one per note (JSON-ready)."""
        return self.candidate.notes.to_dicts()

    @property
    def score(self) -> float:
        """Its total score."""
        return self.card.total


@dataclass(frozen=True, eq=False)
class RejectionSamplingResult:
    """What :func:`rejection_sample` found: the winner, every score, and why it stopped.

    Attributes
    ----------
    best, best_score, best_card, best_position:
        The winning candidate, its total, its card and its position in
        :attr:`candidates`.
    all_scores:
        The total of every candidate, in generation order.
    attempts:
        Number of attempts made (1 + regenerations).
    accepted:
        Whether ``best_score >= threshold``.
    candidates:
        Every candidate seen, with attempt, batch, seed and card.
    cards:
        The same cards as one :class:`~storpheus.scoring.ScoreCards`.
    stop_reason:
        ``"early_accept"``, ``"floor_reached"`` (an attempt's best reached the
        floor), ``"max_attempts"`` (still below the floor) or ``"complete"``
        (no floor).
    """

    best: Candidate
    best_score: float
    best_card: ScoreCard
    best_position: int
    all_scores: tuple[float, ...]
    attempts: int
    accepted: bool
    candidates: tuple[SampledCandidate, ...]
    cards: ScoreCards
    backend_id: str
    scorer_id: str
    threshold: float
    stop_reason: StopReason

    @property
    def best_result(self) -> Candidate:
        """Alias of :attr:`best`."""
        return self.best

    @property
    def best_candidate(self) -> BestCandidate:
        """The winner with its card and where it came from."""
        seen = self.candidates[self.best_position]
        return BestCandidate(
            candidate=seen.candidate,
            card=seen.card,
            attempt=seen.attempt,
            batch=seen.batch,
            batch_idx=seen.candidate.index,
            position=self.best_position,
        )

    def decisions(self) -> tuple[str, ...]:
        """Per candidate, in plain words, why it was chosen or rejected."""
        out = []
        for i, seen in enumerate(self.candidates):
            if i == self.best_position:
                verdict = "accepted" if self.accepted else "below threshold"
                out.append(f"chosen ({verdict}: {self.best_score:.3f} vs {self.threshold:.3f})")
            elif seen.card.error is not None:
                out.append(f"rejected: invalid ({seen.card.error})")
            elif seen.total == self.best_score:
                out.append("rejected: tie with an earlier candidate")
            else:
                out.append(f"rejected: total {seen.total:.3f} < best {self.best_score:.3f}")
        return tuple(out)

    def to_pandas(self) -> pd.DataFrame:
        """Every candidate's card with ``attempt``, ``batch``, ``chosen`` and ``decision``."""
        frame = self.cards.to_pandas()
        frame.insert(1, "attempt", [c.attempt for c in self.candidates])
        frame.insert(2, "batch", [c.batch for c in self.candidates])
        frame["chosen"] = np.arange(len(frame)) == self.best_position
        frame["decision"] = self.decisions()
        return frame

    def summary(self) -> JSONObject:
        """A JSON-ready summary (telemetry's generation row)."""
        return {
            "backend_id": self.backend_id,
            "scorer_id": self.scorer_id,
            "attempts": self.attempts,
            "candidates": len(self.candidates),
            "accepted": self.accepted,
            "threshold": self.threshold,
            "best_position": self.best_position,
            "best_seed": self.best.seed,
            "best_score": self.best_score,
            "stop_reason": self.stop_reason,
        }


BatchCallback = Callable[[int, int, ScoreCards], None]


def rejection_sample(
    backend: MusicGeneratorBackend,
    request: GenerationRequest,
    scorer: Scorer | None = None,
    params: ScoringParams | None = None,
    *,
    num_candidates: int | None = None,
    threshold: float = 0.0,
    early_accept: float | None = None,
    floor: float | None = None,
    max_attempts: int = 3,
    batch_size: int | None = None,
    on_batch: BatchCallback | None = None,
) -> RejectionSamplingResult:
    """Generate, score and keep the best candidate (see the module docstring).

    Parameters
    ----------
    backend, request:
        Where candidates come from and what is asked.
    scorer, params:
        How they are scored (default: :class:`Scorer` and
        :meth:`ScoringParams.from_request`).
    num_candidates:
        Candidates per attempt (default ``request.num_candidates``).
    threshold:
        Score in [0, 1] at which the best counts as accepted.
    early_accept:
        Score in [0, 1] at which generation stops at once.
    floor:
        Score in [0, 1] below which an attempt's best triggers regeneration.
    max_attempts:
        Most attempts, counting the first.
    batch_size:
        Candidates per backend call (default: all of an attempt's).
    on_batch:
        Called as ``on_batch(attempt, batch, cards)`` after each backend call.

    Raises
    ------
    InvalidRequestError
        A parameter is out of range, or the backend refuses the request.
    BackendError
        The backend failed (raised, reported failure, or broke its contract).
    SamplingError
        No candidate could be scored.
    """
    _check_unit("threshold", threshold)
    for name, value in (("early_accept", early_accept), ("floor", floor)):
        if value is not None:
            _check_unit(name, value)
    per_attempt = request.num_candidates if num_candidates is None else num_candidates
    _check_count("num_candidates", per_attempt)
    _check_count("max_attempts", max_attempts)
    size = per_attempt if batch_size is None else batch_size
    _check_count("batch_size", size)
    scorer = scorer or Scorer()
    params = params or ScoringParams.from_request(request)

    seen: list[SampledCandidate] = []
    parts: list[ScoreCards] = []
    best_total = -math.inf
    stop: StopReason = "complete"
    attempt = 0
    for attempt in range(max_attempts):
        remaining, batch = per_attempt, 0
        while remaining > 0:
            n = min(size, remaining)
            sub = replace(request, seed=_seed(request.seed, attempt, batch), num_candidates=n)
            candidates = _generate(backend, sub, attempt, batch)
            cards = scorer.score(list(candidates), params)
            parts.append(cards)
            seen.extend(
                SampledCandidate(attempt, batch, c, cards.card(i)) for i, c in enumerate(candidates)
            )
            if on_batch is not None:
                on_batch(attempt, batch, cards)
            if np.isfinite(cards.totals).any():
                best_total = max(best_total, float(np.nanmax(cards.totals)))
            remaining, batch = remaining - n, batch + 1
            if early_accept is not None and best_total >= early_accept:
                stop = "early_accept"
                break
        if stop == "early_accept":
            break
        if floor is None:
            break
        if best_total >= floor:
            stop = "floor_reached"
            break
        stop = "max_attempts"

    all_cards = ScoreCards.concat(parts)
    if not np.isfinite(all_cards.totals).any():
        raise SamplingError(
            f"none of the {len(seen)} candidates from {backend.backend_id} could be scored"
        )
    position = all_cards.best_index()
    best = seen[position]
    return RejectionSamplingResult(
        best=best.candidate,
        best_score=best.total,
        best_card=best.card,
        best_position=position,
        all_scores=tuple(float(t) for t in all_cards.totals),
        attempts=attempt + 1,
        accepted=best.total >= threshold,
        candidates=tuple(seen),
        cards=all_cards,
        backend_id=backend.backend_id,
        scorer_id=scorer.scorer_id,
        threshold=threshold,
        stop_reason=stop,
    )


def _seed(base: int, attempt: int, batch: int) -> int:
    if attempt == 0 and batch == 0:
        return base
    return derive_seed(base, "attempt", attempt, "batch", batch)


def _generate(
    backend: MusicGeneratorBackend, request: GenerationRequest, attempt: int, batch: int
) -> tuple[Candidate, ...]:
    where = f"attempt {attempt}, batch {batch}"
    try:
        result = backend.generate(request)
    except StorpheusError:
        raise
    except Exception as exc:
        raise BackendError(backend.backend_id, f"{where}: {type(exc).__name__}: {exc}") from exc
    if not result.success:
        raise BackendError(backend.backend_id, f"{where}: {result.error or 'reported failure'}")
    got = len(result.candidates)
    if got != request.num_candidates:
        raise BackendError(
            backend.backend_id,
            f"{where}: returned {got} candidates, {request.num_candidates} asked",
        )
    return result.candidates


def _check_unit(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        raise InvalidRequestError(name, value, "must be a score in [0, 1]")


def _check_count(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidRequestError(name, value, "must be an integer >= 1")


__all__ = [
    "BestCandidate",
    "FulfillmentReport",
    "GenerationComparison",
    "RejectionSamplingResult",
    "SampledCandidate",
    "compare_generations",
    "fulfillment_report",
    "rejection_sample",
]
