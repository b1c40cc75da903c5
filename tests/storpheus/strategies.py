"""Hypothesis strategies for notes, controller events and scores.

Times are generated on the tick grid of the score's resolution so that a MIDI
file round trip is expected to be exact. Within one track, notes of the same
pitch never overlap (a MIDI file cannot store such overlaps unambiguously).
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from storpheus.events import ControlChangeArray, PitchBendArray
from storpheus.notes import NoteArray
from storpheus.score import Score, TimeSignature, Track

RESOLUTIONS = st.sampled_from([96, 220, 384, 480, 960])


@st.composite
def note_arrays(
    draw: st.DrawFn,
    tpq: int = 480,
    max_notes: int = 40,
    pitches: st.SearchStrategy[int] | None = None,
    channel: int = 0,
) -> NoteArray:
    """Notes on the tick grid with no same-pitch overlap."""
    n = draw(st.integers(0, max_notes))
    pitch_strategy = pitches if pitches is not None else st.integers(0, 127)
    free_at: dict[int, int] = {}
    rows = []
    for _ in range(n):
        pitch = draw(pitch_strategy)
        start = free_at.get(pitch, 0) + draw(st.integers(0, 4 * tpq))
        duration = draw(st.integers(1, 4 * tpq))
        free_at[pitch] = start + duration
        rows.append((pitch, draw(st.integers(1, 127)), start, duration))
    if not rows:
        return NoteArray.empty()
    p, v, s, d = (np.array(col) for col in zip(*rows, strict=True))
    return NoteArray(p, v, s / tpq, d / tpq, channel=np.full(len(rows), channel))


@st.composite
def cc_arrays(draw: st.DrawFn, tpq: int = 480, max_events: int = 10) -> ControlChangeArray:
    """Control changes on the tick grid."""
    n = draw(st.integers(0, max_events))
    if n == 0:
        return ControlChangeArray.empty()
    numbers = draw(st.lists(st.sampled_from([1, 7, 10, 11, 64, 74, 91]), min_size=n, max_size=n))
    values = draw(st.lists(st.integers(0, 127), min_size=n, max_size=n))
    ticks = draw(st.lists(st.integers(0, 64 * tpq), min_size=n, max_size=n))
    return ControlChangeArray(numbers, values, np.array(ticks) / tpq)


@st.composite
def bend_arrays(draw: st.DrawFn, tpq: int = 480, max_events: int = 10) -> PitchBendArray:
    """Pitch bends on the tick grid."""
    n = draw(st.integers(0, max_events))
    if n == 0:
        return PitchBendArray.empty()
    values = draw(st.lists(st.integers(-8192, 8191), min_size=n, max_size=n))
    ticks = draw(st.lists(st.integers(0, 64 * tpq), min_size=n, max_size=n))
    return PitchBendArray(values, np.array(ticks) / tpq)


@st.composite
def scores(draw: st.DrawFn, max_tracks: int = 5) -> Score:
    """Multi-track scores with drums, CC and bends, on the tick grid of their resolution."""
    tpq = draw(RESOLUTIONS)
    n_tracks = draw(st.integers(1, max_tracks))
    tracks = []
    for i in range(n_tracks):
        is_drum = draw(st.booleans()) if i else False
        notes = draw(note_arrays(tpq=tpq, pitches=st.integers(35, 81) if is_drum else None))
        tracks.append(
            Track(
                name=draw(
                    st.text(st.characters(codec="ascii", categories=["L", "N"]), max_size=12)
                ),
                notes=notes,
                program=draw(st.integers(0, 127)),
                is_drum=is_drum,
                role=draw(st.sampled_from([None, "bass", "drums", "melody", "chords"])),
                cc=draw(cc_arrays(tpq=tpq)),
                bends=draw(bend_arrays(tpq=tpq)),
            )
        )
    return Score(
        tracks=tuple(tracks),
        bpm=draw(st.integers(20, 300)),
        time_signature=draw(st.sampled_from([TimeSignature(4, 4), TimeSignature(3, 4),
                                             TimeSignature(6, 8), TimeSignature(7, 8)])),
        key=draw(st.sampled_from([None, "C major", "A minor", "Eb major", "F# minor", "D dorian"])),
        ticks_per_quarter=tpq,
    )  # fmt: skip
