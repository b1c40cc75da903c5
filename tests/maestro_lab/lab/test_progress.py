"""ComposeProgress: live progress folded from the event stream of a real run."""

from __future__ import annotations

from pathlib import Path

from maestro_lab.lab import ComposeProgress, Lab
from maestro_lab.planner import plan

from .conftest import PROMPT


def test_progress_follows_a_run_to_its_commit(tmp_path: Path) -> None:
    lab = Lab(tmp_path / "lab.duckdb")
    run = lab.start(PROMPT, seed=2, candidates=2)
    progress = ComposeProgress()
    fractions = []
    for event in run.events():
        progress.update(event)
        fractions.append(progress.fraction)
    result = run.result()
    planned = len(plan(PROMPT, seed=2, num_candidates=2).generations)
    assert progress.generations_planned == planned
    assert progress.generations_done == planned
    assert progress.finished
    assert progress.success
    assert progress.commit_id == result.commit_id
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0
    assert 0 < fractions[len(fractions) // 2] < 1
    assert set(progress.counts()) == {"completed"}
