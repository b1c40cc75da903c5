"""Expressiveness: seeded humanisation and controller automation.

:func:`apply_expressiveness` returns the notes with humanised velocity
(metric accents plus seeded jitter) and timing (seeded jitter), and freshly
generated automation: sustain pedal (CC 64) per bar for keyboard-like roles,
an expression swell (CC 11) over each bar, mod wheel (CC 1) vibrato ramps on
long notes and pitch-bend scoops into some notes of monophonic roles. All
randomness comes from the ``numpy.random.Generator`` passed in, so the same
generator state gives the same result. Everything is vectorised.

:meth:`Expression.to_dict` gives an ``ExpressivenessResult``
(``notes``, ``cc_events``, ``pitch_bends`` as lists of dicts);
:func:`apply_expressiveness_dicts` takes and returns note dicts in the key
style it was given (camelCase wire or snake_case). Nothing is mutated in
place: the result is new arrays.

Example
-------
>>> import numpy as np
>>> from storpheus.notes import NoteArray
>>> notes = NoteArray([60, 64, 67, 72], 90, [0.0, 1.0, 2.0, 3.0], 2.0)
>>> out = apply_expressiveness(notes, rng=np.random.default_rng(7), role="keys")
>>> len(out.notes), sorted(set(out.cc.number.tolist()))
(4, [11, 64])
>>> sorted(out.to_dict())
['cc_events', 'notes', 'pitch_bends']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, TypedDict

import numpy as np
import numpy.typing as npt

from storpheus.errors import PostProcessError
from storpheus.events import ControlChangeArray, PitchBendArray
from storpheus.midi_types import DRUM_CHANNEL
from storpheus.models import notes_from_dicts
from storpheus.notes import NoteArray

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

SUSTAIN_ROLES: Final = frozenset({"keys", "piano", "chords", "pads", "rhodes", "organ"})
VIBRATO_ROLES: Final = frozenset({"lead", "melody", "pads", "strings", "vocal"})
BEND_ROLES: Final = frozenset({"lead", "melody", "bass", "vocal"})


class ExpressivenessResult(TypedDict):
    """Expressive notes, CC events and pitch bends as lists of dicts (JSON-ready)."""

    notes: list[dict[str, float | int]]
    cc_events: list[dict[str, float | int]]
    pitch_bends: list[dict[str, float | int]]


@dataclass(frozen=True)
class ExpressivenessConfig:
    """How much expression to add; ``None`` switches a feature by role.

    Parameters
    ----------
    velocity_jitter:
        Standard deviation of the velocity noise.
    accent:
        Velocity added on downbeats (half on other beats, minus half off the beat).
    timing_jitter:
        Standard deviation of the onset noise, in beats (drums get half).
    sustain, mod_wheel, pitch_bends:
        Generate that automation; ``None`` = by role (:data:`SUSTAIN_ROLES`,
        :data:`VIBRATO_ROLES`, :data:`BEND_ROLES`).
    expression:
        Generate the CC 11 swell.
    cc_step:
        Beats between automation points.
    bend_depth:
        Depth of a pitch-bend scoop (of 8192 = the bend range).
    bend_probability:
        Share of eligible notes that get a scoop.
    """

    velocity_jitter: float = 5.0
    accent: float = 8.0
    timing_jitter: float = 0.01
    sustain: bool | None = None
    expression: bool = True
    mod_wheel: bool | None = None
    pitch_bends: bool | None = None
    cc_step: float = 0.25
    bend_depth: int = 1200
    bend_probability: float = 0.2

    def __post_init__(self) -> None:
        for name in ("velocity_jitter", "accent", "timing_jitter"):
            if getattr(self, name) < 0:
                raise PostProcessError("expressiveness", f"{name} must be >= 0")
        if not self.cc_step > 0:
            raise PostProcessError("expressiveness", "cc_step must be > 0")
        if not 0 <= self.bend_depth <= 8192:
            raise PostProcessError("expressiveness", "bend_depth must be within 0-8192")
        if not 0.0 <= self.bend_probability <= 1.0:
            raise PostProcessError("expressiveness", "bend_probability must be within 0-1")


@dataclass(frozen=True)
class Expression:
    """Humanised notes and the generated automation, columnar."""

    notes: NoteArray
    cc: ControlChangeArray
    bends: PitchBendArray

    def to_dict(self, *, wire: bool = False) -> ExpressivenessResult:
        """The result as an :class:`ExpressivenessResult` (note keys camelCase with ``wire``)."""
        return {
            "notes": self.notes.to_dicts(wire=wire),
            "cc_events": [
                {"cc": int(n), "beat": float(b), "value": int(v)}
                for n, b, v in zip(
                    self.cc.number.tolist(),
                    self.cc.beat.tolist(),
                    self.cc.value.tolist(),
                    strict=True,
                )
            ],
            "pitch_bends": [
                {"beat": float(b), "value": int(v)}
                for b, v in zip(self.bends.beat.tolist(), self.bends.value.tolist(), strict=True)
            ],
        }


def apply_expressiveness(
    notes: NoteArray,
    *,
    rng: np.random.Generator,
    role: str | None = None,
    config: ExpressivenessConfig | None = None,
    beats_per_bar: float = 4.0,
) -> Expression:
    """Humanise ``notes`` and generate CC and pitch-bend automation (see the module doc)."""
    if not isinstance(rng, np.random.Generator):
        raise PostProcessError("expressiveness", "rng must be a numpy.random.Generator")
    if not beats_per_bar > 0:
        raise PostProcessError("expressiveness", f"beats_per_bar={beats_per_bar} must be > 0")
    cfg = config or ExpressivenessConfig()
    role_name = (role or "").lower()
    notes = notes.sort()
    humanised = _humanise(notes, rng, cfg, beats_per_bar)
    pitched = humanised[humanised.channel != DRUM_CHANNEL] if len(humanised) else humanised
    cc_parts: list[tuple[I64, I64, F64]] = []
    if len(pitched):
        if _on(cfg.sustain, role_name, SUSTAIN_ROLES):
            cc_parts.append(_sustain(pitched, beats_per_bar))
        if cfg.expression:
            cc_parts.append(_expression(pitched, rng, cfg, beats_per_bar))
        if _on(cfg.mod_wheel, role_name, VIBRATO_ROLES):
            cc_parts.append(_mod_wheel(pitched, cfg))
    bends = PitchBendArray.empty()
    if len(pitched) and _on(cfg.pitch_bends, role_name, BEND_ROLES):
        bends = _scoops(pitched, rng, cfg)
    cc = ControlChangeArray.empty()
    if cc_parts:
        number = np.concatenate([p[0] for p in cc_parts])
        value = np.concatenate([p[1] for p in cc_parts])
        beat = np.concatenate([p[2] for p in cc_parts])
        cc = ControlChangeArray(number, value, beat).sort()
    return Expression(humanised, cc, bends)


def apply_expressiveness_dicts(
    notes: Sequence[Mapping[str, object]],
    *,
    rng: np.random.Generator,
    role: str | None = None,
    config: ExpressivenessConfig | None = None,
    beats_per_bar: float = 4.0,
) -> ExpressivenessResult:
    """Dict in, dict out: notes come back in the key style they came in (camelCase or not)."""
    wire = any("startBeat" in n for n in notes)
    result = apply_expressiveness(
        notes_from_dicts(notes), rng=rng, role=role, config=config, beats_per_bar=beats_per_bar
    )
    return result.to_dict(wire=wire)


def _on(setting: bool | None, role: str, roles: frozenset[str]) -> bool:
    return role in roles if setting is None else setting


def _humanise(
    notes: NoteArray, rng: np.random.Generator, cfg: ExpressivenessConfig, bpb: float
) -> NoteArray:
    if not len(notes):
        return notes
    n = len(notes)
    start = notes.start_beat
    in_bar = np.mod(start, bpb)
    downbeat = np.isclose(in_bar, 0.0, atol=1e-6) | np.isclose(in_bar, bpb, atol=1e-6)
    on_beat = np.isclose(start, np.round(start), atol=1e-6)
    accent = np.where(downbeat, cfg.accent, np.where(on_beat, cfg.accent / 2, -cfg.accent / 2))
    velocity = notes.velocity + accent + rng.normal(0.0, cfg.velocity_jitter, n)
    velocity = np.clip(np.rint(velocity), 1, 127)
    drums = notes.channel == DRUM_CHANNEL
    jitter = rng.normal(0.0, cfg.timing_jitter, n) * np.where(drums, 0.5, 1.0)
    new_start = np.maximum(0.0, start + jitter)
    return NoteArray(
        notes.pitch, velocity, new_start, notes.duration_beats, channel=notes.channel
    ).sort()


def _sustain(notes: NoteArray, bpb: float) -> tuple[I64, I64, F64]:
    """Pedal down at each bar with notes, lifted just before the next bar line."""
    bars = np.unique(np.floor(notes.start_beat / bpb).astype(np.int64))
    down = bars * bpb + 0.01
    up = (bars + 1) * bpb - 0.05
    beat = np.concatenate([down, up])
    value = np.concatenate([np.full(bars.size, 127), np.zeros(bars.size, dtype=np.int64)])
    return np.full(beat.size, 64, dtype=np.int64), value, beat


def _expression(
    notes: NoteArray, rng: np.random.Generator, cfg: ExpressivenessConfig, bpb: float
) -> tuple[I64, I64, F64]:
    """A swell over each bar: 80 at the bar line up to ~100 mid-bar, with a little noise."""
    end = float(notes.end_beat.max())
    beat = np.arange(0.0, end, cfg.cc_step)
    phase = np.mod(beat, bpb) / bpb
    value = 80 + 20 * np.sin(np.pi * phase) + rng.normal(0.0, 2.0, beat.size)
    value = np.clip(np.rint(value), 0, 127).astype(np.int64)
    keep = np.ones(beat.size, dtype=bool)
    keep[1:] = value[1:] != value[:-1]
    return np.full(int(keep.sum()), 11, dtype=np.int64), value[keep], beat[keep]


def _mod_wheel(notes: NoteArray, cfg: ExpressivenessConfig) -> tuple[I64, I64, F64]:
    """Vibrato ramps (0 -> 64) through each note of a beat or longer, reset at its end."""
    long = notes[notes.duration_beats >= 1.0]
    if not len(long):
        return (np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0))
    steps = np.maximum(1, np.floor(long.duration_beats / cfg.cc_step).astype(np.int64))
    owner = np.repeat(np.arange(len(long)), steps)
    k = np.arange(owner.size) - np.repeat(np.cumsum(steps) - steps, steps)
    beat = long.start_beat[owner] + k * cfg.cc_step
    value = np.rint(64 * k / steps[owner]).astype(np.int64)
    beat = np.concatenate([beat, long.end_beat])
    value = np.concatenate([value, np.zeros(len(long), dtype=np.int64)])
    return np.full(beat.size, 1, dtype=np.int64), value, beat


def _scoops(
    notes: NoteArray, rng: np.random.Generator, cfg: ExpressivenessConfig
) -> PitchBendArray:
    """Scoop into some notes: start flat by ``bend_depth`` and glide to centre in 0.1 beat."""
    eligible = np.flatnonzero(notes.duration_beats >= 0.5)
    chosen = eligible[rng.random(eligible.size) < cfg.bend_probability]
    if not chosen.size:
        return PitchBendArray.empty()
    glide = np.array([0.0, 0.025, 0.05, 0.075, 0.1])
    shape = np.array([1.0, 0.6, 0.3, 0.1, 0.0])
    beat = (notes.start_beat[chosen][:, None] + glide[None, :]).ravel()
    value = np.rint(-cfg.bend_depth * np.tile(shape, chosen.size)).astype(np.int64)
    return PitchBendArray(value, beat).sort()
