"""Pydantic boundary models: both naming styles, range errors that name the field."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from storpheus import midi_types as mt
from storpheus.models import (
    Aftertouch,
    CCEvent,
    Note,
    PitchBend,
    aftertouch_from_dicts,
    bends_from_dicts,
    cc_from_dicts,
    notes_from_dicts,
)


def test_note_accepts_camel_and_snake_case() -> None:
    wire = Note.model_validate(
        {"pitch": 60, "velocity": 90, "startBeat": 1.5, "durationBeats": 0.5, "noteId": "n1",
         "trackId": "t", "regionId": "r"}
    )  # fmt: skip
    internal = Note.model_validate(
        {"pitch": 60, "velocity": 90, "start_beat": 1.5, "duration_beats": 0.5, "note_id": "n1",
         "track_id": "t", "region_id": "r"}
    )  # fmt: skip
    assert wire == internal
    assert wire.model_dump(exclude_none=True) == {
        "pitch": 60, "velocity": 90, "channel": 0, "startBeat": 1.5, "durationBeats": 0.5,
        "noteId": "n1", "trackId": "t", "regionId": "r",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"pitch": 128, "velocity": 90, "startBeat": 0, "durationBeats": 1}, "pitch"),
        ({"pitch": 60, "velocity": -1, "startBeat": 0, "durationBeats": 1}, "velocity"),
        (
            {"pitch": 60, "velocity": 9, "channel": 16, "startBeat": 0, "durationBeats": 1},
            "channel",
        ),
        ({"pitch": 60, "velocity": 9, "startBeat": -1, "durationBeats": 1}, "startBeat"),
        ({"pitch": 60, "velocity": 9, "startBeat": 0, "durationBeats": 0}, "durationBeats"),
        ({"pitch": 60.5, "velocity": 9, "startBeat": 0, "durationBeats": 1}, "pitch"),
        ({"pitch": 60, "velocity": 9, "startBeat": 0, "durationBeat": 1}, "durationBeat"),
    ],
)
def test_bad_note_names_the_field(payload: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        Note.model_validate(payload)
    locations = {str(loc) for err in info.value.errors() for loc in err["loc"]}
    assert field in locations


def test_list_validation_reports_the_index_of_the_bad_note() -> None:
    good = {"pitch": 60, "velocity": 90, "startBeat": 0, "durationBeats": 1}
    bad = {"pitch": 60, "velocity": 900, "startBeat": 1, "durationBeats": 1}
    with pytest.raises(ValidationError) as info:
        notes_from_dicts([good, good, bad])
    assert info.value.errors()[0]["loc"][:2] == (2, "velocity")


def test_event_models() -> None:
    assert CCEvent(cc=64, beat=0, value=127).value == 127
    with pytest.raises(ValidationError):
        CCEvent(cc=128, beat=0, value=0)
    with pytest.raises(ValidationError):
        PitchBend(beat=0, value=9000)
    assert PitchBend(beat=0, value=-8192).value == -8192
    assert Aftertouch(beat=1, value=3).pitch is None
    cc = cc_from_dicts([{"cc": 1, "beat": 0.5, "value": 3}])
    assert (cc.number.tolist(), cc.beat.tolist()) == ([1], [0.5])
    assert bends_from_dicts([{"beat": 0, "value": -5}]).value.tolist() == [-5]
    touch = aftertouch_from_dicts([{"beat": 0, "value": 5}, {"beat": 1, "value": 6, "pitch": 60}])
    assert touch.pitch.tolist() == [-1, 60]


class _Tempo(BaseModel):
    bpm: mt.MidiBPM
    bars: mt.Bars


def test_annotated_aliases_carry_the_reference_ranges() -> None:
    assert _Tempo(bpm=20, bars=1).bpm == 20
    for bad in ({"bpm": 19, "bars": 1}, {"bpm": 301, "bars": 1}, {"bpm": 92.5, "bars": 1},
                {"bpm": 90, "bars": 0}):  # fmt: skip
        with pytest.raises(ValidationError):
            _Tempo.model_validate(bad)


def test_assert_range_scalar_messages() -> None:
    mt.assert_range(8191, mt.PITCH_BEND)
    with pytest.raises(
        ValueError, match=r"value=-8193 is out of range: expected -8192 <= value <= 8191"
    ):
        mt.assert_range(-8193, mt.PITCH_BEND)
    with pytest.raises(ValueError, match=r"expected 0 < duration_beats"):
        mt.assert_range(0.0, mt.BEAT_DURATION)
    with pytest.raises(ValueError, match="bpm=nan"):
        mt.assert_range(float("nan"), mt.BPM)
