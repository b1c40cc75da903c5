"""``maestro-lab`` starts without its heavy dependencies; ``compose`` draws only when asked."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from maestro_lab.cli import main

HEAVY = ("pandas", "pyarrow", "matplotlib", "duckdb", "pydantic", "numpy", "maestro_lab.planner")
SMALL = "MAESTRO PROMPT\nMode: compose\nRole: [bass]\nConstraints: {bars: 2, candidates: 1}\n"


def test_building_the_parser_imports_no_heavy_module() -> None:
    code = (
        "import sys; from maestro_lab.cli import build_parser; build_parser(); "
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_limit_help_still_names_the_default_limits(capsys: pytest.CaptureFixture[str]) -> None:
    from maestro_lab.planner.cost import DEFAULT_LIMITS

    with pytest.raises(SystemExit):
        main(["compose", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert f"max_bars={DEFAULT_LIMITS.max_bars}," in out
    assert f"max_candidate_bars={DEFAULT_LIMITS.max_candidate_bars})" in out
    assert "--plot" in out


@pytest.mark.parametrize("flags", [[], ["--plot"]])
def test_compose_draws_the_piano_roll_only_with_plot(
    flags: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, out = tmp_path / "song.duckdb", tmp_path / "out"
    args = ["compose", SMALL, "--db", str(db), "--out", str(out), "--no-progress", "--json"]
    assert main([*args, *flags]) == 0
    payload = json.loads(capsys.readouterr().out)
    midi = Path(payload["midiPath"])
    assert midi.is_file()
    pngs = sorted(out.glob("*.png"))
    if flags:
        assert pngs == [midi.with_suffix(".png")]
        assert payload["pianorollPath"] == str(pngs[0])
        assert pngs[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert pngs == []
        assert payload["pianorollPath"] is None


def test_text_output_reports_the_commit_before_the_roll(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["compose", SMALL, "--db", str(tmp_path / "s.duckdb"), "--out", str(tmp_path / "o")]
    assert main([*args, "--no-progress", "--plot"]) == 0
    lines = capsys.readouterr().out.splitlines()
    heads = [line.split()[0] for line in lines if line.strip()]
    assert heads[0] == "commit"
    assert heads[-1] == "roll"
    assert Path(lines[-1].split(None, 1)[1]).is_file()
