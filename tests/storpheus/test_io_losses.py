"""A lossless read refuses music a Score cannot keep, naming each loss.

Inputs are built inline with mido: one conductor track (tempo, meter, key)
and one note track.
"""

from __future__ import annotations

import io

import mido
import pytest

from storpheus.errors import MidiFileError, MidiLossError
from storpheus.io import midi_bytes_to_score, score_to_midi_bytes
from storpheus.notes import NoteArray
from storpheus.score import Score, Track

TPQ = 480


def _file(meta: list[mido.MetaMessage], notes: list[mido.Message] | None = None) -> bytes:
    mf = mido.MidiFile(ticks_per_beat=TPQ)
    conductor = mido.MidiTrack(meta)
    track = mido.MidiTrack(
        notes
        or [
            mido.Message("note_on", note=60, velocity=80, time=0),
            mido.Message("note_off", note=60, velocity=0, time=TPQ * 8),
        ]
    )
    mf.tracks.extend([conductor, track])
    buffer = io.BytesIO()
    mf.save(file=buffer)
    return buffer.getvalue()


def _tempo(bpm: float, time: int = 0) -> mido.MetaMessage:
    return mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm), time=time)


def test_a_whole_number_tempo_meter_and_key_read_losslessly() -> None:
    data = _file(
        [
            _tempo(92),  # 652174 us per quarter: 91.99999 bpm, a whole number in MIDI's terms
            mido.MetaMessage("time_signature", numerator=3, denominator=4),
            mido.MetaMessage("key_signature", key="Em"),
        ]
    )
    score = midi_bytes_to_score(data, lossless=True)
    assert (score.bpm, score.time_signature.numerator, score.key) == (92, 3, "E minor")


@pytest.mark.parametrize(
    ("meta", "notes", "loss"),
    [
        ([_tempo(92.5)], None, "tempo 92.5 bpm would be stored as 92 bpm"),
        ([_tempo(400)], None, "tempo 400 bpm would be stored as 300 bpm"),
        (
            [_tempo(100), _tempo(140, time=TPQ * 4)],
            None,
            "1 later tempo change(s) would be dropped (the first at beat 4, to 140 bpm)",
        ),
        (
            [
                mido.MetaMessage("time_signature", numerator=4, denominator=4),
                mido.MetaMessage("time_signature", numerator=7, denominator=8, time=TPQ * 8),
            ],
            None,
            "1 later meter change(s) would be dropped (the first at beat 8, to 7/8)",
        ),
        (
            [
                mido.MetaMessage("key_signature", key="C"),
                mido.MetaMessage("key_signature", key="A", time=TPQ * 2),
            ],
            None,
            "1 later key change(s) would be dropped (the first at beat 2, to A major)",
        ),
        (
            [_tempo(120)],
            [
                mido.Message("note_on", note=60, velocity=80, time=0),
                mido.Message("polytouch", note=60, value=40, time=10),
                mido.Message("aftertouch", value=30, time=10),
                mido.Message("note_off", note=60, velocity=0, time=TPQ),
            ],
            "2 aftertouch event(s) would be dropped",
        ),
        (
            [_tempo(90, time=TPQ * 2)],
            None,
            "the file plays at the default 120 bpm until beat 2, then at 90 bpm",
        ),
    ],
    ids=[
        "fractional",
        "too-fast",
        "tempo-change",
        "meter-change",
        "key-change",
        "aftertouch",
        "late-first-tempo",
    ],
)
def test_a_lossless_read_names_what_would_be_lost(
    meta: list[mido.MetaMessage], notes: list[mido.Message] | None, loss: str
) -> None:
    data = _file(meta, notes)
    with pytest.raises(MidiLossError) as caught:
        midi_bytes_to_score(data, source="song.mid", lossless=True)
    assert any(loss in text for text in caught.value.losses), caught.value.losses
    assert isinstance(caught.value, MidiFileError)
    assert str(caught.value).startswith("song.mid: reading it would change the music: ")
    midi_bytes_to_score(data)  # the default read keeps what it can, as documented


def test_every_loss_is_listed_at_once() -> None:
    data = _file(
        [
            _tempo(92.5),
            _tempo(100, time=TPQ),
            mido.MetaMessage("key_signature", key="C"),
            mido.MetaMessage("key_signature", key="D", time=TPQ),
        ]
    )
    with pytest.raises(MidiLossError) as caught:
        midi_bytes_to_score(data, lossless=True)
    assert len(caught.value.losses) == 3


def test_files_written_by_storpheus_read_losslessly() -> None:
    score = Score(
        (Track("bass", NoteArray([36, 43], 100, [0.0, 2.0], 2.0), program=33),),
        bpm=97,
        key="D dorian",
    )
    back = midi_bytes_to_score(score_to_midi_bytes(score), lossless=True)
    assert back.bpm == 97
    assert back.key == score.key
