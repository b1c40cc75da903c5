"""``maestro-lab protocol``: the event and tool JSON Schemas and the protocol hash."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from maestro_lab.cli.common import add_json_flag, print_json


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``protocol`` subcommand."""
    parser = sub.add_parser(
        "protocol",
        help="print the event and tool JSON Schemas and the protocol hash",
        description=(
            "Print the runtime's wire protocol: every event type and every stori_* tool "
            "with its JSON Schema, and the protocol hash (SHA-256 of the structural "
            "schemas; it changes only when a schema changes). Without --json, a summary; "
            "with --json, the full snapshot (protocolVersion, protocolHash, events, tools, "
            "enums)."
        ),
    )
    parser.add_argument("--hash", action="store_true", help="print only the protocol hash and exit")
    parser.add_argument(
        "--event",
        metavar="TYPE",
        help="print the JSON Schema of one event type (e.g. phrase)",
    )
    parser.add_argument(
        "--tool", metavar="NAME", help="print the MCP definition of one tool (e.g. stori_add_notes)"
    )
    add_json_flag(parser)
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    import sys

    from maestro_lab.runtime.protocol import protocol_hash, protocol_snapshot

    if args.hash:
        print(protocol_hash())
        return 0
    snapshot = protocol_snapshot()
    events = snapshot["events"]
    tools = snapshot["tools"]
    assert isinstance(events, dict)
    assert isinstance(tools, list)
    if args.event is not None:
        schema = events.get(args.event)
        if schema is None:
            print(
                f"maestro-lab protocol: unknown event type {args.event!r}; "
                f"known: {', '.join(sorted(events))}",
                file=sys.stderr,
            )
            return 2
        print_json(schema)
        return 0
    if args.tool is not None:
        found = [t for t in tools if isinstance(t, dict) and t.get("name") == args.tool]
        if not found:
            names = ", ".join(str(t["name"]) for t in tools if isinstance(t, dict))
            print(
                f"maestro-lab protocol: unknown tool {args.tool!r}; known: {names}",
                file=sys.stderr,
            )
            return 2
        print_json(found[0])
        return 0
    if args.json:
        print_json(snapshot)
        return 0
    _print_summary(snapshot)
    return 0


def _print_summary(snapshot: Mapping[str, object]) -> None:
    from maestro_lab.tools.registry import get_registry

    events = snapshot["events"]
    assert isinstance(events, dict)
    print(f"protocol version {snapshot['protocolVersion']}")
    print(f"protocol hash    {snapshot['protocolHash']}")
    print(f"\n{len(events)} event types:")
    for name, schema in events.items():
        required = schema.get("required", []) if isinstance(schema, dict) else []
        fields = [f for f in required if f not in ("type", "seq", "protocolVersion")]
        print(f"  {name:<18} {', '.join(fields)}")
    registry = get_registry()
    print(f"\n{len(registry.names)} tools:")
    for name, spec in registry.specs.items():
        where = "server" if spec.server_side else "state"
        print(f"  {name:<26} {spec.phase:<10} {spec.category:<12} {where}")
    print("\nuse --json for the full schemas, --event TYPE or --tool NAME for one of them")
