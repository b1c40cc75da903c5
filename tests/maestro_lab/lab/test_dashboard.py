"""TelemetryDashboard: statistics of candidates filtered by run or experiment."""

from __future__ import annotations

import pytest

from maestro_lab.errors import LabError
from maestro_lab.lab import Lab, TelemetryDashboard
from maestro_lab.viz.scores import acceptance_curve

from .conftest import PROMPT


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> tuple[Lab, list[str], str]:
    lab = Lab(tmp_path_factory.mktemp("sweep") / "lab.duckdb")
    runs = [
        lab.compose(PROMPT, seed=4, candidates=n, branch=f"n{n}", experiment="sweep").run_id
        for n in (2, 3)
    ]
    other = lab.compose(PROMPT, seed=9, candidates=2, branch="solo").run_id
    return lab, runs, other


def test_filter_by_experiment_and_by_run(sweep) -> None:
    lab, runs, other = sweep
    dash = TelemetryDashboard(lab)
    assert dash.experiments() == ["sweep"]
    frame = dash.filter(experiment="sweep")
    assert set(frame["run_id"]) == set(runs)
    assert len(frame) == 16 * (2 + 3)
    assert set(dash.filter(other)["run_id"]) == {other}
    assert len(dash.filter()) == 16 * (2 + 3 + 2)
    with pytest.raises(LabError, match="unknown runs"):
        dash.filter("run-nope")


def test_acceptance_curve_counts_generations_per_candidate_count(sweep) -> None:
    lab, _runs, _ = sweep
    frame = TelemetryDashboard(lab).filter(experiment="sweep")
    curve = acceptance_curve(frame)
    assert sorted(set(curve["num_candidates"])) == [2, 3]
    assert curve["generations"].sum() == 32
    assert curve["rate"].between(0, 1).all()


def test_plots_of_the_selection(sweep) -> None:
    lab, _, _ = sweep
    dash = TelemetryDashboard(lab)
    dash.filter(experiment="sweep")
    assert dash.distributions().axes[0].get_xlabel() == "score"
    assert len(dash.acceptance().axes) == 2
    assert dash.correlations().axes[0].get_title().startswith("score dimensions")
    assert set(dash.summary()["role"]) == {"drums", "bass", "chords", "melody"}
