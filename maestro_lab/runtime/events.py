"""Typed runtime events: the wire protocol widgets, the CLI and telemetry consume.

Every event is a frozen pydantic model derived from :class:`MaestroEvent`,
discriminated on its ``type``
field and serialised as camelCase JSON. An event gets its ``seq`` number when
an :class:`~maestro_lab.runtime.stream.EventStream` emits it; before that
``seq`` is ``-1`` and the event is not valid on the wire.

=====================  =====================================================
``type``               meaning
=====================  =====================================================
``state``              intent classification; always the first event
``plan``               the execution plan's steps
``planStepUpdate``     one step changes status
``toolCall``           a validated tool call applied to the project
``toolError``          a tool call was refused (names the bad parameter)
``generatorStart``     an instrument agent starts generating one section
``generatorComplete``  ... and finished (candidates, best score)
``agentComplete``      an instrument agent finished all its sections
``status``             human-readable progress
``meta``               a variation begins (composing): scope and base state
``phrase``             one phrase of note changes of the variation
``done``               the variation is complete (``ready``) or ``failed``
``complete``           the run ends; always the last event of a finished run
``error``              a failure; may only be followed by ``complete``
=====================  =====================================================

Example
-------
>>> event = StatusEvent(message="drums: generating verse")
>>> event.type, event.seq
('status', -1)
>>> wire = event.model_copy(update={"seq": 3}).to_wire()
>>> wire["type"], wire["seq"], wire["agentId"]
('status', 3, None)
>>> parse_event(wire) == event.model_copy(update={"seq": 3})
True
"""

from __future__ import annotations

import json
from typing import Annotated, Final, Literal, TypeAlias

from pydantic import Field, JsonValue, TypeAdapter, model_validator

from maestro_lab.errors import UnsequencedEventError
from maestro_lab.wire import CamelModel, JSONObject
from storpheus.models import Aftertouch, CCEvent, Note, PitchBend

PROTOCOL_VERSION: Final = "1.1.0"
"""Version of the event and tool protocol; bump it when a schema changes."""

IntentState = Literal["composing", "editing", "reasoning"]
"""What the runtime does with a request (``state`` of a :class:`StateEvent`)."""

ExecutionMode = Literal["variation", "apply", "reasoning"]
"""How results land: as a variation to review, applied directly, or not at all."""

Phase = Literal["setup", "instrument", "mixing"]
"""The execution phase of a tool call (see :mod:`maestro_lab.tools.phases`)."""

StepPhase = Literal["planning", "setup", "instrument", "mixing", "commit"]
"""The stage a plan step belongs to."""

StepStatus = Literal["pending", "active", "completed", "failed", "skipped"]
"""Lifecycle of a plan step: pending -> active -> completed | failed | skipped."""

ChangeType = Literal["added", "removed", "modified"]
"""How a phrase changes one note."""

VariationStatus = Literal["ready", "failed"]
"""Final status of a variation in a :class:`DoneEvent`."""


class MaestroEvent(CamelModel):
    """Base of every runtime event.

    ``seq`` is assigned by :class:`~maestro_lab.runtime.stream.EventStream`
    (0 for the first event, then +1 per event); ``protocol_version`` is
    :data:`PROTOCOL_VERSION`.
    """

    type: str
    seq: int = Field(default=-1, ge=-1, description="position in the stream (0-based)")
    protocol_version: str = PROTOCOL_VERSION

    def to_wire(self) -> JSONObject:
        """The camelCase JSON object of this event; raises if it was never emitted."""
        if self.seq < 0:
            raise UnsequencedEventError(self.type)
        return self.model_dump(mode="json", by_alias=True)

    def to_json(self) -> str:
        """:meth:`to_wire` as compact JSON text with sorted keys."""
        return json.dumps(self.to_wire(), sort_keys=True, separators=(",", ":"))


# ----------------------------------------------------------------- universal
class StateEvent(MaestroEvent):
    """Intent classification of the request; always the first event (``seq`` 0)."""

    type: Literal["state"] = "state"
    state: IntentState
    intent: str = Field(description="the intent label the classifier gave the request")
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)
    execution_mode: ExecutionMode = "variation"
    rule: str | None = Field(default=None, description="the classifier rule that fired")
    run_id: str | None = None


class StatusEvent(MaestroEvent):
    """Human-readable progress, optionally with a completed fraction."""

    type: Literal["status"] = "status"
    message: str
    progress: float | None = Field(default=None, ge=0.0, le=1.0)
    agent_id: str | None = None
    section_name: str | None = None


