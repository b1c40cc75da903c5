"""Parsers for the routing fields of a MAESTRO PROMPT body, one function per field.

Each parser takes the YAML value (already JSON) and returns the typed value,
or raises :class:`FieldError` with a message that the prompt parser prefixes
with the field name. The parser calls every one of them and reports every
failure at once.
"""

from __future__ import annotations

import itertools
import math
import re
from typing import Final

from pydantic import JsonValue

from maestro_lab.errors import InvalidKeyError
from maestro_lab.prompts.base import MODES, Mode, TargetSpec, VibeWeight, as_mode
from maestro_lab.prompts.keys import normalise_key
from maestro_lab.prompts.position import PositionError, parse_position

ENERGY_LEVELS: Final = ("very low", "low", "medium", "high", "very high")
_ENERGY_ALIASES: Final = {
    "very low": "very low",
    "very-low": "very low",
    "minimal": "very low",
    "min": "very low",
    "lowest": "very low",
    "low": "low",
    "medium": "medium",
    "mid": "medium",
    "med": "medium",
    "moderate": "medium",
    "normal": "medium",
    "high": "high",
    "very high": "very high",
    "very-high": "very high",
    "max": "very high",
    "maximum": "very high",
    "extreme": "very high",
    "highest": "very high",
}

MIN_TEMPO: Final = 20
MAX_TEMPO: Final = 300
MAX_NAME: Final = 80
MAX_VIBE_WEIGHT: Final = 100

_TEMPO_RE: Final = re.compile(
    r"^(?P<n>\d+(?:\.\d+)?)\s*(?:bpm|beats per minute|beats/min)?$", re.IGNORECASE
)
BULLET_RE: Final = re.compile(r"^\s*[-*•]\s+")
_ROLE_SPLIT_RE: Final = re.compile(r"\s*(?:,|;|&|\+|\band\b)\s*", re.IGNORECASE)
_WORD_RE: Final = re.compile(r"^[\w][\w' .&/()#-]*$")
_VIBE_X_RE: Final = re.compile(r"^(?P<vibe>.+?)\s*[x×*]\s*(?P<w>-?\d+)$", re.IGNORECASE)
_VIBE_COLON_RE: Final = re.compile(r"^(?P<vibe>.+?)\s*:\s*(?P<w>-?\S+)$")


class FieldError(ValueError):
    """One invalid field value; the message says what is wrong and what is expected."""


# ------------------------------------------------------------------ helpers
def clean_text(value: str) -> str:
    """Strip and collapse internal whitespace."""
    return " ".join(value.split())


def scalar_text(value: JsonValue, what: str) -> str:
    """A YAML scalar as text; lists and mappings are refused."""
    if isinstance(value, list | dict):
        kind = "a list" if isinstance(value, list) else "a mapping"
        raise FieldError(f"must be {what}, got {kind}")
    if value is None:
        raise FieldError(f"must be {what}, got nothing")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _name(value: JsonValue, what: str) -> str:
    text = clean_text(scalar_text(value, what)).lower()
    if not text:
        raise FieldError(f"must be {what}, got an empty value")
    if len(text) > MAX_NAME:
        raise FieldError(f"is too long ({len(text)} characters, at most {MAX_NAME})")
    return text


# ------------------------------------------------------------------- fields
def parse_mode(value: JsonValue) -> Mode:
    """``compose``, ``edit`` or ``ask`` (any case)."""
    text = clean_text(scalar_text(value, "one of compose, edit, ask")).lower()
    if text not in MODES:
        raise FieldError(f"{text!r} is not a mode; expected one of {', '.join(MODES)}")
    return as_mode(text)


def parse_section(value: JsonValue) -> str:
    """A section name, lowercased (``"Pre-Chorus Fill"`` -> ``"pre-chorus fill"``)."""
    name = _name(value, "a section name such as 'verse'")
    if not _WORD_RE.match(name):
        raise FieldError(f"{name!r} is not a section name (letters, digits, spaces, '-', '_')")
    return name


def parse_style(value: JsonValue) -> str:
    """A style/genre, lowercased and whitespace-collapsed (``"Lofi  Hip Hop"``)."""
    _refuse_non_text(value, "a style such as 'lofi hip hop'")
    return _name(value, "a style such as 'lofi hip hop'")


