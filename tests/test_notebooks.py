"""Every notebook runs top to bottom under papermill with its parameters.

Besides running (``make test`` also runs each one under nbval), the
executed notebooks must show their figures as pictures: every cell tagged
``figure`` carries an ``image/png`` output and no output anywhere is the
text ``<Figure size ...>``. ``02_reproduce`` is run twice on one commit
through papermill, as a user would, and both runs must report the same
snapshot id and write byte-identical MIDI.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import papermill
import pytest

import maestro_lab

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXPECTED = {
    "01_quickstart",
    "02_reproduce",
    "03_rejection_sampling",
    "04_scoring_lab",
    "05_muse_history",
}


def _execute(notebook: Path, executed: Path, **parameters: object) -> nbformat.NotebookNode:
    papermill.execute_notebook(
        str(notebook),
        str(executed),
        parameters=parameters,
        cwd=str(ROOT),
        kernel_name="python3",
        progress_bar=False,
    )
    return nbformat.read(str(executed), as_version=4)


def test_the_five_notebooks_exist_with_a_parameters_cell_and_no_outputs() -> None:
    assert {n.stem for n in NOTEBOOKS} == EXPECTED
    for path in NOTEBOOKS:
        nb = nbformat.read(str(path), as_version=4)
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, f"{path.name}: needs exactly one cell tagged 'parameters'"
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert not cell.outputs, f"{path.name}: saved with outputs"
                assert cell.execution_count is None, f"{path.name}: saved with execution counts"


def _has_figures(path: Path) -> bool:
    nb = nbformat.read(str(path), as_version=4)
    return any("figure" in c.metadata.get("tags", []) for c in nb.cells)


# 02_reproduce draws nothing; it runs through papermill twice in the test below
PLOTTING = [n for n in NOTEBOOKS if _has_figures(n)]


def test_every_notebook_but_the_reproduction_draws_figures() -> None:
    assert {n.stem for n in PLOTTING} == EXPECTED - {"02_reproduce"}


@pytest.mark.notebook
@pytest.mark.parametrize("notebook", PLOTTING, ids=[n.stem for n in PLOTTING])
def test_notebook_runs_and_shows_figures_as_pictures(notebook: Path, tmp_path: Path) -> None:
    nb = _execute(notebook, tmp_path / notebook.name, output_dir=str(tmp_path / "out"))
    assert list((tmp_path / "out").iterdir()), "the notebook wrote nothing"
    figures = [c for c in nb.cells if "figure" in c.metadata.get("tags", [])]
    assert figures
    for cell in figures:
        kinds = [set(o.get("data", {})) for o in cell.outputs]
        assert any("image/png" in k for k in kinds), (
            f"{notebook.name}: figure cell shows no picture:\n{cell.source}"
        )
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            text = "".join(output.get("data", {}).get("text/plain", "")) + "".join(
                output.get("text", "")
            )
            if "image/png" not in output.get("data", {}):
                assert "<Figure size" not in text, f"{notebook.name}: a figure shown as text"


@pytest.mark.notebook
def test_reproduce_notebook_twice_gives_the_same_snapshot_and_midi_bytes(tmp_path: Path) -> None:
    db = tmp_path / "lab.duckdb"
    prompt = (ROOT / "experiments" / "demo_prompt.txt").read_text()
    composed = maestro_lab.compose(prompt, seed=11, candidates=2, db=db, out=tmp_path / "midi")
    summaries = []
    for run in ("first", "second"):
        out = tmp_path / run
        _execute(
            ROOT / "notebooks" / "02_reproduce.ipynb",
            tmp_path / f"{run}.ipynb",
            db=str(db),
            commit=composed.commit_id[:12],
            output_dir=str(out),
        )
        summary = json.loads((out / "reproduce.json").read_text())
        summary["midi_bytes"] = Path(summary["midi_path"]).read_bytes()
        summaries.append(summary)
    first, second = summaries
    assert first["ok"]
    assert second["ok"]
    assert first["commit_id"] == second["commit_id"] == composed.commit_id
    assert first["snapshot_id"] == second["snapshot_id"] == composed.snapshot_id
    assert first["midi_bytes"] == second["midi_bytes"]
    assert composed.midi_path is not None
    assert first["midi_bytes"] == composed.midi_path.read_bytes()
