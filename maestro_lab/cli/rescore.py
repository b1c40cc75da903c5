"""``maestro-lab rescore RUN --scorer MODULE:NAME``: re-run a run's choices with another scorer.

Nothing is regenerated: every candidate's notes come from telemetry. Prints,
per generation, the old and the new choice and whether it changed.
"""

from __future__ import annotations

import argparse
import math
from typing import TYPE_CHECKING

from maestro_lab.cli.common import add_json_flag, preload_scorer, print_json

if TYPE_CHECKING:
    from maestro_lab.cli.common import JSONValue


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``rescore`` subcommand."""
    parser = sub.add_parser(
        "rescore",
        help="re-score a run's candidates with another scorer",
        description=(
            "Score every candidate a run recorded again with SCORER (loaded from "
            "'package.module:name', a Scorer or a function returning one; 'default' is the "
            "built-in scorer) against each generation's recorded targets, and show which "
            "choices would change. Nothing is regenerated or written. Exit codes: 0 done, "
            "2 bad input (unknown run, scorer that cannot be loaded)."
        ),
    )
    parser.add_argument("run", metavar="RUN", help="run id (see `maestro-lab runs`)")
    parser.add_argument(
        "--scorer", required=True, metavar="MODULE:NAME", help="the scorer to apply"
    )
    parser.add_argument(
        "--db", default="maestro.duckdb", help="Muse database file (default: %(default)s)"
    )
    add_json_flag(parser)
    parser.set_defaults(handler=_run)


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not math.isnan(float(value)):
        return round(float(value), 6)
    return None


def _index(value: object) -> int | None:
    number = _number(value)
    return None if number is None else int(number)


def _run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from maestro_lab.api import rescore
    from maestro_lab.cli.failures import EXPECTED, report
    from muse_duckdb.errors import NotARepositoryError

    try:
        if not Path(args.db).is_file():
            raise NotARepositoryError(args.db, "no such file")
        preload_scorer(args.scorer)
        frame = rescore(args.run, args.scorer, db=args.db)
    except EXPECTED as exc:
        return report("rescore", exc, args.json)
    rows: list[JSONValue] = [
        {
            "generationId": str(r["generation_id"]),
            "section": None if r["section"] is None else str(r["section"]),
            "role": str(r["role"]),
            "candidates": int(r["candidates"]),
            "oldIndex": _index(r["old_index"]),
            "oldScore": _number(r["old_score"]),
            "newIndex": _index(r["new_index"]),
            "newScore": _number(r["new_score"]),
            "changed": bool(r["changed"]),
        }
        for r in frame.to_dict("records")
    ]
    changed = int(frame["changed"].sum()) if len(frame) else 0
    if args.json:
        print_json(
            {
                "runId": args.run,
                "scorerId": str(frame.attrs.get("scorer_id", "")),
                "generations": len(frame),
                "changed": changed,
                "rows": rows,
            }
        )
        return 0
    print(f"run {args.run}: {changed} of {len(frame)} choices change under {args.scorer}")
    print(
        f"{'section':<10} {'role':<8} {'cand':>4}  {'old':>4} {'score':>7}  {'new':>4} {'score':>7}"
    )
    print("-" * 54)
    for r in frame.to_dict("records"):
        old, new = _index(r["old_index"]), _index(r["new_index"])
        mark = "  *" if r["changed"] else ""
        print(
            f"{r['section'] or '-'!s:<10} {r['role']!s:<8} {int(r['candidates']):>4}  "
            f"{'-' if old is None else old:>4} {_number(r['old_score']) or 0.0:>7.3f}  "
            f"{'-' if new is None else new:>4} {_number(r['new_score']) or 0.0:>7.3f}{mark}"
        )
    return 0
