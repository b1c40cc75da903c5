"""The protocol surface: JSON Schemas of every event and tool, and the protocol hash.

:func:`event_schemas` gives the wire JSON Schema of each event type (what
:meth:`~maestro_lab.runtime.events.MaestroEvent.to_wire` produces: every field
present, ``seq`` >= 0). :func:`protocol_snapshot` bundles them with the MCP
tool definitions, the enums, the protocol version and its hash (camelCase).

:func:`protocol_hash` is the SHA-256 of the canonical JSON of the
*structural* schemas: event schemas and tool input schemas without the
annotation keywords (titles, descriptions, examples), with sorted keys. It
changes when a field, type, constraint, enum value or required flag changes,
and not when a docstring is reworded or the package version moves.

Example
-------
>>> snapshot = protocol_snapshot()
>>> snapshot["eventCount"], len(protocol_hash())
(14, 64)
>>> sorted(event_schemas()["state"]["required"])[:3]
['confidence', 'executionMode', 'intent']
"""

from __future__ import annotations

from functools import cache
from typing import get_args

from pydantic import JsonValue

from maestro_lab.runtime.events import (
    EVENT_TYPES,
    PROTOCOL_VERSION,
    ChangeType,
    ExecutionMode,
    IntentState,
    MaestroEvent,
    Phase,
    StepPhase,
    StepStatus,
    VariationStatus,
)
from maestro_lab.schema_utils import sha256_json, structural
from maestro_lab.wire import JSONObject

ENUMS: dict[str, tuple[str, ...]] = {
    "ChangeType": get_args(ChangeType),
    "ExecutionMode": get_args(ExecutionMode),
    "IntentState": get_args(IntentState),
    "Phase": get_args(Phase),
    "StepPhase": get_args(StepPhase),
    "StepStatus": get_args(StepStatus),
    "VariationStatus": get_args(VariationStatus),
}
"""Enumerations of the protocol, by name."""


def event_schema(event_class: type[MaestroEvent]) -> JSONObject:
    """The wire JSON Schema of one event class (all fields required, ``seq`` >= 0)."""
    schema: JSONObject = event_class.model_json_schema(by_alias=True, mode="serialization")
    properties = schema.get("properties")
    assert isinstance(properties, dict)
    properties["seq"] = {
        "type": "integer",
        "minimum": 0,
        "description": "position in the stream: 0 for the first event, then +1 per event",
    }
    return schema


@cache
def _event_schemas() -> tuple[tuple[str, JSONObject], ...]:
    return tuple((name, event_schema(cls)) for name, cls in EVENT_TYPES.items())


def event_schemas() -> dict[str, JSONObject]:
    """Event type -> wire JSON Schema, for every event type (a fresh copy each call)."""
    import copy

    return {name: copy.deepcopy(schema) for name, schema in _event_schemas()}


def tool_definitions() -> list[JSONObject]:
    """Every tool's MCP definition (``name``, ``description``, ``inputSchema``), by name."""
    from maestro_lab.tools.registry import get_registry

    return sorted(get_registry().mcp_tools, key=lambda t: str(t["name"]))


def enum_definitions() -> dict[str, list[str]]:
    """Enum name -> sorted allowed values."""
    return {name: sorted(values) for name, values in sorted(ENUMS.items())}


def protocol_hash() -> str:
    """SHA-256 (hex) of the structural event and tool schemas (see the module docstring)."""
    return _hash_of(event_schemas(), tool_definitions())


def _hash_of(events: dict[str, JSONObject], tools: list[JSONObject]) -> str:
    payload: JsonValue = {
        "events": {name: structural(schema) for name, schema in sorted(events.items())},
        "tools": [
            {"name": tool["name"], "inputSchema": structural(tool["inputSchema"])}
            for tool in sorted(tools, key=lambda t: str(t["name"]))
        ],
        "enums": {name: list(values) for name, values in enum_definitions().items()},
    }
    return sha256_json(payload)


def protocol_snapshot() -> JSONObject:
    """Everything the protocol exposes (``ProtocolSchemaResponse`` shape, camelCase)."""
    events = event_schemas()
    tools = tool_definitions()
    enums: dict[str, JsonValue] = {k: list(v) for k, v in enum_definitions().items()}
    events_json: dict[str, JsonValue] = dict(events)
    tools_json: list[JsonValue] = list(tools)
    event_types: list[JsonValue] = []
    event_types.extend(sorted(events))
    return {
        "protocolVersion": PROTOCOL_VERSION,
        "protocolHash": _hash_of(events, tools),
        "eventTypes": event_types,
        "eventCount": len(events),
        "events": events_json,
        "toolCount": len(tools),
        "tools": tools_json,
        "enums": enums,
    }
