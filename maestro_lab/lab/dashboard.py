"""TelemetryDashboard: rejection sampling across runs — distributions, acceptance, correlations.

Filter by runs or by experiment (a sweep records its runs under one
experiment name), then plot.

Example
-------
>>> dash = TelemetryDashboard(lab)                      # doctest: +SKIP
>>> dash.filter(experiment="candidates-sweep")           # doctest: +SKIP
>>> dash.acceptance()                                    # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from maestro_lab.errors import LabError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from maestro_lab.lab.facade import Lab


class TelemetryDashboard:
    """Score statistics of the candidates of the selected runs (default: every run)."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self.run_ids: tuple[str, ...] = ()
        self.experiment: str | None = None
        self._frame: pd.DataFrame | None = None

    def experiments(self) -> list[str]:
        """The experiment (sweep) names recorded."""
        frame = self.lab.runs()
        if frame.empty or "experiment" not in frame:
            return []
        return sorted(str(e) for e in frame["experiment"].dropna().unique())

    def filter(
        self, run_ids: Sequence[str] | str | None = None, *, experiment: str | None = None
    ) -> pd.DataFrame:
        """Select runs by id or by experiment (both ``None``: every run); the candidate frame."""
        runs = self.lab.runs(experiment)
        known = [str(r) for r in runs["run_id"]] if not runs.empty else []
        if run_ids is None:
            chosen = known
        else:
            wanted = [run_ids] if isinstance(run_ids, str) else list(run_ids)
            missing = [r for r in wanted if r not in known]
            if missing:
                raise LabError(f"unknown runs {missing} (experiment {experiment!r})")
            chosen = wanted
        self.run_ids = tuple(chosen)
        self.experiment = experiment
        self._frame = None
        return self.frame()

    def frame(self) -> pd.DataFrame:
        """One row per candidate of the selected runs, with every dimension."""
        import pandas as pd

        if self._frame is None:
            if not self.run_ids:
                self.run_ids = tuple(str(r) for r in self.lab.runs()["run_id"])
            self._frame = (
                self.lab.candidates(list(self.run_ids)) if self.run_ids else pd.DataFrame()
            )
        return self._frame

    def summary(self) -> pd.DataFrame:
        """Per role: candidates, share accepted, mean and best score."""
        f = self.frame()
        if f.empty:
            raise LabError("no candidates recorded for this selection")
        return (
            f.groupby("role")
            .agg(
                candidates=("candidate_id", "size"),
                accepted=("accepted", "mean"),
                mean_score=("score", "mean"),
                best_score=("score", "max"),
            )
            .reset_index()
        )

    def distributions(self, by: str = "role", column: str = "score") -> Figure:
        """Histogram of a score (or dimension) per group."""
        from maestro_lab.viz.scores import plot_score_distributions

        return plot_score_distributions(self.frame(), by=by, column=column)

    def acceptance(self, by: str = "role") -> Figure:
        """Acceptance and best score against the number of candidates."""
        from maestro_lab.viz.scores import plot_acceptance

        return plot_acceptance(self.frame(), by=by)

    def correlations(self) -> Figure:
        """Rank correlations between score dimensions and the total score."""
        from maestro_lab.viz.scores import plot_dimension_correlations

        return plot_dimension_correlations(self.frame())


__all__ = ["TelemetryDashboard"]
