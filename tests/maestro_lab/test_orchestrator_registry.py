"""Backends by name: built-ins, run-time registration, entry points, typed errors."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

import maestro_lab
from maestro_lab.errors import BackendLoadError, UnknownBackendError
from maestro_lab.runtime import backends_registry as registry
from maestro_lab.runtime.backends_registry import (
    backend_names,
    get_backend,
    register_backend,
    resolve_backend,
    unregister_backend,
)
from storpheus.backends.embedded import EmbeddedBackend
from storpheus.backends.testing import SeededTestBackend
from tests.maestro_lab.compose_fixtures import SMALL_PROMPT


@pytest.fixture
def plugin_entry_points(monkeypatch: pytest.MonkeyPatch) -> None:
    points = {
        "remote-test": EntryPoint(
            "remote-test",
            "storpheus.backends.testing:SeededTestBackend",
            registry.ENTRY_POINT_GROUP,
        ),
        "not-a-backend": EntryPoint(
            "not-a-backend", "storpheus.notes:NoteArray.empty", registry.ENTRY_POINT_GROUP
        ),
        "missing-module": EntryPoint(
            "missing-module", "no_such_package.backend:Backend", registry.ENTRY_POINT_GROUP
        ),
    }
    monkeypatch.setattr(registry, "_entry_points", lambda: points)


def test_embedded_is_the_default_backend() -> None:
    assert isinstance(get_backend(), EmbeddedBackend)
    name, backend = resolve_backend(None)
    assert name == "embedded"
    assert isinstance(backend, EmbeddedBackend)


def test_every_call_makes_a_new_instance() -> None:
    assert get_backend("testing") is not get_backend("testing")


def test_an_instance_is_used_as_it_is_and_named_by_its_class() -> None:
    mine = SeededTestBackend(notes_per_bar=3)
    assert resolve_backend(mine) == ("testing", mine)


def test_unknown_names_list_every_known_backend() -> None:
    with pytest.raises(UnknownBackendError) as caught:
        get_backend("orpheus-typo")
    assert caught.value.name == "orpheus-typo"
    assert caught.value.known == backend_names()
    assert str(caught.value) == (
        "unknown backend 'orpheus-typo'; known backends: embedded, orpheus, testing"
    )


def test_run_time_registration_shadows_and_unregisters() -> None:
    register_backend("embedded", lambda: SeededTestBackend(notes_per_bar=2))
    try:
        assert isinstance(get_backend("embedded"), SeededTestBackend)
        with pytest.raises(ValueError, match="already registered"):
            register_backend("embedded", SeededTestBackend)
    finally:
        unregister_backend("embedded")
    assert isinstance(get_backend("embedded"), EmbeddedBackend)


@pytest.mark.parametrize("name", ["", "   "])
def test_empty_names_cannot_be_registered(name: str) -> None:
    with pytest.raises(ValueError, match="non-empty"):
        register_backend(name, SeededTestBackend)


def test_a_factory_that_fails_or_makes_something_else_is_a_load_error() -> None:
    def broken() -> SeededTestBackend:
        raise RuntimeError("no GPU")

    register_backend("broken", broken)
    register_backend("wrong", lambda: object())  # type: ignore[arg-type,return-value]
    try:
        with pytest.raises(BackendLoadError, match="no GPU"):
            get_backend("broken")
        with pytest.raises(BackendLoadError, match="made a object"):
            get_backend("wrong")
    finally:
        unregister_backend("broken")
        unregister_backend("wrong")


def test_entry_points_plug_in_without_touching_the_orchestrator(plugin_entry_points: None) -> None:
    assert "remote-test" in backend_names()
    assert isinstance(get_backend("remote-test"), SeededTestBackend)
    with pytest.raises(BackendLoadError, match="made a NoteArray"):
        get_backend("not-a-backend")
    with pytest.raises(BackendLoadError, match="no_such_package"):
        get_backend("missing-module")


def test_an_entry_point_backend_composes_end_to_end(
    plugin_entry_points: None, tmp_path: Path
) -> None:
    result = maestro_lab.compose(
        SMALL_PROMPT, seed=1, db=tmp_path / "lab.duckdb", backend="remote-test", out=None
    )
    assert result.backend_id == "testing@1"
    assert maestro_lab.reproduce(result.commit_id, tmp_path / "lab.duckdb").ok
