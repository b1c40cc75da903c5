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


# ------------------------------------------------------------- prompt DSL
class PromptParseError(MaestroLabError):
    """Base class of every structured-prompt parsing failure."""


class UnsupportedPromptHeader(PromptParseError):  # noqa: N818 - name fixed by the reference
    """The prompt starts with a recognised but unsupported header (``STORI PROMPT``).

    Attributes
    ----------
    header:
        The header as recognised (``"STORI PROMPT"``).
    """

    def __init__(self, header: str) -> None:
        self.header = header
        super().__init__(
            f"unsupported prompt header {header!r}: start the prompt with 'MAESTRO PROMPT'"
        )


class InvalidMaestroPrompt(PromptParseError):  # noqa: N818 - name fixed by the reference
    """A ``MAESTRO PROMPT`` whose YAML body or field values are invalid.

    Attributes
    ----------
    details:
        Every problem found, each naming the field (``"Tempo: ..."``).
    """

    def __init__(self, details: list[str]) -> None:
        self.details = list(details)
        lines = "\n".join(f"  - {d}" for d in self.details)
        count = len(self.details)
        super().__init__(f"invalid MAESTRO PROMPT ({count} problem{'s' * (count != 1)}):\n{lines}")


class InvalidKeyError(MaestroLabError, ValueError):
    """Text that does not name a musical key (``"H minor"``, ``"C blorp"``).

    Attributes
    ----------
    text:
        The text as given.
    """

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason
        super().__init__(f"{text!r} is not a key: {reason}")


# ---------------------------------------------------------------- planner
class PlanningError(MaestroLabError):
    """The planner cannot build a plan from this prompt and project."""


class InvalidPlanError(MaestroLabError, ValueError):
    """Plan JSON that does not match the plan format (or whose hash does not match).

    Attributes
    ----------
    details:
        Every problem found, each with its location in the JSON.
    """

    def __init__(self, details: list[str]) -> None:
        self.details = list(details)
        super().__init__("invalid plan JSON: " + "; ".join(self.details))
