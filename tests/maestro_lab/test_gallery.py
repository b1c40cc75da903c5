"""The style gallery: excerpts per style as MIDI and PNG, and the ``gallery`` command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from maestro_lab.cli import main
from maestro_lab.gallery import gallery_score, render_gallery, style_names
from storpheus.backends.embedded import get_style
from storpheus.identity import content_id
from storpheus.io import read_midi


def test_gallery_covers_every_embedded_style() -> None:
    assert len(style_names()) >= 12


def test_gallery_score_plays_the_style_band_with_the_bass_on_the_kicks() -> None:
    score = gallery_score("boom bap", bars=8, seed=3)
    assert [t.role for t in score.tracks] == list(get_style("boom_bap").default_roles)
    drums = score.track("Drums")
    bass = score.track("Bass")
    assert drums.is_drum
    assert drums.channel == 9
    kicks = set(np.round(drums.notes.start_beat[np.isin(drums.notes.pitch, (35, 36))], 3))
    on_kick = np.isin(np.round(bass.notes.start_beat, 3), list(kicks))
    assert on_kick.mean() >= 0.7
    assert score.end_beat <= 32 + 1e-9


def test_gallery_score_is_reproducible_from_its_seed() -> None:
    assert content_id(gallery_score("jazz", seed=5)) == content_id(gallery_score("jazz", seed=5))
    assert content_id(gallery_score("jazz", seed=5)) != content_id(gallery_score("jazz", seed=6))


def test_render_gallery_writes_midi_and_piano_rolls(tmp_path: Path) -> None:
    entries = render_gallery(tmp_path, styles=["house", "Bossa Nova"], bars=4, seed=1)
    assert [e.style for e in entries] == ["house", "bossa_nova"]
    for entry in entries:
        assert entry.midi_path.is_file()
        assert entry.pianoroll_path is not None
        assert entry.pianoroll_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        back = read_midi(entry.midi_path)
        assert back.n_notes == entry.n_notes
        assert back.bpm == entry.bpm
        assert [t.role for t in back.tracks] == list(entry.roles)


def test_gallery_command_prints_json_for_each_style(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "gallery",
            "--out",
            str(tmp_path),
            "--styles",
            "trap",
            "techno",
            "--bars",
            "2",
            "--no-plot",
            "--json",
        ]
    )
    assert code == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["style"] for r in rows] == ["trap", "techno"]
    assert all(r["pianorollPath"] is None and Path(r["midiPath"]).is_file() for r in rows)


def test_gallery_command_rejects_bad_bars(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["gallery", "--out", str(tmp_path), "--bars", "0"]) == 2
    assert "--bars" in capsys.readouterr().err
