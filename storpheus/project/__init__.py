"""The one project model: project, tracks, regions, mixer, tempo, key, meter, sections.

Muse versions it, the tool layer edits it, the planner reads it and MIDI
export writes it:

* :mod:`storpheus.project.model` - :class:`ProjectState`, :class:`TrackState`,
  :class:`RegionState`, :class:`Mixer`, :class:`Section` and content ids;
* :mod:`storpheus.project.convert` - cutting a :class:`~storpheus.score.Score`
  into regions (:class:`RegionLayout`) and joining them back;
* :mod:`storpheus.project.ids` - the one slug: the same track name gets the
  same id through ``muse commit`` and through a composition;
* :mod:`storpheus.project.daw` - the DAW-only parts (buses, inserts, sends,
  colours, icons), which Muse does not version;
* :mod:`storpheus.project.ticks` - the 960-tick identity grid and digests.

Example
-------
>>> from storpheus.notes import NoteArray
>>> bass = TrackState("bass", "Bass", program=33, role="bass")
>>> verse = RegionState("bass/verse", "bass", 16.0, 16.0, name="Verse",
...                     notes=NoteArray([36, 43], 100, [0.0, 2.0], 1.0))
>>> state = ProjectState(tracks=(bass,), regions=(verse,), bpm=96)
>>> state.sections
(Section(name='verse', start_beat=16.0, duration_beats=16.0),)
"""

from storpheus.project.convert import (
    RegionLayout,
    marker_layout,
    project_to_score,
    score_to_project,
)
from storpheus.project.daw import Bus, DawLayer, DawTrack, InsertEffect, Send
from storpheus.project.errors import ProjectStateError
from storpheus.project.ids import slug, track_ids, unique_id
from storpheus.project.model import (
    Mixer,
    ProjectState,
    RegionState,
    RepositoryState,
    Section,
    TrackState,
    is_section_name,
)
from storpheus.project.ticks import TPQ

__all__ = [
    "TPQ",
    "Bus",
    "DawLayer",
    "DawTrack",
    "InsertEffect",
    "Mixer",
    "ProjectState",
    "ProjectStateError",
    "RegionLayout",
    "RegionState",
    "RepositoryState",
    "Section",
    "Send",
    "TrackState",
    "is_section_name",
    "marker_layout",
    "project_to_score",
    "score_to_project",
    "slug",
    "track_ids",
    "unique_id",
]
