"""Informative dimensions in a real compose, and the scorer statistics over its candidates."""

from __future__ import annotations

import json
import math
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats

import maestro_lab
from maestro_lab import analysis
from maestro_lab.runtime.results import CompositionResult
from storpheus.scoring import BUILTIN_DIMENSIONS, Scorer
from storpheus.theory import parse_key
from tests.maestro_lab.compose_fixtures import FULL_PROMPT

PROMPT = FULL_PROMPT.replace(
    "Constraints: {sections: {verse: 8, chorus: 8}}",
    "Constraints: {sections: {verse: 8, chorus: 8}, candidates: 16}",
)
"""Four roles (drums, bass, chords, melody), two eight-bar sections, 16 candidates."""

DIMENSIONS = [d.name for d in BUILTIN_DIMENSIONS]
LOUD = Scorer().with_weights(velocity_fit=6.0, pitch_pair_diversity=0.0)
"""Another scorer over the same dimensions: it prefers other candidates."""


@pytest.fixture(scope="module")
def composed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CompositionResult]:
    db = tmp_path_factory.mktemp("analysis") / "lab.duckdb"
    return db, maestro_lab.compose(PROMPT, seed=11, db=db, out=None)


def _metrics(db: Path) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT c.generation_id, c.role, c.candidate_index, m.name, m.value, "
            "g.metadata FROM candidates c JOIN candidate_metrics m USING (candidate_id) "
            "JOIN generations g USING (generation_id) WHERE m.name IN "
            "(SELECT unnest(?::VARCHAR[]))",
            [DIMENSIONS],
        ).df()


def test_every_recorded_dimension_is_defined_and_varies_in_every_generation(composed):
    db, _ = composed
    frame = _metrics(db)
    assert frame["generation_id"].nunique() == 8
    assert frame.groupby("generation_id")["candidate_index"].nunique().eq(16).all()
    with duckdb.connect(str(db), read_only=True) as con:
        gens = con.execute("SELECT generation_id, role, metadata FROM generations").fetchall()
    for gid, role, metadata in gens:
        targets = json.loads(metadata)["targets"]
        recorded = set(frame.loc[frame["generation_id"] == gid, "name"])
        untargeted = {name for name, target in targets.items() if target is None}
        # only the pitch dimensions of the unpitched drums have no target, and a
        # dimension without a target is not recorded at all (never NaN)
        assert untargeted == ({"key_compliance", "register_fit"} if role == "drums" else set())
        assert recorded == set(DIMENSIONS) - untargeted, gid
    for (gid, name), part in frame.groupby(["generation_id", "name"]):
        values = part["value"].to_numpy(dtype=np.float64)
        assert np.isfinite(values).all(), (gid, name)
        assert np.ptp(values) > 0, f"{name} is constant across the candidates of {gid}"


def test_diatonic_parts_score_high_key_compliance(composed):
    db, result = composed
    from muse_duckdb import telemetry

    cands = analysis.candidate_frame(db, result.run_id)
    bass = cands[cands["role"] == "bass"]
    notes = telemetry.candidate_notes(
        telemetry.open_database(db, read_only=True), bass["notes_id"].tolist()
    )
    key = parse_key("A minor")
    diatonic = [n for n in bass["notes_id"] if key.contains(notes[n].pitch).all()]
    assert diatonic, "the embedded bass plays in the scale"
    values = bass.set_index("notes_id").loc[diatonic, "key_compliance"]
    assert (values >= 0.95).all()


def test_targets_and_reports_are_recorded_with_every_generation(composed):
    db, result = composed
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT role, metadata FROM generations").fetchall()
    assert len(rows) == 8
    for role, text in rows:
        meta = json.loads(text)
        assert set(meta["targets"]) == set(DIMENSIONS)
        assert meta["scoring_params"]["target_density"] > 0
        assert (meta["targets"]["key_compliance"] is None) == (role == "drums")
        report = meta["report"]
        assert 0.0 <= report["fulfillment"]["score"] <= 1.0
        assert report["comparison"]["winner"] in ("a", "b", "tie")
    for card in result.cards:
        assert card.report is not None
        assert card.report.fulfillment.score == pytest.approx(card.total, abs=1e-12)
        assert card.to_dict()["report"]["chosen"] == card.best_index


def test_discrimination_table_shows_spread_and_choice_changes(composed):
    db, result = composed
    table = analysis.discrimination_table(db, result.run_id)
    assert list(table["dimension"]) == sorted(DIMENSIONS)
    assert (table["constant_share"] == 0).all()
    assert (table["mean_std"] > 0).all()
    nan = table.set_index("dimension")["nan_share"]
    assert nan["key_compliance"] == nan["register_fit"] == 2 / 8  # the two drum generations
    assert nan.drop(["key_compliance", "register_fit"]).eq(0).all()
    assert table["changed_choice"].sum() > 0  # some dimension decides some choice
    assert (table["changed_choice"] <= table["generations"]).all()


