"""Typed exceptions raised by maestro_lab."""

from __future__ import annotations


class MaestroLabError(Exception):
    """Base class of every error maestro_lab raises on purpose."""


class MissingExtraError(MaestroLabError, ImportError):
    """An optional dependency is not installed; the message gives the pip command."""

    def __init__(self, package: str, extra: str) -> None:
        self.package = package
        self.extra = extra
        super().__init__(f"{package} is not installed; run: pip install 'maestro-lab[{extra}]'")
