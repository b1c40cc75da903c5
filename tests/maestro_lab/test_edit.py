"""Editing in place through the CLI: each scenario asserts on the notes Muse committed.

compose twice -> the second replaces, never stacks; a tempo-only edit changes
the tempo and no note; "make the bass in the hook busier" touches only the
bass in the hook's beats and adds notes; an imported MIDI file's section
markers are sections the planner edits one at a time.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from symusic import core as sym_core

from maestro_lab.cli import main
from muse_duckdb import ProjectState, Repository, project_to_score
from muse_duckdb.cli import main as muse_main
from storpheus.io import write_midi
from storpheus.notes import NoteArray
from storpheus.score import Score, Track

JSON = dict[str, Any]

SONG = """MAESTRO PROMPT
Mode: compose
Style: lofi
Key: Am
Role: [drums, bass, chords]
Constraints: {sections: {intro: 2, verse: 2, hook: 2}, candidates: 2}
"""


def _compose(db: Path, prompt: Path, seed: int, capsys: pytest.CaptureFixture[str]) -> JSON:
    """``maestro-lab compose PROMPT --json``; its output as a dict."""
    args = ["compose", str(prompt), "--db", str(db), "--seed", str(seed)]
    assert main([*args, "--no-midi", "--no-progress", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert isinstance(out, dict)
    return out


def _head(db: Path) -> ProjectState:
    repo = Repository.open(db, "default")
    commit = repo.head().commit_id
    assert commit is not None
    return repo.snapshot(commit)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _notes(state: ProjectState, track_id: str) -> set[tuple[int, int, int, int]]:
    """Absolute notes of a track as (pitch, velocity, onset tick, duration tick)."""
    out: set[tuple[int, int, int, int]] = set()
    for region in state.regions_of(track_id):
        n = region.absolute_notes()
        onsets = np.rint(n.start_beat * 960).astype(int).tolist()
        lengths = np.rint(n.duration_beats * 960).astype(int).tolist()
        out.update(zip(n.pitch.tolist(), n.velocity.tolist(), onsets, lengths, strict=True))
    return out


def test_composing_again_replaces_every_region_instead_of_stacking(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, prompt = tmp_path / "lab.duckdb", _write(tmp_path, "song.txt", SONG)
    _compose(db, prompt, 1, capsys)
    first = _head(db)
    again = _compose(db, prompt, 2, capsys)
    second = _head(db)
    per_track = Counter(r.track_id for r in first.regions)
    assert (
        Counter(r.track_id for r in second.regions)
        == per_track
        == {
            "drums": 3,
            "bass": 3,
            "chords": 3,
        }
    )
    assert second.region_ids == first.region_ids  # same ids: no "bass/verse-2"
    for track in second.tracks:
        spans = [(r.start_beat, r.end_beat) for r in second.regions_of(track.track_id)]
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans)), spans
    edit = again["edit"]
    assert isinstance(edit, dict)
    changed = [r.region_id for r in first.regions if r != second.region(r.region_id)]
    assert changed
    assert sorted(edit["replaced"]) == sorted(changed)
    assert edit["layered"] == edit["added"] == []


def test_layer_yes_stacks_a_new_region_over_the_kept_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "lab.duckdb"
    _compose(db, _write(tmp_path, "song.txt", SONG), 1, capsys)
    before = _head(db)
    layer = _write(
        tmp_path,
        "layer.txt",
        "MAESTRO PROMPT\nMode: compose\nRole: [bass]\nSection: hook\nLayer: yes\n",
    )
    out = _compose(db, layer, 3, capsys)
    after = _head(db)
    assert out["edit"]["layered"] == ["bass/hook-2"]
    assert after.region("bass/hook") == before.region("bass/hook")
    new = after.region("bass/hook-2")
    hook = before.region("bass/hook")
    assert (new.start_beat, new.duration_beats) == (hook.start_beat, hook.duration_beats)


def test_a_tempo_only_edit_changes_the_tempo_and_no_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "lab.duckdb"
    _compose(db, _write(tmp_path, "song.txt", SONG), 1, capsys)
    before = _head(db)
    edit = _write(
        tmp_path, "tempo.txt", "MAESTRO PROMPT\nMode: edit\nTempo: 100\nRequest: slow down\n"
    )
    out = _compose(db, edit, 5, capsys)
    after = _head(db)
    assert before.bpm != 100
    assert after.bpm == 100
    assert after.region_ids == before.region_ids
    for region in before.regions:
        assert after.region(region.region_id) == region
    assert out["cards"] == []
    assert out["edit"]["project"] == [f"tempo {before.bpm} -> 100"]


def test_make_the_bass_in_the_hook_busier_touches_only_that(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "lab.duckdb"
    _compose(db, _write(tmp_path, "song.txt", SONG), 1, capsys)
    before = _head(db)
    out = _compose(
        db, _write(tmp_path, "busy.txt", "make the bass in the hook busier\n"), 7, capsys
    )
    after = _head(db)
    hook = before.region("bass/hook")
    for region in before.regions:
        if region.region_id != "bass/hook":
            assert after.region(region.region_id) == region, region.region_id
    assert after.region_ids == before.region_ids
    new = after.region("bass/hook")
    assert (new.start_beat, new.end_beat) == (hook.start_beat, hook.end_beat)
    assert new.n_notes > hook.n_notes
    inside = {
        n for n in _notes(after, "bass") if hook.start_beat * 960 <= n[2] < hook.end_beat * 960
    }
    outside_before = _notes(before, "bass") - {
        n for n in _notes(before, "bass") if hook.start_beat * 960 <= n[2] < hook.end_beat * 960
    }
    assert _notes(after, "bass") - inside == outside_before
    assert out["edit"]["replaced"] == ["bass/hook"]
    assert out["edit"]["kept"] == sorted(set(before.region_ids) - {"bass/hook"})


def _marked_song(path: Path) -> tuple[Path, dict[str, tuple[float, float]]]:
    """A two-track MIDI file with section markers at bars 1, 3 and 5 (4/4)."""
    beats = np.arange(0.0, 24.0, 1.0)
    bass = NoteArray(np.where(beats % 2 == 0, 45, 52), 90, beats, 0.9)
    keys = NoteArray(np.repeat([57, 60, 64], 6), 70, np.tile(np.arange(0.0, 24.0, 4.0), 3), 3.5)
    score = Score((Track("Bass", bass, program=33), Track("Keys", keys, program=4)), bpm=90)
    write_midi(score, path)
    sym = sym_core.ScoreTick.from_midi(path.read_bytes())
    tpq = int(sym.ticks_per_quarter)
    spans = {"intro": (0.0, 8.0), "verse": (8.0, 16.0), "chorus": (16.0, 24.0)}
    for name, (start, _end) in spans.items():
        sym.markers.append(sym_core.TextMetaTick(int(start * tpq), name.capitalize()))
    path.write_bytes(bytes(sym.dumps_midi()))
    return path, spans


def test_editing_one_marked_section_of_an_imported_song_leaves_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "lab.duckdb"
    song, spans = _marked_song(tmp_path / "song.mid")
    assert muse_main(["--db", str(db), "init"]) == 0
    assert muse_main(["--db", str(db), "commit", str(song), "-m", "import"]) == 0
    capsys.readouterr()
    before = _head(db)
    assert {r.name for r in before.regions} == {"Intro", "Verse", "Chorus"}
    prompt = _write(
        tmp_path,
        "verse.txt",
        "MAESTRO PROMPT\nMode: edit\nStyle: lofi\nRole: [bass]\nSection: verse\n"
        "Request: rewrite the bass in the verse\n",
    )
    out = _compose(db, prompt, 11, capsys)
    after = _head(db)
    start, end = spans["verse"]
    assert (after.bpm, after.key) == (before.bpm, before.key)
    assert after.track_ids == before.track_ids  # the existing Bass track, no new one
    score_before, score_after = project_to_score(before), project_to_score(after)
    for old, new in zip(score_before.tracks, score_after.tracks, strict=True):
        keep_old = (old.notes.start_beat < start) | (old.notes.start_beat >= end)
        keep_new = (new.notes.start_beat < start) | (new.notes.start_beat >= end)
        assert old.notes[keep_old] == new.notes[keep_new], old.name
    verse_id = next(
        r.region_id for r in before.regions if r.name == "Verse" and r.track_id == "bass"
    )
    assert after.region(verse_id) != before.region(verse_id)
    assert out["edit"]["replaced"] == [verse_id]


def test_a_track_name_gets_one_id_through_muse_and_through_the_tools() -> None:
    from maestro_lab.tools import StateStore, ToolCall
    from muse_duckdb import score_to_project

    score = Score((Track("Café Keys", NoteArray([60], 90, [0.0], 1.0), program=4),))
    committed = score_to_project(score).track_ids
    store = StateStore()
    store.apply(ToolCall("stori_add_midi_track", {"name": "Café Keys", "gmProgram": 4}))
    assert committed == store.snapshot.track_ids == ("cafe-keys",)


def test_a_sections_field_edits_one_span_of_a_whole_track_region(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No markers: one ``main`` region per track; ``Sections:`` says where the verse is."""
    db = tmp_path / "lab.duckdb"
    song = tmp_path / "plain.mid"
    beats = np.arange(0.0, 24.0, 1.0)
    bass = NoteArray(np.where(beats % 2 == 0, 45, 52), 90, beats, 0.9)
    write_midi(Score((Track("Bass", bass, program=33),), bpm=90), song)
    assert muse_main(["--db", str(db), "init"]) == 0
    assert muse_main(["--db", str(db), "commit", str(song), "-m", "import"]) == 0
    capsys.readouterr()
    before = _head(db)
    assert before.region_ids == ("bass/main",)
    prompt = _write(
        tmp_path,
        "verse.txt",
        "MAESTRO PROMPT\nMode: edit\nStyle: lofi\nRole: [bass]\nSection: verse\n"
        "Sections: {intro: 2, verse: 2, outro: 2}\nRequest: a new bass line for the verse\n",
    )
    out = _compose(db, prompt, 5, capsys)
    after = _head(db)
    inside = (8.0 * 960, 16.0 * 960)
    kept_before = {n for n in _notes(before, "bass") if not inside[0] <= n[2] < inside[1]}
    kept_after = {n for n in _notes(after, "bass") if not inside[0] <= n[2] < inside[1]}
    assert kept_after == kept_before
    new = after.region("bass/verse")
    assert (new.start_beat, new.end_beat) == (8.0, 16.0)
    assert new.n_notes > 0
    main = after.region("bass/main")
    onsets = main.absolute_notes().start_beat
    assert not ((onsets >= 8.0) & (onsets < 16.0)).any()  # cleared where the verse now plays
    assert out["edit"]["replaced"] == ["bass/main"]
    assert out["edit"]["added"] == ["bass/verse"]