NUMBER_INSTRUMENTS: Final = frozenset({303, 606, 707, 808, 909})
"""Drum machines and basses people name by number (``Role: [808]``); other numbers are not
roles. The planner decides what each one plays."""


def _instrument_number(value: JsonValue) -> bool:
    """True for a whole number that names an instrument (``808``, ``909``)."""
    return isinstance(value, int) and not isinstance(value, bool) and value in NUMBER_INSTRUMENTS


def _refuse_non_text(value: JsonValue, what: str) -> None:
    """A number or true/false where a name is expected is a typing mistake, not a name."""
    if isinstance(value, bool):
        raise FieldError(f"must be {what}, got the boolean {str(value).lower()}")
    if isinstance(value, int | float):
        raise FieldError(f"must be {what}, got the number {value!r}")


def parse_key_field(value: JsonValue) -> str:
    """A key in canonical form (``F#m`` -> ``F# minor``)."""
    text = scalar_text(value, "a key such as 'F#m', 'Eb' or 'A dorian'")
    try:
        return normalise_key(text)
    except InvalidKeyError as exc:
        raise FieldError(f"{text!r} is not a key: {exc.reason}") from None


def parse_tempo(value: JsonValue) -> int:
    """Whole BPM within 20-300, from ``92``, ``92.0`` or ``"92 bpm"``."""
    if isinstance(value, bool) or value is None or isinstance(value, list | dict):
        raise FieldError(f"must be a whole number of BPM (e.g. 92 or '92 bpm'), got {value!r}")
    if isinstance(value, int | float):
        number = float(value)
        shown = str(value)
    else:
        shown = clean_text(str(value))
        match = _TEMPO_RE.match(shown)
        if match is None:
            raise FieldError(f"{shown!r} is not a tempo; expected e.g. 92 or '92 bpm'")
        number = float(match.group("n"))
    if not math.isfinite(number) or not number.is_integer():
        raise FieldError(f"{shown} is not a whole number of BPM")
    if not MIN_TEMPO <= number <= MAX_TEMPO:
        raise FieldError(f"{shown} BPM is outside {MIN_TEMPO}-{MAX_TEMPO}")
    return int(number)


def parse_energy(value: JsonValue) -> str:
    """One of very low, low, medium, high, very high (aliases such as ``mid`` accepted)."""
    text = clean_text(scalar_text(value, "an energy level")).lower().replace("_", " ")
    level = _ENERGY_ALIASES.get(text)
    if level is None:
        raise FieldError(
            f"{text!r} is not an energy level; expected one of {', '.join(ENERGY_LEVELS)}"
        )
    return level


def parse_roles(value: JsonValue) -> tuple[str, ...]:
    """Roles from a YAML list or comma-separated text, lowercased, duplicates dropped."""
    if value is None:
        return ()
    if isinstance(value, dict):
        raise FieldError("must be a list (e.g. [drums, bass]) or text 'drums, bass'")
    items: list[JsonValue] = list(value) if isinstance(value, list) else [value]
    roles: list[str] = []
    for i, item in enumerate(items):
        where = f"item {i + 1}: " if isinstance(value, list) else ""
        try:
            if not _instrument_number(item):  # 808 is an instrument; 5 is a typing mistake
                _refuse_non_text(item, "a role name such as drums, or a list such as [drums, bass]")
        except FieldError as exc:
            raise FieldError(f"{where}{exc}") from None
        if isinstance(item, list | dict) or item is None or isinstance(item, bool):
            raise FieldError(f"item {i + 1} ({item!r}) is not a role name")
        text = BULLET_RE.sub("", str(item))
        pieces = _ROLE_SPLIT_RE.split(text) if not isinstance(value, list) else [text]
        for piece in pieces:
            role = clean_text(piece).lower()
            if not role:
                continue
            if len(role) > MAX_NAME or not _WORD_RE.match(role):
                raise FieldError(f"{role!r} is not a role name")
            if role not in roles:
                roles.append(role)
    return tuple(roles)


