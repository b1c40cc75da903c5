"""StateStore: tool calls applied to the in-memory project, transactions, Score export."""

from __future__ import annotations

import json
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maestro_lab.errors import (
    EntityNotFoundError,
    ToolApplyError,
    ToolValidationError,
    TransactionError,
)
from maestro_lab.tools import StateStore, ToolCall
from maestro_lab.tools.entities import ChangeKind
from storpheus.events import ControlChangeArray
from storpheus.identity import content_id
from storpheus.notes import NoteArray
from storpheus.score import Score, TimeSignature, Track


def note(pitch: int, start: float, duration: float = 1.0, velocity: int = 100) -> dict[str, object]:
    return {"pitch": pitch, "startBeat": start, "durationBeats": duration, "velocity": velocity}


def band() -> StateStore:
    store = StateStore()
    store.apply_all(
        [
            ToolCall("stori_set_tempo", {"tempo": 96}),
            ToolCall("stori_set_key", {"key": "Am"}),
            ToolCall("stori_add_midi_track", {"name": "Drums", "drumKitId": "TR-808"}),
            ToolCall("stori_add_midi_track", {"name": "Bass", "gmProgram": 33, "role": "bass"}),
            ToolCall(
                "stori_add_midi_region",
                {"trackName": "Drums", "name": "verse", "startBeat": 0, "durationBeats": 16},
            ),
            ToolCall(
                "stori_add_midi_region",
                {"trackId": "bass", "name": "verse", "startBeat": 16, "durationBeats": 16},
            ),
            ToolCall("stori_add_notes", {"regionId": "drums/verse", "notes": [note(36, 0, 0.25)]}),
            ToolCall(
                "stori_add_notes",
                {"regionId": "bass/verse", "notes": [note(45, 2), note(33, 0)]},
            ),
        ]
    )
    return store


def test_a_plan_of_tool_calls_builds_the_project_and_exports_a_score() -> None:
    store = band()
    score = store.to_score()
    assert score.bpm == 96
    assert score.key == "A minor"
    assert [t.name for t in score.tracks] == ["Drums", "Bass"]
    drums, bass = score.tracks
    assert drums.is_drum
    assert drums.channel == 9
    assert drums.role == "drums"
    assert bass.program == 33
    assert bass.role == "bass"
    # region at beat 16: notes move onto the absolute timeline, sorted
    assert bass.notes.start_beat.tolist() == [16.0, 18.0]
    assert bass.notes.pitch.tolist() == [33, 45]
    assert store.version == 8
    assert [c.kind for c in store.changes][:3] == [
        ChangeKind.PROJECT_UPDATED,
        ChangeKind.PROJECT_UPDATED,
        ChangeKind.TRACK_CREATED,
    ]


def test_ids_derive_from_names_and_clashes_get_suffixes() -> None:
    store = StateStore()
    results = store.apply_all(
        [
            ToolCall("stori_add_midi_track", {"name": "Lead Synth"}),
            ToolCall("stori_add_midi_track", {"name": "lead synth"}),
            ToolCall(
                "stori_add_midi_region",
                {"trackId": "lead-synth", "name": "Chorus 1", "startBeat": 0, "durationBeats": 4},
            ),
            ToolCall(
                "stori_add_midi_region",
                {"trackId": "lead-synth", "name": "Chorus 1", "startBeat": 4, "durationBeats": 4},
            ),
            ToolCall(
                "stori_add_midi_region",
                {"trackId": "lead-synth", "startBeat": 8, "durationBeats": 4},
            ),
            ToolCall("stori_ensure_bus", {"name": "Reverb"}),
            ToolCall("stori_ensure_bus", {"name": "reverb"}),
        ]
    )
    assert [r.entity_id for r in results] == [
        "lead-synth",
        "lead-synth-2",
        "lead-synth/chorus-1",
        "lead-synth/chorus-1-2",
        "lead-synth/region",
        "bus/reverb",
        "bus/reverb",
    ]
    assert [r.created for r in results][-2:] == [True, False]


