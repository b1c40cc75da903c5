"""The ``muse`` command line: version control for compositions, stored in DuckDB.

``muse --db PATH [--project P] COMMAND ...``; every command takes ``--json``
for machine-readable output. Exit codes: 0 success, 1 refused (merge
conflict, dirty working state, nothing to commit), 2 error (bad input,
unknown ref, not a repository, unreadable MIDI). Long work (imports,
folders of stems, exports) shows a progress bar on a terminal.

The commands are thin shells over :class:`muse_duckdb.Repository`; see
:mod:`muse_duckdb.cli.reading` and :mod:`muse_duckdb.cli.writing`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from muse_duckdb.cli import reading, writing
from muse_duckdb.cli.output import EXIT_ERROR, report_error
from muse_duckdb.errors import MuseError
from storpheus import __version__
from storpheus.errors import StorpheusError

Handler = Callable[[argparse.Namespace], int]

EPILOG = """\
examples:
  muse --db song.duckdb init
  muse --db song.duckdb commit take1.mid -m "first take" --author ada
  muse --db song.duckdb commit stems/ -m "all stems" --regions bars:8
  muse --db song.duckdb log --oneline
  muse --db song.duckdb diff HEAD~1 HEAD
  muse --db song.duckdb checkout -b idea HEAD~2
  muse --db song.duckdb merge idea --strategy ours
  muse --db song.duckdb blame bass
  muse --db song.duckdb history chorus --json
  muse --db song.duckdb export HEAD -o song.mid

The database defaults to $MUSE_DB, else muse.duckdb; the project to $MUSE_PROJECT,
else "default". Exit codes: 0 ok, 1 refused (conflict, dirty, nothing to commit),
2 error.
"""


def build_parser() -> argparse.ArgumentParser:
    """The ``muse`` argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="muse",
        description="Muse: version control for music (note-level diff, merge and blame), "
        "stored in one DuckDB file.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--db",
        default=os.environ.get("MUSE_DB", "muse.duckdb"),
        metavar="PATH",
        help="DuckDB file holding the history (default: $MUSE_DB or %(default)s)",
    )
    parser.add_argument(
        "--project",
        default=os.environ.get("MUSE_PROJECT", "default"),
        metavar="P",
        help="project id inside the file (default: $MUSE_PROJECT or %(default)s)",
    )
    parser.add_argument(
        "--json", action="store_true", help="JSON output (also accepted after the command)"
    )
    parser.add_argument(
        "--lock-timeout",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="wait this long for another process's write lock (default: %(default)s)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    writing.register(sub)
    reading.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``muse`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    try:
        return handler(args)
    except (MuseError, StorpheusError) as exc:
        return report_error(exc, bool(getattr(args, "json", False)))
    except ValueError as exc:  # range errors from storpheus values built from user input
        return report_error(exc, bool(getattr(args, "json", False)))
    except KeyboardInterrupt:
        print("muse: interrupted; nothing half-written was kept", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
