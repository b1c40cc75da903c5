"""Musical keys: parse the many ways people write them, print one canonical form.

The canonical form is ``"<Tonic> <mode>"``: the tonic letter in upper case
with ``#`` or ``b``, then a mode word (``"F# minor"``, ``"Eb major"``,
``"A dorian"``). Accepted input includes ``F#m``, ``f#min``, ``F sharp
minor``, ``Eb``, ``E♭``, ``Ebmaj``, ``C major``, ``C ionian``, ``A aeolian``,
``D dorian`` and ``Bb mixo``. The case of the tonic letter does not matter.

Example
-------
>>> normalise_key("F#m"), normalise_key("E♭"), normalise_key("a Dorian")
('F# minor', 'Eb major', 'A dorian')
>>> parse_key("Bbm").pitch_class
10
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from maestro_lab.errors import InvalidKeyError
from storpheus import theory
from storpheus.errors import TheoryError
from storpheus.theory import LETTERS as LETTERS
from storpheus.theory import SEVEN_NOTE_MODES, canonical_mode, is_minor_mode

MODES: Final = SEVEN_NOTE_MODES
"""The modes a prompt may name: the church modes, harmonic and melodic minor."""

MINOR_FAMILY: Final = frozenset(m for m in MODES if is_minor_mode(m))
"""Modes whose third is minor (they take the minor progression pools)."""

_SHARP_SIGNS: Final = ("#", "♯")
_FLAT_SIGNS: Final = ("♭",)


@dataclass(frozen=True)
class Key:
    """A tonic and a mode, e.g. ``Key("F#", "minor")``; ``str()`` is the canonical form."""

    tonic: str
    mode: str

    def __post_init__(self) -> None:
        if len(self.tonic) not in (1, 2) or self.tonic[0] not in LETTERS:
            raise InvalidKeyError(self.tonic, "the tonic must be a letter A-G")
        if len(self.tonic) == 2 and self.tonic[1] not in "#b":
            raise InvalidKeyError(self.tonic, "the tonic's accidental must be '#' or 'b'")
        if self.mode not in MODES:
            raise InvalidKeyError(self.mode, f"unknown mode (expected one of {', '.join(MODES)})")

    def __str__(self) -> str:
        return f"{self.tonic} {self.mode}"

    @property
    def pitch_class(self) -> int:
        """Pitch class of the tonic, 0 (C) to 11 (B)."""
        return theory.pitch_class(self.tonic)

    @property
    def accidental(self) -> int:
        """``+1`` for a sharp tonic, ``-1`` for a flat one, ``0`` for a natural."""
        if len(self.tonic) == 1:
            return 0
        return 1 if self.tonic[1] == "#" else -1

    @property
    def intervals(self) -> tuple[int, ...]:
        """Semitones above the tonic of the seven scale degrees."""
        return theory.MODES[self.mode]

    @property
    def is_minor(self) -> bool:
        """True for modes with a minor third (minor, dorian, phrygian...)."""
        return self.mode in MINOR_FAMILY

    @property
    def short(self) -> str:
        """Compact form: ``"Am"``, ``"Eb"``, ``"D dorian"`` (the reference's wire style)."""
        if self.mode == "major":
            return self.tonic
        if self.mode == "minor":
            return f"{self.tonic}m"
        return str(self)

    @property
    def scale_pitch_classes(self) -> tuple[int, ...]:
        """The seven pitch classes of the scale, tonic first."""
        return self.theory_key.pitch_classes

    @property
    def theory_key(self) -> theory.Key:
        """The same key as a :class:`storpheus.theory.Key` (keeping the tonic's spelling)."""
        return theory.Key(self.pitch_class, self.mode, spelling=self.tonic)


def parse_key(text: str) -> Key:
    """Parse a key name written in any common way (see the module docstring).

    Raises
    ------
    InvalidKeyError
        If ``text`` is not a key, with the reason (``"unknown mode 'blorp'"``).
    """
    if not isinstance(text, str):
        raise InvalidKeyError(repr(text), "a key must be text such as 'F#m' or 'Eb major'")
    cleaned = " ".join(text.replace("_", " ").split())
    if not cleaned:
        raise InvalidKeyError(text, "it is empty")
    letter = cleaned[0].upper()
    if letter not in LETTERS:
        raise InvalidKeyError(text, "a key starts with a note letter A-G (e.g. 'F#m', 'Eb')")
    rest = cleaned[1:]
    if rest[:2].lower() in ("bb", "##", "♭♭", "♯♯", "#b", "b#"):
        raise InvalidKeyError(text, "double accidentals are not supported")
    accidental = ""
    if rest[:1] in _SHARP_SIGNS:
        accidental, rest = "#", rest[1:]
    elif rest[:1] in _FLAT_SIGNS:
        accidental, rest = "b", rest[1:]
    else:
        word = rest.lstrip(" -").lower()
        if word.startswith("sharp"):
            accidental, rest = "#", word[len("sharp") :]
        elif word.startswith("flat"):
            accidental, rest = "b", word[len("flat") :]
        elif rest[:1] in ("b", "B") and _mode_of(rest[1:]) is not None:
            accidental, rest = "b", rest[1:]
    if rest[:1] in _SHARP_SIGNS + _FLAT_SIGNS + ("b",) and _mode_of(rest[1:]) is not None:
        raise InvalidKeyError(text, "double accidentals are not supported")
    mode = _mode_of(rest)
    if mode is None:
        shown = (rest[1:] if not accidental and rest[:1] in ("b", "B") else rest).strip(" -:")
        raise InvalidKeyError(
            text, f"unknown mode {shown!r} (expected major, minor or a mode such as dorian)"
        )
    return Key(letter + accidental, mode)


def normalise_key(text: str) -> str:
    """The canonical form of a key name: ``normalise_key("F#m") == "F# minor"``."""
    return str(parse_key(text))


def _mode_of(rest: str) -> str | None:
    word = rest.strip().lstrip("-:").strip()
    if word == "M":
        return "major"
    try:
        return canonical_mode(word, modes=MODES, separators="")
    except TheoryError:
        return None
