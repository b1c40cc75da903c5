"""The known ``Constraints:`` keys: their aliases, validation and normal form.

Unknown keys pass through unchanged (the block is open-vocabulary), so a
typo is not an error; the planner lists unused keys in its notes.

==================  =====================================================
Key (aliases)       Value
==================  =====================================================
bars                whole number 1-256: total length (or the section's)
duration (seconds)  seconds 1-3600: length when ``bars`` is absent
sections (form...)  list of names, text ``intro, verse``, or ``{name: bars}``
form                ``short`` or ``long`` arrangement template
density             ``very sparse`` ... ``very dense`` (or ``low``/``high``), or 0-1
swing               0.5 (straight) - 0.75, or percent ``55%`` / ``55``
time_signature      ``3/4``, ``6/8`` ... (alias ``meter``)
candidates          whole number 1-64 of candidates per generation
gm_program          GM program 0-127 for the single pitched role (``program``)
programs            ``{role: program}`` mapping
progression         chord symbols ``[Cm7, Abmaj7]`` or ``"Cm7 - Abmaj7"``
no_effects          true/false: no inserts, buses or sends
no_reverb           true/false: no reverb sends
drum_density ...    any :class:`~storpheus.spec.GenerationConstraints` field
==================  =====================================================
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Final

from pydantic import JsonValue

from maestro_lab.prompts.base import PromptConstraints
from maestro_lab.prompts.fields import BULLET_RE, FieldError, clean_text, scalar_text

ALIASES: Final = {
    "length": "bars",
    "num_bars": "bars",
    "seconds": "duration",
    "duration_seconds": "duration",
    "length_seconds": "duration",
    "structure": "sections",
    "section_list": "sections",
    "arrangement": "sections",
    "meter": "time_signature",
    "time_sig": "time_signature",
    "timesig": "time_signature",
    "num_candidates": "candidates",
    "n_candidates": "candidates",
    "program": "gm_program",
    "gm": "gm_program",
    "chords": "progression",
    "chord_progression": "progression",
    "no_fx": "no_effects",
}
"""Alternative spellings of known keys (after lower snake_casing)."""

DENSITY_WORDS: Final = {
    "very sparse": 0.1,
    "sparse": 0.25,
    "low": 0.3,
    "medium sparse": 0.4,
    "medium": 0.5,
    "moderate": 0.5,
    "medium dense": 0.65,
    "dense": 0.8,
    "high": 0.8,
    "busy": 0.85,
    "very dense": 0.95,
}
"""Density words and the 0-1 value the planner reads them as."""

_CHORD_RE: Final = re.compile(r"^[A-G][#b]?[A-Za-z0-9#b+°ø()\-]*(?:/[A-G][#b]?)?$")
_TIME_SIG_RE: Final = re.compile(r"^(\d{1,2})\s*/\s*(\d{1,2})$")
_PERCENT_RE: Final = re.compile(r"^(\d+(?:\.\d+)?)\s*%$")


def canonical_key(key: str) -> str:
    """The canonical name of a constraint key (``num_candidates`` -> ``candidates``)."""
    return ALIASES.get(key, key)


def normalise_constraint(key: str, value: JsonValue) -> JsonValue:
    """Validate a known key's value and return its normal form; unknown keys pass through."""
    check = _CHECKS.get(key)
    return value if check is None else check(value)


def _int(low: int, high: int, what: str = "a whole number") -> Callable[[JsonValue], JsonValue]:
    def check(value: JsonValue) -> JsonValue:
        number = _number(value, what)
        if not number.is_integer() or not low <= number <= high:
            raise FieldError(f"{value!r} must be {what} {low}-{high}")
        return int(number)

    return check


def _unit_float(value: JsonValue) -> JsonValue:
    number = _number(value, "a number 0-1")
    if not 0.0 <= number <= 1.0:
        raise FieldError(f"{value!r} must be within 0-1")
    return number


def _number(value: JsonValue, what: str) -> float:
    if isinstance(value, bool) or value is None or isinstance(value, list | dict):
        raise FieldError(f"must be {what}, got {value!r}")
    try:
        number = float(value)
    except ValueError:
        raise FieldError(f"must be {what}, got {value!r}") from None
    if not math.isfinite(number):
        raise FieldError(f"must be {what}, got {value!r}")
    return number


