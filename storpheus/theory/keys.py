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

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import numpy.typing as npt

from storpheus.errors import KeyParseError, TheoryError
from storpheus.theory.pitch import (
    FLAT_NAMES,
    LETTER_PITCH_CLASSES,
    MAJOR_KEY_NAMES,
    MINOR_KEY_NAMES,
    SHARP_NAMES,
    interval_between,
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

KEY_MODES: Final = SEVEN_NOTE_MODES
"""The modes a composition's key may have: the prompt, the tools and every
backend accept exactly these (a key needs seven degrees for diatonic chords)."""

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

    @property
    def short(self) -> str:
        """Compact form: ``"Am"``, ``"Eb"``, ``"D dorian"`` (the DAW wire style)."""
        if self.mode == "major":
            return self.tonic_name
        if self.mode == "minor":
            return f"{self.tonic_name}m"
        return self.name

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

    def degree_pitch(self, degree: int, octave_base: int = 60) -> int:
        """MIDI pitch of 0-based scale ``degree`` above the tonic at or below ``octave_base``.

        Degrees past the last one continue in the next octave (in a
        seven-note mode, 7 is the tonic an octave up).

        >>> parse_key("A minor").degree_pitch(2), parse_key("A minor").degree_pitch(7)
        (60, 69)
        """
        base = octave_base - ((octave_base - self.tonic) % 12)
        octave, step = divmod(degree, len(self.intervals))
        return base + 12 * octave + self.intervals[step]

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


def parse_key(text: str, *, modes: Collection[str] = MODES) -> Key:
    """Parse a key name into a :class:`Key`: the one key parser of the project.

    Accepts a tonic letter (either case) with at most one accidental written
    ``#``, ``b``, ``♯``, ``♭``, ``-`` (``"B-"``) or as a word (``"F sharp"``,
    ``"B-flat"``), followed by an optional mode: nothing or ``M``/``maj``/
    ``major`` for major, ``m``/``min``/``minor`` for minor, or any mode of
    ``modes`` under its name or an alias of :data:`MODE_ALIASES`, with or
    without a space. The mode may also come first (``"Dorian D"``). Runs of
    white space and ``_`` count as one space. ``modes`` narrows the
    vocabulary: a composition's key takes :data:`KEY_MODES`.

    The tonic keeps the spelling it was written with (``"Gb major"`` stays
    ``Gb``), so :attr:`Key.name` is the canonical form ``"<Tonic> <mode>"``.

    Examples
    --------
    >>> [parse_key(t).name for t in ("F# minor", "Eb major", "Am", "C", "G mixolydian")]
    ['F# minor', 'Eb major', 'A minor', 'C major', 'G mixolydian']
    >>> [parse_key(t).name for t in ("Dorian D", "B-flat", "E♭m", "F sharp harmonic minor")]
    ['D dorian', 'Bb major', 'Eb minor', 'F# harmonic minor']
    >>> parse_key("Minor A-flat").name
    'Ab minor'

    Raises
    ------
    KeyParseError
        Not a string, empty, no tonic, a double accidental, or a mode outside
        ``modes``; the reason is in the message and in ``reason``.
    """
    if not isinstance(text, str):
        raise KeyParseError(text, f"must be a string, got {type(text).__name__}")
    cleaned = " ".join(text.replace("_", " ").replace("♯", "#").replace("♭", "b").split())
    if not cleaned:
        raise KeyParseError(text, "is empty; expected a name such as 'C major' or 'F# minor'")
    try:
        return _parse_tonic_first(text, cleaned, modes)
    except KeyParseError as error:
        head, _, last = cleaned.rpartition(" ")
        if last.lower() in ("sharp", "flat"):  # "Lydian F sharp"
            head, _, letter = head.rpartition(" ")
            last = f"{letter} {last}"
        if not head or _TONIC_ONLY.fullmatch(last) is None:
            raise
        try:
            return _parse_tonic_first(text, f"{last} {head}", modes)
        except KeyParseError as flipped:
            if error.reason.startswith(_NO_TONIC):
                raise flipped from None
            raise error from None


def normalise_key(text: str, *, modes: Collection[str] = KEY_MODES) -> str:
    """The canonical name of a key written any accepted way (``"F#m"`` -> ``"F# minor"``).

    ``modes`` defaults to :data:`KEY_MODES`, the modes a composition's key
    may have; see :func:`parse_key` for what is read.

    >>> normalise_key("f#m"), normalise_key("E♭"), normalise_key("dorian a")
    ('F# minor', 'Eb major', 'A dorian')

    Raises
    ------
    KeyParseError
        ``text`` is not a key (see :func:`parse_key`).
    """
    return parse_key(text, modes=modes).name


_NO_TONIC: Final = "does not start with a tonic"
_TONIC_ONLY: Final = re.compile(r"[A-Ga-g](?:[#b-]|[ -]?(?:sharp|flat))?", re.IGNORECASE)
_SIGN_WORD: Final = re.compile(r"[ -]?(sharp|flat)(?![a-z])", re.IGNORECASE)


def _parse_tonic_first(text: str, cleaned: str, modes: Collection[str]) -> Key:
    letter = cleaned[0].upper()
    if letter not in LETTER_PITCH_CLASSES:
        raise KeyParseError(text, f"{_NO_TONIC}: a note letter A-G (e.g. 'F#m', 'Eb')")
    rest, sign = cleaned[1:], ""
    word = _SIGN_WORD.match(rest)
    if word is not None:
        sign, rest = ("#" if word.group(1).lower() == "sharp" else "b"), rest[word.end() :]
    elif rest[:1] in ("#", "b"):
        sign, rest = rest[0], rest[1:]
    elif rest[:1] == "-" and (len(rest) == 1 or rest[1] == " "):
        sign, rest = "b", rest[1:]
    if sign and (rest[:1] == "#" or (rest[:1] == "b" and _is_mode(rest[1:], modes))):
        raise KeyParseError(text, "double accidentals are not supported")
    mode_text = rest.strip(" -:")
    if mode_text == "M":
        mode_text = "major"
    try:
        mode = canonical_mode(mode_text, modes=modes)
    except TheoryError:
        raise KeyParseError(
            text, f"unknown mode {mode_text!r}; known modes: {', '.join(modes)}"
        ) from None
    tonic = (LETTER_PITCH_CLASSES[letter] + {"#": 1, "b": -1, "": 0}[sign]) % 12
    return Key(tonic, mode, spelling=letter + sign)


def _is_mode(text: str, modes: Collection[str]) -> bool:
    words = text.strip(" -:")
    try:
        canonical_mode("major" if words == "M" else words, modes=modes)
    except TheoryError:
        return False
    return True


def scale_pitch_classes(key: Key | str) -> tuple[int, ...]:
    """Pitch classes of a key's scale in degree order (a name is parsed first).

    >>> scale_pitch_classes("D major")
    (2, 4, 6, 7, 9, 11, 1)
    """
    return (parse_key(key) if isinstance(key, str) else key).pitch_classes


def as_key(key: Key | str) -> Key:
    """A :class:`Key` from a key or a key name."""
    return key if isinstance(key, Key) else parse_key(key)
