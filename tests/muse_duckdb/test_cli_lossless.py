"""``muse commit`` / ``muse import`` keep the music of a file, or refuse and say what would go.

The files are built inline with mido: a tempo change, a fractional tempo, a
meter change and aftertouch are each something a score cannot hold.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import mido
import pytest

from muse_duckdb import Repository
from muse_duckdb.cli import main

TPQ = 480


def _file(
    path: Path, meta: list[mido.MetaMessage], extra: list[mido.Message] = (), pitch: int = 40
) -> Path:
    mf = mido.MidiFile(ticks_per_beat=TPQ)
    notes = [
        mido.Message("note_on", note=pitch, velocity=90, time=0),
        *extra,
        mido.Message("note_off", note=pitch, velocity=0, time=TPQ * 4),
    ]
    mf.tracks.extend([mido.MidiTrack(meta), mido.MidiTrack(notes)])
    buffer = io.BytesIO()
    mf.save(file=buffer)
    path.write_bytes(buffer.getvalue())
    return path


def _muse(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> tuple[int, str]:
    code = main(["--db", str(db), *argv])
    return code, capsys.readouterr().out


CASES = {
    "tempo-change": (
        [mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(100)),
         mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(140), time=TPQ * 2)],
        [],
        "1 later tempo change(s) would be dropped (the first at beat 2, to 140 bpm)",
    ),
    "fractional-tempo": (
        [mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(92.5))],
        [],
        "tempo 92.5 bpm would be stored as 92 bpm",
    ),
    "meter-change": (
        [mido.MetaMessage("time_signature", numerator=4, denominator=4),
         mido.MetaMessage("time_signature", numerator=3, denominator=4, time=TPQ * 4)],
        [],
        "1 later meter change(s) would be dropped",
    ),
    "aftertouch": (
        [mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(100))],
        [mido.Message("aftertouch", value=50, time=10)],
        "1 aftertouch event(s) would be dropped",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_commit_refuses_a_lossy_import_and_names_the_loss(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    meta, extra, loss = CASES[case]
    song = _file(tmp_path / "song.mid", meta, extra)
    db = tmp_path / "m.duckdb"
    assert _muse(capsys, db, "init")[0] == 0
    code, out = _muse(capsys, db, "commit", str(song), "-m", "import", "--json")
    assert code == 2
    error = json.loads(out)["error"]
    assert error["type"] == "InputFileError"
    assert loss in error["message"]
    assert "pass --lossy" in error["message"]
    assert list(Repository.open(db).log()) == []  # nothing committed
    code, _ = _muse(capsys, db, "commit", str(song), "-m", "import anyway", "--lossy")
    assert code == 0
    assert [c.message for c in Repository.open(db).log()] == ["import anyway"]


def test_import_refuses_too_and_commits_none_of_the_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _file(tmp_path / "a.mid", [mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(100))])
    meta, extra, _ = CASES["tempo-change"]
    bad = _file(tmp_path / "b.mid", meta, extra, pitch=43)
    db = tmp_path / "m.duckdb"
    assert _muse(capsys, db, "init")[0] == 0
    code, _ = _muse(capsys, db, "import", str(good), str(bad))
    assert code == 2
    assert list(Repository.open(db).log()) == []
    assert _muse(capsys, db, "import", str(good), str(bad), "--lossy")[0] == 0
    assert len(list(Repository.open(db).log())) == 2


def test_a_whole_number_tempo_file_commits_and_exports_the_same_music(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    song = _file(
        tmp_path / "song.mid",
        [mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(97)),
         mido.MetaMessage("time_signature", numerator=6, denominator=8)],
    )  # fmt: skip
    db = tmp_path / "m.duckdb"
    assert _muse(capsys, db, "init")[0] == 0
    assert _muse(capsys, db, "commit", str(song), "-m", "import")[0] == 0
    out = tmp_path / "out.mid"
    assert _muse(capsys, db, "checkout", "HEAD", "--export", str(out))[0] == 0
    back = mido.MidiFile(out)
    tempos = [m.tempo for t in back.tracks for m in t if m.type == "set_tempo"]
    meters = [(m.numerator, m.denominator) for t in back.tracks for m in t
              if m.type == "time_signature"]  # fmt: skip
    assert tempos == [mido.bpm2tempo(97)]
    assert meters == [(6, 8)]
