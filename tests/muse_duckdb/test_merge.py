from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from muse_duckdb import Mixer, ProjectState, RegionState, TrackState, merge_states
from muse_duckdb.errors import MergeConflictError, UnrelatedHistoriesError
from storpheus.events import ControlChangeArray
from storpheus.notes import NoteArray
from tests.muse_duckdb.states import (
    apply_actions,
    band_state,
    disjoint_actions,
    notes,
    piano_state,
    project_states,
    with_notes,
)

# ------------------------------------------------------------- properties


@settings(max_examples=60)
@given(project_states())
def test_merging_a_state_with_itself_gives_it_back(state):
    result = merge_states(state, state, state)
    assert result.clean
    assert result.state == state
    other = apply_actions(state, [(0, disjoint_actions(state, 1, 2, 0))])
    assert merge_states(state, other, other).state == other


@settings(max_examples=60)
@given(project_states(), st.integers(0, 2**16))
def test_merge_where_one_side_equals_the_base_gives_the_other_side(state, seed):
    edited = apply_actions(state, [(0, disjoint_actions(state, seed, 3, 0))])
    assert merge_states(state, edited, state).state == edited
    assert merge_states(state, state, edited).state == edited


@settings(max_examples=80)
@given(project_states(), st.integers(0, 2**16), st.integers(1, 4))
def test_disjoint_edits_merge_cleanly_in_either_order_to_the_expected_state(state, seed, take):
    a_actions = disjoint_actions(state, seed, take, 0)
    b_actions = disjoint_actions(state, seed + 1, take, 1)
    a = apply_actions(state, [(0, a_actions)])
    b = apply_actions(state, [(1, b_actions)])
    ab = merge_states(state, a, b)
    ba = merge_states(state, b, a)
    assert ab.conflicts == ()
    assert ba.conflicts == ()
    assert ab.state is not None
    assert ba.state is not None
    assert ab.state.snapshot_id == ba.state.snapshot_id
    expected = apply_actions(state, [(0, a_actions), (1, b_actions)])
    assert ab.state == expected


@settings(max_examples=40)
@given(project_states(), project_states())
def test_merge_is_order_independent_or_conflicting(base, other):
    a = dataclasses.replace(base, bpm=other.bpm)
    b = base.with_tracks([dataclasses.replace(t, mixer=Mixer(0.5)) for t in base.tracks[:1]])
    ab, ba = merge_states(base, a, b), merge_states(base, b, a)
    assert ab.clean == ba.clean
    if ab.clean:
        assert ab.state is not None
        assert ba.state is not None
        assert ab.state.snapshot_id == ba.state.snapshot_id


# ---------------------------------------------------------------- conflicts


def test_both_sides_modifying_the_same_note_differently_conflicts_with_location():
    base = band_state()
    ours = with_notes(
        base, "piano/chorus", NoteArray([62, 65, 69, 74], [90, 50, 90, 90], [0, 1, 2, 3], 1.0)
    )
    theirs = with_notes(
        base, "piano/chorus", NoteArray([62, 65, 69, 74], [90, 110, 90, 90], [0, 1, 2, 3], 1.0)
    )
    result = merge_states(base, ours, theirs)
    assert result.state is None
    (c,) = result.conflicts
    assert c.kind == "note_modify_modify"
    assert c.region_id == "piano/chorus"
    assert c.pitch == 65
    assert c.beat == 9.0  # region starts at 8
    assert c.ours["velocity"] == 50
    assert c.theirs["velocity"] == 110
    assert "pitch 65 at beat 9" in str(c)


def test_identical_changes_on_both_sides_merge_cleanly():
    base = band_state()
    same = with_notes(base, "piano/verse", notes([60, 64, 67, 71]))
    result = merge_states(base, same, same)
    assert result.clean
    assert result.state == same


def test_remove_versus_modify_conflicts():
    base = piano_state([60, 62, 64])
    ours = piano_state([60, 64]).with_regions(
        [RegionState("piano/a", "piano", 0, 8, "verse", NoteArray([60, 64], 90, [0, 2], 1.0))]
    )
    theirs = with_notes(base, "piano/a", NoteArray([60, 62, 64], [90, 30, 90], [0, 1, 2], 1.0))
    result = merge_states(base, ours, theirs)
    assert [c.kind for c in result.conflicts] == ["note_remove_modify"]
    assert result.conflicts[0].ours is None