class ErrorEvent(MaestroEvent):
    """A failure; only a :class:`CompleteEvent` may follow it."""

    type: Literal["error"] = "error"
    message: str
    code: str | None = Field(default=None, description="machine-readable error code")
    agent_id: str | None = None
    run_id: str | None = None


class ToolCallWire(CamelModel):
    """A tool call as it crosses the wire: id, tool name and JSON parameters."""

    id: str
    name: str
    params: JSONObject = Field(default_factory=dict)


class CompleteEvent(MaestroEvent):
    """End of the run; always the last event of a finished stream."""

    type: Literal["complete"] = "complete"
    success: bool
    run_id: str | None = None
    variation_id: str | None = None
    phrase_count: int | None = Field(default=None, ge=0)
    total_changes: int | None = Field(default=None, ge=0)
    commit_id: str | None = None
    snapshot_id: str | None = None
    state_version: int | None = Field(default=None, ge=0)
    tool_calls: list[ToolCallWire] | None = None
    error: str | None = None
    warnings: list[str] = Field(default_factory=list)


# ---------------------------------------------------------------------- plan
class PlanStep(CamelModel):
    """One step of a :class:`PlanEvent`."""

    step_id: str
    label: str
    status: StepStatus = "pending"
    phase: StepPhase = "instrument"
    tool_name: str | None = None
    detail: str | None = None
    parallel_group: str | None = Field(
        default=None, description="steps sharing a group may run at the same time"
    )


class PlanEvent(MaestroEvent):
    """The execution plan: every step, in order, before any of them runs."""

    type: Literal["plan"] = "plan"
    plan_id: str
    title: str
    plan_hash: str | None = None
    steps: list[PlanStep]

    @model_validator(mode="after")
    def _unique_steps(self) -> PlanEvent:
        seen: set[str] = set()
        for index, step in enumerate(self.steps):
            if step.step_id in seen:
                raise ValueError(f"steps[{index}].stepId {step.step_id!r} is not unique")
            seen.add(step.step_id)
        return self


class PlanStepUpdateEvent(MaestroEvent):
    """One plan step changes status."""

    type: Literal["planStepUpdate"] = "planStepUpdate"
    step_id: str
    status: Literal["active", "completed", "failed", "skipped"]
    phase: StepPhase = "instrument"
    result: str | None = None
    agent_id: str | None = None


# --------------------------------------------------------------------- tools
class ToolCallEvent(MaestroEvent):
    """A validated tool call, applied to the project state."""

    type: Literal["toolCall"] = "toolCall"
    id: str
    name: str
    params: JSONObject = Field(default_factory=dict)
    label: str | None = None
    phase: Phase = "instrument"
    agent_id: str | None = None
    section_name: str | None = None


class ToolErrorEvent(MaestroEvent):
    """A tool call was refused; ``parameter`` names the bad parameter if one is at fault."""

    type: Literal["toolError"] = "toolError"
    name: str
    error: str
    parameter: str | None = None
    errors: list[str] = Field(default_factory=list)
    call_id: str | None = None
    agent_id: str | None = None
    section_name: str | None = None


# -------------------------------------------------------------------- agents
class GeneratorStartEvent(MaestroEvent):
    """An instrument agent starts generating one section of its role."""

    type: Literal["generatorStart"] = "generatorStart"
    role: str
    agent_id: str
    style: str
    bars: int = Field(ge=1)
    start_beat: float = Field(ge=0.0)
    label: str
    section_name: str | None = None
    backend: str | None = None
    seed: int | None = Field(default=None, ge=0)
    num_candidates: int = Field(default=1, ge=1)


class GeneratorCompleteEvent(MaestroEvent):
    """An instrument agent finished one section: candidates seen and the choice made."""

    type: Literal["generatorComplete"] = "generatorComplete"
    role: str
    agent_id: str
    note_count: int = Field(ge=0)
    section_name: str | None = None
    candidates: int = Field(default=1, ge=0)
    attempts: int = Field(default=1, ge=0)
    accepted: bool = True
    best_index: int | None = Field(default=None, ge=0)
    best_score: float | None = None
    duration_ms: float | None = Field(
        default=None, ge=0.0, description="wall time; observational, not reproducible"
    )


class AgentCompleteEvent(MaestroEvent):
    """An instrument agent finished all its sections (or failed)."""

    type: Literal["agentComplete"] = "agentComplete"
    agent_id: str
    role: str
    success: bool
    note_count: int = Field(default=0, ge=0)
    error: str | None = None


