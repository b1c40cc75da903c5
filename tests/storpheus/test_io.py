"""MIDI file I/O: typed errors for bad files, foreign files, pretty_midi interop.

MIDI fixtures are built inline from bytes or with mido, so each test shows its input.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

import mido
import numpy as np
import pretty_midi
import pytest

from storpheus.errors import MidiFileError
from storpheus.events import AftertouchArray, ControlChangeArray, PitchBendArray
from storpheus.identity import content_id
from storpheus.io import (
    from_pretty_midi,
    midi_bytes_to_score,
    read_midi,
    score_to_midi_bytes,
    to_pretty_midi,
    write_midi,
)
from storpheus.notes import NoteArray
from storpheus.score import Score, TimeSignature, Track


def _header(fmt: int, ntracks: int, division: int) -> bytes:
    return b"MThd" + struct.pack(">IHHH", 6, fmt, ntracks, division)


def _one_note_track() -> bytes:
    body = bytes([0x00, 0x90, 60, 90, 0x60, 0x80, 60, 0, 0x00, 0xFF, 0x2F, 0x00])
    return b"MTrk" + struct.pack(">I", len(body)) + body


def _score() -> Score:
    return Score(
        tracks=(
            Track(
                "lead",
                NoteArray([72, 74, 76], [80, 90, 100], [0.0, 0.5, 1.0], [0.5, 0.5, 2.0]),
                program=81,
                role="melody",
                cc=ControlChangeArray([1, 1], [0, 64], [0.0, 1.0]),
                bends=PitchBendArray([0, 4096], [0.0, 1.5]),
            ),
            Track("kit", NoteArray([36, 42], 100, [0.0, 0.5], 0.25), is_drum=True, role="drums"),
        ),
        bpm=128,
        time_signature=TimeSignature(3, 4),
        key="F# minor",
    )


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.mid", b"", "file is empty"),
        ("not-midi.mid", b"RIFF....WAVEfmt ", "not a MIDI file"),
        ("truncated-header.mid", b"MThd\x00\x00", "corrupt or truncated"),
        (
            "truncated-track.mid",
            _header(1, 1, 480) + _one_note_track()[:12],
            "corrupt or truncated",
        ),
        ("smpte-division.mid", _header(1, 1, 0xE728) + _one_note_track(), "corrupt or truncated"),
        ("zero-ticks-per-beat.mid", _header(1, 1, 0) + _one_note_track(), "0 ticks per quarter"),
    ],
)
def test_bad_files_raise_midi_file_error_naming_path_and_reason(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(MidiFileError) as info:
        read_midi(path)
    assert info.value.path == path
    assert reason in info.value.reason
    assert str(path) in str(info.value)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(MidiFileError, match="file not found"):
        read_midi(tmp_path / "nope.mid")
    with pytest.raises(MidiFileError, match="is a directory"):
        read_midi(tmp_path)


def test_every_truncation_of_a_real_file_gives_a_score_or_midi_file_error() -> None:
    data = score_to_midi_bytes(_score())
    outcomes = set()
    for cut in range(len(data)):
        try:
            midi_bytes_to_score(data[:cut])
            outcomes.add("score")
        except MidiFileError:
            outcomes.add("error")
    assert outcomes == {"error"}  # every strict prefix is missing bytes of a chunk


def test_type0_file_with_no_meta_events_reads_with_defaults() -> None:
    score = midi_bytes_to_score(_header(0, 1, 480) + _one_note_track())
    assert (score.bpm, str(score.time_signature), score.key) == (120, "4/4", None)
    notes = score.tracks[0].notes
    assert notes.pitch.tolist() == [60]
    assert notes.duration_beats.tolist() == [96 / 480]


def test_file_with_no_tracks_is_an_empty_score() -> None:
    score = midi_bytes_to_score(_header(1, 0, 480))
    assert score.tracks == ()


def test_foreign_file_written_by_mido(tmp_path: Path) -> None:
    mf = mido.MidiFile(ticks_per_beat=96)
    conductor = mido.MidiTrack(
        [
            mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(400)),
            mido.MetaMessage("time_signature", numerator=6, denominator=8),
            mido.MetaMessage("key_signature", key="Bbm"),
        ]
    )
    piano = mido.MidiTrack(
        [
            mido.MetaMessage("track_name", name="Piano"),
            mido.Message("program_change", channel=3, program=2),
            mido.Message("note_on", channel=3, note=70, velocity=80, time=0),
            mido.Message("note_on", channel=3, note=70, velocity=0, time=0),  # zero-length
            mido.Message("note_on", channel=3, note=65, velocity=70, time=48),
            mido.Message("control_change", channel=3, control=64, value=127, time=0),
            mido.Message("pitchwheel", channel=3, pitch=-300, time=24),
            mido.Message("note_off", channel=3, note=65, velocity=0, time=24),
        ]
    )
    mf.tracks += [conductor, piano]
    path = tmp_path / "foreign.mid"
    mf.save(path)
    score = read_midi(path)
    assert score.bpm == 300  # 400 BPM is clipped into the MidiBPM range
    assert str(score.time_signature) == "6/8"
    assert score.key == "Bb minor"
    assert score.ticks_per_quarter == 96
    (piano_track,) = score.tracks
    assert (piano_track.name, piano_track.program, piano_track.channel) == ("Piano", 2, 0)
    assert piano_track.notes.pitch.tolist() == [70, 65]
    assert piano_track.notes.duration_beats.tolist() == [1 / 96, 0.5]  # zero length -> 1 tick
    assert piano_track.cc.number.tolist() == [64]
    assert piano_track.bends.value.tolist() == [-300]
    assert piano_track.bends.beat.tolist() == [0.75]


def test_write_refuses_aftertouch_unless_told_to_drop_it(tmp_path: Path) -> None:
    track = Track("pad", NoteArray([60], 90, [0.0], 4.0), aftertouch=AftertouchArray([50], [1.0]))
    with pytest.raises(MidiFileError, match="1 aftertouch events"):
        write_midi(Score((track,)), tmp_path / "at.mid")
    assert not (tmp_path / "at.mid").exists()
    write_midi(Score((track,)), tmp_path / "at.mid", drop_aftertouch=True)
    assert len(read_midi(tmp_path / "at.mid").tracks[0].aftertouch) == 0


def test_write_refuses_silent_notes_and_unwritable_paths(tmp_path: Path) -> None:
    silent = Score((Track("x", NoteArray([60, 61], [90, 0], [0.0, 1.0], 1.0)),))
    with pytest.raises(MidiFileError, match="note 1 has velocity=0"):
        write_midi(silent, tmp_path / "silent.mid")
    with pytest.raises(MidiFileError, match="cannot write file"):
        write_midi(_score(), tmp_path / "missing-dir" / "x.mid")


def test_off_grid_times_are_rounded_to_the_nearest_tick() -> None:
    score = Score((Track("x", NoteArray([60], 90, [1 / 3], [1 / 7])),), ticks_per_quarter=480)
    back = midi_bytes_to_score(score_to_midi_bytes(score))
    assert back.tracks[0].notes.start_beat.tolist() == [160 / 480]
    assert back.tracks[0].notes.duration_beats.tolist() == [69 / 480]


def test_note_less_tracks_roles_and_modal_keys_survive_a_round_trip() -> None:
    score = Score(
        (
            Track("automation", cc=ControlChangeArray([7, 7], [10, 100], [0.0, 4.0]), role="fx"),
            Track("empty", program=48),
            _score().tracks[0],
        ),
        key="D dorian",
    )
    back = midi_bytes_to_score(score_to_midi_bytes(score))
    assert [t.name for t in back.tracks] == ["automation", "empty", "lead"]
    assert back.tracks[0].cc == score.tracks[0].cc
    assert back.tracks[0].role == "fx"
    assert back.tracks[1].program == 48
    assert back.key == "D dorian"
    assert content_id(back) == content_id(score)


def test_same_score_gives_byte_identical_files(tmp_path: Path) -> None:
    a = write_midi(_score(), tmp_path / "a.mid").read_bytes()
    b = write_midi(_score(), tmp_path / "b.mid").read_bytes()
    assert a == b


def test_pretty_midi_interop() -> None:
    score = _score()
    pm = to_pretty_midi(score)
    assert isinstance(pm, pretty_midi.PrettyMIDI)
    assert [i.program for i in pm.instruments] == [81, 0]
    assert pm.instruments[1].is_drum
    lead = pm.instruments[0]
    assert [n.pitch for n in lead.notes] == [72, 74, 76]
    assert np.isclose(lead.notes[2].start, 1.0 * 60 / 128)
    back = from_pretty_midi(pm)
    for a, b in zip(score.tracks, back.tracks, strict=True):
        assert (a.notes, a.cc, a.bends) == (b.notes, b.cc, b.bends)
    assert (back.bpm, back.time_signature, back.key) == (128, TimeSignature(3, 4), "F# minor")


def test_from_pretty_midi_built_in_memory() -> None:
    pm = pretty_midi.PrettyMIDI(resolution=220, initial_tempo=100)
    inst = pretty_midi.Instrument(program=40, name="violin")
    inst.notes.append(pretty_midi.Note(velocity=70, pitch=67, start=0.0, end=0.6))
    pm.instruments.append(inst)
    score = from_pretty_midi(pm)
    assert score.ticks_per_quarter == 220
    assert score.bpm == 100
    assert score.tracks[0].notes.duration_beats.tolist() == [1.0]


def test_bytes_source_is_named_in_errors() -> None:
    with pytest.raises(MidiFileError, match="<upload>: not a MIDI file"):
        midi_bytes_to_score(b"hello", source="<upload>")
    buffer = io.BytesIO()
    assert buffer.getvalue() == b""
