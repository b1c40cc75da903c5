"""The main job (``make demo``) and the CLI shell around it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from maestro_lab.cli import PLANNED, main, planned_commands
from maestro_lab.demo import demo_score, run_demo
from storpheus.io import read_midi


def test_run_demo_writes_midi_and_a_piano_roll_and_round_trips(tmp_path: Path) -> None:
    result = run_demo(tmp_path)
    assert result.round_trip_exact
    assert result.midi_path.exists()
    assert result.pianoroll_path is not None
    assert result.pianoroll_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    score = read_midi(result.midi_path)
    assert [t.role for t in score.tracks] == ["chords", "bass", "drums"]
    assert score.tracks[2].channel == 9
    assert result.n_notes == demo_score().n_notes


def test_demo_command_prints_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--out", str(tmp_path), "--no-plot", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["roundTripExact"] is True
    assert payload["pianorollPath"] is None
    assert Path(payload["midiPath"]).exists()


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for name in ("demo", *PLANNED):
        assert name in out


def test_commands_not_yet_built_say_so_with_exit_code_2(capsys: pytest.CaptureFixture[str]) -> None:
    for name in planned_commands():
        assert name in PLANNED
        assert main([name]) == 2
        assert "not yet available" in capsys.readouterr().err
