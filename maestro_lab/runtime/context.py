"""What an instrument agent knows when it generates a section (``CompositionContext``).

:class:`CompositionContext` holds the style, tempo, bars, key, section,
every role of the piece, the run id, this agent's role, the **previous
section's notes** of the same role (chaining) and, for the bass and chords
agents, the **drum telemetry** of the same section (:class:`DrumTelemetry`),
which is why the drum agent runs first.

:meth:`DrumTelemetry.from_notes` measures a drum part (columnar, no Python
loop per note): energy (0-1), density (notes per beat), the 16-step groove
vector of one bar, the kick onsets and a hash of the kick pattern, and the
rhythmic complexity (share of onsets off the beat, 0-1). The kick onsets
become the bass and chords requests' ``drum_kick_beats``.

Example
-------
>>> from storpheus.notes import NoteArray
>>> drums = NoteArray([36, 42, 38, 42, 36, 42, 38, 42], 100,
...                   [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5], 0.25, channel=9)
>>> t = DrumTelemetry.from_notes(drums, bars=1, beats_per_bar=4.0)
>>> t.kick_beats, t.density_score, round(t.rhythmic_complexity, 2)
((0.0, 2.0), 2.0, 0.5)
>>> t.groove_vector[:4]
(1.0, 0.0, 1.0, 0.0)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Final

import numpy as np
from pydantic import JsonValue

from storpheus.notes import NoteArray

KICK_PITCHES: Final = frozenset({35, 36})
"""GM kick drum keys (acoustic and bass drum 1)."""

KICK_LOCKED_ROLES: Final = frozenset({"bass", "chords"})
"""Roles whose requests receive the drum telemetry of their section."""

GROOVE_STEPS: Final = 16


@dataclass(frozen=True)
class DrumTelemetry:
    """The measured groove of one drum section (energy, density, groove, kick pattern).

    Attributes
    ----------
    energy_level:
        0-1: mean velocity scaled by how busy the part is.
    density_score:
        Notes per beat.
    groove_vector:
        16 steps per bar: how often an onset falls on each step, scaled so the
        busiest step is 1.
    kick_beats:
        Kick onsets in beats from the section start (sorted, unique).
    kick_pattern_hash:
        16 hex digits of SHA-256 over the kick onsets in 960 ticks per beat.
    rhythmic_complexity:
        0-1: share of onsets not on a beat.
    """

    energy_level: float
    density_score: float
    groove_vector: tuple[float, ...]
    kick_beats: tuple[float, ...]
    kick_pattern_hash: str
    rhythmic_complexity: float

    @classmethod
    def from_notes(cls, notes: NoteArray, *, bars: int, beats_per_bar: float) -> DrumTelemetry:
        """Measure a drum part whose times are relative to its section start."""
        total = max(bars * beats_per_bar, 1e-9)
        start = notes.start_beat
        n = len(notes)
        density = n / total
        mean_velocity = float(notes.velocity.mean()) / 127.0 if n else 0.0
        energy = float(np.clip(mean_velocity * min(1.0, density / 4.0) ** 0.5, 0.0, 1.0))
        step_len = beats_per_bar / GROOVE_STEPS
        steps = np.rint(np.mod(start, beats_per_bar) / step_len).astype(np.int64) % GROOVE_STEPS
        counts = np.bincount(steps, minlength=GROOVE_STEPS).astype(np.float64)
        peak = counts.max() if n else 0.0
        groove = counts / peak if peak > 0 else counts
        kicks = np.isin(notes.pitch, np.fromiter(KICK_PITCHES, np.int64))
        kick_beats = np.unique(np.round(start[kicks], 6))
        ticks = np.rint(kick_beats * 960).astype("<i8")
        kick_hash = hashlib.sha256(b"kicks.v1\0" + ticks.tobytes()).hexdigest()[:16]
        off_beat = ~np.isclose(start, np.round(start), atol=1e-3)
        complexity = float(off_beat.mean()) if n else 0.0
        return cls(
            energy_level=round(energy, 6),
            density_score=round(density, 6),
            groove_vector=tuple(round(float(v), 6) for v in groove),
            kick_beats=tuple(float(b) for b in kick_beats),
            kick_pattern_hash=kick_hash,
            rhythmic_complexity=round(complexity, 6),
        )

    def to_dict(self) -> dict[str, JsonValue]:
        """The ``drum_telemetry`` record: the measurements as snake_case JSON."""
        return {
            "energy_level": self.energy_level,
            "density_score": self.density_score,
            "groove_vector": list(self.groove_vector),
            "kick_pattern_hash": self.kick_pattern_hash,
            "rhythmic_complexity": self.rhythmic_complexity,
            "kick_beats": list(self.kick_beats),
        }


@dataclass(frozen=True)
class CompositionContext:
    """Everything an instrument agent is told about the piece when generating a section."""

    style: str
    tempo: int
    bars: int
    key: str | None
    section_key: str
    all_instruments: tuple[str, ...]
    composition_id: str
    role: str
    quality_preset: str = "balanced"
    previous_notes: NoteArray | None = field(default=None, compare=False)
    drum_telemetry: DrumTelemetry | None = None

    @property
    def kick_beats(self) -> tuple[float, ...] | None:
        """The drum kicks the request locks to (``None`` without drum telemetry)."""
        if self.drum_telemetry is None or not self.drum_telemetry.kick_beats:
            return None
        return self.drum_telemetry.kick_beats

    def to_dict(self) -> dict[str, JsonValue]:
        """JSON for telemetry and events (previous notes as a count)."""
        return {
            "style": self.style,
            "tempo": self.tempo,
            "bars": self.bars,
            "key": self.key,
            "section_key": self.section_key,
            "all_instruments": list(self.all_instruments),
            "composition_id": self.composition_id,
            "role": self.role,
            "quality_preset": self.quality_preset,
            "previous_notes": None if self.previous_notes is None else len(self.previous_notes),
            "drum_telemetry": None
            if self.drum_telemetry is None
            else self.drum_telemetry.to_dict(),
        }


__all__ = ["KICK_LOCKED_ROLES", "KICK_PITCHES", "CompositionContext", "DrumTelemetry"]
