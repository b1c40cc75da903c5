"""The examples in the runtime modules' docstrings run."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "maestro_lab.runtime.backends_registry",
    "maestro_lab.runtime.context",
    "maestro_lab.runtime.options",
    "maestro_lab.runtime.orchestrator",
    "maestro_lab.runtime.results",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    failures, tests = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert tests > 0
    assert failures == 0
