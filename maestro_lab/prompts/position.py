"""The ``Position:`` / ``After:`` mini-language: seven ways to place a section.

=================================  =========================================
Text                               Result
=================================  =========================================
``last`` / ``after last``           after everything in the project
``after bar 8`` / ``After: bar 8``  beat 32, where bar 8 ends (``after beat 16``: beat 16)
``after intro``                    when ``intro`` ends
``after intro + 2``                two beats after ``intro`` ends
``before chorus - 4``              a four-beat pickup into ``chorus``
``alongside verse``                same start as ``verse`` (a parallel layer)
``alongside verse + 1 bar``        one bar (4 beats) into ``verse``
``between verse chorus``           fills the gap between the two
``between pre-chorus and chorus``  ``and`` separates multi-word names
``within verse bar 3``             two bars (8 beats) into ``verse``
``within verse beat 6``            six beats into ``verse``
``at bar 9`` / ``bar 9``           beat 32 (bar 1 is beat 0, 4/4 assumed)
``at beat 32`` / ``beat 32``       beat 32
``at 32`` / ``32``                 beat 32
=================================  =========================================

Offsets are ``+ N`` or ``- N`` with an optional unit (``beats``, default, or
``bars``, converted at 4 beats per bar); an absolute position adds its offset
to its beat (``at bar 9 + 2`` is beat 34). Section names are lowercased;
``last`` and ``bar N`` / ``beat N`` are never section names, so ``After: last``
is ``Position: last``. A section the project does not have is a planning
error listing the known ones, unless the prompt creates it.

Example
-------
>>> parse_position("before chorus - 4")
PositionSpec(kind='before', ref='chorus', ref2=None, offset=-4.0, beat=None)
"""

from __future__ import annotations

import math
import re
from typing import Final

from maestro_lab.prompts.base import BEATS_PER_BAR_CONVENTION, PositionKind, PositionSpec

FORMS_HELP: Final = (
    "expected one of: last, after <section>, before <section>, alongside <section>, "
    "between <section> <section>, within <section> bar <n>, at bar <n>, at beat <n> "
    "(optionally followed by '+ <n>' or '- <n>' beats)"
)

_NUMBER: Final = r"\d+(?:\.\d+)?"
_OFFSET_RE: Final = re.compile(
    rf"\s+(?P<sign>[+-])\s*(?P<n>{_NUMBER})\s*(?P<unit>beats?|bars?)?\s*$", re.IGNORECASE
)
_ABSOLUTE_RE: Final = re.compile(
    rf"^(?:at\s+)?(?:(?P<unit>bar|beat)\s+)?(?P<n>{_NUMBER})$", re.IGNORECASE
)
_WITHIN_RE: Final = re.compile(
    rf"^(?P<ref>.+?)\s+(?P<unit>bar|beat)\s+(?P<n>{_NUMBER})$", re.IGNORECASE
)
_NAME_RE: Final = re.compile(r"^[\w][\w' .-]*$")
_RELATIVE: Final[tuple[PositionKind, ...]] = ("after", "before", "alongside")


class PositionError(ValueError):
    """A position text that does not follow the grammar (message says why)."""


def parse_position(text: str, *, after_alias: bool = False) -> PositionSpec:
    """Parse a ``Position:`` value; with ``after_alias`` parse an ``After:`` value.

    ``After: intro`` means ``Position: after intro``; an ``After:`` value may
    still carry an offset (``After: intro + 2``).

    Raises
    ------
    PositionError
        Naming what is wrong (unknown keyword, missing section, bar 0...).
    """
    try:
        return _parse(text, after_alias)
    except PositionError:
        raise
    except ValueError as exc:  # a PositionSpec invariant, e.g. a negative absolute beat
        raise PositionError(str(exc)) from None


