"""Conversions of the in-memory project: to a storpheus Score, to JSON, from a Score.

* :func:`snapshot_to_score` flattens every track's regions onto the timeline
  (region start + relative event times) into a :class:`storpheus.score.Score`,
  which MIDI I/O, scoring and content identity understand.
* :func:`snapshot_to_context` gives the camelCase ``ProjectContext`` JSON a
  DAW reads (tracks with mixer state and regions with their notes).
* :func:`snapshot_from_score` builds a snapshot from a Score: one track per
  score track, one region per track covering the whole piece.

Both Score conversions are the project model's own
(:mod:`storpheus.project.convert`), the ones Muse uses.
"""

from __future__ import annotations

from pydantic import JsonValue

from maestro_lab.tools.entities import StateSnapshot
from maestro_lab.wire import JSONObject
from storpheus.project import RegionLayout, project_to_score, score_to_project
from storpheus.score import Score


def snapshot_to_score(snapshot: StateSnapshot) -> Score:
    """The project as a Score: tracks in order, events on the absolute timeline.

    The project model's own conversion (:func:`storpheus.project.project_to_score`).
    """
    return project_to_score(snapshot.project)


def snapshot_from_score(score: Score) -> StateSnapshot:
    """A snapshot holding ``score``: one track (id from its name) and one ``main`` region each.

    The project model's own conversion (:func:`storpheus.project.score_to_project`).
    """
    return StateSnapshot.from_project(score_to_project(score, RegionLayout.whole()))


def snapshot_to_context(
    snapshot: StateSnapshot, *, project_id: str = "project", include_notes: bool = True
) -> JSONObject:
    """The camelCase ``ProjectContext`` JSON of the snapshot (notes optional)."""
    tracks: list[JsonValue] = []
    for track in snapshot.tracks:
        regions: list[JsonValue] = []
        for region in snapshot.regions_of(track.track_id):
            entry: JSONObject = {
                "id": region.region_id,
                "name": region.name,
                "startBeat": region.start_beat,
                "durationBeats": region.duration_beats,
                "noteCount": len(region.notes),
            }
            if include_notes:
                notes: list[JsonValue] = [dict(n) for n in region.notes.to_dicts(wire=True)]
                entry["notes"] = notes
            regions.append(entry)
        daw = snapshot.daw_track(track.track_id)
        sends: list[JsonValue] = [{"busId": s.bus_id, "level": s.level} for s in daw.sends]
        inserts: list[JsonValue] = [
            {"type": e.effect_type, "settings": dict(e.settings)} for e in daw.inserts
        ]
        tracks.append(
            {
                "id": track.track_id,
                "name": track.name,
                "role": track.role,
                "gmProgram": None if track.is_drum else track.program,
                "drumKitId": daw.drum_kit_id,
                "isDrums": track.is_drum,
                "volume": track.mixer.volume,
                "pan": track.mixer.pan,
                "muted": track.mixer.mute,
                "solo": track.mixer.solo,
                "color": daw.color,
                "icon": daw.icon,
                "inserts": inserts,
                "sends": sends,
                "regions": regions,
            }
        )
    buses: list[JsonValue] = [{"id": b.bus_id, "name": b.name} for b in snapshot.buses]
    meter = snapshot.time_signature
    return {
        "id": project_id,
        "tempo": snapshot.tempo,
        "key": snapshot.key,
        "timeSignature": {"numerator": meter.numerator, "denominator": meter.denominator},
        "version": snapshot.version,
        "tracks": tracks,
        "buses": buses,
    }
