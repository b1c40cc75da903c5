"""``maestro-lab compose PROMPT_FILE_OR_TEXT``: compose, commit to Muse, print the result.

The command is a thin shell over :func:`maestro_lab.start`: it consumes the
run's event stream for a live per-role progress display (tqdm bars on a
terminal, one status line per generated section otherwise), then prints the
commit id, snapshot id, MIDI path and a per-role score table (or all of it
as JSON with ``--json``). Exit codes: see :mod:`maestro_lab.cli.failures`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from maestro_lab.cli.common import add_json_flag, preload_scorer, print_json, read_prompt
from maestro_lab.cli.limits import add_limit_flag, limits_from

if TYPE_CHECKING:
    from maestro_lab.intent import IntentClassifier
    from maestro_lab.runtime.events import MaestroEvent
    from maestro_lab.runtime.results import CompositionResult


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``compose`` subcommand."""
    parser = sub.add_parser(
        "compose",
        help="compose a prompt into a committed, reproducible composition",
        description=(
            "Plan a prompt (a MAESTRO PROMPT file, '-' for stdin, or the prompt text "
            "itself), run one instrument agent per role (generate candidates, score, "
            "rejection-sample, post-process), commit the result to the Muse database "
            "with every input needed to reproduce it, record every candidate and event "
            "as telemetry, and write the MIDI file. Exit codes: 0 done, 1 refused (the "
            "branch moved meanwhile), 2 bad input, 3 generation failed, 4 database "
            "read-only or locked (nothing is committed unless the exit code is 0). Once the "
            "commit succeeded the exit code is 0 even if the MIDI file or the piano roll "
            "cannot be written (a warning says how to write them later). The piano roll is "
            "drawn only with --plot, after the commit is reported. A compose that fails "
            "before running leaves no database file behind. A plan above a limit (see "
            "'maestro-lab plan') is bad input unless --limit raises it."
        ),
    )
    parser.add_argument(
        "prompt", metavar="PROMPT_FILE_OR_TEXT", help="prompt file, '-' for stdin, or text"
    )
    parser.add_argument("--seed", type=int, default=None, help="base seed (default: prompt hash)")
    parser.add_argument(
        "--candidates", type=int, default=None, help="candidates per generation (default 4)"
    )
    parser.add_argument(
        "--backend",
        default="embedded",
        help="generation backend name: embedded (default), testing, orpheus, or a plug-in",
    )
    parser.add_argument(
        "--space",
        default=None,
        metavar="URL",
        help="the Orpheus Gradio Space (name or URL) for --backend orpheus; "
        "its answers are cached in --db",
    )
    parser.add_argument(
        "--scorer", default=None, metavar="MODULE:NAME", help="scorer (default: built-in)"
    )
    parser.add_argument(
        "--classifier",
        default=None,
        metavar="MODULE:NAME",
        help="intent classifier asked when the rules are unsure of a plain-language prompt "
        "(a callable (text, rules_result) -> IntentResult | None; default: rules only)",
    )
    parser.add_argument(
        "--db", default="maestro.duckdb", help="Muse database file (default: %(default)s)"
    )
    parser.add_argument("--project", default="default", help="Muse project (default: default)")
    parser.add_argument(
        "--out", default="maestro-output", help="folder for the MIDI file (default: %(default)s)"
    )
    parser.add_argument("--no-midi", action="store_true", help="do not write a MIDI file")
    parser.add_argument(
        "--plot",
        "--roll",
        action="store_true",
        help="also draw the piano roll (a PNG next to the MIDI file) once the commit is reported",
    )
    parser.add_argument(
        "--no-plot", action="store_true", help="do not draw the piano roll (the default)"
    )
    parser.add_argument("--branch", default=None, help="commit on this branch (created if new)")
    parser.add_argument(
        "--workers", type=int, default=1, help="agents run at once (output is the same)"
    )
    parser.add_argument(
        "--lock-timeout",
        type=float,
        default=2.0,
        metavar="SECONDS",
        help="wait this long for another process holding the database (default: 2)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no live progress on stderr")
    add_limit_flag(parser)
    add_json_flag(parser)
    parser.set_defaults(handler=_run)


