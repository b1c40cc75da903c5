"""Tool calls through the event stream: toolCall on success, toolError naming the parameter."""

from __future__ import annotations

import jsonschema
import pytest

from maestro_lab.errors import EntityNotFoundError, ToolValidationError, UnknownToolError
from maestro_lab.runtime.events import (
    CompleteEvent,
    ErrorEvent,
    StateEvent,
    ToolCallEvent,
    ToolErrorEvent,
)
from maestro_lab.runtime.ordering import check_event_order
from maestro_lab.runtime.protocol import event_schemas
from maestro_lab.runtime.stream import EventStream
from maestro_lab.runtime.tool_events import apply_tool_call
from maestro_lab.tools import StateStore, ToolCall

SCHEMAS = event_schemas()


def editing_stream() -> EventStream:
    stream = EventStream()
    stream.emit(StateEvent(state="editing", intent="edit.mix", execution_mode="apply"))
    return stream


def test_a_successful_call_is_applied_and_emitted_with_normalised_params() -> None:
    stream, store = editing_stream(), StateStore()
    result = apply_tool_call(
        store,
        stream,
        ToolCall("stori_add_midi_track", {"name": "Bass", "gm_program": 33}, id="c1"),
        agent_id="bass",
        label="Add Bass",
    )
    assert result.entity_id == "bass"
    event = stream.events[-1]
    assert isinstance(event, ToolCallEvent)
    assert (event.id, event.name, event.phase, event.agent_id) == (
        "c1",
        "stori_add_midi_track",
        "instrument",
        "bass",
    )
    assert event.params == {"name": "Bass", "gmProgram": 33}
    assert jsonschema.Draft202012Validator(SCHEMAS["toolCall"]).is_valid(event.to_wire())


@pytest.mark.parametrize(
    ("call", "error", "parameter"),
    [
        (ToolCall("stori_set_tempo", {"tempo": 999}), ToolValidationError, "tempo"),
        (
            ToolCall("stori_set_track_volume", {"trackId": "nope", "volume": 0.5}),
            EntityNotFoundError,
            "trackId",
        ),
        (ToolCall("stori_warp", {}), UnknownToolError, None),
    ],
)
def test_a_refused_call_emits_tool_error_naming_the_parameter_and_raises(
    call: ToolCall, error: type[Exception], parameter: str | None
) -> None:
    stream, store = editing_stream(), StateStore()
    before = store.snapshot
    with pytest.raises(error) as info:
        apply_tool_call(store, stream, call, section_name="verse")
    event = stream.events[-1]
    assert isinstance(event, ToolErrorEvent)
    assert event.parameter == parameter
    assert event.call_id == call.id
    assert event.section_name == "verse"
    assert event.name == call.name
    assert event.error == str(info.value)
    assert jsonschema.Draft202012Validator(SCHEMAS["toolError"]).is_valid(event.to_wire())
    assert store.snapshot is before


def test_tool_events_keep_the_stream_well_ordered() -> None:
    stream, store = editing_stream(), StateStore()
    apply_tool_call(store, stream, ToolCall("stori_set_tempo", {"tempo": 90}))
    with pytest.raises(ToolValidationError):
        apply_tool_call(store, stream, ToolCall("stori_set_key", {"key": "H"}))
    stream.emit(ErrorEvent(message="edit failed", code="tool_error"))
    stream.emit(CompleteEvent(success=False, error="edit failed"))
    stream.close(check=True)
    check_event_order(stream.events)
    assert [e.type for e in stream.events] == [
        "state",
        "toolCall",
        "toolError",
        "error",
        "complete",
    ]
