"""``maestro-lab reproduce COMMIT``: re-run a commit from its recorded inputs and verify it.

Prints whether the reproduction has the commit's snapshot id and
byte-identical MIDI, and otherwise which role and section differ. Exit codes:
0 identical, 1 different, 2 bad input (unknown commit, no recorded inputs,
missing backend version or scorer).
"""

from __future__ import annotations

import argparse

from maestro_lab.cli.common import add_json_flag, preload_scorer, print_json


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``reproduce`` subcommand."""
    parser = sub.add_parser(
        "reproduce",
        help="re-run a commit from its recorded inputs and verify it",
        description=(
            "Read the inputs a `maestro-lab compose` commit recorded (prompt, plan, seeds, "
            "backend and scorer identity, sampling options), re-run them on the commit's "
            "base state without writing anything, and check that the result has the same "
            "snapshot id and byte-identical MIDI. Exit codes: 0 identical, 1 different "
            "(the differing roles and sections are listed), 2 bad input."
        ),
    )
    parser.add_argument("commit", metavar="COMMIT", help="commit id, unique prefix or ref")
    parser.add_argument(
        "--db", default="maestro.duckdb", help="Muse database file (default: %(default)s)"
    )
    parser.add_argument("--project", default=None, help="project (default: the commit's)")
    parser.add_argument(
        "--scorer", default=None, metavar="MODULE:NAME", help="scorer (default: the recorded one)"
    )
    parser.add_argument("--workers", type=int, default=1, help="agents run at once")
    parser.add_argument(
        "--out", default=None, help="also write the reproduced MIDI file to this folder"
    )
    parser.add_argument(
        "--space",
        default=None,
        metavar="URL",
        help="for a commit made with --backend orpheus: the Space it used "
        "(its cached answers in --db are replayed)",
    )
    add_json_flag(parser)
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from maestro_lab.api import reproduce
    from maestro_lab.cli.failures import EXIT_REFUSED, EXPECTED, report
    from muse_duckdb.errors import NotARepositoryError

    try:
        if not Path(args.db).is_file():
            raise NotARepositoryError(args.db, "no such file")
        preload_scorer(args.scorer)
        backend = None
        if args.space is not None:
            from maestro_lab.runtime.backends_registry import get_backend

            backend = get_backend("orpheus", space=args.space, db=args.db)
        result = reproduce(
            args.commit,
            args.db,
            backend=backend,
            project=args.project,
            scorer=args.scorer,
            workers=args.workers,
            out=args.out,
        )
    except EXPECTED as exc:
        return report("reproduce", exc, args.json)
    if args.json:
        print_json(result.to_dict())
    else:
        verdict = "reproduced" if result.ok else "DIFFERENT"
        print(f"{verdict}: commit {result.commit_id[:12]} (run {result.run_id})")
        mark = "same" if result.same_snapshot else "different"
        print(f"snapshot  {result.reproduced_snapshot_id}  ({mark})")
        mark = "identical" if result.same_midi else "different"
        print(f"midi      sha256 {result.reproduced_midi_sha256[:16]}...  ({mark})")
        if result.midi_path is not None:
            print(f"written   {result.midi_path}")
        for difference in result.differences:
            print(f"  - {difference}")
        for warning in result.warnings:
            print(f"warning: {warning}")
    return 0 if result.ok else EXIT_REFUSED
