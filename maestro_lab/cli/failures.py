"""Errors of the runtime commands (compose, reproduce, rescore, runs): message and exit code.

=====  ===============================================================
code   meaning
=====  ===============================================================
0      done
1      refused or different: a reproduction that does not match, a
       branch that moved meanwhile, a dirty working state
2      bad input: invalid prompt, unknown backend / scorer / run /
       commit, a file that is not a Muse database
3      the run failed while generating (a backend raised mid-run, a
       contract failed verification); nothing was committed
4      the database cannot be written now (read-only, or locked by
       another process); nothing was committed
=====  ===============================================================
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Final

from maestro_lab.cli.common import print_json
from maestro_lab.errors import (
    AgentError,
    InvalidMaestroPrompt,
    MaestroLabError,
    ProtocolViolationError,
    ReproductionMismatchError,
)
from muse_duckdb.errors import (
    DirtyWorkingTreeError,
    MuseError,
    ReadOnlyRepositoryError,
    RepositoryLockedError,
    StaleBaseError,
)
from storpheus.errors import GenerationError, StorpheusError

if TYPE_CHECKING:
    from maestro_lab.cli.common import JSONValue

EXIT_OK: Final = 0
EXIT_REFUSED: Final = 1
EXIT_BAD_INPUT: Final = 2
EXIT_RUN_FAILED: Final = 3
EXIT_DB_UNAVAILABLE: Final = 4

EXPECTED: Final = (MaestroLabError, MuseError, StorpheusError, ValueError, OSError)
"""Errors the runtime commands report as a message (anything else is a bug: traceback)."""


def exit_code(exc: BaseException) -> int:
    """The exit code of an error (see the module docstring)."""
    if isinstance(exc, ReproductionMismatchError | StaleBaseError | DirtyWorkingTreeError):
        return EXIT_REFUSED
    if isinstance(exc, RepositoryLockedError | ReadOnlyRepositoryError):
        return EXIT_DB_UNAVAILABLE
    if isinstance(exc, PermissionError):
        return EXIT_DB_UNAVAILABLE
    if isinstance(exc, AgentError | ProtocolViolationError | GenerationError):
        return EXIT_RUN_FAILED
    return EXIT_BAD_INPUT


def details(exc: BaseException) -> list[str]:
    """The detail lines of an error (prompt problems, differences...)."""
    if isinstance(exc, InvalidMaestroPrompt):
        return list(exc.details)
    if isinstance(exc, ReproductionMismatchError):
        return list(exc.differences)
    cause = exc.__cause__
    if isinstance(exc, AgentError) and cause is not None:
        return [f"caused by {type(cause).__name__}: {cause}"]
    return []


def report(command: str, exc: BaseException, as_json: bool) -> int:
    """Print ``exc`` (JSON on stdout, or text on stderr) and return its exit code."""
    code = exit_code(exc)
    lines = details(exc)
    if as_json:
        payload: dict[str, JSONValue] = {
            "type": type(exc).__name__,
            "message": str(exc),
            "details": list(lines),
            "exitCode": code,
        }
        for name in ("role", "section", "name", "path", "holder", "run_id"):
            value = getattr(exc, name, None)
            if isinstance(value, str | int):
                payload[name] = value
        print_json({"error": payload})
    else:
        message = str(exc)
        print(f"maestro-lab {command}: error: {message}", file=sys.stderr)
        for line in lines:
            if line not in message:
                print(f"  - {line}", file=sys.stderr)
        if code in (EXIT_RUN_FAILED, EXIT_DB_UNAVAILABLE):
            print("  nothing was committed; HEAD is unchanged", file=sys.stderr)
    return code


__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_DB_UNAVAILABLE",
    "EXIT_OK",
    "EXIT_REFUSED",
    "EXIT_RUN_FAILED",
    "EXPECTED",
    "details",
    "exit_code",
    "report",
]
