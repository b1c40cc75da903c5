"""The generation tool (server-side): ``stori_generate_midi``.

The runtime executes it (an instrument agent generates, scores and selects
candidates) and writes the chosen notes with ``stori_add_notes``; the project
state never executes it directly.
"""

from __future__ import annotations

from pydantic import Field, JsonValue

from maestro_lab.tools.base import (
    DisplayName,
    EntityRef,
    KeyName,
    Role,
    ToolKind,
    ToolParams,
    ToolSpec,
    ToolTier,
)
from storpheus.midi_types import BeatPosition, MidiBPM


class GenerateMidiParams(ToolParams):
    """Parameters of ``stori_generate_midi``."""

    role: Role
    style: str = Field(min_length=1, max_length=100, description="style, e.g. 'boom bap'")
    tempo: MidiBPM
    bars: int = Field(ge=1, le=64, description="bars to generate, 1-64")
    key: KeyName | None = None
    track_name: DisplayName | None = None
    track_id: EntityRef | None = None
    region_name: DisplayName | None = None
    region_id: EntityRef | None = None
    section: str | None = Field(default=None, max_length=100, description="section name")
    start_beat: BeatPosition = 0.0
    num_candidates: int = Field(default=1, ge=1, le=256, description="candidates to sample")
    seed: int | None = Field(default=None, ge=0, description="base seed of this generation")
    constraints: dict[str, JsonValue] = Field(
        default_factory=dict, description="per-role hints (density, swing, register...)"
    )
    prompt: str | None = Field(
        default=None, max_length=4000, description="text description of the part (for agents)"
    )


GENERATION_TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec(
        name="stori_generate_midi",
        description=(
            "Generate MIDI for one instrument role (drums, bass, chords, melody, arp, pads, "
            "fx, lead) in a style, tempo, key and length; candidates are scored and the best "
            "is written to the region."
        ),
        params=GenerateMidiParams,
        category="generation",
        phase="instrument",
        kind=ToolKind.GENERATOR,
        tier=ToolTier.TIER1,
        id_fields=("trackId", "regionId"),
    ),
)
