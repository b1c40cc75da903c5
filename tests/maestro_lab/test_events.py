"""Event models: camelCase wire JSON, JSON-Schema validity, round trips, field checks."""

from __future__ import annotations

import json

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from maestro_lab.errors import UnsequencedEventError
from maestro_lab.runtime.events import (
    EVENT_TYPES,
    AgentCompleteEvent,
    CompleteEvent,
    DoneEvent,
    ErrorEvent,
    GeneratorCompleteEvent,
    GeneratorStartEvent,
    MaestroEvent,
    MetaEvent,
    NoteChange,
    PhraseEvent,
    PlanEvent,
    PlanStep,
    PlanStepUpdateEvent,
    StateEvent,
    StatusEvent,
    ToolCallEvent,
    ToolCallWire,
    ToolErrorEvent,
    parse_event,
)
from maestro_lab.runtime.ordering import check_event_order
from maestro_lab.runtime.protocol import event_schemas
from maestro_lab.runtime.stream import EventStream
from storpheus.models import CCEvent, Note, PitchBend

SCHEMAS = event_schemas()


def validator(event_type: str) -> jsonschema.Draft202012Validator:
    schema = SCHEMAS[event_type]
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def composing_run() -> list[MaestroEvent]:
    """A complete composing run touching every event type (unsequenced)."""
    note = Note(pitch=36, velocity=100, start_beat=0.0, duration_beats=0.5)
    return [
        StateEvent(state="composing", intent="compose.generate", confidence=0.93, run_id="r1"),
        PlanEvent(
            plan_id="p1",
            title="lo-fi in A minor",
            plan_hash="ab" * 32,
            steps=[
                PlanStep(step_id="setup", label="tempo and key", phase="setup"),
                PlanStep(step_id="drums", label="drums", parallel_group="instruments"),
            ],
        ),
        PlanStepUpdateEvent(step_id="setup", status="active", phase="setup"),
        ToolCallEvent(id="c1", name="stori_set_tempo", params={"tempo": 82}, phase="setup"),
        ToolErrorEvent(
            name="stori_set_key", error="key: not a key", parameter="key", errors=["key: bad"]
        ),
        PlanStepUpdateEvent(step_id="setup", status="completed", phase="setup"),
        PlanStepUpdateEvent(step_id="drums", status="active"),
        GeneratorStartEvent(
            role="drums",
            agent_id="drums",
            style="lofi",
            bars=8,
            start_beat=0.0,
            label="drums: verse",
            section_name="verse",
            backend="embedded@1",
            seed=12345,
            num_candidates=16,
        ),
        StatusEvent(message="drums: scoring 16 candidates", progress=0.5, agent_id="drums"),
        GeneratorCompleteEvent(
            role="drums",
            agent_id="drums",
            note_count=64,
            section_name="verse",
            candidates=16,
            attempts=16,
            best_index=3,
            best_score=0.87,
            duration_ms=12.5,
        ),
        AgentCompleteEvent(agent_id="drums", role="drums", success=True, note_count=64),
        PlanStepUpdateEvent(step_id="drums", status="completed"),
        MetaEvent(
            variation_id="v1",
            base_state_id=None,
            intent="compose lofi",
            affected_tracks=["drums"],
            affected_regions=["drums/verse"],
            note_counts={"drums/verse": 0},
        ),
        PhraseEvent(
            phrase_id="ph1",
            variation_id="v1",
            track_id="drums",
            region_id="drums/verse",
            start_beat=0.0,
            end_beat=32.0,
            label="drums verse",
            tags=["rhythmChange"],
            note_changes=[NoteChange(change_type="added", after=note)],
            cc_events=[CCEvent(cc=64, beat=0.0, value=127)],
            pitch_bends=[PitchBend(beat=1.0, value=-200)],
        ),
        DoneEvent(variation_id="v1", phrase_count=1),
        CompleteEvent(
            success=True,
            run_id="r1",
            variation_id="v1",
            phrase_count=1,
            total_changes=1,
            commit_id="c" * 64,
            snapshot_id="s" * 64,
            tool_calls=[ToolCallWire(id="c1", name="stori_set_tempo", params={"tempo": 82})],
        ),
    ]


def test_every_event_of_a_composing_run_validates_against_its_json_schema() -> None:
    stream = EventStream()
    for event in composing_run():
        stream.emit(event)
    wire = stream.wire()
    assert {w["type"] for w in wire} == set(EVENT_TYPES) - {"error"}
    for payload in wire:
        errors = list(validator(str(payload["type"])).iter_errors(payload))
        assert errors == [], (payload["type"], [e.message for e in errors])
    check_event_order(stream.events)


def test_error_event_validates_against_its_json_schema() -> None:
    event = ErrorEvent(message="backend failed", code="backend_error", seq=4)
    assert list(validator("error").iter_errors(event.to_wire())) == []


def test_wire_keys_are_camel_case_and_python_attributes_snake_case() -> None:
    event = StateEvent(state="editing", intent="edit.tempo", execution_mode="apply", seq=0)
    wire = event.to_wire()
    assert wire["executionMode"] == "apply"
    assert "execution_mode" not in wire
    assert wire["protocolVersion"] == "1.1.0"
    assert StateEvent.model_validate(wire).execution_mode == "apply"


