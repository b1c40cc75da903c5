"""Tool registry and validation: MCP definitions, schema agreement, errors naming parameters."""

from __future__ import annotations

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from maestro_lab.errors import ToolNotAllowedError, ToolValidationError, UnknownToolError
from maestro_lab.tools import ToolCall, check_tool_call, get_registry, validate_tool_call
from maestro_lab.tools.base import ToolKind, normalise_key
from maestro_lab.tools.registry import build_tool_registry

REGISTRY = get_registry()

VALID_CALLS: list[ToolCall] = [
    ToolCall("stori_set_tempo", {"tempo": 92}),
    ToolCall("stori_set_key", {"key": "F#m"}),
    ToolCall("stori_set_time_signature", {"numerator": 6, "denominator": 8}),
    ToolCall("stori_add_midi_track", {"name": "Bass", "gmProgram": 33, "color": "#FF6B6B"}),
    ToolCall("stori_add_midi_track", {"name": "Drums", "drumKitId": "TR-808"}),
    ToolCall("stori_set_track_name", {"trackId": "bass", "name": "Sub Bass"}),
    ToolCall("stori_set_midi_program", {"trackId": "bass", "program": 38}),
    ToolCall(
        "stori_add_midi_region",
        {"trackName": "Bass", "name": "verse", "startBeat": 0, "durationBeats": 16},
    ),
    ToolCall("stori_move_region", {"regionId": "bass/verse", "startBeat": 16}),
    ToolCall("stori_duplicate_region", {"regionId": "bass/verse", "startBeat": 32}),
    ToolCall("stori_delete_region", {"regionId": "bass/verse"}),
    ToolCall(
        "stori_add_notes",
        {
            "regionId": "bass/verse",
            "notes": [{"pitch": 36, "startBeat": 0, "durationBeats": 1, "velocity": 100}],
        },
    ),
    ToolCall("stori_clear_notes", {"regionId": "bass/verse"}),
    ToolCall("stori_quantize_notes", {"regionId": "bass/verse", "gridSize": 0.25}),
    ToolCall(
        "stori_add_midi_cc", {"regionId": "r", "cc": 64, "events": [{"beat": 0, "value": 127}]}
    ),
    ToolCall("stori_add_pitch_bend", {"regionId": "r", "events": [{"beat": 1, "value": -8192}]}),
    ToolCall(
        "stori_add_aftertouch", {"regionId": "r", "events": [{"beat": 0, "value": 9, "pitch": 60}]}
    ),
    ToolCall("stori_set_track_volume", {"trackId": "bass", "volume": 0.8}),
    ToolCall("stori_set_track_volume", {"trackName": "Bass", "volumeDb": -6.0}),
    ToolCall("stori_set_track_pan", {"trackId": "bass", "pan": -0.25}),
    ToolCall("stori_set_track_pan", {"trackName": "Bass", "panPercent": 25.0}),
    ToolCall("stori_mute_track", {"trackId": "bass", "muted": True}),
    ToolCall("stori_solo_track", {"trackId": "bass", "solo": False}),
    ToolCall(
        "stori_add_insert_effect", {"trackId": "bass", "type": "compressor", "settings": {"r": 4}}
    ),
    ToolCall("stori_ensure_bus", {"name": "Reverb"}),
    ToolCall("stori_add_send", {"trackId": "bass", "busName": "Reverb", "sendLevel": 0.2}),
    ToolCall("stori_add_send", {"trackName": "Pads", "busName": "Reverb"}),
    ToolCall("stori_add_insert_effect", {"trackName": "Pads", "type": "reverb"}),
    ToolCall(
        "stori_generate_midi",
        {
            "role": "bass",
            "style": "boom bap",
            "tempo": 90,
            "bars": 8,
            "key": "Am",
            "trackName": "Bass",
            "numCandidates": 16,
            "constraints": {"density": 0.5, "swing": 0.1},
        },
    ),
    ToolCall(
        "stori_generate_midi",
        {
            "role": "pads",
            "style": "lofi",
            "tempo": 82,
            "bars": 8,
            "key": "A minor",
            "trackName": "Pads",
            "regionName": "verse",
            "startBeat": 16.0,
            "section": "verse",
            "seed": 123,
            "numCandidates": 8,
            "constraints": {},
            "prompt": "warm pads, verse",
        },
    ),
]


