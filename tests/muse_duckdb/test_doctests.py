from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "muse_duckdb",
    "muse_duckdb.project",
    "muse_duckdb.convert",
    "muse_duckdb.variations.changes",
    "muse_duckdb.merge.three_way",
    "muse_duckdb.repository.api",
    "muse_duckdb.model.commit",
    "muse_duckdb.cli.reading",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0
    assert result.failed == 0
