"""Maestro Lab: a notebook-first research workbench for AI-native music composition.

``import maestro_lab`` stays fast: heavy dependencies (matplotlib, music21,
gradio, dask) load only when the function that needs them runs, and the
runtime itself loads on first use of one of its names
(``maestro_lab.compose``, ``maestro_lab.reproduce``...).

Example
-------
>>> import maestro_lab
>>> result = maestro_lab.compose(open("prompt.txt").read(), seed=7,
...                              db="lab.duckdb")                # doctest: +SKIP
>>> maestro_lab.reproduce(result.commit_id, db="lab.duckdb").ok  # doctest: +SKIP
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from storpheus import __version__

if TYPE_CHECKING:
    from maestro_lab.api import (
        CompositionRun,
        compose,
        prepare,
        propose,
        reproduce,
        rescore,
        runs,
        start,
        stream,
    )
    from maestro_lab.runtime.backends_registry import (
        backend_names,
        get_backend,
        register_backend,
    )
    from maestro_lab.runtime.commit import PendingComposition
    from maestro_lab.runtime.options import AgentOptions
    from maestro_lab.runtime.reproduce import ReproductionResult
    from maestro_lab.runtime.results import CompositionResult

_EXPORTS: dict[str, str] = {
    "CompositionRun": "maestro_lab.api",
    "compose": "maestro_lab.api",
    "prepare": "maestro_lab.api",
    "propose": "maestro_lab.api",
    "reproduce": "maestro_lab.api",
    "rescore": "maestro_lab.api",
    "runs": "maestro_lab.api",
    "start": "maestro_lab.api",
    "stream": "maestro_lab.api",
    "backend_names": "maestro_lab.runtime.backends_registry",
    "get_backend": "maestro_lab.runtime.backends_registry",
    "register_backend": "maestro_lab.runtime.backends_registry",
    "PendingComposition": "maestro_lab.runtime.commit",
    "AgentOptions": "maestro_lab.runtime.options",
    "ReproductionResult": "maestro_lab.runtime.reproduce",
    "CompositionResult": "maestro_lab.runtime.results",
}

__all__ = [
    "AgentOptions",
    "CompositionResult",
    "CompositionRun",
    "PendingComposition",
    "ReproductionResult",
    "__version__",
    "backend_names",
    "compose",
    "get_backend",
    "prepare",
    "propose",
    "register_backend",
    "reproduce",
    "rescore",
    "runs",
    "start",
    "stream",
]


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'maestro_lab' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
