"""JSON Schemas of the prompt DSL, and the typed JSON shape of a parsed prompt.

Two schemas (both draft 2020-12):

- :func:`prompt_body_schema`: what a person writes after the ``MAESTRO
  PROMPT`` line (YAML is a superset of JSON, so editors such as the YAML
  language server can validate a prompt body against it). Top-level keys are
  case-insensitive, which the schema expresses with case-insensitive key
  patterns; extension dimensions are allowed.
- :func:`parsed_prompt_schema`: the camelCase JSON of a parsed
  :class:`~maestro_lab.prompts.base.MaestroPrompt` (``MaestroPrompt.to_dict``),
  generated from the :data:`MaestroPromptDict` TypedDict by pydantic.

Example
-------
>>> schema = prompt_body_schema()
>>> schema["title"]
'MAESTRO PROMPT body'
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Literal, NotRequired, cast

from pydantic import Field, JsonValue, TypeAdapter, ValidationError
from typing_extensions import TypedDict

from maestro_lab.errors import InvalidMaestroPrompt
from maestro_lab.prompts.base import MODES, POSITION_KINDS, TARGET_KINDS, MaestroPrompt
from maestro_lab.prompts.constraints import DENSITY_WORDS
from maestro_lab.prompts.fields import ENERGY_LEVELS
from maestro_lab.prompts.fields_check import DIMENSIONS
from maestro_lab.prompts.keys import MODES as KEY_MODES
from maestro_lab.prompts.keys import key_pattern
from maestro_lab.prompts.parser import KEY_ALIASES
from storpheus.jsontypes import JSONObject

DRAFT = "https://json-schema.org/draft/2020-12/schema"


class PositionDict(TypedDict):
    """JSON of a :class:`~maestro_lab.prompts.base.PositionSpec`."""

    kind: Literal["after", "before", "alongside", "between", "within", "absolute", "last"]
    ref: str | None
    ref2: str | None
    offset: float
    beat: Annotated[float, Field(ge=0)] | None


class TargetDict(TypedDict):
    """JSON of a :class:`~maestro_lab.prompts.base.TargetSpec`."""

    kind: Literal["project", "selection", "track", "region"]
    name: str | None


class VibeDict(TypedDict):
    """JSON of a :class:`~maestro_lab.prompts.base.VibeWeight`."""

    vibe: Annotated[str, Field(min_length=1)]
    weight: Annotated[int, Field(ge=1, le=100)]


MaestroPromptDict = TypedDict(  # noqa: UP013 - camelCase wire keys
    "MaestroPromptDict",
    {
        "promptKind": str,
        "version": int,
        "mode": Literal["compose", "edit", "ask"],
        "request": str,
        "section": str | None,
        "position": PositionDict | None,
        "target": TargetDict | None,
        "style": str | None,
        "key": str | None,
        "tempo": Annotated[int, Field(ge=20, le=300)] | None,
        "energy": str | None,
        "roles": list[str],
        "constraints": dict[str, JsonValue],
        "vibes": list[VibeDict],
        "extensions": dict[str, JsonValue],
        "raw": NotRequired[str],
    },
)
"""The camelCase JSON of a parsed prompt (``MaestroPrompt.to_dict()``)."""


@cache
def parsed_prompt_adapter() -> TypeAdapter[MaestroPromptDict]:
    """The pydantic adapter that validates parsed-prompt JSON (built once)."""
    return TypeAdapter(MaestroPromptDict)


def prompt_from_json(data: object) -> MaestroPrompt:
    """A :class:`MaestroPrompt` from its JSON (``to_dict``), validated.

    Raises
    ------
    InvalidMaestroPrompt
        With one detail per problem, each naming its JSON location.
    """
    try:
        checked = parsed_prompt_adapter().validate_python(data, strict=False)
    except ValidationError as exc:
        raise InvalidMaestroPrompt(validation_details(exc)) from None
    try:
        return MaestroPrompt.from_dict(cast(JSONObject, checked))
    except (ValueError, KeyError) as exc:
        raise InvalidMaestroPrompt([str(exc)]) from None


def validation_details(exc: ValidationError) -> list[str]:
    """One ``"location: message"`` line per pydantic error."""
    out = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "(root)"
        out.append(f"{where}: {error['msg']}")
    return out


def parsed_prompt_schema() -> JSONObject:
    """JSON Schema of ``MaestroPrompt.to_dict()``."""
    schema: JSONObject = {
        "$schema": DRAFT,
        "title": "Parsed MAESTRO PROMPT",
        **parsed_prompt_adapter().json_schema(),
    }
    schema["title"] = "Parsed MAESTRO PROMPT"
    return schema


def _ci(word: str) -> str:
    """A case-insensitive regex for ``word`` (``"mode"`` -> ``"[Mm][Oo][Dd][Ee]"``)."""
    out = []
    for ch in word:
        if ch.isalpha():
            out.append(f"[{ch.upper()}{ch.lower()}]")
        elif ch == " ":
            out.append(r"\s+")
        else:
            out.append("\\" + ch if ch in ".+*?()[]{}|^$\\/-" else ch)
    return "".join(out)


def _key_pattern(*names: str) -> str:
    return r"^\s*(" + "|".join(_ci(n) for n in names) + r")\s*$"


def _one_of_words(words: tuple[str, ...] | list[str]) -> str:
    return r"^\s*(" + "|".join(_ci(w) for w in words) + r")\s*$"


def _aliases(field: str) -> tuple[str, ...]:
    return (field, *sorted(a for a, target in KEY_ALIASES.items() if target == field))


_STRING_OR_NAMES: JSONObject = {
    "oneOf": [
        {"type": "string", "description": "comma-separated names"},
        {"type": "array", "items": {"type": ["string", "number"]}},
    ]
}


def _fields() -> dict[str, JSONObject]:
    return {
        "mode": {
            "description": "Required: compose (new material), edit (change the project) or ask.",
            "type": "string",
            "pattern": _one_of_words(list(MODES)),
            "examples": list(MODES),
        },
        "section": {
            "description": "Name of the section this prompt writes (lowercased).",
            "type": ["string", "number"],
            "examples": ["intro", "verse", "chorus", "pre-chorus fill"],
        },
        "position": {
            "description": (
                "Placement: last | after/before/alongside <section> [+/- N] | between <a> <b> "
                "| within <section> bar N | at bar N | at beat N."
            ),
            "type": ["string", "number"],
            "examples": [
                "after intro",
                "before chorus - 4",
                "alongside verse",
                "between verse chorus",
                "within verse bar 3",
                "at bar 9",
                "last",
            ],
        },
        "after": {
            "description": (
                "Same as 'Position: after <value>': a section name, 'last' (after everything), "
                "'bar N' (where bar N ends) or 'beat N'. Use Position or After, not both."
            ),
            "type": ["string", "number"],
            "examples": ["intro", "intro + 2", "last", "bar 8"],
        },
        "target": {
            "description": "Edit scope: project, selection, track:<name> or region:<name>.",
            "oneOf": [
                {
                    "type": "string",
                    "pattern": r"^\s*(" + _ci("project") + "|" + _ci("selection") + "|("
                    f"{_ci('track')}|{_ci('region')})\\s*:\\s*\\S.*)\\s*$",
                },
                {
                    "type": "object",
                    "minProperties": 1,
                    "maxProperties": 1,
                    "patternProperties": {_key_pattern("track", "region"): {"type": "string"}},
                    "additionalProperties": False,
                },
            ],
            "examples": [*TARGET_KINDS[:2], "track:Bass", "region:Verse Melody"],
        },
        "style": {
            "description": "Genre/style, e.g. 'lofi hip hop', 'house', 'bossa nova'.",
            "type": "string",
        },
        "key": {
            "description": "Key: tonic A-G with #/b and a mode (" + ", ".join(KEY_MODES) + ").",
            "type": "string",
            "pattern": key_pattern(),
            "examples": ["F#m", "Eb", "C major", "A dorian", "C harmonic minor", "Dorian D"],
        },
        "tempo": {
            "description": "Whole BPM within 20-300, as a number or text like '92 bpm'.",
            "oneOf": [
                {"type": "integer", "minimum": 20, "maximum": 300},
                {"type": "string", "pattern": r"^\s*\d{2,3}(\.0+)?\s*([Bb][Pp][Mm])?\s*$"},
            ],
        },
        "energy": {
            "description": "Coarse energy level.",
            "type": "string",
            "pattern": _one_of_words([*ENERGY_LEVELS, "mid", "moderate", "max", "min"]),
            "examples": list(ENERGY_LEVELS),
        },
        "role": {
            "description": "Instrument roles: a list or comma-separated text (drums, bass...).",
            **_STRING_OR_NAMES,
            "examples": [["drums", "bass", "piano"], "kick, sub bass, arp, pad"],
        },
        "constraints": _constraints_schema(),
        "vibe": {
            "description": "Mood words with weights: 'dusty x3', 'dusty:3', {dusty: 3} or 'dusty'.",
            "oneOf": [
                {"type": "string"},
                {"type": "object", "additionalProperties": {"type": "integer", "minimum": 1}},
                {
                    "type": "array",
                    "items": {
                        "oneOf": [
                            {"type": "string"},
                            {
                                "type": "object",
                                "additionalProperties": {"type": "integer", "minimum": 1},
                            },
                        ]
                    },
                },
            ],
            "examples": [["dusty x3", "warm x2", "laid back"]],
        },
        "request": {
            "description": "The natural-language brief; required for edit and ask.",
            "type": ["string", "number"],
        },
    }


def _constraints_schema() -> JSONObject:
    densities: list[JsonValue] = list(DENSITY_WORDS)
    unit: JSONObject = {"type": "number", "minimum": 0, "maximum": 1}
    return {
        "description": "Planner hints; unknown keys are kept. Keys are snake_cased.",
        "oneOf": [
            {
                "type": "object",
                "properties": {
                    "bars": {"type": "integer", "minimum": 1, "maximum": 256},
                    "duration": {"type": ["number", "string"]},
                    "sections": {"type": ["array", "string", "object"]},
                    "form": {"enum": ["short", "long"]},
                    "density": {"oneOf": [unit, {"type": "string", "examples": densities}]},
                    "swing": {"type": ["number", "string"], "examples": [0.55, "55%"]},
                    "time_signature": {
                        "type": "string",
                        "pattern": r"^\s*\d{1,2}\s*/\s*\d{1,2}\s*$",
                    },
                    "candidates": {"type": "integer", "minimum": 1, "maximum": 64},
                    "gm_program": {"type": "integer", "minimum": 0, "maximum": 127},
                    "programs": {
                        "type": "object",
                        "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 127},
                    },
                    "progression": {"type": ["array", "string"]},
                    "no_effects": {"type": "boolean"},
                    "no_reverb": {"type": "boolean"},
                    "drum_density": unit,
                    "rest_density": unit,
                    "leap_probability": unit,
                    "subdivision": {"enum": [1, 2, 3, 4, 6, 8]},
                    "register_center": {"type": "integer", "minimum": 0, "maximum": 127},
                    "register_spread": {"type": "integer", "minimum": 1, "maximum": 64},
                    "chord_extensions": {"type": "boolean"},
                    "harmonic_rhythm": {"type": "number", "exclusiveMinimum": 0, "maximum": 8},
                    "velocity_floor": {"type": "integer", "minimum": 0, "maximum": 127},
                    "velocity_ceiling": {"type": "integer", "minimum": 0, "maximum": 127},
                },
                "additionalProperties": True,
            },
            {"type": "array"},
            {"type": "string"},
        ],
    }


def prompt_body_schema() -> JSONObject:
    """JSON Schema of the YAML body of a MAESTRO PROMPT (case-insensitive keys)."""
    properties: dict[str, JsonValue] = {}
    for field, schema in _fields().items():
        properties[_key_pattern(*_aliases(field))] = schema
    properties[_key_pattern(*DIMENSIONS)] = {
        "description": "A declared dimension block (Harmony, Melody, Effects...), kept verbatim."
    }
    properties[r"^\s*[Xx]-\S.*$"] = {
        "description": "Your own extension field (X-<name>), kept verbatim and not checked."
    }
    return {
        "$schema": DRAFT,
        "title": "MAESTRO PROMPT body",
        "description": (
            "The YAML mapping that follows the 'MAESTRO PROMPT' header line. Mode is required; "
            "Request is required for edit and ask. Keys are case-insensitive. Besides the "
            "routing fields, the declared dimensions (" + ", ".join(DIMENSIONS) + ") and "
            "extensions named X-<name> are kept verbatim; any other key is an error that names "
            f"the closest known field. Position kinds: {', '.join(POSITION_KINDS)}."
        ),
        "type": "object",
        "patternProperties": properties,
        "additionalProperties": False,
    }
