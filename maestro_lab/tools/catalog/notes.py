"""Note and MIDI-control tools (instrument phase): notes, CC, pitch bend, aftertouch.

Event times are in beats relative to the region start and must fall inside
the region (an onset at or after the region's end is refused).
"""

from __future__ import annotations

from pydantic import Field, ValidationInfo, field_validator

from maestro_lab.tools.base import EntityRef, ToolParams, ToolSpec
from maestro_lab.wire import CamelModel
from storpheus.midi_types import (
    BeatDuration,
    BeatPosition,
    MidiAftertouchValue,
    MidiCC,
    MidiCCValue,
    MidiChannel,
    MidiPitch,
    MidiPitchBend,
)

MAX_EVENTS_PER_CALL = 100_000
GRID_SIZES = (0.0625, 0.125, 0.25, 0.5, 1.0, 2.0, 4.0)
"""Quantisation grids in beats (1/64 to a whole note in 4/4)."""


class NoteParam(CamelModel):
    """One note of ``stori_add_notes``: times relative to the region start."""

    pitch: MidiPitch
    start_beat: BeatPosition
    duration_beats: BeatDuration
    velocity: int = Field(default=100, ge=1, le=127, description="velocity 1-127")
    channel: MidiChannel | None = Field(
        default=None, description="ignored on export: a track plays on its own channel"
    )


class CCPoint(CamelModel):
    """One controller value at a beat."""

    beat: BeatPosition
    value: MidiCCValue


class BendPoint(CamelModel):
    """One pitch-bend value at a beat (-8192..8191, 0 = centre)."""

    beat: BeatPosition
    value: MidiPitchBend


class AftertouchPoint(CamelModel):
    """Channel pressure (no ``pitch``) or polyphonic key pressure at a beat."""

    beat: BeatPosition
    value: MidiAftertouchValue
    pitch: MidiPitch | None = None


class AddNotesParams(ToolParams):
    """Parameters of ``stori_add_notes``: notes appended to a region."""

    region_id: EntityRef
    notes: list[NoteParam] = Field(min_length=1, max_length=MAX_EVENTS_PER_CALL)


class ClearNotesParams(ToolParams):
    """Parameters of ``stori_clear_notes``: all notes, or those with onsets in a span."""

    region_id: EntityRef
    start_beat: BeatPosition | None = Field(
        default=None, description="first beat of the span (relative to the region start)"
    )
    end_beat: BeatPosition | None = Field(
        default=None, description="first beat after the span (relative to the region start)"
    )
    controllers: bool = Field(
        default=False, description="also remove CC, pitch bend and aftertouch in the span"
    )

    @field_validator("end_beat")
    @classmethod
    def _end_after_start(cls, value: float | None, info: ValidationInfo) -> float | None:
        start = info.data.get("start_beat")
        if value is not None and start is not None and value <= start:
            raise ValueError(f"endBeat {value:g} must be after startBeat {start:g}")
        return value


class QuantizeNotesParams(ToolParams):
    """Parameters of ``stori_quantize_notes``."""

    region_id: EntityRef
    grid_size: float = Field(
        description="grid in beats: 0.25 = 1/16, 0.5 = 1/8, 1.0 = 1/4",
        json_schema_extra={"enum": list(GRID_SIZES)},
    )
    strength: float = Field(default=1.0, ge=0.0, le=1.0, description="1.0 snaps fully")

    @field_validator("grid_size")
    @classmethod
    def _grid(cls, value: float) -> float:
        if value not in GRID_SIZES:
            raise ValueError(f"must be one of {list(GRID_SIZES)}")
        return value


class AddMidiCCParams(ToolParams):
    """Parameters of ``stori_add_midi_cc``: values of one controller over time."""

    region_id: EntityRef
    cc: MidiCC
    events: list[CCPoint] = Field(min_length=1, max_length=MAX_EVENTS_PER_CALL)


class AddPitchBendParams(ToolParams):
    """Parameters of ``stori_add_pitch_bend``."""

    region_id: EntityRef
    events: list[BendPoint] = Field(min_length=1, max_length=MAX_EVENTS_PER_CALL)


class AddAftertouchParams(ToolParams):
    """Parameters of ``stori_add_aftertouch``."""

    region_id: EntityRef
    events: list[AftertouchPoint] = Field(min_length=1, max_length=MAX_EVENTS_PER_CALL)


NOTE_TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec(
        name="stori_add_notes",
        description=(
            "Append MIDI notes to a region. Times are beats relative to the region start; "
            "pitch 0-127 (60 = middle C), velocity 1-127. Drums use the GM drum map "
            "(36 kick, 38 snare, 42 closed hi-hat)."
        ),
        params=AddNotesParams,
        category="notes",
        phase="instrument",
        id_fields=("regionId",),
    ),
    ToolSpec(
        name="stori_clear_notes",
        description=(
            "Remove the notes of a region: all of them, or those whose onsets fall in "
            "[startBeat, endBeat) (beats relative to the region start); with controllers, "
            "CC, pitch bend and aftertouch in that span go too."
        ),
        params=ClearNotesParams,
        category="notes",
        phase="instrument",
        id_fields=("regionId",),
        reversible=False,
    ),
    ToolSpec(
        name="stori_quantize_notes",
        description="Move note onsets of a region towards a rhythmic grid.",
        params=QuantizeNotesParams,
        category="notes",
        phase="instrument",
        id_fields=("regionId",),
        reversible=False,
    ),
    ToolSpec(
        name="stori_add_midi_cc",
        description="Add control-change events (one controller number) to a region.",
        params=AddMidiCCParams,
        category="midi_control",
        phase="instrument",
        id_fields=("regionId",),
    ),
    ToolSpec(
        name="stori_add_pitch_bend",
        description="Add pitch-bend events (-8192..8191, 0 = centre) to a region.",
        params=AddPitchBendParams,
        category="midi_control",
        phase="instrument",
        id_fields=("regionId",),
    ),
    ToolSpec(
        name="stori_add_aftertouch",
        description=(
            "Add aftertouch to a region: {beat, value} for channel pressure, "
            "{beat, value, pitch} for polyphonic key pressure."
        ),
        params=AddAftertouchParams,
        category="midi_control",
        phase="instrument",
        id_fields=("regionId",),
    ),
)
