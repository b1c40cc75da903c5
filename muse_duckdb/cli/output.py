"""Output helpers of the ``muse`` CLI: JSON, aligned tables, progress bars, errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TextIO

from muse_duckdb.errors import (
    DirtyWorkingTreeError,
    MergeConflictError,
    MuseError,
    NothingToCommitError,
    StaleBaseError,
)
from muse_duckdb.model.commit import JSONValue
from storpheus.errors import StorpheusError

EXIT_OK = 0
EXIT_REFUSED = 1
"""Conflicts, a dirty working state, nothing to commit: the operation was refused."""
EXIT_ERROR = 2
"""Bad input or a broken file: unknown ref, not a repository, unreadable MIDI..."""


def emit_json(payload: JSONValue, out: TextIO | None = None) -> None:
    """Indented, key-sorted JSON on stdout."""
    stream = out or sys.stdout
    json.dump(payload, stream, indent=2, sort_keys=True, default=str)
    stream.write("\n")


def table(rows: Sequence[Sequence[object]], headers: Sequence[str]) -> str:
    """A plain aligned text table with a ``---`` rule under the headers."""
    text = [[str(h) for h in headers], *[[_cell(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in text) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in text]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return "" if value is None else str(value)


@contextmanager
def progress(total: int | None, desc: str, enabled: bool) -> Iterator[Callable[[int], None]]:
    """A tqdm bar on stderr (only on a terminal, never with ``--json``); yields ``advance(n)``."""
    if not enabled or not sys.stderr.isatty():
        yield lambda _n: None
        return
    from tqdm import tqdm

    with tqdm(total=total, desc=desc, unit="item", file=sys.stderr, leave=False) as bar:

        def advance(n: int) -> None:
            bar.update(n)

        yield advance


def error_payload(exc: BaseException) -> dict[str, JSONValue]:
    """The JSON form of an error: type, message and the attributes that locate it."""
    out: dict[str, JSONValue] = {"type": type(exc).__name__, "message": str(exc)}
    for name in ("ref", "path", "field", "value", "name", "holder", "pid", "reason", "head"):
        if hasattr(exc, name):
            value = getattr(exc, name)
            out[name] = value if isinstance(value, str | int | float | bool | None) else str(value)
    if isinstance(exc, MergeConflictError):
        conflicts: list[JSONValue] = [c.to_dict() for c in exc.conflicts]
        out["conflicts"] = conflicts
    if isinstance(exc, DirtyWorkingTreeError):
        out["changed"] = list(exc.changed)
    return out


def exit_code(exc: BaseException) -> int:
    """1 when the operation was refused (conflict, dirty, nothing to do), else 2."""
    refused = (MergeConflictError, DirtyWorkingTreeError, NothingToCommitError, StaleBaseError)
    return EXIT_REFUSED if isinstance(exc, refused) else EXIT_ERROR


def report_error(exc: MuseError | StorpheusError | ValueError, as_json: bool) -> int:
    """Print an error (JSON on stdout, or text on stderr) and return the exit code."""
    if as_json:
        emit_json({"error": error_payload(exc)})
    else:
        print(f"muse: error: {exc}", file=sys.stderr)
        if isinstance(exc, MergeConflictError):
            for c in exc.conflicts:
                print(f"  conflict: {c}", file=sys.stderr)
    return exit_code(exc)


def lines(items: Iterable[str]) -> None:
    """Print lines on stdout."""
    for item in items:
        print(item)
