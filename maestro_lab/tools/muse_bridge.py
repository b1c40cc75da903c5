"""Between the in-memory project and Muse: StateSnapshot <-> ``muse_duckdb.ProjectState``.

The runtime starts a run from Muse HEAD (:func:`snapshot_from_project`),
applies tool calls to a :class:`~maestro_lab.tools.state.StateStore`, and
hands the result back to Muse as a project state to commit or to diff into a
variation (:func:`snapshot_to_project`). Track ids, region ids, names, roles,
programs, drum flags, mixer (volume, pan, mute, solo), tempo, meter, key and
every region's events carry over unchanged. Muse does not version insert
effects, sends, buses, colours or icons; they stay in the runtime's snapshot.

Example
-------
>>> from maestro_lab.tools import StateStore, ToolCall
>>> store = StateStore()
>>> _ = store.apply_all([
...     ToolCall("stori_add_midi_track", {"name": "Bass", "gmProgram": 33}),
...     ToolCall("stori_add_midi_region",
...              {"trackId": "bass", "name": "verse", "startBeat": 0, "durationBeats": 8}),
... ])
>>> state = snapshot_to_project(store.snapshot)
>>> state.region("bass/verse").duration_beats, state.track("bass").program
(8.0, 33)
>>> snapshot_from_project(state).region("bass/verse").name
'verse'
"""

from __future__ import annotations

from maestro_lab.tools.entities import RegionEntity, StateSnapshot, TrackEntity
from muse_duckdb.project import Mixer, ProjectState, RegionState, TrackState


def snapshot_to_project(snapshot: StateSnapshot) -> ProjectState:
    """The project state Muse records for ``snapshot`` (ids, mixer and events kept)."""
    tracks = tuple(
        TrackState(
            track_id=t.track_id,
            name=t.name,
            program=t.program,
            is_drum=t.is_drums,
            role=t.role,
            mixer=Mixer(volume=t.volume, pan=t.pan, mute=t.muted, solo=t.solo),
        )
        for t in snapshot.tracks
    )
    regions = tuple(
        RegionState(
            region_id=r.region_id,
            track_id=r.track_id,
            start_beat=r.start_beat,
            duration_beats=r.duration_beats,
            name=r.name,
            notes=r.notes,
            cc=r.cc,
            bends=r.bends,
            aftertouch=r.aftertouch,
        )
        for r in snapshot.regions
    )
    return ProjectState(
        tracks=tracks,
        regions=regions,
        bpm=snapshot.tempo,
        time_signature=snapshot.time_signature,
        key=snapshot.key,
    )


def snapshot_from_project(state: ProjectState, *, version: int = 0) -> StateSnapshot:
    """A runtime snapshot of a Muse project state (e.g. HEAD), to apply tool calls to."""
    tracks = tuple(
        TrackEntity(
            track_id=t.track_id,
            name=t.name,
            program=t.program,
            is_drums=t.is_drum,
            role=t.role,
            volume=t.mixer.volume,
            pan=t.mixer.pan,
            muted=t.mixer.mute,
            solo=t.mixer.solo,
        )
        for t in state.tracks
    )
    regions = tuple(
        RegionEntity(
            region_id=r.region_id,
            track_id=r.track_id,
            start_beat=r.start_beat,
            duration_beats=r.duration_beats,
            name=r.name,
            notes=r.notes,
            cc=r.cc,
            bends=r.bends,
            aftertouch=r.aftertouch,
        )
        for r in state.regions
    )
    return StateSnapshot(
        version=version,
        tempo=state.bpm,
        key=state.key,
        time_signature=state.time_signature,
        tracks=tracks,
        regions=regions,
    )
