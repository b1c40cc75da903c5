"""Key names in requests go through the one key parser (property tests)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from maestro_lab.intent import classify_intent, find_key
from maestro_lab.intent.slots import mark_key
from maestro_lab.prompts.keys import normalise_key

LETTERS = "ABCDEFG"
ACCIDENTALS = {"": "", "#": "#", "♯": "#", "b": "b", "♭": "b", " sharp": "#", " flat": "b"}
MODES = {"": "major", "m": "minor", " minor": "minor", " major": "major", "min": "minor"}
LEADS = ["set key to", "change the key to", "switch to", "put it in", "key:", "modulate to"]


@st.composite
def spelled_keys(draw: st.DrawFn) -> tuple[str, str]:
    """A key written some common way, and its canonical name."""
    letter = draw(st.sampled_from(LETTERS))
    accidental = draw(st.sampled_from(sorted(ACCIDENTALS)))
    mode = draw(st.sampled_from(sorted(MODES)))
    if accidental.startswith(" ") and mode in ("m", "min"):
        mode = " minor"  # "F sharpm" is not a spelling anyone writes
    lower = draw(st.booleans()) and mode != ""
    written = (letter.lower() if lower else letter) + accidental + mode
    return written, f"{letter}{ACCIDENTALS[accidental]} {MODES[mode]}"


@given(spelled_keys(), st.sampled_from(LEADS))
def test_every_spelling_after_a_key_word_is_read_as_the_key_parser_reads_it(
    key: tuple[str, str], lead: str
) -> None:
    written, canonical = key
    text = f"{lead} {written}"
    found = find_key(text)
    assert found is not None, text
    assert found[0] == canonical == normalise_key(written)
    assert normalise_key(text[found[1] : found[2]]) == canonical
    result = classify_intent(text)
    assert result.label == "edit.key", (text, result)
    assert result.slot_map["key"] == canonical


@given(st.text(max_size=60))
def test_a_found_key_is_always_a_span_the_parser_accepts(text: str) -> None:
    found = find_key(text)
    if found is not None:
        name, start, end = found
        assert 0 <= start < end <= len(text)
        assert normalise_key(text[start:end]) == name
        assert mark_key(text) == text[:start] + "<key>" + text[end:]
    else:
        assert mark_key(text) == text
