"""The MCP server with the SDK's own client: in process, over stdio, over streamable HTTP."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import httpx
import pytest
from mcp import Client, StdioServerParameters
from mcp.server import Server
from mcp.shared.memory import create_client_server_memory_streams

from maestro_lab.server import MaestroTools, ServerConfig, build_mcp_server
from maestro_lab.tools import get_registry
from muse_duckdb import Repository

from .conftest import SMALL_PROMPT, Serve

RUNTIME = {"compose", "plan", "reproduce", "log", "diff"}


def _tools(db: Path) -> MaestroTools:
    return MaestroTools(ServerConfig(db=db))


@contextlib.asynccontextmanager
async def memory_transport(server: Server) -> AsyncIterator[tuple[object, object]]:
    """The server running on one end of in-memory streams; yields the client's end."""
    async with (
        create_client_server_memory_streams() as (client_streams, server_streams),
        anyio.create_task_group() as group,
    ):
        options = server.create_initialization_options()
        group.start_soon(server.run, server_streams[0], server_streams[1], options)
        try:
            yield client_streams
        finally:
            group.cancel_scope.cancel()


def test_in_process_session_lists_the_catalogue_and_edits_the_project(tmp_path: Path) -> None:
    db = tmp_path / "mcp.duckdb"
    server = build_mcp_server(_tools(db))

    async def session() -> None:
        async with Client(memory_transport(server), mode="legacy") as client:
            listed = {t.name: t for t in (await client.list_tools()).tools}
            registry = get_registry()
            assert set(listed) == set(registry.names) | RUNTIME
            for name in registry.names:  # the catalogue's own schemas, unchanged
                assert listed[name].input_schema == registry.mcp_tool(name)["inputSchema"]
            assert listed["compose"].input_schema["required"] == ["prompt"]

            tempo = await client.call_tool("stori_set_tempo", {"tempo": 96})
            assert not tempo.is_error, tempo.content
            assert tempo.structured_content is not None
            assert tempo.structured_content["committed"] is True
            track = await client.call_tool(
                "stori_add_midi_track", {"name": "Bass", "gmProgram": 33}
            )
            assert not track.is_error, track.content

            bad = await client.call_tool("stori_set_tempo", {"tempo": "fast"})
            assert bad.is_error
            assert bad.structured_content is not None
            assert bad.structured_content["parameter"] == "tempo"
            assert "tempo" in bad.content[0].text  # type: ignore[union-attr]

            extra = await client.call_tool("stori_set_tempo", {"tempo": 90, "bpm": 90})
            assert extra.is_error
            assert "bpm" in str(extra.structured_content)

            missing = await client.call_tool(
                "stori_set_track_name", {"trackId": "nope", "name": "x"}
            )
            assert missing.is_error
            assert missing.structured_content is not None
            assert missing.structured_content["parameter"] == "trackId"

            unknown = await client.call_tool("stori_set_tempi", {"tempo": 90})
            assert unknown.is_error
            assert "stori_set_tempo" in unknown.content[0].text

            example = {"role": "bass", "style": "house", "tempo": 120, "bars": 4}
            generated = await client.call_tool("stori_generate_midi", example)
            assert generated.is_error
            assert "compose" in generated.content[0].text  # type: ignore[union-attr]

            log = await client.call_tool("log", {"limit": 10})
            assert log.structured_content is not None
            messages = [c["message"] for c in log.structured_content["commits"]]
            assert len(messages) == 2
            assert messages[1].startswith("stori_set_tempo")

            bad_log = await client.call_tool("log", {"limit": 0})
            assert bad_log.is_error
            assert bad_log.structured_content["parameter"] == "limit"

    anyio.run(session)
    repo = Repository.open(db)
    state = repo.snapshot()
    assert state.bpm == 96
    assert [t.name for t in state.tracks] == ["Bass"]
    assert repo.check_integrity().ok


def test_in_process_compose_plan_reproduce_and_diff(tmp_path: Path) -> None:
    db = tmp_path / "runtime.duckdb"
    server = build_mcp_server(_tools(db))

    async def session() -> dict[str, object]:
        async with Client(memory_transport(server), mode="legacy") as client:
            planned = await client.call_tool("plan", {"prompt": SMALL_PROMPT, "seed": 5})
            assert not planned.is_error, planned.content
            assert planned.structured_content is not None
            assert planned.structured_content["plan"]["planHash"]  # type: ignore[index]
            composed = await client.call_tool("compose", {"prompt": SMALL_PROMPT, "seed": 5})
            assert not composed.is_error, composed.content
            first = composed.structured_content
            assert first is not None
            again = await client.call_tool("compose", {"prompt": SMALL_PROMPT, "seed": 6})
            assert again.structured_content is not None
            diff = await client.call_tool("diff", {"a": first["commitId"], "b": "HEAD"})
            assert not diff.is_error
            assert diff.structured_content is not None
            reproduced = await client.call_tool("reproduce", {"commitId": first["commitId"]})
            assert reproduced.structured_content is not None
            assert reproduced.structured_content["ok"] is True, reproduced.structured_content
            bad = await client.call_tool("compose", {"prompt": "MAESTRO PROMPT\nMode: bogus\n"})
            assert bad.is_error
            assert "Mode" in bad.content[0].text
            return first

    first = anyio.run(session)
    import maestro_lab

    expected = maestro_lab.compose(SMALL_PROMPT, seed=5, db=tmp_path / "direct.duckdb", out=None)
    assert first["snapshotId"] == expected.snapshot_id


