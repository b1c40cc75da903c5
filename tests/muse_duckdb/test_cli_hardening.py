"""End-to-end checks of the ``muse`` CLI's hardening: exit code, message, database state.

Each test drives the real command line (in process through ``main``, or as a
subprocess where pipes, signals, limits or other processes matter) and then
reads the database back.
"""

from __future__ import annotations

import dataclasses
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from muse_duckdb import Repository
from muse_duckdb.cli import build_parser, main
from muse_duckdb.cli.output import EXIT_PIPE, EXIT_STORAGE
from storpheus.io import write_midi
from storpheus.notes import NoteArray
from storpheus.score import Score, Track

ROOT = Path(__file__).resolve().parents[2]
MUSE = [sys.executable, "-c", "import sys; from muse_duckdb.cli import main; sys.exit(main())"]


def take(path: Path, velocity: int = 90, pitches: tuple[int, ...] = (36, 38, 40)) -> Path:
    notes = NoteArray(list(pitches), velocity, [float(2 * i) for i in range(len(pitches))], 0.5)
    write_midi(Score((Track("Bass", notes, program=33),), bpm=100), path)
    return path


def run(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> tuple[int, dict]:
    code, out, _ = run(capsys, db, *argv, "--json")
    return code, json.loads(out)


def start(tmp_path: Path, capsys: pytest.CaptureFixture[str], n: int = 1) -> Path:
    db = tmp_path / "song.duckdb"
    assert run(capsys, db, "init")[0] == 0
    for i in range(n):
        code, _, err = run(capsys, db, "commit", str(take(tmp_path / f"t{i}.mid", 60 + i)),
                           "-m", f"take {i}")  # fmt: skip
        assert code == 0, err
    return db


def test_branch_delete_refuses_an_unmerged_branch_unless_forced(tmp_path, capsys):
    db = start(tmp_path, capsys)
    assert run(capsys, db, "branch", "idea")[0] == 0
    assert run(capsys, db, "branch", "merged")[0] == 0
    code, _, err = run(capsys, db, "commit", str(take(tmp_path / "x.mid", 99)), "-m", "idea",
                       "--branch", "idea")  # fmt: skip
    assert code == 0, err
    code, _, err = run(capsys, db, "branch", "-d", "idea")
    assert code == 1
    assert "not merged" in err
    assert "-D" in err
    assert "idea" in Repository.open(db).branches()
    assert run(capsys, db, "branch", "-d", "merged")[0] == 0  # its commits are on main
    code, payload = run_json(capsys, db, "branch", "-D", "idea")
    assert code == 0
    assert payload == {"deleted": "idea"}
    assert set(Repository.open(db).branches()) == {"main"}


@pytest.mark.parametrize("flag", ["-n", "--limit", "--max-count"])
def test_a_negative_limit_is_a_usage_error(tmp_path, capsys, flag):
    db = start(tmp_path, capsys, 2)
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(db), "log", flag, "-1"])
    assert exit_info.value.code == 2
    assert "-1 is negative" in capsys.readouterr().err
    code, payload = run_json(capsys, db, "log", flag, "1")
    assert code == 0
    assert len(payload["commits"]) == 1
    with pytest.raises(ValueError, match="negative"):
        Repository.open(db).log(limit=-1)


def test_commit_refuses_devices_fifos_and_oversized_files(tmp_path, capsys):
    db = start(tmp_path, capsys)
    fifo = tmp_path / "pipe.mid"
    os.mkfifo(fifo)
    big = tmp_path / "big.mid"
    with open(big, "wb") as f:
        f.truncate(65 * 1024 * 1024)  # sparse: costs no disk
    for path, words in ((Path("/dev/zero"), "is a device"), (fifo, "is a FIFO"),
                        (big, "bytes are refused")):  # fmt: skip
        # a subprocess with a deadline: reading /dev/zero or a FIFO would never end
        out = subprocess.run(
            [*MUSE, "--db", str(db), "commit", str(path), "-m", "bad", "--json"],
            capture_output=True, text=True, timeout=60, cwd=ROOT, check=False,
        )  # fmt: skip
        assert out.returncode == 2, out.stderr
        error = json.loads(out.stdout)["error"]
        assert error["type"] == "InputFileError"
        assert words in error["message"]
    assert [c.message for c in Repository.open(db).log()] == ["take 0"]


