"""Scoring targets: what the plan expects of every generation, one target per dimension.

Rejection sampling can only choose well when every constraint-fit dimension
has a target to measure against; without one a dimension is NaN (density)
or saturates at 1 (a range every candidate sits in). :func:`generation_targets`
derives a :class:`GenerationTargets` for one generation step of a plan, a
pure function of the plan (style, section kind and emotion, the role and its
constraints), and :func:`scoring_params` turns it into the
:class:`~storpheus.scoring.ScoringParams` the agents score candidates with.

===================  ==========================================================
dimension            target (``e`` = section energy, ``m`` = motion, ``t`` =
                     tension, ``sub`` = the style's subdivision, ``rest`` =
                     the role's rest density, ``dd`` = its drum density)
===================  ==========================================================
key_compliance       the plan's key (none for drums: unpitched)
density_fit          notes per beat by role: drums ``sub * (0.4 + 0.8 dd)``,
                     bass ``sub * (1 - rest) * 0.35``, melody/lead ``sub * (1 -
                     rest) * 0.4``, arp ``sub * 0.9``, chords ``voices * chords
                     per beat * (2 - rest)``, pads ``voices * chords per
                     beat``; times the section kind's factor (intro 0.8,
                     chorus 1.15, drop 1.2, breakdown 0.7...) and ``0.85 +
                     0.3 e``
register_fit         the role's register centre and spread from the plan's
                     constraints (role register shifted by mood); none for drums
velocity_fit         the constraints' velocity range (energy and intimacy) and
                     a mean velocity ``floor + (ceiling - floor) * (0.3 + 0.4 e
                     + 0.2 t)``
pitch_pair_diversity distinct pitch pairs by role (drums 0.08, bass 0.5, chords
                     0.45, pads 0.35, melody 0.65, lead 0.7, arp 0.4) plus
                     ``0.3 * (leap probability - 0.2)``
coverage_fit         sounding share by role (drums 0.6, bass 0.8, chords 0.88,
                     pads 0.95, melody 0.72, lead 0.7, arp 0.8) minus ``0.2 *
                     (rest - 0.35)``; one channel
silence_fit          empty onset-grid steps: ``rest`` plus a role offset (drums
                     -0.1, bass 0.45, chords 0.55, pads 0.65, melody 0.4, lead
                     0.35, arp 0.15); no silent bars
===================  ==========================================================

Every value is clipped to its valid range and rounded to 4 decimals, so the
targets (and the scoring parameters' hash) are identical on every machine.

Example
-------
>>> from maestro_lab.planner import plan_prompt  # doctest: +SKIP
>>> targets = generation_targets(plan, plan.generations[0])  # doctest: +SKIP
>>> targets.frame()  # one row per dimension  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from storpheus.scoring import ScoringParams

if TYPE_CHECKING:
    import pandas as pd

    from maestro_lab.planner.model import CompositionPlan, GenerationStep
    from storpheus.backends.base import GenerationRequest

SECTION_DENSITY: Final[dict[str, float]] = {
    "intro": 0.8,
    "verse": 1.0,
    "pre_chorus": 1.05,
    "prechorus": 1.05,
    "chorus": 1.15,
    "hook": 1.15,
    "drop": 1.2,
    "build": 1.1,
    "bridge": 0.9,
    "breakdown": 0.7,
    "outro": 0.75,
}
"""Density factor per section kind (1.0 for kinds not listed)."""

ROLE_DIVERSITY: Final[dict[str, float]] = {
    "drums": 0.08,
    "bass": 0.5,
    "chords": 0.45,
    "pads": 0.35,
    "melody": 0.65,
    "lead": 0.7,
    "arp": 0.4,
    "fx": 0.5,
}
ROLE_COVERAGE: Final[dict[str, float]] = {
    "drums": 0.6,
    "bass": 0.8,
    "chords": 0.88,
    "pads": 0.95,
    "melody": 0.72,
    "lead": 0.7,
    "arp": 0.8,
    "fx": 0.6,
}
ROLE_SILENCE: Final[dict[str, float]] = {
    "drums": -0.1,
    "bass": 0.45,
    "chords": 0.55,
    "pads": 0.65,
    "melody": 0.4,
    "lead": 0.35,
    "arp": 0.15,
    "fx": 0.5,
}
UNPITCHED: Final = frozenset({"drums"})


@dataclass(frozen=True)
class GenerationTargets:
    """The targets of one generation, one per constraint-fit dimension.

    ``None`` means the dimension does not apply (key and register of an
    unpitched role). :meth:`frame` lists them with the basis of each.
    """

    generation: str
    role: str
    key: str | None
    density: float
    register_center: int | None
    register_spread: int | None
    velocity_floor: int
    velocity_ceiling: int
    velocity: float
    diversity: float
    coverage: float
    silence: float
    channels: int = 1

    def basis(self) -> dict[str, str]:
        """Dimension -> how its target was derived (one phrase each)."""
        pitched = self.role not in UNPITCHED
        return {
            "key_compliance": "the plan's key" if pitched else "not applicable: unpitched role",
            "density_fit": "role, style subdivision, section kind and energy",
            "register_fit": "role register shifted by the section's mood"
            if pitched
            else "not applicable: unpitched role",
            "velocity_fit": "velocity range and level from energy and emotion",
            "pitch_pair_diversity": "role and leap probability (tension, energy)",
            "coverage_fit": "role and rest density; every expected channel",
            "silence_fit": "rest density (motion, energy, intimacy) and role; no silent bars",
        }

    def values(self) -> dict[str, str | float | int | None]:
        """Dimension -> its target as one printable value."""
        register = (
            None
            if self.register_center is None
            else f"{self.register_center}±{self.register_spread}"
        )
        return {
            "key_compliance": self.key,
            "density_fit": self.density,
            "register_fit": register,
            "velocity_fit": f"{self.velocity:g} in {self.velocity_floor}-{self.velocity_ceiling}",
            "pitch_pair_diversity": self.diversity,
            "coverage_fit": self.coverage,
            "silence_fit": self.silence,
        }

    def frame(self) -> pd.DataFrame:
        """One row per dimension: generation, role, dimension, target, basis."""
        import pandas as pd

        basis = self.basis()
        rows = [
            {
                "generation": self.generation,
                "role": self.role,
                "dimension": name,
                "target": None if value is None else str(value),
                "basis": basis[name],
            }
            for name, value in self.values().items()
        ]
        return pd.DataFrame(rows, columns=["generation", "role", "dimension", "target", "basis"])


def _clip(value: float, low: float, high: float) -> float:
    return round(min(high, max(low, value)), 4)


def _density(plan: CompositionPlan, step: GenerationStep) -> float:
    section = plan.section(step.section)
    c = step.constraints
    energy = section.emotion.energy
    sub = c.subdivision
    rest = c.rest_density
    voices = 4.0 if c.chord_extensions else 3.0
    chords_per_beat = c.harmonic_rhythm / plan.beats_per_bar
    role = step.role
    if role == "drums":
        base = sub * (0.4 + 0.8 * c.drum_density)
    elif role == "bass":
        base = sub * (1.0 - rest) * 0.35
    elif role in ("melody", "lead", "fx"):
        base = sub * (1.0 - rest) * 0.4
    elif role == "arp":
        base = sub * 0.9
    elif role == "pads":
        base = voices * chords_per_beat
    else:  # chords
        base = voices * chords_per_beat * (2.0 - rest)
    factor = SECTION_DENSITY.get(section.kind, 1.0) * (0.85 + 0.3 * energy)
    return _clip(base * factor, 0.05, 32.0)


def generation_targets(plan: CompositionPlan, step: GenerationStep | str) -> GenerationTargets:
    """The targets of one generation step of ``plan`` (see the module docstring)."""
    chosen = plan.step(step) if isinstance(step, str) else step
    section = plan.section(chosen.section)
    c = chosen.constraints
    role = chosen.role
    pitched = role not in UNPITCHED
    emotion = section.emotion
    level = 0.3 + 0.4 * emotion.energy + 0.2 * emotion.tension
    velocity = c.velocity_floor + (c.velocity_ceiling - c.velocity_floor) * level
    return GenerationTargets(
        generation=chosen.id,
        role=role,
        key=plan.key if pitched else None,
        density=_density(plan, chosen),
        register_center=c.register_center if pitched else None,
        register_spread=c.register_spread if pitched else None,
        velocity_floor=c.velocity_floor,
        velocity_ceiling=c.velocity_ceiling,
        velocity=_clip(velocity, 1.0, 127.0),
        diversity=_clip(
            ROLE_DIVERSITY.get(role, 0.5) + 0.3 * (c.leap_probability - 0.2), 0.02, 0.98
        ),
        coverage=_clip(ROLE_COVERAGE.get(role, 0.7) - 0.2 * (c.rest_density - 0.35), 0.05, 0.99),
        silence=_clip(c.rest_density + ROLE_SILENCE.get(role, 0.4), 0.02, 0.98),
    )


def scoring_params(
    plan: CompositionPlan, step: GenerationStep | str, request: GenerationRequest
) -> ScoringParams:
    """The :class:`~storpheus.scoring.ScoringParams` of one generation: every target set."""
    targets = generation_targets(plan, step)
    return ScoringParams(
        bars=request.bars,
        target_key=targets.key,
        expected_channels=targets.channels,
        target_density=targets.density,
        register_center=targets.register_center,
        register_spread=targets.register_spread,
        velocity_floor=targets.velocity_floor,
        velocity_ceiling=targets.velocity_ceiling,
        target_velocity=targets.velocity,
        target_diversity=targets.diversity,
        target_coverage=targets.coverage,
        target_silence=targets.silence,
        subdivision=request.constraints.subdivision if request.constraints else 4,
        beats_per_bar=request.beats_per_bar,
        role=request.role,
    )


def plan_targets(plan: CompositionPlan) -> pd.DataFrame:
    """Every generation's targets: one row per (generation, dimension)."""
    import pandas as pd

    frames = [generation_targets(plan, step).frame() for step in plan.generations]
    if not frames:
        return pd.DataFrame(columns=["generation", "role", "dimension", "target", "basis"])
    return pd.concat(frames, ignore_index=True)


__all__ = ["GenerationTargets", "generation_targets", "plan_targets", "scoring_params"]