def test_every_tool_has_an_mcp_definition_with_a_valid_input_schema() -> None:
    assert len(REGISTRY.mcp_tools) == len(REGISTRY.names) >= 20
    for tool in REGISTRY.mcp_tools:
        assert set(tool) <= {"name", "description", "inputSchema", "server_side"}
        assert str(tool["name"]).startswith("stori_")
        assert tool["description"]
        schema = tool["inputSchema"]
        assert isinstance(schema, dict)
        assert schema["type"] == "object"
        assert schema["additionalProperties"] is False
        assert isinstance(schema["properties"], dict)
        assert isinstance(schema["required"], list)
        assert set(schema["required"]) <= set(schema["properties"])
        assert "$defs" not in schema
        assert "$ref" not in str(schema)
        jsonschema.Draft202012Validator.check_schema(schema)


def test_openai_tool_schemas_wrap_the_same_input_schemas() -> None:
    for mcp, openai in zip(REGISTRY.mcp_tools, REGISTRY.tool_schemas, strict=True):
        assert openai["type"] == "function"
        function = openai["function"]
        assert isinstance(function, dict)
        assert function["name"] == mcp["name"]
        assert function["parameters"] == mcp["inputSchema"]


def test_the_catalogue_covers_the_plan_vocabulary() -> None:
    names = set(REGISTRY.names)
    assert {
        "stori_add_midi_track",
        "stori_add_midi_region",
        "stori_add_notes",
        "stori_generate_midi",
        "stori_set_tempo",
        "stori_set_key",
        "stori_add_insert_effect",
        "stori_ensure_bus",
        "stori_add_send",
        "stori_set_track_volume",
        "stori_set_track_pan",
        "stori_add_midi_cc",
        "stori_add_pitch_bend",
        "stori_add_aftertouch",
        "stori_set_track_name",
        "stori_set_midi_program",
        "stori_move_region",
    } <= names
    assert REGISTRY.server_side_tools == {"stori_generate_midi"}
    assert REGISTRY.daw_tools == names - {"stori_generate_midi"}
    assert REGISTRY.tools_by_kind(ToolKind.GENERATOR) == ("stori_generate_midi",)
    assert REGISTRY.categories["stori_add_send"] == "effects"
    assert REGISTRY.mcp_tool("stori_generate_midi")["server_side"] is True


def test_registry_refuses_duplicate_tool_names() -> None:
    spec = REGISTRY.spec("stori_set_tempo")
    with pytest.raises(ValueError, match="defined twice"):
        build_tool_registry([spec, spec])


@pytest.mark.parametrize("call", VALID_CALLS, ids=lambda c: c.name)
def test_valid_calls_pass_both_pydantic_and_the_published_json_schema(call: ToolCall) -> None:
    result = check_tool_call(call)
    assert result.valid, [str(e) for e in result.errors]
    schema = REGISTRY.mcp_tool(call.name)["inputSchema"]
    assert isinstance(schema, dict)
    jsonschema.validate(dict(call.params), schema)