def test_target_and_section_regenerate_one_role_at_one_sections_beats() -> None:
    from maestro_lab.planner import ProjectView, plan
    from storpheus.project import ProjectState, RegionState, TrackState

    tracks = (TrackState("bass", "Bass", 33, role="bass"), TrackState("keys", "Keys", 4))
    regions = tuple(
        RegionState(f"{t.track_id}/{name}", t.track_id, start, 16.0, name=name)
        for t in tracks
        for name, start in (("intro", 0.0), ("hook", 16.0))
    )
    head = ProjectView.of(ProjectState(tracks, regions, bpm=96, key="A minor"), style="house")
    p = plan(
        "MAESTRO PROMPT\nMode: edit\nTarget: track:Bass\nSection: hook\nRequest: redo the bass\n",
        project=head,
        seed=2,
    )
    assert p.style == "house"  # inherited from the project
    assert [(g.role, g.start_beat, g.bars) for g in p.generations] == [("bass", 16.0, 4)]
    names = [c.name for c in p.tool_calls]
    assert "stori_add_midi_region" not in names
    assert "stori_add_midi_track" not in names
    assert "stori_set_tempo" not in names
    clear = next(c for c in p.tool_calls if c.name == "stori_clear_notes")
    generate = next(c for c in p.tool_calls if c.name == "stori_generate_midi")
    assert clear.params["regionId"] == generate.params["regionId"] == "bass/hook"


