"""Mixing tools (mixing phase): volume, pan, mute, solo, insert effects, buses, sends."""

from __future__ import annotations

from pydantic import Field

from maestro_lab.tools.base import (
    DisplayName,
    EffectType,
    ParamProblem,
    ToolParams,
    ToolSpec,
    TrackRefParams,
)


class SetTrackVolumeParams(TrackRefParams):
    """Parameters of ``stori_set_track_volume``: ``volume`` (linear) or ``volumeDb``."""

    volume: float | None = Field(
        default=None, ge=0.0, le=1.0, description="linear gain 0.0 (silent) to 1.0 (unity)"
    )
    volume_db: float | None = Field(
        default=None, ge=-96.0, le=0.0, description="gain in dB, -96 to 0 (0 dB = unity)"
    )

    def cross_check(self) -> tuple[ParamProblem, ...]:
        """A track, and exactly one of ``volume`` / ``volumeDb``."""
        if (self.volume is None) == (self.volume_db is None):
            return (ParamProblem("volume", "give exactly one of volume (linear) or volumeDb"),)
        return super().cross_check()

    @property
    def linear(self) -> float:
        """The gain as a linear factor 0-1 (``volumeDb`` converted, -96 dB = silence)."""
        if self.volume is not None:
            return self.volume
        assert self.volume_db is not None
        return 0.0 if self.volume_db <= -96.0 else float(10.0 ** (self.volume_db / 20.0))


class SetTrackPanParams(TrackRefParams):
    """Parameters of ``stori_set_track_pan``: ``pan`` (-1..1) or ``panPercent`` (-100..100)."""

    pan: float | None = Field(
        default=None, ge=-1.0, le=1.0, description="-1.0 hard left, 0.0 centre, 1.0 hard right"
    )
    pan_percent: float | None = Field(
        default=None, ge=-100.0, le=100.0, description="-100 hard left, 0 centre, 100 hard right"
    )

    def cross_check(self) -> tuple[ParamProblem, ...]:
        """A track, and exactly one of ``pan`` / ``panPercent``."""
        if (self.pan is None) == (self.pan_percent is None):
            return (ParamProblem("pan", "give exactly one of pan (-1..1) or panPercent"),)
        return super().cross_check()

    @property
    def position(self) -> float:
        """The pan position -1..1."""
        if self.pan is not None:
            return self.pan
        assert self.pan_percent is not None
        return self.pan_percent / 100.0


class MuteTrackParams(TrackRefParams):
    """Parameters of ``stori_mute_track``."""

    muted: bool


class SoloTrackParams(TrackRefParams):
    """Parameters of ``stori_solo_track``."""

    solo: bool


class AddInsertEffectParams(TrackRefParams):
    """Parameters of ``stori_add_insert_effect``."""

    type: EffectType
    settings: dict[str, float] = Field(
        default_factory=dict, description="effect parameters by name (e.g. {'mix': 0.3})"
    )


class EnsureBusParams(ToolParams):
    """Parameters of ``stori_ensure_bus``."""

    name: DisplayName


class AddSendParams(TrackRefParams):
    """Parameters of ``stori_add_send``."""

    bus_name: DisplayName
    send_level: float = Field(default=0.3, ge=0.0, le=1.0, description="send level 0.0-1.0")


MIXING_TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec(
        name="stori_set_track_volume",
        description=(
            "Set a track's volume: volume linear 0.0 (silent) to 1.0 (unity), "
            "or volumeDb -96 to 0 dB."
        ),
        params=SetTrackVolumeParams,
        category="mixing",
        phase="mixing",
        id_fields=("trackId", "trackName"),
    ),
    ToolSpec(
        name="stori_set_track_pan",
        description=(
            "Set a track's pan: pan -1.0 (hard left) to 1.0 (hard right), "
            "or panPercent -100 to 100."
        ),
        params=SetTrackPanParams,
        category="mixing",
        phase="mixing",
        id_fields=("trackId", "trackName"),
    ),
    ToolSpec(
        name="stori_mute_track",
        description="Mute or unmute a track.",
        params=MuteTrackParams,
        category="mixing",
        phase="mixing",
        id_fields=("trackId", "trackName"),
    ),
    ToolSpec(
        name="stori_solo_track",
        description="Solo or unsolo a track.",
        params=SoloTrackParams,
        category="mixing",
        phase="mixing",
        id_fields=("trackId", "trackName"),
    ),
    ToolSpec(
        name="stori_add_insert_effect",
        description=(
            "Add an insert effect to a track: reverb, delay, compressor, eq, distortion, "
            "filter, chorus, modulation, overdrive, phaser, flanger or tremolo."
        ),
        params=AddInsertEffectParams,
        category="effects",
        phase="instrument",
        id_fields=("trackId", "trackName"),
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
        id_fields=("trackId", "trackName"),
    ),
)
