"""The Position mini-language: all seven modes, offsets and errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maestro_lab.prompts import PositionSpec, parse_position
from maestro_lab.prompts.position import PositionError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("after intro", PositionSpec("after", "intro")),
        ("AFTER Intro", PositionSpec("after", "intro")),
        ("after pre-chorus fill", PositionSpec("after", "pre-chorus fill")),
        ("after verse-2", PositionSpec("after", "verse-2")),
        ("after intro -2", PositionSpec("after", "intro", offset=-2.0)),
        ("before chorus - 1 bar", PositionSpec("before", "chorus", offset=-4.0)),
        ("alongside verse + 0.5 beats", PositionSpec("alongside", "verse", offset=0.5)),
        ("between verse and chorus", PositionSpec("between", "verse", "chorus")),
        ("within bridge", PositionSpec("within", "bridge")),
        ("within verse bar 1", PositionSpec("within", "verse", offset=0.0)),
        ("within verse bar 3 + 1", PositionSpec("within", "verse", offset=9.0)),
        ("beat 32 + 2", PositionSpec("absolute", beat=34.0)),
        ("at beat 0", PositionSpec("absolute", beat=0.0)),
        ("last - 4", PositionSpec("last", offset=-4.0)),
    ],
)
def test_position_forms(text: str, expected: PositionSpec) -> None:
    assert parse_position(text) == expected


def test_after_alias_prefixes_after() -> None:
    assert parse_position("intro + 2", after_alias=True) == PositionSpec(
        "after", "intro", offset=2.0
    )
    assert parse_position("after intro", after_alias=True) == PositionSpec("after", "intro")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("after", "needs a section name"),
        ("between verse", "two section names"),
        ("between verse verse", "two different sections"),
        ("bar 0", "start at 1"),
        ("within verse bar 0", "start at 1"),
        ("last verse", "takes no section name"),
        ("upwards", "is not a position"),
        ("after intro+2", "is not a section name"),
        ("beat 2 - 4", "beat >= 0"),
    ],
)
def test_position_errors_say_why(text: str, reason: str) -> None:
    with pytest.raises(PositionError) as info:
        parse_position(text)
    assert reason in str(info.value)


def test_position_str_is_readable() -> None:
    assert str(parse_position("before chorus - 4")) == "before chorus - 4 beats"
    assert str(parse_position("between a b")) == "between a and b"
    assert str(parse_position("bar 9")) == "beat 32"


@given(st.text(max_size=40))
def test_any_text_gives_position_or_position_error(text: str) -> None:
    try:
        spec = parse_position(text)
    except PositionError:
        return
    assert spec.kind in ("after", "before", "alongside", "between", "within", "absolute", "last")
