"""Every notebook runs top to bottom under papermill with its parameters."""

from __future__ import annotations

from pathlib import Path

import papermill
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.notebook
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_notebook_runs_under_papermill(notebook: Path, tmp_path: Path) -> None:
    executed = tmp_path / notebook.name
    papermill.execute_notebook(
        str(notebook),
        str(executed),
        parameters={"output_dir": str(tmp_path / "out")},
        cwd=str(ROOT),
        kernel_name="python3",
        progress_bar=False,
    )
    assert executed.exists()
    assert list((tmp_path / "out").iterdir()), "the notebook wrote nothing"
