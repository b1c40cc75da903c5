"""Experiments and sweeps: YAML specs run over a local process pool or a Dask cluster.

An experiment spec (:mod:`~maestro_lab.sweep.spec`) names prompts, seeds
and a grid of settings; every combination is a cell
(:mod:`~maestro_lab.sweep.cells`), keyed by a hash of its parameters and
seed. :func:`run` sends the cells to workers through a
``concurrent.futures`` executor (:mod:`~maestro_lab.sweep.executors`):
workers compose and return telemetry batches
(:mod:`~maestro_lab.sweep.worker`), and only the coordinator writes the
database, one transaction per batch of results
(:mod:`~maestro_lab.sweep.runner`). Sweeps resume, record failures with
their tracebacks, re-score stored candidates without generating
(:mod:`~maestro_lab.sweep.rescoring`) and can run a notebook per cell
(:mod:`~maestro_lab.sweep.notebooks`). :func:`summary` tabulates a sweep.

Names load on first use (``import maestro_lab.sweep`` imports nothing heavy).

Example
-------
>>> from maestro_lab import sweep
>>> result = sweep.run("experiments/seed_stability.yaml", workers=2)  # doctest: +SKIP
>>> result.completed == result.cells                                 # doctest: +SKIP
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from maestro_lab.sweep.cells import Cell, expand
    from maestro_lab.sweep.errors import CellFailedError, SpecError, SweepError
    from maestro_lab.sweep.records import CellFailure, SweepResult
    from maestro_lab.sweep.runner import run
    from maestro_lab.sweep.spec import Experiment, ExperimentSpec, load_spec, parse_spec
    from maestro_lab.sweep.summary import summary

_EXPORTS: dict[str, str] = {
    "Cell": "maestro_lab.sweep.cells",
    "expand": "maestro_lab.sweep.cells",
    "CellFailedError": "maestro_lab.sweep.errors",
    "SpecError": "maestro_lab.sweep.errors",
    "SweepError": "maestro_lab.sweep.errors",
    "CellFailure": "maestro_lab.sweep.records",
    "SweepResult": "maestro_lab.sweep.records",
    "run": "maestro_lab.sweep.runner",
    "Experiment": "maestro_lab.sweep.spec",
    "ExperimentSpec": "maestro_lab.sweep.spec",
    "load_spec": "maestro_lab.sweep.spec",
    "parse_spec": "maestro_lab.sweep.spec",
    "summary": "maestro_lab.sweep.summary",
}

__all__ = [
    "Cell",
    "CellFailedError",
    "CellFailure",
    "Experiment",
    "ExperimentSpec",
    "SpecError",
    "SweepError",
    "SweepResult",
    "expand",
    "load_spec",
    "parse_spec",
    "run",
    "summary",
]


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'maestro_lab.sweep' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
