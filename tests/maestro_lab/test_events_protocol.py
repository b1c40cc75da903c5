"""Protocol snapshot and hash: stable, structural, and printed by `maestro-lab protocol`."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys

import jsonschema
import pytest

from maestro_lab.cli import main
from maestro_lab.runtime import protocol
from maestro_lab.runtime.events import EVENT_TYPES, PROTOCOL_VERSION
from maestro_lab.runtime.protocol import (
    event_schemas,
    protocol_hash,
    protocol_snapshot,
    tool_definitions,
)
from maestro_lab.tools.registry import get_registry

GOLDEN_PROTOCOL_HASH = "c1febbcf283b21e6bc254096b3ee6c543d5ad210de1b439547029dfc94ccc174"
"""Update this (and bump PROTOCOL_VERSION) when an event or tool schema changes on purpose."""


def test_protocol_hash_matches_the_recorded_golden_hash() -> None:
    assert protocol_hash() == GOLDEN_PROTOCOL_HASH, (
        "an event or tool schema changed: if intended, bump PROTOCOL_VERSION and update "
        "GOLDEN_PROTOCOL_HASH"
    )


def test_protocol_hash_is_the_same_in_processes_with_different_hash_seeds() -> None:
    code = "from maestro_lab.runtime.protocol import protocol_hash; print(protocol_hash())"
    hashes = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        hashes.add(out.stdout.strip())
    assert hashes == {protocol_hash()}


def test_hash_ignores_descriptions_and_titles_but_not_structure() -> None:
    events = event_schemas()
    tools = tool_definitions()
    base = protocol._hash_of(events, tools)

    reworded = copy.deepcopy(events)
    reworded["status"]["description"] = "completely different prose"
    reworded["status"]["title"] = "Renamed"
    tools_reworded = copy.deepcopy(tools)
    tools_reworded[0]["description"] = "new words"
    assert protocol._hash_of(reworded, tools_reworded) == base

    new_field = copy.deepcopy(events)
    new_field["status"]["properties"]["eta"] = {"type": "number"}
    assert protocol._hash_of(new_field, tools) != base

    tightened = copy.deepcopy(tools)
    schema = tightened[0]["inputSchema"]
    assert isinstance(schema, dict)
    schema["required"] = [*schema["required"], "extra"]
    assert protocol._hash_of(events, tightened) != base


def test_a_property_named_title_is_kept_by_the_structural_hash() -> None:
    events = event_schemas()
    tools = tool_definitions()
    assert "title" in events["plan"]["properties"]
    without = copy.deepcopy(events)
    del without["plan"]["properties"]["title"]
    assert protocol._hash_of(without, tools) != protocol._hash_of(events, tools)


def test_snapshot_lists_every_event_and_tool_with_valid_schemas() -> None:
    snapshot = protocol_snapshot()
    assert snapshot["protocolVersion"] == PROTOCOL_VERSION
    assert snapshot["protocolHash"] == protocol_hash()
    assert snapshot["eventTypes"] == sorted(EVENT_TYPES)
    assert snapshot["eventCount"] == len(EVENT_TYPES) == 14
    assert snapshot["toolCount"] == len(get_registry().names)
    events = snapshot["events"]
    assert isinstance(events, dict)
    for schema in events.values():
        jsonschema.Draft202012Validator.check_schema(schema)
    tools = snapshot["tools"]
    assert isinstance(tools, list)
    for tool in tools:
        assert isinstance(tool, dict)
        assert set(tool) >= {"name", "description", "inputSchema"}
        jsonschema.Draft202012Validator.check_schema(tool["inputSchema"])


def test_cli_protocol_json_prints_the_snapshot(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["protocol", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["protocolHash"] == protocol_hash()
    assert set(printed["events"]) == set(EVENT_TYPES)
    assert {t["name"] for t in printed["tools"]} == set(get_registry().names)


def test_cli_protocol_text_hash_and_single_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["protocol"]) == 0
    text = capsys.readouterr().out
    assert protocol_hash() in text
    assert "stori_add_notes" in text
    assert "generatorComplete" in text
    assert main(["protocol", "--hash"]) == 0
    assert capsys.readouterr().out.strip() == protocol_hash()
    assert main(["protocol", "--event", "phrase"]) == 0
    assert json.loads(capsys.readouterr().out)["properties"]["type"]["const"] == "phrase"
    assert main(["protocol", "--tool", "stori_set_tempo"]) == 0
    assert json.loads(capsys.readouterr().out)["inputSchema"]["required"] == ["tempo"]


def test_cli_protocol_unknown_event_or_tool_is_a_clear_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["protocol", "--event", "nope"]) == 2
    assert "unknown event type 'nope'" in capsys.readouterr().err
    assert main(["protocol", "--tool", "stori_nope"]) == 2
    assert "unknown tool 'stori_nope'" in capsys.readouterr().err
