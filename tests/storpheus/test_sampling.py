"""Rejection sampling, fulfilment reports and A/B comparison."""

from __future__ import annotations

import json
import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import numpy as np
import pytest

from storpheus.backends.base import (
    BackendCapabilities,
    Candidate,
    GenerationRequest,
    GenerationResult,
    MusicGeneratorBackend,
)
from storpheus.backends.testing import SeededTestBackend
from storpheus.errors import BackendError, InvalidRequestError
from storpheus.notes import NoteArray
from storpheus.sampling import (
    FulfillmentReport,
    compare_generations,
    fulfillment_report,
    rejection_sample,
)
from storpheus.scoring import Dimension, Scorer, ScoringParams

REQUEST = GenerationRequest(role="melody", bars=4, seed=42, key="A minor", num_candidates=6)


def test_rejection_sampling_keeps_the_best_of_all_candidates():
    result = rejection_sample(SeededTestBackend(), REQUEST)
    assert len(result.candidates) == 6
    assert result.best_score == max(result.all_scores)
    assert result.best is result.candidates[result.best_position].candidate
    assert result.best_result is result.best
    assert result.best_card.total == result.best_score
    assert result.attempts == 1
    assert result.stop_reason == "complete"
    assert len(set(result.all_scores)) > 1  # candidates really differ
    best = result.best_candidate
    assert (best.position, best.score, best.notes) == (
        result.best_position,
        result.best_score,
        result.best.notes,
    )
    assert best.batch_idx == result.best.index
    assert best.flat_notes == result.best.notes.to_dicts()


def test_the_first_attempt_sees_exactly_what_the_backend_returns_for_the_request():
    result = rejection_sample(SeededTestBackend(), REQUEST)
    direct = SeededTestBackend().generate(REQUEST).candidates
    assert [c.seed for c in result.candidates] == [c.seed for c in direct]
    assert all(s.candidate.notes == d.notes for s, d in zip(result.candidates, direct, strict=True))


def test_rejection_sampling_is_deterministic_for_a_seed():
    kwargs = {"num_candidates": 4, "batch_size": 2, "floor": 0.99, "max_attempts": 3}
    a = rejection_sample(SeededTestBackend(), REQUEST, **kwargs)
    b = rejection_sample(SeededTestBackend(), REQUEST, **kwargs)
    assert a.all_scores == b.all_scores
    assert [c.seed for c in a.candidates] == [c.seed for c in b.candidates]
    assert a.best.notes == b.best.notes
    other = rejection_sample(SeededTestBackend(), replace(REQUEST, seed=43), **kwargs)
    assert other.all_scores != a.all_scores


def test_parallel_runs_on_one_backend_give_identical_results():
    backend = SeededTestBackend()
    requests = [replace(REQUEST, seed=s) for s in range(6)]
    serial = [rejection_sample(backend, r).all_scores for r in requests]
    with ThreadPoolExecutor(max_workers=3) as pool:
        parallel = list(pool.map(lambda r: rejection_sample(backend, r).all_scores, requests))
    assert parallel == serial


def test_batches_split_an_attempt_into_several_backend_calls():
    backend = SeededTestBackend()
    seen = []
    result = rejection_sample(
        backend,
        REQUEST,
        num_candidates=5,
        batch_size=2,
        on_batch=lambda a, b, c: seen.append((a, b, len(c))),
    )
    assert backend.calls == 3
    assert seen == [(0, 0, 2), (0, 1, 2), (0, 2, 1)]
    assert [c.batch for c in result.candidates] == [0, 0, 1, 1, 2]
    assert len({c.seed for c in result.candidates}) == 5


def test_early_accept_stops_generating_once_a_candidate_is_good_enough():
    backend = SeededTestBackend()
    result = rejection_sample(
        backend, REQUEST, num_candidates=8, batch_size=1, early_accept=0.0, max_attempts=3
    )
    assert backend.calls == 1
    assert len(result.candidates) == 1
    assert result.stop_reason == "early_accept"


def test_a_best_below_the_floor_triggers_regeneration_up_to_max_attempts():
    backend = SeededTestBackend()
    result = rejection_sample(backend, REQUEST, num_candidates=3, floor=1.0, max_attempts=3)
    assert result.attempts == 3
    assert backend.calls == 3
    assert result.stop_reason == "max_attempts"
    assert [c.attempt for c in result.candidates] == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert len({c.seed for c in result.candidates}) == 9
    assert result.best_score == max(result.all_scores)


def test_a_best_at_the_floor_stops_regeneration():
    result = rejection_sample(SeededTestBackend(), REQUEST, floor=0.0, max_attempts=5)
    assert result.attempts == 1
    assert result.stop_reason == "floor_reached"


