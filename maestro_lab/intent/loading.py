"""Load an :class:`~maestro_lab.intent.IntentClassifier` named by the user (``module:name``).

Command lines take ``--classifier module:name`` the way they take ``--scorer``:
the module is imported only because the user named it (never from a record),
with the current folder searched first, as ``python -m`` would.

Example
-------
>>> hook = load_classifier("maestro_lab.intent.loading:keep_rules")
>>> from maestro_lab.intent import classify_intent
>>> classify_intent("asdf", fallback=hook).label
'ask.clarify'
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from maestro_lab.errors import MaestroLabError
from maestro_lab.intent.model import IntentClassifier, IntentResult


class ClassifierLoadError(MaestroLabError, ValueError):
    """A ``--classifier`` spec that names no usable classifier (a usage error, exit code 2)."""


def keep_rules(text: str, rules_result: IntentResult) -> IntentResult | None:
    """The classifier that never disagrees: always keeps the rules' answer."""
    del text, rules_result
    return None


def _positional(target: object) -> int | None:
    """How many positional arguments ``target`` can take (``None``: any number or unknown)."""
    try:
        signature = inspect.signature(target)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    count = 0
    for parameter in signature.parameters.values():
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            return None
        if parameter.kind in (
            inspect.Parameter.POSITIONAL_ONLY,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
        ):
            count += 1
    return count


def _required(target: object) -> int:
    try:
        signature = inspect.signature(target)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0
    return sum(
        1
        for p in signature.parameters.values()
        if p.default is inspect.Parameter.empty
        and p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    )


def _is_classifier(target: object) -> bool:
    if not callable(target) or isinstance(target, type):
        return False
    taken = _positional(target)
    return (taken is None or taken >= 2) and _required(target) <= 2


def load_classifier(
    spec: str, *, search: Sequence[str | os.PathLike[str]] = ()
) -> IntentClassifier:
    """The classifier named by ``"package.module:name"``.

    ``name`` may be the classifier itself (any callable taking ``(text,
    rules_result)``), a class built with no arguments, or a function of no
    arguments returning a classifier. ``search`` lists folders searched first
    for the module (a command line passes the current folder).

    Raises
    ------
    ClassifierLoadError
        Malformed spec, missing module or attribute, or not of the classifier's shape.
    """
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise ClassifierLoadError(
            f"classifier spec {spec!r} must look like 'package.module:name' (a callable taking "
            "(text, rules_result) and returning an IntentResult or None)"
        )
    added = [str(Path(folder).resolve()) for folder in search]
    added = [folder for folder in added if folder not in sys.path]
    sys.path[:0] = added
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ClassifierLoadError(
            f"classifier spec {spec!r}: cannot import {module_name!r} ({exc})"
        ) from exc
    finally:
        for folder in added:
            sys.path.remove(folder)
    target = getattr(module, attr, None)
    if target is None:
        raise ClassifierLoadError(
            f"classifier spec {spec!r}: module {module_name!r} has no {attr!r}"
        )
    if isinstance(target, type) or (callable(target) and not _is_classifier(target)):
        if _required(target) != 0:
            raise ClassifierLoadError(
                f"classifier spec {spec!r}: {attr!r} is neither a classifier (text, rules_result) "
                "nor a factory taking no arguments"
            )
        target = target()
    if not _is_classifier(target):
        raise ClassifierLoadError(
            f"classifier spec {spec!r}: {type(target).__name__} object is not a classifier "
            "(a callable taking (text, rules_result) and returning an IntentResult or None)"
        )
    checked: IntentClassifier = target
    return checked
