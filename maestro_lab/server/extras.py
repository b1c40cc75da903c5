"""The ``serve`` extra: check that FastAPI, uvicorn and the MCP SDK are importable."""

from __future__ import annotations

import importlib.util

from maestro_lab.errors import MissingExtraError

SERVE_PACKAGES: tuple[tuple[str, str], ...] = (
    ("fastapi", "fastapi"),
    ("uvicorn", "uvicorn"),
    ("mcp", "mcp"),
)
"""(import name, distribution name) of every package the server needs."""


def require_serve(packages: tuple[tuple[str, str], ...] = SERVE_PACKAGES) -> None:
    """Raise :class:`~maestro_lab.errors.MissingExtraError` naming the first missing package.

    The message names the command to run: ``pip install 'maestro-lab[serve]'``.

    Examples
    --------
    >>> require_serve((("json", "json"),))
    >>> require_serve((("no_such_module_xyz", "xyz"),))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    maestro_lab.errors.MissingExtraError: xyz is not installed; run: pip install ...
    """
    for module, distribution in packages:
        if importlib.util.find_spec(module) is None:
            raise MissingExtraError(distribution, "serve")


__all__ = ["SERVE_PACKAGES", "require_serve"]