@pytest.mark.parametrize(
    ("name", "params", "parameter", "reason"),
    [
        ("stori_set_tempo", {"tempo": 400}, "tempo", "less than or equal to 300"),
        ("stori_set_tempo", {}, "tempo", "is required"),
        ("stori_set_tempo", {"tempo": 90, "bpm": 90}, "bpm", "unknown parameter"),
        ("stori_set_tempo", {"tempo": "fast"}, "tempo", "valid integer"),
        ("stori_set_key", {"key": "H minor"}, "key", "is not a key"),
        ("stori_set_key", {"key": "C blorp"}, "key", "unknown mode"),
        ("stori_set_time_signature", {"numerator": 7, "denominator": 3}, "denominator", "1, 2"),
        ("stori_add_midi_track", {"name": ""}, "name", "at least 1 character"),
        (
            "stori_add_midi_track",
            {"name": "Kit", "drumKitId": "808", "gmProgram": 3},
            "gmProgram",
            "drum track takes drumKitId",
        ),
        ("stori_add_midi_track", {"name": "X", "color": "red"}, "color", "pattern"),
        ("stori_add_midi_track", {"name": "X", "role": "kazoo"}, "role", "'drums'"),
        ("stori_add_midi_region", {"startBeat": 0, "durationBeats": 4}, "trackId", "trackName"),
        (
            "stori_add_midi_region",
            {"trackId": "t", "startBeat": 0, "durationBeats": 0},
            "durationBeats",
            "greater than 0",
        ),
        (
            "stori_add_notes",
            {
                "regionId": "r",
                "notes": [
                    {"pitch": 60, "startBeat": 0, "durationBeats": 1},
                    {"pitch": 60, "startBeat": 1, "durationBeats": 1},
                    {"pitch": 128, "startBeat": 2, "durationBeats": 1},
                ],
            },
            "notes[2].pitch",
            "less than or equal to 127",
        ),
        (
            "stori_add_notes",
            {
                "regionId": "r",
                "notes": [{"pitch": 60, "startBeat": 0, "durationBeats": 1, "velocity": 0}],
            },
            "notes[0].velocity",
            "greater than or equal to 1",
        ),
        ("stori_add_notes", {"regionId": "r", "notes": []}, "notes", "at least 1 item"),
        (
            "stori_add_notes",
            {"regionId": "r", "notes": [{"pitch": 60, "start": 0, "durationBeats": 1}]},
            "notes[0].startBeat",
            "is required",
        ),
        (
            "stori_add_pitch_bend",
            {"regionId": "r", "events": [{"beat": 0, "value": 9000}]},
            "events[0].value",
            "8191",
        ),
        ("stori_quantize_notes", {"regionId": "r", "gridSize": 0.3}, "gridSize", "one of"),
        ("stori_set_track_volume", {"trackId": "t", "volume": 1.5}, "volume", "1"),
        ("stori_set_track_volume", {"trackId": "t", "volumeDb": 3}, "volumeDb", "0"),
        (
            "stori_set_track_volume",
            {"trackId": "t", "volume": 0.5, "volumeDb": -6},
            "volume",
            "exactly one of volume",
        ),
        ("stori_set_track_volume", {"volume": 0.5}, "trackId", "trackName"),
        ("stori_set_track_pan", {"trackId": "t", "pan": -2}, "pan", "-1"),
        ("stori_set_track_pan", {"trackId": "t"}, "pan", "exactly one of pan"),
        ("stori_set_track_pan", {"trackId": "t", "panPercent": 101}, "panPercent", "100"),
        ("stori_add_insert_effect", {"trackId": "t", "type": "wah"}, "type", "'reverb'"),
        ("stori_add_send", {"trackId": "t", "busName": "R", "sendLevel": 3}, "sendLevel", "1"),
        ("stori_generate_midi", {"role": "bass", "style": "x", "tempo": 90}, "bars", "required"),
        (
            "stori_generate_midi",
            {"role": "bass", "style": "x", "tempo": 90, "bars": 65},
            "bars",
            "64",
        ),
    ],
)
def test_invalid_calls_raise_an_error_naming_the_parameter(
    name: str, params: dict[str, object], parameter: str, reason: str
) -> None:
    call = ToolCall(name, params)  # type: ignore[arg-type]
    with pytest.raises(ToolValidationError) as info:
        validate_tool_call(call)
    assert info.value.tool == name
    assert info.value.parameter == parameter
    assert reason in str(info.value)
    assert str(info.value).startswith(f"{name}: invalid parameters: {parameter}:")


def test_check_tool_call_reports_every_problem() -> None:
    result = check_tool_call(
        ToolCall("stori_add_midi_region", {"trackId": "t", "startBeat": -1, "durationBeats": -1})
    )
    assert not result.valid
    assert [e.parameter for e in result.errors] == ["startBeat", "durationBeats"]


def test_parameters_that_are_not_an_object_are_refused() -> None:
    result = check_tool_call(ToolCall("stori_set_tempo", [90]))  # type: ignore[arg-type]
    assert result.errors[0].parameter is None
    assert "must be a JSON object" in result.errors[0].reason


