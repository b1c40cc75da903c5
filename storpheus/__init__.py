"""Storpheus: the music engine of Maestro Lab.

MIDI primitive contracts, columnar note arrays, the :class:`~storpheus.score.Score`
exchange unit, MIDI file I/O and content identity. Storpheus imports nothing
from the other Maestro Lab packages.

Example
-------
>>> from storpheus.notes import NoteArray
>>> notes = NoteArray.from_columns(pitch=[60, 64], velocity=[90, 80],
...                                start_beat=[0.0, 1.0], duration_beats=[1.0, 1.0])
>>> len(notes)
2
"""

from storpheus._version import __version__

__all__ = ["__version__"]
