"""Prompts fail loudly and positions mean what they say, end to end through the CLI.

Unknown fields name the closest known one, wrongly typed values name the field
and what was expected, ``X-`` extensions and the declared dimensions pass;
``After: last`` is the ``last`` kind, absolute positions keep their offset, and
a position naming a section the project lacks lists the known ones.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maestro_lab.cli import main
from maestro_lab.errors import InvalidMaestroPrompt
from maestro_lab.prompts import parse_prompt
from maestro_lab.prompts.fields_check import known_fields
from maestro_lab.prompts.parser import TOP_LEVEL_NAMES


def prompt(body: str) -> str:
    return "MAESTRO PROMPT\nMode: compose\nConstraints: {bars: 4}\n" + body


def plan_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    code = main(["plan", *args, "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert isinstance(payload, dict)
    return code, payload


def test_unknown_field_is_an_error_and_no_database_is_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, payload = plan_json(capsys, prompt("Stlye: house\n"))
    assert code == 2
    error = payload["error"]
    assert isinstance(error, dict)
    (detail,) = error["details"]
    assert detail.startswith("Stlye: unknown field; did you mean 'Style'?")
    assert "known fields: Mode, Section, Position" in detail
    assert "X-<name>" in detail
    db = tmp_path / "songs" / "a.duckdb"
    assert main(["compose", prompt("Stlye: house\n"), "--db", str(db)]) == 2
    assert "did you mean 'Style'" in capsys.readouterr().err
    assert not (tmp_path / "songs").exists()


def test_extensions_and_dimensions_are_kept(capsys: pytest.CaptureFixture[str]) -> None:
    body = (
        "X-Mood-Board: rainy night\nHarmony: {progression: [Cm7, Fm7]}\nmelody: {contour: arch}\n"
    )
    code, payload = plan_json(capsys, prompt(body))
    assert code == 0
    extensions = payload["prompt"]["extensions"]  # type: ignore[index]
    assert extensions == {
        "X-Mood-Board": "rainy night",
        "Harmony": {"progression": ["Cm7", "Fm7"]},
        "melody": {"contour": "arch"},
    }


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Role: 5", "Role: must be a role name such as drums, or a list such as [drums, bass], "
         "got the number 5"),
        ("Role: [drums, true]", "Role: item 2: must be a role name"),
        ("Style: 7", "Style: must be a style such as 'lofi hip hop', got the number 7"),
        ("Tempo: fast", "Tempo: 'fast' is not a tempo"),
        ("Energy: 3", "Energy: '3' is not an energy level"),
    ],
)  # fmt: skip
def test_wrongly_typed_values_name_the_field_and_what_was_expected(
    body: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, payload = plan_json(capsys, prompt(body + "\n"))
    assert code == 2
    details = payload["error"]["details"]  # type: ignore[index]
    assert any(d.startswith(expected) for d in details), details


def test_mode_first_key_and_808_are_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    code, payload = plan_json(capsys, prompt("Key: Dorian D\nRole: [808, drums]\n"))
    assert code == 0
    assert payload["key"] == "D dorian"
    assert payload["prompt"]["roles"] == ["808", "drums"]  # type: ignore[index]


def test_after_last_is_the_last_kind_not_a_section(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "project.json"
    project.write_text(
        json.dumps(
            {
                "tempo": 90,
                "sections": [
                    {"name": "intro", "startBeat": 0, "lengthBeats": 16},
                    {"name": "verse", "startBeat": 16, "lengthBeats": 32},
                ],
                "tracks": [
                    {
                        "id": "t1",
                        "name": "Bass",
                        "regions": [{"name": "verse", "startBeat": 0, "durationBeats": 48}],
                    }
                ],
            }
        )
    )
    for body, start in (
        ("After: last", 48.0),
        ("After: last + 4", 52.0),
        ("Position: after verse + 1 bar", 52.0),
        ("Position: at bar 9 + 2", 34.0),
        ("After: bar 8", 32.0),
    ):
        code, payload = plan_json(
            capsys, prompt(body + "\nRole: [bass]\n"), "--project", str(project)
        )
        assert code == 0, (body, payload)
        assert payload["startBeat"] == start, body
    code, payload = plan_json(
        capsys, prompt("Section: fill\nAfter: bridge\n"), "--project", str(project)
    )
    assert code == 2
    message = payload["error"]["message"]  # type: ignore[index]
    assert "section 'bridge' is not in the project; known sections: 'intro', 'verse'" in message
    code, payload = plan_json(
        capsys,
        "MAESTRO PROMPT\nMode: compose\nAfter: intro\nConstraints: {sections: [intro, verse]}",
    )
    assert code == 0
    assert payload["startBeat"] == 0.0


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(known_fields(TOP_LEVEL_NAMES)), st.data())
def test_a_one_letter_typo_of_a_field_is_never_silently_kept(
    field: str, data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(field) - 1))
    typo = field[:index] + field[index + 1 :]
    known = {k.lower() for k in known_fields(TOP_LEVEL_NAMES)}
    if typo.lower() in known or len(typo) < 2:
        return
    with pytest.raises(InvalidMaestroPrompt) as caught:
        parse_prompt(f"MAESTRO PROMPT\nMode: compose\n{typo}: 1")
    assert any(d.startswith(f"{typo}: unknown field;") for d in caught.value.details)


@settings(max_examples=80, deadline=None)
@given(
    bar=st.integers(1, 500),
    offset=st.integers(0, 64),
    unit=st.sampled_from(["", " beats", " bars"]),
    sign=st.sampled_from(["+", "-"]),
)
def test_positions_keep_their_offsets(bar: int, offset: int, unit: str, sign: str) -> None:
    beats = offset * (4 if unit == " bars" else 1) * (1 if sign == "+" else -1)
    last = parse_prompt(f"MAESTRO PROMPT\nMode: compose\nAfter: last {sign} {offset}{unit}")
    assert last is not None
    assert last.position is not None
    assert (last.position.kind, last.position.ref, last.position.offset) == ("last", None, beats)
    text = f"MAESTRO PROMPT\nMode: compose\nPosition: at bar {bar} {sign} {offset}{unit}"
    expected = (bar - 1) * 4 + beats
    if expected < 0:
        with pytest.raises(InvalidMaestroPrompt):
            parse_prompt(text)
        return
    absolute = parse_prompt(text)
    assert absolute is not None
    assert absolute.position is not None
    assert (absolute.position.kind, absolute.position.beat) == ("absolute", expected)
    again = type(absolute.position).from_dict(absolute.position.to_dict())
    assert again == absolute.position
