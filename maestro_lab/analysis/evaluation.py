"""Set-level evaluation of stored candidates: accepted vs rejected, run vs run, vs a corpus.

Thin functions over :func:`storpheus.evaluation.compare_sets` that take
their sets from telemetry (every candidate rejection sampling saw is
stored) and their reference corpora from music21, cached in the same
DuckDB file (:func:`reference_set`).

Example
-------
>>> sets = candidate_sets("lab.duckdb", run_id)                      # doctest: +SKIP
>>> compare_candidates("lab.duckdb", run_id).summary()               # doctest: +SKIP
>>> compare_with_reference("lab.duckdb", run_id, limit=100).summary() # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from maestro_lab.analysis.data import DbTarget, candidate_frame, database
from muse_duckdb.telemetry import candidate_notes
from muse_duckdb.telemetry.references import load_reference_corpus, store_reference_corpus
from storpheus.evaluation import ReferenceCorpus, SetComparison, compare_sets, reference_corpus
from storpheus.notes import NoteArray

UNPITCHED_ROLES = ("drums",)


def candidate_sets(
    db: DbTarget,
    run_ids: str | Sequence[str],
    *,
    roles: Sequence[str] | None = None,
    pitched: bool = True,
) -> dict[str, list[NoteArray]]:
    """The stored candidates of the run(s) as sets of notes.

    The sets are ``accepted``, ``rejected``, ``selected`` and ``all``.

    ``accepted`` holds every candidate whose total reached the threshold,
    ``rejected`` the others, ``selected`` the chosen one of each generation.
    ``roles`` keeps only those roles; ``pitched`` (default) leaves drums out,
    since the evaluation's features are about pitch.
    """
    target = database(db)
    frame = candidate_frame(target, run_ids)
    if roles is not None:
        frame = frame[frame["role"].isin(list(roles))]
    if pitched:
        frame = frame[~frame["role"].isin(list(UNPITCHED_ROLES))]
    notes = candidate_notes(target, [str(n) for n in frame["notes_id"].dropna().unique()])
    pieces = [notes.get(str(n), NoteArray.empty()) for n in frame["notes_id"]]
    accepted = frame["accepted"].to_numpy(dtype=bool)
    selected = frame["selected"].to_numpy(dtype=bool)
    return {
        "accepted": [p for p, a in zip(pieces, accepted, strict=True) if a],
        "rejected": [p for p, a in zip(pieces, accepted, strict=True) if not a],
        "selected": [p for p, s in zip(pieces, selected, strict=True) if s],
        "all": pieces,
    }


def compare_candidates(
    db: DbTarget,
    run_ids: str | Sequence[str],
    *,
    first: str = "accepted",
    second: str = "rejected",
    bars: int = 8,
    roles: Sequence[str] | None = None,
) -> SetComparison:
    """Compare two of :func:`candidate_sets`' sets of the run(s) (accepted vs rejected)."""
    sets = candidate_sets(db, run_ids, roles=roles)
    return compare_sets(sets[first], sets[second], bars=bars, labels=(first, second))


def compare_runs(
    db: DbTarget,
    run_a: str | Sequence[str],
    run_b: str | Sequence[str],
    *,
    which: str = "selected",
    bars: int = 8,
    roles: Sequence[str] | None = None,
) -> SetComparison:
    """Compare the ``which`` candidates (default: the chosen ones) of two runs."""
    a = candidate_sets(db, run_a, roles=roles)[which]
    b = candidate_sets(db, run_b, roles=roles)[which]
    return compare_sets(a, b, bars=bars, labels=("run_a", "run_b"))


def reference_set(
    name: str = "bach-chorales",
    *,
    limit: int = 100,
    db: str | os.PathLike[str] | None = None,
) -> ReferenceCorpus:
    """A reference corpus from music21, cached with its provenance in ``db`` when given.

    The first call builds it (parsing ``limit`` pieces) and stores it; later
    calls read it back (the same notes, the same provenance).
    """
    if db is not None and Path(db).exists():
        cached = load_reference_corpus(db, name, limit)
        if cached is not None:
            return cached
    corpus = reference_corpus(name, limit=limit)
    if db is not None:
        store_reference_corpus(db, corpus)
    return corpus


def compare_with_reference(
    db: DbTarget,
    run_ids: str | Sequence[str],
    *,
    corpus: str = "bach-chorales",
    limit: int = 100,
    which: str = "all",
    bars: int = 8,
    cache: str | os.PathLike[str] | None = None,
    roles: Sequence[str] | None = None,
) -> SetComparison:
    """Compare the run(s)' ``which`` candidates with a reference corpus.

    The corpus comes from :func:`reference_set` (cached in ``cache`` if given).
    """
    generated = candidate_sets(db, run_ids, roles=roles)[which]
    reference = reference_set(corpus, limit=limit, db=cache)
    return compare_sets(generated, reference.scores, bars=bars, labels=(which, corpus))


def mean_distance(comparison: SetComparison) -> dict[str, float]:
    """The comparison in four numbers: mean overlap and KL of each set's intra vs inter distances.

    Features whose distances do not spread (undefined overlap) are left out.
    """
    table = comparison.summary()
    out: dict[str, float] = {}
    for column in ("overlap_a", "kl_a", "overlap_b", "kl_b"):
        values = table[column].to_numpy(dtype=np.float64)
        finite = values[np.isfinite(values)]
        out[column] = float(finite.mean()) if finite.size else float("nan")
    return out


__all__ = [
    "candidate_sets",
    "compare_candidates",
    "compare_runs",
    "compare_with_reference",
    "mean_distance",
    "reference_set",
]
