"""Conversion to and from ``pretty_midi.PrettyMIDI`` for users who hold those objects.

Both directions go through MIDI bytes (:func:`score_to_midi_bytes` and
:func:`midi_bytes_to_score`), so they follow exactly the conventions of
:mod:`storpheus.io.midi` and are exact at tick resolution for notes,
controllers, tempo, meter and key.
PrettyMIDI has no place for track roles (stored by :mod:`storpheus.io.midi`
in marker events it does not read), so roles do not survive this route.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from storpheus.io.midi import midi_bytes_to_score, score_to_midi_bytes
from storpheus.score import Score

if TYPE_CHECKING:
    import pretty_midi


def to_pretty_midi(score: Score) -> pretty_midi.PrettyMIDI:
    """A ``PrettyMIDI`` object with the same notes, controllers, tempo and meter."""
    import pretty_midi

    return pretty_midi.PrettyMIDI(io.BytesIO(score_to_midi_bytes(score, "<PrettyMIDI>")))


def from_pretty_midi(midi: pretty_midi.PrettyMIDI) -> Score:
    """A :class:`Score` read from a ``PrettyMIDI`` object (via its MIDI bytes)."""
    buffer = io.BytesIO()
    midi.write(buffer)
    return midi_bytes_to_score(buffer.getvalue(), source="<PrettyMIDI>")
