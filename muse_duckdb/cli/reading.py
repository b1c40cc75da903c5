"""``muse`` commands that read history.

log, graph, status, diff, show, blame, history and check. ``log`` and
``status`` (when the working state is HEAD's) read through the storage
layer directly and import neither numpy nor the project model, so they
answer as fast as the database opens.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from muse_duckdb.cli.common import (
    add_command,
    count,
    json_strings,
    open_database,
    open_repo,
    state_or_ref,
)
from muse_duckdb.cli.output import EXIT_OK, EXIT_REFUSED, emit_json, lines, table

if TYPE_CHECKING:
    from muse_duckdb.cli.common import SubParsers
    from muse_duckdb.diff.states import ProjectDiff
    from muse_duckdb.model.commit import Commit, JSONValue
    from muse_duckdb.project import ProjectState


def register(sub: SubParsers) -> None:
    """Add the reading subcommands."""
    p = add_command(sub, "log", "show the commit history, newest first")
    p.add_argument("ref", nargs="?", default="HEAD", help="start here (default: HEAD)")
    p.add_argument(
        "-n", "--max-count", "--limit", type=count, metavar="N", help="show at most N commits"
    )
    p.add_argument("--oneline", action="store_true", help="one line per commit")
    p.set_defaults(handler=cmd_log)

    p = add_command(
        sub, "graph", "show the commit graph (--json: the MuseLogGraphResponse wire shape)"
    )
    p.set_defaults(handler=cmd_graph)

    p = add_command(
        sub,
        "status",
        "compare a working state with HEAD",
        "Compare the working state with HEAD: a MIDI file or folder given here, else\n"
        "the state last recorded (by commit or checkout).",
    )
    p.add_argument("working", nargs="?", type=Path, help="a MIDI file or folder of stems")
    p.add_argument("--record", action="store_true", help="record it as the working state")
    p.set_defaults(handler=cmd_status)

    p = add_command(
        sub,
        "diff",
        "show note-level changes between two refs (or MIDI files)",
        "Per region: notes added (+), removed (-) and modified (~), controller\n"
        "changes and a severity (none / low / medium / high). A and B are refs or\n"
        "paths to MIDI files / folders.",
    )
    p.add_argument("a", nargs="?", default="HEAD~1", help="before (default: HEAD~1)")
    p.add_argument("b", nargs="?", default="HEAD", help="after (default: HEAD)")
    p.add_argument("--notes", action="store_true", help="list every changed note")
    p.set_defaults(handler=cmd_diff)

    p = add_command(sub, "show", "show one commit: metadata, phrases and its changes")
    p.add_argument("ref", nargs="?", default="HEAD", help="the commit (default: HEAD)")
    p.set_defaults(handler=cmd_show)

    p = add_command(
        sub,
        "blame",
        "for every note of a region, track or section: the commit that introduced it",
    )
    p.add_argument("target", help="region id, track id or section name")
    p.add_argument("--at", default="HEAD", help="blame the state at this ref (default: HEAD)")
    p.set_defaults(handler=cmd_blame)

    p = add_command(sub, "history", "every version of a region, track or section, in order")
    p.add_argument("name", help="region id, track id or section name (e.g. chorus)")
    p.add_argument("--at", default="HEAD", help="history up to this ref (default: HEAD)")
    p.set_defaults(handler=cmd_history)

    p = add_command(sub, "check", "verify that every referenced object exists")
    p.add_argument("--deep", action="store_true", help="also recompute every content id")
    p.set_defaults(handler=cmd_check)


# ------------------------------------------------------------------ handlers
def cmd_log(args: argparse.Namespace) -> int:
    """``muse log``."""
    from muse_duckdb.errors import NoCommitsError
    from muse_duckdb.history import refs
    from muse_duckdb.history.log import load_log

    with open_database(args).read() as conn:
        try:
            start: str | None = refs.resolve(conn, args.project, args.ref)
        except NoCommitsError:
            start = None
        log = load_log(conn, args.project, start, args.max_count) if start else None
        labels = _labels(
            refs.list_refs(conn, args.project, "branch"),
            refs.list_refs(conn, args.project, "tag"),
            refs.read_head(conn, args.project).commit_id,
        )
    if args.json:
        commits: list[JSONValue] = [] if log is None else [c.to_dict() for c in log]
        emit_json({"commits": commits})
        return EXIT_OK
    if log is None or not len(log):
        print(f"no commits yet in project {args.project!r}")
        return EXIT_OK
    for c in log:
        deco = f" ({', '.join(labels[c.commit_id])})" if c.commit_id in labels else ""
        if args.oneline:
            print(f"{c.short_id}{deco} {c.message}")
            continue
        print(f"commit {c.commit_id}{deco}")
        if c.is_merge:
            print(f"Merge:  {' '.join(p[:12] for p in c.parents)}")
        print(f"Author: {c.author} ({c.author_kind})")
        print(f"Date:   {c.committed_at.isoformat(timespec='seconds')}")
        if c.variation_id:
            print(f"Variation: {c.variation_id} ({len(c.accepted_phrase_ids)} phrase(s))")
        print(f"\n    {c.message}")
        if c.explanation:
            print(f"    {c.explanation}")
        print()
    return EXIT_OK


def cmd_graph(args: argparse.Namespace) -> int:
    """``muse graph``."""
    repo = open_repo(args)
    graph = repo.log_graph()
    if args.json:
        emit_json(graph.to_response().model_dump())
        return EXIT_OK
    labels = _labels(repo.branches(), repo.tags(), graph.head)
    lines(ascii_graph(list(graph.nodes)[::-1], labels))
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    """``muse status [WORKING]``."""
    if args.working is None and _status_clean(args):
        return EXIT_OK
    repo = open_repo(args)
    warnings: list[str] = []
    working = None
    if args.working is not None:
        value = state_or_ref(repo, str(args.working), warnings)
        working = None if isinstance(value, str) else value
    status = (
        repo.sync_working(working) if args.record and working is not None else repo.status(working)
    )
    if args.json:
        emit_json({**status.to_dict(), "warnings": json_strings(warnings)})
        return EXIT_OK
    lines(f"warning: {w}" for w in warnings)
    head = status.head[:12] if status.head else "(no commits)"
    print(f"On {'branch ' + status.branch if status.branch else 'detached HEAD'} at {head}")
    if not status.dirty:
        print("working state matches HEAD")
    else:
        print(f"working state differs from HEAD ({status.diff.severity.label}):")
        lines(f"  {line}" for line in status.diff.summary())
    return EXIT_OK


def _status_clean(args: argparse.Namespace) -> bool:
    """Report a working state recorded at HEAD's snapshot without loading any state.

    Returns ``False`` (nothing printed) when the state must be compared.
    """
    from muse_duckdb.history import refs
    from muse_duckdb.storage.commits import load_commit

    with open_database(args).read() as conn:
        head = refs.read_head(conn, args.project)
        commit = load_commit(conn, head.commit_id) if head.commit_id else None
        rows = conn.execute(
            "SELECT snapshot_id FROM worktrees WHERE project_id = ?", [args.project]
        ).fetchall()
    recorded = str(rows[0][0]) if rows else None
    if commit is None or (recorded is not None and recorded != commit.snapshot_id):
        return False
    sid = commit.snapshot_id
    if args.json:
        counts: dict[str, JSONValue] = {"added": 0, "removed": 0, "modified": 0, "controllers": 0}
        diff: dict[str, JSONValue] = {
            "before": sid,
            "after": sid,
            "severity": "none",
            "counts": counts,
            "properties": [],
            "regions": [],
        }
        emit_json(
            {
                "projectId": args.project,
                "branch": head.branch,
                "head": head.commit_id,
                "workingSnapshotId": sid,
                "dirty": False,
                "diff": diff,
                "warnings": [],
            }
        )
        return True
    where = f"branch {head.branch}" if head.branch else "detached HEAD"
    print(f"On {where} at {commit.commit_id[:12]}")
    print("working state matches HEAD")
    return True


def cmd_diff(args: argparse.Namespace) -> int:
    """``muse diff [A] [B]``."""
    repo = open_repo(args)
    warnings: list[str] = []
    diff = repo.diff(state_or_ref(repo, args.a, warnings), state_or_ref(repo, args.b, warnings))
    if args.json:
        emit_json({**diff.to_dict(), "warnings": json_strings(warnings)})
        return EXIT_OK
    lines(f"warning: {w}" for w in warnings)
    _print_diff(diff, args.notes)
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    """``muse show [REF]``."""
    repo = open_repo(args)
    commit = repo.get_commit(args.ref)
    parent = commit.parent
    diff = repo.diff(parent, commit.commit_id) if parent else repo.diff(
        _empty(), commit.commit_id
    )  # fmt: skip
    phrases = repo.phrases(commit.commit_id)
    if args.json:
        emit_json(
            {
                "commit": commit.to_dict(),
                "diff": diff.to_dict(),
                "phrases": [
                    {
                        "phraseId": p.phrase_id,
                        "regionId": p.region_id,
                        "startBeat": p.start_beat,
                        "endBeat": p.end_beat,
                        "accepted": p.accepted,
                        "added": p.n_added,
                        "removed": p.n_removed,
                        "modified": p.n_modified,
                    }
                    for p in phrases
                ],
            }
        )
        return EXIT_OK
    print(f"commit {commit.commit_id}")
    print(f"Author: {commit.author} ({commit.author_kind})")
    print(f"Date:   {commit.committed_at.isoformat(timespec='seconds')}")
    print(f"Snapshot: {commit.snapshot_id}")
    if commit.variation_id:
        print(f"Variation: {commit.variation_id}")
    if commit.metadata:
        print("Metadata:")
        lines(metadata_lines(commit.metadata))
    print(f"\n    {commit.message}")
    if commit.explanation:
        print(f"    {commit.explanation}")
    print()
    if phrases:
        rows = [
            (p.phrase_id[-24:], p.region_id, f"{p.start_beat:g}-{p.end_beat:g}",
             "yes" if p.accepted else "no", p.n_added, p.n_removed, p.n_modified)
            for p in phrases
        ]  # fmt: skip
        print(table(rows, ("phrase", "region", "beats", "accepted", "+", "-", "~")))
        print()
    _print_diff(diff, notes=False)
    return EXIT_OK


def cmd_blame(args: argparse.Namespace) -> int:
    """``muse blame TARGET``: every note in time order with the commit that introduced it."""
    repo = open_repo(args)
    blame = repo.blame(args.target, args.at)
    notes = sorted(blame.to_dicts(), key=_time_order)
    if args.json:
        listed: list[JSONValue] = list(notes)
        emit_json({"at": blame.at, "target": blame.target, "notes": listed})
        return EXIT_OK
    rows = [
        (beats(_beat(d, "startBeat")), beats(_beat(d, "durationBeats")), d["pitch"],
         d["velocity"], d["regionId"], str(d["commitId"])[:12], d["author"],
         str(d["message"])[:40])
        for d in notes
    ]  # fmt: skip
    print(table(rows, ("beat", "duration", "pitch", "vel", "region", "commit", "author",
                       "message")))  # fmt: skip
    print(f"{len(rows)} note(s) in time order; beats are quarter notes from the project start")
    return EXIT_OK


def _beat(d: Mapping[str, JSONValue], key: str) -> float:
    value = d[key]
    assert isinstance(value, int | float)
    return float(value)


def _time_order(d: Mapping[str, JSONValue]) -> tuple[float, float, str]:
    pitch = d["pitch"]
    return (_beat(d, "startBeat"), float(pitch) if isinstance(pitch, int | float) else 0.0,
            str(d["regionId"]))  # fmt: skip


def beats(value: float) -> str:
    """A beat count as musicians read it: whole beats and a simple fraction.

    >>> [beats(x) for x in (0.0, 0.5, 1.0, 1.5, 0.25, 2.0 / 3.0, 0.123)]
    ['0', '1/2', '1', '1 1/2', '1/4', '2/3', '0.123']
    """
    from fractions import Fraction

    frac = Fraction(value).limit_denominator(64)
    if abs(float(frac) - value) > 1e-6:
        return f"{value:.3f}".rstrip("0").rstrip(".")
    whole, rest = divmod(frac, 1)
    if not rest:
        return str(int(whole))
    return f"{rest}" if not whole else f"{int(whole)} {rest}"


def metadata_lines(metadata: Mapping[str, object], indent: str = "  ") -> list[str]:
    """Commit metadata as ``key: value`` lines, nested values indented.

    >>> metadata_lines({"seed": 7, "run": {"id": "r1", "bars": 8}, "tags": ["a", "b"]})
    ['  run:', '    bars: 8', '    id: r1', '  seed: 7', '  tags: a, b']
    """
    out: list[str] = []
    for key in sorted(metadata):
        value = metadata[key]
        if isinstance(value, Mapping) and value:
            out.append(f"{indent}{key}:")
            out += metadata_lines(value, indent + "  ")
        elif isinstance(value, list | tuple):
            out.append(f"{indent}{key}: {', '.join(str(v) for v in value)}")
        else:
            out.append(f"{indent}{key}: {'-' if value is None else value}")
    return out


def cmd_history(args: argparse.Namespace) -> int:
    """``muse history NAME``."""
    repo = open_repo(args)
    versions = repo.history(args.name, args.at)
    if args.json:
        emit_json({"name": args.name, "versions": [v.to_dict() for v in versions]})
        return EXIT_OK
    rows = [
        (v.commit.short_id, v.commit.committed_at.strftime("%Y-%m-%d %H:%M"), v.region_id,
         v.change, v.n_notes, v.commit.author, v.commit.message[:40])
        for v in versions
    ]  # fmt: skip
    if not rows:
        print(f"no versions of {args.name!r}")
        return EXIT_OK
    print(table(rows, ("commit", "date", "region", "change", "notes", "author", "message")))
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    """``muse check``."""
    repo = open_repo(args)
    report = repo.check_integrity(deep=args.deep)
    if args.json:
        emit_json(report.to_dict())
    elif report.ok:
        counts = ", ".join(f"{v} {k}" for k, v in report.counts.items())
        print(f"ok ({'deep, ' if args.deep else ''}{counts})")
    else:
        lines(f"problem: {p}" for p in report.problems)
    return EXIT_OK if report.ok else EXIT_REFUSED


# ------------------------------------------------------------------- helpers
def _empty() -> ProjectState:
    from muse_duckdb.project import ProjectState

    return ProjectState()


def _labels(
    branches: dict[str, str], tags: dict[str, str], head: str | None
) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if head:
        out.setdefault(head, []).append("HEAD")
    for name, cid in branches.items():
        out.setdefault(cid, []).append(name)
    for name, cid in tags.items():
        out.setdefault(cid, []).append(f"tag: {name}")
    return out


def _print_diff(diff: ProjectDiff, notes: bool) -> None:
    if diff.is_empty:
        print("no changes")
        return
    counts = diff.counts()
    print(
        f"{len(diff.regions)} region(s), {len(diff.properties)} propert(ies) changed "
        f"(+{counts['added']} -{counts['removed']} ~{counts['modified']} notes, "
        f"{counts['controllers']} controller events; severity {diff.severity.label})"
    )
    for p in diff.properties:
        print(f"  {p.path}: {p.before!r} -> {p.after!r} ({p.severity.label})")
    for r in diff.regions:
        print(f"  {r.summary()}")
        if not notes:
            continue
        start = r.region_state.start_beat
        for n in r.notes.removed.to_dicts():
            print(f"    - pitch {n['pitch']} at beat {start + float(n['start_beat']):g}")
        for n in r.notes.added.to_dicts():
            print(f"    + pitch {n['pitch']} at beat {start + float(n['start_beat']):g}")
        for b, a in zip(
            r.notes.modified_before.to_dicts(), r.notes.modified_after.to_dicts(), strict=True
        ):
            print(
                f"    ~ pitch {b['pitch']} at beat {start + float(b['start_beat']):g}: "
                f"{_changed(b, a)}"
            )


def _changed(before: dict[str, float | int], after: dict[str, float | int]) -> str:
    return ", ".join(f"{k} {before[k]:g} -> {after[k]:g}" for k in before if before[k] != after[k])


def ascii_graph(commits: Sequence[Commit], labels: dict[str, list[str]]) -> list[str]:
    r"""A ``git log --graph``-style drawing, newest first (one lane per open line of descent).

    >>> from muse_duckdb.model.commit import Commit
    >>> def c(i, *parents):
    ...     return Commit(i * 64, "p", tuple(p * 64 for p in parents), "s", 1, 0, "a", i)
    >>> print("\n".join(ascii_graph([c("d", "b", "c"), c("c", "a"), c("b", "a"), c("a")], {})))
    *   dddddddddddd d
    |\
    | * cccccccccccc c
    * | bbbbbbbbbbbb b
    |/
    * aaaaaaaaaaaa a
    """
    out: list[str] = []
    lanes: list[str] = []
    for c in commits:
        if c.commit_id not in lanes:
            lanes.append(c.commit_id)
        col = lanes.index(c.commit_id)
        for i in sorted(
            (i for i, x in enumerate(lanes) if x == c.commit_id and i > col), reverse=True
        ):
            cells = ["| "] * len(lanes)
            cells[i - 1], cells[i] = "|", "/ "
            out.append("".join(cells).rstrip())
            del lanes[i]
        deco = f" ({', '.join(labels[c.commit_id])})" if c.commit_id in labels else ""
        cells = ["* " if i == col else "| " for i in range(len(lanes))]
        pad = "  " if len(c.parents) > 1 else ""
        out.append(f"{''.join(cells)}{pad}{c.short_id}{deco} {c.message}")
        if not c.parents:
            del lanes[col]
            continue
        lanes[col] = c.parents[0]
        if len(c.parents) > 1 and c.parents[1] not in lanes:
            lanes.insert(col + 1, c.parents[1])
            cells = ["| "] * len(lanes)
            cells[col], cells[col + 1] = "|", "\\ "
            out.append("".join(cells).rstrip())
    return out
