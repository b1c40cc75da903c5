"""The ``muse`` command line (version control for compositions)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from storpheus import __version__

COMMANDS: dict[str, str] = {
    "init": "create a Muse repository in a DuckDB file",
    "commit": "commit a MIDI file or folder as a new snapshot",
    "log": "show the commit history",
    "graph": "show the commit graph",
    "status": "compare a working state with HEAD",
    "diff": "show note-level changes between two refs",
    "branch": "list, create or delete branches",
    "checkout": "move HEAD to a ref and return its project state",
    "merge": "three-way, note-level merge of two refs",
    "tag": "list or create tags",
    "show": "show one commit",
    "blame": "show, for every note, the commit that introduced it",
    "history": "show every version of a region or section",
    "export": "export a ref as MIDI",
    "import": "import MIDI files as commits",
}


def build_parser() -> argparse.ArgumentParser:
    """The ``muse`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="muse", description="Muse: version control for music, stored in DuckDB."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--db", default="muse.duckdb", help="DuckDB file (default: %(default)s)")
    parser.add_argument("--project", default="default", help="project id (default: %(default)s)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, summary in COMMANDS.items():
        cmd = sub.add_parser(name, help=f"{summary} (not yet available)")
        cmd.add_argument("--json", action="store_true", help="print JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``muse`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    print(
        f"muse {args.command}: not yet available in this version ({__version__}).", file=sys.stderr
    )
    return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