def _bool(value: JsonValue) -> JsonValue:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0"):
        return False
    raise FieldError(f"{value!r} must be true or false")


def _duration(value: JsonValue) -> JsonValue:
    if isinstance(value, str):
        value = re.sub(r"\s*(?:s|sec|secs|seconds)$", "", value.strip().lower()) or value
    number = _number(value, "seconds")
    if not 1 <= number <= 3600:
        raise FieldError(f"{value!r} seconds must be within 1-3600")
    return number


def _sections(value: JsonValue) -> JsonValue:
    if isinstance(value, dict):
        out: dict[str, JsonValue] = {}
        for name, bars in value.items():
            out[_section_name(name)] = _int(1, 256, "a whole number of bars")(bars)
        if not out:
            raise FieldError("needs at least one section")
        return out
    items = value if isinstance(value, list) else re.split(r"\s*(?:,|->|→|\|)\s*", str(value))
    names = [_section_name(item) for item in items if str(item).strip()]
    if not names:
        raise FieldError("needs at least one section name")
    return list(names)


def _section_name(value: JsonValue) -> str:
    text = clean_text(scalar_text(value, "a section name")).lower()
    if not text or not re.match(r"^[\w][\w' -]*$", text):
        raise FieldError(f"{value!r} is not a section name")
    return text


def _form(value: JsonValue) -> JsonValue:
    text = clean_text(scalar_text(value, "short or long")).lower()
    if text not in ("short", "long"):
        raise FieldError(f"{text!r} must be 'short' or 'long'")
    return text


def _density(value: JsonValue) -> JsonValue:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _unit_float(value)
    text = clean_text(scalar_text(value, "a density")).lower().replace("-", " ")
    if text not in DENSITY_WORDS:
        raise FieldError(
            f"{text!r} is not a density; use a number 0-1 or one of: {', '.join(DENSITY_WORDS)}"
        )
    return text


def _swing(value: JsonValue) -> JsonValue:
    given = value
    if isinstance(value, str):
        match = _PERCENT_RE.match(value.strip())
        if match:
            value = float(match.group(1))
    number = _number(value, "a swing ratio 0.5-0.75 or a percentage 50-75")
    if 50 <= number <= 75:
        number /= 100.0
    if not 0.5 <= number <= 0.75:
        raise FieldError(f"{given!r} must be 0.5-0.75 (or 50%-75%)")
    return round(number, 4)


def _time_signature(value: JsonValue) -> JsonValue:
    match = _TIME_SIG_RE.match(scalar_text(value, "a meter such as 3/4").strip())
    if match is None:
        raise FieldError(f"{value!r} is not a time signature such as '3/4' or '6/8'")
    num, den = int(match.group(1)), int(match.group(2))
    if not 1 <= num <= 32 or den not in (1, 2, 4, 8, 16, 32):
        raise FieldError(f"{num}/{den} is not a valid time signature")
    return f"{num}/{den}"


def _programs(value: JsonValue) -> JsonValue:
    if not isinstance(value, dict):
        raise FieldError("must be a mapping of role to GM program, e.g. {bass: 33}")
    check = _int(0, 127, "a GM program")
    return {clean_text(str(role)).lower(): check(program) for role, program in value.items()}


def _progression(value: JsonValue) -> JsonValue:
    items = value if isinstance(value, list) else re.split(r"\s*(?:-|–|,|\||\s)\s*", str(value))
    chords = [str(c).strip() for c in items if str(c).strip()]
    if not chords:
        raise FieldError("needs at least one chord symbol")
    for chord in chords:
        if not _CHORD_RE.match(chord):
            raise FieldError(f"{chord!r} is not a chord symbol (e.g. Cm7, Abmaj7, F#dim, Bb/D)")
    return list(chords)


def _subdivision(value: JsonValue) -> JsonValue:
    number = _number(value, "a subdivision")
    if number not in (1, 2, 3, 4, 6, 8):
        raise FieldError(f"{value!r} must be one of 1, 2, 3, 4, 6, 8 steps per beat")
    return int(number)


