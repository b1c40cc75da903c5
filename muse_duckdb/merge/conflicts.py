"""Merge conflicts and the three-way choice every merge step makes.

A :class:`Conflict` names its kind, where it is (property path, or region,
pitch and beat) and the base / ours / theirs values. :class:`Resolver`
performs the elementary three-way choice and records conflicts; with a
strategy (``"ours"`` or ``"theirs"``) it resolves each conflict by taking
that side and still records it, so callers can report what was overridden.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeVar

from muse_duckdb.model.commit import JSONValue

Strategy = Literal["ours", "theirs"]
STRATEGIES: tuple[Strategy, ...] = ("ours", "theirs")

ConflictKind = Literal[
    "note_modify_modify",
    "note_remove_modify",
    "note_add_add",
    "event_add_add",
    "region_delete_modify",
    "region_placement",
    "region_on_deleted_track",
    "track_delete_modify",
    "track_property",
    "track_order",
    "global_property",
]

T = TypeVar("T")


@dataclass(frozen=True)
class Conflict:
    """One conflict of a three-way merge.

    Attributes
    ----------
    kind:
        What collided (see :data:`ConflictKind`): both sides modified the same
        note differently (``note_modify_modify``), one removed a note the
        other modified (``note_remove_modify``), both added different notes
        at the same pitch and onset (``note_add_add``), a structural property
        changed differently (``global_property``, ``track_property``,
        ``region_placement``), something deleted on one side and changed on
        the other (``*_delete_modify``)...
    path:
        Property path or region id (``"bpm"``, ``"tracks.bass.program"``,
        ``"regions.bass/verse"``).
    region_id, track_id, pitch, beat:
        Location of a note or event conflict (``beat`` on the project timeline).
    base, ours, theirs:
        The three values (notes as wire dicts, ``None`` when absent).
    """

    kind: ConflictKind
    path: str
    base: JSONValue = None
    ours: JSONValue = None
    theirs: JSONValue = None
    region_id: str | None = None
    track_id: str | None = None
    pitch: int | None = None
    beat: float | None = None

    @property
    def location(self) -> str:
        """Human-readable location."""
        if self.pitch is not None and self.beat is not None:
            return f"region {self.region_id!r}, pitch {self.pitch} at beat {self.beat:g}"
        return self.path

    def __str__(self) -> str:
        return f"{self.kind} at {self.location} (ours={self.ours!r}, theirs={self.theirs!r})"

    def to_dict(self) -> dict[str, JSONValue]:
        """JSON-ready dict (camelCase)."""
        return {
            "kind": self.kind,
            "path": self.path,
            "location": self.location,
            "regionId": self.region_id,
            "trackId": self.track_id,
            "pitch": self.pitch,
            "beat": self.beat,
            "base": self.base,
            "ours": self.ours,
            "theirs": self.theirs,
        }


class Resolver:
    """Three-way choices with conflict recording (and optional resolution)."""

    def __init__(self, strategy: Strategy | None) -> None:
        if strategy is not None and strategy not in STRATEGIES:
            raise ValueError(f"strategy={strategy!r}: expected one of {STRATEGIES} or None")
        self.strategy = strategy
        self.conflicts: list[Conflict] = []

    def pick(
        self,
        base: T,
        ours: T,
        theirs: T,
        conflict: Conflict,
    ) -> T:
        """The merged value: the side that changed, or the agreed value.

        When both changed it differently, ``conflict`` is recorded and the
        strategy's side is returned (ours when there is no strategy; the
        caller then discards the result).
        """
        if ours == theirs:
            return ours
        if ours == base:
            return theirs
        if theirs == base:
            return ours
        self.add(conflict)
        return theirs if self.strategy == "theirs" else ours

    def add(self, conflict: Conflict) -> None:
        """Record a conflict found elsewhere."""
        self.conflicts.append(conflict)

    def side(self, ours: T, theirs: T) -> T:
        """The strategy's side of a recorded conflict (ours without a strategy)."""
        return theirs if self.strategy == "theirs" else ours