def _command() -> tuple[str, list[str]]:
    script = Path(sys.executable).with_name("maestro-lab")
    if script.exists():
        return str(script), []
    return sys.executable, ["-c", "import sys; from maestro_lab.cli import main; sys.exit(main())"]


@pytest.mark.slow
def test_stdio_subprocess_session(tmp_path: Path) -> None:
    db = tmp_path / "stdio.duckdb"
    command, prefix = _command()
    params = StdioServerParameters(
        command=command,
        args=[*prefix, "mcp", "--db", str(db)],
        env=dict(os.environ),
        cwd=str(tmp_path),
    )

    async def session() -> None:
        with anyio.fail_after(60):
            async with Client(params, mode="legacy") as client:
                names = {t.name for t in (await client.list_tools()).tools}
                assert {"stori_add_midi_track", "compose", "log"} <= names
                added = await client.call_tool("stori_add_midi_track", {"name": "Keys"})
                assert not added.is_error, added.content
                bad = await client.call_tool(
                    "stori_add_midi_track", {"name": "Keys", "gmProgram": 300}
                )
                assert bad.is_error
                assert bad.structured_content is not None
                assert bad.structured_content["parameter"] == "gmProgram"
                assert not (await client.call_tool("log", {})).is_error

    anyio.run(session)
    repo = Repository.open(db)
    assert [t.name for t in repo.snapshot().tracks] == ["Keys"]
    assert len(repo.log()) == 1


def test_streamable_http_at_mcp_on_the_same_server(serve: Serve, tmp_path: Path) -> None:
    url = serve(db=tmp_path / "http.duckdb", max_body_bytes=64 * 1024)
    headers = {"content-type": "application/json", "accept": "application/json, text/event-stream"}
    with httpx.Client(base_url=url) as raw:  # garbage first: the server must live on
        garbage = raw.post("/mcp", content=b"{not json-rpc", headers=headers)
        assert 400 <= garbage.status_code < 500
        huge = raw.post("/mcp", content=b"[" + b"1," * 100_000 + b"1]", headers=headers)
        assert huge.status_code == 413

    async def session() -> None:
        with anyio.fail_after(60):
            async with Client(f"{url}/mcp", mode="legacy") as client:
                names = {t.name for t in (await client.list_tools()).tools}
                assert "stori_set_key" in names
                key = await client.call_tool("stori_set_key", {"key": "f#m"})
                assert not key.is_error, key.content
                bad = await client.call_tool("stori_set_key", {"key": "H blorp"})
                assert bad.is_error
                assert bad.structured_content["parameter"] == "key"

    anyio.run(session)
    assert Repository.open(tmp_path / "http.duckdb").snapshot().key == "F# minor"


def test_mcp_over_http_needs_the_token_on_a_non_loopback_bind(serve: Serve, tmp_path: Path) -> None:
    import httpx2
    from mcp.client.streamable_http import streamable_http_client

    url = serve(db=tmp_path / "token.duckdb", host="0.0.0.0", token="s3cret")

    async def session(token: str) -> set[str]:
        headers = {"authorization": f"Bearer {token}"}
        async with (
            httpx2.AsyncClient(headers=headers, timeout=30) as http,
            Client(streamable_http_client(f"{url}/mcp", http_client=http), mode="legacy") as c,
        ):
            return {t.name for t in (await c.list_tools()).tools}

    assert "compose" in anyio.run(session, "s3cret")
    with pytest.raises(BaseException) as refused:  # the SDK wraps the error in task groups
        anyio.run(session, "wrong")

    def leaves(error: BaseException) -> list[BaseException]:
        if isinstance(error, BaseExceptionGroup):
            return [leaf for inner in error.exceptions for leaf in leaves(inner)]
        return [error]

    from mcp import MCPError

    # the SDK reports the 401 as an error response (test_faults checks the status itself)
    assert any(isinstance(leaf, MCPError) for leaf in leaves(refused.value)), refused.value