def test_composing_writes_notes_columnar_not_call_by_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import maestro_lab
    from maestro_lab.runtime import tool_events
    from maestro_lab.tools import validation

    seen: list[str] = []
    real = validation.validate_tool_call

    def spy(call: validation.ToolCall, **kwargs: Any) -> validation.ValidatedToolCall:
        seen.append(call.name)
        return real(call, **kwargs)

    monkeypatch.setattr(tool_events, "validate_tool_call", spy)
    result = maestro_lab.compose(SONG, seed=1, db=tmp_path / "n.duckdb", out=None)
    assert "stori_add_midi_track" in seen  # the tool path is watched
    assert "stori_add_notes" not in seen
    assert _head(tmp_path / "n.duckdb").n_notes == sum(c.notes for c in result.cards) > 0


def test_a_new_section_over_an_old_one_replaces_it_instead_of_stacking(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "lab.duckdb"
    _compose(db, _write(tmp_path, "song.txt", SONG), 1, capsys)
    before = _head(db)
    other = _write(
        tmp_path,
        "other.txt",
        "MAESTRO PROMPT\nMode: compose\nStyle: lofi\nRole: [bass]\n"
        "Constraints: {sections: {groove: 2}, candidates: 2}\n",
    )
    out = _compose(db, other, 2, capsys)
    after = _head(db)
    # the groove takes the intro's beats: the bass intro goes, the groove comes, nothing stacks
    assert "bass/intro" not in after.region_ids
    assert after.region("bass/groove").start_beat == before.region("bass/intro").start_beat
    starts = [r.start_beat for r in after.regions_of("bass")]
    assert len(starts) == len(set(starts))
    assert out["edit"]["added"] == ["bass/groove"]
    assert "bass/intro" in out["edit"]["replaced"]
    for region in before.regions:
        if region.region_id != "bass/intro":
            assert after.region(region.region_id) == region


def test_the_variation_of_a_recompose_shows_removed_and_added_notes(tmp_path: Path) -> None:
    import maestro_lab

    db = tmp_path / "lab.duckdb"
    maestro_lab.compose(SONG, seed=1, db=db, out=None)
    before = _head(db)
    pending = maestro_lab.propose(SONG, seed=2, db=db, out=None)
    phrases = {p.region_id: p for p in pending.variation.phrases}
    assert set(phrases) <= set(before.region_ids)  # every phrase edits an existing region
    bass = phrases["bass/verse"]
    old = before.region("bass/verse")
    assert len(bass.removed) > 0
    assert len(bass.added) > 0
    assert len(bass.removed) <= old.n_notes
    pending.discard()
