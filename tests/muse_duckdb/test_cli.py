from __future__ import annotations

import json
from pathlib import Path

import pytest

from muse_duckdb.cli import build_parser, main
from storpheus.identity import content_id
from storpheus.io import read_midi, write_midi
from storpheus.notes import NoteArray
from storpheus.score import Score, Track


def take(path: Path, bass_velocity: int = 90, extra: tuple[int, ...] = ()) -> Path:
    bass = Track(
        "Bass",
        NoteArray([36, 38, 40, *extra], bass_velocity, [0.0, 4.0, 8.0] + [10.0] * len(extra), 1.0),
        program=33,
    )
    keys = Track("Keys", NoteArray([60, 64, 67], 80, [0.0, 0.0, 0.0], 4.0))
    write_midi(Score((bass, keys), bpm=100), path)
    return path


def run(capsys, db: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, db: Path, *argv: str) -> tuple[int, dict]:
    code, out, _err = run(capsys, db, *argv, "--json")
    return code, json.loads(out)


def test_every_command_has_help_and_accepts_json():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    names = set(sub.choices)
    assert {
        "init",
        "commit",
        "log",
        "graph",
        "status",
        "diff",
        "branch",
        "checkout",
        "merge",
        "tag",
        "show",
        "blame",
        "history",
        "export",
        "import",
    } <= names
    for name, cmd in sub.choices.items():
        assert "--json" in cmd.format_help(), name
        assert cmd.description, name


def test_commit_log_diff_and_show_round_trip(tmp_path, capsys):
    db = tmp_path / "song.duckdb"
    assert run(capsys, db, "init")[0] == 0
    code, first = run_json(
        capsys,
        db,
        "commit",
        str(take(tmp_path / "v1.mid")),
        "-m",
        "first",
        "--author",
        "ada",
        "--meta",
        "seed=42",
        "--meta",
        "run_id=r1",
    )
    assert code == 0
    assert first["commit"]["metadata"] == {"run_id": "r1", "seed": 42}
    assert first["state"]["notes"] == 6
    run(
        capsys,
        db,
        "commit",
        str(take(tmp_path / "v2.mid", extra=(43,))),
        "-m",
        "second",
        "--author",
        "agent:bass",
    )
    code, log = run_json(capsys, db, "log")
    assert [c["message"] for c in log["commits"]] == ["second", "first"]
    assert log["commits"][0]["authorKind"] == "agent"
    code, diff = run_json(capsys, db, "diff", "HEAD~1", "HEAD")
    assert diff["counts"]["added"] == 1
    assert diff["regions"][0]["regionId"] == "bass/main"
    code, text, _ = run(capsys, db, "diff", "--notes")
    assert "+ pitch 43 at beat 10" in text
    code, shown = run_json(capsys, db, "show", "HEAD")
    assert shown["commit"]["message"] == "second"
    code, text, _ = run(capsys, db, "log", "--oneline")
    assert text.splitlines()[0].endswith("(HEAD, main) second")


def test_branch_checkout_merge_conflict_and_strategy(tmp_path, capsys):
    db = tmp_path / "song.duckdb"
    run(capsys, db, "init")
    run(capsys, db, "commit", str(take(tmp_path / "v1.mid")), "-m", "base")
    run(capsys, db, "commit", str(take(tmp_path / "v2.mid", extra=(43,))), "-m", "loud 43")
    assert run(capsys, db, "branch", "idea", "HEAD~1")[0] == 0
    code, result = run_json(capsys, db, "checkout", "idea")
    assert result["branch"] == "idea"
    soft = take(tmp_path / "v3.mid", bass_velocity=90, extra=(43,))
    soft_score = read_midi(soft)
    write_midi(
        Score(
            (
                Track(
                    "Bass",
                    NoteArray([36, 38, 40, 43], [90, 90, 90, 50], [0, 4, 8, 10], 1.0),
                    program=33,
                ),
                soft_score.tracks[1],
            ),
            bpm=100,
        ),
        soft,
    )
    run(capsys, db, "commit", str(soft), "-m", "soft 43")
    run(capsys, db, "checkout", "main")
    code, payload = run_json(capsys, db, "merge", "idea")
    assert code == 1
    assert payload["error"]["type"] == "MergeConflictError"
    (conflict,) = payload["error"]["conflicts"]
    assert conflict["kind"] == "note_add_add"
    assert conflict["pitch"] == 43
    assert conflict["beat"] == 10.0
    code, merged = run_json(capsys, db, "merge", "idea", "--strategy", "theirs")
    assert code == 0
    assert merged["status"] == "merged"
    code, graph = run_json(capsys, db, "graph")
    assert set(graph) == {"projectId", "head", "nodes"}
    assert graph["nodes"][-1]["parent2"] is not None
    assert graph["nodes"][-1]["isHead"] is True
    code, text, _ = run(capsys, db, "graph")
    assert text.splitlines()[1] == "|\\"


