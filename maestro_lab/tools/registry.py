"""The tool registry: every tool in MCP and OpenAI function-calling format.

:func:`get_registry` builds the immutable :class:`ToolRegistry` once: MCP tool
definitions (``name``, ``description``, ``inputSchema``), the same tools as
OpenAI ``{"type": "function", "function": {...}}`` schemas, per-tool metadata,
the server-side and project-side tool names and each tool's category. Input
schemas are generated from the pydantic parameter models that also validate
calls, so the published schema and the validation can never disagree.

Example
-------
>>> registry = get_registry()
>>> tool = registry.mcp_tool("stori_set_tempo")
>>> tool["inputSchema"]["required"]
['tempo']
>>> "stori_generate_midi" in registry.server_side_tools
True
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from pydantic import JsonValue

from maestro_lab.errors import UnknownToolError
from maestro_lab.schema_utils import inline_refs, strip_keywords
from maestro_lab.tools.base import ToolKind, ToolSpec
from maestro_lab.tools.catalog import ALL_TOOLS
from maestro_lab.wire import JSONObject


def input_schema(spec: ToolSpec) -> JSONObject:
    """The self-contained JSON Schema of a tool's parameters (camelCase names).

    It always has ``type: object``, ``properties`` and ``required`` (MCP
    ``MCPInputSchema``), and ``additionalProperties: false``. An optional
    parameter is described by its type alone (omit it rather than send ``null``).
    """
    raw: JSONObject = spec.params.model_json_schema(by_alias=True, mode="validation")
    schema = strip_keywords(inline_refs(raw), frozenset({"title"}))
    assert isinstance(schema, dict)
    properties = schema.get("properties", {})
    required = schema.get("required", [])
    assert isinstance(properties, dict)
    assert isinstance(required, list)
    return {
        "type": "object",
        "properties": {
            name: prop if name in required else _optional(prop) for name, prop in properties.items()
        },
        "required": required,
        "additionalProperties": False,
    }


def _optional(prop: JsonValue) -> JsonValue:
    """``anyOf: [X, null]`` with default ``null`` -> ``X`` (keeping the field's description)."""
    if not isinstance(prop, dict) or prop.get("default", 0) is not None:
        return prop
    options = prop.get("anyOf")
    if not isinstance(options, list) or len(options) != 2 or {"type": "null"} not in options:
        return prop
    inner = next(o for o in options if o != {"type": "null"})
    if not isinstance(inner, dict):
        return prop
    extra = {k: v for k, v in prop.items() if k not in ("anyOf", "default")}
    return {**inner, **extra}


def mcp_tool_def(spec: ToolSpec) -> JSONObject:
    """The MCP definition (``MCPToolDef``) of one tool."""
    out: JSONObject = {
        "name": spec.name,
        "description": spec.description,
        "inputSchema": input_schema(spec),
    }
    if spec.server_side:
        out["server_side"] = True
    return out


def openai_tool_schema(spec: ToolSpec) -> JSONObject:
    """The OpenAI function-calling definition (``ToolSchemaDict``) of one tool."""
    function: JSONObject = {
        "name": spec.name,
        "description": spec.description,
        "parameters": input_schema(spec),
    }
    return {"type": "function", "function": function}


@dataclass(frozen=True)
class ToolRegistry:
    """Immutable snapshot of every tool.

    Attributes
    ----------
    specs:
        Tool name -> :class:`~maestro_lab.tools.base.ToolSpec` (``tool_meta``), in
        catalogue order.
    mcp_tools:
        MCP tool definitions, in catalogue order.
    tool_schemas:
        OpenAI function-calling definitions, in catalogue order.
    server_side_tools, daw_tools:
        Names of the tools the runtime executes, and of those applied to the project.
    categories:
        Tool name -> category.
    """

    specs: dict[str, ToolSpec]
    mcp_tools: tuple[JSONObject, ...] = field(repr=False)
    tool_schemas: tuple[JSONObject, ...] = field(repr=False)
    server_side_tools: frozenset[str]
    daw_tools: frozenset[str]
    categories: dict[str, str]

    @property
    def tool_meta(self) -> dict[str, ToolSpec]:
        """Tool name -> metadata (alias of :attr:`specs`)."""
        return self.specs

    @property
    def names(self) -> tuple[str, ...]:
        """Every tool name, in catalogue order."""
        return tuple(self.specs)

    def spec(self, name: str) -> ToolSpec:
        """The spec of ``name``; :class:`~maestro_lab.errors.UnknownToolError` if unknown."""
        found = self.specs.get(name)
        if found is None:
            close = difflib.get_close_matches(name, self.names, n=3, cutoff=0.6)
            raise UnknownToolError(name, tuple(close))
        return found

    def mcp_tool(self, name: str) -> JSONObject:
        """The MCP definition of ``name``."""
        self.spec(name)
        return next(t for t in self.mcp_tools if t["name"] == name)

    def tools_by_kind(self, kind: ToolKind) -> tuple[str, ...]:
        """Names of the tools of one kind (primitive, generator, macro)."""
        return tuple(n for n, s in self.specs.items() if s.kind is kind)

    def tools_in_category(self, category: str) -> tuple[str, ...]:
        """Names of the tools of one category (``"track"``, ``"mixing"``...)."""
        return tuple(n for n, s in self.specs.items() if s.category == category)


def build_tool_registry(specs: Iterable[ToolSpec] = ALL_TOOLS) -> ToolRegistry:
    """Build a registry from tool specs (the catalogue by default); names must be unique."""
    by_name: dict[str, ToolSpec] = {}
    for spec in specs:
        if spec.name in by_name:
            raise ValueError(f"tool {spec.name!r} is defined twice")
        by_name[spec.name] = spec
    return ToolRegistry(
        specs=by_name,
        mcp_tools=tuple(mcp_tool_def(s) for s in by_name.values()),
        tool_schemas=tuple(openai_tool_schema(s) for s in by_name.values()),
        server_side_tools=frozenset(n for n, s in by_name.items() if s.server_side),
        daw_tools=frozenset(n for n, s in by_name.items() if not s.server_side),
        categories={n: s.category for n, s in by_name.items()},
    )


@cache
def get_registry() -> ToolRegistry:
    """The registry of the built-in catalogue (built once per process)."""
    return build_tool_registry()


def tool_names() -> tuple[str, ...]:
    """Every built-in tool name, in catalogue order."""
    return get_registry().names
