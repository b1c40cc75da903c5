r"""What a plan costs to run, and the limits that keep a prompt from asking for unbounded work.

A prompt that passes validation can still ask for a great deal of generation:
every generation step (one role in one section) samples ``candidates``
candidates of ``bars`` bars each. :class:`PlanCost` states that work (bars x
roles x candidates, the candidates and an estimate of the notes generated);
:func:`check_plan_cost` refuses a plan that exceeds :class:`PlanLimits` with a
:class:`PlanLimitError` naming the limit, the value and how to raise it.

:func:`maestro_lab.planner.plan` checks every plan against the limits in
force, so ``compose``, ``plan`` and the server share one guard. The defaults
are :data:`DEFAULT_LIMITS`; raise them deliberately for one block of code
with :func:`plan_limits` (the CLIs' ``--limit NAME=VALUE``), or pass
``limits=`` to :func:`~maestro_lab.planner.plan`.

======================  =======  ==============================================
Limit                   Default  What it counts
======================  =======  ==============================================
``max_bars``            256      bars of new material in the plan
``max_roles``           16       roles (tracks) the plan generates
``max_sections``        32       sections of the plan
``max_candidates``      64       candidates per generation
``max_candidate_bars``  8192     bars generated over all candidates of all steps
======================  =======  ==============================================

Example
-------
>>> from maestro_lab.planner import plan
>>> text = "MAESTRO PROMPT\nMode: compose\nRole: [drums, bass]\nConstraints: {bars: 8}"
>>> cost = plan_cost(plan(text))
>>> cost.generations, cost.candidates, cost.candidate_bars
(8, 32, 64)
>>> try:
...     with plan_limits(max_candidate_bars=32):
...         plan(text)
... except PlanLimitError as exc:
...     print(exc.limit, exc.value, exc.maximum)
max_candidate_bars 64 32
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Final

from maestro_lab.errors import PlanningError

if TYPE_CHECKING:
    from maestro_lab.planner.model import CompositionPlan

NOTES_PER_BAR: Final = {"drums": 16, "bass": 6, "chords": 8, "pads": 4, "arp": 16}
"""A rough upper estimate of notes per bar and candidate by role (others: 8)."""

_DEFAULT_NOTES_PER_BAR: Final = 8

_WHAT: Final = {
    "max_bars": "bars of new material",
    "max_roles": "roles",
    "max_sections": "sections",
    "max_candidates": "candidates per generation",
    "max_candidate_bars": "candidate-bars (bars x candidates over all generations)",
}


@dataclass(frozen=True)
class PlanLimits:
    """Upper bounds on the work one plan may ask for (see the module table)."""

    max_bars: int = 256
    max_roles: int = 16
    max_sections: int = 32
    max_candidates: int = 64
    max_candidate_bars: int = 8192

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{item.name}={value!r} must be a whole number >= 1")

    def raised(self, **changes: int) -> PlanLimits:
        """A copy with some limits changed (unknown names raise ``ValueError``)."""
        known = {item.name for item in fields(self)}
        for name in changes:
            if name not in known:
                raise ValueError(
                    f"unknown plan limit {name!r}; known limits: {', '.join(sorted(known))}"
                )
        return replace(self, **changes)


DEFAULT_LIMITS: Final = PlanLimits()
_CURRENT: ContextVar[PlanLimits] = ContextVar("maestro_lab_plan_limits", default=DEFAULT_LIMITS)


@dataclass(frozen=True)
class PlanCost:
    """The work a plan asks for.

    ``candidate_bars`` is the sum over generation steps of bars x candidates:
    the quantity generation time and memory grow with. ``estimated_notes`` is a
    rough upper estimate (:data:`NOTES_PER_BAR` per candidate-bar).
    """

    bars: int
    roles: int
    sections: int
    candidates_per_generation: int
    generations: int
    candidates: int
    candidate_bars: int
    estimated_notes: int

    def to_dict(self) -> dict[str, int]:
        """CamelCase JSON (the ``cost`` of ``maestro-lab plan --json``)."""
        return {
            "bars": self.bars,
            "roles": self.roles,
            "sections": self.sections,
            "candidatesPerGeneration": self.candidates_per_generation,
            "generations": self.generations,
            "candidates": self.candidates,
            "candidateBars": self.candidate_bars,
            "estimatedNotes": self.estimated_notes,
        }

    def summary(self) -> str:
        """One line: ``cost: 8 bars x 2 roles x 4 candidates = 64 candidate-bars...``."""
        return (
            f"cost: {self.bars} bars x {self.roles} roles x {self.candidates_per_generation} "
            f"candidates = {self.candidate_bars} candidate-bars; {self.generations} "
            f"generations, {self.candidates} candidates, about {self.estimated_notes} notes"
        )


class PlanLimitError(PlanningError, ValueError):
    """A plan that asks for more work than a limit allows.

    Attributes
    ----------
    limit:
        The limit's name (``"max_candidate_bars"``).
    value:
        What the plan asks for.
    maximum:
        The limit in force.
    """

    def __init__(self, limit: str, value: int, maximum: int) -> None:
        self.limit = limit
        self.value = value
        self.maximum = maximum
        super().__init__(
            f"the plan needs {value} {_WHAT.get(limit, limit)}, above the limit "
            f"{limit}={maximum}; ask for less, or raise it deliberately with "
            f"--limit {limit}={value} (CLI) or plan_limits({limit}={value}) (Python)"
        )


def plan_cost(plan: CompositionPlan) -> PlanCost:
    """The work ``plan`` asks for (pure arithmetic on the plan)."""
    generated = {step.role_key for step in plan.generations}
    bars = sum(s.bars for s in plan.sections) if plan.sections else plan.bars
    roles_by_key = {r.key: r.role for r in plan.roles}
    notes = 0
    candidate_bars = 0
    candidates = 0
    for step in plan.generations:
        n = len(step.candidate_seeds)
        candidates += n
        candidate_bars += step.bars * n
        role = roles_by_key.get(step.role_key, step.role)
        notes += step.bars * n * NOTES_PER_BAR.get(role, _DEFAULT_NOTES_PER_BAR)
    return PlanCost(
        bars=bars if plan.generations else 0,
        roles=len(generated),
        sections=len(plan.sections),
        candidates_per_generation=plan.num_candidates,
        generations=len(plan.generations),
        candidates=candidates,
        candidate_bars=candidate_bars,
        estimated_notes=notes,
    )


def current_limits() -> PlanLimits:
    """The limits in force (:data:`DEFAULT_LIMITS` unless :func:`plan_limits` raised them)."""
    return _CURRENT.get()


@contextmanager
def plan_limits(limits: PlanLimits | None = None, /, **changes: int) -> Iterator[PlanLimits]:
    """Use other limits inside a ``with`` block (``plan_limits(max_bars=512)``).

    Every :func:`~maestro_lab.planner.plan` in the block, including the ones
    :func:`maestro_lab.compose` runs, checks against them.
    """
    chosen = (limits or current_limits()).raised(**changes)
    token = _CURRENT.set(chosen)
    try:
        yield chosen
    finally:
        _CURRENT.reset(token)


def check_plan_cost(plan: CompositionPlan, limits: PlanLimits | None = None) -> PlanCost:
    """The plan's cost, or :class:`PlanLimitError` naming the first limit it exceeds."""
    limits = limits or current_limits()
    cost = plan_cost(plan)
    checks = (
        ("max_candidates", cost.candidates_per_generation if cost.generations else 0),
        ("max_roles", cost.roles),
        ("max_sections", cost.sections),
        ("max_bars", cost.bars),
        ("max_candidate_bars", cost.candidate_bars),
    )
    for name, value in checks:
        maximum = getattr(limits, name)
        if value > maximum:
            raise PlanLimitError(name, value, maximum)
    return cost