def _harmonic_rhythm(value: JsonValue) -> JsonValue:
    number = _number(value, "chords per bar")
    if not 0 < number <= 8:
        raise FieldError(f"{value!r} chords per bar must be within (0, 8]")
    return number


_CHECKS: Final[dict[str, Callable[[JsonValue], JsonValue]]] = {
    "bars": _int(1, 256, "a whole number of bars"),
    "duration": _duration,
    "sections": _sections,
    "form": _form,
    "density": _density,
    "swing": _swing,
    "time_signature": _time_signature,
    "candidates": _int(1, 64, "a whole number of candidates"),
    "gm_program": _int(0, 127, "a GM program"),
    "programs": _programs,
    "progression": _progression,
    "no_effects": _bool,
    "no_reverb": _bool,
    "drum_density": _unit_float,
    "subdivision": _subdivision,
    "register_center": _int(0, 127, "a MIDI pitch"),
    "register_spread": _int(1, 64, "a number of semitones"),
    "rest_density": _unit_float,
    "leap_probability": _unit_float,
    "chord_extensions": _bool,
    "harmonic_rhythm": _harmonic_rhythm,
    "velocity_floor": _int(0, 127, "a MIDI velocity"),
    "velocity_ceiling": _int(0, 127, "a MIDI velocity"),
}

CONSTRAINT_KEYS: Final = tuple(_CHECKS)
"""The constraint keys the planner understands."""


# -------------------------------------------------------------- constraints
def parse_constraints(value: JsonValue) -> tuple[PromptConstraints, list[str]]:
    """The ``Constraints:`` block and the problems found in its known keys.

    Accepts a mapping, a list of one-entry mappings or ``"key: value"`` text
    items, or bare words (``no reverb`` -> ``{"no_reverb": True}``). Keys are
    lower snake_case. Known keys (:data:`CONSTRAINT_KEYS`) are validated and
    normalised (``swing: 55%`` -> ``0.55``); unknown keys are kept as given.
    """
    if value is None:
        return {}, []
    pairs: list[tuple[str, JsonValue]] = []
    if isinstance(value, dict):
        pairs = list(value.items())
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                pairs.extend(item.items())
            elif isinstance(item, str):
                text = BULLET_RE.sub("", item).strip()
                key, sep, val = text.partition(":")
                if sep:
                    pairs.append((key, _coerce(val.strip())))
                elif text:
                    pairs.append((text, True))
            else:
                return {}, [f"item {item!r} is not 'key: value' text or a mapping"]
    elif isinstance(value, str):
        for part in re.split(r"\s*[,;\n]\s*", value):
            key, sep, val = part.partition(":")
            if sep:
                pairs.append((key, _coerce(val.strip())))
            elif part.strip():
                pairs.append((part, True))
    else:
        return {}, [f"must be a mapping such as 'bars: 8', got {value!r}"]
    out: PromptConstraints = {}
    problems: list[str] = []
    for raw_key, raw_value in pairs:
        key = canonical_key("_".join(str(raw_key).strip().lower().replace("-", " ").split()))
        if not key:
            problems.append("a constraint has an empty name")
            continue
        if key in out:
            problems.append(f"{key} is given twice")
            continue
        try:
            out[key] = normalise_constraint(key, raw_value)
        except FieldError as exc:
            problems.append(f"{key}: {exc}")
    floor, ceiling = out.get("velocity_floor"), out.get("velocity_ceiling")
    if isinstance(floor, int) and isinstance(ceiling, int) and floor > ceiling:
        problems.append(f"velocity_floor {floor} is above velocity_ceiling {ceiling}")
    return out, problems


def _coerce(text: str) -> JsonValue:
    lowered = text.lower()
    if lowered in ("true", "yes", "on"):
        return True
    if lowered in ("false", "no", "off"):
        return False
    for kind in (int, float):
        try:
            number = kind(text)
        except ValueError:
            continue
        if isinstance(number, float) and not math.isfinite(number):
            return text
        return number
    return text
