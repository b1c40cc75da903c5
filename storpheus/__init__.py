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

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("maestro-lab")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
