"""``maestro-lab serve``: the composition stream, variations, history and MCP over HTTP.

A thin shell over :func:`maestro_lab.server.serve`; every import of FastAPI,
uvicorn and the MCP SDK happens when the command runs, so ``maestro-lab
--help`` stays instant.
"""

from __future__ import annotations

import argparse
import sys

from maestro_lab.cli.common import add_json_flag, print_json

EXIT_CODES = (
    "Exit codes: 0 stopped cleanly, 1 the server failed (e.g. the port is taken), "
    "2 bad arguments or a non-loopback host without a token, "
    "3 the serve extra is missing (pip install 'maestro-lab[serve]')."
)


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    """The database and limit options ``serve`` and ``mcp`` share."""
    parser.add_argument(
        "--db", default="maestro.duckdb", help="Muse database file (default: %(default)s)"
    )
    parser.add_argument("--project", default="default", help="Muse project (default: default)")
    parser.add_argument(
        "--busy-timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="how long a write waits for the database before the busy answer (default: 30)",
    )
    parser.add_argument(
        "--out", default=None, metavar="DIR", help="write each composition's MIDI file here"
    )


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``serve`` subcommand."""
    parser = sub.add_parser(
        "serve",
        help="serve the composition stream (SSE), variations, history and MCP over HTTP",
        description=(
            "Serve the runtime over HTTP with uvicorn: POST /maestro/stream answers a prompt "
            "with server-sent events (the runtime's event protocol), /api/v1/* has health, "
            "protocol, variation and history routes, and /mcp serves the MCP tools "
            "(streamable HTTP). Binds 127.0.0.1 by default; any other host needs a bearer "
            "token (--token or MAESTRO_LAB_TOKEN), checked on every route but health. " + EXIT_CODES
        ),
    )
    add_server_arguments(parser)
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: %(default)s)"
    )
    parser.add_argument("--port", type=int, default=10001, help="port (default: %(default)s)")
    parser.add_argument(
        "--token", default=None, help="bearer token (default: the MAESTRO_LAB_TOKEN variable)"
    )
    parser.add_argument(
        "--max-body",
        type=int,
        default=1 << 20,
        metavar="BYTES",
        help="largest request body (default: %(default)s)",
    )
    parser.add_argument(
        "--rate", type=float, default=20.0, help="requests per second per client (default: 20)"
    )
    parser.add_argument(
        "--burst", type=int, default=40, help="burst of requests per client (default: 40)"
    )
    parser.add_argument(
        "--log-level", default="warning", help="uvicorn log level (default: %(default)s)"
    )
    parser.add_argument(
        "--classifier",
        default=None,
        metavar="MODULE:NAME",
        help="intent classifier asked when the rules are unsure of a plain-language prompt "
        "(a callable (text, rules_result) -> IntentResult | None; default: rules only)",
    )
    add_json_flag(parser)
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from maestro_lab.errors import MissingExtraError
    from maestro_lab.server.config import ServerConfig, token_from
    from maestro_lab.server.errors import InsecureBindError

    try:
        classifier = None
        if args.classifier is not None:
            from pathlib import Path

            from maestro_lab.intent import load_classifier

            classifier = load_classifier(args.classifier, search=(Path.cwd(),))
        config = ServerConfig(
            db=args.db,
            project=args.project,
            host=args.host,
            port=args.port,
            token=token_from(args.token),
            max_body_bytes=args.max_body,
            rate_per_second=args.rate,
            burst=args.burst,
            busy_timeout=args.busy_timeout,
            out=args.out,
            classifier=classifier,
        ).check()
        from maestro_lab.server.app import serve
        from maestro_lab.server.extras import require_serve

        require_serve()
    except MissingExtraError as exc:
        print(f"maestro-lab serve: {exc}", file=sys.stderr)
        return 3
    except (InsecureBindError, ValueError) as exc:
        print(f"maestro-lab serve: {exc}", file=sys.stderr)
        return 2
    url = f"http://{config.host}:{config.port}"
    if args.json:
        print_json({"url": url, "stream": f"{url}/maestro/stream", "mcp": f"{url}/mcp"})
    else:
        print(f"maestro-lab serve: {url} (stream POST /maestro/stream, MCP {url}/mcp)")
    sys.stdout.flush()
    try:
        serve(config, log_level=args.log_level)
    except (OSError, SystemExit) as exc:
        print(f"maestro-lab serve: the server stopped: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    return 0
