"""Re-run every choice of a recorded run with another scorer, without regenerating.

Telemetry keeps every candidate rejection sampling saw (its raw notes,
content-addressed) and each generation's scoring targets
(``ScoringParams`` in the generation's metadata). :func:`rescore` scores
each generation's candidates again with ``scorer`` against those targets and
returns, per generation, the old and the new choice
(:func:`muse_duckdb.telemetry.rescore` does the reading and the choosing).
With the scorer the run used, no choice changes.

Example
-------
>>> rescore("run-123", "default", db="maestro.duckdb")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from muse_duckdb.storage.database import Connection
from muse_duckdb.telemetry import GenerationInfo, Rescorer, open_database
from muse_duckdb.telemetry import rescore as telemetry_rescore
from muse_duckdb.telemetry.errors import TelemetryError
from storpheus.notes import NoteArray
from storpheus.scoring import Scorer, ScoringParams

if TYPE_CHECKING:
    import pandas as pd


def scorer_rescorer(scorer: Scorer) -> Rescorer:
    """A telemetry rescorer scoring each generation against its recorded targets.

    Invalid candidates (NaN totals) score ``-inf``, so they are never chosen.
    """

    def rescore_generation(
        parts: Sequence[NoteArray], info: GenerationInfo
    ) -> npt.NDArray[np.float64]:
        try:
            recorded = json.loads(info.metadata)["scoring_params"]
        except (ValueError, KeyError, TypeError) as exc:
            raise TelemetryError(
                f"generation {info.generation_id!r} has no recorded scoring targets "
                "(it was not recorded by maestro-lab compose)"
            ) from exc
        params = ScoringParams.from_dict(recorded)
        totals = scorer.score(list(parts), params).totals
        return np.where(np.isnan(totals), -np.inf, totals)

    return rescore_generation


def rescore(
    run_id: str,
    scorer: Scorer | str | None = None,
    *,
    db: str | os.PathLike[str] | Connection = "maestro.duckdb",
) -> pd.DataFrame:
    """Old vs new choice of every generation of ``run_id`` under ``scorer``.

    ``scorer`` is a :class:`~storpheus.scoring.Scorer`, a ``module:name``
    spec or ``None`` (the default scorer). Returns one row per generation
    (``generation_id``, ``section``, ``role``, ``candidates``, ``old_index``,
    ``old_score``, ``new_index``, ``new_score``, ``changed``); the frame's
    ``attrs`` hold the new scorer's id.

    Raises
    ------
    UnknownRunError
        No run has this id (the error lists the known ones).
    ScoringError
        The scorer spec cannot be loaded.
    """
    from maestro_lab.runtime.session import resolve_scorer

    chosen, _ = resolve_scorer(scorer)
    database = open_database(db, read_only=not isinstance(db, Connection))
    frame = telemetry_rescore(database, run_id, scorer_rescorer(chosen))
    frame.attrs["scorer_id"] = chosen.scorer_id
    frame.attrs["run_id"] = run_id
    return frame


__all__ = ["rescore", "scorer_rescorer"]
