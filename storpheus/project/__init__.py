"""The project model shared by Muse, the tool layer and the planner.

For now this package holds the one way ids are derived from display names
(:mod:`storpheus.project.ids`): the same track name gets the same id whether
a project is committed from a MIDI file by Muse or built by a composition.
"""

from storpheus.project.ids import slug, track_ids, unique_id

__all__ = ["slug", "track_ids", "unique_id"]
