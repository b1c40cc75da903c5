"""Cross-layer contract: whatever a prompt accepts, the planner, the tools and the backend accept.

Keys are drawn in every spelling the one key vocabulary reads (tonic first
or mode first, ``#``/``b``/unicode/words, aliases of every mode of
:data:`~storpheus.theory.KEY_MODES`), styles by id, name, alias, free text
and unknown words, with random roles and sections. A prompt that parses and
plans must compose on the embedded backend, never stopping at a tool's
validation.
"""

from __future__ import annotations

from dataclasses import dataclass

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

import maestro_lab
from maestro_lab.planner import plan, validate_plan
from maestro_lab.prompts import normalise_key, parse_prompt
from maestro_lab.prompts.schema import prompt_body_schema
from maestro_lab.tools.base import normalise_key as tool_key
from storpheus.backends.embedded.harmony import parse_key as backend_key
from storpheus.styles import STYLES
from storpheus.theory import KEY_MODES, LETTER_PITCH_CLASSES, MODE_ALIASES, parse_key

SIGNS = {"": 0, "#": 1, "♯": 1, " sharp": 1, "b": -1, "♭": -1, " flat": -1, "-flat": -1}
MODE_SPELLINGS = {
    mode: sorted({mode, mode.title(), *(a for a, m in MODE_ALIASES.items() if m == mode and a)})
    for mode in KEY_MODES
}
STYLE_WORDS = sorted(
    {
        *STYLES,
        *(p.name for p in STYLES.values()),
        *(p.aliases[0] for p in STYLES.values() if p.aliases),
        "funky house",
        "dark minimal techno",
        "polka",
    }
)
ROLES = ("drums", "bass", "chords", "melody", "pads", "arp", "lead", "fx")
SECTION_NAMES = ("intro", "verse", "chorus", "bridge", "outro")
BODY_SCHEMA = jsonschema.Draft202012Validator(prompt_body_schema())


@dataclass(frozen=True)
class WrittenKey:
    """A key as a user might write it, and what it means."""

    text: str
    tonic: int
    mode: str


@st.composite
def written_keys(draw: st.DrawFn) -> WrittenKey:
    letter = draw(st.sampled_from(sorted(LETTER_PITCH_CLASSES)))
    sign = draw(st.sampled_from(sorted(SIGNS)))
    mode = draw(st.sampled_from(KEY_MODES))
    spelled = draw(st.sampled_from(MODE_SPELLINGS[mode]))
    tonic_text = draw(st.sampled_from([letter, letter.lower()])) + sign
    if mode == "major" and draw(st.booleans()):
        text = tonic_text  # "Eb": a bare tonic is major
    elif mode == "minor" and sign.strip() in ("", "#", "b") and draw(st.booleans()):
        text = tonic_text + "m"  # "F#m"
    elif draw(st.booleans()):
        text = f"{spelled} {tonic_text}"  # "Dorian D", "Minor A-flat", "Lydian F sharp"
    else:
        text = f"{tonic_text} {spelled}"
    return WrittenKey(text, (LETTER_PITCH_CLASSES[letter] + SIGNS[sign]) % 12, mode)


@settings(max_examples=300, deadline=None)
@given(written_keys())
def test_every_layer_reads_a_prompt_key_the_same_way(key: WrittenKey) -> None:
    parsed = parse_key(key.text, modes=KEY_MODES)
    assert (parsed.tonic, parsed.mode) == (key.tonic, key.mode), key.text
    canonical = normalise_key(key.text)
    assert canonical == parsed.name
    assert tool_key(key.text) == canonical == tool_key(canonical)
    assert backend_key(canonical) == parsed
    assert backend_key(canonical).name == canonical
    # the prompt's JSON Schema (live validation in editors) accepts what the parser reads
    BODY_SCHEMA.validate({"Mode": "compose", "Key": key.text})


@st.composite
def prompts(draw: st.DrawFn) -> tuple[str, WrittenKey]:
    key = draw(written_keys())
    style = draw(st.sampled_from(STYLE_WORDS))
    roles = draw(st.lists(st.sampled_from(ROLES), min_size=1, max_size=3, unique=True))
    names = draw(st.lists(st.sampled_from(SECTION_NAMES), min_size=1, max_size=2, unique=True))
    sections = ", ".join(f"{n}: {draw(st.integers(1, 2))}" for n in names)
    text = (
        "MAESTRO PROMPT\nMode: compose\n"
        f"Style: {style}\nKey: {key.text}\nRole: [{', '.join(roles)}]\n"
        f"Constraints: {{sections: {{{sections}}}, candidates: 1}}\n"
    )
    return text, key


@settings(max_examples=25, deadline=None)
@given(prompts(), st.integers(0, 2**32 - 1))
def test_a_prompt_that_parses_and_plans_composes_on_the_embedded_backend(
    case: tuple[str, WrittenKey], seed: int
) -> None:
    text, key = case
    prompt = parse_prompt(text)
    assert prompt is not None
    assert prompt.key == parse_key(key.text).name
    planned = plan(text, seed=seed)
    assert validate_plan(planned).valid, validate_plan(planned).errors
    result = maestro_lab.compose(text, db=":memory:", out=None, seed=seed)
    assert result.commit_id
    assert set(result.role_cards) == {r.key for r in planned.roles}
