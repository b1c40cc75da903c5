"""``stori_*`` tool calls applied to a project at Muse HEAD, each kept as one commit.

:func:`apply_to_head` is what the MCP server does with a catalogue tool: it
validates the call against the tool's own schema (nothing is opened when the
parameters are wrong), rebuilds the project state of HEAD, applies the call
and commits the result with the call as metadata. A call that changes
nothing Muse versions (an insert effect, a bus, a value already set) commits
nothing and says so. :func:`tool_error` turns any refusal into the JSON an
MCP client gets back, naming the bad parameter.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import JsonValue

from maestro_lab.runtime.tool_events import tool_error_event
from maestro_lab.tools import StateStore, ToolCall, validate_tool_call
from maestro_lab.tools.entities import StateSnapshot
from maestro_lab.wire import JSONObject
from muse_duckdb import ProjectState, Repository
from muse_duckdb.errors import NothingToCommitError

AUTHOR = "agent:mcp"
"""Author of the commits tool calls make."""


def tool_call(name: str, arguments: Mapping[str, JsonValue] | None) -> ToolCall:
    """The catalogue's tool call for an MCP ``tools/call`` request."""
    return ToolCall(name, dict(arguments or {}))


def apply_to_head(repo: Repository, call: ToolCall, *, author: str = AUTHOR) -> JSONObject:
    """Validate ``call``, apply it to HEAD's project state and commit the change.

    Returns ``{"result", "commitId", "snapshotId", "committed"}``: the store's
    :class:`~maestro_lab.tools.ToolResult` as JSON and the new commit (or
    HEAD's, with ``committed`` false, when the call changed nothing Muse
    versions).

    Raises
    ------
    UnknownToolError, ToolValidationError
        The tool is unknown or its parameters are wrong (nothing was opened).
    EntityNotFoundError, ToolApplyError
        The call refers to something HEAD does not have; nothing was committed.
    MuseError
        The database cannot be written.
    """
    validated = validate_tool_call(call)
    with repo.session(write=True):
        head = repo.head()
        base = repo.snapshot(head.commit_id) if head.commit_id is not None else ProjectState()
        store = StateStore(StateSnapshot.from_project(base), project_id=repo.project_id)
        result = store.apply_validated(validated)
        state = store.snapshot.project
        params: JsonValue = validated.wire_params()
        try:
            commit = repo.commit(
                state,
                f"{call.name}: {result.summary}",
                author=author,
                metadata={"tool": call.name, "params": params, "callId": call.id},
            )
        except NothingToCommitError:
            return {
                "result": dict(result.to_dict()),
                "commitId": head.commit_id,
                "snapshotId": base.snapshot_id if head.commit_id is not None else None,
                "committed": False,
            }
    return {
        "result": dict(result.to_dict()),
        "commitId": commit.commit_id,
        "snapshotId": commit.snapshot_id,
        "committed": True,
    }


def tool_error(call: ToolCall, error: Exception) -> JSONObject:
    """``{"tool", "error", "parameter", "errors"}`` of a refused call (parameter when known)."""
    event = tool_error_event(call, error)
    errors: list[JsonValue] = list(event.errors)
    return {
        "tool": call.name,
        "error": event.error,
        "parameter": event.parameter,
        "errors": errors,
    }


__all__ = ["AUTHOR", "apply_to_head", "tool_call", "tool_error"]
