"""Key names <-> MIDI key-signature meta events (sharps/flats count and mode).

A MIDI key signature only says major or minor, so harmonic and melodic
minor are written with the minor signature of their tonic, and the other
modes get none. Names are read with the one key parser,
:func:`storpheus.theory.parse_key`.
"""

from __future__ import annotations

from typing import Final

from storpheus.errors import KeyParseError
from storpheus.theory import parse_key, pitch_class

MAJOR_BY_SHARPS: Final = {
    -7: "Cb", -6: "Gb", -5: "Db", -4: "Ab", -3: "Eb", -2: "Bb", -1: "F",
    0: "C", 1: "G", 2: "D", 3: "A", 4: "E", 5: "B", 6: "F#", 7: "C#",
}  # fmt: skip
MINOR_BY_SHARPS: Final = {
    -7: "Ab", -6: "Eb", -5: "Bb", -4: "F", -3: "C", -2: "G", -1: "D",
    0: "A", 1: "E", 2: "B", 3: "F#", 4: "C#", 5: "G#", 6: "D#", 7: "A#",
}  # fmt: skip

_MINOR_MODES: Final = ("minor", "harmonic minor", "melodic minor")


def key_name(sharps: int, minor: bool) -> str:
    """``(-3, False) -> "Eb major"``; raises ``ValueError`` outside -7..7."""
    table = MINOR_BY_SHARPS if minor else MAJOR_BY_SHARPS
    if sharps not in table:
        raise ValueError(f"key signature with {sharps} sharps is outside -7..7")
    return f"{table[sharps]} {'minor' if minor else 'major'}"


def key_signature(name: str) -> tuple[int, bool] | None:
    """``"Eb major" -> (-3, False)``; ``None`` when the name has no MIDI key signature.

    Any spelling :func:`~storpheus.theory.parse_key` reads is accepted
    (``"Ebm"``, ``"B-flat"``); the signature that spells the tonic as
    written wins, else the one with the fewest accidentals (``"A# major"``
    is written as B-flat major).

    >>> key_signature("F# minor"), key_signature("C harmonic minor"), key_signature("D dorian")
    ((3, True), (-3, True), None)
    """
    try:
        key = parse_key(name)
    except KeyParseError:
        return None
    minor = key.mode in _MINOR_MODES
    if key.mode != "major" and not minor:
        return None
    table = MINOR_BY_SHARPS if minor else MAJOR_BY_SHARPS
    spelled = [s for s, tonic in table.items() if tonic == key.tonic_name]
    if spelled:
        return spelled[0], minor
    same = [s for s, tonic in table.items() if pitch_class(tonic) == key.tonic]
    return min(same, key=abs), minor
