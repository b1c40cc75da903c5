"""Keys, scales and chord symbols for the embedded renderers.

A thin layer over :mod:`storpheus.theory`. Keys are the theory's
:class:`~storpheus.theory.Key`, read by the one key parser with the modes a
composition's key may have (:data:`~storpheus.theory.KEY_MODES`: the church
modes, harmonic and melodic minor), so the backend accepts every key a
prompt or a tool accepts. Chord symbols are read in the theory's *compact*
reading with the vocabulary :data:`CHORD_QUALITIES`, into the renderers'
:class:`Chord` (root, intervals, bass pitch class). Pitch classes are
integers 0-11 (C = 0).

Example
-------
>>> key = parse_key("A harmonic minor")
>>> key.tonic, key.mode, key.pitch_classes
(9, 'harmonic minor', (9, 11, 0, 2, 4, 5, 8))
>>> chord = parse_chord("Bb/D")
>>> chord.root, chord.intervals, chord.bass
(10, (0, 4, 7), 2)
>>> diatonic_chord(key, 4, seventh=True).symbol
'E7'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from storpheus import theory
from storpheus.errors import TheoryError
from storpheus.theory import KEY_MODES, Key, chord_quality, split_note_name
from storpheus.theory import MIXED_NAMES as NOTE_NAMES
from storpheus.theory import interval_between as shortest_shift

CHORD_QUALITIES: Final[dict[str, str]] = {
    **{suffix: suffix for suffix in (
        "", "maj", "M", "m", "min", "-", "dim", "°", "o", "aug", "+", "sus2", "sus4",
        "sus", "5", "6", "m6", "7", "7sus4", "7sus", "maj7", "M7", "Δ7", "m7", "min7",
        "-7", "mM7", "mmaj7", "m7b5", "ø", "ø7", "dim7", "°7", "o7", "9", "maj9", "M9",
        "m9", "min9", "add9", "madd9", "6/9", "69", "11", "m11", "13", "maj13",
    )},
    "Δ": "maj7",
    "m13": "m9add13",  # the generator's minor 13th has no 11th
}  # fmt: skip
"""The chord types the generator reads, each as the lead-sheet symbol it means.

What follows the type in a symbol is read as tensions (``E7#9``,
``Ebm(add9)``); see :func:`storpheus.theory.parse_chord`.
"""

_SIGNS: Final = "#b♯♭"


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
    try:
        return split_note_name(text.strip(), signs=_SIGNS, max_accidentals=2)
    except TheoryError:
        raise ValueError(f"{text!r} does not start with a note name A-G") from None


@lru_cache(maxsize=256)
def parse_key(text: str) -> Key:
    """Parse a key name with the one key parser (:func:`storpheus.theory.parse_key`).

    Accepts every key of :data:`~storpheus.theory.KEY_MODES` written any
    common way (``"C"``, ``"Am"``, ``"F# dorian"``, ``"C harmonic minor"``);
    raises :class:`~storpheus.errors.KeyParseError` (a ``ValueError``)
    naming the text otherwise.

    >>> parse_key("Ebm").name, parse_key("Dorian D").name
    ('Eb minor', 'D dorian')
    """
    return theory.parse_key(text, modes=KEY_MODES)


@lru_cache(maxsize=1024)
def parse_chord(symbol: str) -> Chord:
    """Parse a chord symbol such as ``"Am7"``, ``"F#dim"``, ``"Cmaj9"``, ``"E7#9"``, ``"Bb/D"``.

    Raises :class:`~storpheus.errors.ChordParseError` (a ``ValueError``) naming
    the symbol when it cannot be read.

    >>> parse_chord("E7#9").intervals
    (0, 4, 7, 10, 15)
    """
    chord = theory.parse_chord(symbol, qualities=CHORD_QUALITIES)
    return Chord(chord.root, chord.intervals, chord.bass_pitch_class, symbol.strip())


def chord_symbol(root: int, intervals: tuple[int, ...]) -> str:
    """Name a chord from its root and intervals (``"m7"``, ``"maj9"``...).

    Only names :data:`CHORD_QUALITIES` reads back are used; any other shape
    is named by its intervals (``"C(0,3,7,11)"``).
    """
    suffix = chord_quality(intervals)
    if suffix is None or suffix not in CHORD_QUALITIES:
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
    chord = theory.diatonic_chord(key, degree + 1, seventh=seventh, ninth=ninth)
    return Chord(chord.root, chord.intervals, chord.root, chord_symbol(chord.root, chord.intervals))


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
    scale = set(key.pitch_classes)
    added = list(chord.intervals)
    seventh = next((i for i in (10, 11) if (chord.root + i) % 12 in scale), None)
    if seventh is None or (chord.intervals[1:] == (3, 6) and seventh == 11):
        return chord
    added.append(seventh)
    if ninth and (chord.root + 14) % 12 in scale and chord.intervals[1:] != (3, 6):
        added.append(14)
    ivs = tuple(added)
    return Chord(chord.root, ivs, chord.bass, chord_symbol(chord.root, ivs))


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
    "CHORD_QUALITIES",
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
