"""Papermill mode: one executed notebook per cell, its parameters injected, its results kept."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import nbformat

from maestro_lab.sweep import run
from muse_duckdb.telemetry.sweeps import sweep_cells
from tests.maestro_lab.sweep.conftest import write_spec


def _notebook(path: Path) -> Path:
    parameters = nbformat.v4.new_code_cell("seed = 0\ncandidates = 1\noutput_dir = '.'\n")
    parameters.metadata["tags"] = ["parameters"]
    cells = [
        parameters,
        nbformat.v4.new_code_cell(
            "if seed == 3:\n    raise ValueError(f'seed {seed} is unlucky')\n"
            "_ = open(f'{output_dir}/seen.txt', 'w').write(str(seed))"
        ),
        nbformat.v4.new_code_cell("{'seed': seed, 'product': seed * candidates}"),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(notebook, path)
    return path


def test_a_notebook_runs_per_cell_with_its_parameters_and_failures_keep_their_traceback(
    tmp_path: Path,
) -> None:
    notebook = _notebook(tmp_path / "probe.ipynb")
    spec = write_spec(
        tmp_path / "spec",
        "nb",
        """\
        name: nb
        prompt_file: prompt.txt
        seeds: [2, 3]
        grid: {candidates: [5]}
        """,
    )
    db = tmp_path / "nb.duckdb"
    with ThreadPoolExecutor(2) as pool:
        result = run(spec, pool, db=db, notebook=notebook)
    assert (result.kind, result.cells, result.completed, result.failed) == ("notebook", 2, 1, 1)
    (failure,) = result.failures
    assert "seed 3 is unlucky" in failure.error
    assert "ValueError" in failure.traceback
    cells = sweep_cells(duckdb.connect(str(db), read_only=True), result.sweep_id)
    done = json.loads(cells.loc[cells["status"] == "completed", "outputs"].iloc[0])
    assert done["outputs"] == [{"cell": 2, "text": "{'seed': 2, 'product': 10}"}]
    executed = Path(done["notebook"])
    assert executed.is_file()
    assert executed.parent == db.parent / "nb-notebooks" / result.sweep_id
    kept = json.loads(cells.loc[cells["status"] == "failed", "outputs"].iloc[0])
    assert Path(kept["notebook"]).is_file()  # the failed notebook is kept for inspection
    seen = sorted(executed.parent.glob("*/seen.txt"))
    assert [p.read_text() for p in seen] == ["2"]  # each cell wrote into its own output_dir
