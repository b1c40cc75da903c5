"""Helpers shared by the subcommands: JSON output and handler typing."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the one JSON alias, re-exported; storpheus.jsontypes imports pydantic
    from storpheus.jsontypes import JSONValue as JSONValue

Handler = Callable[[argparse.Namespace], int]
"""A subcommand's handler: takes the parsed arguments, returns the exit code."""


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    """Add the ``--json`` flag every command offers."""
    parser.add_argument(
        "--json", action="store_true", help="print machine-readable JSON instead of text"
    )


def print_json(payload: JSONValue) -> None:
    """Print ``payload`` as indented, key-sorted JSON on stdout."""
    json.dump(payload, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


PROMPT_SUFFIXES = (".txt", ".md", ".yaml", ".yml", ".prompt", ".maestro")
"""File suffixes that mark an argument as a prompt file rather than prompt text."""


class PromptReadError(ValueError):
    """A prompt argument names no readable text (missing file, binary or not UTF-8)."""


def read_prompt(value: str) -> str:
    """The prompt text of a command-line argument: stdin for ``-``, a file's text, or ``value``.

    Raises :class:`PromptReadError` for something that looks like a file name
    (no spaces, a path separator or a prompt suffix) but does not exist, and
    for text that is binary or not UTF-8, naming the offending byte.
    """
    if value == "-":
        raw = getattr(sys.stdin, "buffer", None)  # a text stream without bytes (tests, IDEs)
        return sys.stdin.read() if raw is None else _decode(raw.read(), "standard input")
    path = Path(value)
    if "\n" not in value and len(value) < 4096 and path.is_file():
        return _decode(path.read_bytes(), repr(value))
    looks_like_path = " " not in value.strip() and (
        "/" in value or path.suffix.lower() in PROMPT_SUFFIXES
    )
    if looks_like_path:
        raise PromptReadError(f"no prompt file {value!r}")
    return value


def _decode(data: bytes, where: str) -> str:
    nul = data.find(b"\x00")
    if nul >= 0:
        raise PromptReadError(f"{where} is binary (a NUL byte at offset {nul}), not prompt text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PromptReadError(
            f"{where} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save the prompt as UTF-8"
        ) from None


def preload_scorer(spec: str | None) -> None:
    """Import the user's ``--scorer MODULE:NAME`` from the current folder, checking its shape.

    A console script does not search the current folder for modules (``python
    -m`` would), so the command loads the scorer here first; later loads of
    the same spec find the module already imported. A spec that does not name
    a scorer raises :class:`~storpheus.errors.ScoringError` (exit code 2).
    """
    if spec is None:
        return
    from storpheus.scoring import load_scorer

    load_scorer(spec, search=(Path.cwd(),))


def __getattr__(name: str) -> object:
    """``JSONValue`` on first use: building the parser must not import pydantic."""
    if name == "JSONValue":
        from storpheus.jsontypes import JSONValue

        return JSONValue
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
