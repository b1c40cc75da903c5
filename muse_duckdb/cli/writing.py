"""``muse`` commands that change history.

init, commit, import, branch, tag, checkout, merge, revert, cherry-pick and
export. Handlers import the repository and MIDI I/O when they run, so
``muse --help`` loads none of it.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from muse_duckdb.cli.common import (
    add_command,
    add_progress_flag,
    describe_state,
    json_strings,
    layout_arg,
    open_repo,
)
from muse_duckdb.cli.midi import load_score, midi_files, read_midi_file
from muse_duckdb.cli.output import EXIT_OK, emit_json, lines, progress, table
from muse_duckdb.errors import InvalidCommitError

if TYPE_CHECKING:
    from muse_duckdb.cli.common import SubParsers
    from muse_duckdb.convert import RegionLayout
    from muse_duckdb.model.commit import Commit, JSONValue
    from muse_duckdb.repository import PendingCommit
    from muse_duckdb.variations import Variation
    from storpheus.score import Score


def register(sub: SubParsers) -> None:
    """Add the writing subcommands."""
    p = add_command(sub, "init", "create a Muse repository (or a new project in one)")
    p.add_argument("--branch", default="main", help="initial branch (default: %(default)s)")
    p.set_defaults(handler=cmd_init)

    p = add_command(
        sub,
        "commit",
        "commit a MIDI file or a folder of stems as a new snapshot",
        "Commit a MIDI file, or a folder whose .mid files are stems (one track per\n"
        "file, named after it). Regions line up with HEAD's; --regions cuts new\n"
        "tracks as one region per track ('whole') or every N bars ('bars:N').",
    )
    p.add_argument("path", type=Path, help="a .mid file or a folder of .mid files")
    p.add_argument("-m", "--message", required=True, help="commit message (the intent)")
    _author_args(p)
    p.add_argument("--branch", help="commit on this branch instead of HEAD's")
    p.add_argument("--allow-empty", action="store_true", help="commit even if nothing changed")
    p.add_argument(
        "--lossy",
        action="store_true",
        help="import what a score cannot keep exactly anyway (rounds a fractional tempo, "
        "drops tempo, meter and key changes and aftertouch); without it such a file is "
        "refused, naming what would be lost",
    )
    add_progress_flag(p)
    p.set_defaults(handler=cmd_commit)

    p = add_command(
        sub,
        "import",
        "import MIDI files as a sequence of commits (one per file)",
        "Import MIDI files in the order given (folders: their files sorted by name),\n"
        "each as one commit on HEAD, all in one transaction. Unchanged files are skipped.",
    )
    p.add_argument("paths", type=Path, nargs="+", help="MIDI files or folders")
    p.add_argument(
        "--lossy",
        action="store_true",
        help="import what a score cannot keep exactly anyway (rounds a fractional tempo, "
        "drops tempo, meter and key changes and aftertouch); without it such a file is "
        "refused, naming what would be lost",
    )
    p.add_argument(
        "--message", default="import {name}", help="message template (default: %(default)s)"
    )
    _author_args(p)
    add_progress_flag(p)
    p.set_defaults(handler=cmd_import)

    p = add_command(sub, "branch", "list, create or delete branches")
    p.add_argument("name", nargs="?", help="branch to create (omit to list)")
    p.add_argument("start", nargs="?", default="HEAD", help="where it starts (default: HEAD)")
    p.add_argument(
        "-d", "--delete", action="store_true",
        help="delete the branch (refused, exit 1, if only it reaches some commits)",
    )  # fmt: skip
    p.add_argument(
        "-D", dest="force_delete", action="store_true", help="delete the branch even if unmerged"
    )
    p.add_argument("-f", "--force", action="store_true", help="move an existing branch")
    p.set_defaults(handler=cmd_branch)

    p = add_command(sub, "tag", "list, create or delete tags (namespaced: stage:mixed)")
    p.add_argument("name", nargs="?", help="tag to create (omit to list)")
    p.add_argument("ref", nargs="?", default="HEAD", help="what it marks (default: HEAD)")
    p.add_argument("-d", "--delete", action="store_true", help="delete the tag")
    p.add_argument("-f", "--force", action="store_true", help="move an existing tag")
    p.set_defaults(handler=cmd_tag)

    p = add_command(
        sub,
        "checkout",
        "move HEAD to a ref and (optionally) write its state as MIDI",
        "Move HEAD to a branch (attached) or any other ref (detached). Refuses when\n"
        "the working state (--working FILE, else the last one recorded) differs from\n"
        "HEAD, unless --force.",
    )
    p.add_argument("ref", help="branch, tag, commit id (prefix) or HEAD~N")
    p.add_argument("-b", "--create-branch", metavar="NAME", help="create a branch at REF")
    p.add_argument("--force", action="store_true", help="discard working changes")
    p.add_argument("--working", type=Path, help="the working state as a MIDI file or folder")
    p.add_argument("--export", type=Path, metavar="OUT.mid", help="write the state as MIDI")
    p.set_defaults(handler=cmd_checkout)

    p = add_command(
        sub,
        "merge",
        "three-way, note-level merge of a ref into HEAD (or --into)",
        "Merge THEIRS into OURS (default HEAD). Notes match on pitch and onset; edits\n"
        "to different existing notes never conflict. On conflict nothing is committed, every\n"
        "conflict is listed with its location and the exit code is 1; --strategy\n"
        "ours|theirs resolves them all.",
    )
    p.add_argument("theirs", help="the ref to merge in")
    p.add_argument("--into", default="HEAD", help="the ref that receives it (default: HEAD)")
    p.add_argument("--strategy", choices=("ours", "theirs"), help="resolve every conflict")
    p.add_argument("-m", "--message", help="merge commit message")
    p.add_argument("--no-ff", action="store_true", help="always create a merge commit")
    p.add_argument("--force", action="store_true", help="merge despite working changes")
    p.add_argument("--author", default="muse", help="author (default: %(default)s)")
    p.set_defaults(handler=cmd_merge)

    for name, verb in (("revert", "undoing"), ("cherry-pick", "applying")):
        p = add_command(
            sub,
            name,
            f"a new commit on HEAD {verb} the changes a commit made (note level)",
            f"A new commit on HEAD {verb} the changes REF made to its parent, merged\n"
            "three ways at note level. Conflicts commit nothing (exit 1) unless\n"
            "--strategy ours|theirs resolves them.",
        )
        p.add_argument("ref", help="the commit")
        p.add_argument("--strategy", choices=("ours", "theirs"), help="resolve every conflict")
        p.add_argument("-m", "--message", help="commit message")
        p.add_argument("--author", help="author (default: muse / the picked commit's)")
        p.set_defaults(handler=cmd_revert if name == "revert" else cmd_cherry_pick)

    p = add_command(
        sub,
        "variations",
        "propose a change for review, then accept some of its phrases or discard it",
        "Variations are reviewed changes kept in the database until decided:\n"
        "  muse variations propose take2.mid -m 'busier hook'   # prints the phrases\n"
        "  muse variations show ID\n"
        "  muse variations accept ID --phrase ID:bass/hook:1     # a subset; none = all\n"
        "  muse variations discard ID\n"
        "Structural changes (tempo, new tracks) apply with any accepted subset.",
    )
    vsub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    v = add_command(vsub, "propose", "stage a MIDI file or folder as a variation against HEAD")
    v.add_argument("path", type=Path, help="a .mid file or a folder of stems")
    v.add_argument("-m", "--message", required=True, help="the intent")
    v.add_argument("--explanation", help="why (free text)")
    v.add_argument("--phrase-bars", type=int, metavar="N", help="split phrases every N bars")
    v.set_defaults(handler=cmd_variation_propose)
    v = add_command(vsub, "list", "saved variations, oldest first")
    v.add_argument("--all", action="store_true", help="also committed and discarded ones")
    v.set_defaults(handler=cmd_variation_list)
    v = add_command(vsub, "show", "one variation and its phrases")
    v.add_argument("id", help="the variation id")
    v.set_defaults(handler=cmd_variation_show)
    v = add_command(vsub, "accept", "commit a variation: all its phrases, or those named")
    v.add_argument("id", help="the variation id")
    v.add_argument(
        "--phrase", action="append", metavar="PHRASE_ID", help="accept this phrase (repeatable)"
    )
    v.add_argument("--author", default="muse", help="a person, agent:<role> or muse")
    v.set_defaults(handler=cmd_variation_accept)
    v = add_command(vsub, "discard", "drop a variation (nothing is committed)")
    v.add_argument("id", help="the variation id")
    v.set_defaults(handler=cmd_variation_discard)

    p = add_command(sub, "export", "write the state at a ref as a MIDI file")
    p.add_argument("ref", nargs="?", default="HEAD", help="what to export (default: HEAD)")
    p.add_argument("-o", "--output", type=Path, required=True, help="the .mid file to write")
    p.add_argument(
        "--drop-aftertouch", action="store_true", help="omit aftertouch (MIDI writer limit)"
    )
    p.set_defaults(handler=cmd_export)


def _author_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--author", default="muse", help="a person, agent:<role> or muse")
    p.add_argument("--explanation", help="why (free text)")
    p.add_argument(
        "--meta", action="append", default=[], metavar="KEY=VALUE",
        help="metadata (seed, plan_hash, scorer_id, run_id...); VALUE may be JSON",
    )  # fmt: skip
    p.add_argument("--regions", metavar="LAYOUT", help="'whole' or 'bars:N' for new tracks")


def _metadata(items: list[str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InvalidCommitError("--meta", item, "expected KEY=VALUE")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


# ------------------------------------------------------------------ handlers
def cmd_init(args: argparse.Namespace) -> int:
    """``muse init``."""
    from muse_duckdb.cli.common import check_db_path
    from muse_duckdb.repository import init

    repo = init(check_db_path(args, create=True), args.project, branch=args.branch)
    head = repo.head()
    payload: dict[str, JSONValue] = {
        "db": str(args.db),
        "project": args.project,
        "branch": head.branch,
    }
    if args.json:
        emit_json(payload)
    else:
        print(f"initialised {args.db} (project {args.project!r}, branch {head.branch!r})")
    return EXIT_OK


def cmd_commit(args: argparse.Namespace) -> int:
    """``muse commit PATH -m MSG``."""
    repo = open_repo(args)
    with progress(None, "reading MIDI", not (args.json or args.no_progress)):
        score, warnings = load_score(args.path, lossy=args.lossy)
    commit = repo.commit(
        score,
        args.message,
        author=args.author,
        explanation=args.explanation,
        metadata=_metadata(args.meta),
        layout=layout_arg(args.regions) or _marker_layout(args.path, score),
        branch=args.branch,
        allow_empty=args.allow_empty,
    )
    state = repo.snapshot(commit.commit_id)
    if args.json:
        emit_json(
            {
                "commit": commit.to_dict(),
                "state": describe_state(state),
                "warnings": json_strings(warnings),
            }
        )
    else:
        lines(f"warning: {w}" for w in warnings)
        print(f"[{commit.short_id}] {commit.message}")
        print(f"  {len(commit.affected_regions)} region(s) changed; {state.n_notes} notes")
    return EXIT_OK


def _marker_layout(path: Path, score: Score) -> RegionLayout | None:
    """Regions per section marker when one MIDI file (not a folder) has markers."""
    from muse_duckdb.convert import marker_layout

    return None if path.is_dir() else marker_layout(path, score)


def cmd_import(args: argparse.Namespace) -> int:
    """``muse import PATH...``."""
    repo = open_repo(args)
    files = [f for p in args.paths for f in midi_files(p)]
    meta = _metadata(args.meta)
    layout = layout_arg(args.regions)

    from muse_duckdb.repository import PendingCommit

    def items() -> Iterator[PendingCommit]:
        for f in files:
            yield PendingCommit(
                read_midi_file(f, lossy=args.lossy),
                args.message.format(name=f.name, stem=f.stem, path=str(f)),
                author=args.author,
                explanation=args.explanation,
                metadata={**meta, "source": f.name},
            )

    with progress(len(files), "importing", not (args.json or args.no_progress)) as advance:
        made = repo.commit_many(items(), layout=layout, progress=lambda _c: advance(1))
    if args.json:
        emit_json({"imported": [c.to_dict() for c in made], "files": len(files)})
    else:
        for c in made:
            print(f"[{c.short_id}] {c.message}")
        skipped = len(files) - len(made)
        print(f"{len(made)} commit(s) from {len(files)} file(s)" + (
            f"; {skipped} unchanged skipped" if skipped else ""
        ))  # fmt: skip
    return EXIT_OK


def cmd_branch(args: argparse.Namespace) -> int:
    """``muse branch [NAME [START]] [-d]``."""
    repo = open_repo(args)
    if args.name and (args.delete or args.force_delete):
        repo.delete_branch(args.name, force=args.force_delete)
        result: dict[str, JSONValue] = {"deleted": args.name}
    elif args.name:
        result = {
            "created": args.name,
            "commit": repo.branch(args.name, args.start, force=args.force),
        }
    else:
        head = repo.head()
        branches = repo.branches()
        if args.json:
            listed: dict[str, JSONValue] = dict(branches)
            emit_json({"branches": listed, "current": head.branch})
        else:
            rows = [("*" if n == head.branch else "", n, c[:12]) for n, c in branches.items()]
            if head.branch and head.branch not in branches:
                rows.append(("*", head.branch, "(no commits yet)"))
            print(table(rows, ("", "branch", "commit")))
        return EXIT_OK
    if args.json:
        emit_json(result)
    else:
        print(", ".join(f"{k} {str(v)[:12]}" for k, v in result.items()))
    return EXIT_OK


def cmd_tag(args: argparse.Namespace) -> int:
    """``muse tag [NAME [REF]] [-d]``."""
    repo = open_repo(args)
    if args.name and args.delete:
        repo.delete_tag(args.name)
        result: dict[str, JSONValue] = {"deleted": args.name}
    elif args.name:
        result = {"created": args.name, "commit": repo.tag(args.name, args.ref, force=args.force)}
    else:
        tags = repo.tags()
        if args.json:
            listed_tags: dict[str, JSONValue] = dict(tags)
            emit_json({"tags": listed_tags})
        else:
            print(table([(n, c[:12]) for n, c in tags.items()], ("tag", "commit")))
        return EXIT_OK
    if args.json:
        emit_json(result)
    else:
        print(", ".join(f"{k} {str(v)[:12]}" for k, v in result.items()))
    return EXIT_OK


def cmd_checkout(args: argparse.Namespace) -> int:
    """``muse checkout REF``."""
    repo = open_repo(args)
    working = load_score(args.working)[0] if args.working else None
    result = repo.checkout(
        args.ref, force=args.force, working=working, create_branch=args.create_branch
    )
    if args.export:
        from muse_duckdb.convert import project_to_score
        from storpheus.io import write_midi

        write_midi(project_to_score(result.state), args.export, drop_aftertouch=True)
    if args.json:
        emit_json({**result.to_dict(), "exported": str(args.export) if args.export else None})
    else:
        where = f"branch {result.branch!r}" if result.branch else "detached HEAD"
        print(f"HEAD is now at {result.commit.short_id} ({where}): {result.commit.message}")
        s = result.state
        print(f"  {len(s.tracks)} tracks, {len(s.regions)} regions, {s.n_notes} notes")
        if args.export:
            print(f"  wrote {args.export}")
    return EXIT_OK


def cmd_merge(args: argparse.Namespace) -> int:
    """``muse merge THEIRS [--into OURS]``."""
    repo = open_repo(args)
    outcome = repo.merge(
        args.into,
        args.theirs,
        strategy=args.strategy,
        message=args.message,
        author=args.author,
        fast_forward=not args.no_ff,
        force=args.force,
    )
    if args.json:
        emit_json(outcome.to_dict())
        return EXIT_OK
    if outcome.status == "up_to_date":
        print(f"already up to date ({args.theirs} is contained in {args.into})")
    elif outcome.status == "fast_forward":
        print(f"fast-forward to {outcome.commit.short_id}: {outcome.commit.message}")
    else:
        print(f"[{outcome.commit.short_id}] {outcome.commit.message}")
        if outcome.conflicts:
            print(
                f"  {len(outcome.conflicts)} conflict(s) resolved with --strategy {args.strategy}"
            )
            for c in outcome.conflicts:
                print(f"    {c}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    """``muse export [REF] -o OUT.mid``."""
    from storpheus.io import write_midi

    repo = open_repo(args)
    commit = repo.get_commit(args.ref)
    score = repo.score(commit.commit_id)
    path = write_midi(score, args.output, drop_aftertouch=args.drop_aftertouch)
    payload: dict[str, JSONValue] = {
        "commit": commit.commit_id,
        "path": str(path),
        "notes": score.n_notes,
    }
    if args.json:
        emit_json(payload)
    else:
        print(f"wrote {path} ({score.n_notes} notes, {len(score.tracks)} tracks) "
              f"from {commit.short_id}")  # fmt: skip
    return EXIT_OK


def cmd_revert(args: argparse.Namespace) -> int:
    """``muse revert REF``."""
    repo = open_repo(args)
    source = repo.get_commit(args.ref)
    commit = repo.revert(
        source.commit_id, author=args.author or "muse", message=args.message,
        strategy=args.strategy,
    )  # fmt: skip
    return _report_new_commit(args, commit, "reverts", source)


def cmd_cherry_pick(args: argparse.Namespace) -> int:
    """``muse cherry-pick REF``."""
    repo = open_repo(args)
    source = repo.get_commit(args.ref)
    commit = repo.cherry_pick(
        source.commit_id, author=args.author, message=args.message, strategy=args.strategy
    )
    return _report_new_commit(args, commit, "picked", source)


def _report_new_commit(args: argparse.Namespace, commit: Commit, how: str, source: Commit) -> int:
    if args.json:
        emit_json({"commit": commit.to_dict(), how: source.commit_id})
    else:
        print(f"[{commit.short_id}] {commit.message}")
        print(f"  {len(commit.affected_regions)} region(s) changed ({how} {source.short_id})")
    return EXIT_OK


def cmd_variation_propose(args: argparse.Namespace) -> int:
    """``muse variations propose PATH -m INTENT``."""
    repo = open_repo(args)
    score, warnings = load_score(args.path)
    v = repo.saved_variations.propose(
        score, args.message, explanation=args.explanation, phrase_bars=args.phrase_bars
    )
    if args.json:
        emit_json({**v.to_wire(), "warnings": json_strings(warnings)})
        return EXIT_OK
    lines(f"warning: {w}" for w in warnings)
    print(f"variation {v.variation_id}: {v.intent}")
    _print_phrases(v)
    return EXIT_OK


def cmd_variation_list(args: argparse.Namespace) -> int:
    """``muse variations list``."""
    repo = open_repo(args)
    saved = repo.saved_variations.list(status=None if args.all else "ready")
    if args.json:
        emit_json({"variations": [s.to_dict() for s in saved]})
        return EXIT_OK
    rows = [
        (s.variation_id, s.status, (s.base_commit_id or "")[:12], (s.commit_id or "")[:12],
         s.intent[:50])
        for s in saved
    ]  # fmt: skip
    print(table(rows, ("variation", "status", "base", "commit", "intent")))
    return EXIT_OK


def cmd_variation_show(args: argparse.Namespace) -> int:
    """``muse variations show ID``."""
    repo = open_repo(args)
    saved = repo.saved_variations.get(args.id)
    v = repo.saved_variations.load(args.id)
    if args.json:
        emit_json({**v.to_wire(), "saved": saved.to_dict()})
        return EXIT_OK
    print(f"variation {v.variation_id} ({saved.status}): {v.intent}")
    _print_phrases(v)
    return EXIT_OK


def cmd_variation_accept(args: argparse.Namespace) -> int:
    """``muse variations accept ID [--phrase P]...``."""
    repo = open_repo(args)
    commit = repo.saved_variations.accept(args.id, args.phrase, author=args.author)
    if args.json:
        emit_json({"commit": commit.to_dict(), "variationId": args.id})
    else:
        print(f"[{commit.short_id}] {commit.message}")
        print(f"  accepted {len(commit.accepted_phrase_ids)} phrase(s) of variation {args.id}")
    return EXIT_OK


def cmd_variation_discard(args: argparse.Namespace) -> int:
    """``muse variations discard ID``."""
    repo = open_repo(args)
    repo.saved_variations.discard(args.id)
    if args.json:
        emit_json({"discarded": args.id})
    else:
        print(f"discarded variation {args.id}")
    return EXIT_OK


def _print_phrases(v: Variation) -> None:
    rows = [
        (p.phrase_id, p.region_id, f"{p.start_beat:g}-{p.end_beat:g}", len(p.added),
         len(p.removed), len(p.modified_before))
        for p in v.phrases
    ]  # fmt: skip
    print(table(rows, ("phrase", "region", "beats", "+", "-", "~")))
    if len(v.changeset):
        print(f"structural changes (applied with any phrase): {v.changeset.describe()}")
