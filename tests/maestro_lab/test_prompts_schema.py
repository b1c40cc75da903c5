"""JSON Schemas of the prompt body and of parsed prompts validate what the parser accepts."""

from __future__ import annotations

import doctest
import importlib

import jsonschema
import pytest
import yaml

from maestro_lab.prompts import parse_prompt
from maestro_lab.prompts.schema import parsed_prompt_schema, prompt_body_schema

GOOD_BODY = """
Mode: compose
section: verse
POSITION: after intro + 2
Style: lofi hip hop
Key: F#m
Tempo: 92 bpm
Roles: [drums, bass]
Constraints: {bars: 8, swing: 55%, no_reverb: true}
Vibe: [dusty x3, {warm: 2}]
Request: a verse
Harmony: {progression: [Cm7, Fm7]}
"""


def test_body_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(prompt_body_schema())


def test_body_schema_accepts_a_good_body_with_any_key_case() -> None:
    jsonschema.validate(yaml.safe_load(GOOD_BODY), prompt_body_schema())


@pytest.mark.parametrize(
    "bad",
    ["Mode: sing", "mode: compose\nTempo: 500", "Mode: compose\nKey: H minor", "MODE: [x]"],
)
def test_body_schema_rejects_bad_routing_values(bad: str) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(yaml.safe_load(bad), prompt_body_schema())


def test_parsed_prompt_schema_validates_to_dict_output() -> None:
    schema = parsed_prompt_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    prompt = parse_prompt("MAESTRO PROMPT\n" + GOOD_BODY)
    assert prompt is not None
    jsonschema.validate(prompt.to_dict(), schema)
    broken = prompt.to_dict() | {"tempo": 900}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


@pytest.mark.parametrize(
    "module",
    [
        "maestro_lab.prompts",
        "maestro_lab.prompts.base",
        "maestro_lab.prompts.keys",
        "maestro_lab.prompts.position",
        "maestro_lab.prompts.parser",
        "maestro_lab.prompts.schema",
    ],
)
def test_docstring_examples_run(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
