"""The lab: a notebook workbench over one Muse database.

:class:`Lab` is the facade (compose, plan, runs, candidates, rescore,
history, checkout, merge, SQL); the controllers hold the logic of each
widget and are plain classes (:class:`PromptEditor`, :class:`PlanInspector`,
:class:`CandidateBrowser`, :class:`HistoryView`,
:class:`TelemetryDashboard`, :class:`ComposeProgress`); the ipywidgets views
in :mod:`maestro_lab.lab.widgets` are thin shells over them, and
``Lab(db).ui()`` shows every view together.

Names load lazily, so ``import maestro_lab.lab`` loads neither ipywidgets
nor matplotlib nor DuckDB.

Example
-------
>>> from maestro_lab.lab import Lab          # doctest: +SKIP
>>> lab = Lab("lab.duckdb")                  # doctest: +SKIP
>>> lab.ui()                                 # every widget, in JupyterLab  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from maestro_lab.lab.candidate_browser import CandidateBrowser
    from maestro_lab.lab.dashboard import TelemetryDashboard
    from maestro_lab.lab.facade import Lab, NoteDiff
    from maestro_lab.lab.history_view import HistoryView
    from maestro_lab.lab.plan_inspector import PlanInspector
    from maestro_lab.lab.progress import ComposeProgress
    from maestro_lab.lab.prompt_editor import (
        PromptCheck,
        PromptEditor,
        PromptProblem,
        check_prompt,
    )
    from maestro_lab.lab.widgets import LabUI

_EXPORTS: dict[str, str] = {
    "CandidateBrowser": "maestro_lab.lab.candidate_browser",
    "TelemetryDashboard": "maestro_lab.lab.dashboard",
    "Lab": "maestro_lab.lab.facade",
    "NoteDiff": "maestro_lab.lab.facade",
    "HistoryView": "maestro_lab.lab.history_view",
    "PlanInspector": "maestro_lab.lab.plan_inspector",
    "ComposeProgress": "maestro_lab.lab.progress",
    "PromptCheck": "maestro_lab.lab.prompt_editor",
    "PromptEditor": "maestro_lab.lab.prompt_editor",
    "PromptProblem": "maestro_lab.lab.prompt_editor",
    "check_prompt": "maestro_lab.lab.prompt_editor",
    "LabUI": "maestro_lab.lab.widgets",
}

__all__ = [
    "CandidateBrowser",
    "ComposeProgress",
    "HistoryView",
    "Lab",
    "LabUI",
    "NoteDiff",
    "PlanInspector",
    "PromptCheck",
    "PromptEditor",
    "PromptProblem",
    "TelemetryDashboard",
    "check_prompt",
]


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'maestro_lab.lab' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