def test_a_failed_apply_all_leaves_the_state_exactly_as_it_was() -> None:
    store = band()
    before, version, changes = store.snapshot, store.version, store.changes
    with pytest.raises(EntityNotFoundError, match="regionId='bass/chorus' does not exist"):
        store.apply_all(
            [
                ToolCall("stori_set_tempo", {"tempo": 140}),
                ToolCall("stori_add_midi_track", {"name": "Keys", "gmProgram": 4}),
                ToolCall("stori_add_notes", {"regionId": "bass/chorus", "notes": [note(40, 0)]}),
            ]
        )
    assert store.snapshot is before
    assert store.version == version
    assert store.changes == changes
    assert store.to_score().bpm == 96
    assert not store.in_transaction


def test_an_invalid_call_in_a_transaction_rolls_back_the_valid_ones() -> None:
    store = band()
    before = store.snapshot

    def change_tempo_then_bad_volume() -> None:
        with store.transaction():
            store.apply(ToolCall("stori_set_tempo", {"tempo": 100}))
            store.apply(ToolCall("stori_set_track_volume", {"trackId": "bass", "volume": 7}))

    with pytest.raises(ToolValidationError) as info:
        change_tempo_then_bad_volume()
    assert info.value.parameter == "volume"
    assert store.snapshot is before


def test_explicit_transactions_commit_and_roll_back() -> None:
    store = StateStore()
    tx = store.begin_transaction()
    store.apply(ToolCall("stori_set_tempo", {"tempo": 100}))
    assert tx.changes[0].tool == "stori_set_tempo"
    tx.rollback()
    assert store.snapshot.tempo == 120
    assert store.version == 0
    assert store.changes == ()
    tx = store.begin_transaction()
    store.apply(ToolCall("stori_set_tempo", {"tempo": 100}))
    tx.commit()
    assert store.snapshot.tempo == 100
    with pytest.raises(TransactionError, match="already committed"):
        tx.rollback()


def test_nested_transactions_roll_back_innermost_first() -> None:
    store = StateStore()
    outer = store.begin_transaction()
    store.apply(ToolCall("stori_set_tempo", {"tempo": 100}))
    inner = store.begin_transaction()
    store.apply(ToolCall("stori_set_key", {"key": "Dm"}))
    with pytest.raises(TransactionError, match="innermost first"):
        outer.commit()
    inner.rollback()
    assert (store.snapshot.tempo, store.snapshot.key) == (100, None)
    inner2 = store.begin_transaction()
    store.apply(ToolCall("stori_set_key", {"key": "Dm"}))
    inner2.commit()
    outer.rollback()
    assert (store.snapshot.tempo, store.snapshot.key) == (120, None)
    assert store.version == 0


@pytest.mark.parametrize(
    ("call", "error", "parameter", "message"),
    [
        (
            ToolCall("stori_set_track_pan", {"trackId": "guitar", "pan": 0.5}),
            EntityNotFoundError,
            "trackId",
            "known: ['drums', 'bass']",
        ),
        (
            ToolCall(
                "stori_add_notes",
                {"regionId": "bass/verse", "notes": [note(40, 0), note(41, 16)]},
            ),
            ToolApplyError,
            "notes[1].startBeat",
            "at or after the end of region 'bass/verse'",
        ),
        (
            ToolCall("stori_add_send", {"trackId": "bass", "busName": "Delay"}),
            EntityNotFoundError,
            "busName",
            "busName='Delay' does not exist",
        ),
        (
            ToolCall(
                "stori_add_midi_region",
                {"trackId": "bass", "trackName": "Drums", "startBeat": 0, "durationBeats": 4},
            ),
            ToolApplyError,
            "trackName",
            "is not the name of track 'bass'",
        ),
        (
            ToolCall(
                "stori_add_midi_region",
                {"trackName": "Flute", "startBeat": 0, "durationBeats": 4},
            ),
            EntityNotFoundError,
            "trackName",
            "trackName='Flute' does not exist",
        ),
        (
            ToolCall(
                "stori_add_midi_cc",
                {"regionId": "bass/verse", "cc": 1, "events": [{"beat": 20, "value": 3}]},
            ),
            ToolApplyError,
            "events[0].beat",
            "at or after the end",
        ),
        (
            ToolCall("stori_generate_midi", {"role": "bass", "style": "x", "tempo": 96, "bars": 4}),
            ToolApplyError,
            None,
            "server-side generator tool",
        ),
    ],
)
def test_calls_that_cannot_apply_raise_typed_errors_and_change_nothing(
    call: ToolCall, error: type[Exception], parameter: str | None, message: str
) -> None:
    store = band()
    before = store.snapshot
    with pytest.raises(error, match=message.replace("[", r"\[").replace("]", r"\]")) as info:
        store.apply(call)
    assert getattr(info.value, "parameter", None) == parameter
    assert store.snapshot is before


