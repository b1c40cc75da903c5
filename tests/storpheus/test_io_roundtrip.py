"""Property: Score -> MIDI file -> Score is exact at tick resolution."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from storpheus.identity import content_id
from storpheus.io import midi_bytes_to_score, read_midi, score_to_midi_bytes, write_midi
from storpheus.score import Score
from tests.storpheus.strategies import scores


def _assert_same(a: Score, b: Score) -> None:
    assert (b.bpm, b.time_signature, b.key, b.ticks_per_quarter) == (
        a.bpm,
        a.time_signature,
        a.key,
        a.ticks_per_quarter,
    )
    assert len(b.tracks) == len(a.tracks)
    for ta, tb in zip(a.tracks, b.tracks, strict=True):
        assert (tb.name, tb.program, tb.is_drum, tb.channel, tb.role) == (
            ta.name,
            ta.program,
            ta.is_drum,
            ta.channel,
            ta.role,
        )
        assert tb.notes == ta.notes.sort()
        assert tb.cc == ta.cc.sort()
        assert tb.bends == ta.bends.sort()
    assert content_id(b) == content_id(a)


@settings(max_examples=500)
@given(scores())
def test_midi_bytes_round_trip_is_exact(score: Score) -> None:
    _assert_same(score, midi_bytes_to_score(score_to_midi_bytes(score)))


@settings(max_examples=60)
@given(score=scores(max_tracks=3))
def test_file_round_trip_is_exact_and_bytes_are_stable(
    tmp_path_factory: pytest.TempPathFactory, score: Score
) -> None:
    path = tmp_path_factory.mktemp("rt") / "score.mid"
    write_midi(score, path)
    again = read_midi(path)
    _assert_same(score, again)
    assert score_to_midi_bytes(again) == path.read_bytes()
