"""Analysis of recorded runs: scorer statistics, set-level evaluation, run reports.

Everything here reads telemetry (every candidate rejection sampling saw,
its notes, dimensions and targets) and returns DataFrames:

* :mod:`~maestro_lab.analysis.scorers` — agreement of two scorers' choices,
  Spearman / Kendall rank correlation with bootstrap intervals, acceptance
  rate against the number of candidates, which dimensions decide, and the
  per-run discrimination table;
* :mod:`~maestro_lab.analysis.evaluation` — accepted vs rejected candidates,
  run vs run and generated vs a reference corpus (Bach chorales, Essen folk
  songs, cached in the database) with :mod:`storpheus.evaluation`;
* :mod:`~maestro_lab.analysis.reports` — :func:`run_report`, what
  ``maestro-lab report RUN`` prints;
* :mod:`~maestro_lab.analysis.data` — the stored candidates as inputs.

Example
-------
>>> from maestro_lab import analysis
>>> analysis.discrimination_table("lab.duckdb", run_id)           # doctest: +SKIP
>>> analysis.compare_with_reference("lab.duckdb", run_id).summary()  # doctest: +SKIP
"""

from maestro_lab.analysis.data import candidate_frame, score_stored, stored_generations
from maestro_lab.analysis.evaluation import (
    candidate_sets,
    compare_candidates,
    compare_runs,
    compare_with_reference,
    mean_distance,
    reference_set,
)
from maestro_lab.analysis.reports import GenerationEntry, RunReport, run_report
from maestro_lab.analysis.scorers import (
    acceptance_curve,
    choice_agreement,
    choices,
    dimension_importance,
    discrimination_table,
    kendall_tau_b,
    rank_correlation,
    spearman,
    wilson_interval,
)

__all__ = [
    "GenerationEntry",
    "RunReport",
    "acceptance_curve",
    "candidate_frame",
    "candidate_sets",
    "choice_agreement",
    "choices",
    "compare_candidates",
    "compare_runs",
    "compare_with_reference",
    "dimension_importance",
    "discrimination_table",
    "kendall_tau_b",
    "mean_distance",
    "rank_correlation",
    "reference_set",
    "run_report",
    "score_stored",
    "spearman",
    "stored_generations",
    "wilson_interval",
]
