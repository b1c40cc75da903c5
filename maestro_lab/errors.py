"""Typed exceptions raised by maestro_lab."""

from __future__ import annotations


class MaestroLabError(Exception):
    """Base class of every error maestro_lab raises on purpose."""


class MissingExtraError(MaestroLabError, ImportError):
    """An optional dependency is not installed; the message gives the pip command."""

    def __init__(self, package: str, extra: str) -> None:
        self.package = package
        self.extra = extra
        super().__init__(f"{package} is not installed; run: pip install 'maestro-lab[{extra}]'")


# ------------------------------------------------------------- prompt DSL
class PromptParseError(MaestroLabError):
    """Base class of every structured-prompt parsing failure."""


class UnsupportedPromptHeader(PromptParseError):  # noqa: N818 - public name, kept stable
    """The prompt starts with a recognised but unsupported header (``STORI PROMPT``).

    Attributes
    ----------
    header:
        The header as recognised (``"STORI PROMPT"``).
    """

    def __init__(self, header: str) -> None:
        self.header = header
        super().__init__(
            f"unsupported prompt header {header!r}: start the prompt with 'MAESTRO PROMPT'"
        )


class InvalidMaestroPrompt(PromptParseError):  # noqa: N818 - public name, kept stable
    """A ``MAESTRO PROMPT`` whose YAML body or field values are invalid.

    Attributes
    ----------
    details:
        Every problem found, each naming the field (``"Tempo: ..."``).
    """

    def __init__(self, details: list[str]) -> None:
        self.details = list(details)
        lines = "\n".join(f"  - {d}" for d in self.details)
        count = len(self.details)
        super().__init__(f"invalid MAESTRO PROMPT ({count} problem{'s' * (count != 1)}):\n{lines}")


class InvalidKeyError(MaestroLabError, ValueError):
    """Text that does not name a musical key (``"H minor"``, ``"C blorp"``).

    Attributes
    ----------
    text:
        The text as given.
    """

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason
        super().__init__(f"{text!r} is not a key: {reason}")


# ---------------------------------------------------------------- planner
class PlanningError(MaestroLabError):
    """The planner cannot build a plan from this prompt and project."""


class InvalidPlanError(MaestroLabError, ValueError):
    """Plan JSON that does not match the plan format (or whose hash does not match).

    Attributes
    ----------
    details:
        Every problem found, each with its location in the JSON.
    """

    def __init__(self, details: list[str]) -> None:
        self.details = list(details)
        super().__init__("invalid plan JSON: " + "; ".join(self.details))


# ------------------------------------------------------------ event protocol
class EventProtocolError(MaestroLabError):
    """Base class of errors about runtime events and their stream."""


class UnsequencedEventError(EventProtocolError, ValueError):
    """An event was serialised for the wire before an ``EventStream`` numbered it."""

    def __init__(self, event_type: str) -> None:
        self.event_type = event_type
        super().__init__(
            f"{event_type!r} event has no sequence number; emit it through an EventStream first"
        )


class EventOrderError(EventProtocolError):
    """A stream of events breaks an ordering invariant (state first, meta -> phrase* -> done...).

    Attributes
    ----------
    seq:
        The sequence number of the offending event (``None`` for the stream as a whole).
    event_type:
        Its type, if one event is at fault.
    rule:
        The invariant broken, in plain words.
    """

    def __init__(self, rule: str, seq: int | None = None, event_type: str | None = None) -> None:
        self.rule = rule
        self.seq = seq
        self.event_type = event_type
        where = f"event seq={seq} ({event_type}): " if seq is not None else ""
        super().__init__(f"{where}{rule}")


class StreamClosedError(EventProtocolError):
    """An event was emitted on a stream that is already closed."""


# --------------------------------------------------------------------- tools
class ToolError(MaestroLabError):
    """Base class of errors about tool calls."""


class UnknownToolError(ToolError, LookupError):
    """A tool call names no tool of the registry.

    Attributes
    ----------
    tool:
        The name as given.
    suggestions:
        Similar tool names, if any.
    """

    def __init__(self, tool: str, suggestions: tuple[str, ...] = ()) -> None:
        self.tool = tool
        self.suggestions = suggestions
        hint = f"; did you mean {', '.join(map(repr, suggestions))}?" if suggestions else ""
        super().__init__(f"unknown tool {tool!r}{hint}")

    def __str__(self) -> str:  # LookupError would quote the message otherwise
        return str(self.args[0])


class ToolNotAllowedError(ToolError):
    """A known tool that the current context does not allow."""

    def __init__(self, tool: str, allowed: tuple[str, ...]) -> None:
        self.tool = tool
        self.allowed = allowed
        super().__init__(f"tool {tool!r} is not allowed here; allowed: {list(allowed)}")


