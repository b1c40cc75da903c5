"""Scorer, ScoreCards and user-defined dimensions."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storpheus.backends.base import Candidate, GenerationRequest
from storpheus.backends.testing import SeededTestBackend
from storpheus.errors import (
    DimensionError,
    InvalidCandidateError,
    InvalidScoringParamsError,
    ScoringError,
)
from storpheus.notes import NoteArray
from storpheus.score import Score, Track
from storpheus.scoring import (
    BUILTIN_DIMENSIONS,
    METRIC_NAMES,
    Dimension,
    ScoreCards,
    Scorer,
    ScoringParams,
    dimension,
    load_scorer,
)

CUSTOM = Scorer.from_functions(
    {"busy": lambda notes, params: min(1.0, len(notes) / 16)}, name="busy"
)

PARAMS = ScoringParams(
    bars=2,
    target_key="C major",
    expected_channels=1,
    target_density=2.0,
    register_center=64,
    register_spread=12,
    velocity_floor=60,
    velocity_ceiling=110,
    target_diversity=0.8,
    target_coverage=0.9,
    target_silence=0.5,
)
IN_KEY = NoteArray([60, 64, 67, 72, 65, 62, 71, 60], 90, np.arange(8) * 0.5 + 0.0, 0.5)
OUT_OF_KEY = NoteArray([61, 66, 70, 63, 68, 61, 66, 70], 90, np.arange(8) * 0.5, 0.5)


def test_the_default_scorer_prefers_the_candidate_that_fits():
    cards = Scorer().score([OUT_OF_KEY, IN_KEY], PARAMS)
    assert cards.best_index() == 1
    assert cards.totals[1] > cards.totals[0]
    assert cards.ranking().tolist() == [1, 0]


def test_cards_hold_total_every_dimension_and_every_metric():
    cards = Scorer().score([IN_KEY], PARAMS)
    assert list(cards.dimensions) == [d.name for d in BUILTIN_DIMENSIONS]
    assert list(cards.metrics) == list(METRIC_NAMES)
    card = cards.card(0)
    assert card.scorer_id == Scorer().scorer_id
    assert card.valid
    assert set(card.dimensions) == set(cards.dimensions)
    assert card.metrics["pitch_in_scale_rate"] == 1.0  # scored against the target key


def test_total_is_the_weighted_mean_of_the_applicable_dimensions():
    cards = Scorer().score([IN_KEY], PARAMS)
    weights = cards.weights
    values = {k: float(v[0]) for k, v in cards.dimensions.items()}
    expected = sum(weights[k] * values[k] for k in values) / sum(weights.values())
    assert cards.totals[0] == pytest.approx(expected)
    no_targets = ScoringParams(bars=2, target_key=None, expected_channels=1)
    sparse = Scorer().score([IN_KEY], no_targets)
    applicable = {k: float(v[0]) for k, v in sparse.dimensions.items() if not math.isnan(v[0])}
    assert set(applicable) == {"pitch_pair_diversity"}
    expected = sum(weights[k] * applicable[k] for k in applicable) / sum(
        weights[k] for k in applicable
    )
    assert sparse.totals[0] == pytest.approx(expected)


def test_cards_convert_to_a_dataframe_and_json_records():
    backend = SeededTestBackend()
    result = backend.generate(GenerationRequest(role="lead", bars=2, seed=3, num_candidates=4))
    cards = Scorer().score(list(result.candidates), PARAMS)
    frame = cards.to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == 4
    assert list(frame.columns[:3]) == ["candidate", "seed", "total"]
    assert frame["seed"].tolist() == [c.seed for c in result.candidates]
    assert set(METRIC_NAMES) <= set(frame.columns)
    assert frame.attrs["scorer_id"] == cards.scorer_id
    assert "polyphony" not in cards.to_pandas(metrics=False).columns
    records = cards.to_records()
    assert json.loads(json.dumps(records)) == records
    assert records[0]["seed"] == result.candidates[0].seed


def test_scorer_id_is_stable_and_changes_with_the_configuration():
    assert Scorer().scorer_id == Scorer().scorer_id
    assert len(Scorer().scorer_id) == 16
    assert Scorer().with_weights(key_compliance=5.0).scorer_id != Scorer().scorer_id
    assert Scorer(version="2").scorer_id != Scorer().scorer_id
    assert Scorer(include_metrics=False).scorer_id != Scorer().scorer_id
    assert Scorer().without("velocity_fit").scorer_id != Scorer().scorer_id


def test_scorer_id_is_the_same_in_another_process_with_another_hash_seed():
    code = "from storpheus.scoring import Scorer; print(Scorer().scorer_id)"
    env = {**os.environ, "PYTHONHASHSEED": "123"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == Scorer().scorer_id


def test_user_function_edits_change_the_scorer_id_unless_versioned():
    def brightness(notes, params):
        return float(notes.pitch.mean() / 127) if len(notes) else 0.0

    def brightness_edited(notes, params):
        return float(notes.pitch.max() / 127) if len(notes) else 0.0

    a = Scorer.from_functions({"brightness": brightness})
    b = Scorer.from_functions({"brightness": brightness_edited})
    assert a.scorer_id != b.scorer_id
    pinned_a = Scorer.from_functions([Dimension("brightness", brightness, version="1")])
    pinned_b = Scorer.from_functions([Dimension("brightness", brightness_edited, version="1")])
    assert pinned_a.scorer_id == pinned_b.scorer_id


def test_scorers_from_plain_functions_and_the_decorator():
    @dimension(weight=3.0)
    def loud(notes, params):
        """Share of loud notes."""
        return float((notes.velocity >= 100).mean()) if len(notes) else 0.0

    def busy(notes, params):
        return min(1.0, len(notes) / (4 * params.total_beats))

    scorer = Scorer.from_functions([loud, busy], include_builtin=True, name="mine")
    assert [d.name for d in scorer.dimensions][-2:] == ["loud", "busy"]
    assert loud.description == "Share of loud notes."
    quiet = NoteArray([60, 62], 50, [0.0, 1.0], 1.0)
    noisy = NoteArray([60, 62], 120, [0.0, 1.0], 1.0)
    cards = scorer.score([quiet, noisy], PARAMS)
    assert cards.dimensions["loud"].tolist() == [0.0, 1.0]
    assert cards.weights["loud"] == 3.0
    assert cards.best_index() == 1
    assert Scorer.from_functions({"b": busy}, weights={"b": 2.0}).weights == {"b": 2.0}


def test_vectorised_user_dimensions_receive_the_whole_batch():
    def long_notes(batch, params):
        return np.bincount(
            batch.seg, weights=batch.duration_beats >= 1.0, minlength=batch.size
        ) / np.maximum(batch.counts, 1)

    scorer = Scorer((Dimension("long_notes", long_notes, vectorised=True),))
    cards = scorer.score([IN_KEY, NoteArray([60], 90, 0.0, 2.0)], PARAMS)
    assert cards.dimensions["long_notes"].tolist() == [0.0, 1.0]


def test_bad_user_dimensions_raise_dimension_errors_naming_the_candidate():
    def boom(notes, params):
        if len(notes) > 3:
            raise RuntimeError("too many")
        return 0.5

    with pytest.raises(DimensionError, match="too many") as info:
        Scorer.from_functions({"boom": boom}).score([NoteArray.empty(), IN_KEY], PARAMS)
    assert (info.value.dimension, info.value.index) == ("boom", 1)
    with pytest.raises(DimensionError, match="outside"):
        Scorer.from_functions({"big": lambda n, p: 2.0}).score([IN_KEY], PARAMS)
    bad = Dimension("bad", lambda b, p: np.zeros(3), vectorised=True)
    with pytest.raises(DimensionError, match="shape"):
        Scorer((bad,)).score([IN_KEY], PARAMS)


def test_scorer_configuration_errors_are_typed():
    with pytest.raises(ScoringError, match="no dimensions"):
        Scorer(())
    with pytest.raises(ScoringError, match="duplicate"):
        Scorer((BUILTIN_DIMENSIONS[0], BUILTIN_DIMENSIONS[0]))
    with pytest.raises(ScoringError, match="reserved"):
        Scorer.from_functions({"polyphony": lambda n, p: 0.0})
    with pytest.raises(ScoringError, match="weight 0"):
        Scorer((BUILTIN_DIMENSIONS[0].with_weight(0.0),))
    with pytest.raises(ScoringError, match="unknown dimensions"):
        Scorer().with_weights(nonsense=1.0)
    with pytest.raises(DimensionError, match="identifier"):
        Dimension("not a name", lambda n, p: 0.0)
    with pytest.raises(DimensionError, match=">= 0"):
        Dimension("neg", lambda n, p: 0.0, weight=-1.0)


def test_per_request_weights_override_the_scorer_weights():
    heavy = ScoringParams(
        bars=2, target_key="C major", expected_channels=1, weights={"key_compliance": 100.0}
    )
    cards = Scorer().score([IN_KEY], heavy)
    assert cards.weights["key_compliance"] == 100.0
    assert cards.totals[0] == pytest.approx(float(cards.dimensions["key_compliance"][0]), abs=0.02)
    bad = ScoringParams(bars=2, target_key=None, expected_channels=1, weights={"nope": 1.0})
    with pytest.raises(InvalidScoringParamsError, match="not dimensions"):
        Scorer().score([IN_KEY], bad)


# ------------------------------------------------------------------ bad input
def test_an_empty_candidate_scores_zero_not_an_error():
    cards = Scorer().score([NoteArray.empty(), IN_KEY], PARAMS)
    assert cards.errors == (None, None)
    assert 0.0 <= cards.totals[0] < cards.totals[1]
    assert cards.dimensions["key_compliance"][0] == 0.0
    assert math.isnan(cards.metrics["polyphony"][0])  # documented MusPy NaN


def test_invalid_candidates_get_nan_and_a_reason_without_stopping_the_batch():
    nan_timing = pd.DataFrame(
        {
            "pitch": [60, 62],
            "velocity": [90, 90],
            "start_beat": [0.0, math.nan],
            "duration_beats": [1.0, 1.0],
        }
    )
    bad_pitch = [{"pitch": 200, "velocity": 90, "startBeat": 0.0, "durationBeats": 1.0}]
    good_dicts = [{"pitch": 60, "velocity": 90, "startBeat": 0.0, "durationBeats": 1.0}]
    cards = Scorer().score([IN_KEY, nan_timing, bad_pitch, good_dicts, "nonsense"], PARAMS)
    assert cards.valid.tolist() == [True, False, False, True, False]
    assert "start_beat" in cards.errors[1]
    assert "pitch" in cards.errors[2]
    assert "not a candidate" in cards.errors[4]
    assert np.isnan(cards.totals[[1, 2, 4]]).all()
    assert np.isfinite(cards.totals[[0, 3]]).all()
    assert all(np.isnan(v[1]) for v in cards.dimensions.values())
    assert cards.best_index() == 0
    assert cards.ranking().tolist()[-3:] == [1, 2, 4]


def test_invalid_candidates_raise_when_asked_to():
    nan_timing = [{"pitch": 60, "velocity": 90, "startBeat": math.nan, "durationBeats": 1.0}]
    with pytest.raises(InvalidCandidateError) as info:
        Scorer().score([IN_KEY, nan_timing], PARAMS, on_invalid="raise")
    assert info.value.index == 1
    with pytest.raises(InvalidCandidateError):
        Scorer().score_one(nan_timing, PARAMS)


def test_scoring_input_mistakes_are_typed_errors():
    with pytest.raises(InvalidScoringParamsError, match="sequence"):
        Scorer().score(IN_KEY, PARAMS)  # type: ignore[arg-type]
    with pytest.raises(InvalidScoringParamsError, match="ScoringParams"):
        Scorer().score([IN_KEY], {"bars": 2})  # type: ignore[arg-type]
    with pytest.raises(ScoringError, match="no valid candidate"):
        Scorer().score([[{"pitch": -1}]], PARAMS).best_index()


def test_cards_concatenate_and_refuse_mixed_scorers():
    a = Scorer().score([IN_KEY], PARAMS)
    b = Scorer().score([OUT_OF_KEY, IN_KEY], PARAMS)
    both = ScoreCards.concat([a, b])
    assert len(both) == 3
    assert both.totals.tolist() == [*a.totals.tolist(), *b.totals.tolist()]
    with pytest.raises(ScoringError):
        ScoreCards.concat([a, Scorer(version="2").score([IN_KEY], PARAMS)])


def test_multi_track_scores_are_scored_as_one_candidate():
    score = Score((Track("a", IN_KEY), Track("b", IN_KEY.transpose(-12))))
    params = ScoringParams(bars=2, target_key="C major", expected_channels=2, target_coverage=0.5)
    cards = Scorer().score([score, IN_KEY], params)
    assert cards.dimensions["coverage_fit"].tolist() == [1.0, 0.5]


@st.composite
def any_notes(draw):
    n = draw(st.integers(0, 30))
    if n == 0:
        return NoteArray.empty()
    return NoteArray(
        draw(st.lists(st.integers(0, 127), min_size=n, max_size=n)),
        draw(st.lists(st.integers(0, 127), min_size=n, max_size=n)),
        np.array(draw(st.lists(st.integers(0, 400), min_size=n, max_size=n))) / 16,
        np.array(draw(st.lists(st.integers(1, 128), min_size=n, max_size=n))) / 16,
        channel=draw(st.lists(st.integers(0, 15), min_size=n, max_size=n)),
    )


@st.composite
def any_params(draw):
    return ScoringParams(
        bars=draw(st.integers(1, 16)),
        target_key=draw(st.none() | st.sampled_from(["C major", "F# minor", "D dorian", "Bb"])),
        expected_channels=draw(st.integers(1, 16)),
        target_density=draw(st.none() | st.floats(0.01, 16)),
        register_center=draw(st.none() | st.integers(0, 127)),
        register_spread=draw(st.none() | st.integers(0, 40)),
        velocity_floor=draw(st.none() | st.integers(0, 60)),
        velocity_ceiling=draw(st.none() | st.integers(60, 127)),
        target_velocity=draw(st.none() | st.floats(0, 127)),
        target_diversity=draw(st.none() | st.floats(0, 1)),
        target_coverage=draw(st.none() | st.floats(0, 1)),
        target_silence=draw(st.none() | st.floats(0, 1)),
        subdivision=draw(st.integers(1, 16)),
        beats_per_bar=draw(st.sampled_from([2.0, 3.0, 4.0, 6.0])),
    )


@settings(max_examples=80)
@given(st.lists(any_notes(), min_size=1, max_size=5), any_params())
def test_scores_are_always_within_zero_and_one(candidates, params):
    cards = Scorer().score(candidates, params)
    assert ((cards.totals >= 0) & (cards.totals <= 1)).all()
    for name, values in cards.dimensions.items():
        finite = values[~np.isnan(values)]
        assert ((finite >= 0) & (finite <= 1)).all(), name
    # only dimensions without a target may be NaN (not applicable)
    assert not np.isnan(cards.dimensions["pitch_pair_diversity"]).any()
    for name, target in (("coverage_fit", "target_coverage"), ("silence_fit", "target_silence")):
        assert np.isnan(cards.dimensions[name]).any() == (getattr(params, target) is None)
    assert np.isnan(cards.dimensions["key_compliance"]).all() == (params.target_key is None)


@settings(max_examples=50)
@given(any_notes(), any_params(), st.randoms(use_true_random=False))
def test_scores_are_invariant_to_note_order(notes, params, rnd):
    order = list(range(len(notes)))
    rnd.shuffle(order)
    shuffled = notes[np.asarray(order, dtype=np.intp)] if len(notes) else notes
    a = Scorer().score([notes], params)
    b = Scorer().score([shuffled], params)
    assert a.totals.tolist() == b.totals.tolist() or np.allclose(a.totals, b.totals)
    for name in a.dimensions:
        assert np.array_equal(a.dimensions[name], b.dimensions[name], equal_nan=True), name


def test_candidates_from_a_backend_keep_their_seeds():
    result = SeededTestBackend().generate(
        GenerationRequest(role="bass", bars=2, seed=5, num_candidates=3)
    )
    cards = Scorer().score(list(result.candidates), PARAMS)
    assert cards.seeds == tuple(c.seed for c in result.candidates)
    assert cards.card(-1).seed == result.candidates[-1].seed
    with pytest.raises(IndexError):
        cards.card(3)
    assert isinstance(result.candidates[0], Candidate)


def test_scorers_load_from_module_and_name_specs():
    assert load_scorer("default").scorer_id == Scorer().scorer_id
    assert load_scorer("storpheus.scoring.scorer:default_scorer") == Scorer()
    assert load_scorer("tests.storpheus.test_scorer:CUSTOM").scorer_id == CUSTOM.scorer_id
    for bad, reason in [
        ("nonsense", "must look like"),
        ("no_such_module_xyz:thing", "cannot import"),
        ("storpheus.scoring:nothing_here", "has no"),
        ("storpheus.scoring:METRIC_NAMES", "not a Scorer"),
    ]:
        with pytest.raises(ScoringError, match=reason):
            load_scorer(bad)
