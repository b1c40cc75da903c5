"""Conversions of the in-memory project: to a storpheus Score, to JSON, from a Score.

* :func:`snapshot_to_score` flattens every track's regions onto the timeline
  (region start + relative event times) into a :class:`storpheus.score.Score`,
  which MIDI I/O, scoring and content identity understand.
* :func:`snapshot_to_context` gives the camelCase ``ProjectContext`` JSON shape
  of the reference (tracks with mixer state and regions with their notes).
* :func:`snapshot_from_score` builds a snapshot from a Score: one track per
  score track, one region per track covering the whole piece.
"""

from __future__ import annotations

import math

from pydantic import JsonValue

from maestro_lab.runtime.wire import JSONObject
from maestro_lab.tools.entities import RegionEntity, StateSnapshot, TrackEntity
from maestro_lab.tools.state_ids import slug, unique_id
from storpheus.events import AftertouchArray, ControlChangeArray, PitchBendArray
from storpheus.notes import NoteArray
from storpheus.score import Score, Track


def snapshot_to_score(snapshot: StateSnapshot) -> Score:
    """The project as a Score: tracks in creation order, events on the absolute timeline."""
    tracks = []
    for track in snapshot.tracks:
        regions = snapshot.regions_of(track.track_id)
        tracks.append(
            Track(
                name=track.name,
                notes=NoteArray.concat([r.notes.shift(r.start_beat) for r in regions]).sort(),
                program=track.program,
                is_drum=track.is_drums,
                role=track.role,
                cc=ControlChangeArray.concat([r.cc.shift(r.start_beat) for r in regions]).sort(),
                bends=PitchBendArray.concat([r.bends.shift(r.start_beat) for r in regions]).sort(),
                aftertouch=AftertouchArray.concat(
                    [r.aftertouch.shift(r.start_beat) for r in regions]
                ).sort(),
            )
        )
    return Score(
        tracks=tuple(tracks),
        bpm=snapshot.tempo,
        time_signature=snapshot.time_signature,
        key=snapshot.key,
    )


def snapshot_from_score(score: Score, *, region_name: str = "main") -> StateSnapshot:
    """A snapshot holding ``score``: one track (id from its name) and one region per track."""
    length = max(1, math.ceil(score.end_beat / score.beats_per_bar - 1e-9)) * score.beats_per_bar
    tracks: list[TrackEntity] = []
    regions: list[RegionEntity] = []
    taken: set[str] = set()
    for track in score.tracks:
        track_id = unique_id(slug(track.name, "track"), taken)
        taken.add(track_id)
        tracks.append(
            TrackEntity(
                track_id=track_id,
                name=track.name,
                program=track.program,
                is_drums=track.is_drum,
                role=track.role,
            )
        )
        regions.append(
            RegionEntity(
                region_id=f"{track_id}/{slug(region_name, 'region')}",
                track_id=track_id,
                start_beat=0.0,
                duration_beats=float(length),
                name=region_name,
                notes=track.notes,
                cc=track.cc,
                bends=track.bends,
                aftertouch=track.aftertouch,
            )
        )
    return StateSnapshot(
        tempo=int(score.bpm),
        key=score.key,
        time_signature=score.time_signature,
        tracks=tuple(tracks),
        regions=tuple(regions),
    )


def snapshot_to_context(
    snapshot: StateSnapshot, *, project_id: str = "project", include_notes: bool = True
) -> JSONObject:
    """The camelCase ``ProjectContext`` JSON of the reference (notes optional)."""
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
        sends: list[JsonValue] = [{"busId": s.bus_id, "level": s.level} for s in track.sends]
        inserts: list[JsonValue] = [
            {"type": e.effect_type, "settings": dict(e.settings)} for e in track.inserts
        ]
        tracks.append(
            {
                "id": track.track_id,
                "name": track.name,
                "role": track.role,
                "gmProgram": None if track.is_drums else track.program,
                "drumKitId": track.drum_kit_id,
                "isDrums": track.is_drums,
                "volume": track.volume,
                "pan": track.pan,
                "muted": track.muted,
                "solo": track.solo,
                "color": track.color,
                "icon": track.icon,
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
