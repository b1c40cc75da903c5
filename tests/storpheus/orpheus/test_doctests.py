"""The examples in the Orpheus backend's docstrings run."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "storpheus.backends.orpheus",
    "storpheus.backends.orpheus.api",
    "storpheus.backends.orpheus.cache",
    "storpheus.backends.orpheus.parts",
    "storpheus.backends.orpheus.policy",
    "storpheus.backends.orpheus.resilience",
    "muse_duckdb.telemetry.backend_cache",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    failures, tests = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert tests > 0
    assert failures == 0
