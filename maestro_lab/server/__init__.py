"""Serve the runtime: the composition event stream over HTTP and the tools over MCP.

Needs the ``serve`` extra (``pip install 'maestro-lab[serve]'``: FastAPI,
uvicorn and the MCP SDK); names load lazily, so ``import maestro_lab.server``
costs nothing until one is used.

* :func:`create_app` — the FastAPI app: ``POST /maestro/stream`` (server-sent
  events), health, protocol, variations and history routes, MCP at ``/mcp``;
* :func:`serve` — run it with uvicorn (``maestro-lab serve``);
* :func:`build_mcp_server` / :func:`run_stdio` — the MCP server
  (``maestro-lab mcp`` speaks it over stdio);
* :class:`ServerConfig` — database, bind address, token and limits.

Example
-------
>>> from maestro_lab.server import ServerConfig, serve       # doctest: +SKIP
>>> serve(ServerConfig(db="lab.duckdb", port=10001))           # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from maestro_lab.server.app import create_app, serve, serve_in_thread
    from maestro_lab.server.config import ServerConfig
    from maestro_lab.server.errors import InsecureBindError, RunCancelledError, WriterBusyError
    from maestro_lab.server.mcp_server import MaestroTools, build_mcp_server, run_stdio
    from maestro_lab.server.writer import WriterQueue

_EXPORTS: dict[str, str] = {
    "create_app": "maestro_lab.server.app",
    "serve": "maestro_lab.server.app",
    "serve_in_thread": "maestro_lab.server.app",
    "ServerConfig": "maestro_lab.server.config",
    "InsecureBindError": "maestro_lab.server.errors",
    "RunCancelledError": "maestro_lab.server.errors",
    "WriterBusyError": "maestro_lab.server.errors",
    "MaestroTools": "maestro_lab.server.mcp_server",
    "build_mcp_server": "maestro_lab.server.mcp_server",
    "run_stdio": "maestro_lab.server.mcp_server",
    "WriterQueue": "maestro_lab.server.writer",
}

__all__ = [
    "InsecureBindError",
    "MaestroTools",
    "RunCancelledError",
    "ServerConfig",
    "WriterBusyError",
    "WriterQueue",
    "build_mcp_server",
    "create_app",
    "run_stdio",
    "serve",
    "serve_in_thread",
]


_NEED_EXTRA = frozenset({"maestro_lab.server.app", "maestro_lab.server.mcp_server"})
"""Modules that import FastAPI, uvicorn or the MCP SDK."""


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'maestro_lab.server' has no attribute {name!r}")
    if module in _NEED_EXTRA:
        from maestro_lab.server.extras import require_serve

        require_serve()
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
