"""Analysis queries over telemetry, each returning a pandas DataFrame.

All work happens in DuckDB (vectorised SQL); Python only receives the result.
Grouping columns are chosen from a fixed set (:data:`GROUP_COLUMNS`), never
pasted into SQL from user text; values are bound as parameters.

Example
-------
>>> import duckdb
>>> from muse_duckdb.telemetry.recorder import TelemetryRecorder
>>> from muse_duckdb.telemetry.ingestion import ingest
>>> rec = TelemetryRecorder("r", detect_environment=False)
>>> rec.start_run(seed=1)
>>> g = rec.add_generation(role="bass", backend="b", num_candidates=2, accepted=True)
>>> rec.add_candidates(g, accepted=[True, False], scores=[0.8, 0.2],
...                    metrics={"key_fit": [1.0, 0.5]}, selected=0)
>>> con = duckdb.connect()
>>> _ = ingest(con, rec.batch())
>>> frame = candidates(con, "r")
>>> frame[["candidate_index", "score", "key_fit"]].values.tolist()
[[0.0, 0.8, 1.0], [1.0, 0.2, 0.5]]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from muse_duckdb.storage.database import Connection, Database, first_row
from muse_duckdb.telemetry.errors import TelemetryError, UnknownRunError
from storpheus.notes import NoteArray

Target = Connection | Database

GROUP_COLUMNS: Final[dict[str, str]] = {
    "run_id": "c.run_id",
    "generation_id": "c.generation_id",
    "section": "c.section",
    "role": "c.role",
    "style": "c.style",
    "num_candidates": "c.num_candidates",
    "backend": "g.backend",
    "scorer": "g.scorer",
    "experiment": "r.experiment",
}
"""Columns analyses may group by, and where they come from."""

CANDIDATE_COLUMNS: Final = (
    "candidate_id",
    "run_id",
    "generation_id",
    "section",
    "role",
    "style",
    "backend",
    "num_candidates",
    "scorer",
    "candidate_index",
    "seed",
    "notes_id",
    "n_notes",
    "score",
    "accepted",
    "selected",
    "reject_reason",
)


@contextmanager
def _reading(target: Target) -> Iterator[Connection]:
    if isinstance(target, Database):
        with target.read() as conn:
            yield conn
    else:
        yield target


def _frame(conn: Connection, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
    frame: pd.DataFrame = conn.execute(sql, list(params)).df()
    return frame


def _group(by: str | Sequence[str]) -> list[str]:
    names = [by] if isinstance(by, str) else list(by)
    unknown = [n for n in names if n not in GROUP_COLUMNS]
    if unknown or not names:
        raise TelemetryError(
            f"cannot group by {unknown or names}; choose from {sorted(GROUP_COLUMNS)}"
        )
    return names


def _joins(names: Sequence[str]) -> str:
    """The joins the grouping columns need beyond ``candidates c``."""
    sources = {GROUP_COLUMNS[n].split(".")[0] for n in names}
    out = ""
    if "g" in sources:
        out += " JOIN generations g ON g.generation_id = c.generation_id"
    if "r" in sources:
        out += " JOIN runs r ON r.run_id = c.run_id"
    return out


def _run_filter(run_ids: str | Sequence[str] | None) -> tuple[str, list[object]]:
    if run_ids is None:
        return "", []
    ids = [run_ids] if isinstance(run_ids, str) else list(run_ids)
    return "AND c.run_id IN (SELECT unnest(?::VARCHAR[]))", [ids]


# --------------------------------------------------------------------- runs
def runs(target: Target, *, experiment: str | None = None) -> pd.DataFrame:
    """Every run (newest first), with its candidate and generation counts."""
    where, params = ("WHERE r.experiment = ?", [experiment]) if experiment is not None else ("", [])
    sql = f"""
        SELECT r.*,
            (SELECT count(*) FROM generations g WHERE g.run_id = r.run_id) AS n_generations,
            (SELECT count(*) FROM candidates c WHERE c.run_id = r.run_id) AS n_candidates
        FROM runs r {where}
        ORDER BY r.started_at DESC NULLS LAST, r.run_id"""
    with _reading(target) as conn:
        return _frame(conn, sql, params)


def run_ids(target: Target) -> tuple[str, ...]:
    """The recorded run ids, sorted."""
    with _reading(target) as conn:
        return tuple(
            str(r[0]) for r in conn.execute("SELECT run_id FROM runs ORDER BY 1").fetchall()
        )


def _require_run(conn: Connection, run_id: str) -> None:
    if first_row(conn.execute("SELECT 1 FROM runs WHERE run_id = ?", [run_id]).fetchall()) is None:
        known = tuple(
            str(r[0]) for r in conn.execute("SELECT run_id FROM runs ORDER BY 1").fetchall()
        )
        raise UnknownRunError(run_id, known)


def generations(target: Target, run_id: str | None = None) -> pd.DataFrame:
    """Generations (of one run, or all), in run, section and role order."""
    where, params = ("WHERE run_id = ?", [run_id]) if run_id is not None else ("", [])
    with _reading(target) as conn:
        if run_id is not None:
            _require_run(conn, run_id)
        return _frame(
            conn, f"SELECT * FROM generations {where} ORDER BY run_id, section, role", params
        )


def events(target: Target, run_id: str) -> pd.DataFrame:
    """The events of a run in sequence order (``seq``, ``type``, ``payload`` JSON text)."""
    with _reading(target) as conn:
        _require_run(conn, run_id)
        return _frame(
            conn, "SELECT seq, type, payload FROM events WHERE run_id = ? ORDER BY seq", [run_id]
        )


# --------------------------------------------------------------- candidates
def candidates_sql(metric_names: Sequence[str]) -> str:
    """The one SQL query returning one row per candidate with a column per metric.

    Bind ``metric_names`` then the run ids list (``?::VARCHAR[]``) as parameters.
    """
    pivots = ",\n".join(
        f"max(m.value) FILTER (WHERE m.name = ?) AS {_identifier(name)}" for name in metric_names
    )
    columns = ", ".join(f"{'g' if c in _GENERATION_FIELDS else 'c'}.{c}" for c in CANDIDATE_COLUMNS)
    metric_select = f",\n{pivots}" if metric_names else ""
    return f"""
        SELECT {columns}{metric_select}
        FROM candidates c
        JOIN generations g ON g.generation_id = c.generation_id
        LEFT JOIN candidate_metrics m ON m.candidate_id = c.candidate_id
        WHERE c.run_id IN (SELECT unnest(?::VARCHAR[]))
        GROUP BY ALL
        ORDER BY c.run_id, c.section NULLS FIRST, c.role, c.generation_id, c.candidate_index"""


_GENERATION_FIELDS: Final = frozenset({"backend", "scorer"})


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def candidates(target: Target, run_id: str | Sequence[str]) -> pd.DataFrame:
    """One row per candidate of the run(s), with every score dimension as a column.

    Columns: :data:`CANDIDATE_COLUMNS` (candidate, its generation's section,
    role, style, backend, candidate count and scorer, seed, notes id, total
    score, accepted, selected, reject reason), then one column per metric name
    in sorted order (missing values are NaN).
    """
    ids = [run_id] if isinstance(run_id, str) else list(run_id)
    with _reading(target) as conn:
        for rid in ids:
            _require_run(conn, rid)
        names = [
            str(r[0])
            for r in conn.execute(
                "SELECT DISTINCT m.name FROM candidate_metrics m JOIN candidates c "
                "USING (candidate_id) WHERE c.run_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY 1",
                [ids],
            ).fetchall()
        ]
        clash = [n for n in names if n in CANDIDATE_COLUMNS]
        if clash:
            raise TelemetryError(f"metric names {clash} clash with candidate columns")
        return _frame(conn, candidates_sql(names), [*names, ids])


def candidate_notes(target: Target, notes_ids: Sequence[str]) -> dict[str, NoteArray]:
    """The stored note objects with these content ids (ids not stored are absent)."""
    unique = sorted(set(notes_ids))
    if not unique:
        return {}
    with _reading(target) as conn:
        table = conn.sql(
            "SELECT notes_id, n_notes, pitch, velocity, channel, start_beat, duration_beats "
            "FROM candidate_notes WHERE notes_id IN (SELECT unnest(?::VARCHAR[]))",
            params=[unique],
        ).to_arrow_table()
    return _note_objects(table)


def _note_objects(table: object) -> dict[str, NoteArray]:
    import pyarrow as pa
    import pyarrow.compute as pc

    assert isinstance(table, pa.Table)
    if table.num_rows == 0:
        return {}
    ids = table.column("notes_id").to_pylist()
    counts = table.column("n_notes").to_numpy()
    bounds = np.concatenate([[0], np.cumsum(counts)])
    flat = {
        name: pc.list_flatten(table.column(name)).to_numpy()
        for name in ("pitch", "velocity", "channel", "start_beat", "duration_beats")
    }
    whole = NoteArray(
        pitch=flat["pitch"],
        velocity=flat["velocity"],
        start_beat=flat["start_beat"],
        duration_beats=flat["duration_beats"],
        channel=flat["channel"],
    )
    return {str(ids[i]): whole[int(bounds[i]) : int(bounds[i + 1])] for i in range(len(ids))}


# ----------------------------------------------------------------- analyses
def acceptance_rate(
    target: Target,
    by: str | Sequence[str] = ("role", "num_candidates"),
    *,
    run_ids: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Share of candidates accepted by rejection sampling, per group.

    Columns: the ``by`` columns, ``candidates``, ``accepted`` and ``rate``.
    """
    names = _group(by)
    keys = ", ".join(f"{GROUP_COLUMNS[n]} AS {n}" for n in names)
    where, params = _run_filter(run_ids)
    sql = f"""
        SELECT {keys}, count(*) AS candidates, count(*) FILTER (WHERE c.accepted) AS accepted,
               avg(c.accepted::DOUBLE) AS rate
        FROM candidates c{_joins(names)}
        WHERE TRUE {where}
        GROUP BY ALL ORDER BY ALL"""
    with _reading(target) as conn:
        return _frame(conn, sql, params)


