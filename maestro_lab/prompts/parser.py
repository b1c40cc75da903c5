"""``parse_prompt``: text -> :class:`MaestroPrompt`, ``None`` (natural language) or a typed error.

A structured prompt is a sentinel line followed by a YAML mapping::

    MAESTRO PROMPT
    Mode: compose
    Style: lofi hip hop
    Key: Cm
    Tempo: 75
    Role: [drums, bass, piano]
    Vibe: [dusty x3, warm x2, laid back]
    Request: A lazy verse groove.

The first non-empty line decides: ``MAESTRO PROMPT`` (any case, an optional
trailing colon) starts a structured prompt; ``STORI PROMPT`` raises
:class:`UnsupportedPromptHeader`; anything else is natural language and
returns ``None``. Once the header is seen the parser never falls back to
natural language: broken YAML, a body that is not a mapping, or any invalid
routing value raises :class:`InvalidMaestroPrompt` listing every problem.

Top-level keys are case-insensitive. Routing keys (and the aliases ``Roles``,
``Instruments``, ``Vibes``, ``BPM``, ``Genre``) become typed attributes; the
declared dimensions (``Harmony``, ``Melody``, ``Effects``...; see
:mod:`maestro_lab.prompts.fields_check`) and your own ``X-<name>`` keys are
kept verbatim, with their original spelling, in ``extensions``; any other key
is an error naming the closest known field. Of the dimensions, ``Sections``
(the existing arrangement: ``{intro: 4, verse: 5-12}``) and ``Layer`` (``yes``
layers new regions over existing ones; the default replaces them) are checked
here and read by the planner.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, TypeVar

from pydantic import JsonValue

from maestro_lab.errors import InvalidMaestroPrompt, UnsupportedPromptHeader
from maestro_lab.prompts import fields as f
from maestro_lab.prompts.base import MaestroDimensions, MaestroPrompt, Mode, PositionSpec
from maestro_lab.prompts.constraints import parse_constraints
from maestro_lab.prompts.fields_check import unknown_field_problem
from maestro_lab.prompts.yamlbody import BodyError, load_body

HEADER: Final = "MAESTRO PROMPT"
LEGACY_HEADERS: Final = ("STORI PROMPT",)

ROUTING_FIELDS: Final = (
    "mode",
    "section",
    "position",
    "after",
    "target",
    "style",
    "key",
    "tempo",
    "energy",
    "role",
    "constraints",
    "vibe",
    "request",
)
"""Top-level keys parsed into typed attributes (lowercase)."""

KEY_ALIASES: Final = {
    "roles": "role",
    "instruments": "role",
    "vibes": "vibe",
    "bpm": "tempo",
    "genre": "style",
}
"""Other spellings of routing keys (lowercase)."""

TOP_LEVEL_NAMES: Final = (*ROUTING_FIELDS, *sorted(KEY_ALIASES))
"""Routing fields and their aliases: with the dimensions and ``X-`` keys, every allowed key."""

_T = TypeVar("_T")
_LABELS: Final = {name: name.capitalize() for name in ROUTING_FIELDS}


def detect_header(text: str) -> tuple[int, str] | None:
    """Index and normalised text of the header line, or ``None`` for natural language.

    Raises :class:`UnsupportedPromptHeader` for a legacy ``STORI PROMPT`` header.
    """
    lines = text.lstrip("\ufeff").splitlines()
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        normalised = " ".join(line.split()).upper().rstrip(":").rstrip()
        if normalised == HEADER:
            return index, HEADER
        if normalised in LEGACY_HEADERS:
            raise UnsupportedPromptHeader(normalised)
        return None
    return None


def is_structured(text: str) -> bool:
    """True when ``text`` starts with the ``MAESTRO PROMPT`` header (no parsing)."""
    try:
        return detect_header(text) is not None
    except UnsupportedPromptHeader:
        return False


def parse_prompt(text: str) -> MaestroPrompt | None:
    r"""Parse a structured prompt; ``None`` when ``text`` is natural language.

    Raises
    ------
    UnsupportedPromptHeader
        The first non-empty line is ``STORI PROMPT``.
    InvalidMaestroPrompt
        The header is present but the body is not a valid prompt; ``details``
        lists every problem, each starting with the field name.

    Example
    -------
    >>> p = parse_prompt("MAESTRO PROMPT\nMode: compose\nKey: F#m\nTempo: 92 bpm")
    >>> p.key, p.tempo, p.request
    ('F# minor', 92, 'Compose music in F# minor at 92 BPM')
    >>> parse_prompt("make me a beat") is None
    True
    """
    found = detect_header(text)
    if found is None:
        return None
    index, _ = found
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    body = "".join(lines[index + 1 :])
    try:
        data = load_body(body, first_line=index + 2)
    except BodyError as exc:
        raise InvalidMaestroPrompt([f"body: {exc}"]) from None
    if data is None:
        raise InvalidMaestroPrompt(
            ["body: is empty; expected YAML fields such as 'Mode: compose' and 'Request: ...'"]
        )
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"the value {data!r}"
        raise InvalidMaestroPrompt(
            [f"body: must be a YAML mapping of fields such as 'Mode: compose', got {kind}"]
        )
    return _build(text, data)


def _build(text: str, data: dict[str, JsonValue]) -> MaestroPrompt:
    problems: list[str] = []
    routing: dict[str, JsonValue] = {}
    spelled: dict[str, str] = {}
    extensions: MaestroDimensions = {}
    lowered_extensions: dict[str, str] = {}
    for name, value in data.items():
        lowered = " ".join(name.split()).lower()
        canonical = KEY_ALIASES.get(lowered, lowered)
        if canonical in _LABELS:
            if canonical in routing:
                problems.append(
                    f"{_LABELS[canonical]}: given twice (as {spelled[canonical]!r} and {name!r})"
                )
                continue
            routing[canonical] = value
            spelled[canonical] = name
        elif lowered in lowered_extensions:
            problems.append(
                f"{name}: given twice (as {lowered_extensions[lowered]!r} and {name!r}); "
                "top-level keys are case-insensitive"
            )
        elif (problem := unknown_field_problem(name, TOP_LEVEL_NAMES)) is not None:
            problems.append(f"{name}: {problem}")
        else:
            extensions[name] = value
            lowered_extensions[lowered] = name

    def field(name: str, parse: Callable[[JsonValue], _T]) -> _T | None:
        value = routing.get(name)
        if value is None:
            return None
        try:
            return parse(value)
        except f.FieldError as exc:
            problems.append(f"{_LABELS[name]}: {exc}")
            return None

    mode: Mode | None = field("mode", f.parse_mode)
    if "mode" not in routing or routing["mode"] is None:
        problems.append("Mode: missing; expected one of compose, edit, ask")
    section = field("section", f.parse_section)
    position = _position(routing, problems)
    target = field("target", f.parse_target)
    style = field("style", f.parse_style)
    key = field("key", f.parse_key_field)
    tempo = field("tempo", f.parse_tempo)
    energy = field("energy", f.parse_energy)
    roles = field("role", f.parse_roles) or ()
    vibes = field("vibe", f.parse_vibes) or ()
    request: str = field("request", f.parse_request) or ""
    constraints, constraint_problems = parse_constraints(routing.get("constraints"))
    problems.extend(f"Constraints: {p}" for p in constraint_problems)
    problems.extend(f.edit_field_problems(extensions))
    if mode in ("edit", "ask") and not request and "request" not in _failed(problems):
        problems.append(f"Request: required in {mode} mode (what should be done or answered?)")
    if problems or mode is None:
        raise InvalidMaestroPrompt(problems)
    if not request:
        request = synthesise_request(style, section, roles, key, tempo)
    return MaestroPrompt(
        raw=text,
        mode=mode,
        request=request,
        section=section,
        position=position,
        target=target,
        style=style,
        key=key,
        tempo=tempo,
        energy=energy,
        roles=roles,
        constraints=constraints,
        vibes=vibes,
        extensions=extensions,
    )


def _position(routing: dict[str, JsonValue], problems: list[str]) -> PositionSpec | None:
    position, after = routing.get("position"), routing.get("after")
    if position is not None and after is not None:
        problems.append("Position: give either Position or After, not both")
        return None
    name, value = ("after", after) if after is not None else ("position", position)
    if value is None:
        return None
    try:
        parsed = f.parse_position_field(value, after_alias=name == "after")
    except f.FieldError as exc:
        problems.append(f"{_LABELS[name]}: {exc}")
        return None
    assert isinstance(parsed, PositionSpec)
    return parsed


def _failed(problems: list[str]) -> set[str]:
    return {p.split(":", 1)[0].lower() for p in problems}


def synthesise_request(
    style: str | None,
    section: str | None,
    roles: tuple[str, ...],
    key: str | None,
    tempo: int | None,
) -> str:
    """The request text of a compose prompt that gave none.

    >>> synthesise_request("lofi hip hop", "verse", ("drums", "bass"), "C minor", 75)
    'Compose a lofi hip hop verse with drums and bass in C minor at 75 BPM'
    """
    words = ["Compose"]
    subject = " ".join(w for w in (style, section) if w)
    words.append(f"a {subject}" if subject else "music")
    if roles:
        listed = roles[0] if len(roles) == 1 else ", ".join(roles[:-1]) + f" and {roles[-1]}"
        words.append(f"with {listed}")
    if key:
        words.append(f"in {key}")
    if tempo:
        words.append(f"at {tempo} BPM")
    return " ".join(words)
