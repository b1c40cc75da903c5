"""``maestro-lab mcp``: the MCP tools over stdio, for editors and desktop assistants.

A thin shell over :func:`maestro_lab.server.run_stdio`. Standard output
carries the protocol only; messages go to standard error.
"""

from __future__ import annotations

import argparse
import sys

from maestro_lab.cli.serve import add_server_arguments


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``mcp`` subcommand."""
    parser = sub.add_parser(
        "mcp",
        help="serve the stori_* tools, compose, plan, reproduce, log and diff over MCP (stdio)",
        description=(
            "Speak the Model Context Protocol on stdin/stdout: the stori_* tool catalogue "
            "acting on the project at Muse HEAD (each change is a commit), plus compose, "
            "plan, reproduce, log and diff. Exit codes: 0 the client closed the connection, "
            "1 the server failed, 2 bad arguments, 3 the serve extra is missing "
            "(pip install 'maestro-lab[serve]')."
        ),
    )
    add_server_arguments(parser)
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from maestro_lab.errors import MissingExtraError
    from maestro_lab.server.config import ServerConfig
    from maestro_lab.server.extras import require_serve

    try:
        require_serve()
        config = ServerConfig(
            db=args.db, project=args.project, busy_timeout=args.busy_timeout, out=args.out
        )
    except MissingExtraError as exc:
        print(f"maestro-lab mcp: {exc}", file=sys.stderr)
        return 3
    except ValueError as exc:
        print(f"maestro-lab mcp: {exc}", file=sys.stderr)
        return 2
    from maestro_lab.server.mcp_server import run_stdio

    try:
        run_stdio(config)
    except KeyboardInterrupt:
        return 0
    except Exception as exc:  # report, never a traceback on the protocol stream
        print(f"maestro-lab mcp: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0
