"""Deterministic entity ids of the tool layer: the project's one slug.

Re-exported from :mod:`storpheus.project.ids`, so a track a composition
creates gets the id Muse gives the same track name in a committed MIDI file.

Example
-------
>>> slug("Lead Synth #1"), unique_id("bass", {"bass", "bass-2"})
('lead-synth-1', 'bass-3')
"""

from storpheus.project.ids import slug, unique_id

__all__ = ["slug", "unique_id"]
