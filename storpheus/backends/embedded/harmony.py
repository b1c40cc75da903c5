"""Keys, scales and chord symbols for the embedded renderers.

A small, self-contained helper so the renderers do not depend on the general
theory module (``storpheus.theory``); the two could later be unified. Pitch
classes are integers 0-11 (C = 0).

Example
-------
>>> key = parse_key("A minor")
>>> key.tonic, key.mode, key.scale
(9, 'minor', (9, 11, 0, 2, 4, 5, 7))
>>> chord = parse_chord("Bb/D")
>>> chord.root, chord.intervals, chord.bass
(10, (0, 4, 7), 2)
>>> diatonic_chord(key, 4, seventh=True).symbol
'Em7'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

NOTE_NAMES: Final = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
"""Spelling used for generated chord symbols (flats for the black keys but F#/C#)."""

_LETTER_PC: Final = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}

MODES: Final[dict[str, tuple[int, ...]]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "locrian": (0, 1, 3, 5, 6, 8, 10),
}
"""Seven-note scales by mode name, as intervals above the tonic."""

_MODE_ALIASES: Final = {
    "": "major",
    "maj": "major",
    "major": "major",
    "ionian": "major",
    "m": "minor",
    "min": "minor",
    "minor": "minor",
    "aeolian": "minor",
    "dorian": "dorian",
    "phrygian": "phrygian",
    "lydian": "lydian",
    "mixolydian": "mixolydian",
    "locrian": "locrian",
}


@dataclass(frozen=True)
class Key:
    """A tonic pitch class and a seven-note mode."""

    tonic: int
    mode: str

    @property
    def scale(self) -> tuple[int, ...]:
        """The seven pitch classes of the key, starting on the tonic."""
        return tuple((self.tonic + i) % 12 for i in MODES[self.mode])

    @property
    def is_minor(self) -> bool:
        """Whether the mode has a minor third (minor, dorian, phrygian, locrian)."""
        return MODES[self.mode][2] == 3

    @property
    def name(self) -> str:
        """Canonical name such as ``"F# minor"``."""
        return f"{NOTE_NAMES[self.tonic]} {self.mode}"

    def degree_pitch(self, degree: int, octave_base: int = 60) -> int:
        """MIDI pitch of scale ``degree`` (0 = tonic, 7 = tonic an octave up) above ``octave_base``.

        ``octave_base`` is rounded down to the tonic at or below it.
        """
        base = octave_base - ((octave_base - self.tonic) % 12)
        octave, step = divmod(degree, 7)
        return base + 12 * octave + MODES[self.mode][step]


@dataclass(frozen=True)
class Chord:
    """A parsed chord: root pitch class, intervals above it, bass pitch class."""

    root: int
    intervals: tuple[int, ...]
    bass: int
    symbol: str

    @property
    def pitch_classes(self) -> tuple[int, ...]:
        """Chord tones as pitch classes, root first."""
        return tuple((self.root + i) % 12 for i in self.intervals)

    @property
    def fifth(self) -> int:
        """Pitch class of the fifth (diminished or augmented if the chord has one)."""
        for candidate in (7, 6, 8):
            if candidate in self.intervals:
                return (self.root + candidate) % 12
        return (self.root + 7) % 12

    @property
    def third(self) -> int | None:
        """Pitch class of the third, ``None`` for sus and power chords."""
        for candidate in (4, 3):
            if candidate in self.intervals:
                return (self.root + candidate) % 12
        return None


def parse_pitch_class(text: str) -> tuple[int, str]:
    """Parse a note name at the start of ``text``; return its pitch class and the rest.

    Accepts ``#``, ``b``, ``♯`` and ``♭`` (one or two accidentals).

    >>> parse_pitch_class("F#m7")
    (6, 'm7')
    """
    s = text.strip()
    if not s or s[0].upper() not in _LETTER_PC:
        raise ValueError(f"{text!r} does not start with a note name A-G")
    pc = _LETTER_PC[s[0].upper()]
    i = 1
    while i < len(s) and i <= 2 and s[i] in "#b♯♭":
        # "Bb" is B-flat but "Cb5"... a lowercase b right after the letter is a flat.
        pc += 1 if s[i] in "#♯" else -1
        i += 1
    return pc % 12, s[i:]