def test_track_references_accept_a_track_name_in_any_case() -> None:
    store = band()
    store.apply(ToolCall("stori_set_track_volume", {"trackId": "BASS", "volume": 0.5}))
    assert store.snapshot.track("bass").mixer.volume == 0.5
    store.apply(ToolCall("stori_mute_track", {"trackName": "drums", "muted": True}))
    assert store.snapshot.track("drums").mixer.mute
    with pytest.raises(ToolApplyError, match="'Drums' is not the name of track 'bass'"):
        store.apply(
            ToolCall("stori_solo_track", {"trackId": "bass", "trackName": "Drums", "solo": True})
        )
    with pytest.raises(EntityNotFoundError, match="trackName='Flute'"):
        store.apply(ToolCall("stori_solo_track", {"trackName": "Flute", "solo": True}))


def test_planner_style_mix_calls_convert_decibels_and_percent() -> None:
    store = band()
    store.apply_all(
        [
            ToolCall("stori_set_track_volume", {"trackName": "Bass", "volumeDb": -6.0}),
            ToolCall("stori_set_track_pan", {"trackName": "Bass", "panPercent": -25.0}),
            ToolCall("stori_set_track_volume", {"trackName": "Drums", "volumeDb": -96.0}),
            ToolCall("stori_add_insert_effect", {"trackName": "Drums", "type": "compressor"}),
        ]
    )
    bass, drums = store.snapshot.track("bass"), store.snapshot.track("drums")
    assert bass.mixer.volume == pytest.approx(0.501187, abs=1e-6)
    assert bass.mixer.pan == -0.25
    assert drums.mixer.volume == 0.0
    assert store.snapshot.daw_track("drums").inserts[0].effect_type == "compressor"


def test_region_edits_move_copy_and_delete_events() -> None:
    store = band()
    store.apply_all(
        [
            ToolCall("stori_move_region", {"regionId": "bass/verse", "startBeat": 32}),
            ToolCall(
                "stori_duplicate_region",
                {"regionId": "bass/verse", "startBeat": 48, "name": "verse 2"},
            ),
            ToolCall("stori_delete_region", {"regionId": "drums/verse"}),
        ]
    )
    assert store.snapshot.region_ids == ("bass/verse", "bass/verse-2")
    score = store.to_score()
    assert score.track("Bass").notes.start_beat.tolist() == [32.0, 34.0, 48.0, 50.0]
    assert len(score.track("Drums").notes) == 0


def test_clear_and_quantize_notes() -> None:
    store = StateStore()
    store.apply_all(
        [
            ToolCall("stori_add_midi_track", {"name": "Keys", "gmProgram": 4}),
            ToolCall(
                "stori_add_midi_region", {"trackId": "keys", "startBeat": 0, "durationBeats": 8}
            ),
            ToolCall(
                "stori_add_notes",
                {"regionId": "keys/region", "notes": [note(60, 0.1), note(62, 1.4), note(64, 7.9)]},
            ),
            ToolCall(
                "stori_quantize_notes",
                {"regionId": "keys/region", "gridSize": 0.5, "strength": 0.5},
            ),
        ]
    )
    starts = store.snapshot.region("keys/region").notes.start_beat
    np.testing.assert_allclose(starts, [0.05, 1.45, 7.95])
    store.apply(ToolCall("stori_quantize_notes", {"regionId": "keys/region", "gridSize": 0.5}))
    starts = store.snapshot.region("keys/region").notes.start_beat
    assert starts[0] == 0.0
    assert starts[1] == 1.5
    assert starts[2] < 8.0  # snapped to the region end would leave the region: kept inside
    store.apply(ToolCall("stori_clear_notes", {"regionId": "keys/region"}))
    assert len(store.snapshot.region("keys/region").notes) == 0