def test_both_adding_different_notes_at_the_same_pitch_and_onset_conflicts():
    base = piano_state([60])
    ours = with_notes(base, "piano/a", NoteArray([60, 67], [90, 100], [0, 4], 1.0))
    theirs = with_notes(base, "piano/a", NoteArray([60, 67], [90, 40], [0, 4.01], 2.0))
    result = merge_states(base, ours, theirs)
    assert [c.kind for c in result.conflicts] == ["note_add_add"]
    resolved = merge_states(base, ours, theirs, strategy="theirs")
    assert resolved.state is not None
    assert resolved.state.region("piano/a").notes.velocity.tolist() == [90, 40]
    assert len(resolved.conflicts) == 1


def test_structural_properties_changed_differently_conflict():
    base = band_state()
    ours = dataclasses.replace(base, bpm=120).with_tracks(
        [dataclasses.replace(base.track("bass"), program=34)]
    )
    theirs = dataclasses.replace(base, bpm=90, key="D minor").with_tracks(
        [dataclasses.replace(base.track("bass"), program=35)]
    )
    moved_o = RegionState(
        "piano/chorus", "piano", 12.0, 8.0, "chorus", base.region("piano/chorus").notes
    )
    moved_t = RegionState(
        "piano/chorus", "piano", 16.0, 8.0, "chorus", base.region("piano/chorus").notes
    )
    result = merge_states(base, ours.with_regions([moved_o]), theirs.with_regions([moved_t]))
    kinds = sorted((c.kind, c.path) for c in result.conflicts)
    assert kinds == [
        ("global_property", "bpm"),
        ("region_placement", "regions.piano/chorus.start_beat"),
        ("track_property", "tracks.bass.program"),
    ]
    ours_wins = merge_states(
        base, ours.with_regions([moved_o]), theirs.with_regions([moved_t]), strategy="ours"
    )
    assert ours_wins.state is not None
    assert ours_wins.state.bpm == 120
    assert ours_wins.state.key == "D minor"  # not a conflict: only theirs changed it
    assert ours_wins.state.track("bass").program == 34
    assert ours_wins.state.region("piano/chorus").start_beat == 12.0


def test_delete_versus_modify_of_a_region_and_a_track_conflict():
    base = band_state()
    ours = base.without_regions(["bass/chorus"])
    theirs = with_notes(base, "bass/chorus", notes([40]))
    assert [c.kind for c in merge_states(base, ours, theirs).conflicts] == ["region_delete_modify"]
    no_bass = ProjectState((base.track("piano"),), base.regions_of("piano"), 100, key="C major")
    renamed = base.with_tracks([dataclasses.replace(base.track("bass"), name="Upright")])
    kinds = [c.kind for c in merge_states(base, no_bass, renamed).conflicts]
    assert kinds == ["track_delete_modify"]


def test_controller_events_merge_as_sets_and_conflict_on_the_same_slot():
    base = band_state()
    region = base.region("bass/verse")
    ours = base.with_regions(
        [region.with_events(cc=ControlChangeArray([64, 64, 1], [127, 0, 20], [0.0, 3.5, 1.0]))]
    )
    theirs = base.with_regions(
        [region.with_events(cc=ControlChangeArray([64, 1], [127, 30], [0.0, 1.0]))]
    )
    result = merge_states(base, ours, theirs)
    assert [c.kind for c in result.conflicts] == ["event_add_add"]
    theirs_ok = base.with_regions(
        [region.with_events(cc=ControlChangeArray([64, 7], [127, 100], [0.0, 2.0]))]
    )
    clean = merge_states(base, ours, theirs_ok)
    assert clean.clean
    assert clean.state is not None
    cc = clean.state.region("bass/verse").cc
    assert sorted(zip(cc.number.tolist(), cc.value.tolist(), strict=True)) == [
        (1, 20),
        (7, 100),
        (64, 127),
    ]


def test_tracks_added_on_both_sides_keep_base_order_then_ids():
    base = band_state()
    ours = base.with_tracks([TrackState("pad", "Pad")])
    theirs = base.with_tracks([TrackState("lead", "Lead")])
    result = merge_states(base, ours, theirs)
    assert result.state is not None
    assert result.state.track_ids == ("piano", "bass", "lead", "pad")
    reordered = ProjectState(tuple(reversed(base.tracks)), base.regions, 100, key="C major")
    # a new track follows the track it followed on its own side
    assert merge_states(base, reordered, theirs).state.track_ids == ("bass", "lead", "piano")
    assert merge_states(base, theirs, reordered).state.track_ids == ("bass", "lead", "piano")


# ---------------------------------------------------------- in a repository


