"""maestro-lab plan and maestro-lab schema."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from maestro_lab.cli import main
from maestro_lab.planner import CompositionPlan, plan

PROMPT = """MAESTRO PROMPT
Mode: compose
Style: boom bap
Key: Am
Role: [drums, bass, piano]
Constraints: {bars: 8}
"""


@pytest.fixture
def prompt_file(tmp_path: Path) -> Path:
    path = tmp_path / "verse.maestro"
    path.write_text(PROMPT, encoding="utf-8")
    return path


def test_plan_prints_a_readable_preview(
    prompt_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", str(prompt_file), "--seed", "3"]) == 0
    out = capsys.readouterr().out
    expected = plan(PROMPT, seed=3)
    assert f"Plan {expected.plan_hash[:12]}" in out
    assert "boom_bap | 90 BPM | A minor" in out
    assert "create track; 4 region(s) + generation(s): intro, verse, hook, outro" in out
    assert out.strip().endswith(f"plan valid; plan hash {expected.plan_hash}")


def test_plan_json_is_the_lossless_plan(
    prompt_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", str(prompt_file), "--seed", "3", "--json", "--candidates", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    loaded = CompositionPlan.from_dict(data)
    assert loaded == plan(PROMPT, seed=3, num_candidates=2)
    assert data["numCandidates"] == 2


def test_plan_wire_prints_the_reference_shape(
    prompt_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", str(prompt_file), "--wire"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"generations", "edits", "mix", "explanation"}
    assert len(data["generations"]) == 12


def test_plan_reads_stdin_and_a_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "project.json"
    project.write_text(json.dumps({"tempo": 90, "key": "A minor"}), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO(PROMPT))
    assert main(["plan", "-", "--project", str(project), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert not [c for c in data["toolCalls"] if c["phase"] == "setup"]


def test_plan_natural_language_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "idea.txt"
    path.write_text("write a jazz ballad in Bb major with piano and upright bass", encoding="utf-8")
    assert main(["plan", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["style"], data["key"]) == ("jazz", "Bb major")
    assert [r["trackName"] for r in data["roles"]] == ["Piano", "Upright Bass"]


def test_plan_reports_every_prompt_problem_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.maestro"
    path.write_text("MAESTRO PROMPT\nMode: sing\nTempo: 900\n", encoding="utf-8")
    assert main(["plan", str(path)]) == 2
    err = capsys.readouterr().err
    assert "invalid MAESTRO PROMPT" in err
    assert "Mode: 'sing' is not a mode" in err
    assert "Tempo: 900 BPM is outside 20-300" in err
    assert main(["plan", str(path), "--json"]) == 2
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["type"] == "InvalidMaestroPrompt"
    assert len(error["details"]) == 2


@pytest.mark.parametrize(
    ("argv_extra", "fragment"),
    [
        (["--seed", "-5"], "seed=-5"),
        (["--project", "/definitely/missing.json"], "cannot read project"),
    ],
)
def test_plan_bad_options_exit_2(
    prompt_file: Path, argv_extra: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", str(prompt_file), *argv_extra]) == 2
    assert fragment in capsys.readouterr().err


def test_plan_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "/no/such/prompt"]) == 2
    assert "no prompt file" in capsys.readouterr().err


def test_plan_stori_header_is_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "old.txt"
    path.write_text("STORI PROMPT\nMode: compose\n", encoding="utf-8")
    assert main(["plan", str(path), "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["error"]["type"] == "UnsupportedPromptHeader"


def test_schema_prints_all_schemas(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"prompt", "parsed-prompt", "plan", "plan-wire"}
    assert data["plan"]["title"] == "Maestro Lab composition plan"


def test_schema_one_name_list_and_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "prompt"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "MAESTRO PROMPT body"
    assert main(["schema", "--list", "--json"]) == 0
    assert "plan-wire" in json.loads(capsys.readouterr().out)
    assert main(["schema", "--out", str(tmp_path / "s"), "--json"]) == 0
    written = json.loads(capsys.readouterr().out)["written"]
    assert sorted(Path(p).name for p in written) == [
        "parsed-prompt.schema.json",
        "plan-wire.schema.json",
        "plan.schema.json",
        "prompt.schema.json",
    ]


def test_schema_unknown_name_is_an_argparse_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["schema", "nope"])
    assert info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_plan_accepts_prompt_text_like_compose(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", PROMPT, "--seed", "3", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["planHash"] == plan(PROMPT, seed=3).plan_hash


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("MAESTRO PROMPT\nStyle: café\n".encode("latin-1"), "is not UTF-8 text (byte 0xe9"),
        (b"\x00\x01\x02MThd", "is binary (a NUL byte at offset 0)"),
    ],
    ids=["latin-1", "binary"],
)
def test_plan_refuses_text_that_is_not_utf8_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, message: str
) -> None:
    path = tmp_path / "prompt.txt"
    path.write_bytes(data)
    assert main(["plan", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_plan_names_a_missing_prompt_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "missing/prompt.txt", "--json"]) == 2
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["type"] == "PromptReadError"
    assert "no prompt file 'missing/prompt.txt'" in error["message"]
