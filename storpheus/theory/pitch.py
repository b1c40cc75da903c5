"""Note names and pitch classes.

Pitch classes are integers 0-11 with C = 0. Names are a letter A-G (either
case) followed by any number of accidentals: ``#``/``♯`` (sharp), ``b``/``♭``
(flat), ``x``/``𝄪`` (double sharp) and ``-`` (music21's flat), so ``"F#"``,
``"Eb"``, ``"Bbb"``, ``"E#"`` and ``"B-"`` all parse.

Example
-------
>>> pitch_class("Eb"), pitch_class("F#"), pitch_class("Cb")
(3, 6, 11)
>>> note_name(10), note_name(10, flats=True)
('A#', 'Bb')
>>> midi_pitch("C4"), pitch_name(61, flats=True)
(60, 'Db4')
"""

from __future__ import annotations

import re
from typing import Final

from storpheus.errors import TheoryError

SHARP_NAMES: Final = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
"""Every black key spelled with a sharp."""
FLAT_NAMES: Final = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
"""Every black key spelled with a flat."""
MAJOR_KEY_NAMES: Final = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
"""Conventional tonic of each major key (fewest accidentals; F# rather than Gb)."""
MINOR_KEY_NAMES: Final = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B")
"""Conventional tonic of each minor key (fewest accidentals; Eb and Bb, G# and C#)."""
MIXED_NAMES: Final = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
"""Flats for the black keys except C# and F# (the embedded generator's chord and key names)."""

LETTERS: Final = "CDEFGAB"
"""The seven note letters in scale order."""
LETTER_PITCH_CLASSES: Final = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
"""Pitch class of each natural note letter (upper case)."""

_ACCIDENTAL: Final = {"#": 1, "♯": 1, "x": 2, "𝄪": 2, "b": -1, "♭": -1, "-": -1, "𝄫": -2}
_ALL_SIGNS: Final = "".join(_ACCIDENTAL)
_ACCIDENTAL_TEXT: Final = {-2: "bb", -1: "b", 0: "", 1: "#", 2: "##"}
_NAME_RE: Final = re.compile(r"([A-Ga-g])([#♯x𝄪b♭\-𝄫]*)")
_PITCH_RE: Final = re.compile(r"([A-Ga-g][#♯x𝄪b♭𝄫]*)(-?\d+)")  # "-" is the octave sign here


def split_note_name(
    text: str,
    *,
    dash_is_flat: bool = True,
    signs: str = _ALL_SIGNS,
    max_accidentals: int | None = None,
) -> tuple[int, str]:
    """Read a note name at the start of ``text``: ``(pitch class, rest of text)``.

    ``dash_is_flat=False`` leaves a ``-`` after the letter in the rest (chord
    symbols use it for minor: ``"C-7"``). ``signs`` limits the accidental
    characters read and ``max_accidentals`` how many of them (the rest stays
    in the text).

    >>> split_note_name("Bbmaj7")
    (10, 'maj7')
    >>> split_note_name("C-7", dash_is_flat=False)
    (0, '-7')
    >>> split_note_name("Cbbb", signs="#b", max_accidentals=2)
    (10, 'b')

    Raises
    ------
    TheoryError
        ``text`` does not start with a letter A-G.
    """
    match = _NAME_RE.match(text)
    if match is None:
        raise TheoryError(f"{text!r} does not start with a note name (a letter A-G)")
    letter, accidentals = match.groups()
    if not dash_is_flat and "-" in accidentals:
        accidentals = accidentals[: accidentals.index("-")]
    kept = len(accidentals) - len(accidentals.lstrip(signs))
    accidentals = accidentals[:kept][:max_accidentals]
    rest = text[1 + len(accidentals) :]
    offset = sum(_ACCIDENTAL[a] for a in accidentals)
    return (LETTER_PITCH_CLASSES[letter.upper()] + offset) % 12, rest


def pitch_class(name: str) -> int:
    """The pitch class 0-11 of a note name such as ``"F#"`` or ``"Eb"``.

    Raises
    ------
    TheoryError
        The text is not exactly a note name.
    """
    text = name.strip() if isinstance(name, str) else name
    if not isinstance(text, str):
        raise TheoryError(f"note name must be a string, got {type(name).__name__}")
    pc, rest = split_note_name(text)
    if rest:
        raise TheoryError(f"{name!r} is not a note name: unexpected {rest!r} after the note")
    return pc


def note_name(pc: int, *, flats: bool = False) -> str:
    """The name of pitch class ``pc`` (any integer, taken modulo 12), sharps or flats."""
    return (FLAT_NAMES if flats else SHARP_NAMES)[int(pc) % 12]


def spell_on_letter(pc: int, letter: str) -> str:
    """Spell pitch class ``pc`` on a given note letter, with up to two accidentals.

    >>> spell_on_letter(10, "B"), spell_on_letter(4, "F"), spell_on_letter(7, "F")
    ('Bb', 'Fb', 'F##')

    Raises
    ------
    TheoryError
        ``letter`` is not A-G, or ``pc`` is more than two semitones from it.
    """
    natural = LETTER_PITCH_CLASSES.get(letter.upper()) if isinstance(letter, str) else None
    if natural is None:
        raise TheoryError(f"letter={letter!r} is not a note letter A-G")
    diff = (int(pc) - natural) % 12
    if diff > 6:
        diff -= 12
    if diff not in _ACCIDENTAL_TEXT:
        raise TheoryError(f"pitch class {int(pc) % 12} cannot be spelled on {letter.upper()}")
    return letter.upper() + _ACCIDENTAL_TEXT[diff]


def pitch_name(pitch: int, *, flats: bool = False) -> str:
    """Scientific pitch name of a MIDI note (60 -> ``"C4"``)."""
    if not 0 <= int(pitch) <= 127:
        raise TheoryError(f"pitch={pitch} is outside the MIDI range 0-127")
    return f"{note_name(pitch, flats=flats)}{int(pitch) // 12 - 1}"


def midi_pitch(name: str) -> int:
    """The MIDI note number of a scientific pitch name (``"C4"`` -> 60, ``"A-1"`` -> 9).

    Raises
    ------
    TheoryError
        Not a pitch name, or the pitch is outside 0-127.
    """
    match = _PITCH_RE.fullmatch(name.strip())
    if match is None:
        raise TheoryError(f"{name!r} is not a pitch name such as 'C4' or 'F#2'")
    note, octave = match.groups()
    letter = note[0].upper()
    offset = sum(_ACCIDENTAL[a] for a in note[1:])
    value = (int(octave) + 1) * 12 + LETTER_PITCH_CLASSES[letter] + offset
    if not 0 <= value <= 127:
        raise TheoryError(f"{name!r} is MIDI pitch {value}, outside 0-127")
    return value


def interval_between(from_pc: int, to_pc: int) -> int:
    """The shortest signed move from one pitch class to another, in -5..+6.

    >>> interval_between(0, 7), interval_between(7, 0), interval_between(0, 6)
    (-5, 5, 6)
    """
    up = (int(to_pc) - int(from_pc)) % 12
    return up - 12 if up > 6 else up
