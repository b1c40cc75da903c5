"""``--limit NAME=VALUE``: raise a plan limit deliberately for one command (plan, compose)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from maestro_lab.planner.cost import PlanLimits


class _LimitAction(argparse._AppendAction):
    """``--limit``'s action, whose help (naming the default limits) is written when shown.

    The defaults live in :mod:`maestro_lab.planner.cost`; importing the planner
    costs hundreds of milliseconds, so building the parser (``--help`` of any
    command) must not do it. Only printing this option's help does.
    """

    @property
    def help(self) -> str:
        from maestro_lab.planner.cost import DEFAULT_LIMITS

        defaults = ", ".join(f"{k}={v}" for k, v in vars(DEFAULT_LIMITS).items())
        return f"raise (or lower) a plan limit, repeatable (defaults: {defaults})"

    @help.setter
    def help(self, _value: str | None) -> None:
        """Ignore argparse's own assignment: the help is computed when shown."""


def add_limit_flag(parser: argparse.ArgumentParser) -> None:
    """Add the repeatable ``--limit NAME=VALUE`` option."""
    parser.add_argument("--limit", action=_LimitAction, default=[], metavar="NAME=VALUE")


def limits_from(args: argparse.Namespace) -> PlanLimits:
    """The limits ``--limit`` asks for (``ValueError`` naming a bad one)."""
    from maestro_lab.planner.cost import DEFAULT_LIMITS, parse_limit

    changes = dict(parse_limit(text) for text in getattr(args, "limit", None) or [])
    return DEFAULT_LIMITS.raised(**changes)
