"""Keys, modes and scales.

A :class:`Key` is a tonic pitch class and a mode. :func:`parse_key` reads the
names people write — ``"F# minor"``, ``"Eb major"``, ``"A dorian"``, ``"Am"``,
``"C"``, ``"Bbm"``, ``"D mixolydian"``, ``"c# harmonic minor"`` — and refuses
anything else with a :class:`~storpheus.errors.KeyParseError` that says why.

Example
-------
>>> key = parse_key("A dorian")
>>> key.tonic, key.mode, key.name
(9, 'dorian', 'A dorian')
>>> key.pitch_classes
(9, 11, 0, 2, 4, 6, 7)
>>> parse_key("Bbm").name, parse_key("Bbm").relative.name
('Bb minor', 'Db major')
>>> parse_key("F# minor").transpose(-1).name
'F minor'
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import numpy.typing as npt

from storpheus.errors import KeyParseError, TheoryError
from storpheus.theory.pitch import (
    FLAT_NAMES,
    MAJOR_KEY_NAMES,
    MINOR_KEY_NAMES,
    SHARP_NAMES,
    interval_between,
    split_note_name,
)

MODES: Final[dict[str, tuple[int, ...]]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "locrian": (0, 1, 3, 5, 6, 8, 10),
    "harmonic minor": (0, 2, 3, 5, 7, 8, 11),
    "melodic minor": (0, 2, 3, 5, 7, 9, 11),
    "major pentatonic": (0, 2, 4, 7, 9),
    "minor pentatonic": (0, 3, 5, 7, 10),
    "blues": (0, 3, 5, 6, 7, 10),
}
"""Canonical mode names and their intervals above the tonic, in scale order."""

CHURCH_MODES: Final = ("major", "minor", "dorian", "phrygian", "lydian", "mixolydian", "locrian")
"""The seven modes of the major scale (ionian as ``major``, aeolian as ``minor``)."""

SEVEN_NOTE_MODES: Final = tuple(mode for mode, steps in MODES.items() if len(steps) == 7)
"""The church modes plus harmonic and melodic minor: the modes with seven degrees."""

MAJOR_MINOR_ALIASES: Final[dict[str, str]] = {
    "": "major",
    "maj": "major",
    "ionian": "major",
    "m": "minor",
    "min": "minor",
    "aeolian": "minor",
}
"""The usual other names of major and minor (an empty mode is major)."""

MODE_ALIASES: Final[dict[str, str]] = {
    **MAJOR_MINOR_ALIASES,
    "natural minor": "minor",
    "dor": "dorian",
    "phr": "phrygian",
    "phryg": "phrygian",
    "lyd": "lydian",
    "mixo": "mixolydian",
    "mix": "mixolydian",
    "loc": "locrian",
    "harmonic": "harmonic minor",
    "harm minor": "harmonic minor",
    "melodic": "melodic minor",
    "mel minor": "melodic minor",
    "pentatonic": "major pentatonic",
    "pentatonic major": "major pentatonic",
    "pentatonic minor": "minor pentatonic",
    "m pentatonic": "minor pentatonic",
    "minor blues": "blues",
}
"""Other spellings accepted for the modes (lower case, words separated by one space)."""

# Semitones from the tonic of a church mode down to its parent major tonic.
_PARENT_OFFSET: Final = {
    "major": 0,
    "dorian": 2,
    "phrygian": 4,
    "lydian": 5,
    "mixolydian": 7,
    "minor": 9,
    "locrian": 11,
}


def canonical_mode(
    mode: str,
    *,
    modes: Collection[str] = MODES,
    aliases: Mapping[str, str] = MODE_ALIASES,
    separators: str = "_-",
) -> str:
    """The canonical name of a mode or alias (``"Aeolian"`` -> ``"minor"``).

    Case and runs of white space do not matter, and each character of
    ``separators`` counts as a space (``"melodic_minor"``). ``modes`` limits
    the modes accepted (an alias of another mode is refused) and ``aliases``
    the other names read, so a caller can keep a smaller vocabulary:

    >>> canonical_mode("Dor"), canonical_mode("harmonic-minor")
    ('dorian', 'harmonic minor')
    >>> canonical_mode("Ionian", modes=CHURCH_MODES, aliases=MAJOR_MINOR_ALIASES)
    'major'

    Raises
    ------
    TheoryError
        Unknown (or not accepted) mode; the message lists the accepted ones.
    """
    if not isinstance(mode, str):
        raise TheoryError(f"mode must be a string, got {type(mode).__name__}")
    words = mode
    for separator in separators:
        words = words.replace(separator, " ")
    words = " ".join(words.split()).lower()
    if words in modes:
        return words
    if aliases.get(words) in modes:
        return aliases[words]
    raise TheoryError(f"unknown mode {mode!r}; known modes: {', '.join(modes)}")


def is_minor_mode(mode: str) -> bool:
    """Whether a mode has a minor third and no major third (minor, dorian, blues...).

    >>> is_minor_mode("dorian"), is_minor_mode("mixolydian"), is_minor_mode("Aeolian")
    (True, False, True)
    """
    steps = MODES[canonical_mode(mode)]
    return 3 in steps and 4 not in steps


@dataclass(frozen=True)
class Key:
    """A tonic pitch class (C = 0) and a mode.

    ``correlation`` and ``confidence`` are set by
    :func:`~storpheus.theory.estimate_key` and ``spelling`` keeps the tonic
    as it was written (``"Gb"`` rather than ``"F#"``); none of the three takes
    part in equality.
    """

    tonic: int
    mode: str = "major"
    correlation: float | None = field(default=None, compare=False)
    confidence: float | None = field(default=None, compare=False)
    spelling: str | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.tonic, bool) or not isinstance(self.tonic, int | np.integer):
            raise TheoryError(f"tonic={self.tonic!r} must be an integer pitch class 0-11")
        if not 0 <= int(self.tonic) <= 11:
            raise TheoryError(f"tonic={self.tonic} must be a pitch class 0-11")
        object.__setattr__(self, "tonic", int(self.tonic))
        object.__setattr__(self, "mode", canonical_mode(self.mode))

    # ----------------------------------------------------------- names
    @classmethod
    def parse(cls, text: str) -> Key:
        """Same as :func:`parse_key`."""
        return parse_key(text)

    @property
    def tonic_name(self) -> str:
        """The tonic as written, or its conventional spelling in this mode."""
        if self.spelling:
            return self.spelling
        if self.mode == "major":
            return MAJOR_KEY_NAMES[self.tonic]
        if self.mode == "minor":
            return MINOR_KEY_NAMES[self.tonic]
        parent = self.parent_tonic
        if parent is not None:
            flats = MAJOR_KEY_NAMES[parent] != SHARP_NAMES[parent] or parent == 5
            return (FLAT_NAMES if flats else SHARP_NAMES)[self.tonic]
        return (MINOR_KEY_NAMES if self.is_minor else MAJOR_KEY_NAMES)[self.tonic]

    @property
    def name(self) -> str:
        """Full name, e.g. ``"F# minor"`` or ``"D dorian"``."""
        return f"{self.tonic_name} {self.mode}"

    def __str__(self) -> str:
        return self.name

    # ---------------------------------------------------------- scales
    @property
    def intervals(self) -> tuple[int, ...]:
        """Semitones above the tonic of each scale degree."""
        return MODES[self.mode]

    @property
    def is_minor(self) -> bool:
        """Whether the mode has a minor third (see :func:`is_minor_mode`)."""
        return 3 in self.intervals and 4 not in self.intervals

    @property
    def parent_tonic(self) -> int | None:
        """Tonic of the parent major scale of a church mode (D dorian -> 0), else ``None``."""
        offset = _PARENT_OFFSET.get(self.mode)
        return None if offset is None else (self.tonic - offset) % 12

    @property
    def pitch_classes(self) -> tuple[int, ...]:
        """Scale pitch classes in degree order, starting on the tonic."""
        return tuple((self.tonic + i) % 12 for i in self.intervals)

    @property
    def mask(self) -> npt.NDArray[np.bool_]:
        """A boolean array of 12: ``mask[pc]`` is true for scale pitch classes."""
        out = np.zeros(12, dtype=bool)
        out[list(self.pitch_classes)] = True
        return out

    def degree(self, n: int) -> int:
        """Pitch class of scale degree ``n`` (1-based, wraps past the octave)."""
        if n < 1:
            raise TheoryError(f"scale degree {n} must be >= 1")
        return self.pitch_classes[(n - 1) % len(self.intervals)]

    def contains(self, pitches: npt.ArrayLike) -> npt.NDArray[np.bool_]:
        """Whether each MIDI pitch (or pitch class) is in the scale."""
        return self.mask[np.asarray(pitches, dtype=np.int64) % 12]

    def scale_pitches(self, low: int = 0, high: int = 127) -> npt.NDArray[np.int64]:
        """Every MIDI pitch of the scale within ``[low, high]``, ascending."""
        everything = np.arange(max(0, low), min(127, high) + 1, dtype=np.int64)
        return everything[self.mask[everything % 12]]

    def snap(self, pitches: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Move each pitch to the nearest scale pitch (ties go down), within 0-127."""
        values = np.asarray(pitches, dtype=np.int64)
        candidates = self.scale_pitches()
        pos = np.clip(np.searchsorted(candidates, values), 1, len(candidates) - 1)
        below, above = candidates[pos - 1], candidates[pos]
        pick = np.where(values - below <= above - values, below, above)
        return np.where(self.mask[values % 12], values, pick)

    # ----------------------------------------------------- relationships
    def transpose(self, semitones: int) -> Key:
        """The same mode on a tonic ``semitones`` higher."""
        return Key((self.tonic + int(semitones)) % 12, self.mode)

    def interval_to(self, other: Key) -> int:
        """Shortest signed transposition (-5..+6) taking this tonic to ``other``'s."""
        return interval_between(self.tonic, other.tonic)

    @property
    def relative(self) -> Key:
        """The relative major of a minor key, or relative minor of a major key."""
        if self.mode == "major":
            return Key((self.tonic + 9) % 12, "minor")
        if self.mode == "minor":
            return Key((self.tonic + 3) % 12, "major")
        raise TheoryError(f"{self.name} has no relative major/minor (only major and minor do)")

    @property
    def parallel(self) -> Key:
        """The major/minor key on the same tonic."""
        if self.mode == "major":
            return Key(self.tonic, "minor")
        if self.mode == "minor":
            return Key(self.tonic, "major")
        raise TheoryError(f"{self.name} has no parallel key (only major and minor do)")


