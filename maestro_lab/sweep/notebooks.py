"""Papermill mode: run a notebook per cell with the cell's parameters, collect what it produced.

With ``--notebook NB`` each cell executes ``NB`` under papermill with the
cell's parameters injected: of ``prompt``, ``prompt_name``, ``seed``,
``candidates``, ``style``, ``roles``, ``scorer``, ``weights``, ``threshold``,
``options``, ``backend``, ``backend_options``, ``sweep_id``, ``cell_key``,
``cell_index`` and ``output_dir`` (a folder of its own), those the
notebook's ``parameters`` cell declares. The executed
notebook is kept beside the database
(``<db stem>-notebooks/<sweep id>/<index>-<cell key>.ipynb``) and its
results (every ``execute_result``: text and JSON) are recorded in the cell's
``outputs``. A notebook that raises fails its cell with the notebook's
traceback; the executed notebook is kept for inspection.

The notebook runs in the worker, with its own folder as working directory;
it must not write the sweep's database (its ``output_dir`` is where it may
write).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from pydantic import JsonValue

from maestro_lab.errors import MissingExtraError
from maestro_lab.sweep.cells import Cell
from maestro_lab.sweep.worker import CellOutcome, failure

MAX_OUTPUT_CHARS: Final = 10_000
"""Longest text kept per collected output."""


def notebook_parameters(cell: Cell, sweep_id: str, output_dir: Path) -> dict[str, JsonValue]:
    """Every parameter a sweep offers a notebook for ``cell`` (it receives those it declares)."""
    return {
        **cell.summary(),
        "prompt": cell.prompt,
        "sweep_id": sweep_id,
        "cell_key": cell.key,
        "cell_index": cell.index,
        "output_dir": str(output_dir),
    }


def collect_outputs(path: Path) -> list[dict[str, JsonValue]]:
    """Every ``execute_result`` of an executed notebook: code cell index, text and JSON.

    The index counts the code cells of the source notebook (papermill's
    injected parameters cell is not counted).
    """
    document = json.loads(path.read_text(encoding="utf-8"))
    found: list[dict[str, JsonValue]] = []
    code_index = -1
    for cell in document.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            continue
        code_index += 1
        for output in cell.get("outputs", []):
            if output.get("output_type") != "execute_result":
                continue
            data = output.get("data", {})
            text = data.get("text/plain", "")
            text = "".join(text) if isinstance(text, list) else str(text)
            item: dict[str, JsonValue] = {"cell": code_index, "text": text[:MAX_OUTPUT_CHARS]}
            if "application/json" in data:
                item["json"] = data["application/json"]
            found.append(item)
    return found


@dataclass(frozen=True)
class NotebookTask:
    """The worker task of papermill mode (picklable): ``task(cell, sweep_id) -> CellOutcome``."""

    notebook: str
    out_dir: str
    kernel_name: str | None = None
    timeout: float = 600.0

    @classmethod
    def for_sweep(cls, notebook: str | os.PathLike[str], db: str) -> NotebookTask:
        """The task for a sweep writing to ``db`` (executed notebooks go beside it)."""
        source = Path(notebook).resolve()
        if not source.is_file():
            raise FileNotFoundError(f"notebook {source} does not exist")
        if db == ":memory:":
            out = Path("sweep-notebooks").resolve()
        else:
            path = Path(db).resolve()
            out = path.parent / f"{path.stem}-notebooks"
        return cls(notebook=str(source), out_dir=str(out))

    def __call__(self, cell: Cell, sweep_id: str) -> CellOutcome:
        """Execute the notebook for ``cell``; its outcome with the notebook's outputs."""
        began = time.perf_counter()
        folder = Path(self.out_dir) / sweep_id
        executed = folder / f"{cell.index:04d}-{cell.key}.ipynb"
        try:
            try:
                import papermill
            except ImportError as exc:  # pragma: no cover - the dev extra installs it
                raise MissingExtraError("papermill", "dev") from exc
            workdir = folder / cell.key
            workdir.mkdir(parents=True, exist_ok=True)
            declared = papermill.inspect_notebook(self.notebook)
            offered = notebook_parameters(cell, sweep_id, workdir)
            papermill.execute_notebook(
                self.notebook,
                str(executed),
                parameters={k: v for k, v in offered.items() if k in declared},
                cwd=str(Path(self.notebook).parent),
                kernel_name=self.kernel_name,
                progress_bar=False,
                log_output=False,
                execution_timeout=self.timeout,
            )
            outputs = collect_outputs(executed)
        except Exception as exc:  # reported with its traceback; the sweep goes on
            outcome = failure(cell.key, None, exc, time.perf_counter() - began)
            kept = {"notebook": str(executed)} if executed.is_file() else {}
            return CellOutcome(
                cell_key=outcome.cell_key,
                run_id=None,
                status="failed",
                error=outcome.error,
                traceback=outcome.traceback,
                duration_s=outcome.duration_s,
                outputs=json.dumps(kept) if kept else None,
            )
        return CellOutcome(
            cell_key=cell.key,
            run_id=None,
            status="completed",
            duration_s=time.perf_counter() - began,
            outputs=json.dumps({"notebook": str(executed), "outputs": outputs}, sort_keys=True),
        )


__all__ = ["MAX_OUTPUT_CHARS", "NotebookTask", "collect_outputs", "notebook_parameters"]
