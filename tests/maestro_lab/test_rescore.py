"""rescore: re-run every choice of a run from the stored candidates with another scorer."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pytest

import maestro_lab
from maestro_lab.runtime.results import CompositionResult
from muse_duckdb import telemetry
from muse_duckdb.telemetry.errors import UnknownRunError
from storpheus.errors import ScoringError
from storpheus.notes import NoteArray
from storpheus.scoring import Scorer, ScoringParams
from tests.maestro_lab.compose_fixtures import SMALL_PROMPT


def _fewest_notes(notes: NoteArray, params: ScoringParams) -> float:
    return 1.0 / (1.0 + len(notes))


SPARSE = Scorer.from_functions({"sparse": _fewest_notes}, name="sparse")
"""Prefers the candidate with the fewest notes (loadable as a module attribute)."""


@pytest.fixture(scope="module")
def composed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CompositionResult]:
    db = tmp_path_factory.mktemp("rescore") / "lab.duckdb"
    prompt = SMALL_PROMPT.replace("candidates: 4", "candidates: 8")
    return db, maestro_lab.compose(prompt, seed=21, db=db, out=None)


def test_rescoring_with_the_same_scorer_changes_no_choice(
    composed: tuple[Path, CompositionResult],
) -> None:
    db, result = composed
    frame = maestro_lab.rescore(result.run_id, Scorer(), db=db)
    assert len(frame) == len(result.cards) == 6
    assert not frame["changed"].any()
    chosen = {(c.section, c.role): (c.best_index, c.total) for c in result.cards}
    for row in frame.to_dict("records"):
        index, total = chosen[(row["section"], row["role"])]
        assert row["old_index"] == row["new_index"] == index
        assert row["new_score"] == pytest.approx(total, abs=1e-12)
    assert frame.attrs["scorer_id"] == result.scorer_id


def test_a_scorer_spec_loads_like_the_cli_does(composed: tuple[Path, CompositionResult]) -> None:
    db, result = composed
    frame = maestro_lab.rescore(result.run_id, "storpheus.scoring.scorer:default_scorer", db=db)
    assert not frame["changed"].any()


def test_another_scorer_rechooses_from_the_stored_notes_without_regenerating(
    composed: tuple[Path, CompositionResult],
) -> None:
    db, result = composed
    frame = maestro_lab.rescore(result.run_id, SPARSE, db=db)
    assert frame["changed"].any()
    con = duckdb.connect(str(db), read_only=True)
    counts = con.execute(
        "SELECT generation_id, list(n_notes ORDER BY candidate_index) FROM candidates "
        "WHERE run_id = ? GROUP BY generation_id",
        [result.run_id],
    ).fetchall()
    con.close()
    fewest = {gen: int(np.argmin(notes)) for gen, notes in counts}
    for row in frame.to_dict("records"):
        assert row["new_index"] == fewest[row["generation_id"]]


def test_rescoring_an_unknown_run_names_the_recorded_ones(
    composed: tuple[Path, CompositionResult],
) -> None:
    db, result = composed
    with pytest.raises(UnknownRunError, match=result.run_id):
        maestro_lab.rescore("run-nope", None, db=db)


def test_a_scorer_spec_that_does_not_load_is_a_scoring_error(
    composed: tuple[Path, CompositionResult],
) -> None:
    db, result = composed
    with pytest.raises(ScoringError, match="cannot import"):
        maestro_lab.rescore(result.run_id, "no_such_module:scorer", db=db)


def test_generations_keep_the_targets_rescoring_needs(
    composed: tuple[Path, CompositionResult],
) -> None:
    db, result = composed
    gens = telemetry.generations(telemetry.open_database(db, read_only=True), result.run_id)
    for metadata in gens["metadata"]:
        params = ScoringParams.from_dict(json.loads(metadata)["scoring_params"])
        assert params.bars == 4


_CLI = "import sys; from maestro_lab.cli import main; sys.exit(main(sys.argv[1:]))"


def _cli_in(folder: Path, *args: str) -> tuple[int, str, str]:
    import subprocess
    import sys

    out = subprocess.run(
        # -I: isolated, so the current folder is *not* on sys.path unless the CLI adds it
        [sys.executable, "-I", "-c", _CLI, *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return out.returncode, out.stdout, out.stderr


def test_rescore_cli_finds_a_scorer_module_in_the_current_folder(
    composed: tuple[Path, CompositionResult], tmp_path: Path
) -> None:
    db, result = composed
    (tmp_path / "my_scorers.py").write_text(
        "from storpheus.scoring import Scorer\n"
        "def key_heavy():\n"
        "    return Scorer().with_weights(key_compliance=4.0)\n",
        encoding="utf-8",
    )
    code, out, err = _cli_in(
        tmp_path,
        "rescore",
        result.run_id,
        "--scorer",
        "my_scorers:key_heavy",
        "--db",
        str(db),
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["scorerId"] == Scorer().with_weights(key_compliance=4.0).scorer_id


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("def needs_args(x):\n    return x\n", "cannot be called without arguments"),
        ("def not_a_scorer():\n    return 42\n", "names a int, not a Scorer"),
    ],
    ids=["takes-arguments", "wrong-type"],
)
def test_rescore_cli_reports_a_scorer_of_the_wrong_shape_as_usage_error(
    composed: tuple[Path, CompositionResult], tmp_path: Path, source: str, message: str
) -> None:
    db, result = composed
    (tmp_path / "bad_scorer.py").write_text(source, encoding="utf-8")
    name = source.split("(")[0].removeprefix("def ")
    code, _, err = _cli_in(
        tmp_path, "rescore", result.run_id, "--scorer", f"bad_scorer:{name}", "--db", str(db)
    )
    assert code == 2
    assert message in err
    assert "Traceback" not in err
