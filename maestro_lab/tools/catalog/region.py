"""Region tools (instrument phase): add, move, duplicate, delete MIDI regions."""

from __future__ import annotations

from pydantic import Field

from maestro_lab.tools.base import DisplayName, EntityRef, ToolParams, ToolSpec, TrackRefParams
from storpheus.midi_types import BeatDuration, BeatPosition


class AddMidiRegionParams(TrackRefParams):
    """Parameters of ``stori_add_midi_region`` (``_AddMidiRegionParams``).

    The track is named by ``trackId`` (an id or a track name) or ``trackName``.
    """

    start_beat: BeatPosition
    duration_beats: BeatDuration
    name: DisplayName | None = Field(default=None, description="region name, e.g. the section")


class RegionRefParams(ToolParams):
    """Parameters of the tools that name one region only."""

    region_id: EntityRef


class MoveRegionParams(ToolParams):
    """Parameters of ``stori_move_region``."""

    region_id: EntityRef
    start_beat: BeatPosition = Field(description="new start position in beats")


class DuplicateRegionParams(ToolParams):
    """Parameters of ``stori_duplicate_region``."""

    region_id: EntityRef
    start_beat: BeatPosition = Field(description="start of the copy in beats")
    name: DisplayName | None = None


REGION_TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec(
        name="stori_add_midi_region",
        description=(
            "Add a MIDI region (a container of notes) to a track. Start and duration are "
            "in beats (quarter notes). The result gives the new region's id."
        ),
        params=AddMidiRegionParams,
        category="region",
        phase="instrument",
        creates_entity="region",
        id_fields=("trackId", "trackName"),
    ),
    ToolSpec(
        name="stori_move_region",
        description="Move a region to a new start beat (its notes move with it).",
        params=MoveRegionParams,
        category="region",
        phase="instrument",
        id_fields=("regionId",),
    ),
    ToolSpec(
        name="stori_duplicate_region",
        description="Copy a region, with its notes and controller events, to a new start beat.",
        params=DuplicateRegionParams,
        category="region",
        phase="instrument",
        creates_entity="region",
        id_fields=("regionId",),
    ),
    ToolSpec(
        name="stori_delete_region",
        description="Delete a region and everything in it.",
        params=RegionRefParams,
        category="region",
        phase="instrument",
        id_fields=("regionId",),
        reversible=False,
    ),
)
