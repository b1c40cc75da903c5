"""Chords on scale degrees: Roman numerals and chords stacked in thirds.

:func:`split_roman` reads the parts of a numeral (``"bVII7"`` is degree 7,
lowered, upper case, suffix ``"7"``), :func:`roman_chord` names the chord a
numeral means in a key, :func:`diatonic_chord` stacks the scale's thirds on
one degree (with an optional seventh and ninth) and :func:`diatonic_chords`
on all seven.

Example
-------
>>> split_roman("bVIImaj7")
RomanNumeral(degree=7, alteration=-1, upper=True, suffix='maj7')
>>> roman_chord("vi", "C major").name, roman_chord("V7", "A minor").name
('Am', 'E7')
>>> diatonic_chord("C major", 2, seventh=True, ninth=True).name
'Dm9'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from storpheus.errors import ChordParseError, TheoryError
from storpheus.theory.chords import Chord, chord_quality, parse_chord
from storpheus.theory.keys import Key, as_key
from storpheus.theory.pitch import MAJOR_KEY_NAMES

_ROMAN_RE: Final = re.compile(r"^([b#♭♯]?)(VII|VI|IV|V|III|II|I|vii|vi|iv|v|iii|ii|i)(.*)$")
_ROMAN_VALUE: Final = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7}
_ROMAN_SHIFT: Final = {"b": -1, "♭": -1, "#": 1, "♯": 1}


@dataclass(frozen=True)
class RomanNumeral:
    """The parts of a Roman numeral.

    ``degree`` is 1-7, ``alteration`` the semitones of a leading ``b``/``#``
    (-1, 0, +1), ``upper`` whether the numeral is upper case (a major chord
    by convention) and ``suffix`` whatever follows it (``"7"``, ``"°"``...).
    """

    degree: int
    alteration: int
    upper: bool
    suffix: str


def split_roman(numeral: str) -> RomanNumeral:
    """Split a Roman numeral such as ``"bVII"``, ``"iiø7"`` or ``"V7sus4"`` into its parts.

    Raises
    ------
    ChordParseError
        The text does not start with a numeral I-VII (after an optional
        ``b``, ``#``, ``♭`` or ``♯``).
    """
    match = _ROMAN_RE.match(numeral.strip()) if isinstance(numeral, str) else None
    if match is None:
        raise ChordParseError(numeral, "is not a Roman numeral such as 'IV' or 'vi7'")
    accidental, roman, suffix = match.groups()
    return RomanNumeral(
        _ROMAN_VALUE[roman.upper()], _ROMAN_SHIFT.get(accidental, 0), roman.isupper(), suffix
    )


def roman_chord(numeral: str, key: Key | str) -> Chord:
    """The chord a Roman numeral names in ``key``.

    Degrees are counted on the key's own scale (in A minor, ``III`` is C);
    ``b``/``#`` before the numeral lowers/raises the root. Upper case is a
    major triad, lower case minor; a suffix (``7``, ``maj7``, ``°``, ``ø``,
    ``+``, ``sus4``...) follows chord-symbol rules, so ``V7`` is a dominant
    seventh and ``ii7`` a minor seventh.

    >>> [roman_chord(n, "C major").name for n in ("I", "ii7", "bVII", "vii°")]
    ['C', 'Dm7', 'Bb', 'Bdim']

    Raises
    ------
    ChordParseError
        Not a Roman numeral (or a bad suffix); the key is parsed with
        :func:`~storpheus.theory.parse_key`.
    """
    k = as_key(key)
    parts = split_roman(numeral)
    if len(k.intervals) != 7:
        raise ChordParseError(numeral, f"Roman numerals need a seven-note scale, not {k.name}")
    root = (k.degree(parts.degree) + parts.alteration) % 12
    suffix = parts.suffix
    if not parts.upper and not suffix.startswith(("°", "o", "dim", "ø", "+", "aug")):
        suffix = "m" + suffix
    try:
        return parse_chord(MAJOR_KEY_NAMES[root] + suffix)
    except ChordParseError as exc:
        raise ChordParseError(
            numeral, f"is not a Roman numeral with a chord suffix: {exc.reason}"
        ) from None


def diatonic_chord(
    key: Key | str, degree: int, *, seventh: bool = False, ninth: bool = False
) -> Chord:
    """The chord built by stacking the scale's thirds on ``degree`` (1-7) of ``key``.

    A ninth (which brings the seventh) is only added where it is a major
    ninth above the root, and never on a half-diminished chord. A shape with
    no usual name is named by its intervals (``"C(0,3,7,11,14)"``).

    >>> [diatonic_chord("C major", d, seventh=True).name for d in (2, 5, 7)]
    ['Dm7', 'G7', 'Bm7b5']
    >>> diatonic_chord("C major", 3, ninth=True).intervals  # iii: the ninth would be minor
    (0, 3, 7, 10)

    Raises
    ------
    TheoryError
        The scale does not have seven notes.
    """
    k = as_key(key)
    steps = k.intervals
    if len(steps) != 7:
        raise TheoryError(f"diatonic chords need a seven-note scale, not {k.name}")
    first = degree - 1
    root_offset = steps[first % 7]
    count = 3 + int(seventh or ninth) + int(ninth)
    intervals = []
    for d in range(first, first + 2 * count, 2):
        octave, step = divmod(d, 7)
        intervals.append(steps[step] + 12 * octave - root_offset)
    if ninth and intervals[-1] != 14:
        intervals.pop()
    if intervals[1:3] == [3, 6] and len(intervals) > 4:
        intervals = intervals[:4]  # half-diminished: the b9 is an avoid note
    shape = tuple(intervals)
    quality = chord_quality(shape)
    if quality is None:
        quality = "(" + ",".join(str(i) for i in shape) + ")"
    return Chord((k.tonic + root_offset) % 12, quality, shape)


def diatonic_chords(key: Key | str, *, sevenths: bool = False) -> tuple[Chord, ...]:
    """The chords built in thirds on each degree of a seven-note scale.

    >>> [c.name for c in diatonic_chords("C major")]
    ['C', 'Dm', 'Em', 'F', 'G', 'Am', 'Bdim']
    >>> [c.name for c in diatonic_chords("A minor", sevenths=True)][:3]
    ['Am7', 'Bm7b5', 'Cmaj7']
    """
    k = as_key(key)
    return tuple(diatonic_chord(k, degree, seventh=sevenths) for degree in range(1, 8))
