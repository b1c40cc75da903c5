"""MIDI file I/O for :class:`~storpheus.score.Score`, built on symusic.

Example
-------
>>> from storpheus.io import read_midi, write_midi  # doctest: +SKIP
>>> score = read_midi("chorale.mid")                 # doctest: +SKIP
>>> write_midi(score, "copy.mid")                    # doctest: +SKIP
"""

from storpheus.io.midi import (
    midi_bytes_to_score,
    read_midi,
    score_to_midi_bytes,
    write_midi,
)
from storpheus.io.pretty import from_pretty_midi, to_pretty_midi

__all__ = [
    "from_pretty_midi",
    "midi_bytes_to_score",
    "read_midi",
    "score_to_midi_bytes",
    "to_pretty_midi",
    "write_midi",
]
