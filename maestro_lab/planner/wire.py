"""JSON shapes of plans: the compact plan wire format and the full plan document.

- The compact wire format (:class:`GenerationStepDict`,
  :class:`EditStepDict`, :class:`MixStepDict`, :class:`PlanJsonDict`),
  produced by :meth:`CompositionPlan.wire`;
- :class:`ToolCallDict`, one step of the execution plan (``stori_*`` tool,
  camelCase params, phase);
- :data:`CompositionPlanDict`, the lossless JSON of a whole
  :class:`~maestro_lab.planner.model.CompositionPlan` (``to_dict``), validated
  by :func:`plan_adapter` on the way back in and exported as a JSON Schema by
  :func:`plan_schema`.

The embedded MusicSpec parts keep the IR's own snake_case serialisation
(``MusicSpec.to_dict``); everything else is camelCase.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Literal, NotRequired

from pydantic import Field, JsonValue, TypeAdapter
from typing_extensions import TypedDict

from maestro_lab.prompts.schema import DRAFT, MaestroPromptDict
from maestro_lab.tools.base import ToolPhase
from maestro_lab.tools.validation import ToolStepDict
from storpheus.jsontypes import JSONObject

Phase = ToolPhase
"""The execution phase of a step (the tool catalogue's)."""


class GenerationStepDict(TypedDict, total=False):
    """Wire format of one MIDI generation step."""

    role: str
    style: str
    tempo: int
    bars: int
    key: str
    constraints: dict[str, JsonValue]
    trackName: str


class EditStepDict(TypedDict, total=False):
    """Wire format of one DAW edit step (``add_track`` / ``add_region``)."""

    action: Literal["add_track", "add_region"]
    name: str
    track: str
    barStart: int
    bars: int


class MixStepDict(TypedDict, total=False):
    """Wire format of one mixing step."""

    action: Literal["add_insert", "add_send", "set_volume", "set_pan"]
    track: str
    type: str
    bus: str
    value: float


class PlanJsonDict(TypedDict, total=False):
    """Wire format of a whole plan (``generations``, ``edits``, ``mix``)."""

    generations: list[GenerationStepDict]
    edits: list[EditStepDict]
    mix: list[MixStepDict]
    explanation: str


ToolCallDict = ToolStepDict
"""One execution step: a ``stori_*`` tool call in a phase (the tool catalogue's shape)."""


class EmotionDict(TypedDict):
    """The five emotion axes, each 0-1."""

    energy: Annotated[float, Field(ge=0, le=1)]
    valence: Annotated[float, Field(ge=0, le=1)]
    tension: Annotated[float, Field(ge=0, le=1)]
    intimacy: Annotated[float, Field(ge=0, le=1)]
    motion: Annotated[float, Field(ge=0, le=1)]


class ConstraintsDict(TypedDict):
    """``GenerationConstraints.to_dict()`` (snake_case, as the IR serialises it)."""

    drum_density: Annotated[float, Field(ge=0, le=1)]
    subdivision: Literal[1, 2, 3, 4, 6, 8]
    swing: Annotated[float, Field(ge=0.5, le=0.75)]
    register_center: Annotated[int, Field(ge=0, le=127)]
    register_spread: Annotated[int, Field(ge=1, le=64)]
    rest_density: Annotated[float, Field(ge=0, le=1)]
    leap_probability: Annotated[float, Field(ge=0, le=1)]
    chord_extensions: bool
    harmonic_rhythm: Annotated[float, Field(gt=0, le=8)]
    velocity_floor: Annotated[int, Field(ge=0, le=127)]
    velocity_ceiling: Annotated[int, Field(ge=0, le=127)]


class SectionDict(TypedDict):
    """One section of the plan."""

    name: str
    kind: str
    startBar: Annotated[int, Field(ge=0)]
    bars: Annotated[int, Field(ge=1)]
    startBeat: Annotated[float, Field(ge=0)]
    seed: Annotated[int, Field(ge=0)]
    emotion: EmotionDict
    constraints: ConstraintsDict
    chords: list[str]
    spec: dict[str, JsonValue]


class RoleDict(TypedDict):
    """One instrument role/track of the plan."""

    key: str
    role: Literal["drums", "bass", "chords", "pads", "melody", "lead", "arp", "fx"]
    source: str
    trackName: str
    program: Annotated[int, Field(ge=0, le=127)] | None
    isDrum: bool
    channel: Annotated[int, Field(ge=0, le=15)]
    seed: Annotated[int, Field(ge=0)]
    color: str
    icon: str
    drumKit: str | None
    drumParts: list[str]
    existingTrackId: str | None
    inserts: list[str]
    sends: list[str]
    volumeDb: float
    pan: Annotated[float, Field(ge=-100, le=100)]


class GenerationDict(TypedDict):
    """One (section, role) generation with its seeds and constraints."""

    id: str
    section: str
    roleKey: str
    role: str
    trackName: str
    startBar: Annotated[int, Field(ge=0)]
    bars: Annotated[int, Field(ge=1, le=64)]
    startBeat: Annotated[float, Field(ge=0)]
    seed: Annotated[int, Field(ge=0)]
    candidateSeeds: list[Annotated[int, Field(ge=0)]]
    constraints: ConstraintsDict


class CompositionPlanDict(TypedDict):
    """The lossless JSON of a :class:`~maestro_lab.planner.model.CompositionPlan`."""

    format: str
    plannerVersion: str
    planHash: NotRequired[str]
    prompt: MaestroPromptDict
    promptHash: str
    intent: Literal["COMPOSING", "EDITING", "REASONING"]
    intentLabel: str
    mode: Literal["compose", "edit", "ask"]
    baseSeed: Annotated[int, Field(ge=0)]
    seedSource: Literal["explicit", "prompt"]
    style: str
    styleMatched: bool
    tempo: Annotated[int, Field(ge=20, le=300)]
    key: str
    timeSignature: Annotated[list[int], Field(min_length=2, max_length=2)]
    startBeat: Annotated[float, Field(ge=0)]
    bars: Annotated[int, Field(ge=0)]
    form: str
    numCandidates: Annotated[int, Field(ge=1, le=64)]
    emotion: EmotionDict
    spec: dict[str, JsonValue] | None
    sections: list[SectionDict]
    roles: list[RoleDict]
    generations: list[GenerationDict]
    toolCalls: list[ToolCallDict]
    explanation: str
    notes: list[str]
    warnings: list[str]


@cache
def plan_adapter() -> TypeAdapter[CompositionPlanDict]:
    """The pydantic adapter that validates plan JSON (built once)."""
    return TypeAdapter(CompositionPlanDict)


@cache
def wire_adapter() -> TypeAdapter[PlanJsonDict]:
    """The adapter of the compact plan wire format."""
    return TypeAdapter(PlanJsonDict)


def plan_schema() -> JSONObject:
    """JSON Schema of ``CompositionPlan.to_dict()``."""
    schema: JSONObject = {"$schema": DRAFT, **plan_adapter().json_schema()}
    schema["title"] = "Maestro Lab composition plan"
    return schema


def plan_wire_schema() -> JSONObject:
    """JSON Schema of the compact plan wire format (``CompositionPlan.wire()``)."""
    schema: JSONObject = {"$schema": DRAFT, **wire_adapter().json_schema()}
    schema["title"] = "Plan wire format (generations, edits, mix)"
    return schema