@lru_cache(maxsize=256)
def parse_key(text: str) -> Key:
    """Parse a key name: ``"C"``, ``"C major"``, ``"Am"``, ``"A minor"``, ``"F# dorian"``...

    Raises ``ValueError`` naming the text when it is not a key.

    >>> parse_key("Ebm").name
    'Eb minor'
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"key {text!r} is empty")
    try:
        tonic, rest = parse_pitch_class(text)
    except ValueError as exc:
        raise ValueError(f"key {text!r}: {exc}") from None
    mode_text = rest.strip().lower()
    if mode_text not in _MODE_ALIASES:
        raise ValueError(
            f"key {text!r}: unknown mode {rest.strip()!r}; use major, minor or a church mode"
        )
    return Key(tonic, _MODE_ALIASES[mode_text])


# Chord qualities: suffix -> intervals above the root. Longest suffix wins.
_QUALITIES: Final[dict[str, tuple[int, ...]]] = {
    "": (0, 4, 7),
    "maj": (0, 4, 7),
    "M": (0, 4, 7),
    "m": (0, 3, 7),
    "min": (0, 3, 7),
    "-": (0, 3, 7),
    "dim": (0, 3, 6),
    "°": (0, 3, 6),
    "o": (0, 3, 6),
    "aug": (0, 4, 8),
    "+": (0, 4, 8),
    "sus2": (0, 2, 7),
    "sus4": (0, 5, 7),
    "sus": (0, 5, 7),
    "5": (0, 7),
    "6": (0, 4, 7, 9),
    "m6": (0, 3, 7, 9),
    "7": (0, 4, 7, 10),
    "7sus4": (0, 5, 7, 10),
    "7sus": (0, 5, 7, 10),
    "maj7": (0, 4, 7, 11),
    "M7": (0, 4, 7, 11),
    "Δ": (0, 4, 7, 11),
    "Δ7": (0, 4, 7, 11),
    "m7": (0, 3, 7, 10),
    "min7": (0, 3, 7, 10),
    "-7": (0, 3, 7, 10),
    "mM7": (0, 3, 7, 11),
    "mmaj7": (0, 3, 7, 11),
    "m7b5": (0, 3, 6, 10),
    "ø": (0, 3, 6, 10),
    "ø7": (0, 3, 6, 10),
    "dim7": (0, 3, 6, 9),
    "°7": (0, 3, 6, 9),
    "o7": (0, 3, 6, 9),
    "9": (0, 4, 7, 10, 14),
    "maj9": (0, 4, 7, 11, 14),
    "M9": (0, 4, 7, 11, 14),
    "m9": (0, 3, 7, 10, 14),
    "min9": (0, 3, 7, 10, 14),
    "add9": (0, 4, 7, 14),
    "madd9": (0, 3, 7, 14),
    "6/9": (0, 4, 7, 9, 14),
    "69": (0, 4, 7, 9, 14),
    "11": (0, 4, 7, 10, 14, 17),
    "m11": (0, 3, 7, 10, 14, 17),
    "13": (0, 4, 7, 10, 14, 21),
    "maj13": (0, 4, 7, 11, 14, 21),
    "m13": (0, 3, 7, 10, 14, 21),
}
_QUALITY_KEYS: Final = tuple(sorted(_QUALITIES, key=len, reverse=True))
_ALTERATION = re.compile(r"\(?(add)?([b#♭♯]?)(9|11|13|5)\)?")
_ALTER_BASE: Final = {"9": 14, "11": 17, "13": 21, "5": 7}


@lru_cache(maxsize=1024)
def parse_chord(symbol: str) -> Chord:
    """Parse a chord symbol such as ``"Am7"``, ``"F#dim"``, ``"Cmaj9"``, ``"E7#9"``, ``"Bb/D"``.

    Raises ``ValueError`` naming the symbol when it cannot be read.

    >>> parse_chord("E7#9").intervals
    (0, 4, 7, 10, 15)
    """
    text = symbol.strip()
    if not text:
        raise ValueError("chord symbol is empty")
    head, slash, bass_text = text.partition("/")
    if slash and bass_text and bass_text[0].upper() in _LETTER_PC:
        try:
            bass_pc, bass_rest = parse_pitch_class(bass_text)
        except ValueError:
            raise ValueError(f"chord {symbol!r}: bad bass note {bass_text!r}") from None
        if bass_rest.strip():
            raise ValueError(f"chord {symbol!r}: unexpected {bass_rest!r} after the bass note")
    else:
        head, bass_pc = text, None
    try:
        root, rest = parse_pitch_class(head)
    except ValueError:
        raise ValueError(f"chord {symbol!r} does not start with a root note A-G") from None
    quality = next((q for q in _QUALITY_KEYS if rest.startswith(q)), "")
    intervals = set(_QUALITIES[quality])
    tail = rest[len(quality) :]
    while tail:
        match = _ALTERATION.match(tail)
        if not match or not match.group(0):
            raise ValueError(f"chord {symbol!r}: cannot read {tail!r}")
        add, accidental, number = match.groups()
        base = _ALTER_BASE[number]
        shift = {"b": -1, "♭": -1, "#": 1, "♯": 1}.get(accidental, 0)
        if number == "5":
            intervals.discard(7)
        elif not add and number in ("11", "13") and 10 not in intervals and 11 not in intervals:
            intervals.add(10)
        if not add and shift and number == "9":
            intervals.discard(14)
        intervals.add(base + shift)
        tail = tail[match.end() :]
    ordered = tuple(sorted(intervals))
    return Chord(root, ordered, root if bass_pc is None else bass_pc, text)


_SUFFIX_BY_INTERVALS: Final[dict[tuple[int, ...], str]] = {
    (0, 4, 7): "",
    (0, 3, 7): "m",
    (0, 3, 6): "dim",
    (0, 4, 8): "aug",
    (0, 4, 7, 11): "maj7",
    (0, 3, 7, 10): "m7",
    (0, 4, 7, 10): "7",
    (0, 3, 6, 10): "m7b5",
    (0, 3, 6, 9): "dim7",
    (0, 4, 7, 11, 14): "maj9",
    (0, 3, 7, 10, 14): "m9",
    (0, 4, 7, 10, 14): "9",
    (0, 4, 7, 14): "add9",
    (0, 3, 7, 14): "madd9",
    (0, 2, 7): "sus2",
    (0, 5, 7): "sus4",
    (0, 7): "5",
}


def chord_symbol(root: int, intervals: tuple[int, ...]) -> str:
    """Name a chord from its root and intervals (``"m7"``, ``"maj9"``...)."""
    suffix = _SUFFIX_BY_INTERVALS.get(intervals)
    if suffix is None:
        suffix = "(" + ",".join(str(i) for i in intervals) + ")"
    return NOTE_NAMES[root % 12] + suffix


@lru_cache(maxsize=1024)
def diatonic_chord(key: Key, degree: int, *, seventh: bool = False, ninth: bool = False) -> Chord:
    """The chord built by stacking scale thirds on ``degree`` (0-6) of ``key``.

    A ninth is only added where it is a major ninth above the root (it is
    skipped on chords whose diatonic ninth is minor, such as iii in major).

    >>> diatonic_chord(parse_key("C major"), 1, seventh=True, ninth=True).symbol
    'Dm9'
    """
    steps = MODES[key.mode]
    count = 3 + int(seventh or ninth) + int(ninth)
    degrees = [degree + 2 * k for k in range(count)]
    root_offset = steps[degree % 7]
    intervals = []
    for d in degrees:
        octave, step = divmod(d, 7)
        intervals.append(steps[step] + 12 * octave - root_offset)
    if ninth and intervals[-1] != 14:
        intervals.pop()
    if intervals[1:3] == [3, 6] and len(intervals) > 4:
        intervals = intervals[:4]  # half-diminished: the b9 is an avoid note
    root = (key.tonic + root_offset) % 12
    ivs = tuple(intervals)
    return Chord(root, ivs, root, chord_symbol(root, ivs))


def add_extensions(chord: Chord, key: Key, *, ninth: bool = False) -> Chord:
    """A triad with the key's seventh (and ninth) added, when those are scale tones.

    Chords that already have a seventh, power chords and chords whose
    seventh or ninth would leave the key are returned unchanged (minus the
    part that would leave it).

    >>> add_extensions(parse_chord("F"), parse_key("C major"), ninth=True).intervals
    (0, 4, 7, 11, 14)
    """
    if len(chord.intervals) != 3 or any(i >= 9 for i in chord.intervals):
        return chord
    scale = set(key.scale)
    added = list(chord.intervals)
    seventh = next((i for i in (10, 11) if (chord.root + i) % 12 in scale), None)
    if seventh is None or (chord.intervals[1:] == (3, 6) and seventh == 11):
        return chord
    added.append(seventh)
    if ninth and (chord.root + 14) % 12 in scale and chord.intervals[1:] != (3, 6):
        added.append(14)
    ivs = tuple(added)
    return Chord(chord.root, ivs, chord.bass, chord_symbol(chord.root, ivs))


def shortest_shift(from_pc: int, to_pc: int) -> int:
    """The signed semitone shift from one pitch class to another, in -5..6.

    >>> shortest_shift(0, 7), shortest_shift(7, 0), shortest_shift(0, 6)
    (-5, 5, 6)
    """
    return (to_pc - from_pc + 5) % 12 - 5


def nearest_pitch(pc: int, target: float, low: int = 0, high: int = 127) -> int:
    """The pitch of pitch class ``pc`` closest to ``target`` within ``[low, high]``.

    Falls back to the nearest in-range pitch of that class outside the ideal
    octave; returns ``-1`` when the range holds no pitch of that class.
    """
    centre = round(target)
    base = centre - ((centre - pc) % 12)
    best, best_cost = -1, 1e9
    for candidate in (base - 12, base, base + 12, base + 24):
        if low <= candidate <= high:
            cost = abs(candidate - target)
            if cost < best_cost:
                best, best_cost = candidate, cost
    if best >= 0:
        return best
    first = low + ((pc - low) % 12)
    return first if first <= high else -1


__all__ = [
    "MODES",
    "NOTE_NAMES",
    "Chord",
    "Key",
    "add_extensions",
    "chord_symbol",
    "diatonic_chord",
    "nearest_pitch",
    "parse_chord",
    "parse_key",
    "parse_pitch_class",
    "shortest_shift",
]
