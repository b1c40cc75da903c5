from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from muse_duckdb import RegionLayout, project_to_score, score_to_project
from muse_duckdb.convert import Section, track_ids
from muse_duckdb.errors import ProjectStateError
from storpheus.events import ControlChangeArray, PitchBendArray
from storpheus.identity import content_id
from storpheus.notes import NoteArray
from storpheus.score import Score, TimeSignature, Track
from tests.muse_duckdb.states import note_arrays


def two_track_score() -> Score:
    bass = Track(
        "Bass",
        NoteArray([36, 38, 40], 100, [0.0, 17.0, 35.5], 1.0),
        program=33,
        role="bass",
        cc=ControlChangeArray([64], [127], [16.5]),
        bends=PitchBendArray([200], [33.0]),
    )
    kit = Track("Drums", NoteArray([36, 38], 110, [0.0, 1.0], 0.25), is_drum=True)
    return Score((bass, kit), bpm=96, key="D minor")


def test_whole_layout_makes_one_region_per_track_spanning_the_piece():
    state = score_to_project(two_track_score())
    assert state.region_ids == ("bass/main", "drums/main")
    assert {r.duration_beats for r in state.regions} == {40.0}  # 10 bars of 4/4
    assert state.track("drums").is_drum
    assert state.track("drums").channel == 9


def test_bar_layout_cuts_notes_and_controllers_into_region_relative_times():
    state = score_to_project(two_track_score(), RegionLayout.per_bars(4))
    second = state.region("bass/bars-005-008")
    assert second.start_beat == 16.0
    assert second.notes.start_beat.tolist() == [1.0]
    assert second.cc.beat.tolist() == [0.5]
    assert state.region("bass/bars-009-012").bends.beat.tolist() == [1.0]
    assert state.region("drums/bars-005-008").n_notes == 0  # empty regions are kept


def test_section_layout_names_regions_after_sections():
    layout = RegionLayout.from_sections([("Verse", 0, 16), ("Chorus", 16, 24)])
    state = score_to_project(two_track_score(), layout)
    assert state.region("bass/chorus").name == "Chorus"
    assert state.region("bass/chorus").n_notes == 2


def test_round_trip_keeps_the_score_content():
    score = two_track_score()
    for layout in (RegionLayout.whole(), RegionLayout.per_bars(1), RegionLayout.per_bars(3)):
        back = project_to_score(score_to_project(score, layout))
        assert content_id(back) == content_id(score)


def test_like_reuses_region_boundaries_and_mixer_of_the_template():
    from muse_duckdb import Mixer

    score = two_track_score()
    first = score_to_project(score, RegionLayout.per_bars(4))
    bass = first.track("bass")
    import dataclasses

    template = first.with_tracks([dataclasses.replace(bass, mixer=Mixer(0.3, -0.5))])
    longer = Score(
        (
            dataclasses.replace(score.tracks[0], notes=NoteArray([36, 48], 100, [0.0, 50.0], 1.0)),
            score.tracks[1],
        ),
        bpm=96,
    )
    state = score_to_project(longer, RegionLayout.whole(), like=template)
    assert state.track("bass").mixer == Mixer(0.3, -0.5)
    assert "bass/bars-009-012" in state.region_ids
    last = state.region("bass/bars-009-012")
    assert last.end_beat > 50.0  # the last region grew to hold the new note


def test_track_ids_are_slugs_numbered_when_repeated():
    assert track_ids(["Upright Bass", "Piano", "Piano", "", "Piano #2"]) == [
        "upright-bass",
        "piano",
        "piano-2",
        "track-4",
        "piano-2-2",
    ]


@pytest.mark.parametrize("text", ["bars:0", "bars:x", "beats:4", ""])
def test_bad_layout_text_raises(text):
    with pytest.raises(ProjectStateError, match="layout"):
        RegionLayout.parse(text)


def test_layout_parse_accepts_whole_track_and_bars():
    assert RegionLayout.parse("track") == RegionLayout.whole()
    assert RegionLayout.parse("bars:8") == RegionLayout.per_bars(8)
    with pytest.raises(ProjectStateError):
        RegionLayout.from_sections([Section("A", 0, 4), Section("a", 4, 4)])


@settings(max_examples=60)
@given(
    st.lists(note_arrays(max_notes=15, grid=False), min_size=1, max_size=3),
    st.integers(1, 4),
    st.sampled_from([TimeSignature(4, 4), TimeSignature(3, 4), TimeSignature(6, 8)]),
)
def test_score_to_project_round_trip_for_any_notes(note_sets, bars, meter):
    score = Score(tuple(Track(f"T{i}", n) for i, n in enumerate(note_sets)), time_signature=meter)
    back = project_to_score(score_to_project(score, RegionLayout.per_bars(bars)))
    assert content_id(back) == content_id(score)