# ---------------------------------------------------------------- variation
class NoteChange(CamelModel):
    """One note added, removed or modified by a phrase (``before``/``after`` as needed)."""

    change_type: ChangeType
    note_id: str | None = None
    before: Note | None = None
    after: Note | None = None

    @model_validator(mode="after")
    def _sides(self) -> NoteChange:
        need_before = self.change_type in ("removed", "modified")
        need_after = self.change_type in ("added", "modified")
        if need_before != (self.before is not None):
            state = "needs" if need_before else "must not have"
            raise ValueError(f"a {self.change_type!r} note change {state} 'before'")
        if need_after != (self.after is not None):
            state = "needs" if need_after else "must not have"
            raise ValueError(f"a {self.change_type!r} note change {state} 'after'")
        return self


class MetaEvent(MaestroEvent):
    """A variation begins: its scope, against which base state (``MetaPayload``)."""

    type: Literal["meta"] = "meta"
    variation_id: str
    base_state_id: str | None = Field(
        default=None, description="the Muse commit the variation is computed against"
    )
    intent: str
    ai_explanation: str | None = None
    affected_tracks: list[str] = Field(default_factory=list)
    affected_regions: list[str] = Field(default_factory=list)
    note_counts: dict[str, int] = Field(
        default_factory=dict, description="per-region note counts of the base state"
    )


class PhraseEvent(MaestroEvent):
    """One generated phrase of a variation (``PhrasePayload``)."""

    type: Literal["phrase"] = "phrase"
    phrase_id: str
    variation_id: str
    track_id: str
    region_id: str
    start_beat: float = Field(ge=0.0)
    end_beat: float = Field(ge=0.0)
    label: str
    tags: list[str] = Field(default_factory=list)
    explanation: str | None = None
    note_changes: list[NoteChange] = Field(default_factory=list)
    cc_events: list[CCEvent] = Field(default_factory=list)
    pitch_bends: list[PitchBend] = Field(default_factory=list)
    aftertouch: list[Aftertouch] = Field(default_factory=list)

    @model_validator(mode="after")
    def _span(self) -> PhraseEvent:
        if self.end_beat < self.start_beat:
            raise ValueError(f"endBeat={self.end_beat} is before startBeat={self.start_beat}")
        return self


class DoneEvent(MaestroEvent):
    """The variation is complete (``DonePayload``): ``ready`` for review, or ``failed``."""

    type: Literal["done"] = "done"
    variation_id: str
    phrase_count: int = Field(ge=0)
    status: VariationStatus = "ready"


AnyEvent: TypeAlias = Annotated[
    StateEvent
    | PlanEvent
    | PlanStepUpdateEvent
    | ToolCallEvent
    | ToolErrorEvent
    | GeneratorStartEvent
    | GeneratorCompleteEvent
    | AgentCompleteEvent
    | StatusEvent
    | MetaEvent
    | PhraseEvent
    | DoneEvent
    | CompleteEvent
    | ErrorEvent,
    Field(discriminator="type"),
]
"""Any runtime event, discriminated on ``type``."""

EVENT_TYPES: Final[dict[str, type[MaestroEvent]]] = {
    "state": StateEvent,
    "plan": PlanEvent,
    "planStepUpdate": PlanStepUpdateEvent,
    "toolCall": ToolCallEvent,
    "toolError": ToolErrorEvent,
    "generatorStart": GeneratorStartEvent,
    "generatorComplete": GeneratorCompleteEvent,
    "agentComplete": AgentCompleteEvent,
    "status": StatusEvent,
    "meta": MetaEvent,
    "phrase": PhraseEvent,
    "done": DoneEvent,
    "complete": CompleteEvent,
    "error": ErrorEvent,
}
"""Every event class by its wire ``type``, in protocol order."""

_ADAPTER: TypeAdapter[AnyEvent] = TypeAdapter(AnyEvent)


def parse_event(data: str | bytes | dict[str, JsonValue]) -> MaestroEvent:
    """Validate one wire event (JSON text or a decoded object) into its event class.

    Raises ``pydantic.ValidationError`` naming the bad field (``phrase.startBeat``...).

    Examples
    --------
    >>> parse_event('{"type": "status", "seq": 1, "message": "hi"}').message
    'hi'
    """
    if isinstance(data, str | bytes):
        event: MaestroEvent = _ADAPTER.validate_json(data)
    else:
        event = _ADAPTER.validate_python(data)
    return event
