"""HistoryView: graph, checkout, diff of two commits as added/removed notes, blame."""

from __future__ import annotations

import numpy as np

from maestro_lab.lab import HistoryView


def _swap(lab, run_id):
    frame = lab.candidates(run_id)
    other = frame[(frame["role"] == "melody") & (frame["section"] == "hook") & ~frame["selected"]]
    cid = int(other["candidate_id"].iloc[0])
    return cid, lab.commit_candidate(cid)


def test_diff_shows_the_replaced_region_as_added_and_removed_notes(composed) -> None:
    lab, run_id, first = composed
    _cid, second = _swap(lab, run_id)
    view = HistoryView(lab)
    diff = view.diff(first, second.commit_id)
    region = next(
        r
        for r in lab.snapshot(second.commit_id).regions
        if r.region_id.startswith("melody") and "hook" in r.region_id
    )
    old = next(r for r in lab.snapshot(first).regions if r.region_id == region.region_id)
    # every added note lies in the hook and is one of the candidate's notes
    assert np.all(diff.added.start_beat >= region.start_beat - 1e-9)
    assert sorted(diff.added.pitch.tolist()) == sorted(region.notes.pitch.tolist())
    assert sorted(diff.removed.pitch.tolist()) == sorted(old.notes.pitch.tolist())
    total_after = sum(len(r.notes) for r in lab.snapshot(second.commit_id).regions)
    assert len(diff.unchanged) + len(diff.added) == total_after
    figure = view.diff_pianoroll(first, second.commit_id)
    legend = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert legend[0] == f"added ({len(diff.added)})"


def test_blame_names_the_commit_that_wrote_each_note(composed) -> None:
    lab, run_id, first = composed
    _, second = _swap(lab, run_id)
    view = HistoryView(lab)
    blame = view.blame("hook")
    melody = blame[blame["region_id"].str.startswith("melody")]
    assert set(melody["commit_id"]) == {second.commit_id}
    assert set(blame[~blame["region_id"].str.startswith("melody")]["commit_id"]) == {first}
    note = view.blame_note("hook", 0)
    assert note["commit_id"] in {first, second.commit_id}


def test_graph_checkout_and_versions(composed) -> None:
    lab, run_id, first = composed
    _, second = _swap(lab, run_id)
    view = HistoryView(lab)
    figure = view.graph()
    texts = " ".join(t.get_text() for t in figure.axes[0].texts)
    assert second.commit_id[:10] in texts
    assert "main" in texts
    assert "HEAD" in texts
    result = view.checkout(first)
    assert result.commit.commit_id == first
    assert view.head() == (None, first)
    assert len(view.versions("hook")) >= 2
