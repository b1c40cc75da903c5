"""Typed errors of the sweep runner (all are :class:`~maestro_lab.errors.MaestroLabError`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from maestro_lab.errors import MaestroLabError


class SweepError(MaestroLabError):
    """Base class of every error the sweep runner raises on purpose."""


@dataclass(frozen=True)
class SpecProblem:
    """One problem of an experiment spec: the key path, its YAML line and what is wrong."""

    key: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{where}{self.key}: {self.message}"


class SpecError(SweepError, ValueError):
    """An experiment spec that cannot be read or validated.

    Attributes
    ----------
    source:
        The spec file (or ``"<string>"``).
    problems:
        Every problem found, each naming the key (``grid.candidates[1]``)
        and its line in the YAML file.
    """

    def __init__(self, source: str, problems: Sequence[SpecProblem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        count = len(self.problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"{source}: invalid experiment spec ({count} problem{'s' * (count != 1)}):\n{lines}"
        )


class CellFailedError(SweepError):
    """A cell failed and the sweep ran with ``fail_fast``; the other cells were cancelled.

    Attributes
    ----------
    sweep_id, cell_key:
        The sweep and the failed cell.
    traceback:
        The cell's formatted traceback (from the worker).
    """

    def __init__(self, sweep_id: str, cell_key: str, error: str, traceback: str) -> None:
        self.sweep_id = sweep_id
        self.cell_key = cell_key
        self.error = error
        self.traceback = traceback
        super().__init__(f"sweep {sweep_id}: cell {cell_key} failed (fail-fast): {error}")


__all__ = ["CellFailedError", "SpecError", "SpecProblem", "SweepError"]
