"""The style profile: everything the planner and the renderers know about one style.

One :class:`StyleProfile` per style serves every path: the planner reads the
tempo, key, roles, groove, harmony pools, arrangement form, emotion preset
and mix from it, and the embedded backend renders from the same profile
(groove, swing, pattern families, registers, programs). Role-level defaults
shared by every style (registers, programs, MIDI channels) are here too.

Example
-------
>>> from storpheus.styles import get_style
>>> jazz = get_style("jazz")
>>> jazz.default_tempo, jazz.default_key, jazz.groove, jazz.drum_kit
(132, 'Bb major', 'jazz_swing', 'jazz_brushes')
>>> jazz.program("bass"), jazz.program("drums")
(32, 0)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

ROLES: Final = ("drums", "bass", "chords", "keys", "pads", "melody", "lead", "arp", "fx")
"""Roles a style can voice (the embedded backend renders each)."""

PITCHED_ROLES: Final = tuple(r for r in ROLES if r != "drums")
"""Every role but drums."""

DEFAULT_STYLE: Final = "pop"
"""The style an unknown style name falls back to."""

DEFAULT_REGISTERS: Final[dict[str, tuple[int, int]]] = {
    "bass": (28, 52),
    "chords": (50, 79),
    "keys": (43, 84),
    "pads": (48, 79),
    "melody": (60, 84),
    "lead": (64, 91),
    "arp": (55, 88),
    "fx": (36, 96),
}
"""Default pitch register (low, high) of each pitched role."""

DEFAULT_PROGRAMS: Final[dict[str, int]] = {
    "drums": 0,
    "bass": 33,
    "chords": 0,
    "keys": 0,
    "pads": 89,
    "melody": 73,
    "lead": 81,
    "arp": 81,
    "fx": 99,
}
"""Default General MIDI program (0-based) of each role."""

ROLE_CHANNELS: Final[dict[str, int]] = {
    "melody": 0,
    "bass": 1,
    "chords": 2,
    "keys": 3,
    "pads": 4,
    "lead": 5,
    "arp": 6,
    "fx": 7,
    "drums": 9,
}
"""MIDI channel each role's notes carry (drums on the GM percussion channel)."""

Emotion = tuple[float, float, float, float, float]
"""Energy, valence, tension, intimacy, motion (each 0-1)."""


@dataclass(frozen=True)
class StyleProfile:
    """Everything the planner and the renderers need to know about one style.

    Identity and defaults
        ``id`` (``"boom_bap"``), display ``name``, ``aliases``; the default
        tempo and its usual range, the default key and the roles a prompt
        without ``Role`` gets.
    Rhythm and drum kit
        ``groove`` names the drum groove family (its layers are the kit:
        which GM keys play, e.g. ride 51 and pedal hi-hat 44 in
        ``jazz_swing``); ``drum_kit`` is the kit's name on the DAW track;
        swing ratio and unit, the subdivision, the drum density.
    Harmony
        ``harmonic_rhythm`` (chords per bar); the planner's progression
        pools as Roman numerals counted on the tonic's *major* scale
        (``bVII`` in C minor is B-flat); the renderer's fallback
        progressions as scale degrees (0 = tonic) for a request that brings
        no chord schedule; sevenths/ninths; the chord ``voicing``.
    Roles
        pattern family of each renderer (``bass``, ``chords``, ``keys``,
        ``pads``, ``melody``, ``lead``, ``arp``, ``fx``; the planner writes
        ``melody`` into the melody spec, so both paths play one vocabulary)
        and the bass spec style the planner sizes bass density with
        (``bass_style``); legato, rest and leap tendencies, velocity range,
        registers and GM programs.
    Arrangement and mix
        arrangement ``form`` family, ``emotion`` preset, insert ``effects``.
    """

    id: str
    name: str
    aliases: tuple[str, ...]
    default_tempo: int
    tempo_range: tuple[int, int]
    default_key: str
    default_roles: tuple[str, ...]
    groove: str
    drum_kit: str = "standard"
    swing: float = 0.5
    swing_unit: float = 0.25
    subdivision: int = 4
    drum_density: float = 0.5
    harmonic_rhythm: float = 1.0
    extended_harmony: bool = False
    major_progressions: tuple[str, ...] = ("I V vi IV",)
    minor_progressions: tuple[str, ...] = ("i bVI bIII bVII",)
    degree_progressions_major: tuple[tuple[int, ...], ...] = ((0, 4, 5, 3),)
    degree_progressions_minor: tuple[tuple[int, ...], ...] = ((0, 5, 2, 6),)
    sevenths: bool = False
    ninths: bool = False
    voicing: str = "close"
    bass: str = "pumping"
    bass_style: str = "root_fifth"
    lock_to_kick: bool = False
    chords: str = "pop"
    keys: str = "piano"
    pads: str = "sustain"
    melody: str = "lyrical"
    lead: str = "riff"
    pentatonic: bool = False
    legato: float = 0.9
    arp: str = "up"
    arp_subdivision: int = 4
    fx: str = "riser"
    rest_density: float = 0.2
    leap_probability: float = 0.2
    velocity: tuple[int, int] = (60, 110)
    registers: tuple[tuple[str, int, int], ...] = ()
    programs: tuple[tuple[str, int], ...] = ()
    form: str = "song"
    emotion: Emotion = (0.5, 0.5, 0.5, 0.5, 0.5)
    effects: tuple[tuple[str, tuple[str, ...]], ...] = ()
    notes: str = ""
    extra: tuple[tuple[str, float], ...] = ()

    def register(self, role: str) -> tuple[int, int]:
        """The (low, high) pitch register of a pitched ``role`` in this style."""
        for name, low, high in self.registers:
            if name == role:
                return low, high
        return DEFAULT_REGISTERS[role]

    def program(self, role: str) -> int:
        """The GM program (0-based) of ``role`` in this style (0 for drums and unknown roles)."""
        for name, program in self.programs:
            if name == role:
                return program
        return DEFAULT_PROGRAMS.get(role, 0)

    def effects_for(self, role: str) -> tuple[str, ...]:
        """The style's insert effects for a role."""
        return dict(self.effects).get(role, ())

    def progressions(self, minor: bool) -> tuple[str, ...]:
        """The Roman-numeral progression pool for a minor-family or major-family key."""
        return self.minor_progressions if minor else self.major_progressions

    def degree_progressions(self, minor: bool) -> tuple[tuple[int, ...], ...]:
        """The renderer's fallback progressions (scale degrees) for a minor or major key."""
        return self.degree_progressions_minor if minor else self.degree_progressions_major

    def param(self, name: str, default: float) -> float:
        """A style-specific tuning value from :attr:`extra`."""
        for key, value in self.extra:
            if key == name:
                return value
        return default


__all__ = [
    "DEFAULT_PROGRAMS",
    "DEFAULT_REGISTERS",
    "DEFAULT_STYLE",
    "PITCHED_ROLES",
    "ROLES",
    "ROLE_CHANNELS",
    "Emotion",
    "StyleProfile",
]
