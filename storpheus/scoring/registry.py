"""Named scorers: the only scorers a stored record may bring back.

A composition records the scorer it was sampled with. Reproducing it must
not import whatever module a database names (a tampered record could name
``os:abort``), so a recorded scorer is resolved only by name, through this
registry:

1. scorers registered at run time with :func:`register_scorer`;
2. the built-in ``"default"`` (:func:`~storpheus.scoring.scorer.default_scorer`);
3. installed entry points of the group :data:`ENTRY_POINT_GROUP`
   (``[project.entry-points."storpheus.scorers"]`` in a package's
   ``pyproject.toml``): installing a package is the user's own say.

A scorer given explicitly by the caller (``--scorer module:name`` on a
command line, a :class:`~storpheus.scoring.scorer.Scorer` in Python) is the
caller's choice and loads with :func:`~storpheus.scoring.scorer.load_scorer`.

Example
-------
>>> from storpheus.scoring import Scorer
>>> register_scorer("doc-example", Scorer)
>>> registered_scorer("doc-example").scorer_id == Scorer().scorer_id
True
>>> unregister_scorer("doc-example")
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Final

from storpheus.errors import ScoringError
from storpheus.scoring.scorer import Scorer, default_scorer

ScorerFactory = Callable[[], Scorer]
"""Something that makes a scorer (a class or a function of no arguments)."""

ENTRY_POINT_GROUP: Final = "storpheus.scorers"
"""Entry-point group through which installed packages name their scorers."""

_BUILTIN: Final[dict[str, ScorerFactory]] = {"default": default_scorer}
_registered: dict[str, ScorerFactory] = {}


class UnregisteredScorerError(ScoringError):
    """A recorded scorer name is not registered, so it is not loaded.

    Attributes
    ----------
    name:
        The name the record gave.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(
            f"the record names scorer {name!r}, which is not a registered scorer; code named "
            "in a database is never imported on its own say. Pass the scorer yourself "
            f"(Python: scorer=...; command line: --scorer {name}), register it with "
            "storpheus.scoring.register_scorer, or install it as a "
            f"{ENTRY_POINT_GROUP!r} entry point"
        )


def register_scorer(name: str, factory: ScorerFactory, *, replace: bool = False) -> None:
    """Register ``factory`` under ``name`` (``replace`` to overwrite a registered name)."""
    if name in _BUILTIN:
        raise ScoringError(f"{name!r} is a built-in scorer name")
    if name in _registered and not replace:
        raise ScoringError(f"a scorer named {name!r} is already registered (pass replace=True)")
    _registered[name] = factory


def unregister_scorer(name: str) -> None:
    """Forget a scorer registered with :func:`register_scorer` (no error if unknown)."""
    _registered.pop(name, None)


def scorer_names() -> list[str]:
    """Every name :func:`registered_scorer` resolves, sorted."""
    names = set(_BUILTIN) | set(_registered)
    names.update(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP))
    return sorted(names)


def registered_scorer(name: str) -> Scorer:
    """The scorer registered as ``name``; never imports a module the name spells.

    Raises
    ------
    UnregisteredScorerError
        ``name`` is neither registered, built in nor an installed entry point.
    ScoringError
        The registered factory does not make a :class:`Scorer`.
    """
    factory = _registered.get(name) or _BUILTIN.get(name)
    if factory is None:
        found = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
        if not found:
            raise UnregisteredScorerError(name)
        loaded = found[0].load()
        if not callable(loaded) and not isinstance(loaded, Scorer):
            raise ScoringError(f"entry point {name!r} is not a scorer or a scorer factory")
        if isinstance(loaded, Scorer):
            return loaded
        factory = loaded
    scorer = factory()
    if not isinstance(scorer, Scorer):
        raise ScoringError(f"scorer {name!r} made a {type(scorer).__name__}, not a Scorer")
    return scorer
