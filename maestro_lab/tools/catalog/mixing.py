"""Mixing tools (mixing phase): volume, pan, mute, solo, insert effects, buses, sends."""

from __future__ import annotations

from pydantic import Field

from maestro_lab.tools.base import DisplayName, EffectType, EntityRef, ToolParams, ToolSpec


class SetTrackVolumeParams(ToolParams):
    """Parameters of ``stori_set_track_volume``."""

    track_id: EntityRef
    volume: float = Field(ge=0.0, le=1.0, description="linear gain 0.0 (silent) to 1.0 (unity)")


class SetTrackPanParams(ToolParams):
    """Parameters of ``stori_set_track_pan``."""

    track_id: EntityRef
    pan: float = Field(ge=-1.0, le=1.0, description="-1.0 hard left, 0.0 centre, 1.0 hard right")


class MuteTrackParams(ToolParams):
    """Parameters of ``stori_mute_track``."""

    track_id: EntityRef
    muted: bool


class SoloTrackParams(ToolParams):
    """Parameters of ``stori_solo_track``."""

    track_id: EntityRef
    solo: bool


class AddInsertEffectParams(ToolParams):
    """Parameters of ``stori_add_insert_effect``."""

    track_id: EntityRef
    type: EffectType
    settings: dict[str, float] = Field(
        default_factory=dict, description="effect parameters by name (e.g. {'mix': 0.3})"
    )


class EnsureBusParams(ToolParams):
    """Parameters of ``stori_ensure_bus``."""

    name: DisplayName


class AddSendParams(ToolParams):
    """Parameters of ``stori_add_send``."""

    track_id: EntityRef
    bus_name: DisplayName
    send_level: float = Field(default=0.3, ge=0.0, le=1.0, description="send level 0.0-1.0")


MIXING_TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec(
        name="stori_set_track_volume",
        description="Set a track's volume: linear 0.0 (silent) to 1.0 (unity gain).",
        params=SetTrackVolumeParams,
        category="mixing",
        phase="mixing",
        id_fields=("trackId",),
    ),
    ToolSpec(
        name="stori_set_track_pan",
        description="Set a track's pan: -1.0 hard left, 0.0 centre, 1.0 hard right.",
        params=SetTrackPanParams,
        category="mixing",
        phase="mixing",
        id_fields=("trackId",),
    ),
    ToolSpec(
        name="stori_mute_track",
        description="Mute or unmute a track.",
        params=MuteTrackParams,
        category="mixing",
        phase="mixing",
        id_fields=("trackId",),
    ),
    ToolSpec(
        name="stori_solo_track",
        description="Solo or unsolo a track.",
        params=SoloTrackParams,
        category="mixing",
        phase="mixing",
        id_fields=("trackId",),
    ),
    ToolSpec(
        name="stori_add_insert_effect",
        description=(
            "Add an insert effect to a track: reverb, delay, compressor, eq, distortion, "
            "filter, chorus, modulation, overdrive, phaser, flanger or tremolo."
        ),
        params=AddInsertEffectParams,
        category="effects",
        phase="mixing",
        id_fields=("trackId",),
    ),
    ToolSpec(
        name="stori_ensure_bus",
        description="Make sure a named bus exists (created if missing); sends go to buses.",
        params=EnsureBusParams,
        category="effects",
        phase="mixing",
        creates_entity="bus",
    ),
    ToolSpec(
        name="stori_add_send",
        description="Send a track to a named bus (e.g. 'Reverb') at a level 0.0-1.0.",
        params=AddSendParams,
        category="effects",
        phase="mixing",
        id_fields=("trackId",),
    ),
)
