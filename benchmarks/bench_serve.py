"""The composition stream over HTTP (SSE) against the in-process ``maestro_lab.stream()``.

One run of this script starts the real server (``maestro-lab serve``, FastAPI
on uvicorn, as its own process on 127.0.0.1; ``--server thread`` runs it in a
thread of this process instead) and composes the same prompt with the same
seed both ways, alternately: ``maestro_lab.stream(...)`` in process, and ``POST
/maestro/stream`` read with httpx-sse over one kept-alive connection. Each
repetition composes into a new project (of one database file per way), so
every run starts from an empty project and both ways commit the same
snapshot (the script checks it). Reported per way (medians): time to the first event
after the request, time to the last event (the whole compose), and events
per second; then the ratios HTTP / in-process. The machine may be shared, so
the overhead is the median of the paired differences (each HTTP run minus
the in-process run next to it; the order alternates), as a share of the
in-process median.

Goals: the first event arrives <= 50 ms after the request, and HTTP adds
<= 10 % to a compose.

    python benchmarks/bench_serve.py            # full run (about 20 s)
    python benchmarks/bench_serve.py --quick    # smoke run (a few seconds)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from _table import print_table

GOAL_FIRST_EVENT_S = 0.050
GOAL_OVERHEAD = 0.10

PROMPT = """MAESTRO PROMPT
Mode: compose
Style: lofi
Key: Am
Role: [drums, bass, chords, melody]
Constraints: {sections: {verse: 8, chorus: 8}}
"""


def _in_process(db: Path, project: str, seed: int, candidates: int) -> dict[str, float | str]:
    import maestro_lab

    began = time.perf_counter()
    first = 0.0
    count = 0
    last = None
    for event in maestro_lab.stream(
        PROMPT, seed=seed, db=db, project=project, candidates=candidates, out=None
    ):
        if count == 0:
            first = time.perf_counter() - began
        count += 1
        last = event
    total = time.perf_counter() - began
    assert last is not None
    assert last.type == "complete"
    snapshot = getattr(last, "snapshot_id", None)
    return {"first": first, "total": total, "events": count, "snapshot": str(snapshot)}


def _over_http(client: object, project: str, seed: int, candidates: int) -> dict[str, float | str]:
    import httpx
    from httpx_sse import connect_sse

    assert isinstance(client, httpx.Client)
    body = {"prompt": PROMPT, "seed": seed, "project": project, "candidates": candidates}
    began = time.perf_counter()
    first = 0.0
    count = 0
    last: dict[str, object] = {}
    with connect_sse(client, "POST", "/maestro/stream", json=body) as source:
        source.response.raise_for_status()
        for sse in source.iter_sse():
            if count == 0:
                first = time.perf_counter() - began
            count += 1
            last = json.loads(sse.data)
    total = time.perf_counter() - began
    assert last.get("type") == "complete", last
    assert last.get("success") is True, last
    return {"first": first, "total": total, "events": count, "snapshot": str(last["snapshotId"])}


@contextlib.contextmanager
def _server(kind: str, db: Path) -> Iterator[str]:
    """A server on 127.0.0.1 for ``db``: a ``maestro-lab serve`` process or a thread."""
    if kind == "thread":
        from maestro_lab.server import ServerConfig, create_app, serve_in_thread

        app = create_app(ServerConfig(db=db, rate_per_second=1000, burst=1000))
        with serve_in_thread(app) as url:
            yield url
        return
    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    entry = "import sys; from maestro_lab.cli import main; sys.exit(main())"
    options = ["--db", str(db), "--port", str(port), "--rate", "1000", "--burst", "1000"]
    process = subprocess.Popen(
        [sys.executable, "-c", entry, "serve", *options], stdout=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(f"{url}/api/v1/health", timeout=2).raise_for_status()
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server process did not start") from None
                time.sleep(0.05)
        yield url
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small workload for a smoke test")
    parser.add_argument("--candidates", type=int, default=16, help="candidates per generation")
    parser.add_argument("--repeats", type=int, default=7, help="timed runs of each way")
    parser.add_argument(
        "--server",
        choices=("process", "thread"),
        default="process",
        help="run the server as a `maestro-lab serve` process (default, as deployed) or in a "
        "thread of this process (it then shares the interpreter lock with the client)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    candidates, repeats = args.candidates, args.repeats
    if args.quick:
        candidates, repeats = 4, 2

    import httpx

    inproc: list[dict[str, float | str]] = []
    http: list[dict[str, float | str]] = []
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        db = Path(tmp) / "in-process.duckdb"
        served = db if args.server == "thread" else Path(tmp) / "served.duckdb"
        with (
            _server(args.server, served) as url,
            httpx.Client(base_url=url, timeout=120) as client,
        ):
            _in_process(db, "warm-in", 0, candidates)  # imports, caches, the file's schema
            _over_http(client, "warm-http", 0, candidates)  # the connection, the app
            for i in range(1, repeats + 1):  # ABBA order: neither way always goes first
                if i % 2:
                    inproc.append(_in_process(db, f"in-{i}", i, candidates))
                    http.append(_over_http(client, f"http-{i}", i, candidates))
                else:
                    http.append(_over_http(client, f"http-{i}", i, candidates))
                    inproc.append(_in_process(db, f"in-{i}", i, candidates))
    for a, b in zip(inproc, http, strict=True):
        assert a["snapshot"] == b["snapshot"], "HTTP and in-process committed different music"

    def median(runs: list[dict[str, float | str]], key: str) -> float:
        return statistics.median(float(r[key]) for r in runs)

    first_in, first_http = median(inproc, "first"), median(http, "first")
    total_in, total_http = median(inproc, "total"), median(http, "total")
    events = int(median(http, "events"))
    rates = {"in": median(inproc, "events") / total_in, "http": events / total_http}
    # the machine is shared: pair each HTTP run with the in-process run next to it
    paired = statistics.median(
        float(b["total"]) - float(a["total"]) for a, b in zip(inproc, http, strict=True)
    )
    overhead = paired / total_in
    verdict = {
        "first_event_http_s": round(first_http, 5),
        "first_event_goal_met": first_http <= GOAL_FIRST_EVENT_S,
        "http_overhead": round(overhead, 4),
        "overhead_goal_met": overhead <= GOAL_OVERHEAD,
    }
    if args.json:
        json.dump(
            {
                "candidates": candidates,
                "repeats": repeats,
                "server": args.server,
                "events_per_run": events,
                "median_s": {
                    "first_in_process": round(first_in, 5),
                    "first_http": round(first_http, 5),
                    "total_in_process": round(total_in, 5),
                    "total_http": round(total_http, 5),
                    "paired_difference": round(paired, 5),
                },
                "events_per_s": {k: round(v, 1) for k, v in rates.items()},
                **verdict,
            },
            sys.stdout,
            indent=2,
        )
        print()
        return 0
    print(
        f"stream: 4 roles x 2 sections, 16 bars, {candidates} candidates per generation, "
        f"{events} events per run; median of {repeats} runs each way, in ABBA order, "
        f"a project per run, HTTP over one kept-alive loopback connection to a server "
        f"{'process' if args.server == 'process' else 'thread of this process'}\n"
    )
    print_table(
        ["metric", "in-process stream()", "HTTP SSE", "HTTP / in-process"],
        [
            ["first event (ms)", first_in * 1000, first_http * 1000, first_http / first_in],
            ["whole compose (ms)", total_in * 1000, total_http * 1000, total_http / total_in],
            ["events per second", rates["in"], rates["http"], rates["http"] / rates["in"]],
            ["HTTP - in-process, paired (ms)", "", paired * 1000, ""],
        ],
    )
    print()
    met = "met" if verdict["first_event_goal_met"] else "MISSED"
    print(
        f"goal: first event over HTTP <= {GOAL_FIRST_EVENT_S * 1000:.0f} ms ... "
        f"{first_http * 1000:.1f} ms ({met})"
    )
    met = "met" if verdict["overhead_goal_met"] else "MISSED"
    print(
        f"goal: HTTP overhead <= {GOAL_OVERHEAD:.0%} of a compose ... "
        f"{overhead:+.1%} (median paired difference {paired * 1000:+.1f} ms "
        f"of a {total_in * 1000:.0f} ms compose)"
        f" ({met})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
