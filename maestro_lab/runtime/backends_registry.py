"""Generation backends by name: built-ins, run-time registrations and entry points.

The orchestrator never imports a backend: it asks :func:`get_backend` for one
by name. Three sources are searched, in this order:

1. backends registered at run time with :func:`register_backend` (a notebook,
   a test, a plug-in's ``__init__``);
2. the built-ins: ``embedded`` (the default, offline and deterministic),
   ``testing`` (the seeded test backend with failure injection) and
   ``orpheus`` (the Orpheus Music Transformer Gradio Space; options
   ``space``, ``db`` for the result cache, ``hf_token``, ``fallback``);
3. the ``maestro_lab.backends`` entry point group of installed distributions,
   each entry point naming a backend class or a factory of no arguments::

       [project.entry-points."maestro_lab.backends"]
       orpheus = "my_package.orpheus:OrpheusBackend"

A remote backend therefore plugs in without touching the orchestrator. An
unknown name raises :class:`~maestro_lab.errors.UnknownBackendError` naming
the name and every known one.

Example
-------
>>> from storpheus.backends.testing import SeededTestBackend
>>> register_backend("sparse-test", lambda: SeededTestBackend(notes_per_bar=2))
>>> get_backend("sparse-test").notes_per_bar
2
>>> "embedded" in backend_names() and "sparse-test" in backend_names()
True
>>> unregister_backend("sparse-test")
>>> get_backend("nope")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
maestro_lab.errors.UnknownBackendError: unknown backend 'nope'; known backends: embedded, ...
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from importlib.metadata import EntryPoint, entry_points
from typing import Final

from maestro_lab.errors import BackendLoadError, UnknownBackendError
from storpheus.backends.base import MusicGeneratorBackend

BackendFactory = Callable[..., MusicGeneratorBackend]
"""Builds a backend instance from keyword options (a backend class is a factory too)."""

ENTRY_POINT_GROUP: Final = "maestro_lab.backends"
"""The entry point group scanned for third-party backends."""

DEFAULT_BACKEND: Final = "embedded"
"""The backend used when none is named."""

_LOCK = threading.Lock()
_REGISTERED: dict[str, BackendFactory] = {}


def _embedded() -> MusicGeneratorBackend:
    from storpheus.backends.embedded import EmbeddedBackend

    return EmbeddedBackend()


def _testing() -> MusicGeneratorBackend:
    from storpheus.backends.testing import SeededTestBackend

    return SeededTestBackend()


def _orpheus(
    *,
    space: str | None = None,
    db: str | os.PathLike[str] | None = None,
    hf_token: str | None = None,
    fallback: str | None = None,
) -> MusicGeneratorBackend:
    """The Orpheus backend; ``db`` keeps its result cache in that Muse database file."""
    from storpheus.backends.orpheus import DEFAULT_SPACE, OrpheusBackend

    cache = None
    if db is not None and str(db) != ":memory:":
        from muse_duckdb.telemetry.backend_cache import DuckDBBackendCache

        cache = DuckDBBackendCache(db, backend=f"{OrpheusBackend.name}@{OrpheusBackend.version}")
    return OrpheusBackend(
        space or DEFAULT_SPACE,
        hf_token,
        cache=cache,
        fallback=get_backend(fallback) if fallback else None,
    )


BUILTIN_BACKENDS: Final[dict[str, BackendFactory]] = {
    "embedded": _embedded,
    "testing": _testing,
    "orpheus": _orpheus,
}
"""The backends that ship with the package."""


def register_backend(name: str, factory: BackendFactory, *, replace: bool = False) -> None:
    """Make ``factory`` available as backend ``name`` (for this process).

    Raises ``ValueError`` if ``name`` is empty or already registered at run
    time (pass ``replace=True`` to override). A run-time registration
    shadows a built-in or entry point of the same name.
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"backend name {name!r} must be non-empty text")
    if not callable(factory):
        raise ValueError(f"backend {name!r}: factory {factory!r} is not callable")
    with _LOCK:
        if name in _REGISTERED and not replace:
            raise ValueError(f"backend {name!r} is already registered; pass replace=True")
        _REGISTERED[name] = factory


