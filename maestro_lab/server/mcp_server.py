"""The MCP server: the ``stori_*`` catalogue on a Muse project, plus five runtime tools.

The runtime tools are compose, plan, reproduce, log and diff.

Built on the low-level ``mcp.server.Server`` of the official SDK so that
every ``stori_*`` tool is listed with the catalogue's own JSON Schema (the
one :mod:`maestro_lab.tools.registry` publishes and validates against).
A ``stori_*`` call is applied to the project at Muse HEAD and committed
(:func:`~maestro_lab.server.project_tools.apply_to_head`); ``compose`` runs a
whole composition; ``plan`` plans a prompt against HEAD without generating;
``reproduce`` re-runs a commit; ``log`` and ``diff`` read history. Every
tool that opens the database waits for its slot
(:class:`~maestro_lab.server.writer.WriterQueue`), reads included: within one
process a read attachment would make a concurrent commit fail.

Bad input never crashes the server: an unknown tool, parameters that fail
validation (the message and ``parameter`` name the bad one) or a failing
run come back as a tool result with ``isError`` set.

:func:`build_mcp_server` gives the server for any transport;
:func:`run_stdio` serves it over stdin/stdout (``maestro-lab mcp``); the
HTTP app mounts it at ``/mcp`` (streamable HTTP).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import anyio
from pydantic import BaseModel, Field, JsonValue, ValidationError

from maestro_lab.errors import ToolApplyError, ToolValidationError, UnknownToolError
from maestro_lab.schema_utils import strip_keywords
from maestro_lab.server.config import ServerConfig
from maestro_lab.server.history import diff_json, log_json
from maestro_lab.server.project_tools import apply_to_head, tool_call, tool_error
from maestro_lab.server.runs import ComposeRequest, prepare_request
from maestro_lab.server.writer import WriterQueue
from maestro_lab.tools import ToolCall, get_registry
from maestro_lab.wire import CamelModel, JSONObject
from storpheus import __version__

if TYPE_CHECKING:
    import mcp.types as types
    from mcp.server import Server, ServerRequestContext

SERVER_NAME = "maestro-lab"
"""The name the MCP server reports."""


# ------------------------------------------------------------ runtime tools
class PlanArgs(CamelModel):
    """Parameters of the ``plan`` tool."""

    prompt: str = Field(min_length=1, max_length=64_000, description="a MAESTRO PROMPT")
    seed: int | None = Field(default=None, ge=0, description="base seed")
    candidates: int | None = Field(default=None, ge=1, le=256, description="candidates per step")


class ReproduceArgs(CamelModel):
    """Parameters of the ``reproduce`` tool."""

    commit_id: str = Field(min_length=4, max_length=200, description="commit id or unique prefix")


class LogArgs(CamelModel):
    """Parameters of the ``log`` tool."""

    ref: str = Field(default="HEAD", min_length=1, max_length=200, description="start here")
    limit: int = Field(default=20, ge=1, le=1000, description="most commits returned")


class DiffArgs(CamelModel):
    """Parameters of the ``diff`` tool."""

    a: str = Field(default="HEAD~1", min_length=1, max_length=200, description="from this ref")
    b: str = Field(default="HEAD", min_length=1, max_length=200, description="to this ref")


@dataclass(frozen=True)
class RuntimeTool:
    """One of the runtime's own tools: its parameter model and what it does."""

    name: str
    description: str
    params: type[BaseModel]

    def input_schema(self) -> JSONObject:
        """The JSON Schema of the parameters (camelCase, unknown keys refused)."""
        raw: JsonValue = self.params.model_json_schema(by_alias=True, mode="validation")
        schema = strip_keywords(raw, frozenset({"title"}))
        assert isinstance(schema, dict)
        return {**schema, "additionalProperties": False}


RUNTIME_TOOLS: tuple[RuntimeTool, ...] = (
    RuntimeTool(
        "compose",
        "Compose a MAESTRO PROMPT and commit it to the project: plan, generate and score "
        "candidates per section, accept the variation. Returns the commit and snapshot ids.",
        ComposeRequest,
    ),
    RuntimeTool(
        "plan",
        "Plan a MAESTRO PROMPT against the project at HEAD without generating: the "
        "sections, roles, tool calls and generation steps a composition would run.",
        PlanArgs,
    ),
    RuntimeTool(
        "reproduce",
        "Re-run a commit from its recorded inputs and report whether the snapshot and the "
        "MIDI bytes are identical, and where they differ.",
        ReproduceArgs,
    ),
    RuntimeTool("log", "The project's commits reachable from a ref, newest first.", LogArgs),
    RuntimeTool("diff", "Per-region differences between two refs of the project.", DiffArgs),
)
"""The tools besides the ``stori_*`` catalogue."""