def parse_key(text: str) -> Key:
    """Parse a key name into a :class:`Key`.

    Accepts a tonic (``C``, ``F#``, ``Eb``, ``Bb``, ``B-``...; letter in
    either case) followed by an optional mode: nothing or ``M``/``maj``/
    ``major`` for major, ``m``/``min``/``minor`` for minor, or any mode of
    :data:`MODES` and :data:`MODE_ALIASES`, with or without a space.

    Examples
    --------
    >>> [parse_key(t).name for t in ("F# minor", "Eb major", "Am", "C", "G mixolydian")]
    ['F# minor', 'Eb major', 'A minor', 'C major', 'G mixolydian']

    Raises
    ------
    KeyParseError
        Not a string, empty, no tonic, or an unknown mode.
    """
    if not isinstance(text, str):
        raise KeyParseError(text, f"must be a string, got {type(text).__name__}")
    stripped = text.strip()
    if not stripped:
        raise KeyParseError(text, "is empty; expected a name such as 'C major' or 'F# minor'")
    try:
        tonic, rest = split_note_name(stripped, dash_is_flat=False)
    except TheoryError:
        raise KeyParseError(text, "does not start with a tonic letter A-G") from None
    spelled_len = len(stripped) - len(rest)
    if rest.startswith("-") and (len(rest) == 1 or rest[1].isspace()):
        tonic, rest, spelled_len = (tonic - 1) % 12, rest[1:], spelled_len + 1
    spelling = stripped[:spelled_len]
    spelling = spelling[0].upper() + spelling[1:].replace("-", "b")
    mode_text = rest.strip().lstrip(":").strip()
    if mode_text == "M":
        mode_text = "major"
    try:
        mode = canonical_mode(mode_text)
    except TheoryError:
        raise KeyParseError(
            text, f"unknown mode {mode_text!r}; known modes: {', '.join(MODES)}"
        ) from None
    return Key(tonic, mode, spelling=spelling)


def scale_pitch_classes(key: Key | str) -> tuple[int, ...]:
    """Pitch classes of a key's scale in degree order (a name is parsed first).

    >>> scale_pitch_classes("D major")
    (2, 4, 6, 7, 9, 11, 1)
    """
    return (parse_key(key) if isinstance(key, str) else key).pitch_classes


def as_key(key: Key | str) -> Key:
    """A :class:`Key` from a key or a key name."""
    return key if isinstance(key, Key) else parse_key(key)
