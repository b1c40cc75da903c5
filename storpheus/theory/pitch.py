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
FLAT_NAMES: Final = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")

_LETTER_PC: Final = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_ACCIDENTAL: Final = {"#": 1, "♯": 1, "x": 2, "𝄪": 2, "b": -1, "♭": -1, "-": -1, "𝄫": -2}
_NAME_RE: Final = re.compile(r"([A-Ga-g])([#♯x𝄪b♭\-𝄫]*)")
_PITCH_RE: Final = re.compile(r"([A-Ga-g][#♯x𝄪b♭𝄫]*)(-?\d+)")  # "-" is the octave sign here


def split_note_name(text: str, *, dash_is_flat: bool = True) -> tuple[int, str]:
    """Read a note name at the start of ``text``: ``(pitch class, rest of text)``.

    ``dash_is_flat=False`` leaves a ``-`` after the letter in the rest (chord
    symbols use it for minor: ``"C-7"``).

    >>> split_note_name("Bbmaj7")
    (10, 'maj7')
    >>> split_note_name("C-7", dash_is_flat=False)
    (0, '-7')

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
    rest = text[1 + len(accidentals) :]
    offset = sum(_ACCIDENTAL[a] for a in accidentals)
    return (_LETTER_PC[letter.upper()] + offset) % 12, rest


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
    value = (int(octave) + 1) * 12 + _LETTER_PC[letter] + offset
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