def test_show_prints_metadata_as_readable_lines(tmp_path, capsys):
    db = start(tmp_path, capsys)
    code, _, err = run(capsys, db, "commit", str(take(tmp_path / "m.mid", 70)), "-m", "meta",
                       "--meta", "seed=7", "--meta", 'run={"id": "r1", "bars": 8}')  # fmt: skip
    assert code == 0, err
    code, out, _ = run(capsys, db, "show")
    assert code == 0
    assert "Metadata:\n  run:\n    bars: 8\n    id: r1\n  seed: 7\n" in out
    assert "{'" not in out  # no Python dict repr


def test_blame_lists_notes_in_time_order_with_readable_durations(tmp_path, capsys):
    from muse_duckdb import ProjectState, RegionState, TrackState

    db = tmp_path / "song.duckdb"
    repo = Repository.open(db)
    # a section across two tracks whose notes interleave: the table follows time, not track
    state = ProjectState(
        (TrackState("bass", "Bass", program=33), TrackState("keys", "Keys")),
        (
            RegionState("bass/verse", "bass", 0, 8, name="verse",
                        notes=NoteArray([36, 38], 90, [0.0, 2.0], 1.5)),
            RegionState("keys/verse", "keys", 0, 8, name="verse",
                        notes=NoteArray([60, 62], 80, [1.0, 3.0], 0.25)),
        ),
    )  # fmt: skip
    repo.commit(state, "two parts", author="ada")
    code, out, _ = run(capsys, db, "blame", "verse")
    assert code == 0
    body = out.splitlines()[2:-1]  # under the rule, above the footer
    cells = [line.split() for line in body]
    assert [(c[0], c[1], c[2]) for c in cells] == [
        ("0", "1", "1/2"),  # beat 0, 1 1/2 beats long, ...
        ("1", "1/4", "60"),
        ("2", "1", "1/2"),
        ("3", "1/4", "62"),
    ]
    assert "4 note(s) in time order" in out
    code, payload = run_json(capsys, db, "blame", "verse")
    assert [n["startBeat"] for n in payload["notes"]] == [0.0, 1.0, 2.0, 3.0]
    assert [n["regionId"] for n in payload["notes"]] == [
        "bass/verse", "keys/verse", "bass/verse", "keys/verse"
    ]  # fmt: skip


def test_revert_and_cherry_pick_from_the_cli(tmp_path, capsys):
    db = start(tmp_path, capsys, 2)
    repo = Repository.open(db)
    first, second = repo.log()[1], repo.log()[0]
    code, payload = run_json(capsys, db, "revert", "HEAD")
    assert code == 0
    assert payload["reverts"] == second.commit_id
    assert repo.snapshot().snapshot_id == first.snapshot_id
    code, payload = run_json(capsys, db, "cherry-pick", second.commit_id)
    assert code == 0
    assert payload["picked"] == second.commit_id
    assert repo.snapshot().snapshot_id == second.snapshot_id
    assert len(repo.log()) == 4