def tool_definitions() -> list[JSONObject]:
    """Every tool the server lists: ``name``, ``description``, ``inputSchema``."""
    tools: list[JSONObject] = [
        {"name": t["name"], "description": t["description"], "inputSchema": t["inputSchema"]}
        for t in get_registry().mcp_tools
    ]
    tools.extend(
        {"name": t.name, "description": t.description, "inputSchema": t.input_schema()}
        for t in RUNTIME_TOOLS
    )
    return tools


def _checked(tool: RuntimeTool, arguments: Mapping[str, JsonValue]) -> BaseModel:
    """Validate ``arguments``; a :class:`ToolValidationError` names the first bad parameter."""
    try:
        return tool.params.model_validate(dict(arguments))
    except ValidationError as exc:
        problems: list[str] = []
        first: str | None = None
        for error in exc.errors(include_url=False):
            path = ".".join(str(part) for part in error["loc"]) or None
            first = first or path
            reason = "unknown parameter" if error["type"] == "extra_forbidden" else error["msg"]
            problems.append(f"{path or '(parameters)'}: {reason}")
        raise ToolValidationError(tool.name, first, tuple(problems)) from None


class MaestroTools:
    """What each tool does, against one database and project; shared by every transport.

    Parameters
    ----------
    config:
        The database, project and limits.
    writer:
        The writer queue (shared with the HTTP routes when both serve one database).
    """

    def __init__(self, config: ServerConfig, writer: WriterQueue | None = None) -> None:
        from muse_duckdb import Repository

        self.config = config
        self.writer = writer or WriterQueue(config.busy_timeout)
        self.repo = Repository.open(config.db, config.project, lock_timeout=config.busy_timeout)
        handlers: dict[str, Callable[[BaseModel], Awaitable[JSONObject]]] = {
            "compose": self._compose,
            "plan": self._plan,
            "reproduce": self._reproduce,
            "log": self._log,
            "diff": self._diff,
        }
        self._runtime = {t.name: (t, handlers[t.name]) for t in RUNTIME_TOOLS}

    @property
    def names(self) -> tuple[str, ...]:
        """Every tool name."""
        return (*get_registry().names, *self._runtime)

    async def call(self, name: str, arguments: Mapping[str, JsonValue] | None) -> JSONObject:
        """Run tool ``name``; raises a typed error when the call is refused or fails."""
        args = dict(arguments or {})
        if name in get_registry().specs:
            return await self._stori(tool_call(name, args))
        entry = self._runtime.get(name)
        if entry is None:
            close = difflib.get_close_matches(name, self.names, n=3, cutoff=0.6)
            raise UnknownToolError(name, tuple(close))
        tool, run = entry
        return await run(_checked(tool, args))

    async def _stori(self, call: ToolCall) -> JSONObject:
        from maestro_lab.tools import validate_tool_call

        validated = validate_tool_call(call)  # refuse bad parameters before queueing
        if validated.spec.server_side:
            raise ToolApplyError(
                call.name,
                None,
                "generation runs inside a composition: call the compose tool with a "
                "MAESTRO PROMPT naming the role and section",
            )
        async with self.writer.slot(self.config.db, holder=call.name):
            return await anyio.to_thread.run_sync(apply_to_head, self.repo, call)

    async def _compose(self, params: BaseModel) -> JSONObject:
        assert isinstance(params, ComposeRequest)

        def run() -> JSONObject:
            result = prepare_request(self.config, params).compose()
            return {
                "commitId": result.commit_id,
                "snapshotId": result.snapshot_id,
                "runId": result.run_id,
                "variationId": result.variation_id,
                "baseCommitId": result.base_commit_id,
                "phraseCount": result.phrase_count,
                "planHash": result.plan_hash,
                "baseSeed": result.base_seed,
            }

        async with self.writer.slot(self.config.db, holder="compose"):
            return await anyio.to_thread.run_sync(run)

    async def _plan(self, params: BaseModel) -> JSONObject:
        assert isinstance(params, PlanArgs)
        request = ComposeRequest(
            prompt=params.prompt, seed=params.seed, candidates=params.candidates
        )

        def run() -> JSONObject:
            prepared = prepare_request(self.config, request)
            planned: JsonValue = json.loads(prepared.plan.to_json(indent=None))
            return {"plan": planned, "baseCommitId": prepared.base_commit_id}

        async with self.writer.slot(self.config.db, holder="plan"):
            return await anyio.to_thread.run_sync(run)

    async def _reproduce(self, params: BaseModel) -> JSONObject:
        assert isinstance(params, ReproduceArgs)
        import maestro_lab

        def run() -> JSONObject:
            outcome = maestro_lab.reproduce(
                params.commit_id, self.config.db, project=self.config.project
            )
            differences: list[JsonValue] = [str(d) for d in outcome.differences]
            return {
                "ok": outcome.ok,
                "commitId": outcome.commit_id,
                "sameSnapshot": outcome.same_snapshot,
                "sameMidi": outcome.same_midi,
                "recordedSnapshotId": outcome.recorded_snapshot_id,
                "reproducedSnapshotId": outcome.reproduced_snapshot_id,
                "differences": differences,
            }

        async with self.writer.slot(self.config.db, holder="reproduce"):
            return await anyio.to_thread.run_sync(run)

    async def _log(self, params: BaseModel) -> JSONObject:
        assert isinstance(params, LogArgs)
        async with self.writer.slot(self.config.db, holder="log"):
            return await anyio.to_thread.run_sync(log_json, self.repo, params.ref, params.limit)

    async def _diff(self, params: BaseModel) -> JSONObject:
        assert isinstance(params, DiffArgs)
        async with self.writer.slot(self.config.db, holder="diff"):
            return await anyio.to_thread.run_sync(diff_json, self.repo, params.a, params.b)


