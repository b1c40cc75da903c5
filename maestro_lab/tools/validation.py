"""Tool calls and their validation against the tool schemas.

A :class:`ToolCall` is untrusted: a name and JSON parameters (from a plan, a
notebook or an MCP client). :func:`validate_tool_call` checks the name
against the registry and the parameters against the tool's pydantic model and
returns a :class:`ValidatedToolCall` with typed parameters, or raises
:class:`~maestro_lab.errors.ToolValidationError` whose ``parameter`` is the
path of the first bad parameter in wire names (``notes[2].pitch``) and whose
message lists every problem. :func:`check_tool_call` is the non-raising form
(a :class:`ValidationResult`).

Example
-------
>>> call = ToolCall("stori_set_tempo", {"tempo": 400})
>>> check_tool_call(call).errors[0].parameter
'tempo'
>>> validate_tool_call(ToolCall("stori_set_tempo", {"tempo": 92})).params.tempo
92
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pydantic import JsonValue, ValidationError
from typing_extensions import TypedDict

from maestro_lab.errors import ToolNotAllowedError, ToolValidationError, UnknownToolError
from maestro_lab.schema_utils import sha256_json
from maestro_lab.tools.base import ParamProblem, ToolName, ToolParams, ToolPhase, ToolSpec
from maestro_lab.tools.registry import ToolRegistry, get_registry
from maestro_lab.wire import JSONObject


@dataclass(frozen=True)
class ToolCall:
    """One tool call: the tool name, its JSON parameters and a call id.

    The one tool call type: an agent, a DAW or an MCP client sends it, and
    the planner emits it as an execution step (with a ``label`` for people
    and the ``instrument`` whose steps it belongs to). The registry that
    executes a call validates it (:func:`validate_tool_call`); its
    :attr:`phase` is the catalogue's. Without an ``id``, the id is derived
    from the name and parameters (``call-<12 hex>``), so the same call
    always has the same id.
    """

    name: str
    params: Mapping[str, JsonValue] = field(default_factory=dict)
    id: str = ""
    label: str = ""
    instrument: str | None = None

    def __post_init__(self) -> None:
        if not self.id:
            raw: object = self.params
            params: JsonValue = dict(self.params) if isinstance(raw, Mapping) else repr(raw)
            digest = sha256_json({"name": self.name, "params": params})
            object.__setattr__(self, "id", f"call-{digest[:12]}")

    @property
    def tool(self) -> str:
        """The tool name (the plan's spelling of :attr:`name`)."""
        return self.name

    @property
    def phase(self) -> ToolPhase:
        """The catalogue's phase of the tool (``UnknownToolError`` for an unknown name)."""
        return get_registry().spec(self.name).phase

    def to_dict(self) -> JSONObject:
        """``{"id", "name", "params"}`` (the ``ToolCallWire`` shape)."""
        return {"id": self.id, "name": self.name, "params": dict(self.params)}

    def to_step(self) -> ToolStepDict:
        """The plan's JSON of the call as an execution step."""
        return {
            "id": self.id,
            "phase": self.phase,
            "tool": self.name,
            "params": dict(self.params),
            "label": self.label,
            "instrument": self.instrument,
        }

    @classmethod
    def from_step(cls, data: ToolStepDict) -> ToolCall:
        """Inverse of :meth:`to_step` (the phase is the catalogue's, not re-read)."""
        return cls(
            data["tool"],
            dict(data["params"]),
            id=data["id"],
            label=data["label"],
            instrument=data["instrument"],
        )


class ToolStepDict(TypedDict):
    """A tool call as an execution step of a plan (camelCase plan JSON)."""

    id: str
    phase: ToolPhase
    tool: str
    params: dict[str, JsonValue]
    label: str
    instrument: str | None


@dataclass(frozen=True)
class ValidatedToolCall:
    """A tool call whose name and parameters passed validation."""

    call: ToolCall
    spec: ToolSpec
    params: ToolParams

    @property
    def name(self) -> ToolName:
        """The tool name (one of the closed set)."""
        return self.spec.name

    @property
    def id(self) -> str:
        """The call id."""
        return self.call.id

    @property
    def phase(self) -> ToolPhase:
        """The execution phase of the tool."""
        return self.spec.phase

    def wire_params(self) -> JSONObject:
        """The parameters as validated and normalised, camelCase, without unset defaults."""
        dumped: JSONObject = self.params.model_dump(mode="json", by_alias=True, exclude_unset=True)
        return dumped


@dataclass(frozen=True)
class ValidationResult:
    """Outcome of :func:`check_tool_call`: valid, or the problems found."""

    tool: str
    errors: tuple[ParamProblem, ...] = ()
    validated: ValidatedToolCall | None = None

    @property
    def valid(self) -> bool:
        """Whether the call passed."""
        return not self.errors


def validate_tool_call(
    call: ToolCall,
    *,
    allowed_tools: Iterable[str] | None = None,
    registry: ToolRegistry | None = None,
) -> ValidatedToolCall:
    """Validate ``call``; raise a typed error naming what is wrong.

    Raises
    ------
    UnknownToolError
        The name is not a tool (with close matches as suggestions).
    ToolNotAllowedError
        ``allowed_tools`` is given and does not include the tool.
    ToolValidationError
        The parameters do not match the tool's schema.
    """
    result = check_tool_call(call, allowed_tools=allowed_tools, registry=registry)
    if result.validated is None:
        first = result.errors[0]
        raise ToolValidationError(call.name, first.parameter, tuple(map(str, result.errors)))
    return result.validated


def check_tool_call(
    call: ToolCall,
    *,
    allowed_tools: Iterable[str] | None = None,
    registry: ToolRegistry | None = None,
) -> ValidationResult:
    """Validate ``call`` and report every parameter problem instead of raising.

    An unknown or disallowed tool still raises (there is no schema to check against).
    """
    reg = registry or get_registry()
    spec = reg.spec(call.name)
    if allowed_tools is not None:
        allowed = tuple(allowed_tools)
        if call.name not in allowed:
            raise ToolNotAllowedError(call.name, allowed)
    raw: object = call.params
    if not isinstance(raw, Mapping):
        problem = ParamProblem(None, f"parameters must be a JSON object, not {_short(raw)}")
        return ValidationResult(call.name, (problem,))
    try:
        params = spec.params.model_validate(dict(raw))
    except ValidationError as exc:
        return ValidationResult(call.name, tuple(_problems(exc, spec)))
    cross = params.cross_check()
    if cross:
        return ValidationResult(call.name, cross)
    return ValidationResult(call.name, (), ValidatedToolCall(call, spec, params))


def _problems(exc: ValidationError, spec: ToolSpec) -> list[ParamProblem]:
    known = sorted((info.alias or name) for name, info in spec.params.model_fields.items())
    problems: list[ParamProblem] = []
    for error in exc.errors(include_url=False):
        path = _path(error["loc"])
        kind = error["type"]
        if kind == "extra_forbidden":
            reason = f"unknown parameter; {spec.name} takes {known}"
        elif kind == "missing":
            reason = "is required"
        else:
            message = error["msg"].removeprefix("Value error, ")
            reason = f"{message} (got {_short(error.get('input'))})"
        problems.append(ParamProblem(path, reason))
    return problems


def _path(loc: tuple[int | str, ...]) -> str | None:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.startswith(("function-after[", "function-before[", "function-wrap[")):
            continue
        else:
            out += f".{part}" if out else part
    return out or None


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def unknown_tool_suggestions(name: str) -> tuple[str, ...]:
    """Close matches of ``name`` among the tool names (empty if none)."""
    try:
        get_registry().spec(name)
    except UnknownToolError as exc:
        return exc.suggestions
    return ()
