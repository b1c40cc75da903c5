"""``maestro-lab schema``: the JSON Schemas of prompts and plans."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from maestro_lab.cli.common import add_json_flag, print_json

if TYPE_CHECKING:
    from pydantic import JsonValue

    from maestro_lab.cli.common import JSONValue

SCHEMAS: dict[str, str] = {
    "prompt": "the YAML body of a MAESTRO PROMPT (what a person writes after the header)",
    "parsed-prompt": "a parsed prompt as JSON (MaestroPrompt.to_dict)",
    "plan": "a composition plan as JSON (CompositionPlan.to_dict)",
    "plan-wire": "the compact plan wire format (generations, edits, mix)",
}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``schema`` subcommand."""
    parser = sub.add_parser(
        "schema",
        help="print the JSON Schemas of prompts and plans",
        description=(
            "Print JSON Schemas (draft 2020-12): "
            + "; ".join(f"{name}: {text}" for name, text in SCHEMAS.items())
            + ". Without NAME, all of them as one object keyed by name."
        ),
    )
    parser.add_argument(
        "name", nargs="?", choices=sorted(SCHEMAS), metavar="NAME", help="one schema only"
    )
    parser.add_argument("--out", metavar="DIR", help="write <name>.schema.json files into DIR")
    parser.add_argument("--list", action="store_true", help="list the schema names and exit")
    add_json_flag(parser)
    parser.set_defaults(handler=_run)


def _builders() -> dict[str, Callable[[], dict[str, JsonValue]]]:
    from maestro_lab.planner.wire import plan_schema, plan_wire_schema
    from maestro_lab.prompts.schema import parsed_prompt_schema, prompt_body_schema

    return {
        "prompt": prompt_body_schema,
        "parsed-prompt": parsed_prompt_schema,
        "plan": plan_schema,
        "plan-wire": plan_wire_schema,
    }


def _run(args: argparse.Namespace) -> int:
    if args.list:
        if args.json:
            print_json(dict(SCHEMAS))
        else:
            for name, text in SCHEMAS.items():
                print(f"{name:<14} {text}")
        return 0
    builders = _builders()
    names = [args.name] if args.name else list(SCHEMAS)
    schemas = {name: builders[name]() for name in names}
    if args.out:
        folder = Path(args.out)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            written = []
            for name, schema in schemas.items():
                path = folder / f"{name}.schema.json"
                path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n", "utf-8")
                written.append(str(path))
        except OSError as exc:
            print(f"maestro-lab schema: cannot write to {folder}: {exc}", file=sys.stderr)
            return 2
        if args.json:
            print_json({"written": list(written)})
        else:
            print("\n".join(written))
        return 0
    chosen: JSONValue = schemas[names[0]] if args.name else dict(schemas)
    print_json(chosen)
    return 0
