"""Version 2 dimensions: graded against targets, key compliance that means what it says."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storpheus.notes import NoteArray
from storpheus.scoring import CandidateBatch, Scorer, ScoringParams, fulfillment_report
from storpheus.scoring import dimensions as dims
from storpheus.scoring.dimensions import V1_DIMENSIONS
from storpheus.scoring.reports import format_pair
from storpheus.theory import parse_key

OLD_DEFAULT_SCORER_ID = "3c33e1de09461c60"
"""``Scorer().scorer_id`` before the version 2 dimensions (recorded in old telemetry)."""

# a diatonic A minor bass line in the style of the embedded backend: roots and fifths
BASS = NoteArray(
    [45, 45, 52, 45, 41, 41, 48, 41, 48, 48, 43, 48, 43, 43, 50, 43],
    96,
    np.arange(16) * 2.0,
    1.5,
)


def value(fn, notes, **kw):
    base = {"bars": 8, "target_key": "A minor", "expected_channels": 1}
    base.update(kw)
    return float(fn(CandidateBatch.from_items([notes]), ScoringParams(**base))[0])


def test_a_diatonic_bass_line_complies_with_its_key():
    assert parse_key("A minor").contains(BASS.pitch).all()
    assert value(dims.key_compliance, BASS) >= 0.95
    # the version 1 definition (profile correlation) called the same line half in the key
    assert value(dims.key_profile_fit, BASS) < 0.75


def test_key_compliance_falls_with_the_duration_share_outside_the_scale():
    chromatic = NoteArray([45, 46, 47, 48], 90, [0, 1, 2, 3], [3.0, 1.0, 1.0, 1.0])
    got = value(dims.key_compliance, chromatic, bars=2)
    inside = (3 + 1 + 1) / 6  # A, B, C in A minor; Bb outside
    assert (1 - dims.KEY_TONAL_SHARE) * inside <= got <= (1 - dims.KEY_TONAL_SHARE) * inside + 0.05
    assert value(dims.key_compliance, NoteArray([36], 100, 0.0, 1.0, channel=9)) == 0.0


@settings(max_examples=60)
@given(
    st.sampled_from(["C major", "A minor", "D dorian", "F# minor", "Bb major"]),
    st.lists(st.integers(0, 6), min_size=1, max_size=24),
    st.integers(2, 7),
)
def test_every_part_inside_the_scale_scores_at_least_095(key_name, degrees, octave):
    key = parse_key(key_name)
    pitches = [12 * octave + key.pitch_classes[d] for d in degrees]
    notes = NoteArray(pitches, 90, np.arange(len(pitches)) * 0.5, 0.5)
    got = value(dims.key_compliance, notes, target_key=key_name)
    assert 0.95 <= got <= 1.0


def test_register_and_velocity_fits_grade_candidates_that_sit_inside_the_range():
    low = NoteArray([28, 30, 31, 33], 90, range(4), 1.0)  # inside 38±11, far below the centre
    centred = NoteArray([36, 38, 40, 38], 90, range(4), 1.0)
    kw = {"register_center": 38, "register_spread": 11}
    assert value(dims.register_range_fit, low, **kw) == value(
        dims.register_range_fit, centred, **kw
    )
    assert value(dims.register_fit, centred, **kw) > value(dims.register_fit, low, **kw)
    soft = NoteArray([60] * 4, [62, 64, 66, 64], range(4), 1.0)
    loud = NoteArray([60] * 4, [90, 92, 94, 92], range(4), 1.0)
    vel = {"velocity_floor": 60, "velocity_ceiling": 100, "target_velocity": 90.0}
    assert value(dims.velocity_range_fit, soft, **vel) == value(
        dims.velocity_range_fit, loud, **vel
    )
    assert value(dims.velocity_fit, loud, **vel) > value(dims.velocity_fit, soft, **vel)


def test_closeness_is_one_on_target_and_zero_at_the_far_end():
    assert dims.closeness(np.array([0.3, 0.0, 1.0]), 0.3).tolist() == pytest.approx(
        [1.0, 1 - 0.3 / 0.7, 0.0]
    )


def test_diversity_coverage_and_silence_fit_their_targets():
    line = NoteArray([60, 62, 64, 65, 67, 65, 64, 62], 90, np.arange(8.0), 0.5)  # 2 bars
    assert dims.pair_diversity(CandidateBatch.from_items([line]))[0] == 1.0  # all pairs differ
    assert value(dims.pitch_pair_diversity, line, bars=2, target_diversity=1.0) == 1.0
    assert value(dims.pitch_pair_diversity, line, bars=2, target_diversity=0.5) == 0.0
    # sounding half of the time; onsets on every 4th sixteenth (3/4 of the grid empty)
    assert value(dims.coverage_fit, line, bars=2, target_coverage=0.5) == pytest.approx(1.0)
    assert value(dims.silence_fit, line, bars=2, target_silence=0.75) == pytest.approx(1.0)
    assert value(dims.silence_fit, line, bars=4, target_silence=0.875) == pytest.approx(0.5)
    assert math.isnan(value(dims.coverage_fit, line, bars=2))
    assert math.isnan(value(dims.silence_fit, line, bars=2))


def test_definitions_that_changed_give_a_new_scorer_id_and_v1_keeps_the_old_one():
    assert Scorer(V1_DIMENSIONS).scorer_id == OLD_DEFAULT_SCORER_ID
    assert Scorer().scorer_id != OLD_DEFAULT_SCORER_ID
    changed = {"key_compliance", "register_fit", "velocity_fit", "pitch_pair_diversity"}
    v1 = {d.name: d.fingerprint for d in V1_DIMENSIONS}
    for dim in Scorer().dimensions:
        if dim.name in changed:
            assert dim.fingerprint != v1[dim.name]


def test_violation_messages_state_value_and_threshold_so_they_differ():
    assert format_pair(0.4999, 0.5) == ("0.4999", "0.5000")
    assert format_pair(0.3, 0.5) == ("0.30", "0.50")
    params = ScoringParams(bars=1, target_key="C major", expected_channels=1)
    off = NoteArray([61, 63, 66, 60], 90, [0, 1, 2, 3], 1.0)  # one of four in C major
    report = fulfillment_report(off, params, min_key_compliance=0.9)
    (message,) = [v for v in report.constraint_violations if v.startswith("key compliance")]
    shown, limit = message.split(" is below the minimum ")
    assert float(shown.removeprefix("key compliance ")) < float(limit.split()[0])
    assert "(3 of 4 pitched notes outside the scale)" in message


def test_scoring_params_list_a_target_per_dimension():
    params = ScoringParams(
        bars=4,
        target_key="A minor",
        expected_channels=1,
        target_density=1.5,
        register_center=40,
        register_spread=10,
        velocity_floor=50,
        velocity_ceiling=90,
        target_diversity=0.5,
        target_coverage=0.8,
        target_silence=0.7,
    )
    targets = params.targets()
    assert set(targets) == {d.name for d in Scorer().dimensions}
    assert targets["register_fit"] == "40±10"
    assert targets["velocity_fit"] == "70 in 50-90"
    assert ScoringParams.from_dict(params.to_dict()) == params


def _union_length(intervals: list[tuple[float, float]], span: float) -> float:
    total, reach = 0.0, 0.0
    for start, end in sorted(intervals):
        end = min(end, span)
        if end > max(start, reach):
            total += end - max(start, reach)
        reach = max(reach, end)
    return total


@settings(max_examples=60)
@given(
    st.lists(
        st.lists(st.tuples(st.integers(0, 80), st.integers(1, 24)), min_size=0, max_size=12),
        min_size=1,
        max_size=5,
    ),
    st.integers(1, 4),
)
def test_sounding_share_is_the_union_of_the_note_intervals(parts, bars):
    pieces = [
        NoteArray([60] * len(p), 90, [s / 4 for s, _ in p], [d / 4 for _, d in p])
        if p
        else NoteArray.empty()
        for p in parts
    ]
    params = ScoringParams(bars=bars, target_key=None, expected_channels=1)
    got = dims.sounding_share(CandidateBatch.from_items(pieces), params)
    span = params.total_beats
    for value, p in zip(got, parts, strict=True):
        want = _union_length([(s / 4, s / 4 + d / 4) for s, d in p], span) / span
        assert value == pytest.approx(want, abs=1e-9)
