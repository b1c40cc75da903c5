"""``maestro-lab sweep SPEC``: run an experiment over a local pool or a Dask cluster.

A thin shell over :func:`maestro_lab.sweep.run`: a progress bar on stderr,
then the sweep id, the cell counts, cells per second and every failed cell
with its error (``--json``: everything, tracebacks included).

Exit codes: 0 every cell completed; 1 some cells failed (the others
completed; re-run with ``--resume``); 2 bad input (invalid spec, naming the
key and its line; missing notebook); 3 a cell failed with ``--fail-fast``;
4 the database cannot be written (read-only, or locked by another process).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from maestro_lab.cli.common import add_json_flag, print_json

if TYPE_CHECKING:
    from maestro_lab.cli.common import JSONValue

EXIT_SOME_FAILED = 1
EXIT_FAIL_FAST = 3


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``sweep`` subcommand."""
    parser = sub.add_parser(
        "sweep",
        help="run a parameter sweep from an experiment spec",
        description=(
            "Run every cell of an experiment spec (YAML: prompts, seeds, a grid over "
            "candidates, styles, roles, scorers, weights, backends) on a local process pool "
            "or a Dask cluster. Workers compose and return telemetry; only this process "
            "writes the database, one transaction per batch of results. A failed cell is "
            "recorded with its traceback and the sweep goes on. Exit codes: 0 every cell "
            "completed, 1 some cells failed (re-run with --resume), 2 bad input (invalid "
            "spec: the key and its line are named), 3 a cell failed with --fail-fast, "
            "4 database read-only or locked."
        ),
    )
    parser.add_argument("spec", metavar="SPEC", help="experiment spec file (YAML)")
    parser.add_argument(
        "--db", default=None, metavar="FILE", help="database file (default: the spec's output)"
    )
    parser.add_argument(
        "--workers", type=int, default=None, metavar="N",
        help="processes of the local pool (default: the CPUs available)",
    )  # fmt: skip
    parser.add_argument(
        "--scheduler", default=None, metavar="ADDRESS",
        help="run on the Dask cluster of this scheduler (tcp://host:port)",
    )  # fmt: skip
    parser.add_argument(
        "--resume", action="store_true",
        help="continue the newest sweep of this spec: skip completed cells, re-run failed ones",
    )  # fmt: skip
    parser.add_argument(
        "--fail-fast", action="store_true", help="stop at the first failed cell (exit code 3)"
    )
    parser.add_argument(
        "--notebook", default=None, metavar="NB",
        help="run this notebook per cell with papermill (the cell's parameters injected)",
    )  # fmt: skip
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    add_json_flag(parser)
    parser.set_defaults(handler=_run)


def _payload_failure(exc: BaseException, code: int) -> dict[str, JSONValue]:
    payload: dict[str, JSONValue] = {
        "error": type(exc).__name__,
        "message": str(exc),
        "exitCode": code,
    }
    problems = getattr(exc, "problems", None)
    if problems is not None:
        payload["problems"] = [
            {"key": p.key, "line": p.line, "message": p.message} for p in problems
        ]
    return payload


def _run(args: argparse.Namespace) -> int:
    from maestro_lab.cli.failures import EXPECTED, report
    from maestro_lab.sweep.errors import CellFailedError, SpecError
    from maestro_lab.sweep.runner import run

    if args.workers is not None and args.workers < 1:
        print("maestro-lab sweep: --workers must be at least 1", file=sys.stderr)
        return 2
    try:
        result = run(
            args.spec,
            db=args.db,
            workers=args.workers,
            scheduler=args.scheduler,
            resume=args.resume,
            fail_fast=args.fail_fast,
            notebook=args.notebook,
            progress=not args.no_progress and not args.json,
        )
    except SpecError as exc:
        if args.json:
            print_json(_payload_failure(exc, 2))
        else:
            print(f"maestro-lab sweep: {exc}", file=sys.stderr)
        return 2
    except CellFailedError as exc:
        if args.json:
            payload = _payload_failure(exc, EXIT_FAIL_FAST)
            payload.update(sweepId=exc.sweep_id, cellKey=exc.cell_key, traceback=exc.traceback)
            print_json(payload)
        else:
            print(f"maestro-lab sweep: {exc}\n{exc.traceback}", file=sys.stderr)
        return EXIT_FAIL_FAST
    except EXPECTED as exc:
        return report("sweep", exc, args.json)
    if args.json:
        print_json(result.to_dict())
    else:
        state = "resumed" if result.resumed else "new"
        print(f"sweep {result.sweep_id} ({state}) of {result.name} in {result.db}")
        print(
            f"{result.completed}/{result.cells} cells completed, {result.failed} failed, "
            f"{result.skipped} skipped; {result.ran} ran in {result.seconds:.2f} s "
            f"({result.cells_per_second:.2f} cells/s on {result.executor})"
        )
        for failure in result.failures:
            print(f"  cell {failure.cell_index} {failure.cell_key}: {failure.error}")
    return 0 if result.ok else EXIT_SOME_FAILED
