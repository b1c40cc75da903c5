"""The edit fields of a MAESTRO PROMPT: ``Sections`` and ``Layer``, parsed and checked."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import JsonValue

from maestro_lab.errors import InvalidMaestroPrompt
from maestro_lab.prompts import parse_prompt
from maestro_lab.prompts.fields import FieldError, edit_fields, parse_layer, parse_sections

NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10)


@given(st.dictionaries(NAMES, st.integers(1, 64), min_size=1, max_size=8))
def test_bar_counts_lay_sections_end_to_end(spec: dict[str, int]) -> None:
    parsed = parse_sections(dict(spec))
    assert [name for name, _, _ in parsed] == list(spec)
    starts = [first for _, first, _ in parsed]
    assert starts == [sum(list(spec.values())[:i]) for i in range(len(spec))]


@given(
    st.lists(st.tuples(NAMES, st.integers(1, 32)), min_size=1, max_size=6, unique_by=lambda t: t[0])
)
def test_bar_ranges_round_trip(items: list[tuple[str, int]]) -> None:
    cursor = 1
    spec: dict[str, JsonValue] = {}
    want: list[tuple[str, int, int]] = []
    for name, bars in items:
        spec[name] = f"{cursor}-{cursor + bars - 1}"
        want.append((name, cursor - 1, bars))
        cursor += bars + 1  # a one-bar gap between sections
    assert list(parse_sections(spec)) == want


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([], "mapping"),
        ({"intro": 0}, "at least 1 bar"),
        ({"intro": "5-2"}, "bar range"),
        ({"intro": "x"}, "bar count nor a range"),
        ({"a": "1-8", "b": "4-12"}, "overlap"),
    ],
)
def test_bad_sections_say_what_is_wrong(value: object, message: str) -> None:
    with pytest.raises(FieldError, match=message):
        parse_sections(value)  # type: ignore[arg-type]


def test_layer_words_and_errors_through_the_parser() -> None:
    assert (parse_layer("yes"), parse_layer("replace")) == (True, False)
    prompt = parse_prompt("MAESTRO PROMPT\nMode: compose\nLayer: yes\nSections: {a: 2}\n")
    assert prompt is not None
    assert edit_fields(dict(prompt.extensions)) == ((("a", 0, 2),), True)
    with pytest.raises(InvalidMaestroPrompt) as info:
        parse_prompt("MAESTRO PROMPT\nMode: compose\nLayer: maybe\nSections: {a: 0}\n")
    text = str(info.value)
    assert "Layer:" in text
    assert "Sections:" in text