def test_choice_agreement_of_a_scorer_with_itself_is_total(composed):
    db, result = composed
    same = analysis.choice_agreement(Scorer(), Scorer(), db, result.run_id)
    overall = same.set_index("role").loc["all"]
    assert overall["generations"] == 8
    assert overall["rate"] == 1.0
    assert overall["ci_low"] < 1.0
    assert overall["ci_high"] == 1.0


def test_choice_agreement_counts_the_generations_two_scorers_choose_alike(composed):
    db, result = composed
    per = analysis.choices(Scorer(), LOUD, db, result.run_id)
    a = analysis.score_stored(Scorer(), db, result.run_id)
    b = analysis.score_stored(LOUD, db, result.run_id)
    agree = 0
    for gid, part in a.groupby("generation_id"):  # independent recount
        other = b[b["generation_id"] == gid]
        agree += int(part["total"].to_numpy().argmax() == other["total"].to_numpy().argmax())
    summary = analysis.choice_agreement(Scorer(), LOUD, db, result.run_id)
    assert summary.set_index("role").loc["all", "agreements"] == agree == per["agree"].sum()
    assert agree < 8  # the two scorers disagree somewhere


def test_rank_correlation_matches_scipy_per_generation(composed):
    db, result = composed
    frame = analysis.rank_correlation(Scorer(), LOUD, db, result.run_id, n_boot=500, seed=1)
    a = analysis.score_stored(Scorer(), db, result.run_id)
    b = analysis.score_stored(LOUD, db, result.run_id)
    rho, tau = [], []
    for gid, part in a.groupby("generation_id"):
        x = part["total"].to_numpy()
        y = b.loc[b["generation_id"] == gid, "total"].to_numpy()
        rho.append(stats.spearmanr(x, y).statistic)
        tau.append(stats.kendalltau(x, y).statistic)
    got = frame.set_index("method")
    assert got.loc["spearman", "mean"] == pytest.approx(np.mean(rho), abs=1e-12)
    assert got.loc["kendall", "mean"] == pytest.approx(np.mean(tau), abs=1e-12)
    for method in ("spearman", "kendall"):
        assert got.loc[method, "ci_low"] <= got.loc[method, "mean"] <= got.loc[method, "ci_high"]
    again = analysis.rank_correlation(Scorer(), LOUD, db, result.run_id, n_boot=500, seed=1)
    pd.testing.assert_frame_equal(frame, again)  # seeded bootstrap: same intervals
    itself = analysis.rank_correlation(Scorer(), Scorer(), db, result.run_id, n_boot=100)
    assert (itself["mean"] == 1.0).all()


def test_acceptance_curve_grows_with_candidates_as_counted_directly(composed):
    db, result = composed
    curve = analysis.acceptance_curve(db, result.run_id, threshold=0.9)
    overall = curve[curve["role"] == "all"].set_index("candidates")
    assert list(overall.index) == list(range(1, 17))
    assert overall["rate"].is_monotonic_increasing
    cands = analysis.candidate_frame(db, result.run_id)
    for k in (1, 4, 16):
        hits = sum(
            bool((part.sort_values("candidate_index")["score"].to_numpy()[:k] >= 0.9).any())
            for _, part in cands.groupby("generation_id")
        )
        assert overall.loc[k, "accepted"] == hits
        assert overall.loc[k, "ci_low"] <= overall.loc[k, "rate"] <= overall.loc[k, "ci_high"]


def test_wilson_interval_matches_the_closed_form():
    low, high = analysis.wilson_interval(8, 10)
    z = 1.959963984540054
    p, n = 0.8, 10
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert (low, high) == pytest.approx((centre - half, centre + half), abs=1e-12)
    assert all(math.isnan(x) for x in analysis.wilson_interval(0, 0))


def test_dimension_importance_ranks_only_weighted_dimensions(composed):
    db, result = composed
    weights = {**Scorer().weights, "velocity_fit": 0.0}
    table = analysis.dimension_importance(
        db, result.run_id, weights=weights, n_permutations=40, seed=3
    )
    assert "velocity_fit" not in set(table["dimension"])
    assert table["permutation_importance"].between(0, 1).all()
    assert table["permutation_importance"].is_monotonic_decreasing
    assert table["permutation_importance"].iloc[0] > 0  # something decides


def test_generated_candidates_are_farther_from_chorales_than_from_each_other(composed):
    db, result = composed
    sets = analysis.candidate_sets(db, result.run_id)
    assert len(sets["all"]) == 6 * 16  # bass, chords, melody: drums are unpitched
    assert len(sets["selected"]) == 6
    far = analysis.mean_distance(
        analysis.compare_with_reference(db, result.run_id, limit=8, bars=4)
    )
    near = analysis.mean_distance(
        analysis.compare_candidates(db, result.run_id, first="selected", second="all", bars=4)
    )
    assert far["overlap_a"] < near["overlap_a"]
    assert far["kl_a"] > near["kl_a"]
    same = analysis.compare_runs(db, result.run_id, result.run_id, bars=4).summary()
    defined = same["overlap_intra"].notna()
    assert np.allclose(same.loc[defined, "overlap_intra"], 1.0, atol=1e-4)
