"""From a MIDI file the Space returned to one role's part: parse, cut, trim, map.

:func:`extract_part` parses the bytes with :mod:`storpheus.io`, keeps the
tracks that play the requested role (drum tracks for ``drums``; otherwise the
tracks whose General MIDI program belongs to the role's families,
:data:`ROLE_PROGRAMS`, or every pitched track when none does), cuts the
primer from the front (``prefix_beats``), trims to the requested span and
sets the role's channel. A file that cannot be parsed raises
:class:`~storpheus.errors.MidiFileError`; the backend turns it into an
empty, flagged candidate so that rejection sampling rejects it and the run
goes on.

Example
-------
>>> from storpheus.io import score_to_midi_bytes
>>> from storpheus.score import Score, Track
>>> bass = Track("bass", NoteArray([40, 43, 45], 90, [0.0, 4.0, 9.0], 1.0), program=33)
>>> data = score_to_midi_bytes(Score((bass,)))
>>> part = extract_part(data, role="bass", prefix_beats=4.0, span_beats=4.0)
>>> part.notes.pitch.tolist(), part.notes.start_beat.tolist(), part.match
([43], [0.0], 'family')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np

from storpheus.midi_types import DRUM_CHANNEL
from storpheus.notes import NoteArray
from storpheus.score import Score, Track
from storpheus.styles import ROLE_CHANNELS

RoleMatch = Literal["drums", "family", "fallback", "none"]

ROLE_PROGRAMS: Final[dict[str, tuple[range, ...]]] = {
    "bass": (range(32, 40),),
    "chords": (range(8), range(16, 32)),
    "keys": (range(8), range(16, 24)),
    "pads": (range(88, 96), range(48, 56)),
    "melody": (range(56, 88), range(40, 48), range(8, 16), range(104, 112)),
    "lead": (range(80, 88), range(56, 80)),
    "arp": (range(80, 88), range(8, 16), range(8)),
    "fx": (range(96, 104), range(120, 128)),
}
"""General MIDI program families of each pitched role, most typical first."""

_EPS: Final = 1e-9


@dataclass(frozen=True)
class ExtractedPart:
    """One role's notes taken from a returned file, and which tracks they came from."""

    notes: NoteArray
    program: int
    tracks: tuple[int, ...]
    match: RoleMatch


def role_tracks(score: Score, role: str) -> tuple[tuple[int, ...], RoleMatch]:
    """Indices of the tracks that play ``role`` in ``score`` and how they were matched."""
    tracks = score.tracks
    if role == "drums":
        found = tuple(i for i, t in enumerate(tracks) if t.is_drum and len(t.notes))
        return found, "drums" if found else "none"
    pitched = [i for i, t in enumerate(tracks) if not t.is_drum and len(t.notes)]
    for family in ROLE_PROGRAMS.get(role, ()):
        found = tuple(i for i in pitched if tracks[i].program in family)
        if found:
            return found, "family"
    return (tuple(pitched), "fallback") if pitched else ((), "none")


def composition_end(data: bytes, beats_per_bar: float) -> float | None:
    """The bar-aligned end of the composition in ``data`` (``None`` if it cannot be read)."""
    from storpheus.errors import MidiFileError
    from storpheus.io import midi_bytes_to_score

    try:
        score = midi_bytes_to_score(data)
    except MidiFileError:
        return None
    return math.ceil(score.end_beat / beats_per_bar - _EPS) * beats_per_bar


def extract_part(
    data: bytes | None,
    *,
    role: str,
    prefix_beats: float,
    span_beats: float,
    source: str = "<orpheus>",
) -> ExtractedPart:
    """The notes of ``role`` in ``data`` after ``prefix_beats``, within ``span_beats``.

    ``data=None`` (the Space sent no file) gives an empty part. Notes that
    start in the primer are dropped; notes running past the span are
    shortened to end with it; of two notes with the same pitch and onset
    (merged tracks) the longer is kept.

    Raises
    ------
    MidiFileError
        ``data`` is not a readable MIDI file (named ``source``).
    """
    if data is None:
        return ExtractedPart(NoteArray.empty(), 0, (), "none")
    from storpheus.io import midi_bytes_to_score

    score = midi_bytes_to_score(data, source=source)
    indices, match = role_tracks(score, role)
    chosen: list[Track] = [score.tracks[i] for i in indices]
    notes = NoteArray.concat([t.notes for t in chosen]) if chosen else NoteArray.empty()
    program = chosen[0].program if chosen else 0
    if len(notes):
        start = notes.start_beat - prefix_beats
        keep = (start >= -_EPS) & (start < span_beats - _EPS)
        start = np.maximum(start[keep], 0.0)
        duration = np.minimum(notes.duration_beats[keep], span_beats - start)
        pitch, velocity = notes.pitch[keep], notes.velocity[keep]
        order = np.lexsort((-duration, pitch, start))
        pitch, velocity = pitch[order], velocity[order]
        start, duration = start[order], duration[order]
        first = np.ones(len(start), dtype=bool)
        first[1:] = (start[1:] != start[:-1]) | (pitch[1:] != pitch[:-1])
        channel = DRUM_CHANNEL if role == "drums" else ROLE_CHANNELS.get(role, 0)
        notes = NoteArray(
            pitch[first], velocity[first], start[first], duration[first], channel=channel
        ).sort()
    return ExtractedPart(notes, program, indices, match)


__all__ = [
    "ROLE_PROGRAMS",
    "ExtractedPart",
    "RoleMatch",
    "composition_end",
    "extract_part",
    "role_tracks",
]
