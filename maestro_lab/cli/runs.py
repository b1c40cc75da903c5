"""``maestro-lab runs``: list the runs recorded in a Muse database (newest first)."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from maestro_lab.cli.common import add_json_flag, print_json

if TYPE_CHECKING:
    from maestro_lab.cli.common import JSONValue


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``runs`` subcommand."""
    parser = sub.add_parser(
        "runs",
        help="list recorded runs",
        description=(
            "List every run recorded in the database's telemetry: id, status, seed, "
            "generations and candidates, start time and the commit it made. "
            "Exit codes: 0 done, 2 bad input (no such database)."
        ),
    )
    parser.add_argument(
        "--db", default="maestro.duckdb", help="Muse database file (default: %(default)s)"
    )
    parser.add_argument("--experiment", default=None, help="only runs of this experiment")
    parser.add_argument("--limit", type=int, default=None, help="show at most this many runs")
    add_json_flag(parser)
    parser.set_defaults(handler=_run)


def _commit_of(metadata: object) -> str | None:
    try:
        data = json.loads(str(metadata))
    except ValueError:
        return None
    commit = data.get("commit_id") if isinstance(data, dict) else None
    return commit if isinstance(commit, str) else None


def _run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from maestro_lab.api import runs
    from maestro_lab.cli.failures import EXPECTED, report
    from muse_duckdb.errors import NotARepositoryError

    try:
        if not Path(args.db).is_file():
            raise NotARepositoryError(args.db, "no such file")
        frame = runs(args.db, experiment=args.experiment)
    except EXPECTED as exc:
        return report("runs", exc, args.json)
    records = frame.to_dict("records")
    if args.limit is not None:
        records = records[: max(0, args.limit)]
    rows: list[JSONValue] = [
        {
            "runId": str(r["run_id"]),
            "status": str(r["status"]),
            "experiment": None if r["experiment"] is None else str(r["experiment"]),
            "seed": None if r["seed"] is None else int(r["seed"]),
            "generations": int(r["n_generations"]),
            "candidates": int(r["n_candidates"]),
            "startedAt": None if r["started_at"] is None else str(r["started_at"]),
            "commitId": _commit_of(r["metadata"]),
            "error": None if r["error"] is None else str(r["error"]),
        }
        for r in records
    ]
    if args.json:
        print_json({"runs": rows, "count": len(rows)})
        return 0
    if not records:
        print("no runs recorded")
        return 0
    print(f"{'run':<22} {'status':<10} {'gens':>4} {'cands':>6}  {'started (UTC)':<19}  commit")
    print("-" * 80)
    for r in records:
        commit = _commit_of(r["metadata"])
        started = str(r["started_at"])[:19] if r["started_at"] is not None else "-"
        print(
            f"{r['run_id']!s:<22} {r['status']!s:<10} {int(r['n_generations']):>4} "
            f"{int(r['n_candidates']):>6}  {started:<19}  {commit[:12] if commit else '-'}"
        )
    return 0
