"""PromptEditor: live validation with problems per field; an invalid prompt commits nothing."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from maestro_lab.lab import Lab, PromptEditor, check_prompt

from .conftest import PROMPT

BASE = "MAESTRO PROMPT\nMode: compose\nStyle: house\nRole: [drums, bass]\n"


def test_editing_the_prompt_revalidates_and_tells_listeners() -> None:
    editor = PromptEditor(None, PROMPT)
    seen = []
    editor.on_change(seen.append)
    assert editor.check.valid
    assert editor.check.fields["key"] == "A minor"
    assert set(editor.check.emotion) == {"energy", "valence", "tension", "intimacy", "motion"}
    bad = editor.set_text(PROMPT.replace("Tempo: 78", "Tempo: 900"))
    assert not bad.valid
    assert bad.problems_by_field() == {"Tempo": ["900 BPM is outside 20-300"]}
    assert bad.plan is None
    good = editor.set_text(PROMPT)
    assert good.valid
    assert [c.valid for c in seen] == [False, True]


def test_every_problem_is_shown_with_its_field() -> None:
    check = check_prompt(BASE + "Tempo: 5\nKey: H\n")
    fields = check.problems_by_field()
    assert set(fields) == {"Tempo", "Key"}
    assert "H" in fields["Key"][0]


def test_an_empty_or_unparsable_prompt_is_reported_not_raised() -> None:
    assert check_prompt("   ").problems[0].message == "the prompt is empty"
    broken = check_prompt("MAESTRO PROMPT\nMode: compose\nTempo: [\n")
    assert not broken.valid
    assert broken.problems[0].field == "body"


def test_an_invalid_prompt_shows_its_errors_and_commits_nothing(tmp_path: Path) -> None:
    lab = Lab(tmp_path / "lab.duckdb")
    editor = PromptEditor(lab, PROMPT.replace("Key: Am", "Key: H"))
    assert not editor.check.valid
    assert "Key" in editor.check.problems_by_field()
    assert editor.compose() is None
    assert not (tmp_path / "lab.duckdb").exists()


def test_a_valid_prompt_composes_and_commits(tmp_path: Path) -> None:
    lab = Lab(tmp_path / "lab.duckdb")
    editor = PromptEditor(lab, PROMPT, seed=1, candidates=2)
    result = editor.compose()
    assert result is not None
    assert lab.head() == ("main", result.commit_id)


@given(tempo=st.integers(min_value=-50, max_value=500))
def test_tempo_is_valid_exactly_inside_the_midi_range(tempo: int) -> None:
    check = check_prompt(BASE + f"Tempo: {tempo}\n")
    assert check.valid == (20 <= tempo <= 300)
    if not check.valid:
        assert "Tempo" in check.problems_by_field()
    else:
        assert check.fields["tempo"] == str(tempo)