def _parse(text: str, after_alias: bool) -> PositionSpec:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise PositionError("it is empty; " + FORMS_HELP)
    if after_alias:
        lowered = cleaned.lower()
        if not lowered.startswith("after ") and lowered != "after":
            cleaned = f"after {cleaned}"
    offset, body = _split_offset(cleaned)
    words = body.split(" ", 1)
    keyword = words[0].lower()
    rest = words[1] if len(words) > 1 else ""

    if keyword == "last":
        if rest:
            raise PositionError(f"'last' takes no section name (got {rest!r})")
        return PositionSpec(kind="last", offset=offset)
    if keyword == "after":
        alias = _after_alias(rest, offset)
        if alias is not None:
            return alias
    if keyword in _RELATIVE:
        kind: PositionKind = "after" if keyword == "after" else _relative(keyword)
        return PositionSpec(kind=kind, ref=_name(rest, keyword), offset=offset)
    if keyword == "between":
        first, second = _two_names(rest)
        return PositionSpec(kind="between", ref=first, ref2=second, offset=offset)
    if keyword == "within":
        return _within(rest, offset)
    match = _ABSOLUTE_RE.match(body)
    if match:
        return PositionSpec(kind="absolute", beat=_absolute_beat(match) + offset)
    raise PositionError(f"{cleaned!r} is not a position; {FORMS_HELP}")


def _after_alias(rest: str, offset: float) -> PositionSpec | None:
    """``after last`` is ``last``; ``after bar 8`` is where bar 8 ends; ``after beat 16`` beat 16.

    So ``After: last`` and ``After: bar 8`` mean what they say, not a section
    named "last" or "bar 8". ``None`` when ``rest`` is a section name.
    """
    if rest.lower() == "last":
        return PositionSpec(kind="last", offset=offset)
    match = _ABSOLUTE_RE.match(rest)
    if match is None or rest.lower().startswith("at "):
        return None
    beat = _absolute_beat(match)
    if (match.group("unit") or "beat").lower() == "bar":
        beat += BEATS_PER_BAR_CONVENTION  # after bar N: where bar N ends
    return PositionSpec(kind="absolute", beat=beat + offset)


def _relative(keyword: str) -> PositionKind:
    return "before" if keyword == "before" else "alongside"


def _split_offset(text: str) -> tuple[float, str]:
    match = _OFFSET_RE.search(text)
    if match is None:
        return 0.0, text
    amount = _finite(match.group("n"))
    unit = (match.group("unit") or "beats").lower()
    if unit.startswith("bar"):
        amount *= BEATS_PER_BAR_CONVENTION
    sign = -1.0 if match.group("sign") == "-" else 1.0
    return sign * amount, text[: match.start()].strip()


def _finite(number: str) -> float:
    value = float(number)
    if not math.isfinite(value) or value > 1e6:
        raise PositionError(f"{number} is too large for a position")
    return value


def _name(text: str, keyword: str) -> str:
    name = " ".join(text.split()).lower()
    if not name:
        raise PositionError(f"'{keyword}' needs a section name (e.g. '{keyword} verse')")
    if not _NAME_RE.match(name):
        raise PositionError(f"{name!r} is not a section name (letters, digits, spaces, '-', '_')")
    return name


def _two_names(text: str) -> tuple[str, str]:
    parts = re.split(r"\s+and\s+", text, maxsplit=1, flags=re.IGNORECASE)
    if len(parts) != 2:
        parts = text.split()
    if len(parts) != 2:
        raise PositionError(
            "'between' needs two section names (e.g. 'between verse chorus' or "
            "'between pre-chorus and chorus')"
        )
    first, second = _name(parts[0], "between"), _name(parts[1], "between")
    if first == second:
        raise PositionError(f"'between' needs two different sections, got {first!r} twice")
    return first, second


def _within(text: str, offset: float) -> PositionSpec:
    match = _WITHIN_RE.match(text)
    if match is None:
        return PositionSpec(kind="within", ref=_name(text, "within"), offset=offset)
    n = _finite(match.group("n"))
    if match.group("unit").lower() == "bar":
        if n < 1 or not n.is_integer():
            raise PositionError(f"bar numbers start at 1 and are whole (got bar {match['n']})")
        inner = (n - 1) * BEATS_PER_BAR_CONVENTION
    else:
        inner = n
    return PositionSpec(
        kind="within", ref=_name(match.group("ref"), "within"), offset=offset + inner
    )


def _absolute_beat(match: re.Match[str]) -> float:
    n = _finite(match.group("n"))
    if (match.group("unit") or "beat").lower() == "bar":
        if n < 1 or not n.is_integer():
            raise PositionError(f"bar numbers start at 1 and are whole (got bar {match['n']})")
        return (n - 1) * BEATS_PER_BAR_CONVENTION
    return n
