"""Faults over real HTTP: a client that leaves, eight at once, a busy writer, no token."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path

import httpx
import pytest
from httpx_sse import aconnect_sse, connect_sse

import maestro_lab
from maestro_lab.cli import main
from maestro_lab.server import InsecureBindError, ServerConfig, create_app
from muse_duckdb import Repository

from .conftest import GENERATING, SMALL_PROMPT, Serve, assert_protocol, read_stream


def _wait_idle(client: httpx.Client, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while client.get("/api/v1/health").json()["writer"]["busy"]:
        assert time.monotonic() < deadline, "the writer slot was never released"
        time.sleep(0.02)


def test_disconnect_mid_stream_cancels_the_run_and_commits_nothing(
    serve: Serve, tmp_path: Path, gated: threading.Event
) -> None:
    db = tmp_path / "cancel.duckdb"
    url = serve(db=db)
    base = read_stream(url, {"prompt": SMALL_PROMPT, "seed": 1})[-1]["commitId"]
    seen: list[str] = []
    with (
        httpx.Client(base_url=url, timeout=30) as client,
        connect_sse(
            client, "POST", "/maestro/stream",
            json={"prompt": SMALL_PROMPT, "seed": 2, "backend": "gated"},
        ) as source,
    ):  # fmt: skip
        for sse in source.iter_sse():
            seen.append(json.loads(sse.data)["type"])
            if seen[-1] == "generatorStart":
                break  # leave while the first generation waits at the gate
    assert GENERATING.wait(10)
    with httpx.Client(base_url=url) as client:
        deadline = time.monotonic() + 20
        while client.get("/api/v1/health").json()["streams"]["cancelling"] != 1:
            assert time.monotonic() < deadline, "the server never noticed the disconnect"
            time.sleep(0.02)
        gated.set()  # the run goes on to its next event, where it stops
        _wait_idle(client)
        assert client.get("/api/v1/health").json()["streams"] == {"running": 0, "cancelling": 0}
    repo = Repository.open(db)
    assert repo.head().commit_id == base
    assert [c.commit_id for c in repo.log()] == [base]
    assert repo.check_integrity(deep=True).ok
    runs = maestro_lab.runs(db)
    cancelled = runs[runs["status"] == "failed"]
    assert len(cancelled) == 1
    assert "RunCancelledError" in str(cancelled.iloc[0].to_dict())


def test_eight_concurrent_streams_all_commit_or_get_busy_and_nothing_is_lost(
    serve: Serve, tmp_path: Path
) -> None:
    db = tmp_path / "eight.duckdb"
    url = serve(db=db, busy_timeout=1.0)
    warm = read_stream(url, {"prompt": SMALL_PROMPT, "seed": 99})[-1]["commitId"]  # imports

    async def one(client: httpx.AsyncClient, seed: int) -> tuple[str, object]:
        body = {"prompt": SMALL_PROMPT, "seed": seed}
        async with aconnect_sse(client, "POST", "/maestro/stream", json=body) as source:
            if source.response.status_code == 503:
                await source.response.aread()
                error = source.response.json()["error"]
                assert error["code"] == "WriterBusyError"
                assert source.response.headers["retry-after"] == "1"
                return "busy", error["message"]
            events = [json.loads(sse.data) async for sse in source.aiter_sse()]
        assert_protocol(events)
        assert events[-1]["success"] is True
        return "committed", events[-1]["commitId"]

    async def everyone() -> list[tuple[str, object]]:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            return await asyncio.gather(*(one(client, seed) for seed in range(8)))

    outcomes = asyncio.run(everyone())
    committed = [value for kind, value in outcomes if kind == "committed"]
    assert len(outcomes) == 8
    assert committed, outcomes
    repo = Repository.open(db)
    logged = [c.commit_id for c in repo.log()]
    assert sorted(logged) == sorted([warm, *committed])  # every answered commit, nothing else
    assert repo.check_integrity(deep=True).ok


def test_a_writer_waiting_past_the_timeout_gets_the_busy_answer(
    serve: Serve, gated: threading.Event
) -> None:
    url = serve(busy_timeout=0.2)
    holder_events: list[dict[str, object]] = []

    def hold() -> None:
        holder_events.extend(read_stream(url, {"prompt": SMALL_PROMPT, "backend": "gated"}))

    holder = threading.Thread(target=hold)
    holder.start()
    assert GENERATING.wait(10)
    with httpx.Client(base_url=url) as client:
        assert client.get("/api/v1/health").json()["writer"]["holder"] == "stream"
        busy = client.post("/maestro/stream", json={"prompt": SMALL_PROMPT})
        assert busy.status_code == 503
        assert "busy" in busy.json()["error"]["message"]
        assert client.get("/api/v1/log").status_code == 503  # reads queue behind the run too
        assert client.get("/api/v1/health").status_code == 200  # health never opens the file
    gated.set()
    holder.join(30)
    assert holder_events[-1]["success"] is True
    with httpx.Client(base_url=url) as client:
        assert len(client.get("/api/v1/log").json()["commits"]) == 1


def test_reads_during_runs_never_break_a_commit(serve: Serve, tmp_path: Path) -> None:
    db = tmp_path / "reads.duckdb"
    url = serve(db=db, rate_per_second=1000, burst=1000)
    stop = threading.Event()
    answers: list[int] = []

    def read() -> None:
        with httpx.Client(base_url=url, timeout=30) as client:
            while not stop.is_set():
                answers.append(client.get("/api/v1/log").status_code)
                answers.append(client.get("/api/v1/diff").status_code)

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        commits = [read_stream(url, {"prompt": SMALL_PROMPT, "seed": s})[-1] for s in range(4)]
    finally:
        stop.set()
        for reader in readers:
            reader.join(30)
    assert all(c["success"] for c in commits), commits
    assert set(answers) <= {200, 404}  # 404: HEAD~1 before the second commit
    assert len(Repository.open(db).log()) == 4


def test_a_non_loopback_bind_requires_the_token_on_every_route_but_health(
    serve: Serve, tmp_path: Path
) -> None:
    with pytest.raises(InsecureBindError, match=r"0\.0\.0\.0"):
        create_app(ServerConfig(db=tmp_path / "open.duckdb", host="0.0.0.0"))
    # configured as if bound to every interface, but listening on 127.0.0.1 only
    url = serve(host="0.0.0.0", token="s3cret")
    with httpx.Client(base_url=url) as client:
        assert client.get("/api/v1/health").status_code == 200
        for method, path in [
            ("GET", "/api/v1/protocol"),
            ("GET", "/api/v1/log"),
            ("POST", "/maestro/stream"),
            ("POST", "/api/v1/variations"),
            ("POST", "/mcp"),
        ]:
            refused = client.request(method, path, json={"prompt": SMALL_PROMPT})
            assert refused.status_code == 401, path
            assert refused.headers["www-authenticate"].startswith("Bearer")
            wrong = client.request(method, path, headers={"authorization": "Bearer nope"})
            assert wrong.status_code == 401, path
        allowed = client.get("/api/v1/log", headers={"authorization": "Bearer s3cret"})
        assert allowed.status_code == 200
    events = read_stream(url, {"prompt": SMALL_PROMPT}, authorization="Bearer s3cret")
    assert events[-1]["success"] is True


def test_serve_refuses_a_non_loopback_host_without_a_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.delenv("MAESTRO_LAB_TOKEN", raising=False)
    code = main(["serve", "--db", str(tmp_path / "x.duckdb"), "--host", "0.0.0.0"])
    assert code == 2
    assert "token" in capsys.readouterr().err


def test_a_client_past_its_rate_gets_429_and_health_stays_open(serve: Serve) -> None:
    url = serve(rate_per_second=0.01, burst=3)
    with httpx.Client(base_url=url) as client:
        codes = [client.get("/api/v1/log").status_code for _ in range(5)]
        assert codes == [200, 200, 200, 429, 429]
        limited = client.get("/api/v1/log")
        assert int(limited.headers["retry-after"]) >= 1
        assert limited.json()["error"]["code"] == "RateLimited"
        assert client.get("/api/v1/health").status_code == 200


@pytest.mark.slow
def test_the_serve_command_listens_on_loopback_and_stops_on_sigint(tmp_path: Path) -> None:
    import signal
    import socket
    import subprocess
    import sys

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    script = Path(sys.executable).with_name("maestro-lab")
    entry = "import sys; from maestro_lab.cli import main; sys.exit(main())"
    command = [str(script)] if script.exists() else [sys.executable, "-c", entry]
    process = subprocess.Popen(
        [*command, "serve", "--db", str(tmp_path / "cli.duckdb"), "--port", str(port), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        announced = json.loads("".join(process.stdout.readline() for _ in range(5)))
        assert announced["url"] == f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"{announced['url']}/api/v1/health", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.communicate()[1]
                assert time.monotonic() < deadline, "the server never answered"
                time.sleep(0.1)
        assert health.json()["status"] == "ok"
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(30)
    assert process.returncode == 0


def test_a_loopback_server_answers_only_loopback_host_names(serve: Serve) -> None:
    url = serve()
    port = url.rsplit(":", 1)[1]
    with httpx.Client(base_url=url) as client:
        assert client.get("/api/v1/log", headers={"host": f"localhost:{port}"}).status_code == 200
        rebound = client.get("/api/v1/log", headers={"host": f"evil.example:{port}"})
        assert rebound.status_code == 400  # a DNS-rebinding page cannot reach the server
        plain = client.post(
            "/maestro/stream",
            content=json.dumps({"prompt": SMALL_PROMPT}),
            headers={"content-type": "text/plain"},  # a form a page may post without CORS
        )
        assert plain.status_code == 422
        assert client.get("/api/v1/log").json()["commits"] == []