def test_accepted_says_whether_the_best_reached_the_threshold():
    low = rejection_sample(SeededTestBackend(), REQUEST, threshold=0.0)
    high = rejection_sample(SeededTestBackend(), REQUEST, threshold=1.0)
    assert low.accepted
    assert not high.accepted
    assert high.best_score == low.best_score


def test_ties_go_to_the_earliest_candidate():
    flat = Scorer((Dimension("flat", lambda notes, params: 0.5),), name="flat")
    result = rejection_sample(SeededTestBackend(), REQUEST, flat, floor=0.9, max_attempts=2)
    assert result.best_position == 0
    assert set(result.all_scores) == {0.5}
    assert result.decisions()[1] == "rejected: tie with an earlier candidate"


def test_empty_candidates_are_scored_not_fatal():
    backend = SeededTestBackend(empty_candidates=frozenset({0, 2}))
    result = rejection_sample(backend, REQUEST)
    assert result.best_position not in (0, 2)
    assert all(0.0 <= s <= 1.0 for s in result.all_scores)


def test_a_backend_failing_mid_run_raises_a_backend_error():
    backend = SeededTestBackend(fail_after=1)
    with pytest.raises(BackendError, match="injected failure on call 2"):
        rejection_sample(backend, REQUEST, num_candidates=4, batch_size=2)
    assert backend.calls == 2


def test_a_backend_reporting_failure_raises_a_backend_error():
    backend = SeededTestBackend(fail_roles=frozenset({"melody"}), report_failure=True)
    with pytest.raises(BackendError, match="injected failure for role 'melody'"):
        rejection_sample(backend, REQUEST)


def test_an_unexpected_backend_exception_is_wrapped_with_where_it_happened():
    backend = SeededTestBackend(fail_after=0, fail_with=RuntimeError)
    with pytest.raises(BackendError, match=r"attempt 0, batch 0: RuntimeError"):
        rejection_sample(backend, REQUEST)


class ShortChanging(MusicGeneratorBackend):
    name, version = "short", "1"
    capabilities = BackendCapabilities(roles=frozenset({"melody"}))

    def generate(self, request):
        notes = NoteArray([60], 90, 0.0, 1.0)
        return GenerationResult(
            request=request,
            backend_id=self.backend_id,
            candidates=(Candidate(0, request.candidate_seed(0), notes),),
        )


def test_a_backend_breaking_its_contract_raises_a_backend_error():
    with pytest.raises(BackendError, match="returned 1 candidates, 6 asked"):
        rejection_sample(ShortChanging(), REQUEST)


def test_requests_outside_the_backend_capabilities_keep_their_typed_error():
    with pytest.raises(InvalidRequestError, match="role"):
        rejection_sample(SeededTestBackend(roles=frozenset({"bass"})), REQUEST)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"threshold": 1.5}, "threshold"),
        ({"early_accept": -0.1}, "early_accept"),
        ({"floor": 2}, "floor"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"num_candidates": 0}, "num_candidates"),
        ({"batch_size": 0}, "batch_size"),
    ],
)
def test_bad_sampling_parameters_raise_typed_errors(kwargs, field):
    with pytest.raises(InvalidRequestError) as info:
        rejection_sample(SeededTestBackend(), REQUEST, **kwargs)
    assert info.value.field == field


def test_results_convert_to_a_frame_and_a_json_summary():
    result = rejection_sample(
        SeededTestBackend(), REQUEST, num_candidates=3, floor=1.0, max_attempts=2
    )
    frame = result.to_pandas()
    assert len(frame) == 6
    assert frame["chosen"].sum() == 1
    assert frame.loc[frame["chosen"], "total"].item() == result.best_score
    assert frame["attempt"].tolist() == [0, 0, 0, 1, 1, 1]
    decisions = frame["decision"].tolist()
    assert decisions[result.best_position].startswith("chosen (accepted")
    assert sum(d.startswith("rejected: total") for d in decisions) >= 4
    summary = result.summary()
    assert json.loads(json.dumps(summary)) == summary
    assert summary["best_seed"] == result.best.seed
    assert summary["scorer_id"] == Scorer().scorer_id


def test_custom_params_and_scorer_are_used():
    params = ScoringParams(bars=4, target_key="A minor", expected_channels=1, register_center=90)
    high = Scorer.from_functions(
        {"high": lambda n, p: float((n.pitch >= 80).mean()) if len(n) else 0.0}, name="high"
    )
    result = rejection_sample(SeededTestBackend(), REQUEST, high, params)
    highest = max(float((c.candidate.notes.pitch >= 80).mean()) for c in result.candidates)
    assert result.best_score == pytest.approx(highest)
    assert result.scorer_id == high.scorer_id


