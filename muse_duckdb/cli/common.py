"""Pieces shared by the ``muse`` subcommands: opening the repository, flags.

Imported on every ``muse`` start, so only the standard library is loaded
here; what a command needs (the repository, MIDI reading...) is imported by
its handler.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from muse_duckdb.cli.output import EXIT_CODES_HELP
from muse_duckdb.errors import NotARepositoryError

if TYPE_CHECKING:  # argparse has no public name for the subparsers action
    from muse_duckdb.convert import RegionLayout
    from muse_duckdb.model.commit import JSONValue
    from muse_duckdb.project import ProjectState
    from muse_duckdb.repository import Repository
    from muse_duckdb.repository.context import StateLike
    from muse_duckdb.storage.database import Database

    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]


def check_db_path(args: argparse.Namespace, *, create: bool = False) -> Path:
    """The ``--db`` path, checked: a local file that exists (unless ``create``)."""
    from muse_duckdb.storage.database import check_path

    path = Path(check_path(args.db))
    if not create and not path.exists():
        raise NotARepositoryError(path, "no such file; run `muse --db PATH init` first")
    return path


def open_repo(args: argparse.Namespace, *, create: bool = False) -> Repository:
    """The repository named by ``--db`` / ``--project`` (must exist unless ``create``)."""
    from muse_duckdb.repository import Repository

    path = check_db_path(args, create=create)
    return Repository.open(path, args.project, create=create, lock_timeout=args.lock_timeout)


def open_database(args: argparse.Namespace) -> Database:
    """The database named by ``--db`` without the repository layer (for fast reads)."""
    from muse_duckdb.storage.database import Database

    path = check_db_path(args)
    return Database(path, create=False, lock_timeout=args.lock_timeout)


def add_command(
    sub: SubParsers,
    name: str,
    summary: str,
    description: str | None = None,
    *,
    codes: str = EXIT_CODES_HELP,
) -> argparse.ArgumentParser:
    """A subcommand with ``--json``, a description and its exit codes in ``--help``."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=summary,
        description=description or summary,
        epilog=codes,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS,
        help="print machine-readable JSON instead of text",
    )
    return parser


def add_progress_flag(parser: argparse.ArgumentParser) -> None:
    """``--no-progress`` for commands with a progress bar."""
    parser.add_argument(
        "--no-progress", action="store_true", help="do not show a progress bar on stderr"
    )


def count(text: str) -> int:
    """An ``argparse`` type: a count, 0 or more (``-n -1`` is a usage error, exit 2)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative; give 0 or more")
    return value


def layout_arg(text: str | None) -> RegionLayout | None:
    """``--regions`` value to a layout (``None`` lines regions up with HEAD)."""
    if text is None:
        return None
    from muse_duckdb.convert import RegionLayout

    return RegionLayout.parse(text)


def is_midi_path(value: str) -> bool:
    """Whether a diff/status operand names a MIDI file or a folder rather than a ref."""
    p = Path(value)
    return p.suffix.lower() in (".mid", ".midi") or (p.is_dir() and p.exists())


def state_or_ref(repo: Repository, value: str, warnings: list[str]) -> str | StateLike:
    """A ref stays a ref; a MIDI path becomes a score lined up with HEAD."""
    if not is_midi_path(value):
        return value
    from muse_duckdb.cli.midi import load_score

    score, found = load_score(Path(value), lossy=True)  # compared, not committed
    warnings.extend(found)
    return score


def describe_state(state: ProjectState) -> dict[str, JSONValue]:
    """Counts of a state for messages."""
    return {
        "tracks": len(state.tracks),
        "regions": len(state.regions),
        "notes": state.n_notes,
        "bpm": state.bpm,
    }


def json_strings(items: list[str]) -> list[JSONValue]:
    """Strings as a JSON list value."""
    out: list[JSONValue] = list(items)
    return out
