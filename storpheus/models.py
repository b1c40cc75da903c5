"""Pydantic boundary models for notes and controller events.

These validate untrusted data (JSON, YAML, widget input) where it enters. They
accept both the camelCase wire names of the DAW protocol (``startBeat``,
``durationBeats``, ``noteId``, ``trackId``, ``regionId``) and the snake_case
internal names (``start_beat``...), and serialise to camelCase
with ``model_dump(by_alias=True)``.

Example
-------
>>> wire = {"pitch": 60, "velocity": 90, "startBeat": 0, "durationBeats": 1}
>>> Note.model_validate(wire).start_beat
0.0
>>> note = Note(pitch=60, velocity=90, start_beat=1.5, duration_beats=0.5)
>>> note.model_dump(by_alias=True)["startBeat"]
1.5
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from storpheus.events import AftertouchArray, ControlChangeArray, PitchBendArray
from storpheus.midi_types import (
    BeatDuration,
    BeatPosition,
    MidiAftertouchValue,
    MidiCC,
    MidiCCValue,
    MidiChannel,
    MidiPitch,
    MidiPitchBend,
    MidiVelocity,
)
from storpheus.notes import NoteArray


class WireModel(BaseModel):
    """Base: frozen, unknown keys rejected, both field names and aliases accepted."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )


class Note(WireModel):
    """One MIDI note at the boundary (pitch, velocity, start and duration in beats)."""

    pitch: MidiPitch
    velocity: MidiVelocity
    channel: MidiChannel = 0
    start_beat: BeatPosition = Field(alias="startBeat")
    duration_beats: BeatDuration = Field(alias="durationBeats")
    note_id: str | None = Field(default=None, alias="noteId")
    track_id: str | None = Field(default=None, alias="trackId")
    region_id: str | None = Field(default=None, alias="regionId")
    layer: str | None = None


class CCEvent(WireModel):
    """One Control Change event (``CCEventDict``)."""

    cc: MidiCC
    beat: BeatPosition
    value: MidiCCValue


class PitchBend(WireModel):
    """One pitch-bend event (``PitchBendDict``)."""

    beat: BeatPosition
    value: MidiPitchBend


class Aftertouch(WireModel):
    """One aftertouch event (``AftertouchDict``); ``pitch`` only for polyphonic pressure."""

    beat: BeatPosition
    value: MidiAftertouchValue
    pitch: MidiPitch | None = None


_NOTES = TypeAdapter(list[Note])
_CCS = TypeAdapter(list[CCEvent])
_BENDS = TypeAdapter(list[PitchBend])
_TOUCHES = TypeAdapter(list[Aftertouch])


def notes_from_dicts(notes: Iterable[Mapping[str, object]]) -> NoteArray:
    """Validate note dicts (either naming style) into a :class:`NoteArray`.

    Raises ``pydantic.ValidationError`` whose locations give the note index
    and field, e.g. ``3.velocity``.
    """
    models = _NOTES.validate_python(list(notes))
    return NoteArray(
        pitch=np.fromiter((n.pitch for n in models), np.uint8, len(models)),
        velocity=np.fromiter((n.velocity for n in models), np.uint8, len(models)),
        start_beat=np.fromiter((n.start_beat for n in models), np.float64, len(models)),
        duration_beats=np.fromiter((n.duration_beats for n in models), np.float64, len(models)),
        channel=np.fromiter((n.channel for n in models), np.uint8, len(models)),
    )


def cc_from_dicts(events: Iterable[Mapping[str, object]]) -> ControlChangeArray:
    """Validate ``{"cc", "beat", "value"}`` dicts into a :class:`ControlChangeArray`."""
    models = _CCS.validate_python(list(events))
    return ControlChangeArray(
        number=[e.cc for e in models],
        value=[e.value for e in models],
        beat=np.asarray([e.beat for e in models], dtype=np.float64),
    )


def bends_from_dicts(events: Iterable[Mapping[str, object]]) -> PitchBendArray:
    """Validate ``{"beat", "value"}`` dicts into a :class:`PitchBendArray`."""
    models = _BENDS.validate_python(list(events))
    return PitchBendArray(
        value=np.asarray([e.value for e in models], dtype=np.int64),
        beat=np.asarray([e.beat for e in models], dtype=np.float64),
    )


def aftertouch_from_dicts(events: Iterable[Mapping[str, object]]) -> AftertouchArray:
    """Validate ``{"beat", "value", "pitch"?}`` dicts into an :class:`AftertouchArray`."""
    models = _TOUCHES.validate_python(list(events))
    return AftertouchArray(
        value=np.asarray([e.value for e in models], dtype=np.int64),
        beat=np.asarray([e.beat for e in models], dtype=np.float64),
        pitch=np.asarray([-1 if e.pitch is None else e.pitch for e in models], dtype=np.int64),
    )
