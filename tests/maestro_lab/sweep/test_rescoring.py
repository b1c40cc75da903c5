"""Re-score sweeps: a grid over scorers and weights applied to stored candidates, no generation."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import numpy as np
import pytest

from maestro_lab.sweep import SweepError, run
from muse_duckdb import telemetry as tm
from muse_duckdb.telemetry.sweeps import sweep_rescores
from storpheus.scoring import Scorer, ScoringParams
from tests.maestro_lab.sweep.conftest import write_spec

PEAKY = """
from storpheus.scoring import Scorer


def scorer():
    return Scorer().with_weights(key_compliance=0.1, density_fit=5.0)
"""


@pytest.fixture(scope="module")
def composed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("rescore")
    (folder / "peaky.py").write_text(PEAKY, encoding="utf-8")
    spec = write_spec(
        folder,
        "source",
        """\
        name: source
        prompt_file: prompt.txt
        seeds: [1, 2, 3]
        grid: {candidates: [3, 6]}
        """,
    )
    db = folder / "rescore.duckdb"
    with ThreadPoolExecutor(2) as pool:
        assert run(spec, pool, db=db).ok
    return folder, db


def _candidate_count(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return int(con.execute("SELECT count(*) FROM candidates").fetchall()[0][0])


def test_rescoring_changes_no_choice_under_the_same_scorer_and_generates_nothing(
    composed: tuple[Path, Path],
) -> None:
    folder, db = composed
    before = _candidate_count(db)
    spec = write_spec(
        folder,
        "same",
        """\
        name: same
        rescore: {sweep: source}
        grid:
          scorer: [default, "peaky:scorer"]
        """,
    )
    result = run(spec, db=db)
    assert (result.cells, result.completed, result.kind) == (2, 2, "rescore")
    assert _candidate_count(db) == before  # nothing generated
    rows = sweep_rescores(tm.open_database(db, read_only=True), result.sweep_id)
    assert len(rows) == 2 * 6 * 2  # two cells x six runs x two generations
    default_key = next(k for k, v in result.outputs.items() if json.loads(v)["changed"] == 0)
    same = rows[rows["cell_key"] == default_key]
    assert not same["changed"].any()
    assert np.allclose(same["old_score"], same["new_score"])
    summary = json.loads(result.outputs[default_key])
    assert (summary["runs"], summary["generations"]) == (6, 12)


def test_a_rescored_choice_is_the_best_candidate_under_the_new_scorer(
    composed: tuple[Path, Path],
) -> None:
    folder, db = composed
    spec = write_spec(
        folder,
        "peaky",
        """\
        name: peaky
        rescore: {sweep: source}
        scorer: "peaky:scorer"
        """,
    )
    result = run(spec, db=db)
    database = tm.open_database(db, read_only=True)
    rows = sweep_rescores(database, result.sweep_id)
    scorer = Scorer().with_weights(key_compliance=0.1, density_fit=5.0)
    assert set(rows["scorer"]) == {scorer.scorer_id}
    for row in rows.itertuples():
        cands = tm.candidates(database, str(row.run_id))
        mine = cands[cands["generation_id"] == row.generation_id].sort_values("candidate_index")
        notes = tm.candidate_notes(database, list(mine["notes_id"]))
        generation = tm.generations(database, str(row.run_id))
        meta = generation.loc[generation["generation_id"] == row.generation_id, "metadata"].iloc[0]
        params = ScoringParams.from_dict(json.loads(meta)["scoring_params"])
        totals = scorer.score([notes[n] for n in mine["notes_id"]], params).totals
        assert row.new_index == int(np.nanargmax(totals))
        assert row.new_score == pytest.approx(float(np.nanmax(totals)))
    assert rows["changed"].any()  # density over key compliance picks differently somewhere


def test_rescoring_an_unknown_sweep_says_which(composed: tuple[Path, Path]) -> None:
    folder, db = composed
    spec = write_spec(folder, "nowhere", "name: nowhere\nrescore: {sweep: no-such-sweep}\n")
    with pytest.raises(SweepError, match="no-such-sweep"):
        run(spec, db=db)
