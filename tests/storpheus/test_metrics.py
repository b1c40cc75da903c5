"""storpheus.scoring.metrics on its own: inputs, parameters, batching, invariances."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storpheus.backends.base import Candidate
from storpheus.errors import MetricParameterError
from storpheus.notes import NoteArray
from storpheus.score import Score, TimeSignature, Track
from storpheus.scoring import METRIC_NAMES, CandidateBatch, compute_metrics, metrics_frame
from storpheus.scoring import metrics as sm
from storpheus.scoring.metrics_batch import batch_metrics

C_MAJOR_RUN = NoteArray([60, 62, 64, 65, 67], 90, [0.0, 1.0, 2.0, 3.0, 4.0], 1.0)


def test_a_note_array_counts_channel_9_as_drums():
    notes = NoteArray([60, 36, 64], 90, [0.0, 0.0, 1.0], 0.5, channel=[0, 9, 0])
    assert sm.pitch_range(notes) == 4
    assert sm.n_pitches_used(notes) == 2
    assert sm.drum_in_pattern_rate(notes, "duple") == 1.0


def test_a_score_counts_drum_tracks_as_drums_whatever_the_channel_column():
    kit = Track("kit", NoteArray([36, 38], 100, [0.0, 1.5], 0.25), is_drum=True)
    score = Score((Track("lead", C_MAJOR_RUN), kit))
    assert sm.n_pitches_used(score) == 5
    assert sm.drum_pattern_consistency(score) == 1.0


def test_candidates_tracks_and_scores_give_the_same_values():
    candidate = Candidate(0, 1, C_MAJOR_RUN)
    track = Track("lead", C_MAJOR_RUN)
    score = Score((track,))
    assert compute_metrics(candidate) == pytest.approx(compute_metrics(score), nan_ok=True)
    assert compute_metrics(track) == pytest.approx(compute_metrics(C_MAJOR_RUN), nan_ok=True)


def test_resolution_defaults_to_the_score_resolution():
    notes = NoteArray([60, 62], 90, [0.0, 2.0], 0.25)
    coarse = Score((Track("a", notes),), ticks_per_quarter=1)
    fine = Score((Track("a", notes),), ticks_per_quarter=480)
    # at 1 tick per beat the 0.25-beat notes vanish to zero length
    assert math.isnan(sm.polyphony(coarse))
    assert sm.polyphony(fine) == 1.0
    assert sm.polyphony(fine, resolution=1) is not None
    assert math.isnan(sm.polyphony(fine, resolution=1))


def test_empty_beat_rate_counts_the_beat_a_note_ends_on_like_muspy():
    notes = NoteArray([60, 62], 90, [0.0, 4.0], 1.0)  # beats 0-1 and 4-5 touched
    assert sm.empty_beat_rate(notes) == pytest.approx(1 - 4 / 6)


def test_polyphony_rate_uses_a_strict_threshold():
    triad = NoteArray([60, 64, 67], 90, 0.0, 1.0)
    assert sm.polyphony_rate(triad, threshold=2) == 1.0
    assert sm.polyphony_rate(triad, threshold=3) == 0.0


def test_pitch_in_scale_rate_accepts_other_modes():
    dorian = NoteArray([62, 64, 65, 67, 69, 71, 72], 90, range(7), 1.0)
    assert sm.pitch_in_scale_rate(dorian, 2, "dorian") == 1.0
    assert sm.pitch_in_scale_rate(dorian, 2, "minor") == pytest.approx(6 / 7)


def test_groove_consistency_is_one_for_a_repeated_bar_and_lower_when_it_changes():
    bar = [0.0, 1.0, 2.0, 3.0]
    steady = NoteArray([36] * 8, 100, bar + [b + 4 for b in bar], 0.25, channel=9)
    assert sm.groove_consistency(steady) == pytest.approx(1 - 0 / (4 * 480))
    changed = NoteArray([36] * 5, 100, [0.0, 1.0, 2.0, 3.0, 4.5], 0.25, channel=9)
    assert sm.groove_consistency(changed) < 1.0


def test_measure_resolution_defaults_to_one_bar_of_the_meter():
    notes = NoteArray([60, 62], 90, [0.0, 3.0], 1.0)
    waltz = Score((Track("a", notes),), time_signature=TimeSignature(3, 4))
    assert sm.empty_measure_rate(waltz) == sm.empty_measure_rate(waltz, 3 * 480)
    assert sm.groove_consistency(waltz) == sm.groove_consistency(waltz, 3 * 480)


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda: sm.pitch_in_scale_rate(C_MAJOR_RUN, 0, "bebop"), "mode"),
        (lambda: sm.pitch_in_scale_rate(C_MAJOR_RUN, "C", "major"), "root"),  # type: ignore[arg-type]
        (lambda: sm.drum_in_pattern_rate(C_MAJOR_RUN, "quadruple"), "meter"),
        (lambda: sm.empty_measure_rate(C_MAJOR_RUN, 0), "measure_resolution"),
        (lambda: sm.groove_consistency(C_MAJOR_RUN, -4), "measure_resolution"),
        (lambda: sm.polyphony(C_MAJOR_RUN, resolution=0), "resolution"),
        (lambda: sm.polyphony_rate(C_MAJOR_RUN, threshold=1.5), "threshold"),  # type: ignore[arg-type]
    ],
)
def test_bad_metric_parameters_raise_typed_errors_naming_the_parameter(call, parameter):
    with pytest.raises(MetricParameterError) as info:
        call()
    assert info.value.parameter == parameter
    assert isinstance(info.value, ValueError)


def test_non_music_input_is_refused_with_a_type_error():
    with pytest.raises(TypeError, match="expected a Score"):
        sm.pitch_range([60, 62])  # type: ignore[arg-type]


def test_empty_input_gives_zero_counts_and_nan_rates():
    values = compute_metrics(NoteArray.empty())
    assert values["pitch_range"] == 0
    assert values["n_pitches_used"] == 0
    for name in ("polyphony", "pitch_entropy", "empty_beat_rate", "groove_consistency"):
        assert math.isnan(values[name]), name
    no_tracks = compute_metrics(Score())
    assert all(math.isnan(no_tracks[n]) for n in ("polyphony_rate", "empty_measure_rate"))


def test_compute_metrics_returns_all_fourteen_and_uses_the_score_key():
    score = Score((Track("lead", C_MAJOR_RUN),), key="C major")
    values = compute_metrics(score)
    assert tuple(values) == METRIC_NAMES
    assert values["pitch_in_scale_rate"] == 1.0
    assert compute_metrics(score, key="F# major")["pitch_in_scale_rate"] == pytest.approx(0.2)
    assert math.isnan(compute_metrics(C_MAJOR_RUN)["pitch_in_scale_rate"])


def test_compound_meters_score_drums_on_the_triple_grid():
    hits = NoteArray([36, 42, 42], 100, [0.0, 1 / 3, 2 / 3], 0.1, channel=9)
    jig = Score((Track("kit", hits, is_drum=True),), time_signature=TimeSignature(6, 8))
    assert compute_metrics(jig)["drum_in_pattern_rate"] == 1.0
    assert compute_metrics(jig, meter="duple")["drum_in_pattern_rate"] == pytest.approx(1 / 3)


@st.composite
def note_arrays(draw, max_notes=30):
    n = draw(st.integers(0, max_notes))
    pitch = draw(st.lists(st.integers(20, 100), min_size=n, max_size=n))
    ticks = draw(st.lists(st.integers(0, 48 * 8), min_size=n, max_size=n))
    dur = draw(st.lists(st.integers(1, 96), min_size=n, max_size=n))
    chan = draw(st.lists(st.sampled_from([0, 1, 9]), min_size=n, max_size=n))
    if n == 0:
        return NoteArray.empty()
    return NoteArray(pitch, 90, np.array(ticks) / 48, np.array(dur) / 48, channel=chan)


def _same(a, b):
    return a == b or (math.isnan(a) and math.isnan(b))


@settings(max_examples=80)
@given(note_arrays(), st.randoms(use_true_random=False))
def test_metrics_are_invariant_to_note_order(notes, rnd):
    order = list(range(len(notes)))
    rnd.shuffle(order)
    shuffled = notes[np.asarray(order, dtype=np.intp)] if len(notes) else notes
    before = compute_metrics(notes, key="C major")
    after = compute_metrics(shuffled, key="C major")
    for name in METRIC_NAMES:
        assert _same(before[name], after[name]) or before[name] == pytest.approx(after[name]), name


@settings(max_examples=40)
@given(st.lists(note_arrays(max_notes=15), min_size=1, max_size=6))
def test_batched_metrics_equal_one_at_a_time(arrays):
    frame = metrics_frame(arrays, key="A minor")
    for i, notes in enumerate(arrays):
        single = compute_metrics(notes, key="A minor")
        for name in METRIC_NAMES:
            batched = float(frame[name].iloc[i])
            assert _same(batched, single[name]) or batched == pytest.approx(single[name]), (i, name)


@settings(max_examples=40)
@given(note_arrays())
def test_rates_stay_in_their_ranges(notes):
    values = compute_metrics(notes, key="G major")
    for name in (
        "polyphony_rate",
        "pitch_in_scale_rate",
        "scale_consistency",
        "empty_beat_rate",
        "empty_measure_rate",
        "groove_consistency",
        "drum_in_pattern_rate",
        "drum_pattern_consistency",
    ):
        assert math.isnan(values[name]) or 0.0 <= values[name] <= 1.0, name
    assert 0 <= values["pitch_range"] <= 127
    assert math.isnan(values["polyphony"]) or values["polyphony"] >= 1.0


def test_batch_exposes_ticks_lengths_and_per_candidate_notes():
    batch = CandidateBatch.from_items([C_MAJOR_RUN, NoteArray.empty(), Score()])
    assert batch.size == 3
    assert batch.counts.tolist() == [5, 0, 0]
    assert batch.length_ticks.tolist() == [5 * 480, 0, 0]
    assert batch.has_tracks.tolist() == [True, True, False]
    assert batch.notes(0) == C_MAJOR_RUN
    assert len(batch.notes(1)) == 0
    values = batch_metrics(batch)
    assert values["n_pitches_used"].tolist() == [5.0, 0.0, 0.0]