def check_requested_bars(bars: int) -> None:
    """Refuse early (before any per-bar planning) more bars than ``max_bars`` allows.

    A ``Sections: {verse: 1-2000000}`` edit asks the planner itself for
    unbounded work; this check runs before the plan is laid out bar by bar.
    """
    maximum = current_limits().max_bars
    if bars > maximum:
        raise PlanLimitError("max_bars", bars, maximum)


def parse_limit(text: str) -> tuple[str, int]:
    """``"max_bars=512"`` -> ``("max_bars", 512)`` (``ValueError`` naming the known limits)."""
    name, sep, value = text.partition("=")
    name = name.strip().replace("-", "_")
    known = [item.name for item in fields(PlanLimits)]
    if not name.startswith("max_") and f"max_{name}" in known:
        name = f"max_{name}"
    if not sep or name not in known:
        raise ValueError(f"--limit {text!r}: expected NAME=VALUE with NAME one of {known}")
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"--limit {text!r}: {value!r} is not a whole number") from None
    if number < 1:
        raise ValueError(f"--limit {text!r}: a limit must be >= 1")
    return name, number


__all__ = [
    "DEFAULT_LIMITS",
    "NOTES_PER_BAR",
    "PlanCost",
    "PlanLimitError",
    "PlanLimits",
    "check_plan_cost",
    "check_requested_bars",
    "current_limits",
    "parse_limit",
    "plan_cost",
    "plan_limits",
]