def parse_target(value: JsonValue) -> TargetSpec:
    """``project``, ``selection``, ``track:<name>`` or ``region:<name>`` (or ``{track: Bass}``)."""
    expected = "project, selection, track:<name> or region:<name>"
    if isinstance(value, dict):
        if len(value) != 1:
            raise FieldError(f"a mapping target needs exactly one entry; expected {expected}")
        kind, name = next(iter(value.items()))
        text = f"{kind}:{scalar_text(name, 'a name')}"
    else:
        text = scalar_text(value, expected)
    text = clean_text(text)
    kind, sep, name = text.partition(":")
    kind = kind.strip().lower()
    name = name.strip()
    if kind in ("project", "selection") and not sep:
        return TargetSpec(kind="project" if kind == "project" else "selection")
    if kind in ("track", "region"):
        if not name:
            raise FieldError(f"'{kind}:' needs a name (e.g. '{kind}:Bass')")
        if len(name) > MAX_NAME:
            raise FieldError(f"the {kind} name is too long (at most {MAX_NAME} characters)")
        return TargetSpec(kind="track" if kind == "track" else "region", name=name)
    raise FieldError(f"{text!r} is not a target; expected {expected}")


def parse_position_field(value: JsonValue, *, after_alias: bool = False) -> object:
    """A :class:`~maestro_lab.prompts.base.PositionSpec` from a ``Position:``/``After:`` value."""
    if isinstance(value, bool) or value is None or isinstance(value, list | dict):
        raise FieldError(f"must be text such as 'after intro', got {value!r}")
    if isinstance(value, int | float):
        if not math.isfinite(value) or value < 0:
            raise FieldError(f"{value!r} is not a beat (must be >= 0)")
        value = f"beat {value}" if not after_alias else str(value)
    try:
        return parse_position(str(value), after_alias=after_alias)
    except PositionError as exc:
        raise FieldError(str(exc)) from None


def parse_request(value: JsonValue) -> str:
    """The natural-language request, stripped (block scalars keep their lines)."""
    text = scalar_text(value, "text")
    return text.strip()


def parse_vibes(value: JsonValue) -> tuple[VibeWeight, ...]:
    """Vibes from a list, comma-separated text or a mapping; weights ``x3``, ``:3``, ``{v: 3}``."""
    if value is None:
        return ()
    items: list[JsonValue]
    if isinstance(value, dict):
        items = [{k: v} for k, v in value.items()]
    elif isinstance(value, list):
        items = list(value)
    else:
        items = list(re.split(r"\s*[,;]\s*", scalar_text(value, "text")))
    vibes: list[VibeWeight] = []
    for item in items:
        if isinstance(item, dict):
            for name, weight in item.items():
                vibes.append(_vibe(name, _weight(weight, name)))
            continue
        if item is None or isinstance(item, bool | list):
            raise FieldError(f"{item!r} is not a vibe (expected e.g. 'dusty', 'dusty x3')")
        text = clean_text(BULLET_RE.sub("", str(item)))
        if not text:
            continue
        match = _VIBE_X_RE.match(text) or _VIBE_COLON_RE.match(text)
        if match:
            vibes.append(_vibe(match.group("vibe"), _weight(match.group("w"), match["vibe"])))
        else:
            vibes.append(_vibe(text, 1))
    return tuple(vibes)


def _vibe(name: str, weight: int) -> VibeWeight:
    word = clean_text(str(name)).lower()
    if not word or len(word) > MAX_NAME or not _WORD_RE.match(word) or word.isdigit():
        raise FieldError(f"{name!r} is not a vibe keyword")
    return VibeWeight(word, weight)


