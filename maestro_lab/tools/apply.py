"""How each tool changes the project: pure functions from snapshot to snapshot.

Every applier takes the current :class:`~maestro_lab.tools.entities.StateSnapshot`
and a validated call and returns an :class:`Applied`: the new snapshot (its
version not yet bumped) and what changed. Nothing is mutated, so a failure
half-way leaves the caller's snapshot untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from maestro_lab.errors import EntityNotFoundError, ToolApplyError
from maestro_lab.tools.base import ToolName, TrackRefParams
from maestro_lab.tools.catalog.mixing import (
    AddInsertEffectParams,
    AddSendParams,
    EnsureBusParams,
    MuteTrackParams,
    SetTrackPanParams,
    SetTrackVolumeParams,
    SoloTrackParams,
)
from maestro_lab.tools.catalog.notes import (
    AddAftertouchParams,
    AddMidiCCParams,
    AddNotesParams,
    AddPitchBendParams,
    ClearNotesParams,
    QuantizeNotesParams,
)
from maestro_lab.tools.catalog.project import SetKeyParams, SetTempoParams, SetTimeSignatureParams
from maestro_lab.tools.catalog.region import (
    AddMidiRegionParams,
    DuplicateRegionParams,
    MoveRegionParams,
    RegionRefParams,
)
from maestro_lab.tools.catalog.track import (
    AddMidiTrackParams,
    SetMidiProgramParams,
    SetTrackNameParams,
)
from maestro_lab.tools.entities import ChangeKind, EntityType, StateSnapshot
from maestro_lab.tools.validation import ValidatedToolCall
from storpheus.events import AftertouchArray, ControlChangeArray, PitchBendArray
from storpheus.notes import NoteArray
from storpheus.project import (
    TPQ,
    Bus,
    DawTrack,
    InsertEffect,
    RegionState,
    Send,
    TrackState,
    slug,
    unique_id,
)
from storpheus.score import TimeSignature


@dataclass(frozen=True)
class Applied:
    """The outcome of one applier: the new snapshot and a description of the change."""

    snapshot: StateSnapshot
    kind: ChangeKind
    entity_type: EntityType
    entity_id: str | None
    created: bool
    summary: str


Applier = Callable[[StateSnapshot, ValidatedToolCall], Applied]


# ------------------------------------------------------------------- tracks
def resolve_track(s: StateSnapshot, p: TrackRefParams, tool: str) -> TrackState:
    """The track a call names by ``trackId`` (id or name) and/or ``trackName`` (name)."""
    if p.track_id is None:
        assert p.track_name is not None
        return s.track(p.track_name, "trackName")
    track = s.track(p.track_id)
    if p.track_name is not None and track.name.casefold() != p.track_name.casefold():
        raise ToolApplyError(
            tool,
            "trackName",
            f"{p.track_name!r} is not the name of track {track.track_id!r} ({track.name!r})",
        )
    return track


# ------------------------------------------------------------------ project
def _set_tempo(s: StateSnapshot, call: ValidatedToolCall) -> Applied:
    p = _params(call, SetTempoParams)
    return Applied(
        s.with_project(replace(s.project, bpm=p.tempo)),
        ChangeKind.PROJECT_UPDATED,
        "project",
        None,
        False,
        f"tempo {p.tempo} BPM",
    )


def _set_key(s: StateSnapshot, call: ValidatedToolCall) -> Applied:
    p = _params(call, SetKeyParams)
    return Applied(
        s.with_project(replace(s.project, key=p.key)),
        ChangeKind.PROJECT_UPDATED,
        "project",
        None,
        False,
        f"key {p.key}",
    )


def _set_time_signature(s: StateSnapshot, call: ValidatedToolCall) -> Applied:
    p = _params(call, SetTimeSignatureParams)
    meter = TimeSignature(p.numerator, p.denominator)
    return Applied(
        s.with_project(replace(s.project, time_signature=meter)),
        ChangeKind.PROJECT_UPDATED,
        "project",
        None,
        False,
        f"time signature {meter}",
    )


# -------------------------------------------------------------------- track
def _add_midi_track(s: StateSnapshot, call: ValidatedToolCall) -> Applied:
    p = _params(call, AddMidiTrackParams)
    track_id = unique_id(slug(p.name, "track"), set(s.track_ids))
    drums = p.drums
    track = TrackState(
        track_id=track_id,
        name=p.name,
        program=p.gm_program or 0,
        is_drum=drums,
        role=p.role or ("drums" if drums else None),
    )
    daw = DawTrack(
        track_id,
        instrument=p.instrument,
        drum_kit_id=p.drum_kit_id,
        color=p.color,
        icon=p.icon,
    )
    kind = "drum" if drums else f"program {track.program}"
    return Applied(
        s.with_track(track).with_daw_track(daw),
        ChangeKind.TRACK_CREATED,
        "track",
        track_id,
        True,
        f"track {p.name!r} ({kind})",
    )


def _set_track_name(s: StateSnapshot, call: ValidatedToolCall) -> Applied:
    p = _params(call, SetTrackNameParams)
    track = resolve_track(s, p, call.name)
    return _track_update(s, replace(track, name=p.name), f"renamed to {p.name!r}")


def _set_midi_program(s: StateSnapshot, call: ValidatedToolCall) -> Applied:
    p = _params(call, SetMidiProgramParams)
    track = resolve_track(s, p, call.name)
    return _track_update(s, replace(track, program=p.program), f"program {p.program}")


def _track_update(
    s: StateSnapshot, track: TrackState, what: str, kind: ChangeKind = ChangeKind.TRACK_UPDATED
) -> Applied:
    return Applied(
        s.with_track(track), kind, "track", track.track_id, False, f"track {track.track_id}: {what}"
    )


# ------------------------------------------------------------------- region
def _add_midi_region(s: StateSnapshot, call: ValidatedToolCall) -> Applied:
    p = _params(call, AddMidiRegionParams)
    track = resolve_track(s, p, call.name)
    name = p.name or ""
    region_id = unique_id(f"{track.track_id}/{slug(name, 'region')}", set(s.region_ids))
    region = RegionState(region_id, track.track_id, p.start_beat, p.duration_beats, name)
    return Applied(
        s.with_region(region),
        ChangeKind.REGION_CREATED,
        "region",
        region_id,
        True,
        f"region {region_id} at beat {p.start_beat:g} for {p.duration_beats:g} beats",
    )


def _move_region(s: StateSnapshot, call: ValidatedToolCall) -> Applied:
    p = _params(call, MoveRegionParams)
    region = s.region(p.region_id)
    return _region_update(s, replace(region, start_beat=p.start_beat), f"moved to {p.start_beat:g}")


def _duplicate_region(s: StateSnapshot, call: ValidatedToolCall) -> Applied:
    p = _params(call, DuplicateRegionParams)
    source = s.region(p.region_id)
    name = p.name if p.name is not None else source.name
    region_id = unique_id(f"{source.track_id}/{slug(name, 'region')}", set(s.region_ids))
    copy = replace(source, region_id=region_id, start_beat=p.start_beat, name=name)
    return Applied(
        s.with_region(copy),
        ChangeKind.REGION_CREATED,
        "region",
        region_id,
        True,
        f"region {region_id} copied from {source.region_id} to beat {p.start_beat:g}",
    )


def _delete_region(s: StateSnapshot, call: ValidatedToolCall) -> Applied:
    p = _params(call, RegionRefParams)
    s.region(p.region_id)
    return Applied(
        s.without_region(p.region_id),
        ChangeKind.REGION_DELETED,
        "region",
        p.region_id,
        False,
        f"region {p.region_id} deleted",
    )


def _region_update(
    s: StateSnapshot, region: RegionState, what: str, kind: ChangeKind = ChangeKind.REGION_UPDATED
) -> Applied:
    return Applied(
        s.with_region(region),
        kind,
        "region",
        region.region_id,
        False,
        f"region {region.region_id}: {what}",
    )


# -------------------------------------------------------------------- notes
def check_inside(
    tool: str, region: RegionState, beats: npt.NDArray[np.float64], what: str, key: str
) -> None:
    """Refuse events whose onset is at or after the region end (names the first one)."""
    outside = beats >= region.duration_beats
    if outside.any():
        index = int(np.argmax(outside))
        raise ToolApplyError(
            tool,
            f"{what}[{index}].{key}",
            f"{float(beats[index]):g} is at or after the end of region {region.region_id!r} "
            f"({region.duration_beats:g} beats long); times are relative to the region start",
        )


def _add_notes(s: StateSnapshot, call: ValidatedToolCall) -> Applied:
    p = _params(call, AddNotesParams)
    region = s.region(p.region_id)
    n = len(p.notes)
    notes = NoteArray(
        pitch=np.fromiter((x.pitch for x in p.notes), np.uint8, n),
        velocity=np.fromiter((x.velocity for x in p.notes), np.uint8, n),
        start_beat=np.fromiter((x.start_beat for x in p.notes), np.float64, n),
        duration_beats=np.fromiter((x.duration_beats for x in p.notes), np.float64, n),
        channel=np.fromiter((x.channel or 0 for x in p.notes), np.uint8, n),
    )
    check_inside(call.name, region, notes.start_beat, "notes", "startBeat")
    merged = NoteArray.concat([region.notes, notes])
    return _region_update(
        s,
        region.with_events(notes=merged),
        f"+{n} notes ({len(merged)} total)",
        ChangeKind.NOTES_WRITTEN,
    )


def _clear_notes(s: StateSnapshot, call: ValidatedToolCall) -> Applied:
    p = _params(call, ClearNotesParams)
    region = s.region(p.region_id)
    low = 0.0 if p.start_beat is None else p.start_beat
    high = float("inf") if p.end_beat is None else p.end_beat

    def keep(beats: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
        return np.asarray((beats < low) | (beats >= high))

    notes = region.notes[keep(region.notes.start_beat)]
    updated = region.with_events(notes=notes)
    if p.controllers:
        updated = updated.with_events(
            cc=region.cc[keep(region.cc.beat)],
            bends=region.bends[keep(region.bends.beat)],
            aftertouch=region.aftertouch[keep(region.aftertouch.beat)],
        )
    span = "" if p.start_beat is None and p.end_beat is None else f" in [{low:g}, {high:g})"
    return _region_update(
        s,
        updated,
        f"cleared {len(region.notes) - len(notes)} notes{span}",
        ChangeKind.NOTES_WRITTEN,
    )


def _quantize_notes(s: StateSnapshot, call: ValidatedToolCall) -> Applied:
    p = _params(call, QuantizeNotesParams)
    region = s.region(p.region_id)
    notes = region.notes
    start = notes.start_beat
    snapped = np.round(start / p.grid_size) * p.grid_size
    moved = start + p.strength * (snapped - start)
    last = (region.duration_ticks - 1) / TPQ  # the last tick inside the region
    inside = np.minimum(np.maximum(moved, 0.0), last)
    cols = notes.columns
    cols["start_beat"] = inside
    quantized = NoteArray(**cols)
    return _region_update(
        s,
        region.with_events(notes=quantized),
        f"quantized {len(notes)} notes to {p.grid_size:g} beats",
        ChangeKind.NOTES_WRITTEN,
    )


def _add_midi_cc(s: StateSnapshot, call: ValidatedToolCall) -> Applied:
    p = _params(call, AddMidiCCParams)
    region = s.region(p.region_id)
    beats = np.asarray([e.beat for e in p.events], dtype=np.float64)
    check_inside(call.name, region, beats, "events", "beat")
    new = ControlChangeArray(
        number=np.full(len(beats), p.cc, dtype=np.uint8),
        value=np.asarray([e.value for e in p.events], dtype=np.uint8),
        beat=beats,
    )
    merged = ControlChangeArray.concat([region.cc, new])
    return _region_update(
        s, region.with_events(cc=merged), f"+{len(new)} CC{p.cc}", ChangeKind.CONTROLLERS_WRITTEN
    )


def _add_pitch_bend(s: StateSnapshot, call: ValidatedToolCall) -> Applied:
    p = _params(call, AddPitchBendParams)
    region = s.region(p.region_id)
    beats = np.asarray([e.beat for e in p.events], dtype=np.float64)
    check_inside(call.name, region, beats, "events", "beat")
    new = PitchBendArray(value=np.asarray([e.value for e in p.events], dtype=np.int64), beat=beats)
    merged = PitchBendArray.concat([region.bends, new])
    return _region_update(
        s, region.with_events(bends=merged), f"+{len(new)} bends", ChangeKind.CONTROLLERS_WRITTEN
    )


def _add_aftertouch(s: StateSnapshot, call: ValidatedToolCall) -> Applied:
    p = _params(call, AddAftertouchParams)
    region = s.region(p.region_id)
    beats = np.asarray([e.beat for e in p.events], dtype=np.float64)
    check_inside(call.name, region, beats, "events", "beat")
    new = AftertouchArray(
        value=np.asarray([e.value for e in p.events], dtype=np.int64),
        beat=beats,
        pitch=np.asarray([-1 if e.pitch is None else e.pitch for e in p.events], dtype=np.int64),
    )
    merged = AftertouchArray.concat([region.aftertouch, new])
    return _region_update(
        s,
        region.with_events(aftertouch=merged),
        f"+{len(new)} aftertouch",
        ChangeKind.CONTROLLERS_WRITTEN,
    )


# ------------------------------------------------------------------- mixing
def _set_track_volume(s: StateSnapshot, call: ValidatedToolCall) -> Applied:
    p = _params(call, SetTrackVolumeParams)
    track = resolve_track(s, p, call.name)
    volume = round(p.linear, 6)
    mixer = replace(track.mixer, volume=volume)
    return _track_update(
        s, replace(track, mixer=mixer), f"volume {volume:g}", ChangeKind.MIX_UPDATED
    )


def _set_track_pan(s: StateSnapshot, call: ValidatedToolCall) -> Applied:
    p = _params(call, SetTrackPanParams)
    track = resolve_track(s, p, call.name)
    pan = round(p.position, 6)
    mixer = replace(track.mixer, pan=pan)
    return _track_update(s, replace(track, mixer=mixer), f"pan {pan:g}", ChangeKind.MIX_UPDATED)


def _mute_track(s: StateSnapshot, call: ValidatedToolCall) -> Applied:
    p = _params(call, MuteTrackParams)
    track = resolve_track(s, p, call.name)
    what = "muted" if p.muted else "unmuted"
    mixer = replace(track.mixer, mute=p.muted)
    return _track_update(s, replace(track, mixer=mixer), what, ChangeKind.MIX_UPDATED)


def _solo_track(s: StateSnapshot, call: ValidatedToolCall) -> Applied:
    p = _params(call, SoloTrackParams)
    track = resolve_track(s, p, call.name)
    what = "soloed" if p.solo else "unsoloed"
    mixer = replace(track.mixer, solo=p.solo)
    return _track_update(s, replace(track, mixer=mixer), what, ChangeKind.MIX_UPDATED)


def _add_insert_effect(s: StateSnapshot, call: ValidatedToolCall) -> Applied:
    p = _params(call, AddInsertEffectParams)
    track = resolve_track(s, p, call.name)
    effect = InsertEffect(p.type, tuple(sorted(p.settings.items())))
    daw = s.daw_track(track.track_id)
    return _daw_update(s, replace(daw, inserts=(*daw.inserts, effect)), f"+{p.type}")


def _ensure_bus(s: StateSnapshot, call: ValidatedToolCall) -> Applied:
    p = _params(call, EnsureBusParams)
    existing = s.bus_named(p.name)
    if existing is not None:
        return Applied(
            s, ChangeKind.BUS_CREATED, "bus", existing.bus_id, False, f"bus {p.name!r} exists"
        )
    bus_id = unique_id(f"bus/{slug(p.name, 'bus')}", {b.bus_id for b in s.buses})
    return Applied(
        s.with_bus(Bus(bus_id, p.name)),
        ChangeKind.BUS_CREATED,
        "bus",
        bus_id,
        True,
        f"bus {p.name!r}",
    )


def _add_send(s: StateSnapshot, call: ValidatedToolCall) -> Applied:
    p = _params(call, AddSendParams)
    track = resolve_track(s, p, call.name)
    bus = s.bus_named(p.bus_name)
    if bus is None:
        names = tuple(b.name for b in s.buses)
        raise EntityNotFoundError("busName", p.bus_name, names)
    daw = s.daw_track(track.track_id)
    sends = tuple(x for x in daw.sends if x.bus_id != bus.bus_id)
    updated = replace(daw, sends=(*sends, Send(bus.bus_id, p.send_level)))
    return _daw_update(s, updated, f"send to {bus.name!r} at {p.send_level:g}")


def _daw_update(s: StateSnapshot, daw: DawTrack, what: str) -> Applied:
    return Applied(
        s.with_daw_track(daw),
        ChangeKind.MIX_UPDATED,
        "track",
        daw.track_id,
        False,
        f"track {daw.track_id}: {what}",
    )


# --------------------------------------------------------------- generation
def _server_side(s: StateSnapshot, call: ValidatedToolCall) -> Applied:
    raise ToolApplyError(
        call.name,
        None,
        "a server-side generator tool: the runtime runs it and writes the chosen notes "
        "with stori_add_notes (or StateStore.write_notes); the project state cannot apply it",
    )


APPLIERS: dict[ToolName, Applier] = {
    "stori_set_tempo": _set_tempo,
    "stori_set_key": _set_key,
    "stori_set_time_signature": _set_time_signature,
    "stori_add_midi_track": _add_midi_track,
    "stori_set_track_name": _set_track_name,
    "stori_set_midi_program": _set_midi_program,
    "stori_add_midi_region": _add_midi_region,
    "stori_move_region": _move_region,
    "stori_duplicate_region": _duplicate_region,
    "stori_delete_region": _delete_region,
    "stori_add_notes": _add_notes,
    "stori_clear_notes": _clear_notes,
    "stori_quantize_notes": _quantize_notes,
    "stori_add_midi_cc": _add_midi_cc,
    "stori_add_pitch_bend": _add_pitch_bend,
    "stori_add_aftertouch": _add_aftertouch,
    "stori_set_track_volume": _set_track_volume,
    "stori_set_track_pan": _set_track_pan,
    "stori_mute_track": _mute_track,
    "stori_solo_track": _solo_track,
    "stori_add_insert_effect": _add_insert_effect,
    "stori_ensure_bus": _ensure_bus,
    "stori_add_send": _add_send,
    "stori_generate_midi": _server_side,
}
"""The applier of every tool of the catalogue."""


def apply_call(snapshot: StateSnapshot, call: ValidatedToolCall) -> Applied:
    """Apply one validated call to ``snapshot`` (pure; raises a typed error on failure)."""
    applier = APPLIERS.get(call.name)
    if applier is None:
        raise ToolApplyError(call.name, None, "no applier is registered for this tool")
    return applier(snapshot, call)


P = TypeVar("P")


def _params(call: ValidatedToolCall, kind: type[P]) -> P:
    params = call.params
    assert isinstance(params, kind), f"{call.name}: expected {kind.__name__}"
    return params