def test_variations_propose_accept_a_subset_and_discard(tmp_path, capsys):
    db = tmp_path / "song.duckdb"
    run(capsys, db, "init")
    base = Score(
        (
            Track("Bass", NoteArray([36, 38], 90, [0.0, 8.0], 1.0), program=33),
            Track("Keys", NoteArray([60, 64], 80, [0.0, 8.0], 2.0)),
        ),
        bpm=100,
    )
    write_midi(base, tmp_path / "base.mid")
    assert run(capsys, db, "commit", str(tmp_path / "base.mid"), "-m", "base")[0] == 0
    both = Score(
        (
            Track("Bass", NoteArray([36, 38, 43], 90, [0.0, 8.0, 12.0], 1.0), program=33),
            Track("Keys", NoteArray([60, 64, 67], 80, [0.0, 8.0, 12.0], 2.0)),
        ),
        bpm=100,
    )
    write_midi(both, tmp_path / "both.mid")
    code, v = run_json(capsys, db, "variations", "propose", str(tmp_path / "both.mid"),
                       "-m", "busier")  # fmt: skip
    assert code == 0
    phrases = {p["regionId"]: p["phraseId"] for p in v["phrases"]}
    assert len(phrases) == 2
    vid = v["variationId"]
    # a separate process sees it (the variation lives in the database)
    out = subprocess.run(
        [*MUSE, "--db", str(db), "variations", "show", vid, "--json"],
        capture_output=True, text=True, timeout=120, cwd=ROOT, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert [p["phraseId"] for p in json.loads(out.stdout)["phrases"]] == list(phrases.values())
    bass_phrase = next(pid for rid, pid in phrases.items() if rid.startswith("bass"))
    code, payload = run_json(capsys, db, "variations", "accept", vid, "--phrase", bass_phrase)
    assert code == 0
    assert payload["commit"]["acceptedPhraseIds"] == [bass_phrase]
    state = Repository.open(db).snapshot()
    assert sorted(state.track("bass").track_id for _ in [0]) == ["bass"]
    counts = {r.track_id: r.n_notes for r in state.regions}
    assert counts == {"bass": 3, "keys": 2}  # only the accepted phrase
    code, payload = run_json(capsys, db, "variations", "accept", vid)
    assert code == 2
    assert payload["error"]["type"] == "VariationStateError"
    code, v2 = run_json(capsys, db, "variations", "propose", str(tmp_path / "both.mid"),
                        "-m", "keys too")  # fmt: skip
    assert code == 0
    code, payload = run_json(capsys, db, "variations", "discard", v2["variationId"])
    assert code == 0
    code, listed = run_json(capsys, db, "variations", "list", "--all")
    assert [(x["intent"], x["status"]) for x in listed["variations"]] == [
        ("busier", "committed"),
        ("keys too", "discarded"),
    ]
    assert len(Repository.open(db).log()) == 2


def test_history_of_a_section_works_on_a_composed_project(tmp_path):
    import maestro_lab

    db = tmp_path / "song.duckdb"
    prompt = (
        "MAESTRO PROMPT\nMode: compose\nStyle: lofi hip hop\nKey: Am\nTempo: 80\n"
        "Role: [bass, piano]\nConstraints:\n  sections: {verse: 4, hook: 4}\n"
    )
    maestro_lab.compose(prompt, db=db, seed=3, candidates=1, out=None)
    out = subprocess.run(
        [*MUSE, "--db", str(db), "history", "Hook", "--json"],
        capture_output=True, text=True, timeout=120, cwd=ROOT, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    versions = json.loads(out.stdout)["versions"]
    assert {v["regionId"] for v in versions} == {"bass/hook", "piano/hook"}
    assert all(v["change"] == "added" and v["notes"] > 0 for v in versions)


@pytest.mark.parametrize(
    "url", ["http://example.invalid/song.duckdb", "s3://bucket/song.duckdb", "md:song"]
)
def test_non_file_database_paths_are_refused(tmp_path, capsys, url, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for argv in (["log"], ["init"]):
        code, payload = run_json(capsys, Path(url), *argv)
        assert code == 2
        assert payload["error"]["type"] == "InvalidDatabasePathError"
        assert "local files only" in payload["error"]["message"]
    assert list(tmp_path.iterdir()) == []  # nothing created


def test_duckdb_never_installs_or_loads_extensions_on_its_own(tmp_path, capsys):
    db = start(tmp_path, capsys)
    repo = Repository.open(db)
    with repo.database.read() as conn:
        settings = dict(
            conn.execute(
                "SELECT name, value FROM duckdb_settings() WHERE name IN "
                "('autoinstall_known_extensions', 'autoload_known_extensions', "
                "'allow_community_extensions', 'lock_configuration')"
            ).fetchall()
        )
        with pytest.raises(duckdb.Error, match="httpfs"):
            conn.execute("SELECT * FROM 'https://example.invalid/x.parquet'").fetchall()
        with pytest.raises(duckdb.Error):  # the configuration is locked
            conn.execute("SET autoload_known_extensions = true")
    assert settings == {
        "autoinstall_known_extensions": "false",
        "autoload_known_extensions": "false",
        "allow_community_extensions": "false",
        "lock_configuration": "true",
    }
    sqlite = tmp_path / "foreign.db"
    sqlite.write_bytes(b"SQLite format 3\x00" + bytes(100))
    code, payload = run_json(capsys, sqlite, "log")
    assert code == 2
    assert "not a DuckDB database" in payload["error"]["message"]


def test_terminal_escape_codes_in_messages_are_neutralised(tmp_path, capsys):
    db = start(tmp_path, capsys)
    hostile = "fix \x1b[2J\x1b]0;pwned\x07 and \x9b31m done"
    code, _, _ = run(capsys, db, "commit", str(take(tmp_path / "e.mid", 99)), "-m", hostile,
                     "--author", "ada")  # fmt: skip
    assert code == 0
    for argv in (("log",), ("show",), ("log", "--oneline")):
        code, out, _ = run(capsys, db, *argv)
        assert code == 0
        assert "\x1b" not in out
        assert "\x07" not in out
        assert "\x9b" not in out
        assert "fix \\x1b[2J\\x1b]0;pwned\\x07 and \\x9b31m done" in out
    code, _, err = run(capsys, db, "checkout", "no\x1b[31mref")
    assert code == 2
    assert "\x1b" not in err
    assert "no\\x1b[31mref" in err
    assert Repository.open(db).get_commit().message == hostile  # stored as given


def test_log_into_a_closed_pipe_ends_quietly(tmp_path, capsys):
    db = start(tmp_path, capsys, 3)
    Repository.open(db).commit_many([])
    proc = subprocess.Popen(
        ["bash", "-c", f"set -o pipefail; {' '.join(_quote(a) for a in MUSE)} "
         f"--db {_quote(str(db))} log | head -n 1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    out, err = proc.communicate(timeout=120)
    assert out.startswith("commit ")
    assert "Traceback" not in err, err
    assert "BrokenPipe" not in err, err
    assert proc.returncode in (0, EXIT_PIPE)  # 0 when head exits after muse finished


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def test_every_command_lists_its_exit_codes_in_help():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert "exit codes:" in parser.format_help()
    for name, cmd in sub.choices.items():
        text = cmd.format_help()
        for code in ("0 ", "1 ", "2 ", "4 ", "5 ", "141"):
            assert f"  {code}" in text, (name, code)


def test_a_corrupted_block_during_check_deep_is_a_typed_storage_error(tmp_path, capsys):
    db = start(tmp_path, capsys, 3)
    Repository.open(db).checkpoint()
    data = bytearray(db.read_bytes())
    last = len(data) - 65536  # the last data block (the headers stay intact)
    data[last + 8 : last + 65536] = b"\xab" * (65536 - 8)
    db.write_bytes(bytes(data))
    code, payload = run_json(capsys, db, "check", "--deep")
    assert code == EXIT_STORAGE, payload
    assert payload["error"]["type"] == "CorruptRepositoryError"
    assert "checksum" in payload["error"]["message"]
    code, _, err = run(capsys, db, "check", "--deep")
    assert code == EXIT_STORAGE
    assert "Traceback" not in err
    assert "corrupt" in err


def test_a_full_disk_is_a_typed_storage_error_and_keeps_history(tmp_path, capsys):
    db = start(tmp_path, capsys)
    Repository.open(db).checkpoint()
    big = Score(
        tuple(
            Track(f"T{t}", NoteArray([40 + t] * 3000, 90, [i * 0.25 for i in range(3000)], 0.2))
            for t in range(8)
        ),
        bpm=100,
    )
    write_midi(big, tmp_path / "big.mid")

    def limit() -> None:  # the file may not grow: writes fail as on a full disk
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (32768, 32768))

    out = subprocess.run(
        [*MUSE, "--db", str(db), "commit", str(tmp_path / "big.mid"), "-m", "too big", "--json"],
        capture_output=True, text=True, timeout=120, cwd=ROOT, check=False, preexec_fn=limit,
    )  # fmt: skip
    assert out.returncode == EXIT_STORAGE, (out.stdout, out.stderr[-2000:])
    error = json.loads(out.stdout)["error"]
    assert error["type"] == "StorageError"
    assert "nothing was kept" in error["message"]
    repo = Repository.open(db)
    assert [c.message for c in repo.log()] == ["take 0"]
    assert repo.check_integrity(deep=True).ok


READER = """
import sys, time
from muse_duckdb import Repository
repo = Repository.open(sys.argv[1], lock_timeout=30)
stop = time.monotonic() + float(sys.argv[2])
n = 0
while time.monotonic() < stop:
    repo.log(); n += 1
print(n)
"""


def test_readers_polling_in_a_tight_loop_do_not_starve_a_writer(tmp_path, capsys):
    db = start(tmp_path, capsys)
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER, str(db), "6"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    try:
        time.sleep(1.5)  # the readers are polling
        repo = Repository.open(db, lock_timeout=3.0)
        started = time.monotonic()
        for i in range(3):
            repo.commit(dataclasses.replace(repo.snapshot(), bpm=101 + i), f"tempo {i}")
        assert time.monotonic() - started < 9.0
    finally:
        counts = [int(r.communicate(timeout=60)[0]) for r in readers]
    assert all(n > 10 for n in counts)  # the readers were really polling
    assert [c.message for c in Repository.open(db).log()][:3] == ["tempo 2", "tempo 1", "tempo 0"]


def test_reproduce_head_uses_the_default_project_first(tmp_path):
    import maestro_lab

    db = tmp_path / "two.duckdb"
    prompt = "MAESTRO PROMPT\nMode: compose\nStyle: lofi hip hop\nRole: [bass]\n"
    for project in ("aaa", "default"):
        maestro_lab.compose(prompt, db=db, seed=5, candidates=1, out=None, project=project)
    assert Repository.open(db, "default").projects() == ["default", "aaa"]
    result = maestro_lab.reproduce("HEAD", db)
    assert result.commit_id == Repository.open(db, "default").get_commit().commit_id
