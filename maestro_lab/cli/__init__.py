"""The ``maestro-lab`` command line: a thin shell over the Python API.

Each subcommand lives in its own module under :mod:`maestro_lab.cli` and
exposes ``register(subparsers)``; :data:`COMMAND_MODULES` lists them in the
order ``--help`` shows them. Commands that later work adds are listed in
:data:`PLANNED` and answer "not yet" with exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from maestro_lab.cli.common import Handler
from storpheus import __version__

COMMAND_MODULES: tuple[str, ...] = (
    "demo",
    "plan",
    "schema",
    "protocol",
    "gallery",
    "compose",
    "reproduce",
    "rescore",
    "report",
    "runs",
    "sweep",
    "serve",
    "mcp",
)
"""Modules of :mod:`maestro_lab.cli` whose ``register`` adds a working subcommand."""

PLANNED: dict[str, str] = {
    "compose": "compose a prompt into a committed, reproducible composition",
    "plan": "print the execution plan derived from a MAESTRO PROMPT",
    "schema": "print the JSON Schemas of prompts and plans",
    "reproduce": "re-run a commit from its recorded inputs and verify it",
    "rescore": "re-score a run's candidates with another scorer",
    "runs": "list recorded runs",
    "sweep": "run a parameter sweep from an experiment spec",
    "gallery": "render one excerpt per style to MIDI and piano-roll PNG",
    "protocol": "print the event and tool JSON Schemas and the protocol hash",
}
"""Subcommands other work adds; each prints a "not yet" message until then."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="maestro-lab",
        description=(
            "Maestro Lab: write a MAESTRO PROMPT, inspect its plan, generate and score "
            "MIDI candidates, and keep the results in Muse (DuckDB)."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    registered: set[str] = set()
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"maestro_lab.cli.{name}")
        module.register(sub)
        registered.update(sub.choices)
    for name, summary in PLANNED.items():
        if name in registered:
            continue
        planned = sub.add_parser(name, help=f"{summary} (not yet available)", add_help=True)
        planned.set_defaults(handler=_not_yet(name), planned=True)
    return parser


def planned_commands() -> list[str]:
    """Names of the subcommands that still answer "not yet"."""
    parser = build_parser()
    choices: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            choices = action.choices
    return [name for name, sub in choices.items() if sub.get_default("planned")]


def _not_yet(name: str) -> Handler:
    def handler(_args: argparse.Namespace) -> int:
        print(
            f"maestro-lab {name}: not yet available in this version ({__version__}).",
            file=sys.stderr,
        )
        return 2

    return handler


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``maestro-lab`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    try:
        result: int = handler(args)
    except BrokenPipeError:  # e.g. `maestro-lab plan x --json | head`: the reader left
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return result


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