def test_blame_history_tag_export_and_check(tmp_path, capsys):
    db = tmp_path / "song.duckdb"
    run(capsys, db, "init")
    run(capsys, db, "commit", str(take(tmp_path / "v1.mid")), "-m", "first", "--author", "ada")
    run(
        capsys,
        db,
        "commit",
        str(take(tmp_path / "v2.mid", extra=(43,))),
        "-m",
        "second",
        "--author",
        "bob",
    )
    code, blame = run_json(capsys, db, "blame", "bass")
    assert [n["author"] for n in blame["notes"]] == ["ada", "ada", "ada", "bob"]
    code, history = run_json(capsys, db, "history", "bass/main")
    assert [v["notes"] for v in history["versions"]] == [3, 4]
    assert run(capsys, db, "tag", "stage:demo")[0] == 0
    code, tags = run_json(capsys, db, "tag")
    assert code == 0
    assert list(tags["tags"]) == ["stage:demo"]
    out = tmp_path / "export.mid"
    assert run(capsys, db, "export", "stage:demo", "-o", str(out))[0] == 0
    assert content_id(read_midi(out)) == content_id(read_midi(tmp_path / "v2.mid"))
    code, report = run_json(capsys, db, "check", "--deep")
    assert code == 0
    assert report["ok"] is True


def test_import_commit_folder_of_stems_and_status(tmp_path, capsys):
    db = tmp_path / "song.duckdb"
    run(capsys, db, "init")
    files = [take(tmp_path / f"v{i}.mid", bass_velocity=60 + i) for i in range(3)]
    code, imported = run_json(capsys, db, "import", *map(str, files), "--no-progress")
    assert [c["message"] for c in imported["imported"]] == [f"import v{i}.mid" for i in range(3)]
    stems = tmp_path / "stems"
    stems.mkdir()
    write_midi(
        Score((Track("x", NoteArray([36], 90, [0.0], 1.0), is_drum=True),), bpm=100),
        stems / "drums.mid",
    )
    write_midi(Score((Track("y", NoteArray([48], 90, [0.0], 1.0)),), bpm=90), stems / "pad.mid")
    code, committed = run_json(capsys, db, "commit", str(stems), "-m", "stems")
    assert committed["state"]["tracks"] == 2
    assert "tempo 90" in committed["warnings"][0]
    code, status = run_json(capsys, db, "status", str(files[0]))
    assert code == 0
    assert status["dirty"] is True
    code, status = run_json(capsys, db, "status")
    assert code == 0
    assert status["dirty"] is False


def test_errors_are_typed_with_exit_code_2_and_nothing_is_lost(tmp_path, capsys):
    db = tmp_path / "song.duckdb"
    code, _, err = run(capsys, db, "log")
    assert code == 2
    assert "run `muse --db PATH init` first" in err
    run(capsys, db, "init")
    run(capsys, db, "commit", str(take(tmp_path / "v1.mid")), "-m", "kept")
    broken = tmp_path / "broken.mid"
    broken.write_bytes(b"MThd\x00\x00\x00\x06\x00\x01")
    code, payload = run_json(capsys, db, "commit", str(broken), "-m", "bad")
    assert code == 2
    assert payload["error"]["type"] == "MidiFileError"
    assert payload["error"]["path"] == str(broken)
    code, payload = run_json(capsys, db, "checkout", "nope")
    assert code == 2
    assert payload["error"] == {
        "type": "RefNotFoundError",
        "message": "unknown ref 'nope' in project 'default'",
        "ref": "nope",
    }
    code, payload = run_json(capsys, db, "commit", str(tmp_path / "v1.mid"), "-m", "again")
    assert code == 1
    assert payload["error"]["type"] == "NothingToCommitError"
    code, log = run_json(capsys, db, "log")
    assert [c["message"] for c in log["commits"]] == ["kept"]


def test_no_command_prints_help(capsys):
    assert main([]) == 0
    assert "version control for music" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["merge"], ["commit", "x.mid"], ["blame"]])
def test_missing_arguments_are_usage_errors(argv):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
