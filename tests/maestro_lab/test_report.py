"""maestro-lab report RUN: fulfilment, A/B comparison, targets and discrimination of a run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest

import maestro_lab
from maestro_lab.analysis import run_report
from maestro_lab.cli import main
from maestro_lab.runtime.results import CompositionResult
from storpheus.scoring import Scorer
from tests.maestro_lab.compose_fixtures import SMALL_PROMPT


@pytest.fixture(scope="module")
def composed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CompositionResult]:
    db = tmp_path_factory.mktemp("report") / "lab.duckdb"
    prompt = SMALL_PROMPT.replace("candidates: 4", "candidates: 6")
    return db, maestro_lab.compose(prompt, seed=9, db=db, out=None)


def test_report_json_holds_every_generation_with_its_stored_report(composed, capsys):
    db, result = composed
    assert main(["report", result.run_id, "--db", str(db), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["runId"] == result.run_id
    gens = out["generations"]
    assert len(gens) == len(result.cards) == 6
    by_key = {(g["section"], g["role"]): g for g in gens}
    for card in result.cards:
        entry = by_key[(card.section, card.role)]
        assert entry["fromTelemetry"] is True
        assert entry["chosen"] == card.best_index
        assert entry["score"] == pytest.approx(card.total, abs=1e-6)
        assert entry["satisfied"] == (not card.report.fulfillment.constraint_violations)
        assert entry["violations"] == list(card.report.fulfillment.constraint_violations)
        assert set(entry["targets"]) == {d.name for d in Scorer().dimensions}
        assert entry["comparison"]["winner"] in ("a", "b", "tie")
    dims = {row["dimension"] for row in out["discrimination"]}
    assert dims == {d.name for d in Scorer().dimensions}


def test_report_text_names_choices_violations_and_the_discrimination_table(composed, capsys):
    db, result = composed
    assert main(["report", result.run_id, "--db", str(db), "--targets"]) == 0
    text = capsys.readouterr().out
    assert f"run {result.run_id}: 6 generations" in text
    assert re.search(r"verse / bass: chose \d+ of 6, score 0\.\d{3}", text)
    assert "vs runner-up" in text
    assert "density_fit" in text
    assert "changed" in text
    for line in text.splitlines():  # a violation never prints equal value and threshold
        found = re.search(r"(\d+\.\d+) is below the minimum (\d+\.\d+)", line)
        if found:
            assert found.group(1) != found.group(2)


def test_reports_of_runs_recorded_without_them_are_derived_from_stored_candidates(composed):
    db, result = composed
    with duckdb.connect(str(db)) as con:  # an older run: no report in its metadata
        con.execute(
            "UPDATE generations SET metadata = json_remove(metadata, '$.report')::VARCHAR "
            "WHERE role = 'bass'"
        )
    report = run_report(db, result.run_id)
    entries = {(e.section, e.role): e for e in report.entries}
    for card in result.cards:
        entry = entries[(card.section, card.role)]
        assert entry.stored == (card.role != "bass")
        assert entry.report.fulfillment.score == pytest.approx(card.total, abs=1e-9)
        assert entry.report.fulfillment.constraint_violations == (
            card.report.fulfillment.constraint_violations
        )


def test_report_of_an_unknown_run_or_missing_database_exits_2(composed, tmp_path, capsys):
    db, _ = composed
    assert main(["report", "run-nope", "--db", str(db)]) == 2
    assert "unknown run 'run-nope'" in capsys.readouterr().err
    assert main(["report", "run-nope", "--db", str(tmp_path / "none.duckdb"), "--json"]) == 2


def test_report_is_listed_and_documents_its_exit_codes(capsys):
    with pytest.raises(SystemExit) as done:
        main(["report", "--help"])
    assert done.value.code == 0
    assert "Exit codes: 0 done, 2 bad input" in " ".join(capsys.readouterr().out.split())
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "report" in capsys.readouterr().out
