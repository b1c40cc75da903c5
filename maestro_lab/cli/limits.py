"""``--limit NAME=VALUE``: raise a plan limit deliberately for one command (plan, compose)."""

from __future__ import annotations

import argparse

from maestro_lab.planner.cost import DEFAULT_LIMITS, PlanLimits, parse_limit


def add_limit_flag(parser: argparse.ArgumentParser) -> None:
    """Add the repeatable ``--limit NAME=VALUE`` option."""
    defaults = ", ".join(f"{k}={v}" for k, v in vars(DEFAULT_LIMITS).items())
    parser.add_argument(
        "--limit",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help=f"raise (or lower) a plan limit, repeatable (defaults: {defaults})",
    )


def limits_from(args: argparse.Namespace) -> PlanLimits:
    """The limits ``--limit`` asks for (``ValueError`` naming a bad one)."""
    changes = dict(parse_limit(text) for text in getattr(args, "limit", None) or [])
    return DEFAULT_LIMITS.raised(**changes)
