"""Apply a tool call to the project and tell the event stream what happened.

:func:`apply_tool_call` is the one path the runtime uses for every project
tool call: validate against the tool's schema, apply to the
:class:`~maestro_lab.tools.state.StateStore`, then emit a ``toolCall`` event
with the normalised parameters — or, when the call is refused, a
``toolError`` event naming the bad parameter, and re-raise the typed error.

Example
-------
>>> from maestro_lab.runtime.events import StateEvent
>>> from maestro_lab.runtime.stream import EventStream
>>> from maestro_lab.tools import StateStore, ToolCall
>>> stream, store = EventStream(), StateStore()
>>> _ = stream.emit(StateEvent(state="editing", intent="edit", execution_mode="apply"))
>>> _ = apply_tool_call(store, stream, ToolCall("stori_set_key", {"key": "f#m"}))
>>> stream.events[-1].type, stream.events[-1].params
('toolCall', {'key': 'F# minor'})
"""

from __future__ import annotations

from collections.abc import Iterable

from maestro_lab.errors import (
    EntityNotFoundError,
    MaestroLabError,
    ToolApplyError,
    ToolValidationError,
)
from maestro_lab.runtime.events import ToolCallEvent, ToolErrorEvent
from maestro_lab.runtime.stream import EventStream
from maestro_lab.tools.entities import ToolResult
from maestro_lab.tools.state import StateStore
from maestro_lab.tools.validation import ToolCall, validate_tool_call


def apply_tool_call(
    store: StateStore,
    stream: EventStream,
    call: ToolCall,
    *,
    agent_id: str | None = None,
    section_name: str | None = None,
    label: str | None = None,
    allowed_tools: Iterable[str] | None = None,
) -> ToolResult:
    """Validate and apply ``call``, emitting ``toolCall`` (or ``toolError`` and re-raising).

    Raises whatever the validation or the store raises (an unknown tool, bad
    parameters, a missing track...), after the ``toolError`` event is emitted.
    """
    try:
        validated = validate_tool_call(call, allowed_tools=allowed_tools, registry=store.registry)
        result = store.apply_validated(validated)
    except MaestroLabError as exc:
        stream.emit(tool_error_event(call, exc, agent_id=agent_id, section_name=section_name))
        raise
    stream.emit(
        ToolCallEvent(
            id=call.id,
            name=call.name,
            params=validated.wire_params(),
            label=label,
            phase=validated.phase,
            agent_id=agent_id,
            section_name=section_name,
        )
    )
    return result


def tool_error_event(
    call: ToolCall,
    error: Exception,
    *,
    agent_id: str | None = None,
    section_name: str | None = None,
) -> ToolErrorEvent:
    """The ``toolError`` event for a refused call (parameter and problems when known)."""
    parameter: str | None = None
    problems: list[str] = []
    if isinstance(error, ToolValidationError):
        parameter, problems = error.parameter, list(error.problems)
    elif isinstance(error, EntityNotFoundError | ToolApplyError):
        parameter = error.parameter
    return ToolErrorEvent(
        name=call.name,
        error=str(error),
        parameter=parameter,
        errors=problems,
        call_id=call.id,
        agent_id=agent_id,
        section_name=section_name,
    )
