from __future__ import annotations

from muse_duckdb import ProjectState, RegionState, Severity, TrackState
from muse_duckdb.diff.states import diff_states
from storpheus.events import ControlChangeArray
from storpheus.notes import NoteArray
from tests.muse_duckdb.states import band_state, notes, with_notes


def test_identical_states_have_an_empty_diff():
    d = diff_states(band_state(), band_state())
    assert d.is_empty
    assert d.severity is Severity.NONE


def test_note_changes_per_region_with_severity():
    a = band_state()
    b = with_notes(
        a,
        "piano/verse",
        NoteArray([60, 64, 67, 73, 76], [90, 90, 60, 90, 90], [0, 1, 2, 3, 5], 1.0),
    )
    d = diff_states(a, b)
    r = d.region("piano/verse")
    assert r.status == "modified"
    assert r.notes.added.pitch.tolist() == [76]
    assert r.notes.removed.pitch.tolist() == []
    assert r.notes.modified_before.pitch.tolist() == [67, 72]
    assert r.notes.modified_after.pitch.tolist() == [67, 73]
    assert r.notes.unchanged == 2
    assert r.severity is Severity.HIGH  # 3 of 4 notes changed
    assert d.counts() == {"added": 1, "removed": 0, "modified": 2, "controllers": 0}


def test_small_edit_is_low_and_controller_changes_are_reported():
    piano = TrackState("p", "P")
    many = NoteArray(list(range(40, 70)), 90, [i / 2 for i in range(30)], 0.5)
    a = ProjectState((piano,), (RegionState("p/a", "p", 0, 16, notes=many),))
    edited = NoteArray(many.pitch, [91] + [90] * 29, many.start_beat, many.duration_beats)
    b = a.with_regions(
        [a.region("p/a").with_events(notes=edited, cc=ControlChangeArray([1], [64], [2.0]))]
    )
    r = diff_states(a, b).region("p/a")
    assert r.severity is Severity.LOW
    assert r.cc.n_changed == 1
    assert len(r.cc.added) == 1


def test_structural_changes_are_properties():
    a = band_state()
    b = ProjectState(
        (TrackState("piano", "Grand", program=1), a.track("bass"), TrackState("pad", "Pad")),
        a.regions,
        bpm=110,
        key="A minor",
    )
    d = diff_states(a, b)
    paths = {p.path: p for p in d.properties}
    assert paths["bpm"].severity is Severity.HIGH
    assert paths["key"].after == "A minor"
    assert paths["tracks.piano.name"].severity is Severity.LOW
    assert paths["tracks.piano.program"].severity is Severity.MEDIUM
    assert paths["tracks.pad"].before is None
    assert d.severity is Severity.HIGH


def test_region_added_removed_and_moved():
    a = band_state()
    moved = RegionState("bass/chorus", "bass", 12.0, 8.0, "chorus", notes([38, 45], [0.0, 4.0]))
    b = a.without_regions(["piano/chorus"]).with_regions(
        [moved, RegionState("piano/outro", "piano", 16, 4, "outro", notes([60]))]
    )
    d = diff_states(a, b)
    assert d.region("piano/chorus").status == "removed"
    assert d.region("piano/outro").status == "added"
    assert d.region("bass/chorus").status == "moved"
    assert [p.path for p in d.region("bass/chorus").placement] == ["regions.bass/chorus.start_beat"]
    assert d.to_dict()["severity"] == "high"
    assert any("bass/chorus moved" in line for line in d.summary())
