"""Honest exit codes and no litter for ``maestro-lab compose``, end to end through the CLI.

Once the commit succeeded the exit code is 0 even when the MIDI file cannot be
written (a warning says so and how to write it later, and that command works);
a compose that fails before running leaves no database file or folder.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from maestro_lab.cli import main
from muse_duckdb import Repository

SMALL = "MAESTRO PROMPT\nMode: compose\nRole: [bass]\nConstraints: {bars: 2, candidates: 1}\n"


def test_commit_stands_when_the_midi_folder_cannot_be_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the output folder should be")
    db = tmp_path / "song.duckdb"
    code = main(
        [
            "compose",
            SMALL,
            "--db",
            str(db),
            "--out",
            str(blocker / "midi"),
            "--no-progress",
            "--json",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    payload = json.loads(captured.out)
    assert payload["midiPath"] is None
    commit = payload["commitId"]
    (warning,) = payload["warnings"]
    assert f"committed {commit[:12]}, but the MIDI file could not be written" in warning
    assert "warning: committed" in captured.err
    later = warning.split("write it later with: ", 1)[1]
    assert later.startswith(f"muse --db {db} export {commit[:12]} -o OUT.mid")
    with Repository.open(db) as repo:
        assert repo.resolve("HEAD") == commit
    # the command the warning gives writes the file
    from muse_duckdb.cli import main as muse_main

    out = tmp_path / "later.mid"
    assert (
        muse_main(["--db", str(db), "export", commit[:12], "-o", str(out), "--drop-aftertouch"])
        == 0
    )
    assert out.stat().st_size > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["MAESTRO PROMPT\nMode: compose\nTempo: 900"], "Tempo: 900 BPM is outside 20-300"),
        ([SMALL, "--backend", "nosuch"], "unknown backend 'nosuch'"),
        (["MAESTRO PROMPT\nMode: ask\nRequest: why?"], ""),
    ],
)
def test_a_compose_failing_before_it_runs_leaves_no_database(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "new" / "deeper" / "song.duckdb"
    code = main(["compose", *args, "--db", str(db), "--out", str(tmp_path / "out")])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "new").exists()
    assert not (tmp_path / "out").exists()


def test_commit_stands_when_the_piano_roll_cannot_be_drawn(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import maestro_lab.viz.pianoroll as pianoroll

    def disk_full(*_args: object, **_kwargs: object) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pianoroll, "save_pianoroll", disk_full)
    db = tmp_path / "song.duckdb"
    out = tmp_path / "out"
    code = main(["compose", SMALL, "--db", str(db), "--out", str(out), "--no-progress", "--plot"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "the piano roll could not be drawn" in captured.err
    assert "No space left on device" in captured.err
    commit = next(
        line.split()[1] for line in captured.out.splitlines() if line.startswith("commit")
    )
    assert (out / f"{commit[:12]}.mid").stat().st_size > 0
    with Repository.open(db) as repo:
        assert repo.resolve("HEAD") == commit
