"""``ScoringParams``: what a candidate is scored against.

The fields are the targets (``bars``, ``target_key``,
``expected_channels``, ``target_density``, ``register_center``,
``register_spread``, ``velocity_floor``, ``velocity_ceiling``) plus the bar
length, the role and per-request weight overrides. Everything is validated
on construction, so a wrong key name or a negative density fails here with
an :class:`~storpheus.errors.InvalidScoringParamsError` naming the field.

Example
-------
>>> params = ScoringParams(bars=8, target_key="A minor", expected_channels=1,
...                        register_center=60, register_spread=12)
>>> params.key.name, params.total_beats
('A minor', 32.0)
>>> ScoringParams(bars=8, target_key="H minor", expected_channels=1)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
storpheus.errors.InvalidScoringParamsError: target_key='H minor': ... a note letter A-G ...
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from storpheus.errors import InvalidScoringParamsError, KeyParseError
from storpheus.jsontypes import JSONObject
from storpheus.theory import Key, parse_key

if TYPE_CHECKING:
    from storpheus.backends.base import GenerationRequest


@dataclass(frozen=True)
class ScoringParams:
    """Targets a candidate is scored against.

    Parameters
    ----------
    bars:
        Number of bars the candidate should fill.
    target_key:
        Key name (``"F# minor"``, ``"D dorian"``...) or ``None`` (no key
        target, e.g. drums).
    expected_channels:
        Number of distinct MIDI channels the candidate should use (1-16).
    target_density:
        Target notes per beat, or ``None``.
    register_center, register_spread:
        Target pitch centre and the distance from it that is still in range
        (``None`` spread = 12 semitones).
    velocity_floor, velocity_ceiling:
        Acceptable velocity range (either may be ``None``).
    target_velocity:
        Target mean velocity (``None``: the middle of the range).
    target_diversity:
        Target share of distinct consecutive pitch pairs (0-1), or ``None``
        (the raw diversity is scored).
    target_coverage:
        Target share of the span during which a note sounds (0-1), or ``None``.
    target_silence:
        Target share of the onset grid's steps with no onset (0-1), or ``None``.
    subdivision:
        Steps per beat of the onset grid that ``silence_fit`` counts on.
    beats_per_bar:
        Quarter-note beats per bar (4.0 for 4/4, 3.0 for 6/8).
    role:
        The instrument role being scored, if known.
    weights:
        Per-request overrides of the scorer's dimension weights.
    """

    bars: int
    target_key: str | None
    expected_channels: int
    target_density: float | None = None
    register_center: int | None = None
    register_spread: int | None = None
    velocity_floor: int | None = None
    velocity_ceiling: int | None = None
    target_velocity: float | None = None
    target_diversity: float | None = None
    target_coverage: float | None = None
    target_silence: float | None = None
    subdivision: int = 4
    beats_per_bar: float = 4.0
    role: str | None = None
    weights: Mapping[str, float] | None = None
    _key: Key | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _integer("bars", self.bars, 1, 10_000)
        _integer("expected_channels", self.expected_channels, 1, 16)
        if self.target_key is not None:
            try:
                key = parse_key(self.target_key)
            except KeyParseError as exc:
                raise InvalidScoringParamsError("target_key", self.target_key, str(exc)) from exc
            object.__setattr__(self, "_key", key)
        if self.target_density is not None:
            _positive("target_density", self.target_density)
        if self.register_center is not None:
            _integer("register_center", self.register_center, 0, 127)
        if self.register_spread is not None:
            _integer("register_spread", self.register_spread, 0, 127)
        for name in ("velocity_floor", "velocity_ceiling"):
            value = getattr(self, name)
            if value is not None:
                _integer(name, value, 0, 127)
        if (
            self.velocity_floor is not None
            and self.velocity_ceiling is not None
            and self.velocity_floor > self.velocity_ceiling
        ):
            raise InvalidScoringParamsError(
                "velocity_floor",
                self.velocity_floor,
                f"exceeds velocity_ceiling={self.velocity_ceiling}",
            )
        if self.target_velocity is not None:
            _within("target_velocity", self.target_velocity, 0.0, 127.0)
        for name in ("target_diversity", "target_coverage", "target_silence"):
            value = getattr(self, name)
            if value is not None:
                _within(name, value, 0.0, 1.0)
        _integer("subdivision", self.subdivision, 1, 16)
        _positive("beats_per_bar", self.beats_per_bar)
        if self.weights is not None:
            clean: dict[str, float] = {}
            for name, weight in self.weights.items():
                if not isinstance(weight, int | float) or not math.isfinite(weight) or weight < 0:
                    raise InvalidScoringParamsError(
                        f"weights[{name!r}]", weight, "must be a finite number >= 0"
                    )
                clean[str(name)] = float(weight)
            object.__setattr__(self, "weights", dict(sorted(clean.items())))

    # ------------------------------------------------------------ queries
    @property
    def key(self) -> Key | None:
        """The parsed target key."""
        return self._key

    @property
    def total_beats(self) -> float:
        """Length of the target span in beats."""
        return self.bars * self.beats_per_bar

    def to_dict(self) -> JSONObject:
        """JSON-ready dict of every field (inverse: :meth:`from_dict`)."""
        return {
            "bars": self.bars,
            "target_key": self.target_key,
            "expected_channels": self.expected_channels,
            "target_density": self.target_density,
            "register_center": self.register_center,
            "register_spread": self.register_spread,
            "velocity_floor": self.velocity_floor,
            "velocity_ceiling": self.velocity_ceiling,
            "target_velocity": self.target_velocity,
            "target_diversity": self.target_diversity,
            "target_coverage": self.target_coverage,
            "target_silence": self.target_silence,
            "subdivision": self.subdivision,
            "beats_per_bar": self.beats_per_bar,
            "role": self.role,
            "weights": dict(self.weights) if self.weights is not None else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> ScoringParams:
        """Build from :meth:`to_dict` output (validated like the constructor)."""
        known = set(cls.__dataclass_fields__) - {"_key"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidScoringParamsError(
                "from_dict", unknown, f"unknown fields; known: {sorted(known)}"
            )
        return cls(**data)  # type: ignore[arg-type]

    def targets(self) -> dict[str, str | float | None]:
        """Built-in dimension name -> its target in words or numbers (``None``: not applicable).

        >>> ScoringParams(bars=4, target_key="C major", expected_channels=1,
        ...               target_density=2.0).targets()["density_fit"]
        2.0
        """
        register = None
        if self.register_center is not None:
            spread = 12 if self.register_spread is None else self.register_spread
            register = f"{self.register_center}±{spread}"
        goal = self.velocity_goal
        velocity = None
        if goal is not None:
            floor = 0 if self.velocity_floor is None else self.velocity_floor
            ceiling = 127 if self.velocity_ceiling is None else self.velocity_ceiling
            velocity = f"{goal:g} in {floor}-{ceiling}"
        return {
            "key_compliance": self.target_key,
            "density_fit": self.target_density,
            "register_fit": register,
            "velocity_fit": velocity,
            "pitch_pair_diversity": self.target_diversity,
            "coverage_fit": self.target_coverage,
            "silence_fit": self.target_silence,
        }

    @property
    def velocity_goal(self) -> float | None:
        """The mean velocity aimed at: ``target_velocity``, else the range's middle."""
        if self.target_velocity is not None:
            return self.target_velocity
        if self.velocity_floor is None and self.velocity_ceiling is None:
            return None
        floor = 0 if self.velocity_floor is None else self.velocity_floor
        ceiling = 127 if self.velocity_ceiling is None else self.velocity_ceiling
        return (floor + ceiling) / 2.0

    @property
    def params_hash(self) -> str:
        """SHA-256 of :meth:`to_dict` (stable across processes)."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    @classmethod
    def from_request(
        cls,
        request: GenerationRequest,
        *,
        expected_channels: int = 1,
        target_density: float | None = None,
        weights: Mapping[str, float] | None = None,
    ) -> ScoringParams:
        """Targets for the candidates of a generation request.

        The key is the request's key except for drums; register and velocity
        targets come from the request's constraints when it has them.
        """
        constraints = request.constraints
        drums = request.role == "drums"
        return cls(
            bars=request.bars,
            target_key=None if drums else request.key,
            expected_channels=expected_channels,
            target_density=target_density,
            register_center=None if drums or constraints is None else constraints.register_center,
            register_spread=None if drums or constraints is None else constraints.register_spread,
            velocity_floor=None if constraints is None else constraints.velocity_floor,
            velocity_ceiling=None if constraints is None else constraints.velocity_ceiling,
            subdivision=4 if constraints is None else constraints.subdivision,
            beats_per_bar=request.beats_per_bar,
            role=request.role,
            weights=weights,
        )


def _integer(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidScoringParamsError(name, value, f"must be an integer {low}-{high}")


def _within(name: str, value: object, low: float, high: float) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not low <= value <= high
    ):
        raise InvalidScoringParamsError(name, value, f"must be a number {low:g}-{high:g}")


def _positive(name: str, value: object) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise InvalidScoringParamsError(name, value, "must be a finite number > 0")
