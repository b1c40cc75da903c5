from __future__ import annotations

import pytest

from muse_duckdb import TrackState
from muse_duckdb.errors import ProjectStateError
from muse_duckdb.variations.changes import (
    ChangeSet,
    CreateRegion,
    CreateTrack,
    DeleteRegion,
    DeleteTrack,
    DuplicateRegion,
    MoveRegion,
    RenameTrack,
    ReorderTracks,
    ResizeRegion,
    SetKey,
    SetMixer,
    SetProgram,
    SetTempo,
    SetTimeSignature,
    UpdateTrack,
    change_from_dict,
)
from tests.muse_duckdb.states import band_state


def every_change() -> ChangeSet:
    return ChangeSet(
        (
            SetTempo(140),
            SetKey("A minor"),
            SetTimeSignature(3, 4),
            CreateTrack(TrackState("pad", "Pad", program=89)),
            RenameTrack("bass", "Upright"),
            SetProgram("bass", 32),
            UpdateTrack("bass", role="bassline"),
            SetMixer("piano", volume=0.7, pan=-0.25, mute=True),
            CreateRegion("pad/intro", "pad", 0.0, 8.0, "intro"),
            MoveRegion("bass/chorus", start_beat=16.0),
            ResizeRegion("piano/verse", duration_beats=6.0, name="verse A"),
            DuplicateRegion("piano/chorus", "piano/chorus-2", 24.0),
            DeleteRegion("bass/verse"),
            ReorderTracks(("pad", "piano", "bass")),
        )
    )


def test_every_change_applies():
    state = every_change().apply(band_state())
    assert state.bpm == 140
    assert str(state.time_signature) == "3/4"
    assert state.track_ids == ("pad", "piano", "bass")
    assert state.track("bass").name == "Upright"
    assert state.track("bass").program == 32
    assert state.track("bass").role == "bassline"
    assert state.track("piano").mixer.volume == 0.7
    assert state.region("bass/chorus").start_beat == 16.0
    assert state.region("piano/verse").name == "verse A"
    assert state.region("piano/chorus-2").notes == state.region("piano/chorus").notes
    assert not state.has_region("bass/verse")


def test_change_sets_round_trip_through_json():
    cs = every_change()
    again = ChangeSet.from_json(cs.to_json())
    assert again == cs
    assert again.categories == ("global", "structural", "mix")


def test_delete_track_takes_its_regions():
    state = DeleteTrack("bass").apply(band_state())
    assert state.track_ids == ("piano",)
    assert all(r.track_id == "piano" for r in state.regions)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (RenameTrack("nope", "x"), "track.rename.track_id"),
        (MoveRegion("nope", 1.0), "region.move.region_id"),
        (CreateTrack(TrackState("bass", "again")), "track.create"),
        (ReorderTracks(("piano",)), "track.reorder"),
    ],
)
def test_changes_to_missing_things_raise_naming_them(change, field):
    with pytest.raises(ProjectStateError) as info:
        change.apply(band_state())
    assert info.value.field == field


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "project.explode"}, "changes[0].kind"),
        ({"kind": "project.set_tempo", "bpm": 120, "extra": 1}, "changes[0]"),
        ([1, 2], "changes[0]"),
    ],
)
def test_bad_change_dicts_are_rejected(data, field):
    with pytest.raises(ProjectStateError) as info:
        change_from_dict(data)
    assert info.value.field == field


def test_apply_auto_commits_with_the_change_set_recorded(repo):
    repo.commit(band_state(), "band")
    commit = repo.apply(ChangeSet((SetTempo(90), RenameTrack("piano", "Rhodes"))), author="ada")
    assert commit.message == "set tempo to 90 BPM; rename track piano to Rhodes"
    assert commit.changeset == [
        {"bpm": 90, "kind": "project.set_tempo"},
        {"kind": "track.rename", "name": "Rhodes", "track_id": "piano"},
    ]
    assert repo.snapshot().bpm == 90
    diff = repo.diff()
    assert {p.path for p in diff.properties} == {"bpm", "tracks.piano.name"}
