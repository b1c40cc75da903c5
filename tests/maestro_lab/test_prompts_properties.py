"""Property tests: whatever follows the header, parse_prompt returns a prompt or a typed error."""

from __future__ import annotations

import json

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from maestro_lab.prompts import InvalidMaestroPrompt, MaestroPrompt, parse_prompt
from maestro_lab.prompts.schema import prompt_from_json

ROUTING_KEYS = [
    "Mode",
    "mode",
    "Section",
    "Position",
    "After",
    "Target",
    "Style",
    "Key",
    "Tempo",
    "BPM",
    "Energy",
    "Role",
    "Roles",
    "Constraints",
    "Vibe",
    "Request",
    "Harmony",
    "Melody",
    "x",
]
FRAGMENTS = [
    "compose",
    "edit",
    "ask",
    "F#m",
    "Eb",
    "H minor",
    "92 bpm",
    "500",
    "-3",
    "0",
    "1e309",
    ".nan",
    "after intro + 2",
    "before chorus - 4",
    "between verse chorus",
    "within verse bar 3",
    "bar 0",
    "last",
    "track:Bass",
    "track:",
    "[drums, bass]",
    "{dusty: 3}",
    "dusty x3",
    "dusty:0",
    "{bars: 8, swing: 55%}",
    "{bars: -1}",
    "[bars: 4, no reverb]",
    "very high",
    "&a [*a]",
    "*undefined",
    "!!binary aGk=",
    "!!int x",
    "!!timestamp 2020-13-45",
    "!!float nope",
    "!!set {a}",
    "|",
    ">-",
    "'unterminated",
    "~",
    "yes",
    "2024-01-01",
    "[[[[[]]]]]",
    "{a: {b: {c: [1, 2, {d: e}]}}}",
    "\t",
    "%",
    "@",
    "`",
]

yaml_scalars = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.text(max_size=20),
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


@st.composite
def yaml_like_bodies(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 10))):
        key = draw(st.sampled_from(ROUTING_KEYS) | st.text(max_size=8))
        indent = draw(st.sampled_from(["", "", "", "  ", "    ", "- "]))
        lines.append(f"{indent}{key}: {draw(yaml_scalars)}")
    return "\n".join(lines)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(ROUTING_KEYS) | st.text(max_size=6), children, max_size=5)
    ),
    max_leaves=20,
)


def check(after_header: str) -> None:
    text = "MAESTRO PROMPT\n" + after_header
    details: list[str] | None = None
    try:
        prompt = parse_prompt(text)
    except InvalidMaestroPrompt as exc:
        details = exc.details
    if details is not None:
        assert details, "an invalid prompt must say what is wrong"
        assert all(isinstance(d, str) and d for d in details)
        return
    assert isinstance(prompt, MaestroPrompt)
    data = prompt.to_dict()
    json.dumps(data, allow_nan=False)  # JSON-compatible, no NaN
    assert prompt_from_json(data) == prompt
    assert prompt.mode in ("compose", "edit", "ask")
    assert prompt.tempo is None or 20 <= prompt.tempo <= 300
    if prompt.mode != "compose":
        assert prompt.request


@settings(max_examples=400)
@given(st.text())
def test_arbitrary_text_after_header_gives_prompt_or_typed_error(after: str) -> None:
    check(after)


@settings(max_examples=400)
@given(yaml_like_bodies())
def test_yaml_like_bodies_give_prompt_or_typed_error(after: str) -> None:
    check(after)


@settings(max_examples=200)
@given(st.dictionaries(st.sampled_from(ROUTING_KEYS) | st.text(max_size=6), json_values))
def test_arbitrary_yaml_mappings_give_prompt_or_typed_error(data: dict[str, object]) -> None:
    check(yaml.safe_dump(data, allow_unicode=True))


@settings(max_examples=100)
@given(
    st.sampled_from(["compose", "edit", "ask"]),
    st.integers(20, 300),
    st.lists(st.sampled_from(["drums", "bass", "keys", "sub bass", "pads"]), max_size=4),
)
def test_valid_fields_always_parse_and_normalise(mode: str, tempo: int, roles: list[str]) -> None:
    text = (
        f"MAESTRO PROMPT\nMode: {mode}\nTempo: {tempo} bpm\nRole: {json.dumps(roles)}\n"
        "Request: do it"
    )
    prompt = parse_prompt(text)
    assert prompt is not None
    assert prompt.tempo == tempo
    assert prompt.roles == tuple(dict.fromkeys(roles))
