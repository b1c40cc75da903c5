"""Style profiles and style-name resolution.

A :class:`StyleProfile` is the embedded backend's knowledge of one genre:
tempo, default key, drum groove family, swing, chord progressions, and the
pattern family each role renderer uses. The profiles themselves live in
:mod:`storpheus.backends.embedded.style_table`.

:func:`resolve_style` maps free text to a profile in four steps — exact
name, alias, substring, fallback to :data:`DEFAULT_STYLE` — and says which
step matched, so callers can warn on a fallback.

Example
-------
>>> resolve_style("Lo-Fi Hip Hop").style.name, resolve_style("Lo-Fi Hip Hop").match
('lofi', 'alias')
>>> resolve_style("dark minimal techno").match
'substring'
>>> resolve_style("polka").style.name, resolve_style("polka").match
('pop', 'fallback')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final, Literal

ROLES: Final = ("drums", "bass", "chords", "keys", "pads", "melody", "lead", "arp", "fx")
"""Roles the embedded backend renders."""

PITCHED_ROLES: Final = tuple(r for r in ROLES if r != "drums")

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

MatchKind = Literal["exact", "alias", "substring", "fallback"]


@dataclass(frozen=True)
class StyleProfile:
    """Everything the renderers need to know about one style.

    Progressions are tuples of scale degrees (0 = tonic) for major-like and
    minor-like keys; patterns are names understood by the role renderers.
    """

    name: str
    label: str
    aliases: tuple[str, ...]
    bpm: int
    key: str
    groove: str
    swing: float = 0.5
    swing_unit: float = 0.25
    drum_density: float = 0.5
    progressions_major: tuple[tuple[int, ...], ...] = ((0, 4, 5, 3),)
    progressions_minor: tuple[tuple[int, ...], ...] = ((0, 5, 2, 6),)
    sevenths: bool = False
    ninths: bool = False
    harmonic_rhythm: float = 1.0
    bass: str = "pumping"
    lock_to_kick: bool = False
    chords: str = "pop"
    keys: str = "piano"
    pads: str = "sustain"
    voicing: str = "close"
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
    band: tuple[str, ...] = ("drums", "bass", "chords", "melody")
    notes: str = ""
    extra: tuple[tuple[str, float], ...] = field(default=())

    def register(self, role: str) -> tuple[int, int]:
        """The (low, high) pitch register of ``role`` in this style."""
        for name, low, high in self.registers:
            if name == role:
                return low, high
        return DEFAULT_REGISTERS[role]

    def program(self, role: str) -> int:
        """The GM program of ``role`` in this style."""
        for name, program in self.programs:
            if name == role:
                return program
        return DEFAULT_PROGRAMS[role]

    def progressions(self, minor: bool) -> tuple[tuple[int, ...], ...]:
        """The progressions (scale degrees) for a minor-like or major-like key."""
        return self.progressions_minor if minor else self.progressions_major

    def param(self, name: str, default: float) -> float:
        """A style-specific tuning value from :attr:`extra`."""
        for key, value in self.extra:
            if key == name:
                return value
        return default


@dataclass(frozen=True)
class StyleResolution:
    """A resolved style and how the requested name matched it."""

    requested: str
    style: StyleProfile
    match: MatchKind

    @property
    def warning(self) -> str | None:
        """A message for the result when the style was not recognised."""
        if self.match != "fallback":
            return None
        return (
            f"unknown style {self.requested!r}; fell back to the default style "
            f"{self.style.name!r} (known: {', '.join(style_names())})"
        )


def normalise_style(text: str) -> str:
    """Lower-case, ``_``/``-``/``&`` to spaces, single spaces: ``"Boom_Bap" -> "boom bap"``."""
    lowered = text.lower().replace("&", " and ")
    return " ".join(re.sub(r"[_\-/,.]+", " ", lowered).split())


def _styles() -> dict[str, StyleProfile]:
    from storpheus.backends.embedded.style_table import STYLES

    return STYLES


def style_names() -> tuple[str, ...]:
    """Canonical names of every known style, sorted."""
    return tuple(sorted(_styles()))


def get_style(name: str) -> StyleProfile:
    """The profile with canonical ``name`` (``KeyError`` listing the names if absent)."""
    styles = _styles()
    if name not in styles:
        raise KeyError(f"no style {name!r}; known: {sorted(styles)}")
    return styles[name]


@lru_cache(maxsize=512)
def resolve_style(text: str | None) -> StyleResolution:
    """Resolve a free-text style name: exact, alias, substring, else fallback.

    Substring matching prefers the longest name or alias contained in the
    text (``"deep house music"`` -> house), then the text contained in a
    name; ties break alphabetically, so the answer never depends on table
    order.
    """
    styles = _styles()
    requested = text or ""
    norm = normalise_style(requested)
    by_name = {normalise_style(name): style for name, style in styles.items()}
    if norm in by_name:
        return StyleResolution(requested, by_name[norm], "exact")
    aliases: list[tuple[str, StyleProfile]] = []
    for name in sorted(styles):
        style = styles[name]
        aliases.append((normalise_style(style.name), style))
        aliases.extend((normalise_style(a), style) for a in style.aliases)
    for alias, style in aliases:
        if norm == alias:
            return StyleResolution(requested, style, "alias")
    if norm:
        padded = f" {norm} "
        contained = [(a, s) for a, s in aliases if f" {a} " in padded]
        if contained:
            best = min(contained, key=lambda item: (-len(item[0]), item[1].name))
            return StyleResolution(requested, best[1], "substring")
        containing = [(a, s) for a, s in aliases if len(norm) >= 3 and norm in a]
        if containing:
            best = min(containing, key=lambda item: (len(item[0]), item[1].name))
            return StyleResolution(requested, best[1], "substring")
    return StyleResolution(requested, styles[DEFAULT_STYLE], "fallback")


__all__ = [
    "DEFAULT_PROGRAMS",
    "DEFAULT_REGISTERS",
    "DEFAULT_STYLE",
    "PITCHED_ROLES",
    "ROLES",
    "ROLE_CHANNELS",
    "StyleProfile",
    "StyleResolution",
    "get_style",
    "normalise_style",
    "resolve_style",
    "style_names",
]
