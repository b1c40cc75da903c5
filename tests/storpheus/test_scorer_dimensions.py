"""The built-in constraint-fit dimensions and ScoringParams."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storpheus.backends.base import GenerationRequest
from storpheus.errors import InvalidScoringParamsError
from storpheus.notes import NoteArray
from storpheus.score import Score, Track
from storpheus.scoring import CandidateBatch, ScoringParams
from storpheus.scoring import dimensions as dims
from storpheus.spec import GenerationConstraints
from storpheus.theory import Key


def params(**kw):
    base = {"bars": 2, "target_key": "C major", "expected_channels": 1}
    base.update(kw)
    return ScoringParams(**base)


def value(fn, notes, **kw):
    batch = CandidateBatch.from_items([notes])
    return float(fn(batch, params(**kw))[0])


# ------------------------------------------------------------------ params
def test_scoring_params_carry_the_reference_fields_and_parse_the_key():
    p = ScoringParams(
        bars=8,
        target_key="F# minor",
        expected_channels=2,
        target_density=2.0,
        register_center=60,
        register_spread=10,
        velocity_floor=50,
        velocity_ceiling=100,
    )
    assert p.key == Key(6, "minor")
    assert p.total_beats == 32.0
    assert ScoringParams.from_dict(p.to_dict()) == p
    assert p.params_hash == ScoringParams.from_dict(p.to_dict()).params_hash


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"bars": 0}, "bars"),
        ({"bars": 2.5}, "bars"),
        ({"target_key": "H major"}, "target_key"),
        ({"target_key": "C majestic"}, "target_key"),
        ({"expected_channels": 0}, "expected_channels"),
        ({"expected_channels": 17}, "expected_channels"),
        ({"target_density": 0.0}, "target_density"),
        ({"target_density": math.nan}, "target_density"),
        ({"register_center": 128}, "register_center"),
        ({"register_spread": -1}, "register_spread"),
        ({"velocity_floor": 100, "velocity_ceiling": 90}, "velocity_floor"),
        ({"velocity_ceiling": 200}, "velocity_ceiling"),
        ({"beats_per_bar": 0}, "beats_per_bar"),
        ({"weights": {"key_compliance": -1.0}}, "weights['key_compliance']"),
        ({"weights": {"key_compliance": math.inf}}, "weights['key_compliance']"),
    ],
)
def test_bad_scoring_params_raise_typed_errors_naming_the_field(kw, field):
    with pytest.raises(InvalidScoringParamsError) as info:
        params(**kw)
    assert info.value.field == field
    assert isinstance(info.value, ValueError)


def test_scoring_params_from_dict_refuses_unknown_fields():
    with pytest.raises(InvalidScoringParamsError, match="unknown fields"):
        ScoringParams.from_dict({"bars": 1, "target_key": None, "expected_channels": 1, "x": 1})


def test_scoring_params_from_a_request_use_its_key_meter_and_constraints():
    request = GenerationRequest(
        role="bass",
        bars=4,
        seed=1,
        key="Eb major",
        time_signature=(6, 8),
        constraints=GenerationConstraints(register_center=40, velocity_floor=70),
    )
    p = ScoringParams.from_request(request)
    assert (p.bars, p.target_key, p.beats_per_bar, p.role) == (4, "Eb major", 3.0, "bass")
    assert (p.register_center, p.register_spread, p.velocity_floor) == (40, 12, 70)
    drums = ScoringParams.from_request(GenerationRequest(role="drums", bars=2, seed=1))
    assert drums.target_key is None
    assert drums.register_center is None


# -------------------------------------------------------------- dimensions
def test_key_compliance_is_high_in_key_low_out_of_key_and_zero_when_empty():
    in_key = NoteArray([60, 64, 67, 72, 62, 65, 71], 90, range(7), 1.0)
    out_of_key = NoteArray([61, 66, 70, 63, 68], 90, range(5), 1.0)
    assert value(dims.key_compliance, in_key) > 0.6
    assert value(dims.key_compliance, out_of_key) == 0.0
    assert value(dims.key_compliance, NoteArray.empty()) == 0.0
    assert math.isnan(value(dims.key_compliance, in_key, target_key=None))


def test_key_compliance_ignores_drums():
    melody = NoteArray([60, 64, 67, 72], 90, range(4), 1.0)
    kit = NoteArray([37, 39, 42, 44, 46, 49] * 4, 100, np.arange(24) / 6, 0.1, channel=9)
    assert value(dims.key_compliance, NoteArray.concat([melody, kit])) == value(
        dims.key_compliance, melody
    )


def test_density_fit_is_the_ratio_of_smaller_to_larger_density():
    notes = NoteArray([60] * 4, 90, [0.0, 2.0, 4.0, 6.0], 1.0)  # 4 notes / 8 beats
    assert value(dims.density_fit, notes, target_density=0.5) == 1.0
    assert value(dims.density_fit, notes, target_density=1.0) == 0.5
    assert value(dims.density_fit, notes, target_density=0.25) == 0.5
    assert value(dims.density_fit, NoteArray.empty(), target_density=1.0) == 0.0
    assert math.isnan(value(dims.density_fit, notes))


def test_register_range_fit_falls_off_over_an_octave_beyond_the_register():
    notes = NoteArray([60, 72, 78, 90], 90, range(4), 1.0)
    got = value(dims.register_range_fit, notes, register_center=60, register_spread=12)
    assert got == pytest.approx((1 + 1 + 0.5 + 0) / 4)
    assert math.isnan(value(dims.register_range_fit, notes))
    drums_only = NoteArray([36], 100, 0.0, 0.5, channel=9)
    assert value(dims.register_range_fit, drums_only, register_center=60) == 0.0
    assert value(dims.register_fit, drums_only, register_center=60) == 0.0


def test_register_fit_averages_centre_closeness_and_range_closeness():
    notes = NoteArray([60, 72, 78, 90], 90, range(4), 1.0)  # mean 75, 15 above the centre
    got = value(dims.register_fit, notes, register_center=60, register_spread=12)
    assert got == pytest.approx(0.5 * 0.0 + 0.5 * (1 + 1 + 0.5 + 0) / 4)
    centred = NoteArray([54, 66], 90, range(2), 1.0)  # mean on the centre, inside the range
    assert value(dims.register_fit, centred, register_center=60, register_spread=12) == 1.0


def test_velocity_range_fit_measures_distance_outside_the_range():
    notes = NoteArray([60, 60, 60], [80, 120, 30], [0.0, 1.0, 2.0], 1.0)
    got = value(dims.velocity_range_fit, notes, velocity_floor=60, velocity_ceiling=110)
    assert got == pytest.approx((1 + 0.5 + 0) / 3)
    assert value(dims.velocity_range_fit, notes, velocity_floor=20) == 1.0
    assert math.isnan(value(dims.velocity_range_fit, notes))


def test_velocity_fit_averages_level_closeness_and_range_closeness():
    notes = NoteArray([60, 60, 60], [80, 120, 30], [0.0, 1.0, 2.0], 1.0)  # mean 76.67
    got = value(
        dims.velocity_fit, notes, velocity_floor=60, velocity_ceiling=110, target_velocity=85.0
    )
    level = 1 - abs(230 / 3 - 85.0) / 25.0
    assert got == pytest.approx(0.5 * level + 0.5 * (1 + 0.5 + 0) / 3)
    middle = value(dims.velocity_fit, notes, velocity_floor=60, velocity_ceiling=110)
    assert middle == pytest.approx(0.5 * (1 - abs(230 / 3 - 85.0) / 25.0) + 0.25)
    assert math.isnan(value(dims.velocity_fit, notes))


def test_pitch_pair_diversity_counts_distinct_consecutive_pairs():
    repetitive = NoteArray([60, 62] * 4, 90, range(8), 1.0)  # pairs (60,62),(62,60)
    assert value(dims.pitch_pair_diversity, repetitive) == pytest.approx(2 / 7)
    varied = NoteArray([60, 62, 64, 65, 67], 90, range(5), 1.0)
    assert value(dims.pitch_pair_diversity, varied) == 1.0
    assert value(dims.pitch_pair_diversity, NoteArray([60], 90, 0.0, 1.0)) == 0.0


def test_channel_coverage_counts_distinct_channels_against_the_expected_number():
    two = NoteArray([60, 64, 36], 90, [0.0, 1.0, 2.0], 1.0, channel=[0, 1, 9])
    assert value(dims.channel_coverage, two, expected_channels=4) == 0.75
    assert value(dims.channel_coverage, two, expected_channels=2) == 1.0
    assert value(dims.channel_coverage, NoteArray.empty()) == 0.0
    score = Score(
        (Track("a", NoteArray([60], 90, 0.0, 1.0)), Track("b", NoteArray([62], 90, 0.0, 1.0)))
    )
    assert value(dims.channel_coverage, score, expected_channels=2) == 1.0


def test_bar_coverage_counts_bars_in_which_a_note_sounds():
    notes = NoteArray([60, 62], 90, [0.0, 12.0], [4.0, 2.0])  # bars 0 and 3 of 4
    assert value(dims.bar_coverage, notes, bars=4) == 0.5
    sustained = NoteArray([60], 90, 0.0, 9.0)  # rings through bars 0-2
    assert value(dims.bar_coverage, sustained, bars=4) == 0.75
    beyond = NoteArray([60], 90, 20.0, 1.0)  # after the target span
    assert value(dims.bar_coverage, beyond, bars=4) == 0.0
    waltz = NoteArray([60, 62], 90, [0.0, 3.0], 1.0)
    assert value(dims.bar_coverage, waltz, bars=2, beats_per_bar=3.0) == 1.0


@st.composite
def candidates(draw):
    n = draw(st.integers(0, 25))
    if n == 0:
        return NoteArray.empty()
    return NoteArray(
        draw(st.lists(st.integers(0, 127), min_size=n, max_size=n)),
        draw(st.lists(st.integers(0, 127), min_size=n, max_size=n)),
        np.array(draw(st.lists(st.integers(0, 200), min_size=n, max_size=n))) / 8,
        np.array(draw(st.lists(st.integers(1, 64), min_size=n, max_size=n))) / 8,
        channel=draw(st.lists(st.sampled_from([0, 1, 2, 9]), min_size=n, max_size=n)),
    )


@settings(max_examples=60)
@given(
    candidates(),
    st.integers(0, 11),
    st.sampled_from(["major", "minor", "dorian", "lydian", "minor pentatonic"]),
    st.integers(-24, 24),
)
def test_transposing_candidate_and_target_key_together_keeps_key_compliance(
    notes, tonic, mode, shift
):
    pitched = notes[notes.channel != 9] if len(notes) else notes
    lo, hi = (int(pitched.pitch.min()), int(pitched.pitch.max())) if len(pitched) else (60, 60)
    shift = max(-lo, min(127 - hi, shift))
    drums = notes.channel == 9
    moved = (
        NoteArray(
            np.where(drums, notes.pitch, notes.pitch.astype(int) + shift),
            notes.velocity,
            notes.start_beat,
            notes.duration_beats,
            channel=notes.channel,
        )
        if len(notes)
        else notes
    )
    key = Key(tonic, mode)
    before = value(dims.key_compliance, notes, target_key=key.name)
    after = value(dims.key_compliance, moved, target_key=key.transpose(shift).name)
    assert before == after