class ToolValidationError(ToolError, ValueError):
    """Tool-call parameters that do not match the tool's input schema.

    Attributes
    ----------
    tool:
        The tool name.
    parameter:
        The first bad parameter as a path in the wire names (``"notes[3].pitch"``),
        or ``None`` when the parameters as a whole are wrong.
    problems:
        Every problem found, each ``"<parameter>: <reason>"``.
    """

    def __init__(self, tool: str, parameter: str | None, problems: tuple[str, ...]) -> None:
        self.tool = tool
        self.parameter = parameter
        self.problems = problems
        shown = "; ".join(problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(f"{tool}: invalid parameters: {shown}{more}")


# --------------------------------------------------------------- state store
class StateStoreError(MaestroLabError):
    """Base class of errors applying tool calls to the in-memory project."""


class EntityNotFoundError(StateStoreError, LookupError):
    """A tool call refers to a track, region or bus that does not exist.

    Attributes
    ----------
    parameter:
        The parameter holding the reference (``"trackId"``, ``"regionId"``...).
    value:
        The id as given.
    known:
        The ids that do exist (for the message).
    """

    def __init__(self, parameter: str, value: str, known: tuple[str, ...]) -> None:
        self.parameter = parameter
        self.value = value
        self.known = known
        shown = ", ".join(map(repr, known[:8])) + (" ..." if len(known) > 8 else "")
        super().__init__(f"{parameter}={value!r} does not exist; known: [{shown}]")

    def __str__(self) -> str:
        return str(self.args[0])


class ToolApplyError(StateStoreError, ValueError):
    """A valid tool call that cannot be applied to the current project state.

    Attributes
    ----------
    tool:
        The tool name.
    parameter:
        The parameter at fault, if one is.
    reason:
        Why, in plain words.
    """

    def __init__(self, tool: str, parameter: str | None, reason: str) -> None:
        self.tool = tool
        self.parameter = parameter
        self.reason = reason
        where = f" ({parameter})" if parameter else ""
        super().__init__(f"{tool}{where}: {reason}")


class TransactionError(StateStoreError):
    """A transaction was used out of order (commit after rollback, nested misuse...)."""


# ----------------------------------------------------------------- contracts
class ProtocolViolationError(MaestroLabError):
    """A composition contract fails verification (its hash or its parent's hash differs).

    Attributes
    ----------
    contract:
        The contract id.
    field:
        What failed (``"hash"``, ``"composition_hash"``, ``"instrument_hash"``...).
    expected, actual:
        The two values that should have matched.
    """

    def __init__(self, contract: str, field: str, expected: str, actual: str) -> None:
        self.contract = contract
        self.field = field
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"contract {contract!r}: {field} is {actual[:16]}..., expected {expected[:16]}...; "
            "the contract or its parent changed after it was issued"
        )


# ------------------------------------------------------------------- runtime
class CompositionRuntimeError(MaestroLabError):
    """Base class of errors raised while running a composition."""


class UnknownBackendError(CompositionRuntimeError, LookupError):
    """No generation backend is registered under this name.

    Attributes
    ----------
    name:
        The name as given.
    known:
        The registered names (built-in, registered at run time and from the
        ``maestro_lab.backends`` entry points).
    """

    def __init__(self, name: str, known: tuple[str, ...]) -> None:
        self.name = name
        self.known = known
        super().__init__(f"unknown backend {name!r}; known backends: {', '.join(known) or 'none'}")

    def __str__(self) -> str:  # LookupError would quote the message otherwise
        return str(self.args[0])


class BackendLoadError(CompositionRuntimeError):
    """A registered backend (or entry point) could not be created.

    Attributes
    ----------
    name:
        The backend name.
    reason:
        What went wrong.
    """

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"backend {name!r} cannot be created: {reason}")


class NothingToComposeError(CompositionRuntimeError, ValueError):
    """The prompt plans nothing to execute (``Mode: ask``, or an edit with no steps)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"nothing to compose: {reason}")


class AgentError(CompositionRuntimeError):
    """An instrument agent failed (its backend raised, a request was refused...).

    Attributes
    ----------
    role:
        The agent (role key) that failed.
    section:
        The section it was generating, if any.
    reason:
        The underlying error, in one line.
    """

    def __init__(self, role: str, section: str | None, reason: str) -> None:
        self.role = role
        self.section = section
        self.reason = reason
        where = f"{role}" + (f" / {section}" if section else "")
        super().__init__(f"instrument agent {where} failed: {reason}")


class ReproductionError(CompositionRuntimeError):
    """A commit cannot be reproduced (inputs missing, or a backend or scorer differs)."""


class ReproductionMismatchError(ReproductionError):
    """A reproduction ran but its result differs from the commit.

    Attributes
    ----------
    commit_id:
        The commit reproduced.
    differences:
        One line per difference, each naming the role and section (or the
        project-level field) that differs.
    """

    def __init__(self, commit_id: str, differences: tuple[str, ...]) -> None:
        self.commit_id = commit_id
        self.differences = differences
        shown = "; ".join(differences[:5])
        more = f" (and {len(differences) - 5} more)" if len(differences) > 5 else ""
        super().__init__(f"commit {commit_id[:12]} does not reproduce: {shown}{more}")


# ------------------------------------------------------------ lab and audio
class LabError(MaestroLabError):
    """A lab (notebook workbench) operation cannot be done."""


class UnknownCandidateError(LabError, LookupError):
    """No stored candidate has this id (in this run).

    Attributes
    ----------
    candidate_id:
        The id asked for.
    run_id:
        The run searched, if one was given.
    """

    def __init__(self, candidate_id: int, run_id: str | None = None) -> None:
        self.candidate_id = candidate_id
        self.run_id = run_id
        where = f" in run {run_id!r}" if run_id else ""
        super().__init__(f"no candidate with id {candidate_id}{where}")


class CandidatePlacementError(LabError):
    """A candidate cannot be placed in the project: no region of its role and section.

    Attributes
    ----------
    candidate_id:
        The candidate.
    reason:
        What is missing, naming the role, section and commit.
    """

    def __init__(self, candidate_id: int, reason: str) -> None:
        self.candidate_id = candidate_id
        self.reason = reason
        super().__init__(f"candidate {candidate_id} cannot be committed: {reason}")


class AudioError(MaestroLabError):
    """A score cannot be rendered to audio (engine or SoundFont unavailable, bad setting)."""
