"""Fixtures of the sweep tests: tiny experiments and one Dask LocalCluster for the module."""

from __future__ import annotations

import logging
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import Client, LocalCluster

TINY_PROMPT = """MAESTRO PROMPT
Mode: compose
Style: house
Key: Am
Role: [drums, bass]
Constraints: {sections: {verse: 1}}
"""
"""Two roles, one one-bar section: a cell composes in tens of milliseconds."""

BROKEN_SCORER = '''
"""A scorer module whose loader raises: every cell that uses it fails."""


def scorer():
    raise RuntimeError("this scorer is broken on purpose")
'''


def write_spec(folder: Path, name: str, body: str) -> Path:
    """Write ``prompt.txt`` (the tiny prompt) and ``<name>.yaml`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "prompt.txt").write_text(TINY_PROMPT, encoding="utf-8")
    path = folder / f"{name}.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


GRID_32 = """\
name: grid32
prompt_file: prompt.txt
seeds: {start: 0, stop: 8}
grid:
  candidates: [1, 2]
  style: [house, lofi]
"""
"""32 cells: 8 seeds x 2 candidate counts x 2 styles."""


@pytest.fixture(scope="session")
def dask_client() -> Iterator[Client]:
    """A two-process Dask cluster on loopback, without a dashboard."""
    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()
