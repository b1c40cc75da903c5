"""Track tools (instrument phase): create, rename, change program."""

from __future__ import annotations

from pydantic import Field

from maestro_lab.tools.base import (
    DisplayName,
    HexColor,
    ParamProblem,
    Role,
    ToolParams,
    ToolSpec,
    TrackRefParams,
)
from storpheus.midi_types import MidiGMProgram


class AddMidiTrackParams(ToolParams):
    """Parameters of ``stori_add_midi_track``.

    Drum tracks set ``drumKitId`` (or ``isDrums``); other tracks set ``gmProgram``.
    """

    name: DisplayName
    role: Role | None = Field(default=None, description="instrument role, if known")
    instrument: str | None = Field(default=None, max_length=200, description="voice name")
    gm_program: MidiGMProgram | None = None
    drum_kit_id: str | None = Field(
        default=None, max_length=100, description="drum kit ('acoustic', 'TR-808'...)"
    )
    is_drums: bool | None = None
    color: HexColor | None = None
    icon: str | None = Field(default=None, max_length=100)

    def cross_check(self) -> tuple[ParamProblem, ...]:
        """``gmProgram`` and a drum kit exclude each other."""
        drums = self.drum_kit_id is not None or self.is_drums is True or self.role == "drums"
        if drums and self.gm_program is not None:
            return (
                ParamProblem(
                    "gmProgram", "a drum track takes drumKitId, not gmProgram; set only one"
                ),
            )
        if self.is_drums is False and self.drum_kit_id is not None:
            return (ParamProblem("drumKitId", "isDrums is false, so the track has no drum kit"),)
        return ()

    @property
    def drums(self) -> bool:
        """Whether the new track is a drum track."""
        if self.is_drums is not None:
            return self.is_drums
        return self.drum_kit_id is not None or self.role == "drums"


class SetTrackNameParams(TrackRefParams):
    """Parameters of ``stori_set_track_name``."""

    name: DisplayName


class SetMidiProgramParams(TrackRefParams):
    """Parameters of ``stori_set_midi_program``."""

    program: MidiGMProgram


TRACK_TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec(
        name="stori_add_midi_track",
        description=(
            "Add a MIDI track. Drums: set drumKitId (or isDrums); every other instrument: "
            "set gmProgram (0-127). Never both. The result gives the new track's id."
        ),
        params=AddMidiTrackParams,
        category="track",
        phase="instrument",
        creates_entity="track",
    ),
    ToolSpec(
        name="stori_set_track_name",
        description="Rename a track (named by trackId or trackName).",
        params=SetTrackNameParams,
        category="track",
        phase="instrument",
        id_fields=("trackId", "trackName"),
    ),
    ToolSpec(
        name="stori_set_midi_program",
        description="Set the General MIDI program (0-127) of a melodic track.",
        params=SetMidiProgramParams,
        category="track",
        phase="instrument",
        id_fields=("trackId", "trackName"),
    ),
)