def test_every_event_round_trips_through_json() -> None:
    stream = EventStream()
    for event in composing_run():
        stream.emit(event)
    for event in stream.events:
        text = event.to_json()
        assert parse_event(text) == event
        assert parse_event(json.loads(text)) == event


def test_unsequenced_event_cannot_go_on_the_wire() -> None:
    with pytest.raises(UnsequencedEventError, match="emit it through an EventStream"):
        StatusEvent(message="x").to_wire()


def test_schema_rejects_negative_seq_unknown_keys_and_missing_fields() -> None:
    good = StatusEvent(message="ok", seq=2).to_wire()
    check = validator("status")
    assert check.is_valid(good)
    assert not check.is_valid({**good, "seq": -1})
    assert not check.is_valid({**good, "colour": "red"})
    missing = dict(good)
    del missing["message"]
    assert not check.is_valid(missing)


def test_parse_event_names_the_bad_field() -> None:
    wire = StatusEvent(message="ok", seq=1).to_wire()
    with pytest.raises(ValidationError, match="progress"):
        parse_event({**wire, "progress": 2.0})
    with pytest.raises(ValidationError, match="colour"):
        parse_event({**wire, "colour": "red"})
    with pytest.raises(ValidationError, match="does not match any of the expected tags"):
        parse_event({**wire, "type": "reasoning"})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"change_type": "added"}, "needs 'after'"),
        ({"change_type": "removed"}, "needs 'before'"),
        (
            {
                "change_type": "added",
                "after": Note(pitch=60, velocity=90, start_beat=0, duration_beats=1),
                "before": Note(pitch=60, velocity=90, start_beat=0, duration_beats=1),
            },
            "must not have 'before'",
        ),
    ],
)
def test_note_change_requires_the_sides_its_type_implies(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        NoteChange.model_validate(kwargs)


def test_phrase_end_before_start_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"endBeat=1\.0 is before startBeat=4\.0"):
        PhraseEvent(
            phrase_id="p",
            variation_id="v",
            track_id="t",
            region_id="r",
            start_beat=4.0,
            end_beat=1.0,
            label="x",
        )


def test_plan_with_duplicate_step_ids_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"steps\[1\].stepId 'a' is not unique"):
        PlanEvent(
            plan_id="p",
            title="t",
            steps=[PlanStep(step_id="a", label="x"), PlanStep(step_id="a", label="y")],
        )


def test_range_constraints_are_enforced_on_construction() -> None:
    with pytest.raises(ValidationError, match="confidence"):
        StateEvent(state="composing", intent="x", confidence=1.5)
    with pytest.raises(ValidationError, match="bars"):
        GeneratorStartEvent(role="bass", agent_id="a", style="s", bars=0, start_beat=0.0, label="l")
    with pytest.raises(ValidationError, match="pitch"):
        PhraseEvent.model_validate(
            {
                "phraseId": "p",
                "variationId": "v",
                "trackId": "t",
                "regionId": "r",
                "startBeat": 0,
                "endBeat": 1,
                "label": "x",
                "noteChanges": [
                    {
                        "changeType": "added",
                        "after": {
                            "pitch": 130,
                            "velocity": 1,
                            "startBeat": 0,
                            "durationBeats": 1,
                        },
                    }
                ],
            }
        )


def test_events_are_frozen() -> None:
    event = StatusEvent(message="x")
    with pytest.raises(ValidationError, match="frozen"):
        event.message = "y"  # type: ignore[misc]


@given(
    message=st.text(max_size=200),
    progress=st.none() | st.floats(min_value=0.0, max_value=1.0),
    agent=st.none() | st.text(min_size=1, max_size=20),
    seq=st.integers(min_value=0, max_value=2**31),
)
def test_any_status_event_validates_and_round_trips(
    message: str, progress: float | None, agent: str | None, seq: int
) -> None:
    event = StatusEvent(message=message, progress=progress, agent_id=agent, seq=seq)
    wire = event.to_wire()
    assert validator("status").is_valid(wire)
    assert parse_event(event.to_json()) == event


@given(
    pitch=st.integers(0, 127),
    velocity=st.integers(0, 127),
    start=st.floats(0.0, 1e4),
    duration=st.floats(1e-3, 1e3),
)
def test_any_valid_note_change_validates_against_the_phrase_schema(
    pitch: int, velocity: int, start: float, duration: float
) -> None:
    note = Note(pitch=pitch, velocity=velocity, start_beat=start, duration_beats=duration)
    event = PhraseEvent(
        phrase_id="p",
        variation_id="v",
        track_id="t",
        region_id="r",
        start_beat=0.0,
        end_beat=start + duration,
        label="x",
        note_changes=[NoteChange(change_type="modified", before=note, after=note)],
        seq=5,
    )
    assert validator("phrase").is_valid(event.to_wire())
    assert parse_event(event.to_json()) == event
