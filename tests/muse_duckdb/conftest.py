"""Fixtures for the Muse tests: repositories with a deterministic clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from muse_duckdb import Repository


class TickingClock:
    """A clock that advances one second per call (deterministic commit ids)."""

    def __init__(self, start_us: int = 1_700_000_000_000_000) -> None:
        self.now = start_us

    def __call__(self) -> int:
        self.now += 1_000_000
        return self.now


@pytest.fixture
def clock() -> TickingClock:
    return TickingClock()


@pytest.fixture
def repo(clock: TickingClock) -> Iterator[Repository]:
    r = Repository.open(":memory:", "test", clock=clock)
    yield r
    r.close()


@pytest.fixture
def file_repo(tmp_path: Path, clock: TickingClock) -> Repository:
    return Repository.open(tmp_path / "muse.duckdb", "test", clock=clock)


@pytest.fixture
def repo_factory(tmp_path: Path) -> Callable[[str], Repository]:
    def make(project: str = "test") -> Repository:
        return Repository.open(tmp_path / "muse.duckdb", project, clock=TickingClock())

    return make
