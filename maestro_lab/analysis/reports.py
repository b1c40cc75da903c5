"""The report of one run: each generation's targets, fulfilment and A/B comparison.

:func:`run_report` reads a recorded run back from telemetry: per
generation, the chosen candidate's fulfilment report (goal scores and
violations in plain words) and its comparison with the runner-up, both as
stored when the run was composed (runs recorded before reports existed are
re-derived from their stored candidates and targets); the target every
dimension was scored against; and the run's discrimination table (how each
dimension spread across candidates and how often it changed the choice).
``maestro-lab report RUN`` prints it.

Example
-------
>>> report = run_report("lab.duckdb", run_id)   # doctest: +SKIP
>>> report.generations[["role", "score", "satisfied"]]  # doctest: +SKIP
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from maestro_lab.analysis.data import DbTarget, database, stored_generations
from maestro_lab.analysis.scorers import discrimination_table
from storpheus.jsontypes import JSONObject, JSONValue
from storpheus.scoring import GenerationReport, Scorer, generation_report

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class GenerationEntry:
    """One generation of a run report."""

    generation_id: str
    section: str | None
    role: str
    candidates: int
    report: GenerationReport
    targets: dict[str, str | float | None]
    stored: bool

    def to_dict(self) -> JSONObject:
        """The entry as camelCase JSON."""
        fulfil = self.report.fulfillment
        return {
            "generationId": self.generation_id,
            "section": self.section,
            "role": self.role,
            "candidates": self.candidates,
            "chosen": self.report.chosen,
            "runnerUp": self.report.runner_up,
            "score": _finite(fulfil.score),
            "satisfied": fulfil.satisfied,
            "violations": list(fulfil.constraint_violations),
            "goalScores": {k: _finite(v) for k, v in fulfil.goal_scores.items()},
            "targets": dict(self.targets),
            "comparison": None
            if self.report.comparison is None
            else {
                "winner": self.report.comparison.winner,
                "confidence": _finite(self.report.comparison.confidence),
                "totalA": _finite(self.report.comparison.generation_a.get("total", math.nan)),
                "totalB": _finite(self.report.comparison.generation_b.get("total", math.nan)),
            },
            "fromTelemetry": self.stored,
        }


def _finite(value: float) -> float | None:
    return None if not math.isfinite(value) else round(float(value), 6)


@dataclass(frozen=True)
class RunReport:
    """Everything :func:`run_report` found for one run."""

    run_id: str
    entries: tuple[GenerationEntry, ...]
    discrimination: pd.DataFrame

    @property
    def generations(self) -> pd.DataFrame:
        """One row per generation: role, section, score, satisfied, violations, A/B result."""
        import pandas as pd

        rows = []
        for e in self.entries:
            comp = e.report.comparison
            rows.append(
                {
                    "generation_id": e.generation_id,
                    "section": e.section,
                    "role": e.role,
                    "candidates": e.candidates,
                    "chosen": e.report.chosen,
                    "score": e.report.fulfillment.score,
                    "satisfied": e.report.fulfillment.satisfied,
                    "violations": "; ".join(e.report.fulfillment.constraint_violations),
                    "runner_up": e.report.runner_up,
                    "winner": None if comp is None else comp.winner,
                    "confidence": math.nan if comp is None else comp.confidence,
                }
            )
        return pd.DataFrame(
            rows,
            columns=[
                "generation_id",
                "section",
                "role",
                "candidates",
                "chosen",
                "score",
                "satisfied",
                "violations",
                "runner_up",
                "winner",
                "confidence",
            ],
        )

    @property
    def targets(self) -> pd.DataFrame:
        """One row per (generation, dimension): the target it was scored against."""
        import pandas as pd

        rows = [
            {
                "generation_id": e.generation_id,
                "role": e.role,
                "dimension": name,
                "target": None if value is None else str(value),
            }
            for e in self.entries
            for name, value in e.targets.items()
        ]
        return pd.DataFrame(rows, columns=["generation_id", "role", "dimension", "target"])

    def to_dict(self) -> JSONObject:
        """The run, its generations and its discrimination table as camelCase JSON."""
        table: list[JSONValue] = [
            {str(k): _json_cell(v) for k, v in row.items()}
            for row in self.discrimination.to_dict("records")
        ]
        return {
            "runId": self.run_id,
            "generations": [e.to_dict() for e in self.entries],
            "discrimination": table,
        }


def _json_cell(value: object) -> JSONValue:
    """One discrimination-table cell as JSON (non-finite numbers become ``None``)."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, float | np.floating):
        return _finite(float(value))
    if isinstance(value, int | np.integer):
        return int(value)
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"discrimination table cell {value!r} is not a JSON number, text or bool")


def run_report(db: DbTarget, run_id: str, *, scorer: Scorer | None = None) -> RunReport:
    """The report of ``run_id`` (see the module docstring).

    ``scorer`` re-derives reports missing from telemetry (default: the
    default scorer).

    Raises
    ------
    UnknownRunError
        No run has this id (the message lists the known ones).
    """
    target = database(db)
    entries = []
    for gen in stored_generations(target, run_id):
        report = gen.report
        stored = report is not None
        if report is None and gen.params is not None and gen.notes:
            chosen = (
                int(np.flatnonzero(gen.indices == gen.selected)[0])
                if gen.selected is not None
                else None
            )
            active = scorer or Scorer()
            cards = active.score(list(gen.notes), gen.params)
            report = generation_report(
                list(gen.notes), cards, gen.params, chosen=chosen, scorer=active
            )
        if report is None:
            continue
        targets = {} if gen.params is None else gen.params.targets()
        entries.append(
            GenerationEntry(
                generation_id=gen.generation_id,
                section=gen.section,
                role=gen.role,
                candidates=len(gen.notes),
                report=report,
                targets=targets,
                stored=stored,
            )
        )
    return RunReport(run_id, tuple(entries), discrimination_table(target, run_id))


__all__ = ["GenerationEntry", "RunReport", "run_report"]
