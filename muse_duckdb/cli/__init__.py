"""The ``muse`` command line: version control for compositions, stored in DuckDB.

``muse --db PATH [--project P] COMMAND ...``; every command takes ``--json``
for machine-readable output and lists its exit codes in its ``--help``
(see :mod:`muse_duckdb.cli.output`). Long work (imports, folders of stems,
exports) shows a progress bar on a terminal.

The commands are thin shells over :class:`muse_duckdb.Repository`; see
:mod:`muse_duckdb.cli.reading` and :mod:`muse_duckdb.cli.writing`. Starting
``muse`` imports only the standard library and the command modules; each
command imports what it needs when it runs (``muse --help`` loads no
DuckDB, ``muse log`` no numpy).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from muse_duckdb.cli import reading, writing
from muse_duckdb.cli.output import (
    EXIT_CODES_HELP,
    EXIT_ERROR,
    EXIT_PIPE,
    SanitizingStream,
    report_error,
)
from muse_duckdb.errors import MuseError

Handler = Callable[[argparse.Namespace], int]

EPILOG = (
    """\
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

The database defaults to $MUSE_DB, else maestro.duckdb (the file maestro-lab
composes into); the project to $MUSE_PROJECT, else "default".

"""
    + EXIT_CODES_HELP
)

DEFAULT_DB = "maestro.duckdb"
"""The database file when neither ``--db`` nor ``$MUSE_DB`` names one (as maestro-lab)."""


class _Version(argparse.Action):
    """``--version``: reads the installed version only when asked."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        from storpheus import __version__

        parser.exit(message=f"muse {__version__}\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``muse`` argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="muse",
        description="Muse: version control for music (note-level diff, merge and blame), "
        "stored in one DuckDB file.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    parser.add_argument(
        "--db",
        default=os.environ.get("MUSE_DB", DEFAULT_DB),
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


def _expected(exc: BaseException) -> bool:
    """Errors reported as a message: Muse's, storpheus's, and bad values from user input."""
    if isinstance(exc, MuseError | ValueError):
        return True
    storpheus_errors = sys.modules.get("storpheus.errors")
    base = getattr(storpheus_errors, "StorpheusError", None)
    return isinstance(base, type) and isinstance(exc, base)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``muse`` console script."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SanitizingStream(out), SanitizingStream(err)
    try:
        return _run(argv)
    except BrokenPipeError:
        # The reader went away (``muse log | head``): stop quietly, as git does.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, out.fileno())
        os.close(devnull)
        return EXIT_PIPE
    finally:
        sys.stdout, sys.stderr = out, err


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    try:
        code = handler(args)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        raise
    except Exception as exc:
        if not _expected(exc):
            raise
        return report_error(exc, bool(getattr(args, "json", False)))
    except KeyboardInterrupt:
        print("muse: interrupted; nothing half-written was kept", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
