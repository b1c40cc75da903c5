"""``maestro-lab plan PROMPT_FILE``: print the plan a prompt gives, without executing it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, cast

from maestro_lab.cli.common import (
    PromptReadError,
    add_json_flag,
    print_json,
    read_prompt,
)
from maestro_lab.cli.limits import add_limit_flag, limits_from

if TYPE_CHECKING:
    from maestro_lab.cli.common import JSONValue


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``plan`` subcommand."""
    parser = sub.add_parser(
        "plan",
        help="print the execution plan derived from a MAESTRO PROMPT",
        description=(
            "Read a prompt (a MAESTRO PROMPT or plain natural language) from PROMPT_FILE "
            "('-' for stdin) or take the prompt text itself, and print its deterministic "
            "plan: sections, tracks, seeds, generations and the stori_* execution steps. "
            "Nothing is generated. The plan states its cost (bars x roles x candidates); a plan "
            "above a limit (max_bars, max_roles, max_sections, max_candidates, "
            "max_candidate_bars) is refused unless --limit raises it. "
            "Exit codes: 0 valid plan, 1 plan with validation errors, 2 bad input "
            "(including a plan above a limit)."
        ),
    )
    parser.add_argument(
        "prompt_file", metavar="PROMPT_FILE_OR_TEXT", help="prompt file, '-' for stdin, or text"
    )
    parser.add_argument(
        "--seed", type=int, default=None, help="base seed (default: hash of the normalised prompt)"
    )
    parser.add_argument(
        "--project",
        metavar="JSON_FILE",
        help="existing project (ProjectContext JSON: tempo, key, sections, tracks)",
    )
    parser.add_argument(
        "--candidates", type=int, default=None, help="candidates per generation (default 4)"
    )
    parser.add_argument(
        "--wire",
        action="store_true",
        help="print the compact plan wire JSON (generations, edits, mix) instead",
    )
    parser.add_argument("--width", type=int, default=120, help="preview width (default 120)")
    parser.add_argument(
        "--classifier",
        default=None,
        metavar="MODULE:NAME",
        help="intent classifier asked when the rules are unsure of a plain-language prompt "
        "(a callable (text, rules_result) -> IntentResult | None; default: rules only)",
    )
    add_limit_flag(parser)
    add_json_flag(parser)
    parser.set_defaults(handler=_run)


def _fail(args: argparse.Namespace, kind: str, message: str, details: list[str]) -> int:
    if args.json:
        print_json({"error": {"type": kind, "message": message, "details": list(details)}})
    else:
        print(f"maestro-lab plan: {message}", file=sys.stderr)
        for detail in details:
            print(f"  - {detail}", file=sys.stderr)
    return 2


def _run(args: argparse.Namespace) -> int:
    from maestro_lab.errors import (
        InvalidMaestroPrompt,
        MaestroLabError,
        PlanningError,
        PromptParseError,
    )
    from maestro_lab.planner import plan, validate_plan
    from maestro_lab.planner.cost import plan_cost

    try:
        limits = limits_from(args)
    except ValueError as exc:
        return _fail(args, "InvalidLimit", str(exc), [])
    try:
        text = read_prompt(args.prompt_file)
    except PromptReadError as exc:
        return _fail(args, "PromptReadError", str(exc), [])
    project: dict[str, object] | None = None
    if args.project:
        try:
            loaded = json.loads(Path(args.project).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            return _fail(
                args, "InvalidProject", f"cannot read project {args.project!r}", [str(exc)]
            )
        if not isinstance(loaded, dict):
            return _fail(args, "InvalidProject", "the project JSON must be an object", [])
        project = loaded
    try:
        classifier = None
        if args.classifier is not None:
            from maestro_lab.intent import load_classifier

            classifier = load_classifier(args.classifier, search=(Path.cwd(),))
        result = plan(
            text,
            project=project,
            seed=args.seed,
            num_candidates=args.candidates,
            limits=limits,
            classifier=classifier,
        )
    except InvalidMaestroPrompt as exc:
        return _fail(args, type(exc).__name__, "invalid MAESTRO PROMPT", exc.details)
    except (PromptParseError, PlanningError) as exc:
        return _fail(args, type(exc).__name__, str(exc), [])
    except MaestroLabError as exc:  # pragma: no cover - every planner error is one of the above
        return _fail(args, type(exc).__name__, str(exc), [])
    report = validate_plan(result)
    if args.wire:
        print_json(cast("JSONValue", result.wire()))
    elif args.json:
        payload = cast("dict[str, JSONValue]", result.to_dict())
        payload["cost"] = cast("JSONValue", plan_cost(result).to_dict())
        print_json(payload)
    else:
        print(result.preview(width=args.width))
        print(plan_cost(result).summary())
    if report.errors:
        print("plan validation failed:", file=sys.stderr)
        for error in report.errors:
            print(f"  - {error}", file=sys.stderr)
        return 1
    if not args.json and not args.wire:
        print(f"\nplan valid; plan hash {result.plan_hash}")
    return 0