def test_unknown_tool_suggests_close_names() -> None:
    with pytest.raises(UnknownToolError, match="did you mean 'stori_set_tempo'") as info:
        validate_tool_call(ToolCall("stori_set_temp", {"tempo": 90}))
    assert info.value.tool == "stori_set_temp"


def test_a_tool_outside_the_allowed_set_is_refused() -> None:
    call = ToolCall("stori_set_tempo", {"tempo": 90})
    with pytest.raises(ToolNotAllowedError, match="not allowed here"):
        validate_tool_call(call, allowed_tools=["stori_add_notes"])
    assert validate_tool_call(call, allowed_tools=["stori_set_tempo"]).name == "stori_set_tempo"


def test_validated_params_are_typed_and_normalised() -> None:
    validated = validate_tool_call(ToolCall("stori_set_key", {"key": "eb"}))
    assert validated.wire_params() == {"key": "Eb major"}
    assert validated.phase == "setup"
    generate = validate_tool_call(VALID_CALLS[-2])
    assert generate.wire_params()["numCandidates"] == 16
    assert generate.params.model_dump(by_alias=False)["num_candidates"] == 16


def test_snake_case_parameter_names_are_accepted_too() -> None:
    call = ToolCall("stori_set_track_volume", {"track_id": "bass", "volume": 0.5})
    assert validate_tool_call(call).wire_params() == {"trackId": "bass", "volume": 0.5}


def test_call_ids_derive_from_content_unless_given() -> None:
    a = ToolCall("stori_set_tempo", {"tempo": 90})
    assert a.id == ToolCall("stori_set_tempo", {"tempo": 90}).id
    assert a.id != ToolCall("stori_set_tempo", {"tempo": 91}).id
    assert ToolCall("stori_set_tempo", {"tempo": 90}, id="step-1").id == "step-1"
    assert a.to_dict() == {"id": a.id, "name": "stori_set_tempo", "params": {"tempo": 90}}


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("C", "C major"),
        ("Am", "A minor"),
        ("f#m", "F# minor"),
        ("Bb major", "Bb major"),
        ("E♭ minor", "Eb minor"),
        ("D dorian", "D dorian"),
        ("G mixolydian", "G mixolydian"),
        ("CM", "C major"),
    ],
)
def test_key_names_are_normalised(text: str, key: str) -> None:
    assert normalise_key(text) == key


@given(
    tempo=st.integers(min_value=-1000, max_value=1000) | st.floats(allow_nan=True) | st.text(),
)
def test_tempo_validation_agrees_with_the_published_schema(tempo: object) -> None:
    params = {"tempo": tempo}
    schema = REGISTRY.mcp_tool("stori_set_tempo")["inputSchema"]
    assert isinstance(schema, dict)
    schema_ok = jsonschema.Draft202012Validator(schema).is_valid(params)
    result = check_tool_call(ToolCall("stori_set_tempo", params))  # type: ignore[arg-type]
    if schema_ok:
        assert result.valid
    if result.valid:
        assert isinstance(tempo, int | float)
        assert 20 <= float(tempo) <= 300


@given(
    notes=st.lists(
        st.fixed_dictionaries(
            {
                "pitch": st.integers(-5, 135),
                "startBeat": st.floats(-1, 64, allow_nan=False),
                "durationBeats": st.floats(-1, 8, allow_nan=False),
                "velocity": st.integers(-1, 130),
            }
        ),
        min_size=1,
        max_size=6,
    )
)
def test_add_notes_validation_agrees_with_the_published_schema(
    notes: list[dict[str, object]],
) -> None:
    params = {"regionId": "r", "notes": notes}
    schema = REGISTRY.mcp_tool("stori_add_notes")["inputSchema"]
    assert isinstance(schema, dict)
    schema_ok = jsonschema.Draft202012Validator(schema).is_valid(params)
    result = check_tool_call(ToolCall("stori_add_notes", params))  # type: ignore[arg-type]
    assert schema_ok == result.valid
    if not result.valid:
        assert all(str(e.parameter).startswith("notes[") for e in result.errors)