# ------------------------------------------------------------------ reports
PARAMS = ScoringParams(
    bars=4,
    target_key="C major",
    expected_channels=2,
    target_density=1.0,
    register_center=60,
    register_spread=7,
    velocity_floor=60,
    velocity_ceiling=100,
)


def test_a_fitting_candidate_satisfies_every_constraint():
    notes = NoteArray(
        [60, 62, 64, 65, 67, 65, 64, 62] * 2,
        80,
        np.arange(16.0),
        1.0,
        channel=[0, 1] * 8,
    )
    report = fulfillment_report(notes, PARAMS)
    assert report.satisfied
    assert report.constraint_violations == ()
    assert report.coverage_pct == 100.0
    assert set(report.goal_scores) == {
        "key_compliance",
        "density_fit",
        "register_fit",
        "velocity_fit",
        "pitch_pair_diversity",
    }
    assert 0.0 <= report.score <= 1.0


def test_violations_name_the_concrete_problems():
    notes = NoteArray([61, 90, 30, 66], [127, 20, 80, 80], [0.0, 1.0, 2.0, 12.0], 1.0)
    report = fulfillment_report(Candidate(0, 1, notes), PARAMS)
    text = " | ".join(report.constraint_violations)
    assert "notes outside the register 53-67" in text
    assert "2 of 4 velocities outside 60-100" in text
    assert "silent bars: 2, 3" in text
    assert "1 of 2 expected channels used" in text
    assert "density 0.25 notes/beat" in text
    assert "key compliance" in text
    assert report.coverage_pct == 50.0
    assert not report.satisfied
    data = report.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert set(data) >= {"goal_scores", "constraint_violations", "coverage_pct"}


def test_an_empty_candidate_reports_it_has_no_notes():
    report = fulfillment_report(NoteArray.empty(), PARAMS)
    assert report.constraint_violations[0] == "the candidate has no notes"
    assert isinstance(report, FulfillmentReport)


def test_compare_generations_names_the_better_candidate():
    good = NoteArray(
        [60, 64, 67, 72, 67, 64, 60, 62], 80, np.arange(8.0) * 2, 2.0, channel=[0, 1] * 4
    )
    bad = NoteArray([61, 61, 61], 20, [0.0, 0.5, 1.0], 0.5)
    comparison = compare_generations(good, bad, PARAMS)
    assert comparison.winner == "a"
    assert 0.0 < comparison.confidence <= 1.0
    assert comparison.generation_a["total"] > comparison.generation_b["total"]
    assert "key_compliance" in comparison.generation_a
    assert "polyphony" in comparison.generation_a
    swapped = compare_generations(bad, good, PARAMS)
    assert swapped.winner == "b"
    assert swapped.confidence == comparison.confidence
    data = comparison.to_dict()
    assert set(data) == {"generation_a", "generation_b", "winner", "confidence"}
    assert all(not math.isnan(v) for v in data["generation_a"].values())


def test_identical_candidates_tie_and_params_default_to_their_length():
    notes = NoteArray([60, 64, 67], 90, [0.0, 4.0, 8.0], 4.0)
    comparison = compare_generations(notes, notes)
    assert comparison.winner == "tie"
    assert comparison.confidence == 0.0


# -------------------------------------------------------------- test backend
def test_the_test_backend_is_deterministic_per_candidate_seed_and_varied():
    backend = SeededTestBackend()
    a = backend.generate(REQUEST).candidates
    b = SeededTestBackend().generate(replace(REQUEST, num_candidates=3)).candidates
    assert [c.notes for c in a[:3]] == [c.notes for c in b]
    assert len({c.notes for c in a}) == len(a)
    assert backend.calls == 1
    assert backend.requests == [REQUEST]


def test_the_test_backend_plays_drums_on_channel_9_without_same_pitch_overlaps():
    request = replace(REQUEST, role="drums", num_candidates=4)
    for candidate in SeededTestBackend().generate(request).candidates:
        notes = candidate.notes
        assert set(notes.channel.tolist()) == {9}
        order = np.lexsort((notes.start_beat, notes.pitch))
        n = notes[order]
        same = n.pitch[1:] == n.pitch[:-1]
        assert (n.end_beat[:-1][same] <= n.start_beat[1:][same] + 1e-9).all()
        assert n.end_beat.max() <= request.total_beats + 1e-9


def test_the_test_backend_turns_a_bad_key_into_a_backend_error():
    with pytest.raises(BackendError, match="key"):
        SeededTestBackend().generate(replace(REQUEST, key="H major"))
    with pytest.raises(ValueError, match="notes_per_bar"):
        SeededTestBackend(notes_per_bar=0)
