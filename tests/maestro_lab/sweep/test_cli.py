"""``maestro-lab sweep``: help with exit codes, JSON output, spec errors, failed cells."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from maestro_lab.cli import main
from tests.maestro_lab.sweep.conftest import BROKEN_SCORER, write_spec


def test_help_lists_the_options_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["sweep", "--help"])
    assert info.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    for option in ("--db", "--workers", "--scheduler", "--resume", "--fail-fast", "--notebook"):
        assert option in out
    for code in ("0 every cell completed", "1 some cells failed", "2 bad input", "3 a cell failed"):
        assert code in out


def test_the_command_starts_without_loading_the_runtime_or_dask() -> None:
    code = (
        "import sys; from maestro_lab.cli import build_parser; build_parser(); "
        "print(sorted(m for m in ('duckdb', 'distributed', 'maestro_lab.runtime.session', "
        "'maestro_lab.sweep.runner') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_an_invalid_spec_exits_2_naming_key_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write_spec(tmp_path, "bad", "name: bad\nprompt_file: prompt.txt\nseeds: [1, 1]\n")
    assert main(["sweep", str(spec), "--db", str(tmp_path / "x.duckdb")]) == 2
    assert "line 3: seeds: seeds lists 1 twice" in capsys.readouterr().err
    assert main(["sweep", str(spec), "--json"]) == 2
    payload = json.loads(capsys.readouterr().out)
    assert payload["problems"] == [{"key": "seeds", "line": 3, "message": "seeds lists 1 twice"}]
    assert not (tmp_path / "x.duckdb").exists()


@pytest.mark.slow
def test_failed_cells_exit_1_with_their_tracebacks_in_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "broken.py").write_text(BROKEN_SCORER, encoding="utf-8")
    spec = write_spec(
        tmp_path,
        "mixed",
        "name: mixed\nprompt_file: prompt.txt\nseeds: [1]\ncandidates: 1\n"
        "grid: {scorer: [default, 'broken:scorer']}\n",
    )
    db = tmp_path / "mixed.duckdb"
    assert main(["sweep", str(spec), "--db", str(db), "--workers", "1", "--json"]) == 1
    payload = json.loads(capsys.readouterr().out)
    assert (payload["cells"], payload["completed"], payload["failed"]) == (2, 1, 1)
    (failure,) = payload["failures"]
    assert failure["error"] == "RuntimeError: this scorer is broken on purpose"
    assert "Traceback (most recent call last)" in failure["traceback"]
    assert main(["sweep", str(spec), "--db", str(db), "--workers", "1", "--resume"]) == 1
    out = capsys.readouterr().out
    assert "(resumed)" in out
    assert "1 skipped; 1 ran" in out
