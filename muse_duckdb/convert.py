"""Between a :class:`~storpheus.score.Score` and the project state Muse versions.

The conversion is the project model's own (:mod:`storpheus.project.convert`):
:func:`score_to_project` cuts each track of a score into regions following a
:class:`RegionLayout` (whole track, every N bars, named sections, or the
section markers of a MIDI file via :func:`marker_layout`), and
:func:`project_to_score` joins them back. This module re-exports it under the
names Muse has always used.

Example
-------
>>> from storpheus.notes import NoteArray
>>> from storpheus.score import Score, Track
>>> score = Score((Track("Bass", NoteArray([36, 38], 100, [0.0, 20.0], 1.0)),), bpm=90)
>>> state = score_to_project(score, RegionLayout.per_bars(4))
>>> [(r.region_id, r.n_notes) for r in state.regions]
[('bass/bars-001-004', 1), ('bass/bars-005-008', 1)]
"""

from storpheus.project.convert import (
    RegionLayout,
    marker_layout,
    project_to_score,
    score_to_project,
)
from storpheus.project.ids import slug, track_ids
from storpheus.project.model import Section

__all__ = [
    "RegionLayout",
    "Section",
    "marker_layout",
    "project_to_score",
    "score_to_project",
    "slug",
    "track_ids",
]