def test_repository_merge_creates_a_two_parent_commit_and_moves_the_branch(repo):
    base = repo.commit(band_state(), "base")
    repo.branch("bass-work")
    ours = repo.commit(with_notes(band_state(), "piano/verse", notes([60, 64, 67, 71])), "piano")
    repo.checkout("bass-work")
    theirs = repo.commit(with_notes(band_state(), "bass/verse", notes([36, 41])), "bass")
    repo.checkout("main")
    outcome = repo.merge("main", "bass-work", author="ada")
    assert outcome.status == "merged"
    assert outcome.base == base.commit_id
    assert outcome.commit.parents == (ours.commit_id, theirs.commit_id)
    assert repo.branches()["main"] == outcome.commit.commit_id
    merged = repo.snapshot()
    assert merged.region("piano/verse").notes.pitch.tolist() == [60, 64, 67, 71]
    assert merged.region("bass/verse").notes.pitch.tolist() == [36, 41]
    assert outcome.to_dict()["headMoved"] is True


def test_fast_forward_and_up_to_date(repo):
    repo.commit(piano_state([60]), "a")
    repo.branch("old")
    b = repo.commit(piano_state([61]), "b")
    assert repo.merge("main", "old").status == "up_to_date"
    repo.checkout("old")
    ff = repo.merge("old", "main")
    assert ff.status == "fast_forward"
    assert repo.head().commit_id == b.commit_id


def test_merge_conflict_raises_and_commits_nothing(repo):
    repo.commit(piano_state([60, 62]), "base")
    repo.branch("x")
    repo.commit(piano_state([61, 62]), "ours")
    repo.checkout("x")
    repo.commit(piano_state([59, 62]), "theirs")
    before = repo.log("x").ids
    with pytest.raises(MergeConflictError) as info:
        repo.merge("x", "main")
    assert len(info.value.conflicts) == 1
    assert "note_" in str(info.value)
    assert repo.log("x").ids == before
    resolved = repo.merge("x", "main", strategy="ours")
    assert resolved.conflicts
    assert repo.snapshot().region("piano/a").notes.pitch.tolist() == [59, 62]


def test_merge_of_unrelated_histories_is_refused(repo):
    repo.commit(piano_state([60]), "a")
    repo.commit(piano_state([70]), "lonely root", branch="other", orphan=True)
    with pytest.raises(UnrelatedHistoriesError) as info:
        repo.merge("main", "other")
    assert info.value.theirs == repo.resolve("other")


def test_revert_undoes_one_commit_and_keeps_later_ones(repo):
    repo.commit(band_state(), "base")
    ai = repo.commit(
        with_notes(band_state(), "piano/verse", notes([61, 64, 67, 72])), "ai", author="agent:p"
    )
    manual = repo.commit(
        with_notes(repo.snapshot(), "bass/verse", notes([36])), "manual", author="ada"
    )
    reverted = repo.revert(ai.commit_id)
    state = repo.snapshot()
    assert state.region("piano/verse").notes.pitch.tolist() == [60, 64, 67, 72]
    assert state.region("bass/verse").notes.pitch.tolist() == [36]
    assert reverted.parents == (manual.commit_id,)
    assert reverted.metadata == {"reverts": ai.commit_id}


def test_cherry_pick_applies_a_commit_from_another_branch(repo):
    repo.commit(band_state(), "base")
    repo.branch("idea")
    repo.checkout("idea")
    pick = repo.commit(
        with_notes(band_state(), "bass/chorus", notes([50])), "bass idea", author="bob"
    )
    repo.checkout("main")
    repo.commit(with_notes(band_state(), "piano/verse", notes([72])), "piano change")
    picked = repo.cherry_pick(pick.commit_id)
    assert picked.author == "bob"
    assert repo.snapshot().region("bass/chorus").notes.pitch.tolist() == [50]
    assert repo.snapshot().region("piano/verse").notes.pitch.tolist() == [72]


def test_two_sides_moving_different_notes_to_the_same_place_is_not_a_conflict():
    base = with_notes(piano_state(), "piano/a", NoteArray([60, 59], 90, [0.98, 1.0], 1.0))
    ours = with_notes(base, "piano/a", NoteArray([60, 59], 90, [1.0, 1.0], 1.0))  # nudge 60
    theirs = with_notes(base, "piano/a", NoteArray([60, 60], 90, [0.98, 1.0], 1.0))  # 59 -> 60
    result = merge_states(base, ours, theirs)
    assert result.clean
    assert result.state is not None
    notes = result.state.region("piano/a").notes
    assert notes.pitch.tolist() == [60, 60]
    assert notes.start_beat.tolist() == [1.0, 1.0]
    added = with_notes(base, "piano/a", NoteArray([60, 59, 60], 90, [0.98, 1.0, 1.01], 1.0))
    assert [c.kind for c in merge_states(base, added, theirs).conflicts] == ["note_add_add"]
