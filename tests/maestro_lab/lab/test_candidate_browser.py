"""CandidateBrowser: every candidate per role and section; commit another choice; phrases."""

from __future__ import annotations

import numpy as np
import pytest

from maestro_lab.errors import LabError, UnknownCandidateError
from maestro_lab.lab import CandidateBrowser
from maestro_lab.viz.scores import dimension_columns

from .conftest import CANDIDATES, PROMPT

TICK = 1.0 / 480


def test_table_lists_every_candidate_of_the_part_sorted(composed) -> None:
    lab, run_id, _ = composed
    browser = CandidateBrowser(lab, run_id)
    assert len(browser.groups()) == 16
    browser.choose("bass", "verse")
    dimension = dimension_columns(browser.table())[0]  # whatever the scorer records
    table = browser.table(sort_by=dimension)
    assert len(table) == CANDIDATES
    assert table[dimension].is_monotonic_decreasing
    assert browser.table(sort_by="score", ascending=True)["score"].is_monotonic_increasing
    assert set(table["role"]) == {"bass"}
    assert set(table["section"]) == {"verse"}
    assert browser.selected == browser.chosen_by_sampling
    with pytest.raises(LabError, match="cannot sort by 'nope'"):
        browser.table(sort_by="nope")


def test_choosing_another_candidate_commits_exactly_its_notes(composed) -> None:
    lab, run_id, commit_id = composed
    browser = CandidateBrowser(lab, run_id)
    browser.choose("bass", "verse")
    table = browser.table()
    other = int(table[~table["selected"]]["candidate_id"].iloc[0])
    browser.select(other)
    expected = browser.notes()
    commit = browser.commit_selected()
    assert commit.parents == (commit_id,)
    before, after = lab.snapshot(commit_id), lab.snapshot(commit.commit_id)
    changed = [
        r.region_id
        for r, s in zip(before.regions, after.regions, strict=True)
        if r.notes != s.notes
    ]
    assert len(changed) == 1
    region = next(r for r in after.regions if r.region_id == changed[0])
    assert region.track_id == "bass"
    assert "verse" in region.region_id
    got = region.notes.sort()
    want = expected.sort()
    assert np.array_equal(got.pitch, want.pitch)
    assert np.array_equal(got.velocity, want.velocity)
    assert np.allclose(got.start_beat, want.start_beat, atol=TICK)
    assert np.allclose(got.duration_beats, want.duration_beats, atol=TICK)


def test_selecting_a_candidate_of_another_part_is_refused(composed) -> None:
    lab, run_id, _ = composed
    browser = CandidateBrowser(lab, run_id)
    browser.choose("bass", "verse")
    frame = lab.candidates(run_id)
    drums = int(frame[frame["role"] == "drums"]["candidate_id"].iloc[0])
    with pytest.raises(UnknownCandidateError):
        browser.select(drums)


def test_piano_roll_and_audio_of_the_selected_candidate(composed) -> None:
    lab, run_id, _ = composed
    browser = CandidateBrowser(lab, run_id)
    browser.choose("drums", "intro")
    figure = browser.pianoroll()
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert "Closed Hi-Hat" in labels
    clip = browser.audio(engine="builtin")
    seconds = browser.score().end_beat * 60 / browser.score().bpm
    assert abs(clip.duration - seconds) < 1.0
    assert clip.rms > 0.001


def test_accepting_some_phrases_commits_only_those(tmp_path) -> None:
    from maestro_lab.lab import Lab

    lab = Lab(tmp_path / "lab.duckdb")
    browser_lab_run = lab.propose(PROMPT, seed=3, candidates=2)
    browser = CandidateBrowser(lab, browser_lab_run.run_id)
    browser.attach(browser_lab_run)
    phrases = browser.phrases()
    assert len(phrases) == 16
    keep = [p for p in phrases["phrase_id"] if "/bass" in p or "bass/" in p]
    assert keep
    result = browser.accept(keep)
    commit = lab.repository().get_commit(result.commit_id)
    assert sorted(commit.accepted_phrase_ids) == sorted(keep)
    assert {t.track_id for t in lab.snapshot().tracks if t.track_id == "bass"} == {"bass"}


def test_discarding_commits_nothing(tmp_path) -> None:
    from maestro_lab.lab import Lab

    lab = Lab(tmp_path / "lab.duckdb")
    pending = lab.propose(PROMPT, seed=3, candidates=2)
    browser = CandidateBrowser(lab, pending.run_id)
    browser.attach(pending)
    browser.discard()
    assert lab.history().empty
    with pytest.raises(LabError, match="no staged composition"):
        browser.accept()