def _weight(value: JsonValue, name: object) -> int:
    if isinstance(value, bool):
        raise FieldError(f"vibe {name!r}: weight {value!r} must be a whole number 1-100")
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        value = int(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or not 1 <= value <= MAX_VIBE_WEIGHT:
        raise FieldError(f"vibe {name!r}: weight {value!r} must be a whole number 1-100")
    return value


# ------------------------------------------------------------ edit fields
_BAR_RANGE_RE: Final = re.compile(r"^(?P<a>\d+)\s*-\s*(?P<b>\d+)$")
_LAYER_WORDS: Final = {
    "layer": True,
    "yes": True,
    "true": True,
    "on": True,
    "replace": False,
    "no": False,
    "false": False,
    "off": False,
}


def parse_sections(value: JsonValue) -> tuple[tuple[str, int, int], ...]:
    """The ``Sections:`` field: the existing arrangement as ``(name, first bar, bars)``.

    A mapping ``{intro: 4, verse: 8}`` lays sections end to end from bar 0;
    a value ``"5-12"`` gives a section's bar range (1-based, inclusive), so
    ``{intro: 1-4, hook: 9-16}`` may leave gaps. Bars are 0-based in the
    result. Names are lowercased.

    >>> parse_sections({"Intro": 4, "verse": "5-12"})
    (('intro', 0, 4), ('verse', 4, 8))
    """
    if not isinstance(value, dict) or not value:
        raise FieldError("must be a mapping of section names to bars, e.g. {intro: 4, verse: 8}")
    out: list[tuple[str, int, int]] = []
    cursor = 0
    for raw_name, spec in value.items():
        name = clean_text(str(raw_name)).lower()
        if not name or len(name) > MAX_NAME:
            raise FieldError(f"section name {raw_name!r} must be 1-{MAX_NAME} characters")
        if isinstance(spec, int) and not isinstance(spec, bool):
            if spec < 1:
                raise FieldError(f"{name}: {spec} bars; a section needs at least 1 bar")
            first, bars = cursor, spec
        else:
            match = _BAR_RANGE_RE.match(scalar_text(spec, "bars or a bar range").strip())
            if match is None:
                raise FieldError(f"{name}: {spec!r} is neither a bar count nor a range like 5-12")
            a, b = int(match.group("a")), int(match.group("b"))
            if a < 1 or b < a:
                raise FieldError(
                    f"{name}: bar range {a}-{b} must start at bar 1 or later and end at or "
                    "after its start"
                )
            first, bars = a - 1, b - a + 1
        if any(n == name for n, _, _ in out):
            raise FieldError(f"section {name!r} is given twice")
        out.append((name, first, bars))
        cursor = first + bars
    spans = sorted(out, key=lambda s: s[1])
    for (n1, f1, b1), (n2, f2, _) in itertools.pairwise(spans):
        if f1 + b1 > f2:
            raise FieldError(f"sections {n1!r} and {n2!r} overlap")
    return tuple(out)


def parse_layer(value: JsonValue) -> bool:
    """The ``Layer:`` field: ``yes`` adds new regions over existing ones, ``no`` replaces."""
    text = scalar_text(value, "yes or no").strip().lower()
    if text not in _LAYER_WORDS:
        raise FieldError(f"{value!r} must be yes (layer over what is there) or no (replace it)")
    return _LAYER_WORDS[text]


EDIT_FIELDS: Final = ("sections", "layer")
"""Fields kept in ``extensions`` whose values the parser checks: the existing arrangement and
whether new material layers over existing regions or replaces them."""


def edit_field(extensions: dict[str, JsonValue], name: str) -> JsonValue:
    """The value of an ``extensions`` field by case-insensitive name (``None`` if absent)."""
    for key, value in extensions.items():
        if " ".join(key.split()).lower() == name:
            return value
    return None


def edit_field_problems(extensions: dict[str, JsonValue]) -> list[str]:
    """Every problem of the ``Sections`` and ``Layer`` fields, each prefixed with its field."""
    problems = []
    for name, parse in (("sections", parse_sections), ("layer", parse_layer)):
        value = edit_field(extensions, name)
        if value is None:
            continue
        try:
            parse(value)
        except FieldError as exc:
            problems.append(f"{name.capitalize()}: {exc}")
    return problems


def edit_fields(
    extensions: dict[str, JsonValue],
) -> tuple[tuple[tuple[str, int, int], ...] | None, bool | None]:
    """``(Sections, Layer)`` of a prompt's extensions, parsed (``None`` when absent).

    Raises :class:`FieldError` prefixed with the field name.
    """
    raw_sections, raw_layer = edit_field(extensions, "sections"), edit_field(extensions, "layer")
    try:
        sections = None if raw_sections is None else parse_sections(raw_sections)
    except FieldError as exc:
        raise FieldError(f"Sections: {exc}") from None
    try:
        layer = None if raw_layer is None else parse_layer(raw_layer)
    except FieldError as exc:
        raise FieldError(f"Layer: {exc}") from None
    return sections, layer
