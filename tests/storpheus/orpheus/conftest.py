"""The local Orpheus Space stand-ins, one server per test module (Gradio starts once)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.storpheus.orpheus.space_app import LocalSpaces, serve


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Silence gradio's own pandas deprecation warnings (its queue statistics), nothing else."""
    for item in items:
        if "tests/storpheus/orpheus" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning"))


@pytest.fixture(scope="module")
def spaces() -> Iterator[LocalSpaces]:
    """A current-shape Space at ``space`` and an audio+plot-only one at ``legacy``."""
    with serve({"space": False, "legacy": True}) as running:
        yield running


@pytest.fixture
def fresh(spaces: LocalSpaces) -> LocalSpaces:
    """The servers with no fault and zeroed counters."""
    for behaviour in spaces.behaviours.values():
        behaviour.reset()
    return spaces
