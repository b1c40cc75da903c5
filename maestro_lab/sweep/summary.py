"""A sweep at a glance: acceptance and best scores per value of the varied parameters.

:func:`summary`: one SQL query joins the sweep's cells to the generations their runs
recorded and groups by cell parameters (``candidates``, ``style``,
``scorer``, ``seed``...): cells, generations, acceptance rate, mean attempts,
mean and standard deviation of the best score, and how many distinct best
candidates (content ids) the group chose — the measure of seed stability.

:func:`acceptance_curve` and :func:`choice_agreement` apply the scorer
statistics of :mod:`maestro_lab.analysis` to every run of a sweep
(acceptance among the first k candidates with Wilson intervals; how often
two scorers choose the same candidate).

Example
-------
>>> summary("sweeps.duckdb", result.sweep_id, by=["candidates"])  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from maestro_lab.sweep.errors import SweepError

if TYPE_CHECKING:
    import pandas as pd

    from storpheus.scoring import Scorer

PARAMETERS: Final = (
    "prompt_name",
    "seed",
    "candidates",
    "style",
    "roles",
    "scorer",
    "weights",
    "threshold",
    "backend",
)
"""Cell parameters a summary can group by."""


def summary(
    db: str | os.PathLike[str], sweep_id: str, *, by: Sequence[str] = ("candidates",)
) -> pd.DataFrame:
    """Acceptance and best-score statistics of ``sweep_id`` grouped by cell parameters ``by``.

    Raises
    ------
    SweepError
        A name of ``by`` is not a cell parameter.
    """
    from muse_duckdb.telemetry import open_database

    names = list(by)
    unknown = [n for n in names if n not in PARAMETERS]
    if unknown or not names:
        raise SweepError(f"cannot group by {unknown or names}; choose from {list(PARAMETERS)}")
    keys = ", ".join(f"json_extract_string(c.parameters, '$.{n}') AS {n}" for n in names)
    group = ", ".join(names)
    order = ", ".join(f"TRY_CAST({n} AS DOUBLE) NULLS LAST, {n}" for n in names)
    sql = f"""
        WITH cells AS (
            SELECT {keys}, c.cell_key, c.run_id
            FROM sweep_cells c WHERE c.sweep_id = ? AND c.status = 'completed'
        ),
        best AS (
            SELECT g.run_id, g.generation_id, g.accepted, g.attempts, g.best_score,
                   (SELECT k.notes_id FROM candidates k
                    WHERE k.generation_id = g.generation_id AND k.selected LIMIT 1) AS best_notes,
                   g.section || '/' || g.role AS slot
            FROM generations g
        )
        SELECT {group},
            count(DISTINCT cells.cell_key) AS cells,
            count(best.generation_id) AS generations,
            avg(CAST(best.accepted AS DOUBLE)) AS acceptance_rate,
            avg(best.attempts) AS mean_attempts,
            avg(best.best_score) AS mean_best_score,
            stddev_samp(best.best_score) AS std_best_score,
            count(DISTINCT best.slot || ':' || best.best_notes) AS distinct_best
        FROM cells JOIN best USING (run_id)
        GROUP BY {group}
        ORDER BY {order}"""
    database = open_database(db, read_only=True)
    with database.read() as conn:
        frame: pd.DataFrame = conn.execute(sql, [sweep_id]).df()
    return frame


def sweep_runs(db: str | os.PathLike[str], sweep_id: str) -> tuple[str, ...]:
    """Run ids of the completed cells of ``sweep_id``, in grid order.

    Raises
    ------
    SweepError
        The sweep recorded no completed run.
    """
    from muse_duckdb.telemetry import open_database
    from muse_duckdb.telemetry.sweeps import sweep_run_ids

    runs = sweep_run_ids(open_database(db, read_only=True), sweep_id)
    if not runs:
        raise SweepError(f"{db}: sweep {sweep_id!r} has no completed run")
    return runs


def acceptance_curve(
    db: str | os.PathLike[str], sweep_id: str, *, threshold: float | None = None
) -> pd.DataFrame:
    """Acceptance among the first k candidates, for every k, over every run of a sweep.

    See :func:`maestro_lab.analysis.acceptance_curve` for the columns.
    """
    from maestro_lab.analysis import acceptance_curve as curve

    return curve(db, sweep_runs(db, sweep_id), threshold=threshold)


def choice_agreement(
    db: str | os.PathLike[str], sweep_id: str, scorer_a: Scorer, scorer_b: Scorer
) -> pd.DataFrame:
    """How often two scorers choose the same stored candidate, over every run of a sweep.

    See :func:`maestro_lab.analysis.choice_agreement` for the columns.
    """
    from maestro_lab.analysis import choice_agreement as agreement

    return agreement(scorer_a, scorer_b, db, sweep_runs(db, sweep_id))


__all__ = ["PARAMETERS", "acceptance_curve", "choice_agreement", "summary", "sweep_runs"]
