"""``maestro-lab report RUN``: what a run's choices met, against what, and what decided them.

Prints, per generation, the chosen candidate's score, whether it met every
target and which it missed (in plain words, values and thresholds stated),
its A/B comparison with the runner-up, the target of every dimension, and
the run's discrimination table (per dimension: NaN and constant shares,
spread across candidates, how often it changed the choice).
"""

from __future__ import annotations

import argparse

from maestro_lab.cli.common import add_json_flag


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``report`` subcommand."""
    parser = sub.add_parser(
        "report",
        help="report a run's fulfilment, A/B comparisons, targets and discrimination",
        description=(
            "Show, for every generation of RUN, the chosen candidate's fulfilment report "
            "(goal scores and violations), its comparison with the runner-up and the "
            "targets each dimension was scored against, then the run's discrimination "
            "table. Nothing is written. Exit codes: 0 done, 2 bad input (unknown run, "
            "missing database), 3 the database is locked or unreadable."
        ),
    )
    parser.add_argument("run", metavar="RUN", help="run id (see `maestro-lab runs`)")
    parser.add_argument(
        "--db", default="maestro.duckdb", help="Muse database file (default: %(default)s)"
    )
    parser.add_argument(
        "--targets", action="store_true", help="also print every dimension's target"
    )
    add_json_flag(parser)
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    import json
    import sys
    from pathlib import Path

    from maestro_lab.analysis.reports import run_report
    from maestro_lab.cli.failures import EXPECTED, report
    from muse_duckdb.errors import NotARepositoryError

    try:
        if not Path(args.db).is_file():
            raise NotARepositoryError(args.db, "no such file")
        result = run_report(args.db, args.run)
    except EXPECTED as exc:
        return report("report", exc, args.json)
    if args.json:
        json.dump(result.to_dict(), sys.stdout, indent=2, sort_keys=True)
        sys.stdout.write("\n")
        return 0
    print(f"run {args.run}: {len(result.entries)} generations")
    for entry in result.entries:
        fulfil, comp = entry.report.fulfillment, entry.report.comparison
        status = "met every target" if fulfil.satisfied else "missed targets"
        print(
            f"\n{entry.section or '-'} / {entry.role}: chose {entry.report.chosen} of "
            f"{entry.candidates}, score {fulfil.score:.3f}, {status}"
        )
        for violation in fulfil.constraint_violations:
            print(f"  - {violation}")
        if comp is not None:
            verdict = "tie" if comp.winner == "tie" else f"{comp.winner} wins"
            print(
                f"  vs runner-up {entry.report.runner_up}: {verdict} "
                f"({comp.generation_a.get('total', 0.0):.3f} vs "
                f"{comp.generation_b.get('total', 0.0):.3f}, confidence {comp.confidence:.3f})"
            )
        if args.targets:
            for name, target in entry.targets.items():
                print(f"    {name:<22} {'n/a' if target is None else target}")
    table = result.discrimination
    print("\ndimension               weight  nan%  const%  mean_std  range  changed")
    print("-" * 72)
    for row in table.to_dict("records"):
        print(
            f"{row['dimension']!s:<22} {float(row['weight']):>6.2f} "
            f"{100 * float(row['nan_share']):>5.0f} {100 * float(row['constant_share']):>7.0f} "
            f"{float(row['mean_std']):>9.4f} {float(row['mean_range']):>6.3f} "
            f"{int(row['changed_choice']):>4} of {int(row['generations'])}"
        )
    return 0
