"""Score and Track: validation, playback channels, queries."""

from __future__ import annotations

import pytest

from storpheus.errors import MidiRangeError
from storpheus.notes import NoteArray
from storpheus.score import Score, TimeSignature, Track, playback_channel


def test_tracks_without_a_channel_get_playback_channels_skipping_nine() -> None:
    tracks = [Track(f"t{i}", NoteArray([60], 90, [0.0], 1.0)) for i in range(11)]
    tracks[3] = Track("kit", NoteArray([36], 90, [0.0], 1.0), is_drum=True)
    score = Score(tuple(tracks))
    assert [t.channel for t in score.tracks] == [0, 1, 2, 9, 4, 5, 6, 7, 8, 10, 11]
    assert all(int(t.notes.channel[0]) == t.channel for t in score.tracks)
    assert [playback_channel(i, False) for i in range(14, 18)] == [15, 0, 1, 2]


def test_no_melodic_track_lands_on_the_drum_channel_however_many_tracks() -> None:
    # 40 melodic tracks: the 25th used to be given channel 9 (drums)
    assert all(playback_channel(i, False) != 9 for i in range(200))
    assert playback_channel(24, False) == 10


def test_playback_channels_are_the_channels_symusic_writes() -> None:
    import io

    import mido

    from storpheus.io import score_to_midi_bytes

    drums = {1, 5, 30}
    tracks = tuple(
        Track(f"t{i}", NoteArray([60], 90, [0.0], 1.0), is_drum=i in drums) for i in range(40)
    )
    score = Score(tracks)
    written = mido.MidiFile(file=io.BytesIO(score_to_midi_bytes(score)))
    channels = [
        next(m.channel for m in track if m.type == "note_on")
        for track in written.tracks
        if any(m.type == "note_on" for m in track)
    ]
    assert channels == [t.channel for t in score.tracks]


def test_explicit_channels_are_validated() -> None:
    with pytest.raises(ValueError, match="drum tracks play on channel 9"):
        Track("kit", is_drum=True, channel=3)
    with pytest.raises(ValueError, match="channel=9 is the General MIDI drum channel"):
        Track("piano", channel=9)
    with pytest.raises(MidiRangeError, match="channel=16"):
        Track("piano", channel=16)
    with pytest.raises(MidiRangeError, match="program=128"):
        Track("piano", program=128)
    assert Track("piano", NoteArray([60], 90, [0.0], 1.0), channel=4).notes.channel.tolist() == [4]


def test_a_score_gives_tracks_the_playback_channel_of_their_position() -> None:
    piano = Track("piano", NoteArray([60], 90, [0.0], 1.0), channel=4)
    first = Score((piano,))
    assert first.tracks[0].channel == 0
    moved = Score((Track("pad"), Track("x"), first.tracks[0]))
    assert moved.tracks[2].channel == 2
    assert moved.tracks[2].notes.channel.tolist() == [2]


@pytest.mark.parametrize("bpm", [19, 301, 0, -5])
def test_bpm_out_of_range_is_rejected(bpm: int) -> None:
    with pytest.raises(MidiRangeError, match=f"bpm={bpm}"):
        Score(bpm=bpm)


@pytest.mark.parametrize("bpm", [92.5, True, "120"])
def test_bpm_must_be_an_integer(bpm: object) -> None:
    with pytest.raises(ValueError, match="must be an integer"):
        Score(bpm=bpm)  # type: ignore[arg-type]


def test_time_signature_validation_and_parsing() -> None:
    assert TimeSignature.parse(" 6/8 ").beats_per_bar == 3.0
    assert str(TimeSignature(7, 8)) == "7/8"
    with pytest.raises(ValueError, match="power of two"):
        TimeSignature(4, 3)
    with pytest.raises(ValueError, match="numerator=0"):
        TimeSignature(0, 4)
    with pytest.raises(ValueError, match="not of the form N/D"):
        TimeSignature.parse("four four")


def test_queries() -> None:
    bass = Track("bass", NoteArray([36, 43], 100, [0.0, 6.0], 2.0), role="bass")
    kit = Track("drums", NoteArray([36], 110, [0.0], 0.25), is_drum=True)
    score = Score((bass, kit), bpm=90, time_signature=TimeSignature(3, 4))
    assert score.end_beat == 8.0
    assert score.n_bars == 3
    assert score.n_notes == 3
    assert score.track("drums").is_drum
    with pytest.raises(KeyError, match=r"tracks are \['bass', 'drums'\]"):
        score.track("keys")
    assert score.pitched_notes().pitch.tolist() == [36, 43]
    frame = score.notes_frame()
    assert frame["name"].tolist() == ["bass", "bass", "drums"]
    assert frame["track"].tolist() == [0, 0, 1]
    assert Score().notes_frame().empty
    assert Score().n_bars == 1


def test_non_track_in_tracks_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"tracks\[0\] is str"):
        Score(("piano",))  # type: ignore[arg-type]
