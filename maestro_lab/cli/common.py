"""Helpers shared by the subcommands: JSON output and handler typing."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping, Sequence

Handler = Callable[[argparse.Namespace], int]
"""A subcommand's handler: takes the parsed arguments, returns the exit code."""

JSONScalar = str | int | float | bool | None
JSONValue = JSONScalar | Sequence["JSONValue"] | Mapping[str, "JSONValue"]


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    """Add the ``--json`` flag every command offers."""
    parser.add_argument(
        "--json", action="store_true", help="print machine-readable JSON instead of text"
    )


def print_json(payload: JSONValue) -> None:
    """Print ``payload`` as indented, key-sorted JSON on stdout."""
    json.dump(payload, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