def unregister_backend(name: str) -> None:
    """Remove a run-time registration (no-op if there is none)."""
    with _LOCK:
        _REGISTERED.pop(name, None)


def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def backend_names() -> tuple[str, ...]:
    """Every known backend name, sorted (run-time, built-in and entry points)."""
    with _LOCK:
        names = set(_REGISTERED)
    names.update(BUILTIN_BACKENDS)
    names.update(_entry_points())
    return tuple(sorted(names))


def _factory(name: str) -> BackendFactory:
    with _LOCK:
        registered = _REGISTERED.get(name)
    if registered is not None:
        return registered
    builtin = BUILTIN_BACKENDS.get(name)
    if builtin is not None:
        return builtin
    entry = _entry_points().get(name)
    if entry is None:
        raise UnknownBackendError(name, backend_names())
    try:
        loaded: object = entry.load()
    except Exception as exc:  # any import failure of a third-party plug-in
        raise BackendLoadError(name, f"entry point {entry.value!r}: {exc}") from exc
    if not callable(loaded):
        raise BackendLoadError(name, f"entry point {entry.value!r} is not callable")

    def from_entry_point() -> MusicGeneratorBackend:
        made = loaded()
        if not isinstance(made, MusicGeneratorBackend):
            raise BackendLoadError(
                name, f"entry point {entry.value!r} made a {type(made).__name__}"
            )
        return made

    return from_entry_point


def get_backend(name: str = DEFAULT_BACKEND, **options: object) -> MusicGeneratorBackend:
    """A new instance of the backend called ``name``, built with keyword ``options``.

    >>> get_backend("orpheus", space="http://127.0.0.1:7860/").space
    'http://127.0.0.1:7860/'

    Raises
    ------
    UnknownBackendError
        No backend has this name (the error lists the known ones).
    BackendLoadError
        The backend's factory failed or returned something that is not a
        :class:`~storpheus.backends.base.MusicGeneratorBackend`.
    """
    factory = _factory(name)
    try:
        backend = factory(**options)
    except (UnknownBackendError, BackendLoadError):
        raise
    except Exception as exc:  # a plug-in's constructor may fail in any way
        raise BackendLoadError(name, f"{type(exc).__name__}: {exc}") from exc
    if not isinstance(backend, MusicGeneratorBackend):
        raise BackendLoadError(name, f"the factory made a {type(backend).__name__}")
    return backend


def _takes_db(name: str) -> bool:
    """Whether the factory of ``name`` accepts a ``db`` keyword (it keeps state in the file)."""
    import inspect

    try:
        return "db" in inspect.signature(_factory(name)).parameters
    except (TypeError, ValueError):  # a builtin or C callable without a signature
        return False


def resolve_backend(
    backend: str | MusicGeneratorBackend | None,
    options: Mapping[str, object] | None = None,
    *,
    db: str | os.PathLike[str] | None = None,
) -> tuple[str, MusicGeneratorBackend]:
    """``(name, instance)`` for a name, an instance (named by its ``name``) or ``None``.

    A named backend is built with ``options``; a factory that takes a ``db``
    keyword (``orpheus``: its result cache) also gets the run's database
    ``db`` unless ``options`` set one.
    """
    if backend is None:
        backend = DEFAULT_BACKEND
    if isinstance(backend, MusicGeneratorBackend):
        if options:
            raise BackendLoadError(backend.name, "options are for a backend given by name")
        return backend.name, backend
    if isinstance(backend, str):
        kwargs = dict(options or {})
        if db is not None and "db" not in kwargs and _takes_db(backend):
            kwargs["db"] = db
        return backend, get_backend(backend, **kwargs)
    raise BackendLoadError(
        str(backend), f"expected a name or a backend, got {type(backend).__name__}"
    )


__all__ = [
    "BUILTIN_BACKENDS",
    "DEFAULT_BACKEND",
    "ENTRY_POINT_GROUP",
    "BackendFactory",
    "backend_names",
    "get_backend",
    "register_backend",
    "resolve_backend",
    "unregister_backend",
]
