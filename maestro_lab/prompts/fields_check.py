"""Which top-level keys a MAESTRO PROMPT may use: a misspelt field is an error, not an extension.

A prompt body has three kinds of top-level keys (all case-insensitive):

- routing fields (``Mode``, ``Style``, ``Key``...; see
  :data:`~maestro_lab.prompts.parser.ROUTING_FIELDS`) and their aliases;
- the declared dimensions :data:`DIMENSIONS` (``Harmony``, ``Melody``,
  ``Rhythm``, ``Effects``, ``Sections``, ``Layer``...), kept verbatim in
  ``MaestroPrompt.extensions`` for the planner and the agents;
- extensions of your own in the ``X-`` namespace (``X-Mood-Board: ...``),
  kept verbatim in ``extensions`` and never checked.

Anything else (``Stlye: house``) is an error that lists the known fields and
the closest match, so a typo cannot silently drop what it meant to say.

Example
-------
>>> routing = ("mode", "style", "key")
>>> "did you mean 'Style'?" in unknown_field_problem("Stlye", routing)
True
>>> unknown_field_problem("X-Mood-Board", routing), unknown_field_problem("harmony", routing)
(None, None)
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Final

EXTENSION_PREFIX: Final = "x-"
"""Keys starting with this (any case: ``X-My-Field``) are free-form extensions."""

DIMENSIONS: Final = (
    "harmony",
    "melody",
    "rhythm",
    "dynamics",
    "effects",
    "expression",
    "orchestration",
    "arrangement",
    "form",
    "texture",
    "groove",
    "articulation",
    "instrumentation",
    "mix",
    "sound",
    "structure",
    "sections",
    "layer",
)
"""Declared dimension blocks: kept verbatim in ``extensions`` (``Sections`` and ``Layer`` are
checked by the parser; ``Harmony``, ``Effects`` are read by the planner)."""


def is_extension(name: str) -> bool:
    """True for a key in the ``X-`` namespace (``X-Mood-Board``)."""
    return _norm(name).startswith(EXTENSION_PREFIX) and len(_norm(name)) > len(EXTENSION_PREFIX)


def known_fields(routing: Iterable[str]) -> tuple[str, ...]:
    """Every top-level key a prompt may use (capitalised): ``routing`` names, then dimensions."""
    names = (*routing, *DIMENSIONS)
    return tuple(_label(n) for n in dict.fromkeys(names))


def unknown_field_problem(name: str, routing: Iterable[str]) -> str | None:
    """The problem of a top-level key that is not a routing field, dimension or ``X-`` key.

    ``routing`` are the routing field names and aliases (lowercase) the parser reads.

    ``None`` when the key is allowed; otherwise a message naming the closest
    known field (:func:`difflib.get_close_matches`), listing the known fields
    and saying how to write an extension.
    """
    lowered = _norm(name)
    if is_extension(name) or lowered in DIMENSIONS:
        return None
    known = known_fields(routing)
    if lowered in {k.lower() for k in known}:
        return None
    close = difflib.get_close_matches(lowered, [k.lower() for k in known], n=1, cutoff=0.6)
    hint = f"did you mean {_label(close[0])!r}? " if close else ""
    return (
        f"unknown field; {hint}known fields: {', '.join(known)}; "
        f"write your own fields as extensions named X-<name> (e.g. 'X-{_label(lowered)}')"
    )


def _norm(name: str) -> str:
    return " ".join(str(name).split()).lower()


def _label(name: str) -> str:
    return "BPM" if name == "bpm" else name[:1].upper() + name[1:]


__all__ = [
    "DIMENSIONS",
    "EXTENSION_PREFIX",
    "is_extension",
    "known_fields",
    "unknown_field_problem",
]
