"""The pieces without a live server: config, token bucket, writer queue, CLI, doctests."""

from __future__ import annotations

import asyncio
import doctest
import importlib
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maestro_lab.cli import build_parser
from maestro_lab.errors import MissingExtraError
from maestro_lab.server import WriterBusyError, WriterQueue
from maestro_lab.server.config import ServerConfig, is_loopback, token_from
from maestro_lab.server.extras import require_serve
from maestro_lab.server.guards import BearerAuth, RateLimit


async def _app(scope: object, receive: object, send: object) -> None:  # never reached
    raise AssertionError


@given(
    rate=st.floats(0.5, 50),
    burst=st.integers(1, 20),
    gaps=st.lists(st.floats(0, 2), min_size=1, max_size=60),
)
def test_token_bucket_never_allows_more_than_burst_plus_rate_times_elapsed(
    rate: float, burst: int, gaps: list[float]
) -> None:
    limiter = RateLimit(_app, rate=rate, burst=burst)
    now, allowed = 0.0, 0
    for gap in gaps:
        now += gap
        wait = limiter.take("client", now)
        assert wait >= 0
        if wait == 0:
            allowed += 1
        else:  # the promised wait is enough for the next request
            assert limiter.take("client", now + wait + 1e-9) == 0
            allowed += 1
            now += wait + 1e-9
        assert allowed <= burst + rate * now + 1e-6


def test_buckets_are_per_client() -> None:
    limiter = RateLimit(_app, rate=1, burst=1)
    assert limiter.take("a", 0.0) == 0
    assert limiter.take("a", 0.0) == pytest.approx(1.0)
    assert limiter.take("b", 0.0) == 0


def test_bearer_header_must_match_exactly() -> None:
    auth = BearerAuth(_app, token="s3cret")
    assert auth.allows(b"Bearer s3cret")
    assert not auth.allows(b"Bearer s3cre")
    assert not auth.allows(b"bearer s3cret")
    assert not auth.allows(b"s3cret")
    assert not auth.allows(None)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.1.2.3", True), ("::1", True), ("[::1]", True),
     ("localhost", True), ("0.0.0.0", False), ("::", False), ("192.0.2.1", False), ("", False)],
)  # fmt: skip
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
    assert ServerConfig(db=":memory:", host=host, token="t").requires_token
    assert ServerConfig(db=":memory:", host=host).requires_token is not loopback


def test_config_refuses_nonsense_with_the_field_named() -> None:
    with pytest.raises(ValueError, match="busy_timeout"):
        ServerConfig(db=":memory:", busy_timeout=0)
    with pytest.raises(ValueError, match="max_body_bytes"):
        ServerConfig(db=":memory:", max_body_bytes=0)
    with pytest.raises(ValueError, match="token"):
        ServerConfig(db=":memory:", token=" ")
    assert token_from(None, {"MAESTRO_LAB_TOKEN": " "}) is None


def test_writer_queue_serves_in_arrival_order_and_times_out() -> None:
    async def scenario() -> list[str]:
        queue = WriterQueue(timeout=0.5)
        order: list[str] = []

        async def writer(name: str, hold: float) -> None:
            async with queue.slot("x.duckdb", holder=name):
                order.append(name)
                await asyncio.sleep(hold)

        first = asyncio.create_task(writer("a", 0.2))
        while not order:  # until "a" holds the slot
            await asyncio.sleep(0.001)
        assert queue.status("x.duckdb") == {"busy": True, "holder": "a", "waiting": 0}
        await asyncio.gather(first, writer("b", 0), writer("c", 0))
        held = await queue.acquire("x.duckdb")
        began = asyncio.get_running_loop().time()
        with pytest.raises(WriterBusyError, match="busy"):
            await queue.acquire("x.duckdb")
        assert asyncio.get_running_loop().time() - began >= 0.45  # timers may fire a bit early
        held.release()
        held.release()  # twice is harmless
        assert not queue.status("x.duckdb")["busy"]
        return order

    assert asyncio.run(scenario()) == ["a", "b", "c"]


def test_missing_extra_names_the_pip_command() -> None:
    with pytest.raises(MissingExtraError, match=r"pip install 'maestro-lab\[serve\]'"):
        require_serve((("no_such_module_for_serve", "fastapi"),))


@pytest.mark.parametrize("command", ["serve", "mcp"])
def test_help_lists_exit_codes(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "Exit codes: 0" in text
    assert "pip install 'maestro-lab[serve]'" in text


def test_registering_serve_and_mcp_does_not_import_the_server_stack() -> None:
    code = (
        "import argparse, sys; from maestro_lab.cli import mcp, serve; "
        "sub = argparse.ArgumentParser().add_subparsers(); serve.register(sub); mcp.register(sub); "
        "print(sorted(m for m in ('fastapi', 'uvicorn', 'mcp', 'starlette', 'anyio') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "module", ["config", "errors", "extras", "runs", "writer", "guards", "history", "app"]
)
def test_docstring_examples(module: str) -> None:
    imported = importlib.import_module(f"maestro_lab.server.{module}")
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testmod(imported, optionflags=flags)
    assert result.failed == 0


def test_server_names_need_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import maestro_lab.server as server
    from maestro_lab.server import extras

    real = extras.importlib.util.find_spec
    monkeypatch.delitem(server.__dict__, "create_app", raising=False)
    monkeypatch.setattr(
        extras.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "fastapi" else real(name, *a),
    )
    with pytest.raises(MissingExtraError, match=r"fastapi is not installed.*\[serve\]"):
        server.create_app  # noqa: B018 - the lazy attribute is what raises