def test_midi_control_events_land_on_the_absolute_timeline() -> None:
    store = band()
    store.apply_all(
        [
            ToolCall(
                "stori_add_midi_cc",
                {"regionId": "bass/verse", "cc": 64, "events": [{"beat": 1, "value": 127}]},
            ),
            ToolCall(
                "stori_add_pitch_bend",
                {"regionId": "bass/verse", "events": [{"beat": 2, "value": -4096}]},
            ),
            ToolCall(
                "stori_add_aftertouch",
                {"regionId": "bass/verse", "events": [{"beat": 3, "value": 50, "pitch": 45}]},
            ),
        ]
    )
    bass = store.to_score().track("Bass")
    assert bass.cc.beat.tolist() == [17.0]
    assert bass.cc.number.tolist() == [64]
    assert bass.bends.value.tolist() == [-4096]
    assert bass.aftertouch.pitch.tolist() == [45]


def test_mixing_state_appears_in_the_project_context_json() -> None:
    store = band()
    store.apply_all(
        [
            ToolCall("stori_set_track_volume", {"trackId": "bass", "volume": 0.7}),
            ToolCall("stori_set_track_pan", {"trackId": "bass", "pan": -0.3}),
            ToolCall("stori_mute_track", {"trackId": "drums", "muted": True}),
            ToolCall("stori_solo_track", {"trackId": "bass", "solo": True}),
            ToolCall("stori_add_insert_effect", {"trackId": "bass", "type": "compressor"}),
            ToolCall("stori_ensure_bus", {"name": "Reverb"}),
            ToolCall("stori_add_send", {"trackId": "bass", "busName": "Reverb", "sendLevel": 0.2}),
            ToolCall("stori_add_send", {"trackId": "bass", "busName": "reverb", "sendLevel": 0.4}),
            ToolCall("stori_set_track_name", {"trackId": "bass", "name": "Sub"}),
            ToolCall("stori_set_midi_program", {"trackId": "bass", "program": 38}),
        ]
    )
    context = store.to_context()
    json.dumps(context)
    tracks = context["tracks"]
    assert isinstance(tracks, list)
    drums, bass = tracks
    assert isinstance(bass, dict)
    assert isinstance(drums, dict)
    assert bass["name"] == "Sub"
    assert bass["gmProgram"] == 38
    assert (bass["volume"], bass["pan"], bass["solo"]) == (0.7, -0.3, True)
    assert bass["sends"] == [{"busId": "bus/reverb", "level": 0.4}]
    assert bass["inserts"] == [{"type": "compressor", "settings": {}}]
    assert drums["muted"] is True
    assert drums["gmProgram"] is None
    assert context["buses"] == [{"id": "bus/reverb", "name": "Reverb"}]
    assert context["timeSignature"] == {"numerator": 4, "denominator": 4}
    regions = bass["regions"]
    assert isinstance(regions, list)
    assert regions[0]["noteCount"] == 2  # type: ignore[index]


def test_write_notes_is_the_columnar_fast_path() -> None:
    store = band()
    notes = NoteArray(pitch=[40, 43, 47], velocity=90, start_beat=[3.0, 0.0, 1.0], duration_beats=1)
    result = store.write_notes("bass/verse", notes)
    assert result.entity_id == "bass/verse"
    region = store.snapshot.region("bass/verse")
    assert region.notes.start_beat.tolist() == [0.0, 1.0, 3.0]
    store.write_notes(
        "bass/verse",
        NoteArray([50], 90, [5.0], 1.0),
        replace_existing=False,
        cc=ControlChangeArray(number=[7], value=[100], beat=[0.0]),
    )
    region = store.snapshot.region("bass/verse")
    assert len(region.notes) == 4
    assert len(region.cc) == 1
    with pytest.raises(ToolApplyError, match=r"notes\[0\]\.startBeat"):
        store.write_notes("bass/verse", NoteArray([50], 90, [16.0], 1.0))
    with pytest.raises(EntityNotFoundError, match="regionId"):
        store.write_notes("nope", notes)


def test_from_score_round_trips_the_music() -> None:
    score = Score(
        tracks=(
            Track("Piano", NoteArray([60, 64, 67], 80, [0.0, 1.0, 2.5], 1.0), program=0),
            Track("Kit", NoteArray([36, 38], 100, [0.0, 1.0], 0.25), is_drum=True, role="drums"),
        ),
        bpm=110,
        time_signature=TimeSignature(3, 4),
        key="D minor",
    )
    store = StateStore.from_score(score)
    assert store.snapshot.track_ids == ("piano", "kit")
    assert store.snapshot.region("piano/main").duration_beats == 6.0  # two 3/4 bars
    assert content_id(store.to_score()) == content_id(score)


