"""The project state Muse versions: the one project model of :mod:`storpheus.project`.

Muse does not define its own project model: :class:`ProjectState` (tracks,
regions, mixer, tempo, meter, key and the sections named by regions) is
:class:`storpheus.project.ProjectState`, which the tool layer edits and the
planner reads too. This module re-exports it under the names Muse has always
used; a commit records one :class:`ProjectState` (also named
``RepositoryState``), and its content ids (region objects, snapshots) are the
model's own.

Example
-------
>>> from storpheus.notes import NoteArray
>>> bass = TrackState("bass", "Bass", program=33, role="bass")
>>> riff = RegionState("bass/verse", "bass", 0.0, 16.0, name="verse",
...                    notes=NoteArray([36, 43], 100, [0.0, 2.0], 1.0))
>>> state = ProjectState(tracks=(bass,), regions=(riff,), bpm=96)
>>> state.region("bass/verse").n_notes, len(state.snapshot_id)
(2, 64)
"""

from storpheus.project.model import (
    MAX_ID_LENGTH,
    Mixer,
    ProjectState,
    RegionState,
    RepositoryState,
    Section,
    TrackState,
    normalise_events,
    region_object_id,
    shift_ticks,
    snapshot_id,
)

__all__ = [
    "MAX_ID_LENGTH",
    "Mixer",
    "ProjectState",
    "RegionState",
    "RepositoryState",
    "Section",
    "TrackState",
    "normalise_events",
    "region_object_id",
    "shift_ticks",
    "snapshot_id",
]
