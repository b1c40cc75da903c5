from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from muse_duckdb import Mixer, ProjectState, RegionState, TrackState
from muse_duckdb.errors import ProjectStateError
from storpheus.notes import NoteArray
from tests.muse_duckdb.states import band_state, notes, piano_state, project_states


def test_region_times_are_rounded_to_whole_ticks_and_notes_sorted():
    region = RegionState(
        "r", "t", 0.0001, 4.0, notes=NoteArray([64, 60], 90, [1.0 + 1e-7, 0.0], 0.00001)
    )
    assert region.start_beat == 0.0
    assert region.notes.pitch.tolist() == [60, 64]
    assert region.notes.start_beat.tolist() == [0.0, 1.0]
    assert region.notes.duration_beats.tolist() == [1 / 960, 1 / 960]


def test_same_content_in_any_order_has_the_same_snapshot_id():
    a = band_state()
    shuffled = ProjectState(a.tracks, tuple(reversed(a.regions)), bpm=100, key="C major")
    noisy = a.with_regions(
        [
            a.region("piano/verse").with_events(
                notes=NoteArray([72, 67, 64, 60], 90, [3.0 + 1e-9, 2.0, 1.0, 0.0], 1.0)
            )
        ]
    )
    assert shuffled.snapshot_id == a.snapshot_id
    assert noisy.snapshot_id == a.snapshot_id


def test_snapshot_id_changes_with_track_order_mixer_and_placement():
    a = band_state()
    reordered = ProjectState(tuple(reversed(a.tracks)), a.regions, bpm=100, key="C major")
    louder = a.with_tracks([TrackState("bass", "Bass", 33, role="bass", mixer=Mixer(0.5))])
    moved = a.with_regions([RegionState("bass/chorus", "bass", 12.0, 8.0, "chorus")])
    ids = {a.snapshot_id, reordered.snapshot_id, louder.snapshot_id, moved.snapshot_id}
    assert len(ids) == 4


def test_region_object_id_ignores_placement():
    a = RegionState("a", "t", 0.0, 4.0, notes=notes([60]))
    b = RegionState("b", "u", 16.0, 8.0, name="x", notes=notes([60]))
    assert a.object_id == b.object_id


def test_replace_recomputes_cached_object_id():
    import dataclasses

    a = RegionState("a", "t", 0.0, 4.0, notes=notes([60]))
    first = a.object_id
    b = dataclasses.replace(a, notes=notes([61]))
    assert b.object_id != first


def test_snapshot_id_is_the_same_in_another_process_with_another_hash_seed():
    code = "from tests.muse_duckdb.states import band_state; print(band_state().snapshot_id)"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == band_state().snapshot_id


@given(project_states(grid=False), st.randoms(use_true_random=False))
def test_shuffling_notes_and_regions_keeps_the_snapshot_id(state, random):
    regions = list(state.regions)
    random.shuffle(regions)
    shuffled = []
    for r in regions:
        order = list(range(len(r.notes)))
        random.shuffle(order)
        shuffled.append(r.with_events(notes=r.notes[np.array(order, dtype=np.intp)]))
    again = ProjectState(state.tracks, tuple(shuffled), state.bpm, state.time_signature, state.key)
    assert again.snapshot_id == state.snapshot_id
    assert again == state


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: TrackState("", "x"), "track_id"),
        (lambda: TrackState("t", "x", program=128), "program"),
        (lambda: TrackState("t", "x", is_drum=True, channel=3), "channel"),
        (lambda: TrackState("t", "x", mixer=Mixer(volume=1.5)), "mixer.volume"),
        (lambda: RegionState("r", "t", -1.0, 4.0), "start_beat"),
        (lambda: RegionState("r", "t", 0.0, 0.0), "duration_beats"),
        (lambda: ProjectState(bpm=301), "bpm"),
        (lambda: ProjectState(bpm=120.5), "bpm"),  # type: ignore[arg-type]
    ],
)
def test_invalid_values_raise_project_state_error_naming_the_field(build, field):
    with pytest.raises(ProjectStateError) as info:
        build()
    assert field in info.value.field


def test_duplicate_ids_and_missing_tracks_are_rejected():
    t = TrackState("t", "T")
    r = RegionState("r", "t", 0.0, 4.0)
    with pytest.raises(ProjectStateError, match="duplicate id"):
        ProjectState((t, t))
    with pytest.raises(ProjectStateError, match="duplicate region id"):
        ProjectState((t,), (r, r))
    with pytest.raises(ProjectStateError, match="no such track"):
        ProjectState((), (r,))


def test_queries_find_tracks_and_regions_or_list_what_exists():
    state = band_state()
    assert [r.region_id for r in state.regions_of("bass")] == ["bass/verse", "bass/chorus"]
    assert state.track("bass").program == 33
    assert state.n_notes == 12
    assert state.end_beat == 16.0
    with pytest.raises(KeyError, match="piano/verse"):
        state.region("nope")


def test_with_tracks_replaces_in_place_and_appends_new():
    state = piano_state()
    out = state.with_tracks([TrackState("piano", "Grand"), TrackState("bass", "Bass")])
    assert [t.name for t in out.tracks] == ["Grand", "Bass"]
