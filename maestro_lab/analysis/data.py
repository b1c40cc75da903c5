"""Stored candidates as analysis inputs: per-generation candidates, notes, targets, re-scores.

Every analysis reads telemetry through these few functions, so they share
one idea of a generation: its candidates in index order, their stored
notes, every recorded dimension value, and the scoring targets
(``ScoringParams``) recorded in the generation's metadata.

Example
-------
>>> frame = candidate_frame("lab.duckdb", run_id)          # doctest: +SKIP
>>> scored = score_stored(Scorer(), "lab.duckdb", run_id)   # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from muse_duckdb.storage.database import Connection, Database
from muse_duckdb.telemetry import candidate_notes, candidates, generations, open_database
from storpheus.notes import NoteArray
from storpheus.scoring import GenerationReport, Scorer, ScoringParams

if TYPE_CHECKING:
    import pandas as pd

DbTarget = str | os.PathLike[str] | Connection | Database
"""A database: a file path, a DuckDB connection or an open Muse database."""

F64 = npt.NDArray[np.float64]


def database(db: DbTarget) -> Database | Connection:
    """A read-only database for a path; connections and databases are used as they are."""
    if isinstance(db, Database | Connection):
        return db
    return open_database(db, read_only=True)


def run_list(run_ids: str | Sequence[str]) -> list[str]:
    """One run id or many, as a list."""
    return [run_ids] if isinstance(run_ids, str) else list(run_ids)


def candidate_frame(db: DbTarget, run_ids: str | Sequence[str]) -> pd.DataFrame:
    """One row per stored candidate of the run(s), every dimension and metric a column."""
    frame = candidates(database(db), run_list(run_ids))
    return frame.sort_values(["generation_id", "candidate_index"], kind="stable").reset_index(
        drop=True
    )


@dataclass(frozen=True)
class StoredGeneration:
    """One recorded generation: its candidates' notes and scores and its targets."""

    generation_id: str
    run_id: str
    section: str | None
    role: str
    indices: npt.NDArray[np.int64]
    notes: tuple[NoteArray, ...]
    scores: F64
    selected: int | None
    params: ScoringParams | None
    report: GenerationReport | None


def stored_generations(db: DbTarget, run_ids: str | Sequence[str]) -> Iterator[StoredGeneration]:
    """Every generation of the run(s), in telemetry order, with its candidates' notes."""
    target = database(db)
    ids = run_list(run_ids)
    cands = candidate_frame(target, ids)
    notes = candidate_notes(target, [str(n) for n in cands["notes_id"].dropna().unique()])
    gens = [generations(target, rid) for rid in ids]
    for frame in gens:
        for row in frame.to_dict("records"):
            gid = str(row["generation_id"])
            part = cands[cands["generation_id"] == gid]
            meta = json.loads(str(row["metadata"]))
            recorded = meta.get("scoring_params") if isinstance(meta, dict) else None
            report = meta.get("report") if isinstance(meta, dict) else None
            chosen = part.index[part["selected"].to_numpy(dtype=bool)]
            yield StoredGeneration(
                generation_id=gid,
                run_id=str(row["run_id"]),
                section=None if row["section"] is None else str(row["section"]),
                role=str(row["role"]),
                indices=part["candidate_index"].to_numpy(dtype=np.int64),
                notes=tuple(
                    notes.get(str(n), NoteArray.empty())
                    if isinstance(n, str)
                    else NoteArray.empty()
                    for n in part["notes_id"]
                ),
                scores=part["score"].to_numpy(dtype=np.float64, na_value=np.nan),
                selected=int(part.loc[chosen[0], "candidate_index"]) if len(chosen) else None,
                params=None if recorded is None else ScoringParams.from_dict(recorded),
                report=None if not isinstance(report, dict) else GenerationReport.from_dict(report),
            )


def _notes(stored: dict[str, NoteArray], notes_id: object) -> NoteArray:
    return (
        stored.get(notes_id, NoteArray.empty()) if isinstance(notes_id, str) else NoteArray.empty()
    )


def score_stored(
    scorer: Scorer, db: DbTarget, run_ids: str | Sequence[str], *, metrics: bool = False
) -> pd.DataFrame:
    """Score every stored candidate again with ``scorer`` against its recorded targets.

    One row per candidate: ``generation_id``, ``role``, ``section``,
    ``candidate_index``, ``stored`` (the recorded total), ``total`` (the new
    one) and every dimension of ``scorer``. Generations recorded without
    targets are skipped.
    """
    import pandas as pd

    frames = []
    for gen in stored_generations(db, run_ids):
        if gen.params is None or not gen.notes:
            continue
        cards = (scorer if metrics else _no_metrics(scorer)).score(list(gen.notes), gen.params)
        frame = pd.DataFrame(
            {
                "run_id": gen.run_id,
                "generation_id": gen.generation_id,
                "section": gen.section,
                "role": gen.role,
                "candidate_index": gen.indices,
                "selected": gen.indices == gen.selected,
                "stored": gen.scores,
                "total": cards.totals,
            }
        )
        for name, values in cards.dimensions.items():
            frame[name] = values
        frames.append(frame)
    if not frames:
        return pd.DataFrame(
            columns=["run_id", "generation_id", "section", "role", "candidate_index", "total"]
        )
    out = pd.concat(frames, ignore_index=True)
    out.attrs["scorer_id"] = scorer.scorer_id
    return out


def _no_metrics(scorer: Scorer) -> Scorer:
    from dataclasses import replace

    return scorer if not scorer.include_metrics else replace(scorer, include_metrics=False)


__all__ = [
    "DbTarget",
    "StoredGeneration",
    "candidate_frame",
    "database",
    "run_list",
    "score_stored",
    "stored_generations",
]