def score_quantiles(
    target: Target,
    by: str | Sequence[str] = "style",
    *,
    metric: str = "score",
    quantiles: Sequence[float] = (0.1, 0.25, 0.5, 0.75, 0.9),
    run_ids: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Quantiles of the total score (or of one metric) per group.

    Columns: the ``by`` columns, ``n``, ``mean`` and one ``q<percent>`` column
    per quantile (``q50`` is the median).
    """
    names = _group(by)
    qs = [float(q) for q in quantiles]
    if not qs or any(not 0.0 <= q <= 1.0 for q in qs):
        raise TelemetryError(f"quantiles {qs} must be numbers in [0, 1]")
    keys = ", ".join(f"{GROUP_COLUMNS[n]} AS {n}" for n in names)
    where, params = _run_filter(run_ids)
    if metric == "score":
        value, source, metric_params = "c.score", "", []
    else:
        value = "m.value"
        source = " JOIN candidate_metrics m ON m.candidate_id = c.candidate_id AND m.name = ?"
        metric_params = [metric]
    labels = [f"q{round(q * 100, 6):g}".replace(".", "_") for q in qs]
    picks = ", ".join(f"qs[{i + 1}] AS {label}" for i, label in enumerate(labels))
    sql = f"""
        SELECT * EXCLUDE (qs), {picks} FROM (
            SELECT {keys}, count({value}) AS n, avg({value}) AS mean,
                   quantile_cont({value}, ?::DOUBLE[]) AS qs
            FROM candidates c{source}{_joins(names)}
            WHERE {value} IS NOT NULL {where}
            GROUP BY ALL
        ) ORDER BY ALL"""
    with _reading(target) as conn:
        return _frame(conn, sql, [qs, *metric_params, *params])


# ------------------------------------------------------------------ rescore
def _opt_text(value: object) -> str | None:
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class GenerationInfo:
    """What a rescoring function learns about the generation it scores."""

    generation_id: str
    run_id: str
    section: str | None
    role: str
    style: str | None
    backend: str
    num_candidates: int
    metadata: str


Rescorer = Callable[
    [Sequence[NoteArray], GenerationInfo], Sequence[float] | npt.NDArray[np.float64]
]
"""Scores every candidate of one generation (higher is better)."""


def rescore(target: Target, run_id: str, scorer: Rescorer) -> pd.DataFrame:
    """Re-run every choice of a run with another scorer, from the stored candidates.

    No candidate is regenerated: their notes come from the content-addressed
    note objects. For each generation the new choice is the candidate with
    the highest new score (the lowest index on a tie).

    Returns one row per generation: ``generation_id``, ``section``, ``role``,
    ``candidates``, ``old_index``, ``old_score``, ``new_index``, ``new_score``,
    ``changed``.
    """
    with _reading(target) as conn:
        _require_run(conn, run_id)
        gens = _frame(
            conn,
            "SELECT generation_id, run_id, section, role, style, backend, num_candidates, "
            "metadata FROM generations WHERE run_id = ? ORDER BY section NULLS FIRST, role, "
            "generation_id",
            [run_id],
        )
        cands = _frame(
            conn,
            "SELECT generation_id, candidate_index, notes_id, score, selected FROM candidates "
            "WHERE run_id = ? ORDER BY generation_id, candidate_index",
            [run_id],
        )
    notes = candidate_notes(target, [str(n) for n in cands["notes_id"].dropna().unique()])
    rows = []
    for gen in gens.to_dict("records"):
        generation_id = str(gen["generation_id"])
        part = cands[cands["generation_id"] == generation_id]
        info = GenerationInfo(
            generation_id=generation_id,
            run_id=str(gen["run_id"]),
            section=_opt_text(gen["section"]),
            role=str(gen["role"]),
            style=_opt_text(gen["style"]),
            backend=str(gen["backend"]),
            num_candidates=int(str(gen["num_candidates"])),
            metadata=str(gen["metadata"]),
        )
        parts = [
            notes.get(str(n), NoteArray.empty()) if isinstance(n, str) else NoteArray.empty()
            for n in part["notes_id"]
        ]
        indices = part["candidate_index"].to_numpy()
        new_scores = np.asarray(scorer(parts, info), dtype=np.float64) if parts else np.empty(0)
        if new_scores.shape != (len(parts),):
            raise TelemetryError(
                f"rescorer returned {new_scores.shape} scores for {len(parts)} candidates "
                f"of generation {info.generation_id!r}"
            )
        chosen = part[part["selected"]]
        old_index = int(chosen["candidate_index"].iloc[0]) if len(chosen) else None
        old_score = float(chosen["score"].iloc[0]) if len(chosen) else None
        best = int(np.argmax(new_scores)) if len(new_scores) else None
        new_index = int(indices[best]) if best is not None else None
        rows.append(
            {
                "generation_id": info.generation_id,
                "section": info.section,
                "role": info.role,
                "candidates": len(parts),
                "old_index": old_index,
                "old_score": old_score,
                "new_index": new_index,
                "new_score": float(new_scores[best]) if best is not None else None,
                "changed": old_index != new_index,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "generation_id",
            "section",
            "role",
            "candidates",
            "old_index",
            "old_score",
            "new_index",
            "new_score",
            "changed",
        ],
    )
