"""How the instrument agents sample and finish their parts (recorded with every commit).

:class:`AgentOptions` holds everything besides the plan, the backend and the
scorer that can change what an agent writes: the rejection-sampling
parameters of :func:`storpheus.sampling.rejection_sample` and whether the
seeded expressiveness pass runs. It is recorded in the commit metadata and
in the run's parameters, and :func:`~maestro_lab.runtime.reproduce.reproduce`
runs with the recorded values. The worker count is not here: it changes
nothing in the output.

Example
-------
>>> options = AgentOptions(threshold=0.7)
>>> AgentOptions.from_dict(options.to_dict()) == options
True
>>> AgentOptions(threshold=2.0)
Traceback (most recent call last):
...
ValueError: AgentOptions.threshold=2.0 must be a score in [0, 1]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import JsonValue


@dataclass(frozen=True)
class AgentOptions:
    """Rejection sampling and finishing settings of every instrument agent.

    Parameters
    ----------
    threshold:
        Score in [0, 1] at which a section's best candidate counts as accepted.
    early_accept:
        Stop generating a section as soon as a candidate scores this much.
    floor:
        Regenerate a section (new seeds) while its best is below this score.
    max_attempts:
        Most attempts per section when ``floor`` is set (counting the first).
    batch_size:
        Candidates per backend call (default: all of an attempt's at once).
    expressive:
        Run the seeded expressiveness pass (humanised velocity and timing,
        CC automation, pitch-bend scoops) after post-processing.
    """

    threshold: float = 0.6
    early_accept: float | None = None
    floor: float | None = None
    max_attempts: int = 3
    batch_size: int | None = None
    expressive: bool = True

    def __post_init__(self) -> None:
        for name in ("threshold", "early_accept", "floor"):
            value = getattr(self, name)
            if value is None and name != "threshold":
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"AgentOptions.{name}={value!r} must be a score in [0, 1]")
            if not 0.0 <= float(value) <= 1.0:
                raise ValueError(f"AgentOptions.{name}={value!r} must be a score in [0, 1]")
        for name in ("max_attempts", "batch_size"):
            value = getattr(self, name)
            if value is None and name == "batch_size":
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"AgentOptions.{name}={value!r} must be an integer >= 1")

    def to_dict(self) -> dict[str, JsonValue]:
        """JSON-ready dict (inverse: :meth:`from_dict`)."""
        return {
            "threshold": self.threshold,
            "early_accept": self.early_accept,
            "floor": self.floor,
            "max_attempts": self.max_attempts,
            "batch_size": self.batch_size,
            "expressive": self.expressive,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, JsonValue]) -> AgentOptions:
        """Rebuild from :meth:`to_dict` output (unknown keys raise ``ValueError``)."""
        known = {"threshold", "early_accept", "floor", "max_attempts", "batch_size", "expressive"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown agent options {unknown}; known: {sorted(known)}")
        return cls(
            threshold=_number(data.get("threshold", 0.6), "threshold"),
            early_accept=_optional_number(data.get("early_accept"), "early_accept"),
            floor=_optional_number(data.get("floor"), "floor"),
            max_attempts=_integer(data.get("max_attempts", 3), "max_attempts"),
            batch_size=None
            if data.get("batch_size") is None
            else _integer(data.get("batch_size"), "batch_size"),
            expressive=bool(data.get("expressive", True)),
        )


def _number(value: JsonValue, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"AgentOptions.{name}={value!r} must be a number")
    return float(value)


def _optional_number(value: JsonValue, name: str) -> float | None:
    return None if value is None else _number(value, name)


def _integer(value: JsonValue, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"AgentOptions.{name}={value!r} must be an integer")
    return value


__all__ = ["AgentOptions"]