def build_mcp_server(tools: MaestroTools) -> Server:
    """The SDK server listing and calling ``tools`` (serve it over any MCP transport).

    Example
    -------
    >>> from mcp import Client                                     # doctest: +SKIP
    >>> server = build_mcp_server(MaestroTools(ServerConfig(db="lab.duckdb")))  # doctest: +SKIP
    >>> async with Client(server) as client:                       # doctest: +SKIP
    ...     await client.call_tool("stori_set_tempo", {"tempo": 96})
    """
    import mcp.types as types
    from mcp.server import Server

    listed = [
        types.Tool(name=str(t["name"]), description=str(t["description"]), input_schema=schema)
        for t in tool_definitions()
        if isinstance(schema := t["inputSchema"], dict)
    ]

    async def list_tools(
        ctx: ServerRequestContext, params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=listed)

    async def call_tool(
        ctx: ServerRequestContext, params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        arguments: dict[str, JsonValue] = dict(params.arguments or {})
        try:
            payload = await tools.call(params.name, arguments)
        except Exception as exc:  # every failure is the caller's to see, never a crash
            refused = tool_error(ToolCall(params.name, arguments), exc)
            return types.CallToolResult(
                content=[types.TextContent(type="text", text=str(refused["error"]))],
                structured_content=refused,
                is_error=True,
            )
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=json.dumps(payload, sort_keys=True))],
            structured_content=payload,
        )

    return Server(
        SERVER_NAME,
        version=__version__,
        instructions=(
            "Maestro Lab: compose MIDI from a MAESTRO PROMPT and edit the project with the "
            "stori_* tools; every change is a Muse commit (see log and diff)."
        ),
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )


def run_stdio(config: ServerConfig) -> None:
    """Serve the MCP tools over stdin/stdout until the client closes the connection."""
    from mcp.server.stdio import stdio_server

    tools = MaestroTools(config)
    server = build_mcp_server(tools)

    async def main() -> None:
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())

    anyio.run(main)


__all__ = [
    "RUNTIME_TOOLS",
    "SERVER_NAME",
    "DiffArgs",
    "LogArgs",
    "MaestroTools",
    "PlanArgs",
    "ReproduceArgs",
    "RuntimeTool",
    "build_mcp_server",
    "run_stdio",
    "tool_definitions",
]
