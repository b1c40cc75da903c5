from __future__ import annotations

import pytest

from muse_duckdb.errors import UnknownRegionError
from storpheus.notes import NoteArray
from tests.muse_duckdb.states import band_state, notes, with_notes


def test_blame_attributes_each_note_to_the_commit_that_introduced_it(repo):
    first = repo.commit(band_state(), "band", author="ada")
    second = repo.commit(
        with_notes(repo.snapshot(), "piano/verse", notes([60, 64, 67, 71])),
        "new last note",
        author="agent:piano",
    )
    third = repo.commit(
        with_notes(
            repo.snapshot(),
            "piano/verse",
            NoteArray([60, 64, 67, 71], [90, 40, 90, 90], [0, 1, 2, 3], 1.0),
        ),
        "softer second note",
        author="bob",
    )
    blame = repo.blame("piano/verse")
    owners = [blame.commit_of(i).commit_id for i in range(len(blame))]
    assert owners == [first.commit_id, third.commit_id, first.commit_id, second.commit_id]
    frame = blame.to_pandas()
    assert list(frame["author"]) == ["ada", "bob", "ada", "agent:piano"]
    assert list(frame["author_kind"]) == ["person", "person", "person", "agent"]
    assert frame["start_beat"].tolist() == [0.0, 1.0, 2.0, 3.0]


def test_blame_follows_moved_regions_and_merges(repo):
    first = repo.commit(band_state(), "band", author="ada")
    repo.branch("side")
    from muse_duckdb import RegionState

    chorus = repo.snapshot().region("piano/chorus")
    moved = RegionState("piano/chorus", "piano", 10.0, 8.0, "chorus", chorus.notes)
    repo.commit(repo.snapshot().with_regions([moved]), "move chorus", author="ada")
    repo.checkout("side")
    side = repo.commit(
        with_notes(repo.snapshot(), "piano/chorus", notes([62, 65, 69, 75])),
        "side edit",
        author="agent:piano",
    )
    repo.checkout("main")
    repo.merge("main", "side")
    blame = repo.blame("piano/chorus")
    owners = [blame.commit_of(i).commit_id for i in range(len(blame))]
    assert owners == [first.commit_id] * 3 + [side.commit_id]
    assert blame.notes.start_beat.tolist() == [10.0, 11.0, 12.0, 13.0]


def test_blame_of_a_track_or_section_covers_all_its_regions(repo):
    repo.commit(band_state(), "band", author="ada")
    assert set(repo.blame("piano").region_ids) == {"piano/verse", "piano/chorus"}
    assert set(repo.blame("chorus").region_ids) == {"piano/chorus", "bass/chorus"}
    with pytest.raises(UnknownRegionError) as info:
        repo.blame("bridge")
    assert "piano/verse" in info.value.available


def test_blame_reports_the_variation_and_phrase(repo):
    repo.commit(band_state(), "band", author="ada")
    proposal = with_notes(
        repo.snapshot(), "bass/verse", notes([36, 43, 48], [0, 4, 6], duration=2.0)
    )
    variation = repo.propose(proposal, "busier bass")
    commit = repo.commit_variation(variation.variation_id, author="agent:bass")
    blame = repo.blame("bass/verse")
    last = len(blame) - 1
    assert blame.commit_of(last).commit_id == commit.commit_id
    assert blame.commit_of(last).variation_id == variation.variation_id
    assert blame.phrase_ids[last] == variation.phrases[0].phrase_id
    assert blame.phrase_ids[0] is None
    assert blame.to_dicts()[last]["authorKind"] == "agent"


def test_history_lists_every_version_of_a_section_in_order(repo):
    repo.commit(band_state(), "band", author="ada")
    repo.commit(with_notes(repo.snapshot(), "piano/chorus", notes([62])), "chorus 2")
    repo.commit(with_notes(repo.snapshot(), "piano/verse", notes([61])), "verse 2")
    repo.commit(with_notes(repo.snapshot(), "bass/chorus", notes([40])), "bass chorus 2")
    versions = repo.history("chorus")
    assert [(v.commit.message, v.region_id, v.change) for v in versions] == [
        ("band", "bass/chorus", "added"),
        ("band", "piano/chorus", "added"),
        ("chorus 2", "piano/chorus", "modified"),
        ("bass chorus 2", "bass/chorus", "modified"),
    ]
    only = repo.history("piano/chorus")
    assert [v.n_notes for v in only] == [4, 1]
    assert only[-1].to_dict()["regionId"] == "piano/chorus"
    with pytest.raises(UnknownRegionError):
        repo.history("bridge")
