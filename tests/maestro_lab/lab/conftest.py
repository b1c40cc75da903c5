"""A composed Muse database for the lab tests: composed once, copied for each test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from maestro_lab.lab import Lab

ROOT = Path(__file__).resolve().parents[3]
PROMPT = (ROOT / "experiments" / "demo_prompt.txt").read_text()
SEED = 5
CANDIDATES = 3


@pytest.fixture(scope="session")
def composed_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """(database file, run id, commit id) of one composition, checkpointed so it copies alone."""
    folder = tmp_path_factory.mktemp("lab-template")
    lab = Lab(folder / "lab.duckdb")
    result = lab.compose(PROMPT, seed=SEED, candidates=CANDIDATES)
    lab.repository().checkpoint()
    return folder / "lab.duckdb", result.run_id, result.commit_id


@pytest.fixture
def composed(composed_template: tuple[Path, str, str], tmp_path: Path) -> tuple[Lab, str, str]:
    """A fresh copy of the composed database: (lab, run id, commit id)."""
    source, run_id, commit_id = composed_template
    target = tmp_path / "lab.duckdb"
    shutil.copy(source, target)
    return Lab(target, out=tmp_path / "midi"), run_id, commit_id