class Progress:
    """Live per-role progress from the event stream (tqdm bars on a terminal)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self._bars: dict[str, object] = {}
        self._totals: dict[str, int] = {}

    def feed(self, event: MaestroEvent) -> None:
        """Update the display with one event."""
        if not self.enabled:
            return
        from maestro_lab.runtime.events import (
            AgentCompleteEvent,
            ErrorEvent,
            GeneratorCompleteEvent,
            PlanEvent,
        )

        if isinstance(event, PlanEvent):
            for step in event.steps:
                if step.tool_name == "stori_generate_midi":
                    role = step.step_id.split("/", 1)[1]
                    self._totals[role] = self._totals.get(role, 0) + 1
            if self.tty:
                self._open_bars()
        elif isinstance(event, GeneratorCompleteEvent):
            score = "-" if event.best_score is None else f"{event.best_score:.3f}"
            if self.tty:
                self._advance(event.agent_id, f"{event.section_name} best {score}")
            else:
                print(
                    f"  {event.agent_id:<10} {event.section_name or '-':<10} "
                    f"{event.candidates:>3} candidates  best {score}  {event.note_count} notes",
                    file=sys.stderr,
                )
        elif isinstance(event, AgentCompleteEvent) and not event.success and not self.tty:
            print(f"  {event.agent_id:<10} failed: {event.error}", file=sys.stderr)
        elif isinstance(event, ErrorEvent) and not self.tty:
            print(f"  error: {event.message}", file=sys.stderr)

    def _open_bars(self) -> None:
        from tqdm import tqdm

        for position, (role, total) in enumerate(self._totals.items()):
            self._bars[role] = tqdm(
                total=total,
                desc=f"{role:<10}",
                unit="section",
                position=position,
                leave=True,
                file=sys.stderr,
            )

    def _advance(self, role: str, note: str) -> None:
        from tqdm import tqdm

        bar = self._bars.get(role)
        if isinstance(bar, tqdm):
            bar.set_postfix_str(note, refresh=False)
            bar.update(1)

    def close(self) -> None:
        """Close the bars."""
        from tqdm import tqdm

        for bar in self._bars.values():
            if isinstance(bar, tqdm):
                bar.close()
        self._bars.clear()


def _print_result(result: CompositionResult) -> None:
    print(f"commit    {result.commit_id}")
    print(f"snapshot  {result.snapshot_id}")
    print(f"midi      {result.midi_path if result.midi_path else '-'}")
    print(f"run       {result.run_id}")
    print(f"branch    {result.branch or '(detached)'}   seed {result.base_seed}")
    print(f"backend   {result.backend_id}   scorer {result.scorer_id}")
    table = result.score_table()
    headers = ["role", "sections", "candidates", "accepted", "best mean", "best min", "best max"]
    rows = [
        [
            str(r["role"]),
            str(r["sections"]),
            str(r["candidates"]),
            str(r["accepted"]),
            f"{r['best_mean']:.3f}",
            f"{r['best_min']:.3f}",
            f"{r['best_max']:.3f}",
        ]
        for r in table.to_dict("records")
    ]
    changes = result.edit.lines()
    if changes:
        print()
        for line in changes:
            print(line)
    if not rows:
        print()
        print("no new material (a structural edit)")
        return
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
    print()
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def _classifier(spec: str | None) -> IntentClassifier | None:
    """The user's ``--classifier MODULE:NAME`` (the current folder searched first)."""
    if spec is None:
        return None
    from maestro_lab.intent import load_classifier

    return load_classifier(spec, search=(Path.cwd(),))


def _run(args: argparse.Namespace) -> int:
    from maestro_lab.api import start
    from maestro_lab.cli.failures import EXPECTED, report
    from maestro_lab.planner.cost import plan_limits

    try:
        limits = limits_from(args)
        preload_scorer(args.scorer)
        classifier = _classifier(args.classifier)
        text = read_prompt(args.prompt)
        backend = args.backend
        if args.space is not None or args.backend == "orpheus":
            from maestro_lab.runtime.backends_registry import get_backend

            backend = get_backend(args.backend, space=args.space, db=args.db)
        with plan_limits(limits):  # the database (and its folder) is created after planning
            run = start(
                text,
                seed=args.seed,
                db=args.db,
                candidates=args.candidates,
                backend=backend,
                branch=args.branch,
                workers=args.workers,
                project=args.project,
                scorer=args.scorer,
                out=None if args.no_midi else args.out,
                lock_timeout=args.lock_timeout,
                classifier=classifier,
            )
    except EXPECTED as exc:
        return report("compose", exc, args.json)
    progress = Progress(
        enabled=not args.no_progress and not (args.json and not sys.stderr.isatty())
    )
    try:
        for event in run.events():
            progress.feed(event)
    finally:
        progress.close()
    try:
        result = run.result()
    except EXPECTED as exc:
        return report("compose", exc, args.json)
    warnings = list(result.warnings)
    plot = args.plot and not args.no_plot
    if args.json:  # one JSON document: the roll (if asked for) is drawn before printing it
        roll = _plot_or_warn(result, warnings) if plot else None
        for warning in warnings:
            print(f"maestro-lab compose: warning: {warning}", file=sys.stderr)
        payload = result.to_dict()
        payload["pianorollPath"] = str(roll) if roll else None
        payload["warnings"] = list(warnings)
        print_json(payload)
        return 0
    for warning in warnings:
        print(f"maestro-lab compose: warning: {warning}", file=sys.stderr)
    _print_result(result)  # the commit is reported before the (slow) drawing starts
    if plot:
        sys.stdout.flush()
        drawn: list[str] = []
        roll = _plot_or_warn(result, drawn)
        for warning in drawn:
            print(f"maestro-lab compose: warning: {warning}", file=sys.stderr)
        if roll:
            print(f"roll      {roll}")
    return 0


def _plot_or_warn(result: CompositionResult, warnings: list[str]) -> Path | None:
    """Draw the piano roll, or append a warning saying how to draw it later."""
    try:
        return _plot(result)
    except (OSError, ValueError) as exc:
        warnings.append(
            f"committed {result.commit_id[:12]}, but the piano roll could not be drawn "
            f"({exc}); draw it later from the MIDI file with "
            "maestro_lab.viz.pianoroll.save_pianoroll(storpheus.io.read_midi(MIDI), OUT.png)"
        )
        return None


def _plot(result: CompositionResult) -> Path | None:
    """Draw the committed MIDI file as a piano roll PNG beside it."""
    if not result.midi_path:
        return None
    from maestro_lab.viz.pianoroll import save_pianoroll
    from storpheus.io import read_midi

    midi = Path(result.midi_path)
    title = f"commit {result.commit_id[:12]} · seed {result.base_seed}"
    return save_pianoroll(read_midi(midi), midi.with_suffix(".png"), title=title)
