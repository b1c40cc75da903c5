r"""Output helpers of the ``muse`` CLI: exit codes, JSON, tables, progress bars, errors.

Exit codes (every command lists the ones it can return in its ``--help``):

=====  ===============================================================
code   meaning
=====  ===============================================================
0      done
1      refused: a merge conflict, a dirty working state, nothing to
       commit, HEAD moved meanwhile, an unmerged branch to delete,
       ``check`` found problems
2      bad input: a usage error, an unknown ref, a file that is not a
       Muse database or not a readable MIDI file, a path that is not a
       regular local file
4      the database cannot be written now: read-only, or locked by
       another process (nothing was changed)
5      storage failure: the database file is damaged, the disk is full
       or an I/O error occurred (nothing half-written is kept)
141    standard output was closed early (``muse log | head``); quiet
=====  ===============================================================

Everything printed as text goes through :func:`sanitize`: control and
escape characters in commit messages, names or error messages are shown
as escapes such as ``\x1b``, so a stored text cannot drive the terminal.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Final, TextIO

from muse_duckdb.errors import (
    BranchNotMergedError,
    DirtyWorkingTreeError,
    MergeConflictError,
    NothingToCommitError,
    ReadOnlyRepositoryError,
    RepositoryLockedError,
    StaleBaseError,
    StorageError,
)

if TYPE_CHECKING:
    from muse_duckdb.model.commit import JSONValue

EXIT_OK: Final = 0
EXIT_REFUSED: Final = 1
"""Conflicts, a dirty working state, nothing to commit: the operation was refused."""
EXIT_ERROR: Final = 2
"""Bad input or a broken file: unknown ref, not a repository, unreadable MIDI..."""
EXIT_UNAVAILABLE: Final = 4
"""The database is locked by another process or read-only."""
EXIT_STORAGE: Final = 5
"""The database file is damaged, the disk is full, or I/O failed."""
EXIT_PIPE: Final = 141
"""Standard output was closed before everything was written (128 + SIGPIPE, as git)."""

EXIT_CODES_HELP: Final = (
    "exit codes:\n"
    "  0    done\n"
    "  1    refused (merge conflict, dirty working state, nothing to commit, HEAD moved,\n"
    "       unmerged branch without -D, check found problems)\n"
    "  2    bad input (usage, unknown ref, not a Muse database, unreadable or non-regular file)\n"
    "  4    database locked by another process or read-only (nothing changed)\n"
    "  5    storage failure: damaged file, disk full, I/O error (nothing half-written kept)\n"
    "  141  output closed early (e.g. piped into head)\n"
)

_CONTROL: Final = {
    c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0)) if c not in (9, 10, 13)
}


def sanitize(text: str) -> str:
    r"""``text`` with control characters (ESC, CSI, BEL...) shown as ``\xNN`` escapes.

    Newlines, tabs and carriage returns are kept.

    >>> print(sanitize("ok\x1b[31mred\x07"))
    ok\x1b[31mred\x07
    """
    return text.translate(_CONTROL)


class SanitizingStream(io.TextIOBase):
    """A text stream that writes :func:`sanitize` of everything to another stream."""

    def __init__(self, inner: TextIO) -> None:
        self.inner = inner

    def write(self, s: str) -> int:
        """Write ``s`` with control characters escaped."""
        self.inner.write(sanitize(s))
        return len(s)

    def flush(self) -> None:
        """Flush the inner stream."""
        self.inner.flush()

    def isatty(self) -> bool:
        """Whether the inner stream is a terminal."""
        return self.inner.isatty()

    def fileno(self) -> int:
        """The inner stream's file descriptor."""
        return self.inner.fileno()


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
    """The exit code of an error (see the module docstring)."""
    refused = (
        MergeConflictError,
        DirtyWorkingTreeError,
        NothingToCommitError,
        StaleBaseError,
        BranchNotMergedError,
    )
    if isinstance(exc, refused):
        return EXIT_REFUSED
    if isinstance(exc, RepositoryLockedError | ReadOnlyRepositoryError):
        return EXIT_UNAVAILABLE
    if isinstance(exc, StorageError):
        return EXIT_STORAGE
    return EXIT_ERROR


def report_error(exc: BaseException, as_json: bool) -> int:
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
