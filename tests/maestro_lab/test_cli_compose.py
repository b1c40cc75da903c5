"""maestro-lab compose / reproduce / rescore / runs: output, JSON, exit codes, bad input."""

from __future__ import annotations

import io
import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from maestro_lab.cli import main, planned_commands
from maestro_lab.cli.compose import read_prompt
from maestro_lab.runtime import session as session_module
from maestro_lab.runtime.backends_registry import register_backend, unregister_backend
from muse_duckdb import Repository
from storpheus.backends.testing import SeededTestBackend
from tests.maestro_lab.compose_fixtures import SMALL_PROMPT, WOBBLE, WobblyBackend, lock_held


@pytest.fixture
def prompt(tmp_path: Path) -> Path:
    path = tmp_path / "prompt.txt"
    path.write_text(SMALL_PROMPT)
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "lab.duckdb"


@pytest.fixture
def failing() -> Iterator[str]:
    register_backend("failing-test", lambda: SeededTestBackend(fail_after=2), replace=True)
    yield "failing-test"
    unregister_backend("failing-test")


def _json(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    out = json.loads(capsys.readouterr().out)
    assert isinstance(out, dict)
    return out


def _compose(prompt: Path, db: Path, *extra: str) -> list[str]:
    out = ["--no-midi"] if "--out" not in extra else []
    return ["compose", str(prompt), "--db", str(db), "--seed", "4", "--no-progress", *out, *extra]


def test_runtime_commands_are_registered_not_planned() -> None:
    planned = planned_commands()
    for name in ("compose", "reproduce", "rescore", "runs"):
        assert name not in planned


def test_compose_prints_commit_snapshot_midi_and_a_score_table(
    prompt: Path, db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(_compose(prompt, db, "--out", str(tmp_path / "midi")))
    out = capsys.readouterr().out
    assert code == 0
    head = Repository.open(db, "default").head().commit_id
    assert head is not None
    assert f"commit    {head}" in out
    midi = next((tmp_path / "midi").glob("*.mid"))
    assert f"midi      {midi}" in out
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("role"))
    assert [line.split()[0] for line in lines[header + 2 : header + 5]] == [
        "drums",
        "bass",
        "chords",
    ]


def test_compose_json_and_live_progress_lines(
    prompt: Path, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["compose", str(prompt), "--db", str(db), "--seed", "4", "--no-midi", "--json"])
    captured = capsys.readouterr()
    payload = json.loads(captured.out)
    assert code == 0
    assert payload["commitId"] == Repository.open(db, "default").head().commit_id
    assert len(payload["cards"]) == 6
    args = ["compose", str(prompt), "--db", str(db), "--seed", "5", "--workers", "2", "--no-midi"]
    code = main(args)  # live progress on stderr (one line per section off a terminal)
    status = capsys.readouterr().err
    assert code == 0
    assert status.count("candidates  best") == 6


def test_prompt_text_and_stdin_are_accepted(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert read_prompt(SMALL_PROMPT) == SMALL_PROMPT
    monkeypatch.setattr("sys.stdin", io.StringIO(SMALL_PROMPT))
    assert main(["compose", "-", "--db", str(db), "--json", "--no-midi"]) == 0
    assert _json(capsys)["commitId"]


# ---------------------------------------------------------------- bad input
def test_invalid_prompt_exits_2_naming_the_field(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("MAESTRO PROMPT\nMode: compose\nTempo: 900\n")
    assert main(["compose", str(bad), "--db", str(db)]) == 2
    assert "Tempo: 900 BPM is outside 20-300" in capsys.readouterr().err
    assert main(["compose", str(bad), "--db", str(db), "--json"]) == 2
    error = _json(capsys)["error"]
    assert isinstance(error, dict)
    assert error["type"] == "InvalidMaestroPrompt"


def test_missing_prompt_file_exits_2(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compose", "prompts/nope.txt", "--db", str(db)]) == 2
    assert "no prompt file 'prompts/nope.txt'" in capsys.readouterr().err


def test_unknown_backend_exits_2_listing_the_known_ones(
    prompt: Path, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_compose(prompt, db, "--backend", "orpheus-typo")) == 2
    err = capsys.readouterr().err
    assert "unknown backend 'orpheus-typo'" in err
    assert "embedded" in err


def test_backend_failing_mid_run_exits_3_and_commits_nothing(
    prompt: Path, db: Path, failing: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_compose(prompt, db)) == 0
    before = Repository.open(db, "default").head().commit_id
    capsys.readouterr()
    assert main(_compose(prompt, db, "--backend", failing, "--json")) == 3
    error = _json(capsys)["error"]
    assert isinstance(error, dict)
    assert error["type"] == "AgentError"
    assert "injected failure" in str(error["message"])
    repo = Repository.open(db, "default")
    assert repo.head().commit_id == before
    assert repo.check_integrity().ok


def test_locked_database_exits_4_and_commits_nothing(
    prompt: Path, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_compose(prompt, db, "--no-midi")) == 0
    before = Repository.open(db, "default").head().commit_id
    capsys.readouterr()
    with lock_held(db):
        assert main(_compose(prompt, db, "--seed", "5", "--lock-timeout", "0.2")) == 4
    err = capsys.readouterr().err
    assert "database is locked" in err
    assert "nothing was committed" in err
    assert Repository.open(db, "default").head().commit_id == before


def test_read_only_database_exits_4(
    prompt: Path, db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(_compose(prompt, db)) == 0
    capsys.readouterr()
    monkeypatch.setattr(session_module.os, "access", lambda *_args: False)
    assert main(_compose(prompt, db, "--seed", "5")) == 4
    assert "not writable" in capsys.readouterr().err


@contextmanager
def _immutable(path: Path) -> Iterator[None]:
    """Make ``path`` truly unwritable, even for root (``chattr +i``), for the block."""
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"chattr +i is not permitted here: {done.stderr.decode().strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=False)


def test_really_read_only_database_file_exits_4_and_keeps_history(
    prompt: Path, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_compose(prompt, db, "--no-midi")) == 0
    before = Repository.open(db, "default").head().commit_id
    content = db.read_bytes()
    capsys.readouterr()
    with _immutable(db):
        assert main(_compose(prompt, db, "--seed", "5", "--no-midi")) == 4
        err = capsys.readouterr().err
        assert str(db) in err
        assert "not writable" in err
    assert db.read_bytes() == content
    assert Repository.open(db, "default").head().commit_id == before


# --------------------------------------------------------- other commands
@pytest.fixture
def committed(prompt: Path, db: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(_compose(prompt, db, "--json", "--no-midi")) == 0
    return _json(capsys)


def test_reproduce_runs_and_rescore_from_the_command_line(
    db: Path, committed: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    commit, run = str(committed["commitId"]), str(committed["runId"])
    assert main(["reproduce", commit[:10], "--db", str(db), "--json"]) == 0
    reproduced = _json(capsys)
    assert reproduced["ok"] is True
    assert reproduced["reproducedSnapshotId"] == committed["snapshotId"]
    assert main(["runs", "--db", str(db), "--json"]) == 0
    runs = _json(capsys)["runs"]
    assert isinstance(runs, list)
    assert [(r["runId"], r["commitId"], r["status"]) for r in runs] == [(run, commit, "completed")]
    assert main(["rescore", run, "--scorer", "default", "--db", str(db), "--json"]) == 0
    rescored = _json(capsys)
    assert (rescored["generations"], rescored["changed"]) == (6, 0)
    assert main(["rescore", run, "--scorer", "default", "--db", str(db)]) == 0
    assert "0 of 6 choices change" in capsys.readouterr().out
    assert main(["runs", "--db", str(db)]) == 0
    assert commit[:12] in capsys.readouterr().out


def test_reproduce_exits_1_listing_what_differs(
    prompt: Path, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    register_backend("wobbly", WobblyBackend, replace=True)
    try:
        assert main(_compose(prompt, db, "--backend", "wobbly", "--json", "--no-midi")) == 0
        commit = str(_json(capsys)["commitId"])
        WOBBLE["bass"] = True
        assert main(["reproduce", commit, "--db", str(db)]) == 1
        out = capsys.readouterr().out
        assert "DIFFERENT" in out
        assert "bass/verse" in out
        assert "bass/chorus" in out
    finally:
        WOBBLE["bass"] = False
        unregister_backend("wobbly")


@pytest.mark.parametrize("command", ["reproduce abc123", "rescore run-x --scorer default", "runs"])
def test_commands_on_a_missing_database_exit_2(
    tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [*command.split(), "--db", str(tmp_path / "none.duckdb")]
    assert main(args) == 2
    assert "no such file" in capsys.readouterr().err


def test_unknown_commit_and_run_exit_2(
    db: Path, committed: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["reproduce", "deadbeef", "--db", str(db)]) == 2
    assert "deadbeef" in capsys.readouterr().err
    assert main(["rescore", "run-nope", "--scorer", "default", "--db", str(db), "--json"]) == 2
    error = _json(capsys)["error"]
    assert isinstance(error, dict)
    assert error["type"] == "UnknownRunError"
