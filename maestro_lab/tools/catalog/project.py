"""Project-level tools (setup phase): tempo, key, time signature."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from maestro_lab.tools.base import KeyName, ToolParams, ToolSpec
from storpheus.midi_types import MidiBPM


class SetTempoParams(ToolParams):
    """Parameters of ``stori_set_tempo``."""

    tempo: MidiBPM = Field(description="tempo in whole BPM, 20-300")


class SetKeyParams(ToolParams):
    """Parameters of ``stori_set_key``."""

    key: KeyName


class SetTimeSignatureParams(ToolParams):
    """Parameters of ``stori_set_time_signature``."""

    numerator: int = Field(ge=1, le=64, description="beats per bar")
    denominator: Literal[1, 2, 4, 8, 16, 32] = Field(
        default=4, description="beat unit (4 = quarter note)"
    )


PROJECT_TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec(
        name="stori_set_tempo",
        description="Set the project tempo in whole beats per minute (20-300).",
        params=SetTempoParams,
        category="project",
        phase="setup",
    ),
    ToolSpec(
        name="stori_set_key",
        description="Set the project key, e.g. 'Am', 'F# minor', 'Eb major', 'D dorian'.",
        params=SetKeyParams,
        category="project",
        phase="setup",
    ),
    ToolSpec(
        name="stori_set_time_signature",
        description="Set the project time signature, e.g. numerator 6, denominator 8.",
        params=SetTimeSignatureParams,
        category="project",
        phase="setup",
    ),
)