def test_concurrent_writers_to_different_regions_all_land() -> None:
    store = StateStore()
    names = [f"T{i}" for i in range(6)]
    for name in names:
        store.apply(ToolCall("stori_add_midi_track", {"name": name}))
        store.apply(
            ToolCall(
                "stori_add_midi_region", {"trackName": name, "startBeat": 0, "durationBeats": 64}
            )
        )

    def writer(name: str) -> None:
        for k in range(30):
            store.apply(
                ToolCall(
                    "stori_add_notes",
                    {"regionId": f"{name.lower()}/region", "notes": [note(60, k)]},
                )
            )

    threads = [threading.Thread(target=writer, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.snapshot.n_notes == 6 * 30
    assert store.version == 12 + 180


TEMPO = st.integers(0, 400)
CALLS = st.one_of(
    st.builds(lambda t: ToolCall("stori_set_tempo", {"tempo": t}), TEMPO),
    st.builds(
        lambda n: ToolCall("stori_add_midi_track", {"name": n}),
        st.sampled_from(["Bass", "Keys", ""]),
    ),
    st.builds(
        lambda t, s: ToolCall(
            "stori_add_midi_region", {"trackId": t, "startBeat": s, "durationBeats": 8}
        ),
        st.sampled_from(["bass", "keys", "drums"]),
        st.floats(-1, 32, allow_nan=False),
    ),
    st.builds(
        lambda r, s: ToolCall("stori_add_notes", {"regionId": r, "notes": [note(60, s)]}),
        st.sampled_from(["bass/region", "keys/region", "nope"]),
        st.floats(0, 10, allow_nan=False),
    ),
)


@settings(max_examples=60, deadline=None)
@given(calls=st.lists(CALLS, max_size=8))
def test_apply_all_is_all_or_nothing(calls: list[ToolCall]) -> None:
    store = band()
    before, version = store.snapshot, store.version
    try:
        results = store.apply_all(calls)
    except (ToolValidationError, ToolApplyError, EntityNotFoundError):
        assert store.snapshot is before
        assert store.version == version
        assert len(store.changes) == version
    else:
        assert store.version == version + len(calls)
        assert [r.version for r in results] == list(range(version + 1, store.version + 1))
    assert not store.in_transaction


def test_the_project_round_trips_through_muse_with_ids_and_mixer() -> None:
    from maestro_lab.tools.entities import StateSnapshot
    from muse_duckdb import Repository

    store = band()
    store.apply_all(
        [
            ToolCall("stori_set_track_volume", {"trackId": "bass", "volume": 0.5}),
            ToolCall("stori_set_track_pan", {"trackId": "bass", "pan": 0.25}),
            ToolCall("stori_mute_track", {"trackId": "drums", "muted": True}),
            ToolCall(
                "stori_add_midi_cc",
                {"regionId": "bass/verse", "cc": 1, "events": [{"beat": 0.5, "value": 64}]},
            ),
        ]
    )
    state = store.snapshot.project
    assert state.track_ids == ("drums", "bass")
    assert state.region_ids == ("bass/verse", "drums/verse")
    assert state.track("bass").mixer.volume == 0.5
    assert state.track("drums").mixer.mute
    repo = Repository.open(":memory:", "demo")
    commit = repo.commit(state, "compose")
    head = repo.snapshot("HEAD")
    assert head.snapshot_id == state.snapshot_id == commit.snapshot_id
    back = StateStore(StateSnapshot.from_project(head))
    assert back.snapshot.track_ids == store.snapshot.track_ids
    # Muse puts each track's notes on the track's playback channel; the music is the same
    assert back.snapshot.region("bass/verse").notes == store.snapshot.region(
        "bass/verse"
    ).notes.with_channel(1)
    assert content_id(back.to_score()) == content_id(store.to_score())
    back.apply(ToolCall("stori_set_tempo", {"tempo": 100}))
    assert back.snapshot.project.bpm == 100
