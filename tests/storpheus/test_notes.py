"""NoteArray and the controller arrays: validation, immutability, operations, interchange."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storpheus.errors import MidiRangeError
from storpheus.events import AftertouchArray, ControlChangeArray, PitchBendArray
from storpheus.models import notes_from_dicts
from storpheus.notes import NoteArray
from tests.storpheus.strategies import note_arrays


def _notes() -> NoteArray:
    return NoteArray(
        pitch=[64, 60, 67],
        velocity=[80, 90, 70],
        start_beat=[1.0, 0.0, 2.5],
        duration_beats=[1.0, 0.5, 0.25],
        channel=[0, 0, 1],
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("pitch", 128),
        ("pitch", -1),
        ("velocity", 200),
        ("channel", 16),
        ("start_beat", -0.5),
        ("duration_beats", 0.0),
        ("duration_beats", float("nan")),
        ("start_beat", float("inf")),
    ],
)
def test_out_of_range_values_raise_naming_field_value_and_index(field: str, value: float) -> None:
    cols: dict[str, list[float]] = {
        "pitch": [60, 62],
        "velocity": [90, 90],
        "start_beat": [0.0, 1.0],
        "duration_beats": [1.0, 1.0],
        "channel": [0, 0],
    }
    cols[field][1] = value
    with pytest.raises(MidiRangeError) as info:
        NoteArray(**cols)
    assert info.value.field == field
    assert info.value.index == 1
    assert field in str(info.value)
    assert "index 1" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_fractional_pitch_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"pitch=60\.5 at index 0 is not a whole number"):
        NoteArray([60.5], 90, [0.0], [1.0])


def test_columns_of_different_length_are_rejected() -> None:
    with pytest.raises(ValueError, match="'velocity' has 1 values, expected 2"):
        NoteArray([60, 61], [90], [0.0, 1.0], [1.0, 1.0])


def test_scalars_broadcast_and_channel_defaults_to_zero() -> None:
    notes = NoteArray([60, 64, 67], 100, 0.0, 2.0)
    assert notes.velocity.tolist() == [100, 100, 100]
    assert notes.channel.tolist() == [0, 0, 0]
    assert notes.duration_beats.tolist() == [2.0, 2.0, 2.0]


def test_arrays_are_immutable_and_independent_of_the_input() -> None:
    pitches = np.array([60, 62])
    notes = NoteArray(pitches, 90, [0.0, 1.0], 1.0)
    pitches[0] = 0
    assert notes.pitch[0] == 60
    with pytest.raises(ValueError, match="read-only"):
        notes.pitch[0] = 1
    with pytest.raises(AttributeError, match="immutable"):
        notes.pitch = np.array([1, 2])  # type: ignore[misc]


def test_sort_orders_by_onset_then_pitch() -> None:
    notes = _notes().sort()
    assert notes.start_beat.tolist() == [0.0, 1.0, 2.5]
    assert notes.pitch.tolist() == [60, 64, 67]
    assert notes.is_sorted()
    assert not _notes().is_sorted()


def test_slice_by_beat_range_is_half_open() -> None:
    notes = _notes()
    assert notes.slice_beats(0.0, 1.0).pitch.tolist() == [60]
    assert sorted(notes.slice_beats(1.0, 3.0).pitch.tolist()) == [64, 67]
    assert len(notes.slice_beats(5.0, 9.0)) == 0


def test_concat_transpose_shift() -> None:
    notes = _notes()
    both = NoteArray.concat([notes, notes.shift(4.0)])
    assert len(both) == 6
    assert both.start_beat.tolist()[3:] == [5.0, 4.0, 6.5]
    assert notes.transpose(-12).pitch.tolist() == [52, 48, 55]
    with pytest.raises(MidiRangeError, match="pitch=128"):
        notes.transpose(61)
    with pytest.raises(MidiRangeError, match="start_beat"):
        notes.shift(-0.5)
    assert NoteArray.concat([]) == NoteArray.empty()


def test_equality_and_hash_follow_content() -> None:
    assert _notes() == _notes()
    assert hash(_notes()) == hash(_notes())
    assert _notes() != _notes().transpose(1)
    assert _notes() != ControlChangeArray.empty()


def test_mask_and_index_selection() -> None:
    notes = _notes()
    loud = notes[notes.velocity >= 80]
    assert loud.pitch.tolist() == [64, 60]
    assert notes[[2, 0]].pitch.tolist() == [67, 64]
    assert notes[1:].pitch.tolist() == [60, 67]


def test_pandas_round_trip_shares_buffers() -> None:
    notes = _notes()
    frame = notes.to_pandas()
    assert list(frame.columns) == ["pitch", "velocity", "channel", "start_beat", "duration_beats"]
    assert np.shares_memory(frame["start_beat"].to_numpy(), notes.start_beat)
    assert NoteArray.from_pandas(frame) == notes


def test_from_pandas_copies_a_writeable_frame_so_later_edits_cannot_leak_in() -> None:
    pitch = np.array([60, 61], dtype=np.uint8)
    frame = pd.DataFrame(
        {"pitch": pitch, "velocity": [90, 90], "start_beat": [0.0, 1.0], "duration_beats": 1.0}
    )
    notes = NoteArray.from_pandas(frame)
    frame.loc[0, "pitch"] = 1
    assert notes.pitch.tolist() == [60, 61]


def test_from_pandas_validates() -> None:
    frame = pd.DataFrame(
        {"pitch": [60], "velocity": [300], "start_beat": [0.0], "duration_beats": [1.0]}
    )
    with pytest.raises(MidiRangeError, match="velocity=300"):
        NoteArray.from_pandas(frame)
    with pytest.raises(ValueError, match="missing columns"):
        NoteArray.from_pandas(frame.drop(columns=["pitch"]))


def test_arrow_round_trip_is_zero_copy_for_floats() -> None:
    notes = _notes()
    table = notes.to_arrow()
    assert table.schema.field("pitch").type == pa.uint8()
    assert table.schema.field("start_beat").type == pa.float64()
    back = NoteArray.from_arrow(table)
    assert back == notes
    assert np.shares_memory(back.start_beat, notes.start_beat)
    assert np.shares_memory(back.pitch, notes.pitch)
    chunked = pa.concat_tables([table, table])
    assert len(NoteArray.from_arrow(chunked)) == 6


def test_arrow_with_nulls_is_rejected() -> None:
    table = pa.table(
        {"pitch": pa.array([60, None]), "velocity": [1, 2], "start_beat": [0.0, 1.0],
         "duration_beats": [1.0, 1.0]}
    )  # fmt: skip
    with pytest.raises(ValueError, match="'pitch' has nulls"):
        NoteArray.from_arrow(table)


def test_wire_dicts_round_trip() -> None:
    notes = _notes()
    wire = notes.to_dicts(wire=True)
    assert set(wire[0]) == {"pitch", "velocity", "channel", "startBeat", "durationBeats"}
    assert notes_from_dicts(wire) == notes
    assert notes_from_dicts(notes.to_dicts()) == notes


@settings(max_examples=100)
@given(note_arrays(), st.integers(-24, 24))
def test_sort_is_idempotent_and_transpose_inverts(notes: NoteArray, k: int) -> None:
    assert notes.sort().sort() == notes.sort()
    if len(notes) and (int(notes.pitch.min()) + k < 0 or int(notes.pitch.max()) + k > 127):
        with pytest.raises(MidiRangeError):
            notes.transpose(k)
    else:
        assert notes.transpose(k).transpose(-k) == notes


def test_controller_arrays_validate_their_ranges() -> None:
    with pytest.raises(
        MidiRangeError, match=r"number=128 at index 0 is out of range: expected 0 <= number <= 127"
    ):
        ControlChangeArray([128], [0], [0.0])
    with pytest.raises(MidiRangeError, match="value=8192"):
        PitchBendArray([8192], [0.0])
    with pytest.raises(MidiRangeError, match="value=-8193"):
        PitchBendArray([-8193], [0.0])
    with pytest.raises(MidiRangeError, match="beat=-1"):
        AftertouchArray([10], [-1.0])
    touch = AftertouchArray([10, 20], [0.0, 1.0], pitch=[-1, 60])
    assert touch.pitch.tolist() == [-1, 60]
    assert AftertouchArray([5], [0.0]).pitch.tolist() == [-1]


def test_controller_arrays_sort_slice_and_interchange() -> None:
    cc = ControlChangeArray([64, 7, 64], [0, 100, 127], [3.5, 0.0, 0.0])
    assert cc.sort().beat.tolist() == [0.0, 0.0, 3.5]
    assert cc.sort().number.tolist() == [7, 64, 64]
    assert cc.slice_beats(0, 1).value.tolist() == [100, 127]
    assert ControlChangeArray.from_arrow(cc.to_arrow()) == cc
    bends = PitchBendArray([-8192, 0, 8191], [0.0, 0.5, 1.0])
    assert PitchBendArray.from_pandas(bends.to_pandas()) == bends
    assert bends.shift(1.0).beat.tolist() == [1.0, 1.5, 2.0]
