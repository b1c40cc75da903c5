"""Key names <-> MIDI key-signature meta events (sharps/flats count and mode)."""

from __future__ import annotations

from typing import Final

MAJOR_BY_SHARPS: Final = {
    -7: "Cb", -6: "Gb", -5: "Db", -4: "Ab", -3: "Eb", -2: "Bb", -1: "F",
    0: "C", 1: "G", 2: "D", 3: "A", 4: "E", 5: "B", 6: "F#", 7: "C#",
}  # fmt: skip
MINOR_BY_SHARPS: Final = {
    -7: "Ab", -6: "Eb", -5: "Bb", -4: "F", -3: "C", -2: "G", -1: "D",
    0: "A", 1: "E", 2: "B", 3: "F#", 4: "C#", 5: "G#", 6: "D#", 7: "A#",
}  # fmt: skip


def key_name(sharps: int, minor: bool) -> str:
    """``(-3, False) -> "Eb major"``; raises ``ValueError`` outside -7..7."""
    table = MINOR_BY_SHARPS if minor else MAJOR_BY_SHARPS
    if sharps not in table:
        raise ValueError(f"key signature with {sharps} sharps is outside -7..7")
    return f"{table[sharps]} {'minor' if minor else 'major'}"


def key_signature(name: str) -> tuple[int, bool] | None:
    """``"Eb major" -> (-3, False)``; ``None`` when the name is not a major/minor key."""
    tonic, _, mode = name.strip().partition(" ")
    mode = mode.strip().lower()
    if mode not in ("major", "minor"):
        return None
    table = MINOR_BY_SHARPS if mode == "minor" else MAJOR_BY_SHARPS
    for sharps, t in table.items():
        if t == tonic:
            return sharps, mode == "minor"
    return None
